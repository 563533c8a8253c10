using HaCluster.Core.Cib;

namespace HaCluster.Agents;

/// <summary>
/// One action to run: which agent, for which resource, with which parameters. Parameters and
/// meta attributes reach the agent through its environment (or, for fence agents, stdin), never
/// through a command line a shell would interpret.
/// </summary>
public sealed record AgentAction
{
    public required string ResourceId { get; init; }
    public required AgentSpec Agent { get; init; }
    /// <summary>start, stop, monitor, promote, demote, notify, migrate_to, migrate_from, reload, validate-all, meta-data (fence agents also: off, on, reboot, status, list).</summary>
    public required string Name { get; init; }
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = Empty;
    /// <summary>Meta attributes, passed as OCF_RESKEY_CRM_meta_NAME (dashes become underscores).</summary>
    public IReadOnlyDictionary<string, string> Meta { get; init; } = Empty;
    public TimeSpan Timeout { get; init; } = DefaultTimeout;
    /// <summary>Zero for a one-shot action (a monitor with interval 0 is a probe).</summary>
    public TimeSpan Interval { get; init; }
    /// <summary>For recurring monitors: wait this long after the first schedule before running.</summary>
    public TimeSpan StartDelay { get; init; }
    /// <summary>The role a monitor checks for ("Promoted" monitors expect rc 8).</summary>
    public string? Role { get; init; }
    /// <summary>For fencing actions (off, on, reboot, status): the node to act on.</summary>
    public string? Target { get; init; }
    /// <summary>The node this runs on, for OCF_RESKEY_CRM_meta_on_node.</summary>
    public string? NodeName { get; init; }

    /// <summary>Pacemaker's default when neither the op, op_defaults nor the agent names one.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);
    private static readonly IReadOnlyDictionary<string, string> Empty = new Dictionary<string, string>();

    public bool IsProbe => Name == "monitor" && Interval == TimeSpan.Zero;

    /// <summary>The key Pacemaker uses for an operation: rsc_action_intervalMs.</summary>
    public string Key => $"{ResourceId}_{Name}_{(long)Interval.TotalMilliseconds}";

    /// <summary>What a successful run returns: 8 for a Promoted-role monitor, else 0.</summary>
    public OcfExitCode Expected =>
        Name == "monitor" && Role is "Promoted" or "Master" ? OcfExitCode.RunningPromoted : OcfExitCode.Success;
}
