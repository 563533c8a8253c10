using HaCluster.Agents.Attributes;

namespace HaCluster.Agents;

/// <summary>How the execution itself went, separate from what the agent answered.</summary>
public enum ExecutionStatus
{
    /// <summary>The agent ran and exited; see <see cref="ActionResult.Code"/>.</summary>
    Done,
    /// <summary>The agent exceeded its timeout; its process group was killed.</summary>
    TimedOut,
    /// <summary>The agent does not exist on this node (code is NotInstalled).</summary>
    NotInstalled,
    /// <summary>The agent could not be started, or died from a signal.</summary>
    Error,
    /// <summary>A recurring action was cancelled before it ran.</summary>
    Cancelled,
}

/// <summary>The outcome of one agent action, in OCF terms whatever the agent class.</summary>
public sealed record ActionResult
{
    public required OcfExitCode Code { get; init; }
    public ExecutionStatus Status { get; init; } = ExecutionStatus.Done;
    /// <summary>The process's own exit status (before mapping), null when it never exited normally.</summary>
    public int? RawExitCode { get; init; }
    /// <summary>The last <c>ocf-exit-reason:</c> line the agent printed, or our own explanation.</summary>
    public string? ExitReason { get; init; }
    public string Stdout { get; init; } = "";
    public string Stderr { get; init; } = "";
    public TimeSpan Duration { get; init; }
    /// <summary>Node attributes the agent set or deleted while running (crm_attribute, crm_master, attrd_updater).</summary>
    public IReadOnlyList<AttributeUpdate> AttributeUpdates { get; init; } = [];

    public bool TimedOut => Status == ExecutionStatus.TimedOut;

    public static ActionResult Failed(OcfExitCode code, ExecutionStatus status, string reason) =>
        new() { Code = code, Status = status, ExitReason = reason };

    /// <summary>"ok", "not running (rc=7)", "timed out after 20s": one line for logs and the CLI.</summary>
    public string Summary()
    {
        var text = Status switch
        {
            ExecutionStatus.TimedOut => $"timed out after {Duration.TotalSeconds:0.###}s",
            ExecutionStatus.Cancelled => "cancelled",
            _ => $"{Code.Describe()} (rc={(int)Code})",
        };
        if (RawExitCode is { } raw && raw != (int)Code && Status == ExecutionStatus.Done) text += $" [agent exited {raw}]";
        return ExitReason is null ? text : $"{text}: {ExitReason}";
    }
}
