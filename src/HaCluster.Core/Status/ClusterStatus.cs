using HaCluster.Core.Cib;

namespace HaCluster.Core.Status;

/// <summary>
/// The CIB's version, (admin_epoch, epoch, num_updates), compared in that order: when partitions
/// merge, the highest wins. Every configuration commit bumps epoch; status updates num_updates.
/// </summary>
public readonly record struct CibVersion(long AdminEpoch, long Epoch, long NumUpdates) : IComparable<CibVersion>
{
    public int CompareTo(CibVersion other)
    {
        var c = AdminEpoch.CompareTo(other.AdminEpoch);
        if (c != 0) return c;
        c = Epoch.CompareTo(other.Epoch);
        return c != 0 ? c : NumUpdates.CompareTo(other.NumUpdates);
    }

    public static bool operator >(CibVersion a, CibVersion b) => a.CompareTo(b) > 0;
    public static bool operator <(CibVersion a, CibVersion b) => a.CompareTo(b) < 0;
    public static bool operator >=(CibVersion a, CibVersion b) => a.CompareTo(b) >= 0;
    public static bool operator <=(CibVersion a, CibVersion b) => a.CompareTo(b) <= 0;
    public override string ToString() => $"{AdminEpoch}.{Epoch}.{NumUpdates}";

    /// <summary>Reads "admin_epoch.epoch.num_updates", as <see cref="ToString"/> writes it.</summary>
    public static bool TryParse(string? text, out CibVersion version)
    {
        version = default;
        if (text?.Split('.') is not [var a, var e, var u]
            || !long.TryParse(a, out var admin) || !long.TryParse(e, out var epoch) || !long.TryParse(u, out var updates)) return false;
        version = new CibVersion(admin, epoch, updates);
        return true;
    }
}

/// <summary>
/// What the cluster knows about itself right now: per node its membership state, transient
/// attributes and resource operation history, plus tickets and quorum. Immutable, like the
/// configuration; the scheduler reads the two together.
/// </summary>
public sealed record ClusterStatus
{
    public CibVersion Version { get; init; }
    public bool HaveQuorum { get; init; } = true;
    public string? DcUuid { get; init; }
    /// <summary>The CIB's execution-date: "now" for a saved scheduler input (crm_simulate honours it).</summary>
    public DateTimeOffset? ExecutionDate { get; init; }
    public EquatableArray<NodeState> Nodes { get; init; } = EquatableArray<NodeState>.Empty;
    public EquatableArray<TicketState> Tickets { get; init; } = EquatableArray<TicketState>.Empty;

    public static readonly ClusterStatus Empty = new();

    public NodeState? FindNode(string idOrUname) => Nodes.FirstOrDefault(n => n.Id == idOrUname || n.Uname == idOrUname);
}

/// <summary>
/// One node's state (Pacemaker's node_state). in_ccm / crmd are kept as written: old CIBs say
/// "true"/"online", newer ones a timestamp since when.
/// </summary>
public sealed record NodeState(
    string Id,
    string? Uname,
    string? InCcm = null,
    string? Crmd = null,
    string? Join = null,
    string? Expected = null,
    string? Shutdown = null,
    bool RemoteNode = false,
    string? NodeFenced = null,
    EquatableArray<NvPair> TransientAttributes = default,
    EquatableArray<ResourceHistory> Resources = default)
{
    /// <summary>In the membership: "true" or a non-zero timestamp.</summary>
    public bool InMembership => IsOnOrSince(InCcm);

    /// <summary>The controller runs there: "online" or a non-zero timestamp.</summary>
    public bool ControllerOnline => Crmd == "online" || IsOnOrSince(Crmd);

    /// <summary>A shutdown was requested (a non-zero timestamp).</summary>
    public bool ShuttingDown => Shutdown is { } s && s != "0" && s.Length > 0;

    public string? Attribute(string name)
    {
        foreach (var a in TransientAttributes)
            if (a.Name == name) return a.Value;
        return null;
    }

    private static bool IsOnOrSince(string? value) =>
        value is not null && (value == "true" || (long.TryParse(value, out var t) && t > 0) || value == "yes");
}

/// <summary>
/// The operation history of one resource on one node (lrm_resource); <see cref="ShutdownLock"/>
/// is when the node shut down if the resource was stopped there under shutdown-lock.
/// </summary>
public sealed record ResourceHistory(
    string Id,
    string Class,
    string? Provider,
    string Type,
    EquatableArray<OperationRecord> Operations,
    string? Container = null,
    long? ShutdownLock = null);

/// <summary>
/// One recorded operation (lrm_rsc_op): what ran, with which result. rc-code is the agent's exit
/// code; op-status the executor's view (0 done, 1 cancelled, 2 timed out, 4 error, 5 not
/// installed, ...); call-id orders operations on a node.
/// </summary>
public sealed record OperationRecord(
    string Id,
    string Task,
    long IntervalMs,
    int RcCode,
    int OpStatus,
    int CallId,
    string? OperationKey = null,
    string? TransitionKey = null,
    string? TransitionMagic = null,
    long? LastRcChange = null,
    long? LastRun = null,
    long? ExecTime = null,
    string? ExitReason = null,
    string? OpDigest = null,
    string? RestartDigest = null,
    string? SecureDigest = null,
    string? OnNode = null,
    string? MigrateSource = null,
    string? MigrateTarget = null,
    /// <summary>op-force-restart: the parameters the agent cannot reload (space separated).</summary>
    string? ForceRestartParams = null,
    /// <summary>op-secure-params: the private parameters left out of the secure digest.</summary>
    string? SecureParams = null)
{
    /// <summary>
    /// The result the operation was expected to give: the transition key's third field
    /// ("action:transition:expected-rc:uuid"); without a key, 7 (not running) for a probe, else 0.
    /// </summary>
    public int ExpectedRc =>
        TransitionKey is null ? (Task == "monitor" && IntervalMs == 0 ? 7 : 0)
        : TransitionKey.Split(':') is [_, _, var rc, ..] && int.TryParse(rc, out var expected) ? expected : 0;
}

/// <summary>A ticket's state (for rsc_ticket constraints).</summary>
public sealed record TicketState(string Id, bool Granted, bool Standby, long? LastGranted);
