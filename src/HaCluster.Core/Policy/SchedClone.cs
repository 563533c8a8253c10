using HaCluster.Core.Cib;

namespace HaCluster.Core.Policy;

/// <summary>
/// A clone: instances "CHILD:0".."CHILD:N-1" of its primitive or group, spread over nodes
/// (clone-max, clone-node-max); promotable clones also choose which instances to promote.
/// </summary>
public sealed class SchedClone(string id, SchedResource? parent, Clone definition) : SchedResource(id, parent)
{
    public Clone Definition { get; } = definition;
    public bool Promotable => Definition.IsPromotable || CibBoolean.IsTrue(MetaValue("promotable"));
    public bool GloballyUnique => CibBoolean.IsTrue(MetaValue("globally-unique"));
    public int CloneMax { get; set; }
    /// <summary>Set when this clone holds a bundle's containers (it is named after the bundle).</summary>
    public Bundle? Bundle { get; init; }
    /// <summary>For a bundle's containers: the clone of the primitive inside, if the cluster runs one.</summary>
    public SchedClone? BundleChild { get; set; }
    /// <summary>For the clone of a bundle's primitive: the bundle's containers.</summary>
    public SchedClone? BundleContainers { get; set; }
    public int CloneNodeMax => int.TryParse(MetaValue("clone-node-max"), out var n) ? n : 1;
    public int PromotedMax => int.TryParse(MetaValue("promoted-max") ?? MetaValue("master-max"), out var n) ? n : 1;
    public int PromotedNodeMax => int.TryParse(MetaValue("promoted-node-max") ?? MetaValue("master-node-max"), out var n) ? n : 1;

    public override SchedNode? CurrentNode => Children.Select(c => c.CurrentNode).FirstOrDefault(n => n is not null);
    public override IEnumerable<SchedPrimitive> Primitives() => Children.SelectMany(c => c.Primitives());

    /// <summary>The instance's top resource (primitive or group) for each instance.</summary>
    public IEnumerable<SchedResource> Instances => Children;
}

/// <summary>Builds the instances of a clone from its definition.</summary>
internal static class CloneBuilder
{
    public static SchedResource? Build(WorkingSet ws, Clone clone, SchedResource? parent, Dictionary<string, string> inherited,
        Func<Resource, SchedResource?, Dictionary<string, string>, SchedResource?> build)
    {
        var sc = new SchedClone(clone.Id, parent, clone);
        foreach (var kv in inherited) sc.Meta[kv.Key] = kv.Value;
        ws.AddMeta(sc.Meta, clone.MetaAttributes);
        // Clones are ever so slightly sticky unless told otherwise (Pacemaker gives them a
        // resource-stickiness of 1), so instances are not shuffled between nodes for nothing.
        sc.Meta.TryAdd("resource-stickiness", "1");
        // Every node counts, Pacemaker Remote nodes included.
        var nodeCount = Math.Max(1, ws.Nodes.Count);
        sc.CloneMax = int.TryParse(sc.MetaValue("clone-max"), out var max) ? max : nodeCount * sc.CloneNodeMax;
        ws.ById[sc.Id] = sc;
        for (int i = 0; i < sc.CloneMax; i++)
        {
            var instance = build(Rename(clone.Child, i), sc, sc.Meta);
            if (instance is not null) sc.Children.Add(instance);
        }
        return sc;
    }

    /// <summary>The definition of instance i: ids get ":i" (a group's members too).</summary>
    private static Resource Rename(Resource r, int i) => r switch
    {
        Primitive p => p with { Id = $"{p.Id}:{i}" },
        Group g => g with { Id = $"{g.Id}:{i}", Members = g.Members.Select(m => m with { Id = $"{m.Id}:{i}" }).ToEquatableArray() },
        _ => r,
    };

    /// <summary>"rsc:3" → "rsc".</summary>
    public static string BaseId(string id)
    {
        var colon = id.LastIndexOf(':');
        return colon > 0 && int.TryParse(id[(colon + 1)..], out _) ? id[..colon] : id;
    }
}
