using HaCluster.Core.Cib;

namespace HaCluster.Core.Policy;

/// <summary>
/// Whether a node probes a resource, from the resource-discovery option of the location
/// constraints on it (or on the group or clone holding it; named directly, through a tag, a
/// template, a set or a pattern, as the scheduler reads them): "never" skips the probe on the
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
        // The locations the scheduler places with (role-specific ones steer promotion only).
        var locations = config.Constraints.OfType<LocationConstraint>()
            .Where(l => l.ResourceDiscovery is "never" or "exclusive" && Roles.Parse(l.Role) is not (Role.Promoted or Role.Unpromoted)).ToList();
        if (locations.Count == 0) return;
        foreach (var l in locations)
            foreach (var target in l.TargetIds(config).SelectMany(id => Resolve(config, id)))
                foreach (var p in PrimitivesOf(target))
                {
                    if (!_byPrimitive.TryGetValue(p.Id, out var list)) _byPrimitive[p.Id] = list = new();
                    if (!list.Contains(l)) list.Add(l);
                }
    }

    /// <summary>A resource, or what a tag or template id stands for (as WorkingSet.Resolve, on the configuration).</summary>
    private static IEnumerable<Resource> Resolve(ClusterConfig config, string id)
    {
        if (config.FindResource(id) is { } r) return [r];
        if (config.Tags.FirstOrDefault(t => t.Id == id) is { } tag) return tag.References.SelectMany(t => Resolve(config, t));
        return config.AllResources().OfType<Primitive>().Where(p => p.Template == id);
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
