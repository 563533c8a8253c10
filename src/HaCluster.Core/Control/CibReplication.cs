using HaCluster.Core.Membership;
using HaCluster.Core.Status;

namespace HaCluster.Core.Control;

/// <summary>
/// This node's CIB and its replication (the rules are <see cref="CibSync"/>'s): the member holding
/// the newest copy sends it to members advertising an older one, again after
/// <see cref="ResendAfter"/> if they still do; a copy received is adopted only when it is newer
/// and parses as a CIB of the version it claims. Every new copy goes to the disk (<see cref="StoreCib"/>)
/// before anything else; the host advertises its version in heartbeats only then.
/// <para>As Pacemaker's CIB does, a member that holds a recent version gets only the change
/// (<see cref="CibPatch"/>): this node keeps its last few copies in memory to diff against. A
/// patch that does not fit the receiver's copy makes it ask for a whole one (a full resync).</para>
/// </summary>
internal sealed class CibReplication(ControllerContext context, CibVersion version, byte[] xml)
{
    public static readonly TimeSpan ResendAfter = TimeSpan.FromSeconds(5);

    /// <summary>How many recent copies are kept to diff against, and their bound in bytes.</summary>
    public const int RecentCopies = 8;
    public const long RecentBytes = 64L << 20;

    private readonly Dictionary<int, (CibVersion Version, TimeSpan At, long ViewEpoch)> sent = new();
    private readonly LinkedList<(CibVersion Version, byte[] Xml)> recent = new([(version, xml)]);
    private readonly Dictionary<CibVersion, CibPatch?> patches = new();
    private readonly HashSet<int> wantWholeCopy = new();

    public CibVersion Version { get; private set; } = version;
    public byte[] Xml { get; private set; } = xml;

    /// <summary>A new copy: stored, then in force (the caller loads its configuration).</summary>
    public void Replace(CibVersion newVersion, byte[] newXml)
    {
        context.Emit(new StoreCib(newVersion, newXml));
        Version = newVersion;
        Xml = newXml;
        Remember(newVersion, newXml);
    }

    private void Remember(CibVersion newVersion, byte[] newXml)
    {
        patches.Clear();
        recent.AddFirst((newVersion, newXml));
        while (recent.Count > RecentCopies || (recent.Count > 1 && recent.Sum(r => (long)r.Xml.Length) > RecentBytes)) recent.RemoveLast();
    }

    /// <summary>The patch from a recent copy of <paramref name="theirs"/> to this node's, if one is kept and the patch is worth it.</summary>
    private CibPatch? PatchFrom(CibVersion theirs)
    {
        if (patches.TryGetValue(theirs, out var known)) return known;
        var source = recent.FirstOrDefault(r => r.Version == theirs);
        var patch = source.Xml is null ? null : CibPatch.Between(theirs, source.Xml, Version, Xml);
        patches[theirs] = patch;
        return patch;
    }

    /// <summary>Sends this node's copy to every member that advertises an older one (not more often than <see cref="ResendAfter"/> within one view).</summary>
    public void Push()
    {
        var now = context.Now.Elapsed;
        foreach (var peer in CibSync.Recipients(context.SelfId, Version, context.View, context.PeerVersions))
        {
            // Again at once in a new view: a peer that restarted meanwhile lost what it was sent
            // (and held back until the resend, a commit only this node held died with it:
            // simulator, two nodes, seed 1400845).
            if (sent.TryGetValue(peer, out var last) && last.Version == Version && last.ViewEpoch == context.View.Epoch && now - last.At < ResendAfter) continue;
            var theirs = context.PeerVersions[peer];
            sent[peer] = (Version, now, context.View.Epoch);
            if (!wantWholeCopy.Remove(peer) && PatchFrom(theirs) is { } patch)
            {
                context.Send(peer, new CibPatchMessage(patch));
                context.Info($"CIB {Version}: the change from {theirs} ({patch.Hunks.Length} hunk(s), {patch.Hunks.Sum(h => h.Inserted.Length)} line(s)) sent to {context.Name(peer)}");
                continue;
            }
            context.Send(peer, new CibCopyMessage(Version, Xml));
            context.Info($"CIB {Version} ({Xml.Length} bytes) sent to {context.Name(peer)}, which has {theirs}");
        }
    }

    /// <summary>A patch from this node did not fit <paramref name="from"/>'s copy: it gets a whole one now.</summary>
    public void WholeCopyWanted(int from, CibVersion have)
    {
        context.Info($"{context.Name(from)} has CIB {have}, which a patch did not fit: a whole copy follows");
        wantWholeCopy.Add(from);
        sent.Remove(from);
        Push();
    }

    /// <summary>A patch from a peer: applied when it is newer and fits this node's copy exactly; else a whole copy is asked for. True when adopted.</summary>
    public bool AdoptPatch(int from, CibPatch patch)
    {
        if (!(patch.Version > Version)) return false;
        var xml = patch.BaseVersion == Version ? patch.ApplyTo(Xml) : null;
        if (xml is null || CibDocument.ParseVersion(xml) != patch.Version)
        {
            if (patch.BaseVersion == Version) context.Warn($"CIB patch {patch.BaseVersion} -> {patch.Version} from {context.Name(from)} does not give the copy it promises: asking for a whole copy");
            else context.Info($"CIB patch {patch.BaseVersion} -> {patch.Version} from {context.Name(from)} is for another base (this node has {Version}): asking for a whole copy");
            context.Send(from, new CibCopyWantedMessage(Version));
            return false;
        }
        Replace(patch.Version, xml);
        context.Info($"CIB {patch.Version} ({xml.Length} bytes) made from {patch.BaseVersion} and a patch from {context.Name(from)}, and stored");
        return true;
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
