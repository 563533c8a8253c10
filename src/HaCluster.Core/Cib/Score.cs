using System.Globalization;

namespace HaCluster.Core.Cib;

/// <summary>
/// A Pacemaker score: an integer clamped to [-INFINITY, +INFINITY] where INFINITY is 1,000,000.
/// Arithmetic saturates and -INFINITY dominates: +INFINITY + -INFINITY = -INFINITY, because a
/// "must not run here" always beats a "must run here" (Pacemaker Explained, "Infinity Math").
/// </summary>
public readonly record struct Score(int Value) : IComparable<Score>
{
    public const int InfinityValue = 1_000_000;

    public static readonly Score Zero = new(0);
    public static readonly Score Infinity = new(InfinityValue);
    public static readonly Score MinusInfinity = new(-InfinityValue);

    public bool IsInfinity => Value >= InfinityValue;
    public bool IsMinusInfinity => Value <= -InfinityValue;

    public static Score operator +(Score a, Score b)
    {
        if (a.IsMinusInfinity || b.IsMinusInfinity) return MinusInfinity;
        if (a.IsInfinity || b.IsInfinity) return Infinity;
        return FromLong((long)a.Value + b.Value);
    }

    public static Score operator -(Score a) => new(-a.Value);

    /// <summary>Saturating sum of two raw score values (clamped to ±INFINITY first).</summary>
    public static int Add(int a, int b) =>
        (new Score(Math.Clamp(a, -InfinityValue, InfinityValue)) + new Score(Math.Clamp(b, -InfinityValue, InfinityValue))).Value;

    public static Score FromLong(long value) =>
        value >= InfinityValue ? Infinity : value <= -InfinityValue ? MinusInfinity : new Score((int)value);

    public int CompareTo(Score other) => Value.CompareTo(other.Value);
    public static bool operator <(Score a, Score b) => a.Value < b.Value;
    public static bool operator >(Score a, Score b) => a.Value > b.Value;
    public static bool operator <=(Score a, Score b) => a.Value <= b.Value;
    public static bool operator >=(Score a, Score b) => a.Value >= b.Value;

    /// <summary>Parses "100", "-5", "inf", "INFINITY", "+inf", "-INFINITY" (case-insensitive).</summary>
    public static bool TryParse(string? text, out Score score)
    {
        score = Zero;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var t = text.Trim();
        var sign = 1;
        var body = t;
        if (t[0] is '+' or '-')
        {
            sign = t[0] == '-' ? -1 : 1;
            body = t[1..];
        }
        if (body.Equals("inf", StringComparison.OrdinalIgnoreCase) ||
            body.Equals("infinity", StringComparison.OrdinalIgnoreCase))
        {
            score = sign > 0 ? Infinity : MinusInfinity;
            return true;
        }
        if (body.Length == 0 || !body.All(char.IsAsciiDigit)) return false;
        if (!long.TryParse(body, NumberStyles.None, CultureInfo.InvariantCulture, out var v))
            v = long.MaxValue; // a huge number is still a number: it saturates
        score = FromLong(sign * Math.Min(v, (long)int.MaxValue));
        return true;
    }

    public static Score Parse(string text) =>
        TryParse(text, out var s) ? s : throw new FormatException($"'{text}' is not a score");

    /// <summary>Pacemaker's spelling, as written into CIB XML.</summary>
    public override string ToString() =>
        IsInfinity ? "INFINITY" : IsMinusInfinity ? "-INFINITY" : Value.ToString(CultureInfo.InvariantCulture);

    /// <summary>crm shell's spelling: inf / -inf.</summary>
    public string ToCrmString() =>
        IsInfinity ? "inf" : IsMinusInfinity ? "-inf" : Value.ToString(CultureInfo.InvariantCulture);
}
