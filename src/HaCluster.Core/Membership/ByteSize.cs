using System.Globalization;

namespace HaCluster.Core.Membership;

/// <summary>A size as operators write it: "262144", "256K", "256M", "1G" (binary units; "MiB", "MB" alike).</summary>
public static class ByteSize
{
    public static long? TryParse(string text)
    {
        var t = text.Trim();
        var digits = 0;
        while (digits < t.Length && char.IsAsciiDigit(t[digits])) digits++;
        if (digits == 0 || digits > 12 || !long.TryParse(t.AsSpan(0, digits), NumberStyles.None, CultureInfo.InvariantCulture, out var n)) return null;
        long unit = t[digits..].Trim().ToUpperInvariant() switch
        {
            "" or "B" => 1,
            "K" or "KB" or "KIB" => 1L << 10,
            "M" or "MB" or "MIB" => 1L << 20,
            "G" or "GB" or "GIB" => 1L << 30,
            _ => 0,
        };
        return unit == 0 ? null : n * unit;
    }
}
