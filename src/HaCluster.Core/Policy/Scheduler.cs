using HaCluster.Core.Cib;
using HaCluster.Core.Status;

namespace HaCluster.Core.Policy;

/// <summary>
/// The policy engine: a pure function from configuration + status + "now" to a transition graph.
/// It follows Pacemaker's scheduler: build the working set, read where resources are from the
/// operation history, score nodes (location, stickiness, failures), assign resources to nodes in
/// priority order honouring colocations, then compare current and next state.
/// </summary>
public static class Scheduler
{
    public static TransitionGraph Schedule(ClusterConfig config, ClusterStatus status, DateTimeOffset now) =>
        Run(config, status, now).Graph;

    /// <summary>The graph and the working set it was computed from (scores, explanations).</summary>
    public static (TransitionGraph Graph, WorkingSet WorkingSet) Run(ClusterConfig config, ClusterStatus status, DateTimeOffset now) =>
        Plan(CurrentState(config, status, now));

    /// <summary>
    /// The rest of <see cref="Run"/>, from what runs where now (<see cref="CurrentState"/>, which
    /// it goes on to change): a caller that has shown the current state first does not read the
    /// whole status section a second time (at 64 nodes x 10,000 resources, a second or more).
    /// </summary>
    public static (TransitionGraph Graph, WorkingSet WorkingSet) Plan(WorkingSet ws)
    {
        ShutdownLocks.Apply(ws);
        new DefinitionChanges(ws).Run();
        new Placement(ws).Run();
        RemoteConnections.FenceUnreachable(ws);
        RemoteConnections.RestartWithGuests(ws);
        new Unfencing(ws).Run();
        new PendingProbes(ws).Run();
        new OrderPropagation(ws).Run();
        var plan = new ActionPlanner(ws).Plan();
        return (plan with { Actions = new ActionGraphBuilder(ws).Build(plan) }, ws);
    }

    /// <summary>What runs where now (history unpacked, nothing placed): for status displays.</summary>
    public static WorkingSet CurrentState(ClusterConfig config, ClusterStatus status, DateTimeOffset now)
    {
        var ws = WorkingSet.Build(config, status, now);
        new HistoryUnpacker(ws).Unpack();
        ShutdownLocks.FromHistory(ws);
        Placement.ApplyManagement(ws, withoutFencing: false);
        return ws;
    }

    /// <summary>Allocation scores per primitive and node, as crm_simulate --show-scores prints them.</summary>
    public static IEnumerable<string> ScoreLines(WorkingSet ws) =>
        ws.AllPrimitives().SelectMany(p => p.Allowed.OrderBy(kv => kv.Key.Name, StringComparer.Ordinal)
            .Select(kv => $"pcmk__primitive_assign: {p.Id} allocation score on {kv.Key.Name}: {Score.FromLong(kv.Value)}"));

    /// <summary>In words: why a resource is (or will be) where it is.</summary>
    public static IEnumerable<string> Explain(WorkingSet ws, string resourceId)
    {
        var targets = ws.ById.TryGetValue(resourceId, out var r) ? r.Primitives().ToList()
            : ws.AllPrimitives().Where(p => p.ConfigId == resourceId).ToList();
        if (targets.Count == 0) { yield return $"{resourceId}: no such resource"; yield break; }
        foreach (var p in targets)
        {
            var now = p.ActiveOn.Count == 0 ? "stopped" : string.Join(", ", p.ActiveOn.Select(kv => $"{Roles.Name(kv.Value)} on {kv.Key.Name}"));
            var next = p.AssignedTo is null ? "stopped" : $"{Roles.Name(p.NextRole is Role.Unknown ? Role.Started : p.NextRole)} on {p.AssignedTo.Name}";
            yield return $"{p.Id} ({p.Agent}): now {now}{(p.Failed ? " (FAILED on " + string.Join(", ", p.FailedOn.Select(n => n.Name)) + ")" : "")}; next {next}";
            if (!p.Managed) yield return "  it is not managed (is-managed=false, maintenance, blocked, or fencing enabled without a fencing device): the cluster leaves it alone";
            if (p.TargetRole == Role.Stopped) yield return "  target-role is Stopped";
            foreach (var reason in new[] { p.BlockedStartReason, p.ForcedStopReason, p.RestartReason })
                if (reason is { Length: > 0 }) yield return "  order: " + reason;
            if (p.Explanation.Count > 0)
            {
                yield return "  because:";
                foreach (var e in p.Explanation) yield return "    " + e;
            }
            yield return "  final scores: " + string.Join(", ", p.Allowed.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key.Name, StringComparer.Ordinal)
                .Select(kv => $"{kv.Key.Name} {Score.FromLong(kv.Value)}{(kv.Key.CanRunResources ? "" : " (node cannot run resources)")}"));
            if (p.StartWithdrawn)
                yield return $"  it had a node, but it is ordered after an interleaved clone with no instance there, so it {(p.ActiveOn.Count > 0 ? "stops" : "stays stopped")}";
            else if (p.AssignedTo is null && p.Managed && p.TargetRole != Role.Stopped)
                yield return p.EnclosingClone is null
                    ? "  no node has a score of 0 or more where it may run, so it stays stopped"
                    : "  no node with room for another instance of its clone scores 0 or more for it (or clone-max instances run already), so it stays stopped";
        }
    }
}
