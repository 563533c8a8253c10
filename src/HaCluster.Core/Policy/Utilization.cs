using HaCluster.Core.Cib;

namespace HaCluster.Core.Policy;

/// <summary>
/// Capacity-aware placement (placement-strategy utilization, minimal or balanced): nodes declare
/// capacities, resources declare what they use, and a node without enough left for a resource
/// (and, when some node can take them all, for what must run with it) may not take it.
/// </summary>
internal sealed class Utilization(WorkingSet ws)
{
    public string Strategy { get; } = (ws.Property("placement-strategy") ?? "default").ToLowerInvariant();
    public bool Enabled => Strategy is "utilization" or "minimal" or "balanced";

    private readonly Dictionary<SchedNode, Dictionary<string, long>> _capacity = ws.Nodes.ToDictionary(n => n, n => Read(
        ws.Config.Nodes.FirstOrDefault(d => d.Uname == n.Name)?.Utilization ?? EquatableArray<AttributeSet>.Empty, ws, n));

    private readonly Dictionary<SchedNode, Dictionary<string, long>> _used = ws.Nodes.ToDictionary(n => n, _ => new Dictionary<string, long>());

    /// <summary>Utilization sets by descending score, first value winning, rules evaluated on the node (if any) and now.</summary>
    private static Dictionary<string, long> Read(EquatableArray<AttributeSet> sets, WorkingSet ws, SchedNode? node = null)
    {
        var result = new Dictionary<string, long>();
        foreach (var set in sets.OrderByDescending(s => s.Score?.Value ?? 0))
        {
            if (set.Rule is not null && !RuleEvaluator.Matches(set.Rule, node, ws.Now)) continue;
            foreach (var p in set.Pairs)
                if (long.TryParse(p.Value, out var v)) result.TryAdd(p.Name, v);
        }
        return result;
    }

    public Dictionary<string, long> Of(SchedPrimitive p)
    {
        // A bundle's utilization can only be written on its primitive, and Pacemaker moves it to
        // the replicas' containers: the container uses it on its host, the instance inside none.
        if (p.EnclosingClone?.BundleContainers is not null) return new Dictionary<string, long>();
        var definition = p.Parent is SchedClone { Bundle.Child: { } inside } ? inside : p.Definition;
        var u = Read(definition.Utilization, ws);
        if (ws.Config.TemplateOf(definition) is { } template)
            foreach (var (k, v) in Read(template.Utilization, ws)) u.TryAdd(k, v);
        return u;
    }

    private static Dictionary<string, long> Sum(IEnumerable<Dictionary<string, long>> parts)
    {
        var total = new Dictionary<string, long>();
        foreach (var part in parts)
            foreach (var (k, v) in part) total[k] = total.GetValueOrDefault(k) + v;
        return total;
    }

    /// <summary>Enough left on the node for every attribute the demand names (unknown capacity is 0).</summary>
    public bool Fits(SchedNode node, Dictionary<string, long> demand) =>
        demand.All(d => _capacity[node].GetValueOrDefault(d.Key) - _used[node].GetValueOrDefault(d.Key) >= d.Value);

    /// <summary>How many attributes node a has more room in than node b, minus the reverse (balanced).</summary>
    public int CompareFree(SchedNode a, SchedNode b)
    {
        var keys = _capacity[a].Keys.Union(_capacity[b].Keys);
        int result = 0;
        foreach (var k in keys)
        {
            var fa = _capacity[a].GetValueOrDefault(k) - _used[a].GetValueOrDefault(k);
            var fb = _capacity[b].GetValueOrDefault(k) - _used[b].GetValueOrDefault(k);
            if (fa > fb) result--;
            else if (fa < fb) result++;
        }
        return result;
    }

    public void Consume(SchedNode node, SchedPrimitive p)
    {
        foreach (var (k, v) in Of(p)) _used[node][k] = _used[node].GetValueOrDefault(k) + v;
    }

    /// <summary>
    /// Bans nodes that cannot hold <paramref name="p"/> and the not-yet-placed resources that
    /// must run with it; if no node could hold them all, only nodes that cannot hold p alone.
    /// When no node can hold them all, returns the usable node with the most free capacity,
    /// which Pacemaker then prefers among the best-scored nodes; otherwise null.
    /// </summary>
    public SchedNode? BanInsufficient(SchedPrimitive p)
    {
        if (!Enabled) return null;
        // The first of equals in Pacemaker's walk of the allowed-node table (GlibHashOrder).
        SchedNode? mostCapable = null;
        var byName = p.Allowed.Keys.OrderBy(n => n.Name, StringComparer.Ordinal);
        foreach (var n in GlibHashOrder.Of(byName, n => n.Id))
            if (n.CanRunResources && p.Effective(n) >= 0 && (mostCapable is null || CompareFree(n, mostCapable) < 0))
                mostCapable = n;
        var together = new HashSet<SchedResource> { p };
        var queue = new Queue<SchedResource>(together);
        while (queue.Count > 0)
        {
            var r = queue.Dequeue();
            foreach (var c in r.ThisWith.Concat(r.WithThis).Where(c => c.Score >= Score.InfinityValue))
            {
                var other = c.Dependent == r ? c.Primary : c.Dependent;
                if (other.Provisional && other is SchedPrimitive && together.Add(other)) queue.Enqueue(other);
            }
        }
        // A bundle not placed yet counts once, with its first container's utilization (its
        // replicas are alike), as Pacemaker's bundle does.
        var bundles = together.SelectMany(r => r.ThisWith.Concat(r.WithThis))
            .Where(c => c.Score >= Score.InfinityValue)
            .SelectMany(c => new[] { c.Dependent, c.Primary })
            .OfType<SchedClone>().Where(b => b.Bundle is not null && b.Provisional).Distinct()
            .Select(b => b.Children.FirstOrDefault()).OfType<SchedPrimitive>().Where(container => container.Provisional);
        var all = Sum(together.OfType<SchedPrimitive>().Concat(bundles).Select(Of));
        var mine = Of(p);
        var allFitSomewhere = ws.Nodes.Any(n => n.CanRunResources && p.Allowed.TryGetValue(n, out var s) && s >= 0 && Fits(n, all));
        var demand = allFitSomewhere ? all : mine;
        foreach (var n in p.Allowed.Keys.ToList())
            if (n.CanRunResources && !Fits(n, demand))
            {
                p.Allowed[n] = -Score.InfinityValue;
                p.Explanation.Add($"-INFINITY on {n.Name}: not enough capacity left (placement-strategy={Strategy})");
            }
        return allFitSomewhere ? null : mostCapable;
    }
}
