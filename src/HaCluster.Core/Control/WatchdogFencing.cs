using HaCluster.Core.Cib;

namespace HaCluster.Core.Control;

/// <summary>
/// Fencing without fence hardware, with SBD's watchdog-only semantics (Pacemaker's
/// <c>stonith-watchdog-timeout</c>), on both sides of a partition:
/// <list type="bullet">
/// <item>a node outside an agreed view with quorum (cut off, or left alone) whose resources are
/// not all stopped after half the timeout resets itself (<see cref="SelfFence"/>; its minority
/// partition stops them meanwhile, under no-quorum-policy=stop);</item>
/// <item>the DC fences a lost node that no device can reach by waiting the whole timeout from
/// when it lost the node: by then the node has stopped everything or reset itself.</item>
/// </list>
/// Half the timeout is the margin for the two sides noticing the partition at different times
/// (a deadtime or so apart): the timeout must be well above twice the deadtime (ConfigValidator
/// cannot see the membership timers; the daemon warns at start).
/// </summary>
internal sealed class WatchdogFencing(ControllerContext context)
{
    private TimeSpan? outsideQuorumSince;
    private bool selfFenced;
    private readonly Dictionary<string, TimeSpan> lostAt = new();

    /// <summary>The configured timeout, when watchdog fencing is on (fencing enabled and a positive stonith-watchdog-timeout).</summary>
    public TimeSpan? Timeout
    {
        get
        {
            if (context.Config is not { } config || !(CibBoolean.TryParse(config.Property("stonith-enabled")) ?? true)) return null;
            return config.Property("stonith-watchdog-timeout") is { } text && Duration.TryParseMilliseconds(text, out var ms) && ms > 0
                ? TimeSpan.FromMilliseconds(ms) : null;
        }
    }

    /// <summary>
    /// The view or this node's resources changed, or time passed: notes which nodes left the
    /// view and when (the DC's clock for watchdog fencing), and resets this node when it has been
    /// without quorum for half the timeout with resources still active.
    /// </summary>
    /// <param name="activeHere">This node's active resources, asked for only when the node may have to reset.</param>
    public void Check(Func<IReadOnlyCollection<string>> activeHere)
    {
        var view = context.View;
        var members = view.Members.Select(context.Name).ToHashSet();
        foreach (var node in context.Bootstrap.Nodes.Select(n => n.Name))
        {
            if (members.Contains(node)) lostAt.Remove(node);
            else lostAt.TryAdd(node, context.Now.Elapsed);
        }
        if (Timeout is not { } timeout || (view.Agreed && view.Quorate))
        {
            outsideQuorumSince = null;
            return;
        }
        outsideQuorumSince ??= context.Now.Elapsed;
        if (selfFenced || context.Now.Elapsed - outsideQuorumSince < timeout / 2 || context.Has(ControllerMutation.NoSelfFence)) return;
        var active = activeHere();
        if (active.Count == 0) return;
        selfFenced = true;
        var reason = $"without quorum for {(context.Now.Elapsed - outsideQuorumSince.Value).TotalSeconds:0.0} s with {string.Join(", ", active)} still active " +
                     $"(stonith-watchdog-timeout {timeout.TotalSeconds:0.#} s): the quorate side will take them over";
        context.Error($"self-fencing: {reason}");
        context.Emit(new SelfFence(reason));
    }

    /// <summary>The DC asks this node to reset itself (it must be fenced and only watchdog fencing can).</summary>
    public void FenceSelfOnOrder(string dc, string reason)
    {
        if (Timeout is null || selfFenced || context.Has(ControllerMutation.NoSelfFence)) return;
        selfFenced = true;
        context.Error($"self-fencing: the DC ({dc}) fences this node: {reason}");
        context.Emit(new SelfFence($"fenced by the DC ({dc}): {reason}"));
    }

    /// <summary>When the DC may take <paramref name="node"/> for fenced by its watchdog: the timeout after it lost the node.</summary>
    public TimeSpan? FencedBy(string node) =>
        Timeout is { } timeout ? (lostAt.TryGetValue(node, out var at) ? at : context.Now.Elapsed) + timeout : null;

    /// <summary>
    /// The configuration as the scheduler gets it: with watchdog fencing on, <c>have-watchdog=true</c>,
    /// as Pacemaker's controller sets it when SBD runs, so fencing counts as available without a
    /// device (else nothing would start: "no STONITH resources defined").
    /// </summary>
    public ClusterConfig AsSchedulerSees(ClusterConfig config) =>
        Timeout is null || config.Property("have-watchdog") is not null ? config
            : config with { Properties = config.Properties.Append(AttributeSet.Of(("have-watchdog", "true"))).ToEquatableArray() };

    /// <summary>The node is a member (again): a watchdog fencing of it must not complete.</summary>
    public bool IsMember(string node) => context.View.Members.Any(m => context.Name(m) == node);
}
