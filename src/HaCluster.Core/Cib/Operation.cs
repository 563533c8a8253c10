namespace HaCluster.Core.Cib;

/// <summary>
/// An operation definition on a primitive (Pacemaker's <c>op</c>): a name, an interval, and
/// the remaining attributes (timeout, role, on-fail, start-delay, enabled, ...) in the order
/// the operator wrote them. <see cref="Id"/> is null when it is the generated
/// "<c>rsc-name-interval</c>" id.
/// </summary>
public sealed record Operation(
    string? Id,
    string Name,
    string Interval,
    EquatableArray<NvPair> Attributes,
    EquatableArray<AttributeSet> InstanceAttributes = default,
    EquatableArray<AttributeSet> MetaAttributes = default)
{
    public string? Get(string name)
    {
        foreach (var a in Attributes)
            if (a.Name == name) return a.Value;
        // Op attributes may also be given as meta attributes of the op.
        return MetaAttributes.GetUnconditional(name);
    }

    public string? Timeout => Get("timeout");
    public string? Role => Get("role");
    public string? OnFail => Get("on-fail");
    public long IntervalMilliseconds => Duration.ParseMillisecondsOrNull(Interval) ?? 0;

    /// <summary>The attributes Pacemaker defines for an op besides name/interval/id.</summary>
    public static readonly IReadOnlySet<string> KnownAttributes = new HashSet<string>
    {
        "timeout", "role", "on-fail", "start-delay", "enabled", "interval-origin", "record-pending",
        "requires", "description", "OCF_CHECK_LEVEL",
    };

    public static readonly IReadOnlySet<string> OnFailValues = new HashSet<string>
    {
        "ignore", "block", "demote", "stop", "restart", "standby", "fence", "restart-container",
    };
}
