using HaCluster.Core.Cib;

namespace HaCluster.Core.Status;

/// <summary>
/// What-if edits of a cluster status, as crm_simulate's --node-up/--node-down/--node-fail and
/// --op-inject: "what would the cluster do if node2 died, or this monitor failed?"
/// </summary>
public static class StatusInjection
{
    private static NodeState Node(ClusterStatus status, string name) =>
        status.Nodes.FirstOrDefault(n => n.Uname == name) ?? new NodeState(name, name);

    private static ClusterStatus Put(ClusterStatus status, NodeState node)
    {
        var nodes = status.Nodes.Where(n => n.Uname != node.Uname).Append(node).ToEquatableArray();
        return status with { Nodes = nodes };
    }

    /// <summary>The node is a member, online.</summary>
    public static ClusterStatus NodeUp(ClusterStatus status, string node) =>
        Put(status, Node(status, node) with { InCcm = "true", Crmd = "online", Join = "member", Expected = "member" });

    /// <summary>The node left cleanly (its resources were stopped).</summary>
    public static ClusterStatus NodeDown(ClusterStatus status, string node) =>
        Put(status, Node(status, node) with { InCcm = "false", Crmd = "offline", Join = "down", Expected = "down", Resources = EquatableArray<ResourceHistory>.Empty });

    /// <summary>The node vanished while it was expected: unclean, to be fenced.</summary>
    public static ClusterStatus NodeFail(ClusterStatus status, string node) =>
        Put(status, Node(status, node) with { InCcm = "false", Crmd = "offline", Join = "down", Expected = "member" });

    /// <summary>
    /// Sets a transient node attribute, <c>NODE:NAME=VALUE</c> (an empty VALUE removes it): a
    /// promotion score an agent would set (<c>node1:master-drbd=100</c>), a health check's result.
    /// Returns null with <paramref name="problem"/> when the text is not of that form.
    /// </summary>
    public static ClusterStatus? Attribute(ClusterStatus status, string text, out string? problem)
    {
        problem = null;
        var colon = text.IndexOf(':');
        var eq = text.IndexOf('=', Math.Max(colon, 0));
        if (colon <= 0 || eq <= colon + 1)
        {
            problem = $"'{text}' is not NODE:NAME=VALUE";
            return null;
        }
        var (node, name, value) = (text[..colon], text[(colon + 1)..eq], text[(eq + 1)..]);
        var state = Node(status, node);
        var attributes = state.TransientAttributes.Where(a => a.Name != name);
        if (value.Length > 0) attributes = attributes.Append(new NvPair(name, value));
        return Put(status, state with { TransientAttributes = attributes.ToEquatableArray() });
    }

    /// <summary>
    /// Records an operation result, crm_simulate's <c>RSC_TASK_INTERVAL@NODE=RC</c> (e.g.
    /// <c>web_monitor_10000@node1=7</c>). Returns null with <paramref name="problem"/> when the
    /// text or the resource is unknown.
    /// </summary>
    public static ClusterStatus? OperationResult(ClusterStatus status, ClusterConfig config, string text, out string? problem)
    {
        problem = null;
        var at = text.LastIndexOf('@');
        var eq = text.LastIndexOf('=');
        if (at <= 0 || eq < at || !int.TryParse(text[(eq + 1)..], out var rc))
        {
            problem = $"'{text}' is not RSC_TASK_INTERVAL@NODE=RC (e.g. web_monitor_10000@node1=7)";
            return null;
        }
        var key = text[..at];
        var nodeName = text[(at + 1)..eq];
        var parts = key.Split('_');
        if (parts.Length < 3 || !long.TryParse(parts[^1], out var interval))
        {
            problem = $"'{key}' is not RSC_TASK_INTERVAL";
            return null;
        }
        var task = parts[^2];
        var rsc = string.Join('_', parts[..^2]);
        // "migrate_to"/"migrate_from" have an underscore of their own.
        if (parts.Length >= 4 && parts[^3] == "migrate" && task is "to" or "from")
        {
            task = "migrate_" + task;
            rsc = string.Join('_', parts[..^3]);
        }
        var baseId = rsc.Split(':')[0];
        var primitive = config.AllResources().OfType<Primitive>().FirstOrDefault(p => p.Id == baseId);
        var agent = primitive is null ? null : config.AgentOf(primitive);
        if (agent is null)
        {
            problem = $"no primitive '{baseId}' in the configuration";
            return null;
        }
        var node = Node(status, nodeName);
        var history = node.Resources.FirstOrDefault(r => r.Id == rsc) ?? new ResourceHistory(rsc, agent.Class, agent.Provider, agent.Type, EquatableArray<OperationRecord>.Empty);
        var callId = node.Resources.SelectMany(r => r.Operations).Select(o => o.CallId).DefaultIfEmpty(0).Max() + 1;
        var record = new OperationRecord($"{rsc}_{task}_{interval}", task, interval, rc, rc is 0 or 7 or 8 ? 0 : 4, callId,
            TransitionKey: $"1:1:{(task == "monitor" && interval == 0 ? 7 : 0)}:injected",
            // Run with today's definition, as crm_simulate's injections are.
            OpDigest: Policy.OperationDigest.For(config, primitive!, task, interval, _ => true));
        history = history with { Operations = history.Operations.Add(record) };
        var resources = node.Resources.Where(r => r.Id != rsc).Append(history).ToEquatableArray();
        node = node with { Resources = resources };
        // A failure also counts toward migration-threshold, as the executor would record it.
        var failed = rc is not (0 or 8) && !(rc == 7 && (task == "stop" || (task == "monitor" && interval == 0)));
        if (failed)
        {
            var name = $"fail-count-{rsc}#{task}_{interval}";
            var count = int.TryParse(node.TransientAttributes.FirstOrDefault(a => a.Name == name)?.Value, out var c) ? c : 0;
            var attributes = node.TransientAttributes.Where(a => a.Name != name).Append(new NvPair(name, (count + 1).ToString())).ToEquatableArray();
            node = node with { TransientAttributes = attributes };
        }
        return Put(status, node);
    }
}
