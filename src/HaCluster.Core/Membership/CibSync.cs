using System.Buffers.Binary;
using HaCluster.Core.Status;

namespace HaCluster.Core.Membership;

/// <summary>
/// How the CIB is replicated when views change: every node advertises its CIB version
/// (admin_epoch, epoch, num_updates) in its heartbeats; in an agreed view, the member holding
/// the highest version (the lowest id among equals) sends its copy to every member advertising
/// a lower one, over the reliable channel. A node adopts a received copy only if it is newer
/// than its own. Pure decisions; the daemon does the sending and storing.
/// </summary>
public static class CibSync
{
    /// <summary>Message kind byte for a full CIB copy (the first byte of a reliable message).</summary>
    public const byte FullCopy = 1;

    /// <summary>The members that should receive this node's CIB now (empty unless this node holds the newest).</summary>
    public static IReadOnlyList<int> Recipients(int self, CibVersion mine, MembershipView view, IReadOnlyDictionary<int, CibVersion> advertised)
    {
        if (!view.Agreed) return [];
        foreach (var m in view.Members)
        {
            if (m == self || !advertised.TryGetValue(m, out var theirs)) continue;
            if (theirs > mine || (theirs == mine && m < self)) return []; // someone else is the source
        }
        return view.Members.Where(m => m != self && advertised.TryGetValue(m, out var v) && v < mine).ToList();
    }

    /// <summary>kind (1) | admin_epoch, epoch, num_updates (3 x i64) | the CIB XML (UTF-8).</summary>
    public static byte[] Encode(CibVersion version, ReadOnlySpan<byte> xml)
    {
        var message = new byte[1 + 24 + xml.Length];
        message[0] = FullCopy;
        BinaryPrimitives.WriteInt64BigEndian(message.AsSpan(1), version.AdminEpoch);
        BinaryPrimitives.WriteInt64BigEndian(message.AsSpan(9), version.Epoch);
        BinaryPrimitives.WriteInt64BigEndian(message.AsSpan(17), version.NumUpdates);
        xml.CopyTo(message.AsSpan(25));
        return message;
    }

    public static bool TryDecode(byte[] message, out CibVersion version, out ReadOnlyMemory<byte> xml)
    {
        version = default;
        xml = default;
        if (message.Length < 25 || message[0] != FullCopy) return false;
        version = new CibVersion(BinaryPrimitives.ReadInt64BigEndian(message.AsSpan(1)), BinaryPrimitives.ReadInt64BigEndian(message.AsSpan(9)), BinaryPrimitives.ReadInt64BigEndian(message.AsSpan(17)));
        xml = message.AsMemory(25);
        return true;
    }
}
