using System.Diagnostics;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using HaCluster.Core.Membership;
using HaCluster.Core.Status;

namespace HaCluster.Transport;

/// <summary>
/// Runs a <see cref="MembershipEngine"/> on real sockets: one receive loop per ring and a timer
/// loop, all feeding the engine under one lock (the engine is a single-threaded state machine).
/// Time is a monotonic clock. Events and received messages are handed to the callbacks.
/// </summary>
public sealed class MembershipNode : IAsyncDisposable, IPacketSink
{
    private readonly MembershipEngine engine;
    private readonly RingSocket[] rings;
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly CancellationTokenSource stop = new();
    private readonly List<Task> loops = new();
    private readonly object gate = new();

    public ClusterBootstrap Config { get; }
    public NodeEntry Self { get; }
    public Action<MembershipEvent>? OnEvent { get; init; }
    public Action<int, byte[]>? OnMessage { get; init; }
    /// <summary>An exception thrown by <see cref="OnEvent"/> or <see cref="OnMessage"/> (delivery goes on).</summary>
    public Action<Exception>? OnCallbackError { get; init; }
    /// <summary>The longest the timer thread sleeps (it wakes earlier when the engine has work).</summary>
    private static readonly TimeSpan MaxSleep = TimeSpan.FromMilliseconds(200);

    /// <param name="incarnation">This start's incarnation (<see cref="Incarnation.Next"/>); null: from the clock alone.</param>
    public MembershipNode(ClusterBootstrap config, NodeEntry self, ClusterKey key, long? incarnation = null)
    {
        Config = config;
        Self = self;
        incarnation ??= HaCluster.Core.Membership.Incarnation.Next(DateTimeOffset.UtcNow, null);
        engine = new MembershipEngine(config, self.Id, key, incarnation.Value, clock.Elapsed);
        var others = config.Nodes.Where(n => n.Id != self.Id).ToList();
        rings = config.Rings.Select((r, i) => new RingSocket(i, r, self, others)).ToArray();
    }

    /// <summary>Finds this machine's node: the one with an address configured on a local interface.</summary>
    public static NodeEntry? FindLocalNode(ClusterBootstrap config)
    {
        var local = NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(i => i.GetIPProperties().UnicastAddresses).Select(a => a.Address).ToHashSet();
        return config.Nodes.FirstOrDefault(n => n.Addresses.Any(local.Contains));
    }

    public TimeSpan Now => clock.Elapsed;

    /// <summary>This start's incarnation (fixed for the node's life).</summary>
    public long Incarnation => engine.Incarnation;

    public void Start()
    {
        foreach (var ring in rings) loops.Add(StartReceiveThread(ring));
        loops.Add(StartTimerThread());
        loops.Add(Task.Run(DeliveryLoop));
    }

    /// <summary>A consistent snapshot for the status display.</summary>
    public MembershipSnapshot Snapshot()
    {
        lock (gate)
        {
            var now = clock.Elapsed;
            return new MembershipSnapshot(Config.ClusterName, Self, Config.Rings, engine.View, engine.Peers(now), engine.RingsHealthy(now),
                engine.Drops, engine.HeartbeatsSent, engine.Incarnation);
        }
    }

    /// <summary>Message fragments to <paramref name="destination"/> not yet acknowledged.</summary>
    public int Unacknowledged(int destination)
    {
        lock (gate) return engine.Unacknowledged(destination);
    }

    public void SendMessage(int destination, byte[] message)
    {
        lock (gate)
        {
            engine.SendMessage(destination, message);
            engine.Flush(clock.Elapsed, this);
        }
    }

    public CibVersion CibVersion
    {
        set { lock (gate) engine.CibVersion = value; }
    }

    /// <summary>This node's view and what version of the CIB each live peer advertises.</summary>
    public (MembershipView View, IReadOnlyDictionary<int, CibVersion> Versions) CibSituation()
    {
        lock (gate) return (engine.View, engine.PeerCibVersions);
    }

    void IPacketSink.Send(int ring, int? destination, ReadOnlySpan<byte> datagram) => rings[ring].Send(destination, datagram);

    /// <summary>
    /// One thread per ring reading its socket, like the timer: a receive continuation queued on a
    /// starved thread pool once left peers' heartbeats unread for 600 ms, and a healthy cluster
    /// was declared dead by a daemon starting up.
    /// </summary>
    private Task StartReceiveThread(RingSocket ring)
    {
        return StartThread($"ring{ring.Ring}-receive", ThreadPriority.Normal, () =>
        {
            var buffer = new byte[65536];
            var source = ring.NewSourceAddress();
            while (!stop.IsCancellationRequested)
            {
                int n;
                try
                {
                    // A receive times out now and then (to notice a stop): one system call per datagram.
                    n = ring.Receive(buffer, source);
                    if (n < 0) continue;
                }
                catch (ObjectDisposedException)
                {
                    break;
                }
                catch (SocketException)
                {
                    continue;
                }
                lock (gate)
                {
                    var now = clock.Elapsed;
                    engine.Receive(now, ring.Ring, buffer.AsSpan(0, n), out _, RingSocket.AddressOf(source));
                    // At once what a datagram calls for: an acknowledgement, a changed view announced.
                    engine.Tick(now, this);
                    Drain();
                }
            }
        });
    }

    /// <summary>
    /// Heartbeats and timers on a thread of their own, above normal priority: a busy thread pool
    /// (a daemon starting up and compiling, a burst of agent results) must never hold a heartbeat
    /// back, or peers with short deadtimes would declare a healthy node dead.
    /// </summary>
    private Task StartTimerThread()
    {
        return StartThread("membership-timer", ThreadPriority.AboveNormal, () =>
        {
            while (!stop.IsCancellationRequested)
            {
                TimeSpan due;
                lock (gate)
                {
                    var now = clock.Elapsed;
                    engine.Tick(now, this);
                    Drain();
                    due = engine.NextDue(now);
                }
                // Sleep until the engine next has work (a heartbeat, a deadline), at most
                // MaxSleep so a stop is noticed; a plain sleep costs least per wake-up.
                var wait = due - clock.Elapsed;
                if (wait > MaxSleep) wait = MaxSleep;
                if (wait < TimeSpan.FromMilliseconds(1)) wait = TimeSpan.FromMilliseconds(1);
                Thread.Sleep(wait);
            }
        });
    }

    /// <summary>A background thread running <paramref name="body"/>; the task completes when it returns.</summary>
    private static Task StartThread(string name, ThreadPriority priority, Action body)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        new Thread(() =>
        {
            try { body(); }
            finally { done.TrySetResult(); }
        })
        {
            IsBackground = true,
            Name = name,
            Priority = priority,
        }.Start();
        return done.Task;
    }

    /// <summary>
    /// Hands the engine's events and messages to the delivery loop. Callbacks never run under the
    /// engine's lock: decoding a message, logging or adopting a CIB copy (a cold start's first
    /// JSON parse alone takes ~100 ms) would otherwise hold heartbeats back. One queue, one
    /// reader: the order the engine produced them in is the order they are delivered in.
    /// </summary>
    private void Drain()
    {
        if (engine.HasEvents)
            foreach (var e in engine.TakeEvents()) deliveries.Writer.TryWrite(new Delivery(e, 0, null));
        while (engine.TryTakeMessage(out var from, out var message)) deliveries.Writer.TryWrite(new Delivery(null, from, message));
    }

    private readonly record struct Delivery(MembershipEvent? Event, int From, byte[]? Message);

    private readonly System.Threading.Channels.Channel<Delivery> deliveries =
        System.Threading.Channels.Channel.CreateUnbounded<Delivery>(new System.Threading.Channels.UnboundedChannelOptions { SingleReader = true });

    private async Task DeliveryLoop()
    {
        try
        {
            await foreach (var d in deliveries.Reader.ReadAllAsync(stop.Token))
            {
                try
                {
                    if (d.Event is { } e) OnEvent?.Invoke(e);
                    else OnMessage?.Invoke(d.From, d.Message!);
                }
                catch (Exception error) when (error is not OperationCanceledException)
                {
                    // One bad callback must not end delivery for good.
                    OnCallbackError?.Invoke(error);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        try
        {
            await Task.WhenAll(loops);
        }
        catch (OperationCanceledException)
        {
        }
        foreach (var r in rings) r.Dispose();
        stop.Dispose();
    }
}

/// <summary>The membership part of the status, as the local API returns it.</summary>
public sealed record MembershipSnapshot(
    string ClusterName,
    NodeEntry Self,
    IReadOnlyList<RingConfig> RingConfigs,
    MembershipView View,
    IReadOnlyList<PeerInfo> Peers,
    IReadOnlyList<bool> RingsHealthy,
    IReadOnlyDictionary<DropReason, long> Drops,
    long HeartbeatsSent,
    long Incarnation);
