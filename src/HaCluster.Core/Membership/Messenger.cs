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
/// <para>Streams have sessions. When one side forgets a stream (it declared the peer dead, while
/// the peer, on the far side of a one-way partition, did not), the two would otherwise never
/// agree on sequence numbers again: the receiver ignored the sender's numbers as out of window,
/// the sender took the receiver's acknowledgements of its restarted numbers as duplicates and
/// dropped its messages (found by the simulator: the DC never got a member's report again). Now
/// a receiver with no stream from a sender asks it to start a new session (an acknowledgement of
/// -1), and the sender resends every message not yet acknowledged, whole, from sequence 1;
/// a sender that forgets a stream starts a higher session, which the receiver adopts.</para>
/// </summary>
public sealed class Messenger(int window = 256, TimeSpan? retransmitAfter = null)
{
    /// <summary>Frame header: destination (u16), session (i64), fragment sequence (i64), flags (u8: 1 = last fragment of a message).</summary>
    public const int FrameHeader = 2 + 8 + 8 + 1;
    public const int FragmentSize = Packet.MaxPayload - FrameHeader;
    private const byte LastFragment = 1;
    /// <summary>Acknowledgement: destination (u16), session (i64), highest sequence received in order (i64; -1 asks for a new session).</summary>
    private const int AckLength = 2 + 8 + 8;
    private const long NewSessionPlease = -1;

    private readonly TimeSpan rto = retransmitAfter ?? TimeSpan.FromMilliseconds(150);
    private readonly Dictionary<int, Outbound> outbound = new();
    private readonly Dictionary<int, Inbound> inbound = new();
    /// <summary>The last session used towards each peer (kept across resets, so a new stream's session is always higher).</summary>
    private readonly Dictionary<int, long> lastSession = new();
    /// <summary>Peers asked to start a new session, with the session they were in: any higher one is theirs to adopt.</summary>
    private readonly Dictionary<int, long> askedNewSession = new();
    /// <summary>The session of a peer's stream this node forgot (it declared the peer dead): frames of it or older are not to be trusted.</summary>
    private readonly Dictionary<int, long> forgotten = new();
    private readonly Queue<(int From, byte[] Message)> delivered = new();

    public long Retransmissions { get; private set; }

    /// <summary>Streams restarted at a receiver's request.</summary>
    public long SessionRestarts { get; private set; }

    /// <summary>Queues a message for <paramref name="destination"/> (any size: it is fragmented).</summary>
    public void Send(int destination, ReadOnlySpan<byte> message)
    {
        var o = OutboundTo(destination);
        var copy = message.ToArray();
        o.Messages.Add(new OutboundMessage(copy) { LastSequence = Cut(o, copy) });
    }

    /// <summary>Cuts <paramref name="message"/> into the stream's next fragments; returns the last one's sequence.</summary>
    private static long Cut(Outbound o, byte[] message)
    {
        var offset = 0;
        do
        {
            var n = Math.Min(FragmentSize, message.Length - offset);
            o.Pending.Enqueue(new Fragment(++o.LastQueued, message.AsSpan(offset, n).ToArray(), offset + n == message.Length));
            offset += n;
        }
        while (offset < message.Length);
        return o.LastQueued;
    }

    /// <summary>Fragments queued or in flight to a peer.</summary>
    public int Unacknowledged(int destination) => outbound.TryGetValue(destination, out var o) ? o.InFlight.Count + o.Pending.Count : 0;

    /// <summary>The next message received complete and in order, if any.</summary>
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

    /// <summary>
    /// Forgets both streams with a peer. <paramref name="restarted"/>: the peer is a new process
    /// (its sessions start again from 1), and what was queued for its old self is dropped. Else it
    /// was declared dead and may never have noticed (a one-way cut): frames of the session
    /// forgotten are answered with a request for a new one, and what was not acknowledged yet is
    /// resent whole in a new session, should it be heard again (dropped, a member's action result
    /// was lost and its DC waited for it forever: simulator, seed 511299 of a long run).
    /// </summary>
    public void Reset(int peer, bool restarted = true)
    {
        if (!restarted && outbound.TryGetValue(peer, out var unacknowledged) && unacknowledged.Messages.Count > 0)
            Restart(peer, unacknowledged, unacknowledged.LastProgress);
        else outbound.Remove(peer);
        if (inbound.Remove(peer, out var i) && !restarted) forgotten[peer] = Math.Max(i.Session, forgotten.GetValueOrDefault(peer));
        if (restarted) forgotten.Remove(peer);
        askedNewSession.Remove(peer);
    }

    /// <summary>When <see cref="Tick"/> next has work: now if anything is queued or owed, else the next retransmission.</summary>
    public TimeSpan? NextDue(TimeSpan now)
    {
        TimeSpan? due = null;
        foreach (var o in outbound.Values)
        {
            if (o.Pending.Count > 0) return now;
            if (o.InFlight.Count > 0 && (due is null || o.LastProgress + rto < due)) due = o.LastProgress + rto;
        }
        foreach (var i in inbound.Values) if (i.AckDue) return now;
        foreach (var asked in askedNewSession.Values) if (asked > 0) return now;
        return due;
    }

    public void Tick(TimeSpan now, IFrameSink sink)
    {
        foreach (var (dest, o) in outbound)
        {
            // Resend the window when acknowledgements stopped advancing.
            if (o.InFlight.Count > 0 && now - o.LastProgress >= rto)
            {
                foreach (var f in o.InFlight) Emit(sink, dest, o.Session, f);
                Retransmissions += o.InFlight.Count;
                o.LastProgress = now;
            }
            while (o.InFlight.Count < window && o.Pending.TryDequeue(out var next))
            {
                if (o.InFlight.Count == 0) o.LastProgress = now;
                o.InFlight.Add(next);
                Emit(sink, dest, o.Session, next);
            }
        }
        Span<byte> ack = stackalloc byte[AckLength];
        foreach (var (from, i) in inbound)
        {
            if (!i.AckDue) continue;
            WriteAck(ack, from, i.Session, i.Expected - 1);
            sink.SendFrame(MessageType.Ack, from, ack);
            i.AckDue = false;
        }
        foreach (var (from, session) in askedNewSession)
        {
            // Sent once per frame that found no stream (the session is negated once asked, and
            // kept: frames of any higher session start the new stream).
            if (session <= 0) continue;
            WriteAck(ack, from, session, NewSessionPlease);
            sink.SendFrame(MessageType.Ack, from, ack);
            askedNewSession[from] = -session;
        }
    }

    private static void WriteAck(Span<byte> ack, int to, long session, long upTo)
    {
        BinaryPrimitives.WriteUInt16BigEndian(ack, (ushort)to);
        BinaryPrimitives.WriteInt64BigEndian(ack[2..], session);
        BinaryPrimitives.WriteInt64BigEndian(ack[10..], upTo);
    }

    private static void Emit(IFrameSink sink, int destination, long session, Fragment f)
    {
        Span<byte> frame = stackalloc byte[FrameHeader + f.Data.Length];
        BinaryPrimitives.WriteUInt16BigEndian(frame, (ushort)destination);
        BinaryPrimitives.WriteInt64BigEndian(frame[2..], session);
        BinaryPrimitives.WriteInt64BigEndian(frame[10..], f.Sequence);
        frame[18] = f.Last ? LastFragment : (byte)0;
        f.Data.CopyTo(frame[FrameHeader..]);
        sink.SendFrame(MessageType.Data, destination, frame);
    }

    /// <summary>A data frame from <paramref name="from"/>; false when it is malformed.</summary>
    public bool OnData(int self, int from, ReadOnlySpan<byte> frame)
    {
        if (frame.Length < FrameHeader || BinaryPrimitives.ReadUInt16BigEndian(frame) != self || frame[18] > LastFragment) return false;
        var session = BinaryPrimitives.ReadInt64BigEndian(frame[2..]);
        var seq = BinaryPrimitives.ReadInt64BigEndian(frame[10..]);
        if (seq <= 0 || session <= 0) return false;
        if (!inbound.TryGetValue(from, out var i) || session > i.Session)
        {
            // A stream this node has no state for: a new one (a higher session: its frames may
            // come in any order), or one it forgot, which the sender must restart.
            var asked = askedNewSession.TryGetValue(from, out var a) ? Math.Abs(a) : 0;
            var fresh = i is not null || session > Math.Max(asked, forgotten.GetValueOrDefault(from));
            if (!fresh)
            {
                // Asked again for every such frame (the sender's retransmissions pace it): the
                // request itself may be lost.
                askedNewSession[from] = session;
                return true;
            }
            inbound[from] = i = new Inbound { Session = session };
            askedNewSession.Remove(from);
        }
        else if (session < i.Session) return true; // a late frame of a replaced session
        i.AckDue = true; // also re-acknowledge duplicates: the earlier ack may have been lost
        if (seq < i.Expected || seq >= i.Expected + window || i.Buffered.ContainsKey(seq)) return true;
        i.Buffered[seq] = new Fragment(seq, frame[FrameHeader..].ToArray(), frame[18] == LastFragment);
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

    /// <summary>An acknowledgement from <paramref name="from"/>; false when it is malformed.</summary>
    public bool OnAck(int self, int from, TimeSpan now, ReadOnlySpan<byte> frame)
    {
        if (frame.Length != AckLength || BinaryPrimitives.ReadUInt16BigEndian(frame) != self) return false;
        var session = BinaryPrimitives.ReadInt64BigEndian(frame[2..]);
        var upTo = BinaryPrimitives.ReadInt64BigEndian(frame[10..]);
        if (!outbound.TryGetValue(from, out var o) || session != o.Session) return true;
        if (upTo == NewSessionPlease)
        {
            Restart(from, o, now);
            return true;
        }
        var removed = o.InFlight.RemoveAll(f => f.Sequence <= upTo);
        o.Messages.RemoveAll(m => m.LastSequence <= upTo);
        if (removed > 0) o.LastProgress = now;
        return true;
    }

    /// <summary>The receiver lost this stream: a new session resends every message it has not acknowledged, whole.</summary>
    private void Restart(int peer, Outbound old, TimeSpan now)
    {
        var o = new Outbound { Session = NextSession(peer), LastProgress = now };
        foreach (var m in old.Messages)
            o.Messages.Add(m with { LastSequence = Cut(o, m.Data) });
        outbound[peer] = o;
        SessionRestarts++;
    }

    private long NextSession(int peer) => lastSession[peer] = (lastSession.TryGetValue(peer, out var s) ? s : 0) + 1;

    private Outbound OutboundTo(int peer) => outbound.TryGetValue(peer, out var o) ? o : outbound[peer] = new Outbound { Session = NextSession(peer) };

    private sealed record Fragment(long Sequence, byte[] Data, bool Last);

    private sealed record OutboundMessage(byte[] Data)
    {
        public long LastSequence { get; init; }
    }

    private sealed class Outbound
    {
        public long Session;
        public long LastQueued;
        public readonly Queue<Fragment> Pending = new();
        public readonly List<Fragment> InFlight = new();
        /// <summary>Messages not yet acknowledged whole, oldest first (resent on a restart).</summary>
        public readonly List<OutboundMessage> Messages = new();
        public TimeSpan LastProgress;
    }

    private sealed class Inbound
    {
        public long Session;
        public long Expected = 1;
        public readonly Dictionary<long, Fragment> Buffered = new();
        public readonly MemoryStream Assembly = new();
        public bool AckDue;
    }
}
