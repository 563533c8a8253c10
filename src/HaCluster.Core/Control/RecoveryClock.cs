namespace HaCluster.Core.Control;

/// <summary>
/// How long the cluster took to recover from a loss, as the DC sees it: from the moment it
/// learned of a lost member or of a new failed operation in a node's report, to the end of the
/// first transition completed after it (hacluster_failover_seconds). A loss while one is
/// already being timed joins it. Nothing is timed on a node that is not the DC.
/// </summary>
internal sealed class RecoveryClock
{
    private TimeSpan? since;
    private readonly Dictionary<string, long> lastFailureCall = new();
    private HashSet<int> members = new();

    /// <summary>
    /// The view's members now: one that left starts the clock, on every node, since the node
    /// that ends up DC (after an election, when the DC itself died) times the failover from the
    /// loss. A node that sees another DC leaves the timing to it.
    /// </summary>
    public void Members(IReadOnlyList<int> now, int? dc, int self, TimeSpan at)
    {
        if (now.Count != members.Count || !now.All(members.Contains))
        {
            if (members.Any(m => !now.Contains(m))) since ??= at;
            members = now.ToHashSet();
        }
        if (dc is { } d && d != self) since = null;
    }

    /// <summary>A node's report: a failure newer than any it reported before starts the clock.</summary>
    public void Reported(NodeReport report, TimeSpan at)
    {
        var newest = -1L;
        foreach (var h in report.Histories)
            foreach (var o in h.Operations)
                if (o.Key.EndsWith("_last_failure_0", StringComparison.Ordinal) && o.CallId > newest) newest = o.CallId;
        if (lastFailureCall.TryGetValue(report.Node, out var before) && newest > before) since ??= at;
        lastFailureCall[report.Node] = newest;
    }

    /// <summary>A transition ended: when it completed, the time since the loss it recovered from (and the clock stops).</summary>
    public TimeSpan? TransitionEnded(bool aborted, TimeSpan at)
    {
        if (aborted || since is not { } start) return null;
        since = null;
        return at - start;
    }
}
