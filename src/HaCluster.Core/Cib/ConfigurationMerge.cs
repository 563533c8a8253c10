namespace HaCluster.Core.Cib;

/// <summary>
/// <c>crm configure load update</c>: the objects of a file replace the running configuration's
/// objects of the same id (or node name); everything else is kept. Property, rsc_defaults and
/// op_defaults values are merged by name.
/// </summary>
public static class ConfigurationMerge
{
    public static ClusterConfig Update(ClusterConfig current, ClusterConfig update) => current with
    {
        Properties = MergeSets(current.Properties, update.Properties),
        ResourceDefaults = MergeSets(current.ResourceDefaults, update.ResourceDefaults),
        OperationDefaults = MergeSets(current.OperationDefaults, update.OperationDefaults),
        Nodes = Merge(current.Nodes, update.Nodes, n => n.Uname),
        Resources = MergeResources(current.Resources, update.Resources),
        Templates = Merge(current.Templates, update.Templates, t => t.Id),
        Constraints = Merge(current.Constraints, update.Constraints, c => c.Id),
        Tags = Merge(current.Tags, update.Tags, t => t.Id),
        FencingLevels = update.FencingLevels.IsEmpty ? current.FencingLevels : update.FencingLevels,
        Alerts = Merge(current.Alerts, update.Alerts, a => a.Id),
        HealthChecks = Merge(current.HealthChecks, update.HealthChecks, h => h.Id),
    };

    /// <summary>
    /// Resources by id, at any depth: an updated primitive that is a group member or a clone's
    /// child replaces it there (crm's "load update" of "primitive app ..." when app is in a group).
    /// </summary>
    private static EquatableArray<Resource> MergeResources(EquatableArray<Resource> current, EquatableArray<Resource> update)
    {
        var topLevel = current.Select(r => r.Id).ToHashSet();
        var nested = update.Where(r => !topLevel.Contains(r.Id)).ToDictionary(r => r.Id);
        var used = new HashSet<string>();
        Resource Replace(Resource r) => r switch
        {
            Group g => g with { Members = g.Members.Select(m => nested.TryGetValue(m.Id, out var n) && n is Primitive np && used.Add(m.Id) ? np : m).ToEquatableArray() },
            Clone c => c with { Child = nested.TryGetValue(c.Child.Id, out var n) && used.Add(c.Child.Id) ? n : Replace(c.Child) },
            Bundle { Child: { } inside } b => b with { Child = nested.TryGetValue(inside.Id, out var n) && n is Primitive np && used.Add(inside.Id) ? np : inside },
            _ => r,
        };
        var inPlace = current.Select(Replace).ToEquatableArray();
        return Merge(inPlace, update.Where(r => !used.Contains(r.Id)).ToEquatableArray(), r => r.Id);
    }

    private static EquatableArray<T> Merge<T>(EquatableArray<T> current, EquatableArray<T> update, Func<T, string> key)
    {
        var replaced = update.ToDictionary(key);
        var result = current.Select(x => replaced.Remove(key(x), out var newer) ? newer : x).ToList();
        // New objects keep the file's order, after the existing ones.
        result.AddRange(update.Where(x => replaced.ContainsKey(key(x))));
        return result.ToEquatableArray();
    }

    /// <summary>Values by name: the update's win; sets with rules are taken whole from the update when given.</summary>
    private static EquatableArray<AttributeSet> MergeSets(EquatableArray<AttributeSet> current, EquatableArray<AttributeSet> update)
    {
        if (update.IsEmpty) return current;
        if (current.IsEmpty) return update;
        var plainUpdate = update.Where(s => s.Rule is null).SelectMany(s => s.Pairs).ToList();
        var names = plainUpdate.Select(p => p.Name).ToHashSet();
        var first = current.FirstOrDefault(s => s.Rule is null);
        if (first is null) return current.Concat(update).ToEquatableArray();
        var merged = first with { Pairs = first.Pairs.Where(p => !names.Contains(p.Name)).Concat(plainUpdate).ToEquatableArray() };
        return current.Select(s => ReferenceEquals(s, first) ? merged : s)
            .Select(s => s.Rule is null && !ReferenceEquals(s, merged) ? s with { Pairs = s.Pairs.Where(p => !names.Contains(p.Name)).ToEquatableArray() } : s)
            .Concat(update.Where(s => s.Rule is not null)).ToEquatableArray();
    }
}
