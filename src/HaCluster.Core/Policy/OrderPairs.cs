using HaCluster.Core.Cib;

namespace HaCluster.Core.Policy;

/// <summary>
/// The ordered pairs one order constraint stands for, (first, its action) before (then, its
/// action): a plain constraint gives every resolved first × then; resource sets chain the members
/// of a sequential set, and each set follows every member of the set before it. A set with
/// require-all=false ("one or more of") is not modelled yet: no pairs follow from it.
/// </summary>
internal static class OrderPairs
{
    public static IEnumerable<(SchedResource First, string FirstAction, SchedResource Then, string ThenAction)> Of(WorkingSet ws, OrderConstraint o)
    {
        if (o.Sets.IsEmpty)
        {
            if (o.First is null || o.Then is null) yield break;
            var fa = o.FirstAction ?? "start";
            var ta = o.ThenAction ?? fa;
            foreach (var f in ws.Resolve(o.First))
                foreach (var t in ws.Resolve(o.Then))
                    yield return (f, fa, t, ta);
            yield break;
        }
        List<(SchedResource R, string Action)>? previous = null;
        ResourceSet? previousSet = null;
        foreach (var set in o.Sets)
        {
            var action = set.Action ?? "start";
            var members = set.Resources.SelectMany(ws.Resolve).Select(r => (R: r, Action: action)).ToList();
            if (CibBoolean.TryParse(set.Sequential) != false)
                for (var i = 1; i < members.Count; i++)
                    yield return (members[i - 1].R, action, members[i].R, action);
            if (previous is not null && CibBoolean.TryParse(previousSet!.RequireAll) != false)
                foreach (var p in previous)
                    foreach (var m in members)
                        yield return (p.R, p.Action, m.R, m.Action);
            previous = members;
            previousSet = set;
        }
    }
}
