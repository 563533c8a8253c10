using System.Xml.Linq;
using HaCluster.Core.Status;
using HaCluster.Daemon.Cib;

namespace HaCluster.Daemon.Controller;

/// <summary>
/// The CIB picture `hacrm status` lays out: the DC's last scheduler input (configuration and status
/// section), with this node's own configuration in it when this node already holds a newer one.
/// Without that, `hacrm node standby node2` followed at once by `hacrm status` on another node
/// would show node2 still online until the DC's next scheduler run reached that node.
/// </summary>
public sealed class StatusPicture
{
    private readonly object gate = new();
    private (string Picture, CibVersion Local, string Xml)? last;

    /// <summary>
    /// <paramref name="picture"/> as is when it is at least as new as <paramref name="local"/>;
    /// else the same picture with <paramref name="localXml"/>'s configuration and version.
    /// Remembers the last answer, as the same pair is asked for on every status request.
    /// </summary>
    public string? Current(string? picture, CibVersion local, Func<byte[]> localXml)
    {
        if (picture is null) return null;
        lock (gate)
        {
            if (last is { } l && ReferenceEquals(l.Picture, picture) && l.Local == local) return l.Xml;
        }
        var xml = Merge(picture, local, localXml);
        lock (gate) last = (picture, local, xml);
        return xml;
    }

    private static string Merge(string picture, CibVersion local, Func<byte[]> localXml)
    {
        try
        {
            var cib = XElement.Parse(picture);
            // (A picture without a version counts as 0.0.0.)
            if ((CibStore.VersionOf(cib) ?? default) >= local) return picture;
            var configuration = XElement.Parse(System.Text.Encoding.UTF8.GetString(localXml())).Element("configuration");
            if (configuration is null) return picture;
            cib.Element("configuration")?.Remove();
            cib.AddFirst(configuration);
            cib.SetAttributeValue("admin_epoch", local.AdminEpoch);
            cib.SetAttributeValue("epoch", local.Epoch);
            cib.SetAttributeValue("num_updates", local.NumUpdates);
            return cib.ToString();
        }
        catch (System.Xml.XmlException)
        {
            return picture; // the picture the DC sent is shown as it came; its reader reports the problem
        }
    }
}
