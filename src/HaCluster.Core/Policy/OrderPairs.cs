using HaCluster.Core.Cib;

namespace HaCluster.Core.Policy;

/// <summary>
/// "One or more of": the first side of an order that is satisfied when at least
/// <see cref="Required"/> of <see cref="Members"/> can do their action — a clone with clone-min,
/// an order with require-all=false on a clone, or a resource set with require-all=false.
/// <see cref="Name"/> is how Pacemaker names the pseudo-action that stands for it
/// ("clone-one-or-more:ORDER", "one-or-more:SET").
/// </summary>
internal sealed record OneOrMore(string Name, IReadOnlyList<SchedResource> Members, int Required);

/// <summary>One ordered pair: (first, its action) before (then, its action).</summary>
internal readonly record struct OrderPair(SchedResource First, string FirstAction, SchedResource Then, string ThenAction, OneOrMore? Relaxed = null);

/// <summary>
/// The ordered pairs one order constraint stands for: a plain constraint gives every resolved
/// first × then; resource sets chain the members of a sequential set, and each set follows every
/// member of the set before it. Pairs whose first side is "one or more of" carry it.
/// </summary>
internal static class OrderPairs
{
    public static IEnumerable<OrderPair> Of(WorkingSet ws, OrderConstraint o) => Resolved(ws, o).Select(ForBundles);

    /// <summary>
    /// An order on a bundle's promote or demote (or promoted, demoted) is on the clone of the
    /// primitive inside it; its start and stop are its containers'.
    /// </summary>
    private static OrderPair ForBundles(OrderPair pair)
    {
        static SchedResource Side(SchedResource r, string action) =>
            r is SchedClone { BundleChild: { } child } && action is "promote" or "demote" or "promoted" or "demoted" ? child : r;
        return pair with { First = Side(pair.First, pair.FirstAction), Then = Side(pair.Then, pair.ThenAction) };
    }

    private static IEnumerable<OrderPair> Resolved(WorkingSet ws, OrderConstraint o)
    {
        if (o.Sets.IsEmpty)
        {
            if (o.First is null || o.Then is null) yield break;
            var fa = o.FirstAction ?? "start";
            var ta = o.ThenAction ?? fa;
            foreach (var f in ws.Resolve(o.First))
            {
                var relaxed = f is SchedClone clone ? CloneMinimum(o, clone) : null;
                foreach (var t in ws.Resolve(o.Then))
                    yield return new OrderPair(f, fa, t, ta, relaxed);
            }
            yield break;
        }
        List<(SchedResource R, string Action)>? previous = null;
        string? previousSetId = null;
        ResourceSet? previousSet = null;
        var index = 0;
        foreach (var set in o.Sets)
        {
            var setId = set.Id ?? Ids.ResourceSet(o.Id, index);
            index++;
            var action = set.Action ?? "start";
            var members = set.Resources.SelectMany(ws.Resolve).Select(r => (R: r, Action: action)).ToList();
            if (CibBoolean.TryParse(set.Sequential) != false)
                for (var i = 1; i < members.Count; i++)
                    yield return new OrderPair(members[i - 1].R, action, members[i].R, action);
            if (previous is not null)
            {
                var relaxed = CibBoolean.TryParse(previousSet!.RequireAll) == false
                    ? new OneOrMore($"one-or-more:{previousSetId}", previous.Select(p => p.R).ToList(), 1)
                    : null;
                foreach (var p in previous)
                    foreach (var m in members)
                        yield return new OrderPair(p.R, p.Action, m.R, m.Action, relaxed);
            }
            previous = members;
            previousSet = set;
            previousSetId = setId;
        }
    }

    /// <summary>clone-min on the first clone (or require-all=false, which means one): how many instances must run.</summary>
    private static OneOrMore? CloneMinimum(OrderConstraint o, SchedClone clone)
    {
        var min = int.TryParse(clone.MetaValue("clone-min"), out var m) && m > 0 ? m : 0;
        if (min == 0 && CibBoolean.TryParse(o.RequireAll) == false) min = 1;
        return min > 0 ? new OneOrMore($"clone-one-or-more:{o.Id}", [clone], min) : null;
    }
}
