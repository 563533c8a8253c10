namespace HaCluster.Core.Policy;

/// <summary>
/// A node that is in the membership but has not joined the cluster yet (join=pending) cannot be
/// probed. A resource that has never been looked for there might already run there, so it is
/// not started anywhere until it has been: its start is "blocked", as Pacemaker orders every
/// start after the resource's probes.
/// </summary>
internal sealed class PendingProbes(WorkingSet ws)
{
    public void Run()
    {
        var pending = ws.Nodes.Where(n => n.Pending).ToList();
        if (pending.Count == 0) return;
        foreach (var p in ws.AllPrimitives())
        {
            if (!p.Managed || p.AssignedTo is null || p.ActiveOn.Count > 0 || p.BlockedStartReason is not null) continue;
            if (pending.Any(n => !p.HistoryOn.ContainsKey(n))) p.BlockedStartReason = "blocked";
        }
    }
}
