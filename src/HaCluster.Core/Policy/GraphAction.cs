namespace HaCluster.Core.Policy;

/// <summary>
/// One action of a transition, for the transition engine to run on a node: an agent action
/// (start, stop, promote, demote, monitor, migrate_to, migrate_from, notify) or a fencing of a node.
/// A pseudo action runs nothing: it marks a fact others wait for (the stop of a resource on a
/// node being fenced is implied by the fencing).
/// </summary>
/// <param name="Id">Position in the graph, from 1.</param>
/// <param name="Resource">The primitive (a clone instance as "db:1"), or null for fencing.</param>
/// <param name="Node">Where it runs (for fencing: the victim).</param>
/// <param name="Inputs">Ids of the actions that must complete first.</param>
public sealed record GraphAction(int Id, string Task, string? Resource, string Node, long IntervalMs, string? Role, bool Pseudo, IReadOnlyList<int> Inputs)
{
    /// <summary>
    /// Meta attributes the agent gets on top of the resource's own, as OCF_RESKEY_CRM_meta_NAME:
    /// a clone notification's type, operation and instance lists.
    /// </summary>
    public IReadOnlyDictionary<string, string>? Meta { get; init; }

    /// <summary>Pacemaker's operation key: rsc_task_interval (fencing: stonith-node-action).</summary>
    public string Key => Resource is null ? $"stonith-{Node}-{Task}" : $"{Resource}_{Task}_{IntervalMs}";

    public override string ToString()
    {
        var what = Resource is null ? $"fence ({Task}) {Node}" : $"{Key} on {Node}";
        var flags = Pseudo ? " (pseudo)" : "";
        var after = Inputs.Count == 0 ? "" : $"  after {string.Join(", ", Inputs)}";
        return $"[{Id}] {what}{flags}{after}";
    }
}
