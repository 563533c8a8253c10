using HaCluster.Core.Status.Views;

namespace HaCluster.Core.Alerts;

/// <summary>The four kinds of event Pacemaker tells alert agents about (CRM_alert_kind).</summary>
public enum AlertKind { Node, Fencing, Resource, Attribute }

/// <summary>
/// Something that happened on or was seen by this node, as an alert agent hears it: the fields
/// Pacemaker fills in for its kind (the rest stay null and are not set in the environment).
/// </summary>
public sealed record AlertEvent(AlertKind Kind, string Node, DateTimeOffset At)
{
    public string? NodeId { get; init; }
    public string? Description { get; init; }
    public string? Task { get; init; }
    public int? Rc { get; init; }
    public string? Resource { get; init; }
    public long? IntervalMs { get; init; }
    public int? TargetRc { get; init; }
    /// <summary>Pacemaker's execution status of a resource operation (0 done, 1 cancelled, 2 timed out, 4 error, 7 not installed).</summary>
    public int? ExecutionStatus { get; init; }
    public long? ExecutionMs { get; init; }
    public string? AttributeName { get; init; }
    public string? AttributeValue { get; init; }

    /// <summary>The kind as CRM_alert_kind spells it.</summary>
    public string KindName => Kind switch
    {
        AlertKind.Node => "node",
        AlertKind.Fencing => "fencing",
        AlertKind.Resource => "resource",
        _ => "attribute",
    };

    /// <summary>A node joined ("member") or left ("lost") the membership this node sees.</summary>
    public static AlertEvent NodeChanged(string node, int nodeId, bool member, DateTimeOffset at) =>
        new(AlertKind.Node, node, at) { NodeId = nodeId.ToString(System.Globalization.CultureInfo.InvariantCulture), Description = member ? "member" : "lost" };

    /// <summary>A fencing operation finished (seen on every node, as Pacemaker's fencer tells every controller).</summary>
    public static AlertEvent Fenced(string target, string action, bool ok, string executor, string origin, string? reason, DateTimeOffset at) =>
        new(AlertKind.Fencing, target, at)
        {
            Task = action,
            Rc = ok ? 0 : 1,
            Description = $"Operation {action} of {target} by {(executor == "" ? "<no-one>" : executor)} for haclusterd@{origin}: " +
                          (ok ? "OK" : reason ?? "Error"),
        };

    /// <summary>
    /// A resource operation's result on this node, or null when Pacemaker sends no alert for it:
    /// a probe that found what it expected (a resource found running most likely means only
    /// that the status was erased, not that anything happened).
    /// </summary>
    public static AlertEvent? ResourceOperation(string node, string resource, string task, long intervalMs, int rc, int targetRc,
        int executionStatus, long? executionMs, DateTimeOffset at)
    {
        if (task == "monitor" && intervalMs == 0 && rc == targetRc && executionStatus == ExecutionStatusDone) return null;
        return new(AlertKind.Resource, node, at)
        {
            Resource = resource,
            Task = task,
            IntervalMs = intervalMs,
            Rc = rc,
            TargetRc = targetRc,
            ExecutionStatus = executionStatus,
            ExecutionMs = executionMs,
            Description = executionStatus == ExecutionStatusDone ? StatusPrinter.RcName(rc) : ExecutionStatusText(executionStatus),
        };
    }

    /// <summary>One of this node's transient attributes was set (a null value: deleted).</summary>
    public static AlertEvent AttributeChanged(string node, string name, string? value, DateTimeOffset at) =>
        new(AlertKind.Attribute, node, at) { AttributeName = name, AttributeValue = value ?? "" };

    public const int ExecutionStatusDone = 0;
    public const int ExecutionStatusCancelled = 1;
    public const int ExecutionStatusTimedOut = 2;
    public const int ExecutionStatusError = 4;
    public const int ExecutionStatusNotInstalled = 7;

    /// <summary>How Pacemaker words an execution status that is not "done" (pcmk_exec_status_str).</summary>
    public static string ExecutionStatusText(int status) => status switch
    {
        ExecutionStatusCancelled => "Cancelled",
        ExecutionStatusTimedOut => "Timed Out",
        3 => "NOT SUPPORTED",
        ExecutionStatusError => "Error",
        5 => "Hard error",
        6 => "Fatal error",
        ExecutionStatusNotInstalled => "Not installed",
        _ => "complete",
    };
}
