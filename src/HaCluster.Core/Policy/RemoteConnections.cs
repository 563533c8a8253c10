namespace HaCluster.Core.Policy;

/// <summary>
/// What the placement of a Pacemaker Remote connection means for its remote node. Connections
/// are placed before any other resource (see Placement), so that the rest knows which remote
/// nodes will be up: one whose connection starts can take resources in the same transition, one
/// whose connection will not run any more cannot; and what still runs on a remote node that can
/// no longer be reached can only be stopped by fencing it.
/// </summary>
internal static class RemoteConnections
{
    /// <summary>Opens or closes the remote node of a connection that has just been placed.</summary>
    public static void Placed(WorkingSet ws, SchedPrimitive connection)
    {
        if (ws.FindNode(connection.Id) is not { IsRemote: true } node) return;
        if (connection.AssignedTo is null)
            node.GoingDown = true;
        // A guest comes (back) up wherever its container and connection are placed, even one
        // being recovered: that recovery is its fencing.
        else if (node.IsGuest)
            node.ComingUp = true;
        // Down cleanly (or never seen: crm_simulate 2.1.5 places resources on such a node too,
        // fencing or not) and starting now.
        else if (connection.ActiveOn.Count == 0 && !connection.Failed && node is { Online: false, Unclean: false })
            node.ComingUp = true;
    }

    /// <summary>
    /// What stays on a guest node whose container moves or restarts restarts with it: it is
    /// stopped before the container stops and started again once the guest is back ("due to
    /// required CONTAINER start"). Runs after placement.
    /// </summary>
    public static void RestartWithGuests(WorkingSet ws)
    {
        foreach (var guest in ws.Nodes.Where(n => n is { IsGuest: true, GuestReset: false, Online: true }))
        {
            if (ws.ConnectionOf(guest) is not SchedPrimitive { AssignedTo: { } to } connection) continue;
            if (ws.ContainerOf(guest) is not SchedPrimitive container) continue;
            // A bundle's container that will not run takes its guest down for good: what runs
            // there stops (order propagation says why), it is not restarted.
            if (connection.IsBundleConnection && container.AssignedTo is null) continue;
            var restarts = !connection.ActiveOn.ContainsKey(to) || container.Failed || container.RestartReason is not null || connection.Failed;
            if (!restarts) continue;
            foreach (var p in ws.AllPrimitives().Where(p => p.AssignedTo == guest && p.ActiveOn.ContainsKey(guest) && !p.Failed))
                p.RestartReason ??= $"due to required {container.Id} start";
        }
    }

    /// <summary>
    /// A remote node whose connection will not run again (its cluster node is being fenced, or
    /// it failed) and on which resources are still active is fenced: without a connection
    /// nothing else can stop them. (A failed connection waiting out reconnect_interval after its
    /// node was already fenced is left to reconnect.) Runs after placement.
    /// </summary>
    public static void FenceUnreachable(WorkingSet ws)
    {
        if (!ws.StonithEnabled) return;
        foreach (var node in ws.Nodes.Where(n => n is { IsRemote: true, IsGuest: false, Unclean: false }))
        {
            if (ws.ConnectionOf(node) is not SchedPrimitive connection || connection.AssignedTo is not null) continue;
            var runsOnLostNode = connection.ActiveOn.Keys.Any(n => n.Unclean);
            if (!runsOnLostNode && !connection.Failed) continue;
            if (!runsOnLostNode && connection.ReconnectIntervalMs > 0 && node.RemoteWasFenced && !node.Shutdown) continue;
            if (!ws.AllPrimitives().Any(p => p.ActiveOn.ContainsKey(node) && p.Managed)) continue;
            node.Unclean = true;
            node.FenceReason ??= "resources are active but connection is unrecoverable";
        }
    }
}
