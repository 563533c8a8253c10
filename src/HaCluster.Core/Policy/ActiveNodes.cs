namespace HaCluster.Core.Policy;

/// <summary>Where primitives are active: each node once, with the highest role any of them has there, by node name.</summary>
public static class ActiveNodes
{
    public static IReadOnlyList<(string Node, Role Role)> Of(IEnumerable<SchedPrimitive> primitives) =>
        primitives.SelectMany(p => p.ActiveOn).GroupBy(a => a.Key.Name)
            .Select(g => (g.Key, g.Max(a => a.Value))).OrderBy(x => x.Key, StringComparer.Ordinal).ToList();
}
