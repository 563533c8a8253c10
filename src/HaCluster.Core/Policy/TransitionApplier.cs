using HaCluster.Core.Cib;
using HaCluster.Core.Status;

namespace HaCluster.Core.Policy;

/// <summary>
/// `hacrm simulate --run`: the status after a transition in which every action succeeded, as
/// crm_simulate's "Revised Cluster Status". Fenced nodes are down and forget their resources;
/// each change line adds the operations that carry it out (stop, start, promote, demote,
/// migrate) to the nodes' histories, with the parameter digests of today's definition; probes
/// find nothing and the recurring monitors the transition starts are recorded as running. Lines
/// that are blocked change nothing.
/// </summary>
public static class TransitionApplier
{
    public static ClusterStatus Apply(ClusterConfig config, ClusterStatus status, TransitionGraph graph, WorkingSet ws)
    {
        var nodes = status.Nodes.ToDictionary(n => n.Uname ?? n.Id, n => n);
        foreach (var fence in graph.Fencing.Where(f => f.Action is "reboot" or "off"))
            if (nodes.TryGetValue(fence.Node, out var victim))
                nodes[fence.Node] = victim with
                {
                    InCcm = "false", Crmd = "offline", Join = "down", Expected = "down",
                    Resources = EquatableArray<ResourceHistory>.Empty,
                };
        var callId = status.Nodes.SelectMany(n => n.Resources).SelectMany(r => r.Operations).Select(o => o.CallId).DefaultIfEmpty(0).Max();
        var configured = config.AllResources().OfType<Primitive>().GroupBy(p => p.Id).ToDictionary(g => g.Key, g => g.First());

        // Each node's histories, updated in place (a cluster of 64 x 10,000 records hundreds of
        // thousands of operations here), with where each resource id and clone base id is.
        var histories = nodes.ToDictionary(kv => kv.Key, kv => new NodeHistories(kv.Value.Resources));

        void Record(SchedPrimitive p, SchedNode node, string task, long intervalMs = 0, int rc = 0)
        {
            if (!histories.TryGetValue(node.Name, out var on)) return;
            var baseId = CloneBuilder.BaseId(p.Id);
            var at = on.Find(p.Id, baseId);
            var history = at >= 0 ? on.List[at]
                : new ResourceHistory(p.Id, p.Agent.Class, p.Agent.Provider, p.Agent.Type, EquatableArray<OperationRecord>.Empty);
            var definition = configured.GetValueOrDefault(baseId) ?? p.Definition;
            var digest = OperationDigest.For(config, definition, task, intervalMs, _ => true);
            var op = new OperationRecord($"{history.Id}_{task}_{intervalMs}", task, intervalMs, rc, 0, ++callId, TransitionKey: "0:0:0:simulated", OpDigest: digest);
            // A recurring operation's record replaces the one with the same key (one per interval).
            var kept = intervalMs == 0 ? history.Operations : history.Operations.Where(o => o.Id != op.Id).ToEquatableArray();
            on.Put(at, history with { Operations = kept.Add(op) });
        }

        // Where a resource was never looked for, the probes the transition begins with find
        // nothing (crm_simulate's default result, 7: not running). An anonymous clone is probed
        // once per node, whichever instance; its instances share that history (a second probe
        // recorded after the first's start would read as stopped).
        var discovery = new ResourceDiscovery(config);
        foreach (var p in ws.AllPrimitives())
        {
            var anonymous = p.EnclosingClone is { GloballyUnique: false };
            var baseId = CloneBuilder.BaseId(p.Id);
            foreach (var at in ws.Nodes)
                if (at.Online && !at.Pending && !at.Unclean && !p.HistoryOn.ContainsKey(at) && !p.ActiveOn.ContainsKey(at)
                    && histories.TryGetValue(at.Name, out var on) && !on.Has(p.Id, anonymous ? baseId : null)
                    && discovery.Probes(baseId, at, ws.Now))
                    Record(p, at, "monitor", 0, rc: 7);
        }

        foreach (var change in graph.Changes)
        {
            if (change.Reason?.Contains("(blocked)", StringComparison.Ordinal) == true) continue;
            if (!ws.ById.TryGetValue(change.Resource, out var r) || r is not SchedPrimitive p) continue;
            var to = p.AssignedTo;
            switch (change.Verb)
            {
                case "Stop":
                    foreach (var n in p.ActiveOn.Keys) Record(p, n, "stop");
                    break;
                case "Start":
                    if (to is not null) Record(p, to, "start");
                    break;
                case "Promote":
                    if (to is null) break;
                    if (!p.ActiveOn.ContainsKey(to)) Record(p, to, "start");
                    Record(p, to, "promote");
                    break;
                case "Demote":
                    foreach (var n in p.ActiveOn.Keys) Record(p, n, "demote");
                    break;
                case "Re-promote":
                    if (to is null) break;
                    Record(p, to, "demote");
                    Record(p, to, "promote");
                    break;
                case "Move" or "Recover" or "Restart" or "Migrate":
                    foreach (var n in p.ActiveOn.Keys.Where(n => !n.Unclean)) Record(p, n, "stop");
                    if (to is null) break;
                    Record(p, to, "start");
                    if (p.NextRole == Role.Promoted) Record(p, to, "promote");
                    break;
            }
        }
        // A dangling migration's source is stopped (see ActionGraphBuilder.AddDanglingStop).
        foreach (var action in graph.Actions)
            if (action is { Task: "stop", Pseudo: false, Resource: { } stopped } && ws.ById.TryGetValue(stopped, out var r) && r is SchedPrimitive { DanglingSource: { } source } d
                && source.Name == action.Node)
                Record(d, source, "stop");
        // The recurring monitors the transition starts run from then on, as crm_simulate records them.
        foreach (var action in graph.Actions)
            if (action is { Task: "monitor", IntervalMs: > 0, Pseudo: false, Resource: { } id }
                && ws.ById.TryGetValue(id, out var monitored) && monitored is SchedPrimitive m && ws.FindNode(action.Node) is { } on)
                Record(m, on, "monitor", action.IntervalMs);
        return status with
        {
            Nodes = status.Nodes.Select(n => n.Uname ?? n.Id)
                .Select(name => nodes[name] with { Resources = histories[name].List.ToEquatableArray() }).ToEquatableArray(),
        };
    }

    /// <summary>One node's resource histories, found by resource id or by clone base id.</summary>
    private sealed class NodeHistories
    {
        public List<ResourceHistory> List { get; }
        private readonly Dictionary<string, int> byId = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> byBaseId = new(StringComparer.Ordinal);

        public NodeHistories(IEnumerable<ResourceHistory> histories)
        {
            List = histories.ToList();
            for (var i = 0; i < List.Count; i++) Index(i);
        }

        private void Index(int i)
        {
            byId.TryAdd(List[i].Id, i);
            byBaseId.TryAdd(CloneBuilder.BaseId(List[i].Id), i);
        }

        /// <summary>Where the history of <paramref name="id"/> is, else (for a clone instance) the first of its clone's; -1 if none.</summary>
        public int Find(string id, string baseId) =>
            byId.TryGetValue(id, out var i) ? i : id != baseId && byBaseId.TryGetValue(baseId, out var j) ? j : -1;

        /// <summary>Whether there is a history of <paramref name="id"/>, or of any instance of <paramref name="baseId"/> when given.</summary>
        public bool Has(string id, string? baseId) => byId.ContainsKey(id) || (baseId is not null && byBaseId.ContainsKey(baseId));

        /// <summary>Replaces the history at <paramref name="at"/>, or adds it when -1.</summary>
        public void Put(int at, ResourceHistory history)
        {
            if (at >= 0)
            {
                List[at] = history;
                return;
            }
            List.Add(history);
            Index(List.Count - 1);
        }
    }
}
