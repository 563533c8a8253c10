namespace HaCluster.Core.Policy;

/// <summary>One change the scheduler decided on, as the Transition Summary reports it.</summary>
public sealed record ResourceChange(
    string Verb,          // Start, Stop, Move, Recover, Restart, Promote, Demote, Migrate, Re-promote
    string Resource,
    string Details,       // "node1", "node1 -> node2", "Unpromoted -> Promoted node2", ...
    string? Reason = null);

/// <summary>A node to fence, and why.</summary>
/// <param name="GuestContainer">For a guest node: the container whose recovery is the fencing.</param>
public sealed record FenceAction(string Node, string Action, string Reason, string? GuestContainer = null);

/// <summary>
/// The scheduler's output: which nodes to fence, which resource changes to make, and the actions
/// (with their ordering) that carry them out. Pure data for the transition engine.
/// </summary>
public sealed record TransitionGraph(IReadOnlyList<FenceAction> Fencing, IReadOnlyList<ResourceChange> Changes)
{
    /// <summary>The actions that carry out the changes, each with the actions it waits for.</summary>
    public IReadOnlyList<GraphAction> Actions { get; init; } = [];

    /// <summary>The actions in an order that respects every input (the graph is acyclic), or null on a cycle.</summary>
    public IReadOnlyList<GraphAction>? TopologicalOrder()
    {
        var remaining = Actions.ToDictionary(a => a.Id, a => a.Inputs.Count(i => i != a.Id));
        var dependents = Actions.SelectMany(a => a.Inputs.Select(i => (Input: i, Action: a.Id))).ToLookup(x => x.Input, x => x.Action);
        var ready = new SortedSet<int>(remaining.Where(kv => kv.Value == 0).Select(kv => kv.Key));
        var byId = Actions.ToDictionary(a => a.Id);
        var order = new List<GraphAction>();
        while (ready.Count > 0)
        {
            var id = ready.Min;
            ready.Remove(id);
            order.Add(byId[id]);
            foreach (var d in dependents[id])
                if (--remaining[d] == 0) ready.Add(d);
        }
        return order.Count == Actions.Count ? order : null;
    }

    /// <summary>The "Transition Summary:" section in crm_simulate's format.</summary>
    public IEnumerable<string> SummaryLines()
    {
        foreach (var f in Fencing)
            yield return f.GuestContainer is null ? $"  * Fence ({f.Action}) {f.Node} '{f.Reason}'" : $"  * Fence ({f.Action}) {f.Node} (resource: {f.GuestContainer}) '{f.Reason}'";
        foreach (var c in Changes)
            yield return $"  * {c.Verb,-10} {c.Resource,-15} ( {c.Details} ){(c.Reason is null ? "" : "  " + c.Reason)}";
    }
}
