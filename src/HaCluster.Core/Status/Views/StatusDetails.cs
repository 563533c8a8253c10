using HaCluster.Core.Policy;

namespace HaCluster.Core.Status.Views;

/// <summary>
/// The sections crm_mon adds on request: "Node Attributes" (-A), "Migration Summary" with fail
/// counts (-f) and "Operations", each node's operation history (-o). Which ones show is part of
/// the <see cref="StatusFilter"/>; its node filter narrows them to one node.
/// </summary>
public static class StatusDetails
{
    public static void Print(WorkingSet ws, TextWriter output, StatusFilter filter)
    {
        if (filter.ShowNodeAttributes) PrintNodeAttributes(ws, output, filter);
        if (filter.ShowFailCounts) PrintFailCounts(ws, output, filter);
        if (filter.ShowOperations) PrintOperations(ws, output, filter);
        if (!ws.Config.HealthChecks.IsEmpty) PrintHealthChecks(ws, output, filter);
    }

    /// <summary>Each health check and what it says of each node (its attribute: 1 passing, 0 failing, unset not run yet).</summary>
    private static void PrintHealthChecks(WorkingSet ws, TextWriter output, StatusFilter filter)
    {
        output.WriteLine();
        output.WriteLine("Health Checks:");
        foreach (var h in ws.Config.HealthChecks)
        {
            output.WriteLine($"  * {h.Id} (attribute {h.AttributeName}, every {h.Interval ?? "5s"}, fall {h.FallCount}, rise {h.RiseCount}):");
            foreach (var node in Nodes(ws, filter).Where(n => !n.IsRemote))
            {
                var state = node.Attributes.GetValueOrDefault(h.AttributeName) switch
                {
                    HaCluster.Core.Cib.HealthCheck.Passing => "passing",
                    HaCluster.Core.Cib.HealthCheck.Failing => "FAILING",
                    null => node.Online ? "not run yet" : "offline",
                    var other => $"attribute is '{other}'",
                };
                output.WriteLine($"    * {node.Name}: {state}");
            }
        }
    }

    /// <summary>Attributes the cluster keeps for itself, not shown as node attributes (fail counts have their own section).</summary>
    private static bool IsInternal(string name) =>
        name.StartsWith('#') || name.StartsWith("fail-count-", StringComparison.Ordinal) || name.StartsWith("last-failure-", StringComparison.Ordinal)
        || name is "probe_complete" or "shutdown" or "terminate";

    private static IEnumerable<SchedNode> Nodes(WorkingSet ws, StatusFilter filter) =>
        ws.Nodes.Where(n => filter.Node is null || n.Name == filter.Node).OrderBy(n => n.Name, StringComparer.Ordinal);

    private static void PrintNodeAttributes(WorkingSet ws, TextWriter output, StatusFilter filter)
    {
        output.WriteLine();
        output.WriteLine("Node Attributes:");
        foreach (var node in Nodes(ws, filter))
        {
            output.WriteLine($"  * Node: {node.Name}:");
            foreach (var (name, value) in node.Attributes.Where(a => !IsInternal(a.Key)).OrderBy(a => a.Key, StringComparer.Ordinal))
                output.WriteLine($"    * {name,-32}: {value}");
        }
    }

    /// <summary>Per node, each resource with failures: its migration-threshold, fail count and last failure.</summary>
    private static void PrintFailCounts(WorkingSet ws, TextWriter output, StatusFilter filter)
    {
        output.WriteLine();
        output.WriteLine("Migration Summary:");
        foreach (var node in Nodes(ws, filter))
        {
            var failures = node.ResourcesWithFailCounts()
                .Where(rsc => filter.Resource is null || rsc == filter.Resource || rsc.Split(':')[0] == filter.Resource)
                .Order(StringComparer.Ordinal).ToList();
            if (failures.Count == 0) continue;
            output.WriteLine($"  * Node: {node.Name}:");
            foreach (var rsc in failures)
            {
                var (count, last) = node.Failures([rsc]);
                var threshold = ws.ById.TryGetValue(rsc, out var r) ? r.MetaValue("migration-threshold") : null;
                output.WriteLine($"    * {rsc}: migration-threshold={threshold ?? "1000000"} fail-count={(count >= HaCluster.Core.Cib.Score.InfinityValue ? "INFINITY" : count.ToString())}"
                    + (last > 0 ? $" last-failure='{HaCluster.Core.Cib.CibChange.FormatTime(DateTimeOffset.FromUnixTimeSeconds(last))}'" : ""));
            }
        }
    }

    /// <summary>Per node, each resource's recorded operations in call order, with result where it failed.</summary>
    private static void PrintOperations(WorkingSet ws, TextWriter output, StatusFilter filter)
    {
        output.WriteLine();
        output.WriteLine("Operations:");
        foreach (var state in ws.Status.Nodes.Where(n => filter.Node is null || (n.Uname ?? n.Id) == filter.Node).OrderBy(n => n.Uname ?? n.Id, StringComparer.Ordinal))
        {
            var histories = state.Resources.Where(h => filter.Resource is null || h.Id == filter.Resource || h.Id.Split(':')[0] == filter.Resource)
                .OrderBy(h => h.Id, StringComparer.Ordinal).ToList();
            if (histories.Count == 0) continue;
            output.WriteLine($"  * Node: {state.Uname ?? state.Id}:");
            foreach (var h in histories)
            {
                output.WriteLine($"    * {h.Id}: ({h.Class}{(h.Provider is null ? "" : ":" + h.Provider)}:{h.Type})");
                foreach (var op in h.Operations.OrderBy(o => o.CallId))
                {
                    var interval = op.IntervalMs > 0 ? $": interval=\"{op.IntervalMs}ms\"" : "";
                    var result = op.RcCode == op.ExpectedRc ? "" : $" rc={op.RcCode} ({StatusPrinter.RcName(op.RcCode)})";
                    output.WriteLine($"      * ({op.CallId}) {op.Task}{interval}{result}");
                }
            }
        }
    }
}
