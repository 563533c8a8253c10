using HaCluster.Core.Cib;
using HaCluster.Core.Policy;
using HaCluster.Core.Status;

namespace HaCluster.Core.Status.Views;

/// <summary>
/// Nodes and resources laid out as crm_mon does: primitives with their agent and where they run,
/// groups with their members indented, clones and promotable clones as node lists per role.
/// </summary>
public static class StatusPrinter
{
    /// <summary>Prints the nodes and resources; returns the evaluated picture for a caller that judges it (exit status).</summary>
    public static WorkingSet Print(ClusterConfig config, ClusterStatus status, DateTimeOffset now, TextWriter output, StatusFilter? filter = null)
    {
        var ws = Scheduler.CurrentState(config, status, now);
        Print(ws, output, filter);
        return ws;
    }

    /// <summary>Prints what runs where in <paramref name="ws"/> (a <see cref="Scheduler.CurrentState"/>), changing nothing in it.</summary>
    public static void Print(WorkingSet ws, TextWriter output, StatusFilter? filter = null)
    {
        output.WriteLine("  * Node List:");
        // Pacemaker Remote nodes are listed apart, as crm_mon does ("RemoteOnline", "RemoteNode").
        var cluster = ws.Nodes.Where(n => !n.IsRemote).ToList();
        var remote = ws.Nodes.Where(n => n.IsRemote && !n.IsGuest).ToList();
        var guests = ws.Nodes.Where(n => n.IsGuest).ToList();
        foreach (var n in cluster.Where(n => n.Pending)) output.WriteLine($"    * Node {n.Name}: pending");
        foreach (var (nodes, kind) in new[] { (cluster, "Node"), (remote, "RemoteNode") })
        {
            // Unclean: still in the membership ("online") or gone, as crm_mon says it.
            foreach (var n in nodes.Where(n => n.Unclean))
                output.WriteLine($"    * {kind} {n.Name}: UNCLEAN ({(n.Online || n.InMembership ? "online" : "offline")})");
            foreach (var n in nodes.Where(n => n.Online && n.Standby && !n.Unclean))
                output.WriteLine($"    * {kind} {n.Name}: standby");
        }
        void List(string label, IEnumerable<SchedNode> nodes)
        {
            var names = nodes.Select(n => n.Name).ToList();
            if (names.Count > 0) output.WriteLine($"    * {label}: [ {string.Join(' ', names)} ]");
        }
        List("Online", cluster.Where(n => n.Online && !n.Standby && !n.Unclean));
        List("OFFLINE", cluster.Where(n => !n.Online && !n.Unclean && !n.Pending));
        List("RemoteOnline", remote.Where(n => n.Online && !n.Standby && !n.Unclean));
        List("RemoteOFFLINE", remote.Where(n => !n.Online && !n.Unclean));
        // Guest nodes are listed while up (a guest that is down is its container's story).
        List("GuestOnline", guests.Where(n => n.Online && !n.Standby && !n.Unclean));
        output.WriteLine();
        PrintResources(ws, output, filter);
        StatusDetails.Print(ws, output, filter ?? StatusFilter.None);
    }

    /// <summary>crm_mon's "Failed Resource Actions": each failed operation still in the history (until cleanup).</summary>
    public static void PrintFailedActions(WorkingSet ws, TextWriter output, StatusFilter? filter = null)
    {
        var failed = ws.FailedOperations.Where(f => filter?.Node is not { } node || f.Node.Name == node)
            .Where(f => filter?.Resource is not { } id || f.Resource == id || f.Resource.Split(':')[0] == id).ToList();
        if (failed.Count == 0) return;
        output.WriteLine();
        output.WriteLine("  * Failed Resource Actions:");
        foreach (var f in failed) output.WriteLine($"    * {FailedActionText(f)}");
    }

    internal static string FailedActionText(FailedOperation f)
    {
        var op = f.Operation;
        var task = op.Task == "monitor" && op.IntervalMs == 0 ? "probe"
            : op.IntervalMs > 0 ? $"{Interval(op.IntervalMs)}-interval {op.Task}" : op.Task;
        var outcome = op.OpStatus switch
        {
            0 => $"returned '{RcName(op.RcCode)}'",
            2 => "could not be executed (Timed Out)",
            3 => "could not be executed (Unimplemented)",
            7 => "could not be executed (Not installed)",
            _ => "could not be executed (Error)",
        };
        var text = $"{f.Resource} {task} on {f.Node.Name} {outcome}";
        if (!string.IsNullOrEmpty(op.ExitReason)) text += $" ({op.ExitReason})";
        if (op.LastRcChange is { } at && at > 0)
        {
            // ctime's layout: the day of the month padded with a space ("Jun  6").
            var t = DateTimeOffset.FromUnixTimeSeconds(at).UtcDateTime;
            var c = System.Globalization.CultureInfo.InvariantCulture;
            text += $" at {t.ToString("ddd MMM", c)} {t.Day,2} {t.ToString("HH:mm:ss yyyy", c)}";
        }
        if (op.ExecTime is { } exec && exec > 0) text += $" after {FormatMs(exec)}";
        return text;
    }

    private static string Interval(long ms) => ms % 1000 == 0 ? $"{ms / 1000}s" : $"{ms}ms";

    /// <summary>Durations as Pacemaker prints them: 332ms, 30.160s, 1m35.134s, 2h1m0.000s.</summary>
    private static string FormatMs(long ms)
    {
        if (ms < 1000) return $"{ms}ms";
        var seconds = (ms % 60_000 / 1000.0).ToString("0.000", System.Globalization.CultureInfo.InvariantCulture) + "s";
        var minutes = ms / 60_000;
        if (minutes == 0) return seconds;
        return minutes < 60 ? $"{minutes}m{seconds}" : $"{minutes / 60}h{minutes % 60}m{seconds}";
    }

    /// <summary>The OCF result names crm_mon uses.</summary>
    internal static string RcName(int rc) => rc switch
    {
        0 => "ok",
        1 => "error",
        2 => "invalid parameter",
        3 => "unimplemented feature",
        4 => "insufficient privileges",
        5 => "not installed",
        6 => "not configured",
        7 => "not running",
        8 => "promoted",
        9 => "promoted (failed)",
        190 => "OCF_DEGRADED",
        191 => "promoted (degraded)",
        _ => $"unknown ({rc})",
    };

    /// <summary>The "Full List of Resources" and "Failed Resource Actions" parts (hacrm status prints nodes from membership).</summary>
    public static void PrintResources(ClusterConfig config, ClusterStatus status, DateTimeOffset now, TextWriter output, StatusFilter? filter = null) =>
        PrintResources(Scheduler.CurrentState(config, status, now), output, filter);

    /// <summary>The resources (or their summary) and the failed actions of a working set.</summary>
    public static void PrintResources(WorkingSet ws, TextWriter output, StatusFilter? filter = null)
    {
        PrintResourceList(ws, output, filter ?? StatusFilter.None);
        PrintFailedActions(ws, output, filter ?? StatusFilter.None);
    }

    private static void PrintResourceList(WorkingSet ws, TextWriter output, StatusFilter? filter = null)
    {
        filter ??= StatusFilter.None;
        if (filter.Summary)
        {
            PrintSummary(ws, output, filter);
            return;
        }
        // The connections the scheduler adds for guest nodes are not the operator's resources.
        // ... nor are a clone's leftover copies: they are listed with their clone.
        var shown = ws.Resources.Where(r => r.Parent is null && !GuestNodes.IsImplicit(r) && r is not SchedPrimitive { OrphanedFrom: not null } && filter.Shows(r)).ToList();
        var orphansOf = ws.Resources.OfType<SchedPrimitive>().Where(p => p.OrphanedFrom is not null).ToLookup(p => p.OrphanedFrom!);
        output.WriteLine(filter.IsEmpty ? "  * Full List of Resources:" : $"  * Resources ({Describe(filter)}: {shown.Count} of {ws.Resources.Count(r => r.Parent is null)}):");
        if (shown.Count == 0) output.WriteLine("    * No resources");
        var nodes = ws.Nodes.Select(n => n.Name).Order(StringComparer.Ordinal).ToList();
        foreach (var r in shown) PrintResource(r, "    ", output, nodes, orphansOf);
    }

    private static string Describe(StatusFilter f)
    {
        var parts = new List<string>();
        if (f.Node is { } n) parts.Add($"on {n}");
        if (f.Resource is { } r) parts.Add($"matching {r}");
        if (f.ActiveOnly) parts.Add("active");
        return string.Join(", ", parts);
    }

    /// <summary>Counts instead of the list: instances by state, then per node (--summary).</summary>
    private static void PrintSummary(WorkingSet ws, TextWriter output, StatusFilter filter)
    {
        var prims = ws.Resources.Where(r => r.Parent is null && filter.Shows(r)).SelectMany(r => r.Primitives()).ToList();
        int active = 0, promoted = 0, failed = 0, stopped = 0, unmanaged = 0;
        var perNode = new SortedDictionary<string, (int Active, int Promoted, int Failed)>(StringComparer.Ordinal);
        foreach (var p in prims)
        {
            if (!p.Managed) unmanaged++;
            if (p.ActiveOn.Count == 0 && p.FailedOn.Count == 0) stopped++;
            foreach (var (node, role) in p.ActiveOn)
            {
                active++;
                if (role == Role.Promoted) promoted++;
                var c = perNode.GetValueOrDefault(node.Name);
                perNode[node.Name] = (c.Active + 1, c.Promoted + (role == Role.Promoted ? 1 : 0), c.Failed);
            }
            foreach (var node in p.FailedOn)
            {
                failed++;
                var c = perNode.GetValueOrDefault(node.Name);
                perNode[node.Name] = (c.Active, c.Promoted, c.Failed + 1);
            }
        }
        output.WriteLine($"  * Resource Summary{(filter with { Summary = false }).IsEmpty switch { true => "", false => $" ({Describe(filter)})" }}:");
        output.WriteLine($"    * {prims.Count} primitive instances: {active} active ({promoted} promoted), {stopped} stopped, {failed} failed, {unmanaged} unmanaged");
        foreach (var (node, c) in perNode)
            if (filter.Node is null || filter.Node == node)
                output.WriteLine($"    * {node}: {c.Active} active{(c.Promoted > 0 ? $" ({c.Promoted} promoted)" : "")}{(c.Failed > 0 ? $", {c.Failed} FAILED" : "")}");
    }

    private static void PrintResource(SchedResource r, string indent, TextWriter output, IReadOnlyList<string> nodes,
        ILookup<SchedClone, SchedPrimitive>? orphansOf = null)
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
            case SchedClone { Bundle: not null } b:
                PrintBundle(b, indent, output);
                break;
            case SchedClone c:
                PrintClone(c, indent, output, nodes, orphansOf?[c] ?? []);
                break;
        }
    }

    /// <summary>
    /// A bundle as crm_mon shows it: one line a replica, named for its guest node (with its
    /// address) and showing the primitive inside, its role and the container's host; a bundle
    /// without a primitive shows its containers.
    /// </summary>
    private static void PrintBundle(SchedClone containers, string indent, TextWriter output)
    {
        var b = containers.Bundle!;
        var flags = new List<string>();
        if (containers.Disabled) flags.Add("disabled");
        if (!containers.Managed()) flags.Add("unmanaged");
        output.WriteLine($"{indent}* Container bundle{(b.Replicas > 1 ? " set" : "")}: {b.Id} [{b.Option("image")}]{(flags.Count > 0 ? $" ({string.Join(", ", flags)})" : "")}:");
        var replicas = Bundles.Replicas(b);
        for (var i = 0; i < containers.Children.Count && i < replicas.Count; i++)
        {
            var container = (SchedPrimitive)containers.Children[i];
            var address = replicas[i].Address is { } a ? $" ({a})" : "";
            var inside = containers.BundleChild?.Children.ElementAtOrDefault(i)?.Primitives().FirstOrDefault();
            if (inside is null)
            {
                output.WriteLine($"{indent}  * {container.Id}{address}\t({AgentName(container.Agent)}):\t {State(container)}");
                continue;
            }
            // The primitive's state on its guest, told by the container's host.
            output.WriteLine($"{indent}  * {replicas[i].RemoteId}{address}\t({AgentName(inside.Agent)}):\t {State(inside, host: container.CurrentNode)}");
        }
    }

    private static void PrintClone(SchedClone c, string indent, TextWriter output, IReadOnlyList<string> allNodes, IEnumerable<SchedPrimitive> orphans)
    {
        var childId = c.Definition.Child.Id;
        var flags = new List<string>();
        if (c.Promotable) flags.Add("promotable");
        if (c.Disabled) flags.Add("disabled");
        if (!c.Managed) flags.Add("unmanaged");
        output.WriteLine($"{indent}* Clone Set: {c.Id} [{childId}]{(flags.Count > 0 ? $" ({string.Join(", ", flags)})" : "")}:");
        var byRole = new SortedDictionary<int, List<string>>();
        var failed = new List<string>();
        var running = new HashSet<string>();
        // Leftover copies beyond the clone's instances first, one line each under the
        // configured name (a cloned group's under its instance's group), as crm_mon lists them.
        foreach (var copy in orphans.GroupBy(o => o.Id[(o.Id.LastIndexOf(':') + 1)..]))
        {
            var memberIndent = indent + "  ";
            if (c.Definition.Child is Group g)
            {
                output.WriteLine($"{indent}  * Resource Group: {g.Id}:{copy.Key}:");
                memberIndent += "  ";
            }
            foreach (var o in copy)
            {
                output.WriteLine($"{memberIndent}* {CloneBuilder.BaseId(o.Id)}\t({AgentName(o.Agent)}):\t {State(o)}");
                foreach (var n in o.ActiveOn.Keys) running.Add(n.Name);
            }
        }
        foreach (var instance in c.Instances)
        {
            var prims = instance.Primitives().ToList();
            foreach (var node in prims.SelectMany(p => p.ActiveOn.Keys).Distinct())
            {
                // An instance left on a guest that went down is neither running nor stopped
                // there until the guest is recovered: crm_mon lists it nowhere.
                if (node is { IsGuest: true, Online: false })
                {
                    running.Add(node.Name);
                    continue;
                }
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
        // Those where a probe found the agent missing are told apart.
        var notInstalled = c.Primitives().SelectMany(p => p.NotInstalledOn).Select(n => n.Name).ToHashSet();
        var stopped = allNodes.Where(n => !running.Contains(n) && !notInstalled.Contains(n)).ToList();
        if (stopped.Count > 0) output.WriteLine($"{indent}  * Stopped: [ {string.Join(' ', stopped)} ]");
        var missing = allNodes.Where(n => !running.Contains(n) && notInstalled.Contains(n)).ToList();
        if (missing.Count > 0) output.WriteLine($"{indent}  * Stopped (not installed): [ {string.Join(' ', missing)} ]");
    }

    internal static string AgentName(AgentSpec a) => a.Provider is null ? $"{a.Class}:{a.Type}" : $"{a.Class}:{a.Provider}:{a.Type}";

    /// <summary>
    /// "Started node1", "Promoted node2", "FAILED node1", "Stopped (disabled)", "Stopped node2 (LOCKED)", "Started [ node1 node2 ]".
    /// <paramref name="host"/>: for the primitive inside a bundle, its container's host, shown
    /// (as crm_mon shows it) instead of the guest node, and even while the primitive is stopped.
    /// </summary>
    private static string State(SchedPrimitive p, SchedNode? host = null)
    {
        var suffix = p.Managed ? "" : " (unmanaged)";
        if (p.ActiveOn.Count == 0 && p.LockedTo is { } lockNode)
            return $"Stopped {lockNode.Name} (LOCKED){suffix}";
        if (p.ActiveOn.Count == 0)
            return p.Disabled ? "Stopped (disabled)" + suffix : host is not null && p.Managed ? $"Stopped {host.Name}" : "Stopped" + suffix;
        var disabled = p.Disabled ? " (disabled)" : "";
        var orphaned = p.Orphan && p.EnclosingClone is null ? "ORPHANED " : "";
        if (p.ActiveOn.Count > 1)
            return $"Started [ {string.Join(' ', p.ActiveOn.Keys.Select(n => n.Name).Order(StringComparer.Ordinal))} ]{suffix}";
        var (node, role) = p.ActiveOn.First();
        var shown = host ?? node;
        var hostUnclean = host is { Unclean: true } ? " (UNCLEAN)" : "";
        // On a node that must be fenced, what runs there is in doubt.
        var unclean = node.Unclean || host is { Unclean: true } ? " (UNCLEAN)" : "";
        // What is left on a guest that went down is lost with it until its container recovers.
        // (crm_mon names the Promoted role of a failed instance, not the others.)
        if ((p.FailedOn.Contains(node) && !node.Unclean) || node is { IsGuest: true, Online: false })
            return $"{orphaned}FAILED {(role == Role.Promoted ? "Promoted " : "")}{shown.Name}{hostUnclean}{disabled}{suffix}";
        var word = role switch { Role.Promoted => "Promoted", Role.Unpromoted => "Unpromoted", _ => "Started" };
        return $"{orphaned}{word} {shown.Name}{unclean}{disabled}{suffix}";
    }
}
