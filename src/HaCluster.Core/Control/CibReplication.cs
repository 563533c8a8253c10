using HaCluster.Core.Membership;
using HaCluster.Core.Status;

namespace HaCluster.Core.Control;

/// <summary>
/// This node's CIB and its replication (the rules are <see cref="CibSync"/>'s): the member holding
/// the newest copy sends it to members advertising an older one, again after
/// <see cref="ResendAfter"/> if they still do; a copy received is adopted only when it is newer
/// and parses as a CIB of the version it claims. Every new copy goes to the disk (<see cref="StoreCib"/>)
/// before anything else; the host advertises its version in heartbeats only then.
/// </summary>
internal sealed class CibReplication(ControllerContext context, CibVersion version, byte[] xml)
{
    public static readonly TimeSpan ResendAfter = TimeSpan.FromSeconds(5);

    private readonly Dictionary<int, (CibVersion Version, TimeSpan At)> sent = new();

    public CibVersion Version { get; private set; } = version;
    public byte[] Xml { get; private set; } = xml;

    /// <summary>A new copy: stored, then in force (the caller loads its configuration).</summary>
    public void Replace(CibVersion newVersion, byte[] newXml)
    {
        context.Emit(new StoreCib(newVersion, newXml));
        Version = newVersion;
        Xml = newXml;
    }

    /// <summary>Sends this node's copy to every member that advertises an older one (not more often than <see cref="ResendAfter"/>).</summary>
    public void Push()
    {
        var now = context.Now.Elapsed;
        foreach (var peer in CibSync.Recipients(context.SelfId, Version, context.View, context.PeerVersions))
        {
            if (sent.TryGetValue(peer, out var last) && last.Version == Version && now - last.At < ResendAfter) continue;
            context.Send(peer, new CibCopyMessage(Version, Xml));
            sent[peer] = (Version, now);
            context.Info($"CIB {Version} ({Xml.Length} bytes) sent to {context.Name(peer)}, which has {context.PeerVersions[peer]}");
        }
    }

    /// <summary>A copy from a peer: adopted when newer and sound. True when it was.</summary>
    public bool Adopt(int from, CibCopyMessage copy)
    {
        if (!(copy.Version > Version)) return false;
        if (CibDocument.ParseVersion(copy.Xml) != copy.Version)
        {
            context.Warn($"CIB copy from {context.Name(from)} refused: it does not parse as a CIB of version {copy.Version}");
            return false;
        }
        Replace(copy.Version, copy.Xml);
        context.Info($"CIB {copy.Version} ({copy.Xml.Length} bytes) received from {context.Name(from)} and stored");
        return true;
    }
}
