namespace HaCluster.Core.Policy;

/// <summary>
/// Unfencing ("Fence (on)"): with a fencing device that provides unfencing (meta
/// provides=unfencing, fence_scsi-style storage fencing), a node must be unfenced before it may
/// probe or start resources that need it — every resource by default (requires=unfencing) and
/// the fencing devices themselves. A node that was unfenced already carries the
/// <c>#node-unfenced</c> attribute; one that was not is unfenced "required by RSC ACTION" (the
/// first resource, in configuration order, that probes or starts there). When a node is
/// unfenced, what runs there and needs unfencing restarts after it ("due to required stonith").
/// A fencing device whose parameters changed unfences again where it runs.
/// </summary>
internal sealed class Unfencing(WorkingSet ws)
{
    public void Run()
    {
        if (!ws.StonithEnabled || !ws.UnfencingEnabled) return;
        foreach (var node in ws.Nodes)
        {
            if (!node.Online || node.Unclean || node.Shutdown) continue;
            if (node.UnfenceReason is null && !Unfenced(node)) node.UnfenceReason = FirstNeed(node);
            if (node.UnfenceReason is null) continue;
            foreach (var p in ws.AllPrimitives())
                if (NeedsUnfencing(p) && p.Agent.Class != "stonith" && p.ActiveOn.ContainsKey(node) && p.AssignedTo == node && p.Managed)
                    p.RestartReason ??= "due to required stonith";
        }
    }

    /// <summary>Pacemaker keeps "#node-unfenced" (the time it was done) on an unfenced node; "0" means never.</summary>
    private static bool Unfenced(SchedNode node) => node.Attribute("#node-unfenced") is { } v && v != "0";

    private bool NeedsUnfencing(SchedPrimitive p) => p.Agent.Class == "stonith" || ws.Requires(p) == "unfencing";

    /// <summary>Why the node needs unfencing now: the first resource that probes, else starts, there.</summary>
    private string? FirstNeed(SchedNode node)
    {
        var primitives = ws.AllPrimitives().Where(NeedsUnfencing).ToList();
        var probe = primitives.FirstOrDefault(p => !Known(p, node));
        if (probe is not null) return $"required by {probe.Id} monitor";
        var start = primitives.FirstOrDefault(p => p.AssignedTo == node && !p.ActiveOn.ContainsKey(node));
        return start is null ? null : $"required by {start.Id} start";
    }

    /// <summary>Whether the node's history says anything of the resource (else it must be probed there).</summary>
    private bool Known(SchedPrimitive p, SchedNode node)
    {
        var state = ws.Status.Nodes.FirstOrDefault(s => s.Uname == node.Name || s.Id == node.Id);
        if (state is null) return false;
        var id = p.Id;
        var baseId = CloneBuilder.BaseId(p.Id);
        return state.Resources.Any(r => r.Id == id || CloneBuilder.BaseId(r.Id) == baseId);
    }
}
