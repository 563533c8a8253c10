using System.Globalization;
using System.Text;

namespace HaCluster.Core.Alerts;

/// <summary>
/// CRM_alert_timestamp in an alert's <c>timestamp-format</c>: date(1) conversions (the ones
/// operators use: %Y %m %d %H %M %S %y %b %B %a %A %e %j %s %z %Z %D %T %F %R %c %p %%), with
/// %N as GNU date has it: nanoseconds, or with a width (%3N, %06N) that many leading digits
/// (Pacemaker's default "%H:%M:%S.%06N" gives microseconds). An unknown conversion is kept as
/// written, as date(1) does.
/// </summary>
public static class AlertTimestamp
{
    public const string DefaultFormat = "%H:%M:%S.%06N";

    public static string Format(string format, DateTimeOffset at)
    {
        var text = new StringBuilder();
        for (int i = 0; i < format.Length; i++)
        {
            if (format[i] != '%' || i + 1 >= format.Length)
            {
                text.Append(format[i]);
                continue;
            }
            var start = i;
            i++;
            var widthStart = i;
            while (i < format.Length && char.IsAsciiDigit(format[i])) i++;
            if (i >= format.Length)
            {
                text.Append(format, start, format.Length - start);
                break;
            }
            int? width = i > widthStart && int.TryParse(format.AsSpan(widthStart, i - widthStart), out var w) ? Math.Clamp(w, 1, 9) : null;
            if (Conversion(format[i], width, at) is { } converted) text.Append(converted);
            else text.Append(format, start, i - start + 1);
        }
        return text.ToString();
    }

    private static string? Conversion(char c, int? width, DateTimeOffset at)
    {
        var inv = CultureInfo.InvariantCulture;
        return c switch
        {
            'N' => Nanoseconds(at)[..(width ?? 9)],
            'Y' => at.Year.ToString("0000", inv),
            'y' => (at.Year % 100).ToString("00", inv),
            'm' => at.Month.ToString("00", inv),
            'd' => at.Day.ToString("00", inv),
            'e' => at.Day.ToString(inv).PadLeft(2),
            'H' => at.Hour.ToString("00", inv),
            'I' => ((at.Hour + 11) % 12 + 1).ToString("00", inv),
            'M' => at.Minute.ToString("00", inv),
            'S' => at.Second.ToString("00", inv),
            'p' => at.Hour < 12 ? "AM" : "PM",
            'j' => at.DayOfYear.ToString("000", inv),
            'b' or 'h' => at.ToString("MMM", inv),
            'B' => at.ToString("MMMM", inv),
            'a' => at.ToString("ddd", inv),
            'A' => at.ToString("dddd", inv),
            's' => at.ToUnixTimeSeconds().ToString(inv),
            'z' => (at.Offset < TimeSpan.Zero ? "-" : "+") + at.Offset.Duration().ToString("hhmm", inv),
            'Z' => at.Offset == TimeSpan.Zero ? "UTC" : (at.Offset < TimeSpan.Zero ? "-" : "+") + at.Offset.Duration().ToString("hhmm", inv),
            'D' => at.ToString("MM/dd/yy", inv),
            'T' => at.ToString("HH:mm:ss", inv),
            'R' => at.ToString("HH:mm", inv),
            'F' => at.ToString("yyyy-MM-dd", inv),
            'c' => at.ToString("ddd MMM ", inv) + at.Day.ToString(inv).PadLeft(2) + at.ToString(" HH:mm:ss yyyy", inv),
            'n' => "\n",
            't' => "\t",
            '%' => "%",
            _ => null,
        };
    }

    /// <summary>The sub-second part as nine digits (.NET keeps 100 ns ticks: the last two are 0).</summary>
    private static string Nanoseconds(DateTimeOffset at) =>
        ((at.Ticks % TimeSpan.TicksPerSecond) * 100).ToString("000000000", CultureInfo.InvariantCulture);
}
