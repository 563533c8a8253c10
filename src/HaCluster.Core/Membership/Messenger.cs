using System.Buffers.Binary;

namespace HaCluster.Core.Membership;

/// <summary>Where the messenger's frames go: the engine wraps them in authenticated packets.</summary>
public interface IFrameSink
{
    void SendFrame(MessageType type, int destination, ReadOnlySpan<byte> frame);
}

/// <summary>
/// Reliable, ordered messages between nodes on top of datagrams (for CIB synchronisation and
/// actions): each message is cut into fragments numbered in one sequence per (sender,
/// destination) stream; the receiver delivers fragments in order, reassembles messages and
/// acknowledges cumulatively; the sender keeps a window of unacknowledged fragments and resends
/// them when no acknowledgement has advanced for a retransmission timeout. Pure: time is an
/// argument, frames leave through an <see cref="IFrameSink"/>.
/// </summary>
public sealed class Messenger(int window = 256, TimeSpan? retransmitAfter = null)
{
    /// <summary>Frame header: destination (u16), fragment sequence (i64), flags (u8: 1 = last fragment of a message).</summary>
    public const int FrameHeader = 2 + 8 + 1;
    public const int FragmentSize = Packet.MaxPayload - FrameHeader;
    private const byte LastFragment = 1;

    private readonly TimeSpan rto = retransmitAfter ?? TimeSpan.FromMilliseconds(150);
    private readonly Dictionary<int, Outbound> outbound = new();
    private readonly Dictionary<int, Inbound> inbound = new();
    private readonly Queue<(int From, byte[] Message)> delivered = new();

    public long Retransmissions { get; private set; }

    /// <summary>Queues a message for <paramref name="destination"/>; it is sent on the next <see cref="Tick"/>.</summary>
    public void Send(int destination, ReadOnlySpan<byte> message)
    {
        var o = OutboundTo(destination);
        var offset = 0;
        do
        {
            var n = Math.Min(FragmentSize, message.Length - offset);
            o.Pending.Enqueue(new Fragment(++o.LastQueued, message.Slice(offset, n).ToArray(), offset + n == message.Length));
            offset += n;
        }
        while (offset < message.Length);
    }

    /// <summary>Bytes and fragments not yet acknowledged by <paramref name="destination"/>.</summary>
    public int Unacknowledged(int destination) => outbound.TryGetValue(destination, out var o) ? o.InFlight.Count + o.Pending.Count : 0;

    /// <summary>Messages received complete and in order, oldest first.</summary>
    public bool TryTake(out int from, out byte[] message)
    {
        if (delivered.TryDequeue(out var m))
        {
            (from, message) = m;
            return true;
        }
        (from, message) = (0, []);
        return false;
    }

    /// <summary>Forgets both streams with a peer (it died or restarted): unsent messages to it are dropped.</summary>
    public void Reset(int peer)
    {
        outbound.Remove(peer);
        inbound.Remove(peer);
    }

    /// <summary>When <see cref="Tick"/> next has something to do (a retransmission), or null when nothing is in flight.</summary>
    public TimeSpan? NextDue(TimeSpan now)
    {
        TimeSpan? due = null;
        foreach (var o in outbound.Values)
        {
            if (o.Pending.Count > 0) return now;
            if (o.InFlight.Count > 0 && (due is null || o.LastProgress + rto < due)) due = o.LastProgress + rto;
        }
        foreach (var i in inbound.Values) if (i.AckDue) return now;
        return due;
    }

    public void Tick(TimeSpan now, IFrameSink sink)
    {
        foreach (var (dest, o) in outbound)
        {
            // Resend the window when acknowledgements stopped advancing.
            if (o.InFlight.Count > 0 && now - o.LastProgress >= rto)
            {
                foreach (var f in o.InFlight) Emit(sink, dest, f);
                Retransmissions += o.InFlight.Count;
                o.LastProgress = now;
            }
            while (o.InFlight.Count < window && o.Pending.TryDequeue(out var next))
            {
                if (o.InFlight.Count == 0) o.LastProgress = now;
                o.InFlight.Add(next);
                Emit(sink, dest, next);
            }
        }
        Span<byte> ack = stackalloc byte[10];
        foreach (var (from, i) in inbound)
        {
            if (!i.AckDue) continue;
            BinaryPrimitives.WriteUInt16BigEndian(ack, (ushort)from);
            BinaryPrimitives.WriteInt64BigEndian(ack[2..], i.Expected - 1);
            sink.SendFrame(MessageType.Ack, from, ack);
            i.AckDue = false;
        }
    }

    private static void Emit(IFrameSink sink, int destination, Fragment f)
    {
        Span<byte> frame = stackalloc byte[FrameHeader + f.Data.Length];
        BinaryPrimitives.WriteUInt16BigEndian(frame, (ushort)destination);
        BinaryPrimitives.WriteInt64BigEndian(frame[2..], f.Sequence);
        frame[10] = f.Last ? LastFragment : (byte)0;
        f.Data.CopyTo(frame[FrameHeader..]);
        sink.SendFrame(MessageType.Data, destination, frame);
    }

    /// <summary>A data frame from <paramref name="from"/>; false when it is malformed or not for <paramref name="self"/>.</summary>
    public bool OnData(int self, int from, ReadOnlySpan<byte> frame)
    {
        if (frame.Length < FrameHeader || BinaryPrimitives.ReadUInt16BigEndian(frame) != self || frame[10] > LastFragment) return false;
        var seq = BinaryPrimitives.ReadInt64BigEndian(frame[2..]);
        if (seq <= 0) return false;
        var i = InboundFrom(from);
        i.AckDue = true; // also re-acknowledge duplicates: the earlier ack may have been lost
        if (seq < i.Expected || seq >= i.Expected + window || i.Buffered.ContainsKey(seq)) return true;
        i.Buffered[seq] = new Fragment(seq, frame[FrameHeader..].ToArray(), frame[10] == LastFragment);
        while (i.Buffered.Remove(i.Expected, out var next))
        {
            i.Expected++;
            i.Assembly.Write(next.Data);
            if (!next.Last) continue;
            delivered.Enqueue((from, i.Assembly.ToArray()));
            i.Assembly.SetLength(0);
        }
        return true;
    }

    /// <summary>An acknowledgement from <paramref name="from"/>; false when malformed.</summary>
    public bool OnAck(int self, int from, TimeSpan now, ReadOnlySpan<byte> frame)
    {
        if (frame.Length != 10 || BinaryPrimitives.ReadUInt16BigEndian(frame) != self) return false;
        var upTo = BinaryPrimitives.ReadInt64BigEndian(frame[2..]);
        if (!outbound.TryGetValue(from, out var o)) return true;
        var removed = o.InFlight.RemoveAll(f => f.Sequence <= upTo);
        if (removed > 0) o.LastProgress = now;
        return true;
    }

    private Outbound OutboundTo(int peer) => outbound.TryGetValue(peer, out var o) ? o : outbound[peer] = new Outbound();
    private Inbound InboundFrom(int peer) => inbound.TryGetValue(peer, out var i) ? i : inbound[peer] = new Inbound();

    private sealed record Fragment(long Sequence, byte[] Data, bool Last);

    private sealed class Outbound
    {
        public long LastQueued;
        public readonly Queue<Fragment> Pending = new();
        public readonly List<Fragment> InFlight = new();
        public TimeSpan LastProgress;
    }

    private sealed class Inbound
    {
        public long Expected = 1;
        public readonly Dictionary<long, Fragment> Buffered = new();
        public readonly MemoryStream Assembly = new();
        public bool AckDue;
    }
}
