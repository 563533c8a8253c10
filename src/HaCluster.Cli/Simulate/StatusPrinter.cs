using HaCluster.Core.Cib;
using HaCluster.Core.Policy;
using HaCluster.Core.Status;

namespace HaCluster.Cli.Simulate;

/// <summary>
/// Nodes and resources laid out as crm_mon does: primitives with their agent and where they run,
/// groups with their members indented, clones and promotable clones as node lists per role.
/// </summary>
public static class StatusPrinter
{
    public static void Print(ClusterConfig config, ClusterStatus status, DateTimeOffset now, TextWriter output)
    {
        var ws = Scheduler.CurrentState(config, status, now);
        output.WriteLine("  * Node List:");
        var online = ws.Nodes.Where(n => n.Online && !n.Standby).Select(n => n.Name).ToList();
        var standby = ws.Nodes.Where(n => n.Online && n.Standby).Select(n => n.Name).ToList();
        var offline = ws.Nodes.Where(n => !n.Online && !n.Unclean).Select(n => n.Name).ToList();
        foreach (var n in ws.Nodes.Where(n => n.Unclean)) output.WriteLine($"    * Node {n.Name}: UNCLEAN (offline)");
        foreach (var n in standby) output.WriteLine($"    * Node {n}: standby");
        if (online.Count > 0) output.WriteLine($"    * Online: [ {string.Join(' ', online)} ]");
        if (offline.Count > 0) output.WriteLine($"    * OFFLINE: [ {string.Join(' ', offline)} ]");
        output.WriteLine();
        PrintResources(ws, output);
    }

    /// <summary>The "Full List of Resources" part alone (hacrm status prints nodes from membership).</summary>
    public static void PrintResources(ClusterConfig config, ClusterStatus status, DateTimeOffset now, TextWriter output) =>
        PrintResources(Scheduler.CurrentState(config, status, now), output);

    private static void PrintResources(WorkingSet ws, TextWriter output)
    {
        output.WriteLine("  * Full List of Resources:");
        if (ws.Resources.Count == 0) output.WriteLine("    * No resources");
        var nodes = ws.Nodes.Select(n => n.Name).Order(StringComparer.Ordinal).ToList();
        foreach (var r in ws.Resources) PrintResource(r, "    ", output, nodes);
    }

    private static void PrintResource(SchedResource r, string indent, TextWriter output, IReadOnlyList<string> nodes)
    {
        switch (r)
        {
            case SchedPrimitive p:
                output.WriteLine($"{indent}* {p.Id}\t({AgentName(p.Agent)}):\t {State(p)}");
                break;
            case SchedGroup g:
                output.WriteLine($"{indent}* Resource Group: {g.Id}{(g.Managed ? "" : " (unmanaged)")}:");
                foreach (var m in g.Members) PrintResource(m, indent + "  ", output, nodes);
                break;
            case SchedClone c:
                PrintClone(c, indent, output, nodes);
                break;
        }
    }

    private static void PrintClone(SchedClone c, string indent, TextWriter output, IReadOnlyList<string> allNodes)
    {
        var child = c.Instances.FirstOrDefault();
        var childId = child is null ? "" : child.Id.Split(':')[0];
        var flags = new List<string>();
        if (c.Promotable) flags.Add("promotable");
        if (c.TargetRole == Role.Stopped) flags.Add("disabled");
        if (!c.Managed) flags.Add("unmanaged");
        output.WriteLine($"{indent}* Clone Set: {c.Id} [{childId}]{(flags.Count > 0 ? $" ({string.Join(", ", flags)})" : "")}:");
        var byRole = new SortedDictionary<int, List<string>>();
        var failed = new List<string>();
        var running = new HashSet<string>();
        foreach (var instance in c.Instances)
        {
            var prims = instance.Primitives().ToList();
            foreach (var node in prims.SelectMany(p => p.ActiveOn.Keys).Distinct())
            {
                var role = prims.Select(p => p.ActiveOn.TryGetValue(node, out var rr) ? rr : Role.Stopped).Max();
                if (prims.Any(p => p.FailedOn.Contains(node))) failed.Add(node.Name);
                var key = role == Role.Promoted ? 0 : role == Role.Unpromoted ? 1 : 2;
                if (!byRole.TryGetValue(key, out var list)) byRole[key] = list = new List<string>();
                list.Add(node.Name);
                running.Add(node.Name);
            }
        }
        string Label(int key) => key switch { 0 => "Promoted", 1 => c.Promotable ? "Unpromoted" : "Started", _ => "Started" };
        foreach (var (key, nodes) in byRole) output.WriteLine($"{indent}  * {Label(key)}: [ {string.Join(' ', nodes.Distinct().Order(StringComparer.Ordinal))} ]");
        foreach (var f in failed.Distinct()) output.WriteLine($"{indent}  * FAILED on {f}");
        // As crm_mon: the nodes with no instance (an anonymous clone could run on any of them).
        var stopped = allNodes.Where(n => !running.Contains(n)).ToList();
        if (stopped.Count > 0) output.WriteLine($"{indent}  * Stopped: [ {string.Join(' ', stopped)} ]");
    }

    private static string AgentName(AgentSpec a) => a.Provider is null ? $"{a.Class}:{a.Type}" : $"{a.Class}:{a.Provider}:{a.Type}";

    /// <summary>"Started node1", "Promoted node2", "FAILED node1", "Stopped (disabled)", "Started [ node1 node2 ]".</summary>
    private static string State(SchedPrimitive p)
    {
        var suffix = p.Managed ? "" : " (unmanaged)";
        if (p.ActiveOn.Count == 0)
            return (p.TargetRole == Role.Stopped ? "Stopped (disabled)" : "Stopped") + suffix;
        if (p.ActiveOn.Count > 1)
            return $"Started [ {string.Join(' ', p.ActiveOn.Keys.Select(n => n.Name).Order(StringComparer.Ordinal))} ]{suffix}";
        var (node, role) = p.ActiveOn.First();
        // On a node that must be fenced, what runs there is in doubt.
        var unclean = node.Unclean ? " (UNCLEAN)" : "";
        if (p.FailedOn.Contains(node) && !node.Unclean) return $"FAILED {node.Name}{suffix}";
        var word = role switch { Role.Promoted => "Promoted", Role.Unpromoted => "Unpromoted", _ => "Started" };
        return $"{word} {node.Name}{unclean}{suffix}";
    }
}
