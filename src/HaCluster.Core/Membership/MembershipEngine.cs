using System.Buffers.Binary;
using HaCluster.Core.Cib;
using HaCluster.Core.Status;

namespace HaCluster.Core.Membership;

/// <summary>
/// The membership state machine of one node: heartbeats, failure detection, views, DC election
/// and quorum. It is pure: time arrives as an argument, packets arrive as bytes and leave through
/// an <see cref="IPacketSink"/>, so a whole cluster can be simulated in one process with a
/// simulated clock and network.
/// <para>Rules. A peer is alive from its first authenticated heartbeat; suspected after
/// <c>warntime</c> without one on any ring; declared dead after <c>deadtime</c> (a ring that has
/// not carried a live peer's heartbeat for deadtime is faulty, the peer is not dead). Each
/// heartbeat carries the sender's member set; a view is agreed when every member reports the
/// same set. The DC is the agreed member with the smallest (incarnation, id) — the one running
/// longest — so a node that restarts or joins never takes the role from a running DC, and all
/// members compute the same DC from the same facts (no extra election round).</para>
/// </summary>
public sealed class MembershipEngine
{
    private readonly ClusterBootstrap config;
    private readonly byte[] key;
    private readonly uint clusterHash;
    private readonly Peer[] peers;
    private readonly Dictionary<int, Peer> peersById = new();
    private readonly long[] sequences;
    private readonly long[] drops = new long[Enum.GetValues<DropReason>().Length];
    private readonly List<MembershipEvent> events = new();
    private readonly byte[] sendBuffer = new byte[Packet.MaxDatagram];
    private readonly TimeSpan started;
    private TimeSpan nextHeartbeat;
    private long epoch;
    private int[] members;
    private bool agreed;
    private bool settled;
    /// <summary>Our members changed since the last heartbeat: announce them with the next tick.</summary>
    private bool viewToAnnounce;
    private int? dc;
    private bool quorate;
    private bool seenAllTogether;
    private long heartbeatsSent;
    private readonly Messenger messenger = new();
    private readonly FrameAdapter frames;

    public int SelfId { get; }
    public long Incarnation { get; }
    /// <summary>The CIB version this node holds, advertised in heartbeats (admin_epoch, epoch, num_updates).</summary>
    public CibVersion CibVersion { get; set; }

    public MembershipEngine(ClusterBootstrap config, int selfId, ClusterKey key, long incarnation, TimeSpan now)
    {
        this.config = config;
        this.key = key.Bytes.ToArray();
        clusterHash = Packet.ClusterHash(config.ClusterName);
        SelfId = config.FindNode(selfId) is not null ? selfId : throw new ArgumentException($"node id {selfId} is not in the configuration");
        Incarnation = incarnation;
        started = now;
        nextHeartbeat = now;
        peers = config.Nodes.Where(n => n.Id != selfId).Select(n => new Peer(n, config.Rings.Count)).ToArray();
        foreach (var p in peers) peersById[p.Id] = p;
        sequences = new long[config.Rings.Count];
        members = [selfId];
        settled = peers.Length == 0;
        frames = new FrameAdapter(this);
        Evaluate(now);
    }

    /// <summary>Queues a reliable, ordered message for a peer (sent by the next <see cref="Tick"/> or <see cref="Flush"/>).</summary>
    public void SendMessage(int destination, ReadOnlySpan<byte> message)
    {
        if (!peersById.ContainsKey(destination)) throw new ArgumentException($"node {destination} is not a peer");
        messenger.Send(destination, message);
    }

    /// <summary>The next message received complete and in order, if any.</summary>
    public bool TryTakeMessage(out int from, out byte[] message) => messenger.TryTake(out from, out message);

    /// <summary>Fragments queued or in flight to a peer.</summary>
    public int Unacknowledged(int destination) => messenger.Unacknowledged(destination);

    public long Retransmissions => messenger.Retransmissions;

    public MembershipView View => new(epoch, members, agreed, settled, dc, quorate, members.Length, config.Quorum.ExpectedVotes);

    public IReadOnlyDictionary<DropReason, long> Drops =>
        Enum.GetValues<DropReason>().Where(r => drops[(int)r] > 0).ToDictionary(r => r, r => drops[(int)r]);

    public long HeartbeatsSent => heartbeatsSent;

    public IReadOnlyList<PeerInfo> Peers(TimeSpan now) => peers.Select(p => new PeerInfo(
        p.Id, p.Name, p.Status, p.Incarnation,
        p.LastHeard.Select(h => h is { } t && now - t <= config.Timers.Deadtime).ToArray(),
        p.LastAny is { } last ? now - last : null)).ToList();

    /// <summary>Rings that carry heartbeats from every live peer; a ring missing one is faulty.</summary>
    public IReadOnlyList<bool> RingsHealthy(TimeSpan now)
    {
        var healthy = new bool[config.Rings.Count];
        for (var r = 0; r < healthy.Length; r++)
            healthy[r] = peers.Where(p => p.Status is PeerStatus.Alive or PeerStatus.Suspect).All(p => !p.RingFaulty[r]);
        return healthy;
    }

    public bool HasEvents => events.Count > 0;

    /// <summary>Events since the last call, oldest first.</summary>
    public List<MembershipEvent> TakeEvents()
    {
        var taken = new List<MembershipEvent>(events);
        events.Clear();
        return taken;
    }

    /// <summary>Sends heartbeats when due and applies the timers.</summary>
    public void Tick(TimeSpan now, IPacketSink sink)
    {
        if (now >= nextHeartbeat)
        {
            SendHeartbeats(sink);
            // Keep the cadence even if a tick came late, without bursts to catch up.
            nextHeartbeat += config.Timers.Keepalive;
            if (nextHeartbeat <= now) nextHeartbeat = now + config.Timers.Keepalive;
        }
        ExcuseOwnStall(now);
        CheckTimers(now);
        Evaluate(now);
        ReportDrops(now);
        if (viewToAnnounce)
        {
            // Peers agree on a view by the members each heartbeat reports: tell them ours at once
            // rather than at the next keepalive (up to a keepalive sooner to an agreed view and a
            // DC, which is most of a failover after detection).
            viewToAnnounce = false;
            SendHeartbeats(sink);
            nextHeartbeat = now + config.Timers.Keepalive;
        }
        Flush(now, sink);
    }

    /// <summary>
    /// Sends queued messages now rather than at the next <see cref="Tick"/>: a request and its
    /// answer (the DC's report round, an action and its result) then cost a network round trip,
    /// not two tick intervals.
    /// </summary>
    public void Flush(TimeSpan now, IPacketSink sink)
    {
        frames.Sink = sink;
        messenger.Tick(now, frames);
        frames.Sink = null;
    }

    /// <summary>Wraps the messenger's frames in packets, on every ring still carrying the peer.</summary>
    private sealed class FrameAdapter(MembershipEngine engine) : IFrameSink
    {
        public IPacketSink? Sink { get; set; }

        public void SendFrame(MessageType type, int destination, ReadOnlySpan<byte> frame)
        {
            var peer = engine.peersById[destination];
            var anyUp = Array.IndexOf(peer.RingFaulty, false) >= 0;
            for (var ring = 0; ring < engine.config.Rings.Count; ring++)
            {
                if (anyUp && peer.RingFaulty[ring]) continue;
                var header = new PacketHeader(type, (byte)ring, engine.clusterHash, engine.SelfId, engine.Incarnation, ++engine.sequences[ring], frame.Length);
                var length = Packet.Encode(header, frame, engine.key, engine.sendBuffer);
                Sink!.Send(ring, destination, engine.sendBuffer.AsSpan(0, length));
            }
        }
    }

    /// <summary>
    /// A heartbeat: view epoch, members, CIB version, and the echo (every peer heard, with the
    /// incarnation heard): a peer that finds its own current incarnation in it knows the
    /// heartbeat was made after it started, not replayed from before (see <see cref="Receive"/>).
    /// </summary>
    private void SendHeartbeats(IPacketSink sink)
    {
        var echoed = 0;
        foreach (var p in peers)
            if (p.HeardIncarnation != 0) echoed++;
        Span<byte> payload = stackalloc byte[8 + 2 + 2 * members.Length + 24 + 2 + 10 * echoed];
        BinaryPrimitives.WriteInt64BigEndian(payload, epoch);
        BinaryPrimitives.WriteUInt16BigEndian(payload[8..], (ushort)members.Length);
        for (var i = 0; i < members.Length; i++) BinaryPrimitives.WriteUInt16BigEndian(payload[(10 + 2 * i)..], (ushort)members[i]);
        var at = 10 + 2 * members.Length;
        BinaryPrimitives.WriteInt64BigEndian(payload[at..], CibVersion.AdminEpoch);
        BinaryPrimitives.WriteInt64BigEndian(payload[(at + 8)..], CibVersion.Epoch);
        BinaryPrimitives.WriteInt64BigEndian(payload[(at + 16)..], CibVersion.NumUpdates);
        at += 24;
        BinaryPrimitives.WriteUInt16BigEndian(payload[at..], (ushort)echoed);
        at += 2;
        foreach (var p in peers)
        {
            if (p.HeardIncarnation == 0) continue;
            BinaryPrimitives.WriteUInt16BigEndian(payload[at..], (ushort)p.Id);
            BinaryPrimitives.WriteInt64BigEndian(payload[(at + 2)..], p.HeardIncarnation);
            at += 10;
        }
        for (var ring = 0; ring < config.Rings.Count; ring++)
        {
            var header = new PacketHeader(MessageType.Heartbeat, (byte)ring, clusterHash, SelfId, Incarnation, ++sequences[ring], payload.Length);
            var length = Packet.Encode(header, payload, key, sendBuffer);
            sink.Send(ring, null, sendBuffer.AsSpan(0, length));
            heartbeatsSent++;
        }
    }

    /// <summary>
    /// Takes one datagram received on <paramref name="ring"/> from <paramref name="source"/> (the
    /// sender's address as the socket saw it; null where there is none, as in the simulator).
    /// Anything forged, malformed, replayed, from a stranger or from the wrong address is dropped
    /// and counted, never thrown. Returns the payload's type when it is a valid non-heartbeat
    /// message for the layers above.
    /// <para>Freshness. The replay window (<see cref="ReplayWindow"/>) lives in memory, so a node
    /// that restarted would take a capture of a peer's old packets for news (a dead node shown
    /// online). So a peer's packets count only from a heartbeat of its that echoes this node's
    /// current incarnation (<see cref="SendHeartbeats"/>), on each ring: no packet made before
    /// this node started can carry it. Sequences grow per ring, so everything from that
    /// heartbeat's sequence on is fresh, and the window keeps rejecting duplicates. The handshake
    /// costs a join one heartbeat exchange: a node that hears a new incarnation answers at once.</para>
    /// </summary>
    public MessageType? Receive(TimeSpan now, int ring, ReadOnlySpan<byte> datagram, out PacketHeader header, System.Net.IPAddress? source = null)
    {
        if (!Packet.TryDecode(datagram, clusterHash, key, out header, out var reason)) return Drop(now, reason, source, null);
        // Rings that share a port (corosync's redundant rings on 5405) have sockets that take
        // each other's unicast frames: the authenticated header says which ring a frame is for,
        // and below its source must be the sender's address on that ring.
        if (header.Ring != ring && header.Ring < config.Rings.Count && ring < config.Rings.Count && config.Rings[header.Ring].Port == config.Rings[ring].Port)
            ring = header.Ring;
        if (header.Sender == SelfId)
        {
            // Our own multicast, looped back, is silently ignored; anything else naming us is not.
            if (header.Incarnation == Incarnation && header.Sequence <= sequences[Math.Min(ring, sequences.Length - 1)]
                && (source is null || ring >= config.Rings.Count || source.Equals(OwnAddress(ring)))) return null;
            return Drop(now, DropReason.FromSelf, source, null);
        }
        if (!peersById.TryGetValue(header.Sender, out var peer)) return Drop(now, DropReason.UnknownNode, source, null);
        if (header.Ring != ring || ring >= config.Rings.Count) return Drop(now, DropReason.WrongRing, source, peer);
        if (source is not null && !IsAddressOf(peer, ring, source)) return Drop(now, DropReason.WrongAddress, source, peer);
        // Older than the incarnation confirmed (on any ring): a replay.
        if (header.Incarnation < peer.Incarnation) return Drop(now, DropReason.Replayed, source, peer);
        if (!peer.Windows[ring].Accept(header.Incarnation, header.Sequence)) return Drop(now, DropReason.Replayed, source, peer);

        var payload = Packet.Payload(datagram, header);
        if (header.Incarnation > peer.HeardIncarnation)
        {
            // Echo it in our heartbeats at once: the peer is waiting for that to trust us.
            peer.HeardIncarnation = header.Incarnation;
            peer.HeardSince = now;
            viewToAnnounce = true;
        }
        var restarted = false;
        if (!IsConfirmed(peer, ring, header))
        {
            if (header.Type != MessageType.Heartbeat || !EchoesUs(payload)) return Drop(now, DropReason.Unconfirmed, source, peer);
            restarted = Confirm(peer, ring, header);
        }
        var ok = header.Type switch
        {
            MessageType.Heartbeat => TryReadHeartbeat(payload, peer),
            MessageType.Data => messenger.OnData(SelfId, peer.Id, payload),
            _ => messenger.OnAck(SelfId, peer.Id, now, payload),
        };
        if (!ok) return Drop(now, DropReason.Malformed, source, peer);
        Heard(now, peer, ring, restarted);
        Evaluate(now);
        return header.Type == MessageType.Heartbeat ? null : header.Type;
    }

    /// <summary>Packets of the peer's confirmed incarnation, on a ring confirmed from a sequence at or below this one.</summary>
    private static bool IsConfirmed(Peer peer, int ring, in PacketHeader header) =>
        header.Incarnation == peer.Incarnation && peer.FreshFrom[ring] != 0 && header.Sequence >= peer.FreshFrom[ring];

    /// <summary>
    /// A heartbeat that echoes this node's incarnation confirms its sender's incarnation on its
    /// ring. Returns true when that is a new incarnation of a peer known before (it restarted).
    /// </summary>
    private bool Confirm(Peer peer, int ring, in PacketHeader header)
    {
        var restarted = false;
        if (header.Incarnation != peer.Incarnation)
        {
            restarted = peer.Incarnation != 0;
            if (restarted) messenger.Reset(peer.Id);
            peer.Incarnation = header.Incarnation;
            Array.Clear(peer.FreshFrom);
        }
        peer.FreshFrom[ring] = header.Sequence;
        return restarted;
    }

    /// <summary>The heartbeat's echo names this node with its current incarnation.</summary>
    private bool EchoesUs(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < 10) return false;
        var count = BinaryPrimitives.ReadUInt16BigEndian(payload[8..]);
        var at = 10 + 2 * count + 24;
        if (payload.Length < at + 2) return false;
        var echoed = BinaryPrimitives.ReadUInt16BigEndian(payload[at..]);
        at += 2;
        if (payload.Length != at + 10 * echoed) return false;
        for (var i = 0; i < echoed; i++, at += 10)
            if (BinaryPrimitives.ReadUInt16BigEndian(payload[at..]) == SelfId && BinaryPrimitives.ReadInt64BigEndian(payload[(at + 2)..]) == Incarnation)
                return true;
        return false;
    }

    private bool IsAddressOf(Peer peer, int ring, System.Net.IPAddress source)
    {
        var expected = peer.Node.Addresses[ring];
        if (source.IsIPv4MappedToIPv6 && expected.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork) source = source.MapToIPv4();
        return expected.Equals(source);
    }

    private System.Net.IPAddress OwnAddress(int ring) => config.FindNode(SelfId)!.Addresses[ring];

    /// <summary>
    /// How long a peer's packets may wait for the freshness handshake before their drops are
    /// worth a log line (a join takes one heartbeat exchange; a replay goes on and on).
    /// </summary>
    private TimeSpan HandshakeGrace => config.Timers.Deadtime * 2;

    private MessageType? Drop(TimeSpan now, DropReason reason, System.Net.IPAddress? source, Peer? claimed)
    {
        drops[(int)reason]++;
        // A join's handshake drops a packet or two (sent before the peer's heartbeat echoed us):
        // not worth a line. A replay goes on past the grace and is.
        if (reason == DropReason.Unconfirmed && claimed is not null && now - claimed.HeardSince < HandshakeGrace) return null;
        var name = source is not null ? claimed is null ? source.ToString() : $"{source} ({claimed.Name})" : claimed?.Name ?? "an unknown sender";
        dropSummaries.Count(name, reason);
        return null;
    }

    /// <summary>Drops worth a log line, summed per source (<see cref="DropSummaries"/>).</summary>
    private readonly DropSummaries dropSummaries = new();

    private void ReportDrops(TimeSpan now)
    {
        if (!dropSummaries.AnyPending) return;
        foreach (var line in dropSummaries.TakeDue(now))
            events.Add(new MembershipEvent(now, MembershipEventKind.PacketsDropped, null, null, line));
    }

    private bool TryReadHeartbeat(ReadOnlySpan<byte> payload, Peer peer)
    {
        if (payload.Length < 10) return false;
        var count = BinaryPrimitives.ReadUInt16BigEndian(payload[8..]);
        var at = 10 + 2 * count;
        if (payload.Length < at + 24 + 2) return false;
        var echoed = BinaryPrimitives.ReadUInt16BigEndian(payload[(at + 24)..]);
        if (payload.Length != at + 24 + 2 + 10 * echoed) return false;
        if (peer.Reported.Length != count) peer.Reported = new int[count];
        var previous = 0;
        for (var i = 0; i < count; i++)
        {
            var id = BinaryPrimitives.ReadUInt16BigEndian(payload[(10 + 2 * i)..]);
            if (id <= previous) return false; // ascending and unique
            peer.Reported[i] = previous = id;
        }
        peer.ReportedEpoch = BinaryPrimitives.ReadInt64BigEndian(payload);
        peer.CibVersion = new CibVersion(BinaryPrimitives.ReadInt64BigEndian(payload[at..]), BinaryPrimitives.ReadInt64BigEndian(payload[(at + 8)..]), BinaryPrimitives.ReadInt64BigEndian(payload[(at + 16)..]));
        return true;
    }

    /// <summary>The CIB version each alive peer advertises.</summary>
    public IReadOnlyDictionary<int, CibVersion> PeerCibVersions =>
        peers.Where(p => p.Status is PeerStatus.Alive or PeerStatus.Suspect).ToDictionary(p => p.Id, p => p.CibVersion);

    private void Heard(TimeSpan now, Peer peer, int ring, bool restarted)
    {
        peer.LastHeard[ring] = now;
        peer.LastAny = now;
        if (peer.RingFaulty[ring])
        {
            peer.RingFaulty[ring] = false;
            events.Add(new MembershipEvent(now, MembershipEventKind.RingRecovered, peer.Id, ring, $"ring {ring} carries {peer.Name}'s heartbeats again"));
        }
        switch (peer.Status)
        {
            case PeerStatus.Unseen or PeerStatus.Dead:
                peer.Status = PeerStatus.Alive;
                for (var r = 0; r < peer.RingFaulty.Length; r++) peer.RingFaulty[r] = false;
                events.Add(new MembershipEvent(now, restarted ? MembershipEventKind.NodeRestarted : MembershipEventKind.NodeJoined, peer.Id, ring,
                    restarted ? $"{peer.Name} restarted (new incarnation) and joined" : $"{peer.Name} joined"));
                break;
            case PeerStatus.Suspect when !restarted:
                peer.Status = PeerStatus.Alive;
                events.Add(new MembershipEvent(now, MembershipEventKind.NodeRecovered, peer.Id, ring, $"{peer.Name} is heard again"));
                break;
            default:
                if (!restarted) break;
                peer.Status = PeerStatus.Alive;
                events.Add(new MembershipEvent(now, MembershipEventKind.NodeRestarted, peer.Id, ring, $"{peer.Name} restarted (new incarnation) without being declared dead"));
                // The same members, but not the same view: what the member ran for the DC (its
                // actions in flight, its report) died with it. A new epoch makes the DC start a
                // new round and drop its transition (a DC waited 120 s for the results of a
                // member that had lost power and come back within deadtime: simulator).
                epoch++;
                viewToAnnounce = true;
                break;
        }
    }

    /// <summary>
    /// When <see cref="Tick"/> next has work: the next heartbeat, a peer turning late or dead or
    /// a ring faulty, the end of initdead, a retransmission. A runner may sleep until then (a
    /// wake-up costs more than the work on a virtual machine) instead of ticking at a fixed rate.
    /// </summary>
    public TimeSpan NextDue(TimeSpan now)
    {
        var due = nextHeartbeat;
        var t = config.Timers;
        // Deadlines are "longer than": the first instant past them is when they fire.
        var epsilon = TimeSpan.FromMilliseconds(1);
        void Consider(TimeSpan at)
        {
            if (at > now && at < due) due = at;
        }
        foreach (var p in peers)
        {
            if (p.Status is not (PeerStatus.Alive or PeerStatus.Suspect) || p.LastAny is not { } last) continue;
            if (p.Status == PeerStatus.Alive) Consider(last + t.Warntime + epsilon);
            Consider(last + t.Deadtime + epsilon);
            for (var r = 0; r < p.LastHeard.Length; r++)
                if (!p.RingFaulty[r]) Consider((p.LastHeard[r] ?? started) + t.Deadtime + epsilon);
        }
        if (!settled) Consider(started + t.Initdead);
        if (messenger.NextDue(now) is { } m) due = m < due ? m : due;
        return due < now ? now : due;
    }

    /// <summary>
    /// When this node itself did not run for longer than a keepalive (starved of CPU while three
    /// daemons start on two cores, a paused VM), the silence it "heard" meanwhile is no evidence
    /// against its peers: their clocks are moved on by the stall, so only silence while this node
    /// was running counts. A peer that really died is then declared dead that much later.
    /// </summary>
    private void ExcuseOwnStall(TimeSpan now)
    {
        // Between ticks a runner sleeps at most a keepalive (the next heartbeat is always due by
        // then); a longer gap is a stall, and what went beyond the keepalive is excused.
        if (lastTick is { } previous && now - previous > config.Timers.Keepalive * 1.5)
        {
            var stall = now - previous - config.Timers.Keepalive;
            foreach (var p in peers)
            {
                if (p.LastAny is { } any) p.LastAny = Min(any + stall, now);
                for (var r = 0; r < p.LastHeard.Length; r++)
                    if (p.LastHeard[r] is { } heard) p.LastHeard[r] = Min(heard + stall, now);
            }
            stalls++;
            events.Add(new MembershipEvent(now, MembershipEventKind.SelfStalled, null, null,
                $"this node did not run for {stall.TotalMilliseconds:0} ms (keepalive {config.Timers.Keepalive.TotalMilliseconds:0} ms): silence meanwhile is not held against peers; a starved CPU or a paused machine"));
        }
        lastTick = now;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    /// <summary>How often this node found it had not run for longer than a keepalive.</summary>
    public long Stalls => stalls;

    private TimeSpan? lastTick;
    private long stalls;

    private void CheckTimers(TimeSpan now)
    {
        var t = config.Timers;
        foreach (var p in peers)
        {
            if (p.Status is not (PeerStatus.Alive or PeerStatus.Suspect) || p.LastAny is not { } last) continue;
            var silent = now - last;
            if (silent > t.Deadtime)
            {
                p.Status = PeerStatus.Dead;
                p.Reported = [];
                messenger.Reset(p.Id, restarted: false);
                events.Add(new MembershipEvent(now, MembershipEventKind.NodeLost, p.Id, null, $"{p.Name} declared dead: no heartbeat on any ring for {silent.TotalMilliseconds:0} ms (deadtime {t.Deadtime.TotalMilliseconds:0} ms)"));
                continue;
            }
            if (p.Status == PeerStatus.Alive && silent > t.Warntime)
            {
                p.Status = PeerStatus.Suspect;
                events.Add(new MembershipEvent(now, MembershipEventKind.NodeSuspected, p.Id, null, $"{p.Name} is late: no heartbeat for {silent.TotalMilliseconds:0} ms (warntime {t.Warntime.TotalMilliseconds:0} ms)"));
            }
            for (var r = 0; r < p.LastHeard.Length; r++)
            {
                var ringSilent = p.LastHeard[r] is { } h ? now - h : now - started;
                if (!p.RingFaulty[r] && ringSilent > t.Deadtime)
                {
                    p.RingFaulty[r] = true;
                    events.Add(new MembershipEvent(now, MembershipEventKind.RingFaulty, p.Id, r, $"ring {r} is faulty: no heartbeat from {p.Name} on it for {t.Deadtime.TotalMilliseconds:0} ms, though other rings carry them"));
                }
            }
        }
    }

    private void Evaluate(TimeSpan now)
    {
        // Members: this node and every peer not declared dead.
        Span<int> buffer = stackalloc int[peers.Length + 1];
        var n = 0;
        buffer[n++] = SelfId;
        foreach (var p in peers)
            if (p.Status is PeerStatus.Alive or PeerStatus.Suspect) buffer[n++] = p.Id;
        var current = buffer[..n];
        current.Sort();
        if (!current.SequenceEqual(members))
        {
            members = current.ToArray();
            epoch++;
            agreed = false;
            viewToAnnounce = true;
        }

        if (!settled && (now - started >= config.Timers.Initdead || members.Length == config.Nodes.Count))
            settled = true;

        var nowAgreed = true;
        foreach (var p in peers)
            if (p.Status is PeerStatus.Alive or PeerStatus.Suspect && !p.Reported.AsSpan().SequenceEqual(members)) { nowAgreed = false; break; }
        if (nowAgreed && !agreed)
            events.Add(new MembershipEvent(now, MembershipEventKind.ViewAgreed, null, null, $"view {epoch} agreed: {string.Join(", ", members.Select(Name))}"));
        agreed = nowAgreed;

        if (settled && agreed)
        {
            var newDc = ElectDc();
            if (newDc != dc)
            {
                dc = newDc;
                events.Add(new MembershipEvent(now, MembershipEventKind.DcElected, dc, null, $"{Name(dc.Value)} is the DC"));
            }
        }
        else if (dc is { } d && Array.IndexOf(members, d) < 0)
        {
            dc = null; // the DC left; the next agreed view elects another
        }

        if (members.Length == config.Nodes.Count) seenAllTogether = true;
        var q = config.Quorum;
        var nowQuorate = (!q.WaitForAll || seenAllTogether) &&
                         (q.TwoNode && q.ExpectedVotes == 2 ? members.Length >= 1 : members.Length > q.ExpectedVotes / 2);
        if (nowQuorate != quorate)
        {
            quorate = nowQuorate;
            events.Add(new MembershipEvent(now, quorate ? MembershipEventKind.QuorumGained : MembershipEventKind.QuorumLost, null, null,
                quorate ? $"partition with {members.Length} of {q.ExpectedVotes} votes has quorum" : $"partition with {members.Length} of {q.ExpectedVotes} votes lost quorum"));
        }
    }

    private int ElectDc()
    {
        // The longest-running member: a joining or restarted node is younger, so it never takes
        // the role from a running DC; when two partitions merge, the older DC keeps it.
        var best = SelfId;
        var bestIncarnation = Incarnation;
        foreach (var p in peers)
        {
            if (Array.IndexOf(members, p.Id) < 0) continue;
            if (p.Incarnation < bestIncarnation || (p.Incarnation == bestIncarnation && p.Id < best))
            {
                best = p.Id;
                bestIncarnation = p.Incarnation;
            }
        }
        return best;
    }

    private string Name(int id) => config.FindNode(id)?.Name ?? id.ToString();

    private sealed class Peer(NodeEntry node, int rings)
    {
        public NodeEntry Node { get; } = node;
        public int Id { get; } = node.Id;
        public string Name { get; } = node.Name;
        public PeerStatus Status { get; set; } = PeerStatus.Unseen;
        /// <summary>The incarnation confirmed fresh (its heartbeat echoed ours); 0 before any.</summary>
        public long Incarnation { get; set; }
        /// <summary>The highest incarnation any authenticated packet of the peer carried: what our heartbeats echo.</summary>
        public long HeardIncarnation { get; set; }
        /// <summary>When <see cref="HeardIncarnation"/> was first heard.</summary>
        public TimeSpan HeardSince { get; set; }
        /// <summary>Per ring: the sequence of the heartbeat that confirmed <see cref="Incarnation"/> there (0: none yet).</summary>
        public long[] FreshFrom { get; } = new long[rings];
        public TimeSpan?[] LastHeard { get; } = new TimeSpan?[rings];
        public bool[] RingFaulty { get; } = new bool[rings];
        public TimeSpan? LastAny { get; set; }
        public ReplayWindow[] Windows { get; } = new ReplayWindow[rings];
        public int[] Reported { get; set; } = [];
        public long ReportedEpoch { get; set; }
        public CibVersion CibVersion { get; set; }
    }
}
