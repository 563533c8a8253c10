using HaCluster.Core.Cib;

namespace HaCluster.Core.Policy;

/// <summary>
/// Whether a node probes a resource, from the resource-discovery option of the location
/// constraints on it (or on the group or clone holding it): "never" skips the probe on the
/// nodes the constraint applies to; "exclusive" probes the resource only on such nodes (and the
/// scheduler runs it only there); "always", the default, probes everywhere. Used by the daemon
/// before it probes; the scheduler applies the same modes while placing.
/// </summary>
public static class ResourceDiscovery
{
    public static bool Probes(ClusterConfig config, string primitiveId, SchedNode node, DateTimeOffset now)
    {
        var ids = IdsCovering(config, primitiveId);
        var exclusiveSomewhere = false;
        string? mode = null;
        foreach (var l in config.Constraints.OfType<LocationConstraint>())
        {
            if (l.ResourceDiscovery is not ("never" or "exclusive") || l.Resource is null || !ids.Contains(l.Resource)) continue;
            if (l.ResourceDiscovery == "exclusive") exclusiveSomewhere = true;
            var applies = l.Node is not null ? l.Node == node.Name : l.Rules.Any(r => RuleEvaluator.Matches(r, node, now));
            if (applies && mode != "exclusive") mode = l.ResourceDiscovery;
        }
        return mode switch { "never" => false, "exclusive" => true, _ => !exclusiveSomewhere };
    }

    /// <summary>The primitive's id and those of the group and clone holding it.</summary>
    private static HashSet<string> IdsCovering(ClusterConfig config, string primitiveId)
    {
        var ids = new HashSet<string> { primitiveId };
        foreach (var r in config.AllResources())
        {
            var holds = r switch
            {
                Group g => g.Members.Any(m => m.Id == primitiveId),
                Clone c => c.Child.Id == primitiveId || c.Child is Group g2 && g2.Members.Any(m => m.Id == primitiveId),
                _ => false,
            };
            if (holds) ids.Add(r.Id);
        }
        return ids;
    }
}
