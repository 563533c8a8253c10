using System.Net;
using HaCluster.Core.Control;
using HaCluster.Core.Membership;
using HaCluster.Core.Status;

namespace HaCluster.Simulation;

/// <param name="Debug">The controllers log at debug level into the trace (a replay shows every message of the round protocol).</param>
/// <param name="Watchdog">Fencing, where on, by watchdog (stonith-watchdog-timeout) instead of a fence device.</param>
public sealed record SimulationOptions(int Seed, int? Nodes = null, string? Mutant = null, bool Debug = false, bool Watchdog = false);

/// <summary>A broken invariant: which, what was seen, when.</summary>
public sealed record Violation(string Invariant, string Detail, TimeSpan At);

public sealed record SimulationResult(int Seed, int Nodes, string Scenario, bool Fencing, Violation? Violation, TimeSpan Simulated,
    TimeSpan? ConvergedAfterHeal, long Events, IReadOnlyList<string> Trace, FaultPlan Plan);

/// <summary>
/// One schedule: a whole cluster of <see cref="SimulatedNode"/>s in one process, on a simulated
/// clock (a queue of timed actions, run in order), a seeded network, seeded agents and a seeded
/// fault plan; the invariants (<see cref="Invariants"/>) are checked after every action. The same
/// seed and options replay exactly the same run.
/// </summary>
public sealed class Simulation
{
    public static readonly ClusterKey Key = ClusterKey.FromBytes(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
    private static readonly DateTimeOffset Epoch = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
    /// <summary>How long after the last fault the cluster has to converge.</summary>
    public static readonly TimeSpan ConvergenceBound = TimeSpan.FromSeconds(60);

    internal static readonly IReadOnlyDictionary<string, ControllerMutation> Mutants = new Dictionary<string, ControllerMutation>
    {
        ["start-before-stop"] = ControllerMutation.StartBeforeStopConfirmed,
        ["commit-without-quorum"] = ControllerMutation.CommitWithoutQuorum,
        ["two-dcs"] = ControllerMutation.StickyDc,
        ["second-promoted"] = ControllerMutation.PromotedMaxMisread,
        ["no-self-fence"] = ControllerMutation.NoSelfFence,
    };

    /// <summary>The deliberately broken controllers the simulator can run (--mutant NAME).</summary>
    public static IReadOnlyList<string> MutantNames => Mutants.Keys.ToList();

    private readonly PriorityQueue<Action, (TimeSpan, long)> queue = new();
    private readonly List<SimulatedNode> nodes = new();
    private readonly TraceLog trace = new(400);
    private readonly Invariants invariants;
    private readonly Dictionary<long, (SimulatedNode Node, TimeSpan At)> commits = new();
    private readonly SimulationOptions options;
    private long sequence;
    private long events;
    private long requestCounter;
    private bool converged;
    private TimeSpan? convergedAt;

    internal ClusterBootstrap Bootstrap { get; }
    internal Random Random { get; }
    internal AgentFaults AgentFaults { get; } = new();
    internal SimulatedNetwork Network { get; }
    internal ControllerMutation Mutation { get; }
    internal bool Debug => options.Debug;
    internal TimeSpan Now { get; private set; }
    internal Scenario Scenario { get; }
    internal FaultPlan Plan { get; }
    internal IReadOnlyList<SimulatedNode> Nodes => nodes;

    public Simulation(SimulationOptions options)
    {
        this.options = options;
        Random = new Random(options.Seed);
        var count = options.Nodes ?? Random.Next(3) switch { 0 => 3, 1 => 4, _ => 5 };
        Mutation = options.Mutant is null ? ControllerMutation.None : Mutants[options.Mutant];
        Network = new SimulatedNetwork(Random, 1);
        Bootstrap = new ClusterBootstrap
        {
            ClusterName = "sim",
            Nodes = Enumerable.Range(1, count).Select(i => new NodeEntry($"node{i}", i, [IPAddress.Parse($"127.0.0.{10 + i}")])).ToList(),
            Rings = [new RingConfig(RingKind.Unicast, 5405)],
            Timers = MembershipTimers.Default,
            Quorum = new QuorumConfig(count, count == 2, count == 2),
        };
        Scenario = Scenario.Pick(Random, count, options.Watchdog || options.Mutant == "no-self-fence");
        Plan = FaultPlan.Draw(Random, count);
        invariants = new Invariants(this);
        var initial = System.Text.Encoding.UTF8.GetBytes(Scenario.ToXmlAt(Scenario.BaseCrm, new CibVersion(0, 1, 0)));
        var everyNodeHasIt = Random.NextDouble() < 0.5;
        for (var i = 1; i <= count; i++)
        {
            var disk = i == 1 || everyNodeHasIt ? new SimulatedDisk(new CibVersion(0, 1, 0), initial) : new SimulatedDisk(default, CibDocument.Empty(default));
            nodes.Add(new SimulatedNode(i, $"node{i}", disk));
            invariants.Stored($"node{i}", disk.Version, disk.Xml);
        }
    }

    internal DateTimeOffset WallOf(SimulatedNode node) => Epoch + Now + node.Machine.WallOffset;

    internal void At(TimeSpan when, Action action) => queue.Enqueue(action, (when < Now ? Now : when, sequence++));

    internal void Trace(string who, string text) => trace.Add($"{Now.TotalSeconds,8:0.000} {who}: {text}");

    public SimulationResult Run()
    {
        Trace("sim", $"seed {options.Seed}: {nodes.Count} nodes, scenario {Scenario.Name}, fencing {(Scenario.Fencing ? "on" : "off")}{(options.Mutant is null ? "" : ", mutant " + options.Mutant)}");
        foreach (var f in Plan.Faults) Trace("sim", "planned: " + f);
        foreach (var n in nodes) At(TimeSpan.FromMilliseconds(Random.Next(500)), () => StartDaemon(n));
        var faults = new FaultInjector(this);
        foreach (var f in Plan.Faults) faults.Schedule(f);
        foreach (var (at, node) in Plan.Commits) At(at, () => Commit(nodes[node - 1]));
        At(Plan.HealAt, () => faults.HealAll());
        if (WatchdogDevice is not null) At(WatchdogCheck, CheckWatchdogs);
        for (var t = Plan.HealAt + TimeSpan.FromMilliseconds(500); t <= Plan.HealAt + ConvergenceBound; t += TimeSpan.FromMilliseconds(500))
            At(t, CheckConvergence);
        At(Plan.HealAt + ConvergenceBound + TimeSpan.FromMilliseconds(1), () =>
        {
            if (!converged) invariants.Fail("liveness", $"not converged {ConvergenceBound.TotalSeconds:0} s after the faults ended: {invariants.WhyNotConverged()}");
        });
        while (invariants.Violation is null && !converged && queue.TryDequeue(out var action, out var key))
        {
            Now = key.Item1;
            events++;
            action();
            invariants.CheckSafety();
        }
        if (Environment.GetEnvironmentVariable("HASIM_DUMP_PICTURE") is { Length: > 0 } dump &&
            nodes.FirstOrDefault(n => n.Daemon is { Alive: true } d && d.Controller.IsDc)?.Daemon?.Controller.LastStatusXml is { } picture)
            File.WriteAllText(dump, picture);
        return new SimulationResult(options.Seed, nodes.Count, Scenario.Name, Scenario.Fencing, invariants.Violation, Now,
            convergedAt is { } c ? c - Plan.HealAt : null, events, trace.Lines(), Plan);
    }

    private void CheckConvergence()
    {
        if (converged || invariants.WhyNotConverged() is not null) return;
        invariants.CheckFinal();
        converged = true;
        convergedAt = Now;
        Trace("sim", $"converged {(Now - Plan.HealAt).TotalSeconds:0.0} s after the faults ended");
    }

    internal void CheckSafety() => invariants.CheckSafety();

    /// <summary>Marks a change of who can talk to whom (the one-DC check waits for things to settle after it).</summary>
    internal void Disturbed() => invariants.Disturbed();

    internal void StartDaemon(SimulatedNode node)
    {
        if (!node.Machine.PoweredOn || node.Daemon is { Alive: true }) return;
        // As the daemon does it (IncarnationFile): from the clock, above the last one used.
        var incarnation = Incarnation.Next(WallOf(node), node.Disk.LastIncarnation);
        node.Disk.LastIncarnation = incarnation;
        var daemon = new SimulatedDaemon(this, node, incarnation);
        node.Daemon = daemon;
        Trace(node.Name, $"haclusterd starts (incarnation {incarnation}, CIB {node.Disk.Version})");
        Disturbed();
        daemon.Start();
    }

    internal void CrashDaemon(SimulatedNode node)
    {
        if (node.Daemon is not { Alive: true } daemon) return;
        daemon.Kill();
        Trace(node.Name, "haclusterd crashed (its resources keep running)");
        Disturbed();
    }

    internal void PowerOff(SimulatedNode node, string why)
    {
        node.WatchdogFed = null;
        node.Daemon?.Kill();
        node.Machine.PowerOff();
        node.Boot++;
        Trace(node.Name, $"machine off ({why}): nothing runs here any more");
        Disturbed();
    }

    internal void PowerOn(SimulatedNode node)
    {
        if (node.Machine.PoweredOn) return;
        node.Machine.PoweredOn = true;
        Trace(node.Name, "machine on");
        StartDaemon(node);
    }

    /// <summary>A fencing device acted on <paramref name="victim"/>: its machine loses power (and, for a reboot, comes back).</summary>
    /// <summary>
    /// With watchdog fencing, each machine's hardware watchdog, as SBD arms it: the daemon feeds it
    /// while it runs, and a machine whose daemon died or stood still for longer than the device's
    /// timeout (half the stonith-watchdog-timeout) resets. Without it a crashed daemon left its
    /// resources running after the quorate side had waited the timeout and started them too
    /// (seed 200 with --watchdog).
    /// </summary>
    internal TimeSpan? WatchdogDevice => Watchdog && Scenario.Fencing ? TimeSpan.FromMilliseconds(2500) : null;

    /// <summary>Watchdog fencing: asked for, or implied by a mutant that breaks it.</summary>
    private bool Watchdog => options.Watchdog || options.Mutant == "no-self-fence";

    private static readonly TimeSpan WatchdogCheck = TimeSpan.FromMilliseconds(100);

    private void CheckWatchdogs()
    {
        foreach (var n in nodes)
        {
            if (!n.Machine.PoweredOn || n.WatchdogFed is not { } fed || Now - fed <= WatchdogDevice) continue;
            SelfFence(n, $"haclusterd has not fed it for {(Now - fed).TotalSeconds:0.0} s (the hardware watchdog fired)");
        }
        At(Now + WatchdogCheck, CheckWatchdogs);
    }

    /// <summary>A node's controller reset its own machine (watchdog fencing): off now, back after a reboot.</summary>
    internal void SelfFence(SimulatedNode node, string reason)
    {
        if (!node.Machine.PoweredOn) return;
        PowerOff(node, $"self-fenced by its watchdog: {reason}");
        At(Now + TimeSpan.FromMilliseconds(3000 + Random.Next(5000)), () => PowerOn(node));
    }

    internal void Fence(string victim, string task, string by)
    {
        if (nodes.FirstOrDefault(n => n.Name == victim) is not { } node) return;
        if (task == "on")
        {
            PowerOn(node);
            return;
        }
        PowerOff(node, $"fenced ({task}) by {by}");
        if (task == "reboot") At(Now + TimeSpan.FromMilliseconds(3000 + Random.Next(5000)), () => PowerOn(node));
    }

    /// <summary>Sends a datagram from <paramref name="from"/> to one node or all, through the network's faults.</summary>
    internal void Transmit(int from, int ring, int? destination, ReadOnlySpan<byte> datagram)
    {
        byte[]? copy = null;
        foreach (var node in nodes)
        {
            if (node.Id == from || (destination is { } d && d != node.Id)) continue;
            foreach (var delay in Network.Deliveries(from, node.Id))
            {
                copy ??= datagram.ToArray();
                var bytes = copy;
                var to = node;
                At(Now + delay, () => to.Daemon?.Receive(ring, bytes));
            }
        }
    }

    /// <summary>A client commits a changed configuration through <paramref name="node"/>.</summary>
    private void Commit(SimulatedNode node)
    {
        if (node.Daemon is not { Alive: true, Paused: false } daemon)
        {
            Trace("client", $"commit through {node.Name} skipped: its daemon is not running");
            return;
        }
        var id = ++requestCounter;
        var crm = Scenario.Overlay(Random);
        var xml = Scenario.ToXmlAt(crm, new CibVersion(0, 1, 0));
        commits[id] = (node, Now);
        Trace("client", $"commit {id} through {node.Name} (base {daemon.Controller.CibVersion}): {crm.Split('\n').Where(l => l.StartsWith("location sim") || l.Contains("standby")).DefaultIfEmpty("base").Aggregate((a, b) => a + "; " + b)}");
        daemon.Feed(new CommitRequested(id, xml, daemon.Controller.CibVersion.ToString(), false, "simclient"));
    }

    internal void Answered(SimulatedNode node, RequestAnswered answer)
    {
        if (!commits.Remove(answer.RequestId, out var commit)) return;
        Trace("client", $"commit {answer.RequestId} through {node.Name}: {(answer.Ok ? "ok, " + answer.Version : "refused: " + answer.Error)}");
        if (answer.Ok && CibVersion.TryParse(answer.Version, out var version)) invariants.Acknowledged(version, node.Name);
    }

    internal void Stored(SimulatedNode node, CibVersion version, byte[] xml, CibVersion previous) => invariants.Stored(node.Name, version, xml, previous);
}
