using HaCluster.Core.Cib;
using HaCluster.Core.Control;
using HaCluster.Core.Policy;

namespace HaCluster.Simulation;

/// <summary>
/// The simulator's executor: runs a node's actions against its <see cref="SimulatedMachine"/>
/// with modelled agents (durations, failures, hung stops, recurring monitors that notice a
/// resource that died) and records every outcome in the same <see cref="ResourceHistoryBook"/>
/// the daemon's resource manager keeps, so the controller sees exactly what it would see live.
/// </summary>
internal sealed class SimulatedResourceManager(SimulatedDaemon daemon, SimulatedMachine machine, Simulation sim)
{
    /// <summary>How long a hung stop runs before the executor gives up on it (the operation's timeout).</summary>
    public static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(20);

    private readonly Dictionary<string, long> monitors = new();
    private long monitorGeneration;

    public ResourceHistoryBook Book { get; } = new(daemon.Name);

    public NodeReport Report() => Book.Report(-1);

    /// <summary>Probes every configured primitive not yet known here; the report then says <paramref name="version"/> was probed.</summary>
    public void Probe(ClusterConfig config, string version)
    {
        var todo = config.AllResources().OfType<Primitive>().Where(p => !Book.Knows(p.Id)).ToList();
        var delay = TimeSpan.FromMilliseconds(10 + sim.Random.Next(90));
        daemon.After(delay, () =>
        {
            foreach (var p in todo)
            {
                if (Book.Knows(p.Id)) continue;
                var rc = RcOf(p.Id);
                Record(config, p, p.Id, "monitor", 0, rc, 7, rc is 0 or 7 or 8, null);
            }
            Book.MarkProbed(version);
            if (sim.Debug) sim.Trace(daemon.Name, $"probed {todo.Count} resource(s) for configuration {version}; the report says {Book.ProbedConfiguration}");
            daemon.Feed(new LocalStateChanged(Report()));
        });
    }

    public void Forget(string resource, ClusterConfig? config, string version)
    {
        Book.Forget(resource);
        CancelMonitors(ResourceHistoryBook.BaseId(resource));
        if (config is not null) Probe(config, version);
        else daemon.Feed(new LocalStateChanged(Report()));
    }

    public void SetAttribute(string name, string? value)
    {
        Book.SetAttribute(name, value);
        daemon.Feed(new LocalStateChanged(Report()));
    }

    /// <summary>Runs one action; its outcome reaches the machine and the controller after a modelled duration.</summary>
    public void Run(RunOperation run)
    {
        var (request, config, requestedBy) = run;
        var primitive = config.AllResources().OfType<Primitive>().FirstOrDefault(p => p.Id == ResourceHistoryBook.BaseId(request.Resource));
        if (primitive is null)
        {
            Finish(run, request.Answer(6, false, "no such resource"));
            return;
        }
        if (request.Target is { } victim)
        {
            Fence(run, victim);
            return;
        }
        var id = ResourceHistoryBook.HistoryId(config, request.Resource);
        var faults = sim.AgentFaults;
        switch (request.Task)
        {
            case "monitor" when request.IntervalMs > 0:
                // Answered with the first run's result, as the daemon's executor does.
                var (firstRc, firstOk) = StartMonitor(config, primitive, id, request);
                Finish(run, Result(request, firstRc, firstOk));
                return;
            case "notify":
                    daemon.AgentAfter(TimeSpan.FromMilliseconds(5 + sim.Random.Next(50)), () =>
                {
                    Finish(run, Result(request, 0, true) with { Node = daemon.Name });
                });
                return;
        }
        var duration = TimeSpan.FromMilliseconds(50 + sim.Random.Next(request.Task is "start" or "stop" ? 1500 : 600));
        var fails = request.Task switch
        {
            "start" => sim.Random.NextDouble() < faults.StartFails,
            "promote" => sim.Random.NextDouble() < faults.PromoteFails,
            "stop" => sim.Random.NextDouble() < faults.StopHangs,
            _ => false,
        };
        if (fails && request.Task == "stop") duration = StopTimeout;
        // The agent is a process of its own: what it does to the machine happens even if the
        // daemon dies meanwhile (only its result is lost then).
        daemon.AgentAfter(duration, () =>
        {
            var rc = Apply(id, request.Task, fails);
            SetPromotionScore(config, primitive, id);
            var expected = request.Task == "monitor" && request.IntervalMs == 0 ? 7 : 0;
            var ok = request.Task == "monitor" && request.IntervalMs == 0 ? rc is 0 or 7 or 8 : rc == 0;
            if (request.Task is "stop" or "start" or "promote" or "demote") CancelMonitors(id);
            Record(config, primitive, id, request.Task, request.IntervalMs, rc, expected, ok, fails ? (request.Task == "stop" ? "Timed Out" : "simulated failure") : null, request.Meta);
            Finish(run, Result(request, rc, ok));
        });
    }

    /// <summary>What the operation does to the machine; its exit code.</summary>
    private int Apply(string id, string task, bool fails)
    {
        var resources = machine.Resources;
        switch (task)
        {
            case "start" or "migrate_from":
                if (fails) return 1;
                resources.TryAdd(id, ResourceState.Started);
                return 0;
            case "stop" or "migrate_to":
                if (fails) return 1;
                resources.Remove(id);
                return 0;
            case "promote":
                if (fails || !resources.ContainsKey(id)) return fails ? 1 : 7;
                resources[id] = ResourceState.Promoted;
                return 0;
            case "demote":
                if (!resources.ContainsKey(id)) return 7;
                resources[id] = ResourceState.Started;
                return 0;
            case "monitor":
                return RcOf(id);
            default:
                return 0;
        }
    }

    /// <summary>
    /// A promotable resource's agent sets its promotion score as ocf:pacemaker:Stateful does
    /// (crm_master): 5 where it runs unpromoted, 10 where promoted, none where stopped.
    /// </summary>
    private void SetPromotionScore(ClusterConfig config, Primitive primitive, string id)
    {
        if (!config.AllResources().OfType<Clone>().Any(c => c.IsPromotable && c.Child.Primitives().Any(p => p.Id == primitive.Id))) return;
        var score = machine.Resources.TryGetValue(id, out var state) ? state == ResourceState.Promoted ? "10" : "5" : null;
        Book.SetAttribute($"master-{primitive.Id}", score);
    }

    private int RcOf(string id) => machine.Resources.TryGetValue(id, out var state) ? state == ResourceState.Promoted ? 8 : 0 : 7;

    /// <summary>A fencing request: the victim's machine loses power after the device's delay (or the device fails).</summary>
    private void Fence(RunOperation run, string victim)
    {
        var request = run.Request;
        var fails = sim.Random.NextDouble() < sim.AgentFaults.FencingFails;
        daemon.AgentAfter(TimeSpan.FromMilliseconds(300 + sim.Random.Next(1500)), () =>
        {
            if (!fails) sim.Fence(victim, request.Task, daemon.Name);
            Finish(run, request.Answer(fails ? 1 : 0, !fails, fails ? "simulated fencing failure" : null, daemon.Name, intervalMs: 0));
        });
    }

    private (int Rc, bool Ok) StartMonitor(ClusterConfig config, Primitive primitive, string id, ExecuteRequest request)
    {
        var generation = ++monitorGeneration;
        monitors[id + "#" + request.IntervalMs] = generation;
        var expected = request.Role is "Promoted" or "Master" ? 8 : 0;
        var interval = TimeSpan.FromMilliseconds(request.IntervalMs);
        // The executor runs the first monitor at once and records it (its first result is a change).
        var first = RcOf(id);
        Record(config, primitive, id, "monitor", request.IntervalMs, first, expected, first == expected, first == expected ? null : "first monitor found it " + (first == 7 ? "not running" : "in another role"));
        if (first != expected)
        {
            monitors.Remove(id + "#" + request.IntervalMs);
            return (first, false);
        }
        void Check()
        {
            if (!monitors.TryGetValue(id + "#" + request.IntervalMs, out var g) || g != generation) return;
            var rc = RcOf(id);
            if (rc == expected)
            {
                After(interval, Check);
                return;
            }
            monitors.Remove(id + "#" + request.IntervalMs);
            Record(config, primitive, id, "monitor", request.IntervalMs, rc, expected, false, "monitor found it " + (rc == 7 ? "not running" : "in another role"));
            daemon.Feed(new LocalStateChanged(Report()));
        }
        After(interval, Check);
        return (first, true);
    }

    private void CancelMonitors(string id)
    {
        foreach (var key in monitors.Keys.Where(k => k.StartsWith(id + "#", StringComparison.Ordinal)).ToList()) monitors.Remove(key);
    }

    private void Record(ClusterConfig config, Primitive p, string id, string task, long intervalMs, int rc, int expected, bool ok, string? reason,
        IReadOnlyDictionary<string, string>? meta = null)
    {
        var digest = OperationDigest.For(config, p, task, intervalMs, _ => false);
        Book.Record(config.AgentOf(p)!, id, task, intervalMs, rc, expected, ok, reason, digest, daemon.Wall, meta);
    }

    private static ExecuteResult Result(ExecuteRequest r, int rc, bool ok) => r.Answer(rc, ok, null);

    private void Finish(RunOperation run, ExecuteResult result) => daemon.Feed(new OperationFinished(result, run.RequestedBy, Report()));

    /// <summary>Runs <paramref name="action"/> later in this daemon (an executor timer: not if the daemon died, late if it was paused).</summary>
    private void After(TimeSpan delay, Action action) => daemon.After(delay, action);
}
