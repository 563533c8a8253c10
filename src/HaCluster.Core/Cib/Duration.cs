using System.Globalization;
using System.Text.RegularExpressions;

namespace HaCluster.Core.Cib;

/// <summary>
/// Intervals and timeouts as Pacemaker accepts them: a bare number is seconds; units ms/msec,
/// us/usec, s/sec, m/min, h/hr; or ISO 8601 durations such as PT30S or P1DT2H.
/// The configuration keeps the operator's text; this class only interprets it.
/// </summary>
public static partial class Duration
{
    [GeneratedRegex(@"^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$")]
    private static partial Regex SimpleForm();

    [GeneratedRegex(@"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$", RegexOptions.IgnoreCase)]
    private static partial Regex IsoForm();

    public static bool TryParseMilliseconds(string? text, out long milliseconds)
    {
        milliseconds = 0;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var m = SimpleForm().Match(text);
        if (m.Success)
        {
            var number = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            double factor = m.Groups[2].Value.ToLowerInvariant() switch
            {
                "" or "s" or "sec" or "secs" or "second" or "seconds" => 1000,
                "ms" or "msec" or "msecs" => 1,
                "us" or "usec" or "usecs" => 0.001,
                "m" or "min" or "mins" or "minute" or "minutes" => 60_000,
                "h" or "hr" or "hrs" or "hour" or "hours" => 3_600_000,
                "d" or "day" or "days" => 86_400_000,
                _ => double.NaN,
            };
            if (double.IsNaN(factor)) return false;
            var ms = number * factor;
            if (ms > long.MaxValue / 2) return false;
            milliseconds = (long)ms;
            return true;
        }
        var iso = IsoForm().Match(text.Trim());
        if (iso.Success && text.Trim().Length > 1 && !text.Trim().EndsWith('T'))
        {
            double Part(int g) => iso.Groups[g].Success ? double.Parse(iso.Groups[g].Value, CultureInfo.InvariantCulture) : 0;
            var seconds = Part(1) * 365 * 86400 + Part(2) * 30 * 86400 + Part(3) * 7 * 86400 + Part(4) * 86400
                          + Part(5) * 3600 + Part(6) * 60 + Part(7);
            milliseconds = (long)(seconds * 1000);
            return true;
        }
        return false;
    }

    public static long? ParseMillisecondsOrNull(string? text) =>
        TryParseMilliseconds(text, out var ms) ? ms : null;

    /// <summary>A duration as configurations write it: whole seconds as "10s", anything finer as "500ms".</summary>
    public static string Format(TimeSpan t) => t.TotalMilliseconds % 1000 == 0 ? $"{t.TotalSeconds:0}s" : $"{t.TotalMilliseconds:0}ms";
}
