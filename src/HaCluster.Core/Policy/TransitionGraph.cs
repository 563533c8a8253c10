namespace HaCluster.Core.Policy;

/// <summary>One change the scheduler decided on, as the Transition Summary reports it.</summary>
public sealed record ResourceChange(
    string Verb,          // Start, Stop, Move, Recover, Restart, Promote, Demote, Migrate, Re-promote
    string Resource,
    string Details,       // "node1", "node1 -> node2", "Unpromoted -> Promoted node2", ...
    string? Reason = null);

/// <summary>A node to fence, and why.</summary>
public sealed record FenceAction(string Node, string Action, string Reason);

/// <summary>
/// The scheduler's output: which nodes to fence and which resource changes to make. Pure data;
/// the transition engine turns it into agent actions.
/// </summary>
public sealed record TransitionGraph(IReadOnlyList<FenceAction> Fencing, IReadOnlyList<ResourceChange> Changes)
{
    /// <summary>The "Transition Summary:" section in crm_simulate's format.</summary>
    public IEnumerable<string> SummaryLines()
    {
        foreach (var f in Fencing) yield return $"  * Fence ({f.Action}) {f.Node} '{f.Reason}'";
        foreach (var c in Changes)
            yield return $"  * {c.Verb,-10} {c.Resource,-15} ( {c.Details} ){(c.Reason is null ? "" : "  " + c.Reason)}";
    }
}
