using HaCluster.Core.Cib;
using HaCluster.Core.Status;

namespace HaCluster.Core.Tests.Policy;

/// <summary>Builds a status: nodes online (or not), resources running where said, attributes.</summary>
internal sealed class StatusBuilder
{
    private readonly List<NodeState> _nodes = new();
    private readonly List<TicketState> _tickets = new();
    private bool _quorum = true;

    public StatusBuilder Online(params string[] names)
    {
        foreach (var n in names) _nodes.Add(new NodeState(n, n, "true", "online", "member", "member"));
        return this;
    }

    public StatusBuilder Lost(string name)
    {
        _nodes.Add(new NodeState(name, name, "false", "offline", "down", "member"));
        return this;
    }

    /// <summary>A node that shut down cleanly (it left, and was expected to).</summary>
    public StatusBuilder Down(string name)
    {
        _nodes.Add(new NodeState(name, name, "false", "offline", "down", "down"));
        return this;
    }

    /// <summary>rsc was stopped on node when it shut down at <paramref name="since"/> (unix seconds), under shutdown-lock.</summary>
    public StatusBuilder ShutdownLock(string node, string rsc, long since)
    {
        History(node, rsc, "ocf:heartbeat:Dummy", ("start", 0, 0), ("stop", 0, 0));
        return ChangeHistory(node, rsc, r => r with { ShutdownLock = since });
    }

    /// <summary>rsc ran on source, its migrate_to target succeeded, then migrate_from failed on target, which stopped it.</summary>
    public StatusBuilder MigrationFailedOnTarget(string source, string target, string rsc)
    {
        History(source, rsc, "ocf:heartbeat:Dummy", ("start", 0, 0), ("migrate_to", 0, 0));
        History(target, rsc, "ocf:heartbeat:Dummy", ("migrate_from", 1, 0), ("stop", 0, 0));
        foreach (var node in new[] { source, target })
            ChangeHistory(node, rsc, r => r with
            {
                Operations = r.Operations.Select(o => o.Task is "migrate_to" or "migrate_from" ? o with { MigrateSource = source, MigrateTarget = target } : o).ToEquatableArray(),
            });
        return this;
    }

    /// <summary>rsc migrated from source to target (migrate_to and migrate_from done); the source's stop was never recorded.</summary>
    public StatusBuilder MigrationDangling(string source, string target, string rsc)
    {
        History(source, rsc, "ocf:heartbeat:Dummy", ("start", 0, 0), ("migrate_to", 0, 0));
        History(target, rsc, "ocf:heartbeat:Dummy", ("migrate_from", 0, 0));
        foreach (var node in new[] { source, target })
            ChangeHistory(node, rsc, r => r with
            {
                Operations = r.Operations.Select(o => o.Task is "migrate_to" or "migrate_from" ? o with { MigrateSource = source, MigrateTarget = target } : o).ToEquatableArray(),
            });
        return this;
    }

    /// <summary>rsc migrated from source towards target (migrate_to done), then was stopped on source; target recorded nothing.</summary>
    public StatusBuilder MigrationLeftHalfDone(string source, string target, string rsc)
    {
        History(source, rsc, "ocf:heartbeat:Dummy", ("start", 0, 0), ("migrate_to", 0, 0), ("stop", 0, 0));
        return ChangeHistory(source, rsc, r => r with
        {
            Operations = r.Operations.Select((o, i) => (o.Task == "migrate_to" ? o with { MigrateSource = source, MigrateTarget = target } : o) with { LastRcChange = 1000 + i }).ToEquatableArray(),
        });
    }

    /// <summary>rsc (agent <paramref name="type"/>) migrated from source towards target (migrate_to done); nothing recorded since, anywhere.</summary>
    public StatusBuilder MigrationUnderWay(string source, string target, string rsc, string type = "ocf:heartbeat:Dummy")
    {
        History(source, rsc, type, ("start", 0, 0), ("migrate_to", 0, 0));
        return ChangeHistory(source, rsc, r => r with
        {
            Operations = r.Operations.Select((o, i) => (o.Task == "migrate_to" ? o with { MigrateSource = source, MigrateTarget = target } : o) with { LastRcChange = 1000 + i }).ToEquatableArray(),
        });
    }

    /// <summary>rsc migrated from source to target (migrate_to, then migrate_from done), but the source's stop was never recorded.</summary>
    public StatusBuilder MigratedWithoutSourceStop(string source, string target, string rsc)
    {
        MigrationUnderWay(source, target, rsc);
        History(target, rsc, "ocf:heartbeat:Dummy", ("migrate_from", 0, 0));
        return ChangeHistory(target, rsc, r => r with
        {
            Operations = r.Operations.Select(o => o with { MigrateSource = source, MigrateTarget = target, LastRcChange = 2000 }).ToEquatableArray(),
        });
    }

    /// <summary>rsc runs on source and a migrate_to towards target is still in flight (call-id -1, rc 193).</summary>
    public StatusBuilder MigrationInFlight(string source, string target, string rsc)
    {
        History(source, rsc, "ocf:heartbeat:Dummy", ("start", 0, 0));
        return ChangeHistory(source, rsc, r => r with
        {
            Operations = r.Operations.Add(new OperationRecord($"{rsc}_migrate_to_0", "migrate_to", 0, 193, -1, -1,
                TransitionKey: "1:1:0:" + TransitionUuid, MigrateSource: source, MigrateTarget: target)),
        });
    }

    public StatusBuilder NoQuorum() { _quorum = false; return this; }

    private NodeState Node(string name) => _nodes.First(n => n.Uname == name);

    private void Replace(string node, Func<NodeState, NodeState> change)
    {
        var i = _nodes.FindIndex(n => n.Uname == node);
        _nodes[i] = change(_nodes[i]);
    }

    /// <summary>The connection of the remote (or guest) node <paramref name="name"/> runs on node, and that node has a state.</summary>
    public StatusBuilder ConnectionRunning(string node, string name) =>
        Running(node, name, "ocf:pacemaker:remote").RemoteNode(name);

    /// <summary>A guest's connection rsc runs on node; its history names the container it runs in.</summary>
    public StatusBuilder GuestConnectionRunning(string node, string rsc, string container)
    {
        Running(node, rsc, "ocf:pacemaker:remote");
        return ChangeHistory(node, rsc, r => r with { Container = container });
    }

    /// <summary>rsc ran these ops (task, rc, interval ms) on node, in order.</summary>
    /// <summary>The controller's UUID in transition keys: a real one, so that crm_simulate decodes them.</summary>
    private const string TransitionUuid = "6b0cc1b4-0a3e-4b64-9c3f-3bb1b1f4d1a2";

    public StatusBuilder History(string node, string rsc, string type, params (string Task, int Rc, long Interval)[] ops)
    {
        var records = ops.Select((o, i) => new OperationRecord($"{rsc}_{o.Task}_{o.Interval}", o.Task, o.Interval, o.Rc, o.Rc is 0 or 7 or 8 or 190 or 191 ? 0 : 4, i + 1,
            TransitionKey: $"1:1:{(o.Task == "monitor" && o.Interval == 0 ? 7 : 0)}:{TransitionUuid}")).ToEquatableArray();
        return AddHistory(node, rsc, type, records);
    }

    /// <summary>Adds rsc's history (these operation records, agent <paramref name="type"/>) on node.</summary>
    private StatusBuilder AddHistory(string node, string rsc, string type, EquatableArray<OperationRecord> records)
    {
        var agent = AgentSpec.TryParse(type)!;
        Replace(node, n => n with { Resources = n.Resources.Add(new ResourceHistory(rsc, agent.Class, agent.Provider, agent.Type, records)) });
        return this;
    }

    /// <summary>Rewrites rsc's history on node.</summary>
    private StatusBuilder ChangeHistory(string node, string rsc, Func<ResourceHistory, ResourceHistory> change)
    {
        Replace(node, n => n with { Resources = n.Resources.Select(r => r.Id != rsc ? r : change(r)).ToEquatableArray() });
        return this;
    }

    /// <summary>rsc started on node, then its 10 s monitor failed (rc 1) at <paramref name="when"/> (unix seconds).</summary>
    public StatusBuilder MonitorFailedAt(string node, string rsc, long when, string type = "ocf:heartbeat:Dummy") =>
        FailedAt(node, rsc, type, when, "monitor_10000", "1", ("start", 0, 0), ("monitor", 1, 10000));

    /// <summary>rsc started on node, then its 10 s monitor found it not running (rc 7) at <paramref name="when"/> (unix seconds).</summary>
    public StatusBuilder MonitorNotRunningAt(string node, string rsc, long when) =>
        FailedAt(node, rsc, "ocf:heartbeat:Dummy", when, "monitor_10000", "1", ("start", 0, 0), ("monitor", 7, 10000));

    /// <summary>rsc's history on node (every operation at <paramref name="when"/>) and the fail count and last failure of <paramref name="failedOp"/>.</summary>
    private StatusBuilder FailedAt(string node, string rsc, string type, long when, string failedOp, string failCount, params (string Task, int Rc, long Interval)[] ops)
    {
        History(node, rsc, type, ops);
        ChangeHistory(node, rsc, r => r with { Operations = r.Operations.Select(o => o with { LastRcChange = when }).ToEquatableArray() });
        return Attribute(node, $"fail-count-{rsc}#{failedOp}", failCount).Attribute(node, $"last-failure-{rsc}#{failedOp}", when.ToString());
    }

    /// <summary>rsc's start failed on node (rc 1) at <paramref name="when"/> (unix seconds); its fail count there is INFINITY.</summary>
    public StatusBuilder StartFailedAt(string node, string rsc, long when) =>
        FailedAt(node, rsc, "ocf:heartbeat:Dummy", when, "start_0", "INFINITY", ("start", 1, 0));

    /// <summary>
    /// rsc's start failed on node (recorded as its last failure, with the parameter digest
    /// <paramref name="digest"/>, or the configuration's when null) and it was stopped; its fail
    /// count there is INFINITY.
    /// </summary>
    public StatusBuilder StartFailedWithDigest(string node, string rsc, string? digest)
    {
        AddHistory(node, rsc, "ocf:heartbeat:Dummy", new[]
        {
            new OperationRecord($"{rsc}_last_failure_0", "start", 0, 1, 4, 2, OpDigest: digest),
            new OperationRecord($"{rsc}_last_0", "stop", 0, 0, 0, 3, OpDigest: digest),
        }.ToEquatableArray());
        return Attribute(node, $"fail-count-{rsc}#start_0", "INFINITY");
    }

    /// <summary>rsc was started on node with parameters whose digest is <paramref name="digest"/>.</summary>
    public StatusBuilder RunningWithDigest(string node, string rsc, string digest) =>
        AddHistory(node, rsc, "ocf:heartbeat:Dummy", new[] { new OperationRecord($"{rsc}_last_0", "start", 0, 0, 0, 2, OpDigest: digest, TransitionKey: $"1:1:0:{TransitionUuid}") }.ToEquatableArray());

    /// <summary>A Pacemaker Remote node's state; <paramref name="fencedAt"/>: it was fenced then (unix seconds) since its connection was lost.</summary>
    public StatusBuilder RemoteNode(string name, long? fencedAt = null)
    {
        _nodes.Add(new NodeState(name, name, RemoteNode: true, NodeFenced: fencedAt?.ToString(),
            TransientAttributes: EquatableArray<NvPair>.Empty, Resources: EquatableArray<ResourceHistory>.Empty));
        return this;
    }

    public StatusBuilder Running(string node, string rsc, string type = "ocf:heartbeat:Dummy") =>
        History(node, rsc, type, ("start", 0, 0), ("monitor", 0, 10000));

    public StatusBuilder Attribute(string node, string name, string value)
    {
        Replace(node, n => n with { TransientAttributes = n.TransientAttributes.Add(new NvPair(name, value)) });
        return this;
    }

    public StatusBuilder Ticket(string id, bool granted, bool standby = false)
    {
        _tickets.Add(new TicketState(id, granted, standby, null));
        return this;
    }

    public ClusterStatus Build() => new() { Nodes = _nodes.ToEquatableArray(), HaveQuorum = _quorum, Tickets = _tickets.ToEquatableArray() };

    /// <summary>The status, with every operation that has no digest of its own carrying the one of <paramref name="config"/>'s definition (as if run with it).</summary>
    public ClusterStatus Build(ClusterConfig config)
    {
        var status = Build();
        // As the scheduler sees it: guest nodes' connections included.
        config = HaCluster.Core.Policy.GuestNodes.Expand(config);
        var primitives = config.AllResources().OfType<Primitive>().ToDictionary(p => p.Id);
        NodeState WithDigests(NodeState n) => n with
        {
            Resources = n.Resources.Select(r => primitives.TryGetValue(r.Id.Split(':')[0], out var p)
                ? r with { Operations = r.Operations.Select(o => o with { OpDigest = o.OpDigest ?? HaCluster.Core.Policy.OperationDigest.For(config, p, o.Task, o.IntervalMs, _ => true) }).ToEquatableArray() }
                : r).ToEquatableArray(),
        };
        return status with { Nodes = status.Nodes.Select(WithDigests).ToEquatableArray() };
    }
}
