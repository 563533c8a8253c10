using HaCluster.Core.Cib;

namespace HaCluster.Core.Policy;

/// <summary>
/// The meta attribute <c>container</c>: a resource that runs inside another one (a monitoring
/// check inside a VM, say). As Pacemaker does for such "fillers", it is colocated with its
/// container (INFINITY), starts after it and stops before it; and by default (on-fail
/// restart-container) its failures restart the container rather than only itself.
/// Guest nodes (a container that is also a Pacemaker Remote node) are not this case.
/// </summary>
internal static class ResourceContainers
{
    /// <summary>
    /// Links every primitive to its container and returns the configuration with the constraints
    /// the links imply. A group's container attribute reaches its members (meta attributes are
    /// inherited); a resource is never its own container; one inside the same group as its
    /// container is already ordered and colocated by the group.
    /// </summary>
    public static ClusterConfig Resolve(WorkingSet ws)
    {
        var implied = new List<Constraint>();
        foreach (var p in ws.AllPrimitives())
        {
            if (p.MetaValue("container") is not { Length: > 0 } id || id == p.ConfigId || p.EnclosingClone is not null) continue;
            if (!ws.ById.TryGetValue(id, out var found) || found is not SchedPrimitive container) continue;
            // A bundle's containers are the one kind of clone instance that is a container.
            var inBundle = container.Parent is SchedClone { Bundle: not null };
            if (container.EnclosingClone is not null && !inBundle) continue;
            p.Container = container;
            if (p.Parent is SchedGroup group && container.Parent == group) continue;
            // A bundle's connection may run on another node than its container (one on a
            // Pacemaker Remote node is reached through that node's connection): highly
            // preferred, not required, as Pacemaker scores it.
            var score = inBundle ? new Score(10000) : Score.Infinity;
            implied.Add(new ColocationConstraint($"{p.Id}-with-container-{container.Id}", score, p.Id, container.Id));
            implied.Add(new OrderConstraint($"{p.Id}-after-container-{container.Id}", container.Id, p.Id, "start", "start", "Mandatory"));
        }
        return implied.Count == 0 ? ws.Config : ws.Config with { Constraints = ws.Config.Constraints.Concat(implied).ToEquatableArray() };
    }
}
