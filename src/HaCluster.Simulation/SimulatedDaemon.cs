using HaCluster.Core.Control;
using HaCluster.Core.Membership;
using HaCluster.Core.Status;

namespace HaCluster.Simulation;

/// <summary>
/// One run of haclusterd on a simulated node: the real <see cref="MembershipEngine"/> and the
/// real <see cref="Controller"/>, wired as the daemon wires them (ControllerHost and
/// MembershipNode), to the simulated network, disk, clock and executor. Paused (SIGSTOP), it
/// neither ticks nor reads: packets and timers wait for it. Killed, it is gone; a new one may
/// start on the same node later.
/// </summary>
internal sealed class SimulatedDaemon : IPacketSink
{
    /// <summary>The controller's timer, as in ControllerHost; faster while a commit waits on membership.</summary>
    private static readonly TimeSpan TickPeriod = TimeSpan.FromMilliseconds(200), FastTickPeriod = TimeSpan.FromMilliseconds(10);

    private readonly Simulation sim;
    private readonly SimulatedNode node;
    private readonly Queue<ControllerEvent> pending = new();
    private readonly List<Action> deferred = new();
    private bool draining;
    private TimeSpan? scheduledWake;
    private MembershipView? lastView;
    private IReadOnlyDictionary<int, CibVersion>? lastVersions;

    public MembershipEngine Engine { get; }
    public Controller Controller { get; }
    public SimulatedResourceManager Lrm { get; }
    public bool Alive { get; private set; } = true;
    public bool Paused { get; private set; }
    public string Name => node.Name;
    public DateTimeOffset Wall => sim.WallOf(node);

    public SimulatedDaemon(Simulation sim, SimulatedNode node, long incarnation)
    {
        this.sim = sim;
        this.node = node;
        Engine = new MembershipEngine(sim.Bootstrap, node.Id, Simulation.Key, incarnation, sim.Now);
        Engine.CibVersion = node.Disk.Version;
        Controller = new Controller(sim.Bootstrap, node.Id, node.Disk.Version, node.Disk.Xml, debugLogging: sim.Debug, incarnation: incarnation);
        Controller.Mutation = sim.Mutation;
        Lrm = new SimulatedResourceManager(this, node.Machine, sim);
    }

    public void Start()
    {
        Feed(new LocalStateChanged(Lrm.Report()));
        ScheduleWake();
        ScheduleTick(TickPeriod);
    }

    public void Kill() => Alive = false;

    public void Pause() => Paused = true;

    /// <summary>Runs again: what arrived meanwhile is read, the timers that came due fire.</summary>
    public void Resume()
    {
        if (!Alive || !Paused) return;
        Paused = false;
        sim.Disturbed();
        var waiting = deferred.ToList();
        deferred.Clear();
        foreach (var action in waiting)
        {
            if (!Alive || Paused) break;
            action();
        }
        if (Alive && !Paused) Wake();
    }

    /// <summary>A timer of this daemon (an executor's, the controller's): not if it died; when it runs again if paused.</summary>
    public void After(TimeSpan delay, Action action) => sim.At(sim.Now + delay, () => OnDaemon(action));

    /// <summary>
    /// An agent process this daemon started: it runs on while the daemon is paused (SIGSTOP stops
    /// the daemon's process only), and dies with the daemon (systemd stops the unit's whole cgroup
    /// before restarting it) or with the machine's power.
    /// </summary>
    public void AgentAfter(TimeSpan delay, Action action)
    {
        var boot = node.Boot;
        sim.At(sim.Now + delay, () =>
        {
            if (Alive && node.Boot == boot && node.Machine.PoweredOn) action();
        });
    }

    private void OnDaemon(Action action)
    {
        if (!Alive) return;
        if (Paused) deferred.Add(action);
        else action();
    }

    public void Receive(int ring, byte[] datagram) => OnDaemon(() =>
    {
        Engine.Receive(sim.Now, ring, datagram, out _);
        Engine.Tick(sim.Now, this);
        Pump();
    });

    private void Wake()
    {
        scheduledWake = null;
        Engine.Tick(sim.Now, this);
        Pump();
    }

    private void ScheduleWake()
    {
        if (!Alive) return;
        var due = Engine.NextDue(sim.Now);
        if (due <= sim.Now) due = sim.Now + TimeSpan.FromMilliseconds(1);
        if (scheduledWake is { } at && at <= due) return;
        scheduledWake = due;
        sim.At(due, () => OnDaemon(() =>
        {
            if (scheduledWake == due) Wake();
        }));
    }

    private void ScheduleTick(TimeSpan period) => sim.At(sim.Now + period, () => OnDaemon(() =>
    {
        if (sim.WatchdogDevice is not null) node.WatchdogFed = sim.Now;
        FeedMembership();
        Feed(new Tick());
        ScheduleTick(Controller.WaitingOnMembership ? FastTickPeriod : TickPeriod);
    }));

    /// <summary>What the engine produced: events to the trace, messages to the controller, a changed view.</summary>
    private void Pump()
    {
        if (Engine.HasEvents)
            foreach (var e in Engine.TakeEvents()) sim.Trace(node.Name, "membership: " + e.Message);
        FeedMembership();
        while (Alive && Engine.TryTakeMessage(out var from, out var bytes))
        {
            if (ControllerMessage.Decode(bytes, out var error) is { } message) Feed(new MessageReceived(from, message));
            else sim.Trace(node.Name, $"a message from node {from} does not decode ({bytes.Length} bytes: {error}): dropped");
        }
        if (Alive) ScheduleWake();
    }

    private void FeedMembership()
    {
        var view = Engine.View;
        var versions = Engine.PeerCibVersions;
        if (lastView is { } v && SameView(v, view) && lastVersions is { } lv && lv.Count == versions.Count && lv.All(kv => versions.TryGetValue(kv.Key, out var x) && x == kv.Value)) return;
        lastView = view;
        lastVersions = versions;
        Feed(new MembershipChanged(view, versions));
    }

    private static bool SameView(MembershipView a, MembershipView b) =>
        a.Epoch == b.Epoch && a.Agreed == b.Agreed && a.Settled == b.Settled && a.Dc == b.Dc && a.Quorate == b.Quorate && a.Members.SequenceEqual(b.Members);

    /// <summary>Hands an event to the controller (in order, never re-entrantly) and carries its commands out.</summary>
    public void Feed(ControllerEvent input)
    {
        if (!Alive) return;
        if (Paused)
        {
            deferred.Add(() => Feed(input));
            return;
        }
        pending.Enqueue(input);
        if (draining) return;
        draining = true;
        try
        {
            while (Alive && !Paused && pending.TryDequeue(out var next))
            {
                foreach (var command in Controller.Step(new Moment(sim.Now, Wall), next))
                {
                    if (!Alive) break;
                    Carry(command);
                }
            }
            if (Paused)
            {
                var rest = pending.ToList();
                pending.Clear();
                foreach (var e in rest) deferred.Add(() => Feed(e));
            }
        }
        finally
        {
            draining = false;
        }
        sim.CheckSafety();
    }

    private void Carry(ControllerCommand command)
    {
        switch (command)
        {
            case SendMessage send:
                if (send.To == node.Id || sim.Bootstrap.FindNode(send.To) is null) return;
                Engine.SendMessage(send.To, send.Message.Encode());
                Engine.Flush(sim.Now, this);
                if (sim.Debug) sim.Trace(node.Name, $"sent {send.Message.GetType().Name} to node{send.To}: {Engine.Unacknowledged(send.To)} fragment(s) unacknowledged, {Engine.Retransmissions} retransmissions");
                ScheduleWake();
                break;
            case RunOperation run:
                Lrm.Run(run);
                break;
            case ProbeResources probe:
                Lrm.Probe(probe.Config, probe.Version);
                break;
            case ForgetResource forget:
                Lrm.Forget(forget.Resource, forget.Config, forget.Version);
                break;
            case SetLocalAttribute attribute:
                Lrm.SetAttribute(attribute.Name, attribute.Value);
                break;
            case StoreCib store:
                var previous = node.Disk.Version;
                if (!node.Disk.Store(store.Version, store.Xml))
                {
                    sim.Trace(node.Name, $"crashed while writing CIB {store.Version} (torn write: the old copy stays)");
                    sim.CrashDaemon(node);
                    return;
                }
                Engine.CibVersion = store.Version;
                sim.Stored(node, store.Version, store.Xml, previous);
                break;
            case RecordSchedulerInput input:
                After(TimeSpan.FromMilliseconds(2), () =>
                {
                    var xml = CibStatusWriter.WriteCib(input.Config, input.Status, input.Now, input.Version.AdminEpoch, input.Version.Epoch, input.Version.NumUpdates, dcUuid: node.Name).ToString();
                    if (Environment.GetEnvironmentVariable("HASIM_DUMP_INPUTS") is { Length: > 0 } dir) File.WriteAllText(Path.Combine(dir, $"{node.Name}-{sim.Now.TotalMilliseconds:0}.xml"), xml);
                    Feed(new SchedulerInputRecorded(xml));
                });
                break;
            case RequestAnswered answer:
                sim.Answered(node, answer);
                break;
            case SelfFence self:
                sim.SelfFence(node, self.Reason);
                break;
            case Log line:
                sim.Trace(node.Name, line.Text);
                break;
        }
    }

    void IPacketSink.Send(int ring, int? destination, ReadOnlySpan<byte> datagram)
    {
        if (!Alive || Paused) return;
        sim.Transmit(node.Id, ring, destination, datagram);
    }
}
