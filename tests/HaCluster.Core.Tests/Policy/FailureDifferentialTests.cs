using System.Xml.Linq;
using HaCluster.Core.Cib.Syntax;
using HaCluster.Core.Policy;
using HaCluster.Core.Status;
using Xunit;
using Xunit.Abstractions;

namespace HaCluster.Core.Tests.Policy;

/// <summary>
/// The third differential test against crm_simulate (issue 23): <see cref="FailureScenarios"/>'
/// clusters, written as Pacemaker 2.1 records failures. Both schedulers read the same CIB XML
/// file; Transition Summaries must match. Three seed ranges (docs/benchmarks.md): CI's 1-60,
/// a development range from 1001 (bench/differential.sh), and a held-out range from 900001 that
/// is only ever reported in total, never looked at case by case while changing the scheduler.
/// </summary>
public class FailureDifferentialTests(ITestOutputHelper log)
{
    private static readonly string KnownFile = Path.Combine(TestPaths.RepoRoot, "tests", "HaCluster.Core.Tests", "Policy", "failure-differential-known.txt");

    /// <summary>Our Transition Summary for a CIB file's text, read as the daemon reads it; null with the reason when it does not parse.</summary>
    internal static List<string> Ours(string xml, out string? problem)
    {
        problem = null;
        var parsed = CibXmlReader.Parse(xml, "generated.xml");
        if (parsed.Config is null)
        {
            problem = string.Join("; ", parsed.Errors);
            return [];
        }
        var status = parsed.Status ?? ClusterStatus.Empty;
        return Scheduler.Schedule(parsed.Config, status, status.ExecutionDate ?? DateTimeOffset.FromUnixTimeSeconds(FailureScenarios.Now))
            .SummaryLines().Select(ConformanceTests.Normalise).ToList();
    }

    /// <summary>The features a case exercises, for per-feature agreement.</summary>
    internal static IEnumerable<string> Features(string xml)
    {
        var cib = XDocument.Parse(xml);
        var all = cib.Descendants().ToList();
        foreach (var onFail in all.Where(e => e.Name == "op").Select(e => (string?)e.Attribute("on-fail")).OfType<string>().Distinct()) yield return $"on-fail={onFail}";
        foreach (var name in new[] { "migration-threshold", "failure-timeout", "resource-stickiness", "multiple-active", "is-managed", "target-role", "placement-strategy", "start-failure-is-fatal", "globally-unique", "promotable", "standby" })
            if (all.Any(e => e.Name == "nvpair" && (string?)e.Attribute("name") == name)) yield return name;
        var ops = all.Where(e => e.Name == "lrm_rsc_op").ToList();
        bool Failed(string task) => ops.Any(o => (string?)o.Attribute("operation") == task && (string?)o.Attribute("id") is { } id && id.EndsWith("_last_failure_0", StringComparison.Ordinal));
        foreach (var task in new[] { "start", "monitor", "stop", "promote" }) if (Failed(task)) yield return $"failed {task}";
        if (ops.Any(o => (string?)o.Attribute("op-status") == "2")) yield return "timeout";
        if (ops.Any(o => (string?)o.Attribute("op-digest") is { } d && d != "f2317cad3d54cec5d7d7aa7d0bf35cf8")) yield return "definition change";
        if (all.Any(e => e.Name == "node_state" && (string?)e.Attribute("crmd") == "offline" && (string?)e.Attribute("join") == "member")) yield return "lost node";
        if (all.Any(e => e.Name == "node_state" && (string?)e.Attribute("join") == "down")) yield return "node down";
        if (all.Any(e => e.Name == "group")) yield return "group";
        if (all.Any(e => e.Name == "utilization")) yield return "utilization";
    }

    /// <summary>Runs seeds [first, first+cases): the seeds that disagree, and per-feature (agreed, total).</summary>
    internal static (List<int> Disagreements, List<int> PacemakerBugs, Dictionary<string, (int Agreed, int Total)> ByFeature, int WithActions) Run(int first, int cases, Action<string>? show)
    {
        var disagreements = new List<int>();
        var pacemakerBugs = new List<int>();
        var byFeature = new Dictionary<string, (int, int)>();
        var withActions = 0;
        for (var seed = first; seed < first + cases; seed++)
        {
            var xml = FailureScenarios.Generate(seed);
            if (Environment.GetEnvironmentVariable("HACLUSTER_FAIL_DIFF_DUMP") is { Length: > 0 } dump) File.WriteAllText(Path.Combine(dump, $"fail-seed-{seed}.xml"), xml);
            var theirs = CrmSimulateDifferentialTests.Pacemaker(xml).Order().ToList();
            var ours = Ours(xml, out var problem).Order().ToList();
            if (theirs.Count > 0) withActions++;
            var agreed = problem is null && theirs.SequenceEqual(ours);
            if (!agreed)
            {
                disagreements.Add(seed);
                var bug = problem is null ? PacemakerKnownBugs.In(xml) : null;
                if (bug is not null) pacemakerBugs.Add(seed);
                show?.Invoke($"seed {seed}:{(problem is null ? "" : " (does not parse: " + problem + ")")}{(bug is null ? "" : " (" + bug + ")")}\n  pacemaker: {string.Join(" | ", theirs)}\n  hacluster: {string.Join(" | ", ours)}");
            }
            foreach (var f in Features(xml))
            {
                var (a, t) = byFeature.GetValueOrDefault(f);
                byFeature[f] = (a + (agreed ? 1 : 0), t + 1);
            }
        }
        return (disagreements, pacemakerBugs, byFeature, withActions);
    }

    [Fact]
    public void Agreement_with_crm_simulate_on_recorded_failures()
    {
        Assert.True(File.Exists(CrmSimulateDifferentialTests.CrmSimulate), "crm_simulate is missing: the test command installs pacemaker-cli-utils");
        // CI runs seeds 1-60; HACLUSTER_FAIL_DIFF_FIRST / _CASES run others. A held-out range is
        // run with HACLUSTER_FAIL_DIFF_TOTALS_ONLY=1: totals and per-feature figures, no case shown.
        var cases = int.TryParse(Environment.GetEnvironmentVariable("HACLUSTER_FAIL_DIFF_CASES"), out var n) ? n : 60;
        var first = int.TryParse(Environment.GetEnvironmentVariable("HACLUSTER_FAIL_DIFF_FIRST"), out var f) ? f : 1;
        var totalsOnly = Environment.GetEnvironmentVariable("HACLUSTER_FAIL_DIFF_TOTALS_ONLY") == "1";
        var (disagreements, pacemakerBugs, byFeature, withActions) = Run(first, cases, totalsOnly ? null : log.WriteLine);
        log.WriteLine($"failure differential: {cases - disagreements.Count}/{cases} (seeds {first}..{first + cases - 1}; {withActions} with actions); {pacemakerBugs.Count} of the disagreements are crm_simulate 2.1.5 bugs fixed since");
        foreach (var (feature, (agreed, total)) in byFeature.OrderBy(x => x.Key))
            log.WriteLine($"  {feature}: {agreed}/{total} ({100.0 * agreed / total:0}%)");
        if (first != 1 || cases != 60) return;
        var known = File.ReadAllLines(KnownFile).Select(l => l.Split('#')[0].Trim()).Where(l => l.Length > 0).Select(int.Parse).ToHashSet();
        var unexpected = disagreements.Where(d => !known.Contains(d) && !pacemakerBugs.Contains(d)).ToList();
        var fixedNow = known.Where(k => !disagreements.Contains(k)).ToList();
        Assert.True(unexpected.Count == 0, $"disagreed on seeds {string.Join(", ", unexpected)} (known: {string.Join(", ", known.Order())})");
        Assert.True(fixedNow.Count == 0, $"seeds {string.Join(", ", fixedNow)} agree now: take them out of {KnownFile}");
    }

    [Fact]
    public void The_generator_writes_what_a_Pacemaker_2_1_cluster_records()
    {
        // Over CI's seeds every kind of recorded failure appears, crm_simulate reads every case,
        // and the same seed gives the same file.
        var features = Enumerable.Range(1, 60).SelectMany(s => Features(FailureScenarios.Generate(s))).ToHashSet();
        foreach (var f in new[] { "failed start", "failed monitor", "failed stop", "failed promote", "timeout", "definition change", "lost node", "migration-threshold", "failure-timeout", "globally-unique", "promotable", "utilization" })
            Assert.Contains(f, features);
        Assert.Equal(FailureScenarios.Generate(7), FailureScenarios.Generate(7));
    }
}
