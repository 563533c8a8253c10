using HaCluster.Core.Cib;

namespace HaCluster.Core.Policy;

/// <summary>
/// Whether a node probes a resource, from the resource-discovery option of the location
/// constraints on it (or on the group or clone holding it): "never" skips the probe on the
/// nodes the constraint applies to; "exclusive" probes the resource only on such nodes (and the
/// scheduler runs it only there); "always", the default, probes everywhere. Used by the daemon
/// before it probes; the scheduler applies the same modes while placing. Built once per
/// configuration: most have no such constraint, and then every answer is "probe".
/// </summary>
public sealed class ResourceDiscovery
{
    /// <summary>The never/exclusive locations, by the primitives they reach.</summary>
    private readonly Dictionary<string, List<LocationConstraint>> _byPrimitive = new();

    public ResourceDiscovery(ClusterConfig config)
    {
        var locations = config.Constraints.OfType<LocationConstraint>()
            .Where(l => l.ResourceDiscovery is "never" or "exclusive" && l.Resource is not null).ToList();
        if (locations.Count == 0) return;
        var byResource = locations.GroupBy(l => l.Resource!).ToDictionary(g => g.Key, g => g.ToList());
        foreach (var r in config.AllResources())
        {
            if (!byResource.TryGetValue(r.Id, out var onIt)) continue;
            foreach (var p in PrimitivesOf(r))
            {
                if (!_byPrimitive.TryGetValue(p.Id, out var list)) _byPrimitive[p.Id] = list = new();
                list.AddRange(onIt);
            }
        }
    }

    public bool Probes(string primitiveId, SchedNode node, DateTimeOffset now)
    {
        if (!_byPrimitive.TryGetValue(primitiveId, out var locations)) return true;
        string? mode = null;
        foreach (var l in locations)
        {
            var applies = l.Node is not null ? l.Node == node.Name : l.Rules.Any(r => RuleEvaluator.Matches(r, node, now));
            if (applies && mode != "exclusive") mode = l.ResourceDiscovery;
        }
        return mode switch { "never" => false, "exclusive" => true, _ => !locations.Any(l => l.ResourceDiscovery == "exclusive") };
    }

    private static IEnumerable<Primitive> PrimitivesOf(Resource r) => r switch
    {
        Primitive p => [p],
        Group g => g.Members,
        Clone c => PrimitivesOf(c.Child),
        _ => [],
    };
}
