using System.Xml;
using System.Xml.Linq;

namespace HaCluster.Core.Status;

/// <summary>The version attributes of a CIB document (admin_epoch, epoch, num_updates), read and written.</summary>
public static class CibDocument
{
    /// <summary>A &lt;cib&gt; element's version; null when one attribute is missing.</summary>
    public static CibVersion? VersionOf(XElement cib) =>
        long.TryParse((string?)cib.Attribute("admin_epoch"), out var a) &&
        long.TryParse((string?)cib.Attribute("epoch"), out var e) &&
        long.TryParse((string?)cib.Attribute("num_updates"), out var n)
            ? new CibVersion(a, e, n)
            : null;

    /// <summary>The version of a CIB document, or null when it is not one (or not XML at all).</summary>
    public static CibVersion? ParseVersion(byte[] xml)
    {
        try
        {
            using var reader = XmlReader.Create(new MemoryStream(xml), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit });
            var root = XDocument.Load(reader).Root;
            return root?.Name.LocalName == "cib" ? VersionOf(root) : null;
        }
        catch (XmlException)
        {
            return null;
        }
    }

    /// <summary>A CIB with nothing configured, at version <paramref name="v"/>.</summary>
    public static byte[] Empty(CibVersion v) => System.Text.Encoding.UTF8.GetBytes(
        $"<cib admin_epoch=\"{v.AdminEpoch}\" epoch=\"{v.Epoch}\" num_updates=\"{v.NumUpdates}\" validate-with=\"pacemaker-3.0\">" +
        "<configuration><crm_config/><nodes/><resources/><constraints/></configuration><status/></cib>");
}
