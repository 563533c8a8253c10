using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace HaCluster.Core.Membership;

public enum MessageType : byte
{
    Heartbeat = 1,
    Data = 2,
    Ack = 3,
}

/// <summary>Why a received packet was dropped; counted per reason and shown in the status.</summary>
public enum DropReason
{
    Truncated,
    BadMagic,
    BadVersion,
    OtherCluster,
    BadLength,
    Forged,
    UnknownNode,
    WrongRing,
    Replayed,
    Malformed,
    /// <summary>Claims to be this node but is not its own multicast looped back (another node configured with our id, or our packets replayed).</summary>
    FromSelf,
    /// <summary>Authenticated, but sent from an address that is not the sender's on that ring.</summary>
    WrongAddress,
    /// <summary>
    /// Authenticated, but not yet shown to be fresh: from a peer (or a new incarnation of one)
    /// whose heartbeats have not yet echoed this node's incarnation. A few at every join are normal.
    /// </summary>
    Unconfirmed,
}

/// <summary>The authenticated header of a packet.</summary>
/// <param name="Incarnation">Chosen anew at every start of the sender (its start time in µs): a restart is a new incarnation.</param>
/// <param name="Sequence">Per sender, incarnation and ring, from 1; the replay window is kept per (sender, ring).</param>
public readonly record struct PacketHeader(MessageType Type, byte Ring, uint ClusterHash, int Sender, long Incarnation, long Sequence, int PayloadLength);

/// <summary>
/// The wire format: a fixed header (magic "HACL", version, type, ring, cluster-name hash,
/// sender id, incarnation, sequence, payload length), the payload, and an HMAC-SHA256 over both
/// with the cluster key. Decoding never throws and allocates nothing: it validates in a cheap
/// order (length, magic, version, cluster, length field, then the HMAC) and says why it dropped.
/// </summary>
public static class Packet
{
    public const uint Magic = 0x4841434C; // "HACL"
    /// <summary>2: heartbeats echo the incarnations the sender has heard (the freshness handshake).</summary>
    public const byte Version = 2;
    public const int HeaderLength = 4 + 1 + 1 + 1 + 1 + 4 + 4 + 8 + 8 + 4; // 36
    public const int MacLength = 32;
    /// <summary>Largest datagram we send: fits a 1500-byte Ethernet MTU over IPv6/UDP.</summary>
    public const int MaxDatagram = 1400;
    public const int MaxPayload = MaxDatagram - HeaderLength - MacLength;

    public static uint ClusterHash(string clusterName) =>
        BinaryPrimitives.ReadUInt32BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes(clusterName)));

    /// <summary>Writes header + payload + MAC into <paramref name="destination"/>; returns the length.</summary>
    public static int Encode(in PacketHeader header, ReadOnlySpan<byte> payload, ReadOnlySpan<byte> key, Span<byte> destination)
    {
        var total = HeaderLength + payload.Length + MacLength;
        if (payload.Length > MaxPayload) throw new ArgumentException($"payload of {payload.Length} bytes exceeds {MaxPayload}");
        if (destination.Length < total) throw new ArgumentException("destination too small");
        var d = destination;
        BinaryPrimitives.WriteUInt32BigEndian(d, Magic);
        d[4] = Version;
        d[5] = (byte)header.Type;
        d[6] = header.Ring;
        d[7] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(d[8..], header.ClusterHash);
        BinaryPrimitives.WriteInt32BigEndian(d[12..], header.Sender);
        BinaryPrimitives.WriteInt64BigEndian(d[16..], header.Incarnation);
        BinaryPrimitives.WriteInt64BigEndian(d[24..], header.Sequence);
        BinaryPrimitives.WriteInt32BigEndian(d[32..], payload.Length);
        payload.CopyTo(d[HeaderLength..]);
        HMACSHA256.HashData(key, d[..(HeaderLength + payload.Length)], d.Slice(HeaderLength + payload.Length, MacLength));
        return total;
    }

    /// <summary>
    /// Checks and splits a datagram. On success, <paramref name="header"/> and the payload's
    /// offset are set; otherwise <paramref name="reason"/> says why it must be dropped. Sender
    /// identity and replay are the receiver's to check (they need its state).
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> datagram, uint clusterHash, ReadOnlySpan<byte> key, out PacketHeader header, out DropReason reason)
    {
        header = default;
        reason = default;
        if (datagram.Length < HeaderLength + MacLength) { reason = DropReason.Truncated; return false; }
        if (BinaryPrimitives.ReadUInt32BigEndian(datagram) != Magic) { reason = DropReason.BadMagic; return false; }
        if (datagram[4] != Version) { reason = DropReason.BadVersion; return false; }
        var hash = BinaryPrimitives.ReadUInt32BigEndian(datagram[8..]);
        if (hash != clusterHash) { reason = DropReason.OtherCluster; return false; }
        var length = BinaryPrimitives.ReadInt32BigEndian(datagram[32..]);
        if (length < 0 || length > MaxPayload || HeaderLength + length + MacLength != datagram.Length) { reason = DropReason.BadLength; return false; }
        Span<byte> mac = stackalloc byte[MacLength];
        HMACSHA256.HashData(key, datagram[..(HeaderLength + length)], mac);
        if (!CryptographicOperations.FixedTimeEquals(mac, datagram.Slice(HeaderLength + length, MacLength))) { reason = DropReason.Forged; return false; }
        var type = (MessageType)datagram[5];
        if (type is not (MessageType.Heartbeat or MessageType.Data or MessageType.Ack)) { reason = DropReason.Malformed; return false; }
        header = new PacketHeader(type, datagram[6], hash,
            BinaryPrimitives.ReadInt32BigEndian(datagram[12..]),
            BinaryPrimitives.ReadInt64BigEndian(datagram[16..]),
            BinaryPrimitives.ReadInt64BigEndian(datagram[24..]),
            length);
        return true;
    }

    public static ReadOnlySpan<byte> Payload(ReadOnlySpan<byte> datagram, in PacketHeader header) => datagram.Slice(HeaderLength, header.PayloadLength);
}
