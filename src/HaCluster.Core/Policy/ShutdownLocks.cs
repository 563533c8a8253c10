using HaCluster.Core.Cib;

namespace HaCluster.Core.Policy;

/// <summary>
/// shutdown-lock=true: a resource on a node that shuts down cleanly is stopped and kept for that
/// node (banned everywhere else) instead of being moved, so that a short maintenance reboot does
/// not shuffle services; shutdown-lock-limit ends the lock (0, the default: until the node
/// returns). Stonith resources and clones are never locked, as in Pacemaker.
/// </summary>
internal static class ShutdownLocks
{
    /// <summary>
    /// Locks recorded in the history (the node already shut down): the resource is shown
    /// "Stopped NODE (LOCKED)" and may not start elsewhere until the lock expires.
    /// </summary>
    public static void FromHistory(WorkingSet ws)
    {
        if (!ws.BoolProperty("shutdown-lock", false)) return;
        var limitSeconds = Limit(ws);
        foreach (var state in ws.Status.Nodes)
        {
            var node = ws.NodeOf(state);
            if (node is null) continue;
            foreach (var history in state.Resources)
            {
                if (history.ShutdownLock is not { } since) continue;
                if (!ws.ById.TryGetValue(history.Id, out var r) || r is not SchedPrimitive p || !Lockable(p)) continue;
                if (limitSeconds > 0 && ws.Now.ToUnixTimeSeconds() > since + limitSeconds) continue; // expired
                p.LockedTo = node;
            }
        }
    }

    /// <summary>
    /// Locks taken now: a resource active only on a node that is shutting down (cleanly) stays
    /// for it. A lock from the history whose resource is already active somewhere is dropped
    /// rather than disturbing it. (Placement bans every other node.)
    /// </summary>
    public static void Apply(WorkingSet ws)
    {
        if (!ws.BoolProperty("shutdown-lock", false)) return;
        foreach (var p in ws.AllPrimitives().Where(Lockable))
        {
            if (p.LockedTo is not null && p.ActiveOn.Count > 0) p.LockedTo = null;
            else if (p.LockedTo is null && p.ActiveOn.Count == 1 && p.ActiveOn.Keys.First() is { Shutdown: true, Unclean: false } leaving)
                p.LockedTo = leaving;
        }
    }

    private static bool Lockable(SchedPrimitive p) => p.EnclosingClone is null && p.Agent.Class != "stonith" && !p.Orphan;

    private static long Limit(WorkingSet ws) =>
        Duration.TryParseMilliseconds(ws.Property("shutdown-lock-limit"), out var ms) && ms > 0 ? ms / 1000 : 0;
}
