using System.Globalization;
using System.Xml;

namespace HaCluster.Core.Cib;

/// <summary>
/// Who last changed the configuration, when, with what and on which node: the CIB root's
/// cib-last-written, update-user, update-client and update-origin, which crm_mon shows as
/// "Last change: ... by root via hacrm on node1".
/// </summary>
public sealed record CibChange(DateTimeOffset When, string? User, string? Client, string? Origin)
{
    /// <summary>Pacemaker's spelling of the time ("Tue Jan  9 13:05:31 2024", in UTC here).</summary>
    public static string FormatTime(DateTimeOffset when)
    {
        var t = when.UtcDateTime;
        return $"{t.ToString("ddd MMM", CultureInfo.InvariantCulture)} {t.Day,2} {t.ToString("HH:mm:ss yyyy", CultureInfo.InvariantCulture)}";
    }

    /// <summary>crm_mon's words: "Tue Jan  9 13:05:31 2024 by root via hacrm on node1".</summary>
    public string Describe() =>
        FormatTime(When) + (User is null ? "" : $" by {User}") + (Client is null ? "" : $" via {Client}") + (Origin is null ? "" : $" on {Origin}");

    /// <summary>The change recorded on a CIB's root element, or null when it records none.</summary>
    public static CibChange? Read(byte[] cibXml)
    {
        try
        {
            using var reader = XmlReader.Create(new MemoryStream(cibXml), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit });
            if (reader.MoveToContent() != XmlNodeType.Element || reader.Name != "cib") return null;
            var written = reader.GetAttribute("cib-last-written");
            if (written is null) return null;
            var when = DateTimeOffset.TryParseExact(System.Text.RegularExpressions.Regex.Replace(written, " +", " "), "ddd MMM d HH:mm:ss yyyy",
                CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : DateTimeOffset.MinValue;
            return new CibChange(when, reader.GetAttribute("update-user"), reader.GetAttribute("update-client"), reader.GetAttribute("update-origin"));
        }
        catch (XmlException)
        {
            return null;
        }
    }
}
