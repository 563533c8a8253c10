using System.Diagnostics;
using System.Xml.Linq;
using HaCluster.Core.Cib;
using HaCluster.Core.Cib.Syntax;
using HaCluster.Core.Policy;
using HaCluster.Core.Status;
using Xunit;
using Xunit.Abstractions;

namespace HaCluster.Core.Tests.Policy;

/// <summary>
/// Differential testing against Pacemaker's own scheduler: random clusters (seeded) within the
/// features built so far (primitives, groups, locations, colocations, orders, stickiness,
/// running resources, failures), scheduled by us and by crm_simulate; Transition Summaries
/// must match.
/// </summary>
public class CrmSimulateDifferentialTests(ITestOutputHelper log)
{
    internal const string CrmSimulate = "/usr/sbin/crm_simulate";
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

    // The parameter digests Pacemaker 2.1.5 computes for a parameterless ocf:pacemaker:Dummy
    // (start/stop, and the 10 s monitor). With them the history matches the configuration, so
    // crm_simulate does not restart resources for a "definition change" (which we do not model).
    private const string StartDigest = "f2317cad3d54cec5d7d7aa7d0bf35cf8";
    private const string MonitorDigest = "4811cef7f7f94e3a35a70be7916cb2fd";

    /// <summary>A random small cluster: configuration and a status where some resources run.</summary>
    public static (ClusterConfig Config, ClusterStatus Status) RandomCluster(int seed)
    {
        var rng = new Random(seed);
        var nodeCount = rng.Next(2, 5);
        var nodes = Enumerable.Range(1, nodeCount).Select(i => $"node{i}").ToArray();
        var prims = new List<Primitive>();
        var resources = new List<Resource>();
        var top = new List<string>();
        int n = 0;
        Primitive NewPrimitive(int? stickiness = null)
        {
            var meta = stickiness is null ? EquatableArray<AttributeSet>.Empty : new[] { AttributeSet.Of(("resource-stickiness", stickiness.ToString()!)) };
            var p = new Primitive($"r{n++}", new AgentSpec("ocf", "pacemaker", "Dummy"), EquatableArray<AttributeSet>.Empty, meta,
                new[] { new Operation(null, "monitor", "10s", EquatableArray<NvPair>.Empty) });
            prims.Add(p);
            return p;
        }
        for (int i = 0, count = rng.Next(2, 7); i < count; i++)
        {
            if (rng.Next(4) == 0)
            {
                var g = new Group($"g{i}", Enumerable.Range(0, rng.Next(2, 4)).Select(_ => NewPrimitive()).ToEquatableArray(), EquatableArray<AttributeSet>.Empty);
                resources.Add(g);
                top.Add(g.Id);
            }
            else
            {
                var p = NewPrimitive(rng.Next(3) == 0 ? rng.Next(0, 200) : null);
                resources.Add(p);
                top.Add(p.Id);
            }
        }
        var constraints = new List<Constraint>();
        int c = 0;
        foreach (var id in top)
        {
            if (rng.Next(2) == 0)
                constraints.Add(new LocationConstraint($"l{c++}", id, nodes[rng.Next(nodes.Length)], new Score(rng.Next(4) == 0 ? -Score.InfinityValue : rng.Next(-50, 150))));
        }
        for (int i = 0, count = rng.Next(0, 3); i < count && top.Count > 1; i++)
        {
            var a = top[rng.Next(top.Count)];
            var b = top[rng.Next(top.Count)];
            if (a == b) continue;
            if (rng.Next(2) == 0)
                constraints.Add(new ColocationConstraint($"c{c++}", rng.Next(2) == 0 ? Score.Infinity : new Score(rng.Next(-100, 100)), a, b));
            else if (!constraints.OfType<OrderConstraint>().Any(o => o.First == b || o.Then == a))
                constraints.Add(new OrderConstraint($"o{c++}", a, b, Score: Score.Infinity));
        }
        var config = Configuration(nodes, resources, constraints);

        var histories = nodes.ToDictionary(x => x, _ => new List<ResourceHistory>());
        var attributes = nodes.ToDictionary(x => x, _ => new List<NvPair>());
        int call = 1;
        foreach (var g in resources)
        {
            if (rng.Next(3) != 0) continue;
            var where = nodes[rng.Next(nodes.Length)];
            foreach (var p in g.Primitives())
            {
                var failed = rng.Next(6) == 0;
                var ops = new List<OperationRecord> { new($"{p.Id}_last_0", "start", 0, 0, 0, call++, TransitionKey: "1:1:0:x", OpDigest: StartDigest) };
                ops.Add(new OperationRecord($"{p.Id}_monitor_10000", "monitor", 10000, failed ? 7 : 0, failed ? 4 : 0, call++, TransitionKey: "2:1:0:x", OpDigest: MonitorDigest));
                histories[where].Add(new ResourceHistory(p.Id, "ocf", "pacemaker", "Dummy", ops.ToEquatableArray()));
                if (failed) attributes[where].Add(new NvPair($"fail-count-{p.Id}#monitor_10000", "1"));
            }
        }
        return (config, Status(nodes, histories, attributes));
    }

    /// <summary>A generated cluster's configuration: no fencing, quorum ignored.</summary>
    internal static ClusterConfig Configuration(string[] nodes, List<Resource> resources, List<Constraint> constraints) => new()
    {
        Nodes = nodes.Select(x => new NodeDefinition(x, x)).ToEquatableArray(),
        Resources = resources.ToEquatableArray(),
        Constraints = constraints.ToEquatableArray(),
        Properties = new[] { AttributeSet.Of(("stonith-enabled", "false"), ("no-quorum-policy", "ignore")) },
    };

    /// <summary>A generated cluster's status: every node online, with these histories and attributes.</summary>
    internal static ClusterStatus Status(string[] nodes, Dictionary<string, List<ResourceHistory>> histories, Dictionary<string, List<NvPair>> attributes) => new()
    {
        HaveQuorum = true,
        Nodes = nodes.Select(x => new NodeState(x, x, "true", "online", "member", "member",
            TransientAttributes: attributes[x].ToEquatableArray(), Resources: histories[x].ToEquatableArray())).ToEquatableArray(),
    };

    public static string ToCib(ClusterConfig config, ClusterStatus status) => CibStatusWriter.WriteCib(config, status, Now).ToString();

    internal static List<string> Pacemaker(string cibXml, params string[] extra) =>
        ConformanceTests.ExtractSummaryFrom(RunCrmSimulate(cibXml, extra).Output);

    /// <summary>crm_simulate -S on a CIB (plus any arguments): what it prints, and what it logs.</summary>
    internal static (string Output, string Log) RunCrmSimulate(string cibXml, params string[] extra)
    {
        var file = Path.Combine(Path.GetTempPath(), $"hacluster-diff-{Guid.NewGuid():N}.xml");
        File.WriteAllText(file, cibXml);
        try
        {
            var psi = new ProcessStartInfo(CrmSimulate) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { "-S", "-x", file }.Concat(extra)) psi.ArgumentList.Add(a);
            psi.Environment["LC_ALL"] = "C";
            using var p = Process.Start(psi)!;
            var output = p.StandardOutput.ReadToEndAsync();
            var log = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(60_000)) { p.Kill(true); throw new TimeoutException("crm_simulate timed out"); }
            return (output.Result, log.Result);
        }
        finally { File.Delete(file); }
    }

    internal static List<string> Ours(ClusterConfig config, ClusterStatus status) =>
        Scheduler.Schedule(config, status, Now).SummaryLines().Select(ConformanceTests.Normalise).ToList();

    [Fact]
    public void Agreement_with_crm_simulate_on_random_clusters()
    {
        Assert.True(File.Exists(CrmSimulate), "crm_simulate is missing: the test command installs pacemaker-cli-utils");
        var disagreements = new List<int>();
        // CI runs seeds 1-60; HACLUSTER_DIFF_FIRST / HACLUSTER_DIFF_CASES run others (bench/differential.sh).
        var cases = int.TryParse(Environment.GetEnvironmentVariable("HACLUSTER_DIFF_CASES"), out var n) ? n : 60;
        var first = int.TryParse(Environment.GetEnvironmentVariable("HACLUSTER_DIFF_FIRST"), out var f) ? f : 1;
        for (int seed = first; seed < first + cases; seed++)
        {
            var (config, status) = RandomCluster(seed);
            var cib = ToCib(config, status);
            // HACLUSTER_DIFF_DUMP=DIR keeps every case as DIR/prim-seed-N.xml.
            if (Environment.GetEnvironmentVariable("HACLUSTER_DIFF_DUMP") is { Length: > 0 } dump) File.WriteAllText(Path.Combine(dump, $"prim-seed-{seed}.xml"), cib);
            var theirs = Pacemaker(cib).OrderBy(x => x).ToList();
            var ours = Ours(config, status).OrderBy(x => x).ToList();
            if (!theirs.SequenceEqual(ours))
            {
                disagreements.Add(seed);
                log.WriteLine($"seed {seed}:\n  pacemaker: {string.Join(" | ", theirs)}\n  hacluster: {string.Join(" | ", ours)}");
            }
        }
        log.WriteLine($"agreement: {cases - disagreements.Count}/{cases} (seeds {first}..{first + cases - 1})");
        Assert.True(disagreements.Count == 0, $"disagreed on seeds {string.Join(", ", disagreements)}");
    }

    /// <summary>
    /// The what-if injections of `hacrm simulate` against crm_simulate's own: a node failing
    /// (--node-fail / -f) or a running resource's monitor failing (--op-fail / -i).
    /// </summary>
    [Fact]
    public void Injected_node_and_operation_failures_agree_with_crm_simulate()
    {
        var disagreements = new List<string>();
        var withChanges = 0;
        const int cases = 40;
        for (int seed = 1; seed <= cases; seed++)
        {
            var (config, status) = RandomCluster(seed);
            var rng = new Random(seed * 7919);
            var running = status.Nodes.SelectMany(n => n.Resources.Where(r => r.Operations.Any(o => o.Task == "monitor" && o.IntervalMs == 10000 && o.RcCode == 0) && !r.Operations.Any(o => o.RcCode != 0 && o.RcCode != 7))
                .Select(r => (Node: n.Uname!, Rsc: r.Id))).ToList();
            ClusterStatus injected;
            string[] theirArgs;
            if (seed % 2 == 0 || running.Count == 0)
            {
                var node = status.Nodes[rng.Next(status.Nodes.Count)].Uname!;
                injected = StatusInjection.NodeFail(status, node);
                theirArgs = ["-f", node];
            }
            else
            {
                var (node, rsc) = running[rng.Next(running.Count)];
                var rc = rng.Next(2) == 0 ? 7 : 1;
                var op = $"{rsc}_monitor_10000@{node}={rc}";
                injected = StatusInjection.OperationResult(status, config, op, out var problem) ?? throw new InvalidOperationException(problem);
                theirArgs = ["-i", op];
            }
            var theirs = Pacemaker(ToCib(config, status), theirArgs).OrderBy(x => x).ToList();
            var ours = Ours(config, injected).OrderBy(x => x).ToList();
            if (theirs.Count > 0) withChanges++;
            if (!theirs.SequenceEqual(ours))
                disagreements.Add($"seed {seed} ({string.Join(' ', theirArgs)}):\n  pacemaker: {string.Join(" | ", theirs)}\n  hacluster: {string.Join(" | ", ours)}");
        }
        Assert.True(disagreements.Count == 0, $"{disagreements.Count}/{cases} disagree:\n{string.Join("\n", disagreements)}");
        Assert.True(withChanges >= cases / 2, $"only {withChanges} of {cases} injections changed anything: the comparison says little");
    }
}
