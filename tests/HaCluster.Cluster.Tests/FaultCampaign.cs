using System.Diagnostics;
using System.Xml.Linq;
using HaCluster.Cli.Status;
using HaCluster.Core.Api;

namespace HaCluster.Cluster.Tests;

// Also compiled into HaCluster.Benchmarks (linked), whose `campaign` command runs 100 of these.

/// <summary>One fault of a run: what, to which node, when (from the run's start) and for how long.</summary>
internal sealed record CampaignFault(string Kind, string Node, TimeSpan At, TimeSpan Duration)
{
    public override string ToString() => $"{Kind} {Node} at {At.TotalSeconds:0.0}s for {Duration.TotalSeconds:0.0}s";
}

/// <summary>What one run did and found.</summary>
internal sealed record CampaignRun(int Seed, IReadOnlyList<CampaignFault> Faults, int CommitsTried, IReadOnlyList<string> Acknowledged,
    IReadOnlyList<string> Lost, IReadOnlyList<ActivityObserver.Overlap> Overlaps, TimeSpan? Convergence, string? Stuck, IReadOnlyList<string> Fenced)
{
    public bool Clean => Lost.Count == 0 && Overlaps.Count == 0 && Convergence is not null;

    public override string ToString() =>
        $"seed {Seed}: {string.Join("; ", Faults)}; fenced: {(Fenced.Count == 0 ? "none" : string.Join(", ", Fenced))}; commits {Acknowledged.Count}/{CommitsTried} acknowledged; " +
        (Convergence is { } c ? $"converged {c.TotalSeconds:0.0} s after the heal" : $"NOT converged: {Stuck}") +
        (Lost.Count > 0 ? $"; LOST commits: {string.Join(", ", Lost)}" : "") +
        (Overlaps.Count > 0 ? $"; ACTIVE TWICE: {string.Join("; ", Overlaps)}" : "");
}

/// <summary>
/// The real-process fault campaign of issue 22: seed 003's stack (<see cref="NetnsStack"/>, fencing
/// on with fence_netns) on three haclusterd in network namespaces, and per run a seeded schedule of
/// faults — kill -9 of a daemon (systemd restarts it), SIGSTOP/SIGCONT, a symmetric partition (the
/// switch port down), a one-way cut (netem drops everything the node sends), 20-30 % loss with
/// delay, a power loss — with configuration commits through random nodes meanwhile. Then every
/// fault is healed (a machine that was fenced or lost power boots: its /run is empty, its VIP
/// gone) and the run checks, from outside: no resource was active on two nodes at once (the
/// <see cref="ActivityObserver"/>'s log of every agent run and fencing), every acknowledged commit
/// is in every node's configuration, and the cluster converges (one DC, one CIB version, the stack
/// on one node, the VIP answering the client) within <see cref="ConvergenceLimit"/>.
/// </summary>
internal sealed class FaultCampaign : IDisposable
{
    public static readonly TimeSpan ConvergenceLimit = TimeSpan.FromSeconds(90);
    public static readonly string[] Kinds = ["kill", "pause", "partition", "one-way", "lossy", "power"];
    private static readonly HashSet<string> Singles = ["p_ip_mysql", "p_fs_mysql", "p_mysql"];

    public NetnsStack Stack { get; } = new(observed: true);
    private TestCluster Cluster => Stack.Cluster;
    private TestNetwork Network => Stack.Network;
    private ActivityObserver Observer => Stack.Observer!;
    private readonly Dictionary<string, double> poweredOnAt = NetnsStack.All.ToDictionary(n => n, _ => 0.0);
    private readonly HashSet<string> powerLost = new();

    public void Dispose() => Stack.Dispose();

    public Task<string> StartAsync() => Stack.StartAsync();

    /// <summary>A run's faults, drawn from <paramref name="seed"/>: one to three, in the first 6 s.</summary>
    public static IReadOnlyList<CampaignFault> Plan(Random random)
    {
        var count = random.Next(1, 4);
        return Enumerable.Range(0, count).Select(_ =>
        {
            var kind = Kinds[random.Next(Kinds.Length)];
            var node = NetnsStack.All[random.Next(NetnsStack.All.Length)];
            var at = TimeSpan.FromMilliseconds(random.Next(500, 6000));
            var duration = TimeSpan.FromMilliseconds(kind switch
            {
                "kill" => random.Next(1000, 3000), // until systemd restarts it
                "pause" => random.Next(500, 4000),
                "lossy" => random.Next(4000, 8000),
                _ => random.Next(2000, 8000),
            });
            return new CampaignFault(kind, node, at, duration);
        }).OrderBy(f => f.At).ToList();
    }

    public async Task<CampaignRun> RunAsync(int seed)
    {
        var random = new Random(seed);
        var faults = Plan(random);
        var commitTimes = Enumerable.Range(0, random.Next(0, 3)).Select(_ => TimeSpan.FromMilliseconds(random.Next(500, 8000))).Order().ToList();
        var commitNodes = commitTimes.Select(_ => NetnsStack.All[random.Next(3)]).ToList();
        var runStart = ActivityObserver.Now();
        var undo = new List<(TimeSpan At, Action Action)>();
        var commits = new List<Task<string?>>();
        var phaseEnd = faults.Max(f => f.At + f.Duration) + TimeSpan.FromMilliseconds(500);
        if (commitTimes.Count > 0 && commitTimes[^1] > phaseEnd) phaseEnd = commitTimes[^1];
        var clock = Stopwatch.StartNew();
        int nextFault = 0, nextCommit = 0;
        while (clock.Elapsed < phaseEnd)
        {
            var now = clock.Elapsed;
            while (nextFault < faults.Count && faults[nextFault].At <= now)
            {
                var f = faults[nextFault++];
                if (Apply(f) is { } heal) undo.Add((now + f.Duration, heal));
            }
            while (nextCommit < commitTimes.Count && commitTimes[nextCommit] <= now)
            {
                var node = commitNodes[nextCommit];
                var mark = $"mark-{seed}-{nextCommit++}";
                commits.Add(Task.Run(() => Commit(node, mark)));
            }
            foreach (var u in undo.Where(u => u.At <= now).ToList())
            {
                u.Action();
                undo.Remove(u);
            }
            await Task.Delay(20);
        }
        foreach (var u in undo) u.Action();
        HealAll();
        var healed = Stopwatch.StartNew();
        // Convergence is timed from the heal; commits still waiting for an answer (one sent to a
        // paused daemon waits for it) are awaited meanwhile, not before.
        var converging = Cluster.WaitUntil("the cluster converges", Converged, ConvergenceLimit);
        var acknowledged = (await Task.WhenAll(commits)).OfType<string>().ToList();
        string? stuck = null;
        TimeSpan? convergence = null;
        try
        {
            await converging;
            convergence = healed.Elapsed;
        }
        catch (TimeoutException)
        {
            stuck = Describe();
        }
        var lost = acknowledged.Where(mark => NetnsStack.All.Any(n => Cluster.Status(n)?.ConfigurationXml is not { } xml || !xml.Contains($"id=\"{mark}\"", StringComparison.Ordinal))).ToList();
        var entries = Observer.Read();
        var overlaps = ActivityObserver.Overlaps(entries, Singles).Where(o => o.To >= runStart).ToList();
        var fenced = entries.Where(e => e.Action.StartsWith("fence-", StringComparison.Ordinal) && e.Rc == 0 && e.End >= runStart).Select(e => e.Resource).ToList();
        return new CampaignRun(seed, faults, commitTimes.Count, acknowledged, lost, overlaps, convergence, stuck, fenced);
    }

    /// <summary>Does the fault now; returns what ends it (null: nothing to end, or it could not be done).</summary>
    private Action? Apply(CampaignFault f)
    {
        var n = f.Node;
        if (IsPoweredOff(n)) return null;
        switch (f.Kind)
        {
            case "kill":
                if (!Cluster.IsRunning(n)) return null;
                Cluster.Kill(n);
                // systemd's Restart=on-failure, unless the machine is off by then.
                return () => { if (!IsPoweredOff(n) && !Cluster.IsRunning(n)) Cluster.Start(n); };
            case "pause":
                if (!Cluster.IsRunning(n)) return null;
                var pid = Cluster.Pid(n);
                Signal("STOP", pid);
                return () => Signal("CONT", pid);
            case "partition":
                Network.SwitchPort(n, 0, up: false);
                return () => Network.SwitchPort(n, 0, up: true);
            case "one-way":
                Network.Exec(n, "tc", "qdisc", "replace", "dev", "ring0", "root", "netem", "loss", "100%");
                return () => Network.Exec(n, "tc", "qdisc", "del", "dev", "ring0", "root");
            case "lossy":
                var loss = 20 + (int)(f.At.TotalMilliseconds % 11);
                Network.Exec(n, "tc", "qdisc", "replace", "dev", "ring0", "root", "netem", "loss", $"{loss}%", "delay", "30ms", "10ms");
                return () => Network.Exec(n, "tc", "qdisc", "del", "dev", "ring0", "root");
            case "power":
                PowerOff(n);
                return () => PowerOn(n);
            default:
                throw new ArgumentException($"unknown fault {f.Kind}");
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    /// <summary>SIGSTOP or SIGCONT (x86-64 numbers) to a daemon; nothing if it died meanwhile.</summary>
    private static void Signal(string signal, int pid) => kill(pid, signal == "STOP" ? 19 : 18);

    /// <summary>The machine loses power: every process in it ends, its links go dark, what it ran is gone.</summary>
    private void PowerOff(string node)
    {
        Network.KillAll(node);
        Network.Link(node, 0, up: false);
        powerLost.Add(node);
        Observer.Note(node, "power-cycle");
    }

    /// <summary>Off since it was fenced (the fence agent's log says so) or lost power, and not booted since.</summary>
    private bool IsPoweredOff(string node) =>
        powerLost.Contains(node) || Observer.Read().Any(e => e.Action is "fence-off" or "fence-reboot" && e.Rc == 0 && e.Resource == node && e.End > poweredOnAt[node]);

    /// <summary>The machine boots: nothing left running, /run empty (HA_RSCTMP, the Stateful state), no VIP, links up, the daemon starts.</summary>
    private void PowerOn(string node)
    {
        if (!IsPoweredOff(node)) return;
        Network.KillAll(node);
        foreach (var dir in new[] { $"{node}.rsctmp", $"{node}.varrun" }.Select(d => Path.Combine(Cluster.Dir, d)).Where(Directory.Exists))
            foreach (var file in Directory.EnumerateFileSystemEntries(dir)) File.Delete(file);
        Network.Exec(node, "ip", "addr", "flush", "dev", "ring0", "secondary");
        Network.Exec(node, "tc", "qdisc", "del", "dev", "ring0", "root");
        Network.Link(node, 0, up: true);
        powerLost.Remove(node);
        poweredOnAt[node] = ActivityObserver.Now();
        Cluster.Start(node);
    }

    /// <summary>The end of the fault phase: every link and qdisc as it was, every paused daemon running, every machine on, every daemon started.</summary>
    private void HealAll()
    {
        foreach (var n in NetnsStack.All)
        {
            Network.SwitchPort(n, 0, up: true);
            if (IsPoweredOff(n))
            {
                PowerOn(n);
                continue;
            }
            Network.Exec(n, "tc", "qdisc", "del", "dev", "ring0", "root");
            if (Cluster.IsRunning(n)) Signal("CONT", Cluster.Pid(n));
            else Cluster.Start(n);
        }
    }

    /// <summary>
    /// A commit through <paramref name="node"/>: its configuration plus a location constraint of
    /// score 0 named <paramref name="mark"/> (it changes no placement), checked against the version
    /// it was read at. Returns the mark when the cluster acknowledged the commit.
    /// </summary>
    private string? Commit(string node, string mark)
    {
        if (Cluster.Status(node) is not { ConfigurationXml: { } xml, CibVersion: { } version }) return null;
        var cib = XDocument.Parse(xml);
        var configuration = cib.Root!.Element("configuration")!;
        var constraints = configuration.Element("constraints") ?? new XElement("constraints");
        if (constraints.Parent is null) configuration.Add(constraints);
        constraints.Add(new XElement("rsc_location", new XAttribute("id", mark), new XAttribute("rsc", "p_mysql"), new XAttribute("node", node), new XAttribute("score", "0")));
        var reply = ApiClient.Call(Cluster.Socket(node), new ApiRequest("commit", new Dictionary<string, string> { ["configuration"] = cib.ToString(), ["base"] = version }),
            out _, TimeSpan.FromSeconds(40));
        return reply is { Ok: true } ? mark : null;
    }

    /// <summary>Every daemon up in one agreed, quorate view with one DC and one CIB version; the stack on one node, its VIP answering the client.</summary>
    private bool Converged()
    {
        var status = NetnsStack.All.Select(Cluster.Status).ToList();
        if (status.Any(s => s is null || s.Dc is null || !s.Quorate || TestCluster.Online(s).Count() != 3)) return false;
        if (status.Select(s => s!.CibVersion).Distinct().Count() != 1 || status.Select(s => s!.Dc).Distinct().Count() != 1) return false;
        return Stack.StackNode(NetnsStack.All) is { } active && Stack.ClientReachesVipOn(active);
    }

    private string Describe()
    {
        var parts = NetnsStack.All.Select(n => Cluster.Status(n) is { } s
            ? $"{n}: DC {s.Dc ?? "none"}, {(s.Quorate ? "quorate" : "no quorum")}, online {string.Join(",", TestCluster.Online(s))}, CIB {s.CibVersion}"
            : $"{n}: {(Cluster.IsRunning(n) ? "no status" : "daemon not running")}");
        return string.Join("; ", parts) + $"; VIP on {string.Join(",", Stack.VipOn(NetnsStack.All))}, promoted on {string.Join(",", Stack.Promoted(NetnsStack.All))}";
    }
}
