namespace HaCluster.Core.Cib;

/// <summary>One name=value pair (Pacemaker's nvpair).</summary>
public sealed record NvPair(string Name, string? Value);

/// <summary>
/// Which kind of name/value set: instance attributes are the agent's parameters ("params"),
/// meta attributes steer the cluster ("meta"), utilization feeds placement by capacity.
/// </summary>
public enum AttributeSetKind { Instance, Meta, Utilization, ClusterProperty }

/// <summary>
/// A named set of name/value pairs, optionally conditional on a rule and ordered by score
/// (Pacemaker's instance_attributes / meta_attributes / cluster_property_set / utilization).
/// <see cref="Id"/> is null when it is the id the writers would generate anyway, so that
/// crm syntax (which rarely spells ids) and XML round-trip to the same model.
/// </summary>
public sealed record AttributeSet(
    string? Id,
    EquatableArray<NvPair> Pairs,
    Rule? Rule = null,
    Score? Score = null,
    string? IdRef = null)
{
    public static AttributeSet Of(params (string Name, string Value)[] pairs) =>
        new(null, pairs.Select(p => new NvPair(p.Name, p.Value)).ToEquatableArray());

    public string? Get(string name)
    {
        foreach (var p in Pairs)
            if (p.Name == name) return p.Value;
        return null;
    }
}

public static class AttributeSetListExtensions
{
    /// <summary>
    /// What one level of sets (a resource's own, its template's, its parent's...) says: the sets
    /// whose rule holds (or that have none), by descending score (stable), the first value of a
    /// name winning, as Pacemaker unpacks them. How levels combine is the caller's.
    /// </summary>
    public static Dictionary<string, string> Evaluate(this EquatableArray<AttributeSet> sets, Func<Rule, bool> ruleMatches)
    {
        var level = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var set in sets.OrderByDescending(s => s.Score?.Value ?? 0))
        {
            if (set.Rule is not null && !ruleMatches(set.Rule)) continue;
            foreach (var pair in set.Pairs)
                if (pair.Value is not null) level.TryAdd(pair.Name, pair.Value);
        }
        return level;
    }

    /// <summary>
    /// The value of <paramref name="name"/> from the unconditional sets, first set winning
    /// (rules are evaluated by the policy engine, which knows the node and the time).
    /// </summary>
    public static string? GetUnconditional(this EquatableArray<AttributeSet> sets, string name)
    {
        foreach (var set in sets)
        {
            if (set.Rule is not null) continue;
            var v = set.Get(name);
            if (v is not null) return v;
        }
        return null;
    }

    public static IEnumerable<NvPair> AllPairs(this EquatableArray<AttributeSet> sets) =>
        sets.SelectMany(s => s.Pairs);
}
