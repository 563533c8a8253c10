using HaCluster.Core.Cib;
using HaCluster.Core.Status;

namespace HaCluster.Core.Policy;

/// <summary>
/// `hacrm simulate --run`: the status after a transition in which every action succeeded, as
/// crm_simulate's "Revised Cluster Status". Fenced nodes are down and forget their resources;
/// each change line adds the operations that carry it out (stop, start, promote, demote,
/// migrate) to the nodes' histories, with the parameter digests of today's definition. Lines
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

        void Record(SchedPrimitive p, SchedNode node, string task)
        {
            if (!nodes.TryGetValue(node.Name, out var state)) return;
            var baseId = CloneBuilder.BaseId(p.Id);
            var history = state.Resources.FirstOrDefault(r => r.Id == p.Id) ?? state.Resources.FirstOrDefault(r => CloneBuilder.BaseId(r.Id) == baseId && p.Id != baseId)
                          ?? new ResourceHistory(p.Id, p.Agent.Class, p.Agent.Provider, p.Agent.Type, EquatableArray<OperationRecord>.Empty);
            var definition = configured.GetValueOrDefault(baseId) ?? p.Definition;
            var digest = OperationDigest.For(config, definition, task, 0, _ => true);
            var op = new OperationRecord($"{history.Id}_{task}_0", task, 0, 0, 0, ++callId, TransitionKey: "0:0:0:simulated", OpDigest: digest);
            history = history with { Operations = history.Operations.Add(op) };
            nodes[node.Name] = state with { Resources = state.Resources.Where(r => r.Id != history.Id).Append(history).ToEquatableArray() };
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
                case "Move" or "Recover" or "Restart" or "Migrate":
                    foreach (var n in p.ActiveOn.Keys.Where(n => !n.Unclean)) Record(p, n, "stop");
                    if (to is null) break;
                    Record(p, to, "start");
                    if (p.NextRole == Role.Promoted) Record(p, to, "promote");
                    break;
            }
        }
        return status with { Nodes = status.Nodes.Select(n => nodes[n.Uname ?? n.Id]).ToEquatableArray() };
    }
}
