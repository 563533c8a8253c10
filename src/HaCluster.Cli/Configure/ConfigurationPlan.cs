using DiffPlex.DiffBuilder;
using DiffPlex.DiffBuilder.Model;
using HaCluster.Core.Cib;
using HaCluster.Core.Cib.Syntax;
using HaCluster.Core.Policy;

namespace HaCluster.Cli.Configure;

/// <summary>
/// What a configuration change would do, before it is committed (`hacrm configure diff FILE`, the
/// shell's `diff`): the crm lines that go and come, then the scheduler run on the DC's last status
/// picture with the new configuration, which says what would start, stop, move, promote. The
/// same scheduler the DC runs, so the plan is what the DC would do right after the commit.
/// </summary>
public static class ConfigurationPlan
{
    /// <summary>The nodes the DC schedules with (cluster.yaml's members join the CIB's node list) added to a configuration that lacks them.</summary>
    private static ClusterConfig WithNodes(ClusterConfig config, ClusterConfig scheduled)
    {
        var known = config.Nodes.Select(n => n.Uname).ToHashSet();
        var missing = scheduled.Nodes.Where(n => !known.Contains(n.Uname)).ToList();
        return missing.Count == 0 ? config : config with { Nodes = config.Nodes.Concat(missing).ToEquatableArray() };
    }

    public static void Print(ClusterConfig running, ClusterConfig proposed, string? pictureXml, TextWriter output)
    {
        var diff = InlineDiffBuilder.Diff(CrmPrinter.Print(running), CrmPrinter.Print(proposed), ignoreWhiteSpace: false);
        var changed = diff.Lines.Where(l => l.Type is ChangeType.Inserted or ChangeType.Deleted).ToList();
        output.WriteLine(changed.Count == 0 ? "Configuration: no change" : "Configuration:");
        foreach (var line in changed) output.WriteLine((line.Type == ChangeType.Inserted ? "+ " : "- ") + line.Text);
        output.WriteLine();
        if (pictureXml is null || CibXmlReader.Parse(pictureXml, "status") is not { Status: { } status, Config: { } scheduled })
        {
            output.WriteLine("Plan: unknown (no status picture from the DC yet)");
            return;
        }
        var now = DateTimeOffset.UtcNow;
        var before = Scheduler.Schedule(WithNodes(running, scheduled), status, now).SummaryLines().ToList();
        var after = Scheduler.Schedule(WithNodes(proposed, scheduled), status, now).SummaryLines().ToList();
        output.WriteLine(after.Count == 0 ? "Plan: the cluster would do nothing" : "Plan (what the cluster would do once committed):");
        foreach (var line in after) output.WriteLine(line);
        if (before.Count > 0)
        {
            output.WriteLine();
            output.WriteLine("(the cluster is not settled: without the change it would still do)");
            foreach (var line in before) output.WriteLine(line);
        }
    }
}
