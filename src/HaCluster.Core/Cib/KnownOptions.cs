namespace HaCluster.Core.Cib;

/// <summary>The kinds of value an option may take; each has its own check.</summary>
public enum OptionKind { Boolean, Integer, Score, Duration, Role, Text, Choice }

/// <summary>One known option: its name, kind and (for a choice) the allowed values.</summary>
public sealed record OptionDefinition(string Name, OptionKind Kind, string Summary, params string[] Choices);

/// <summary>
/// The cluster properties, resource meta attributes and op attributes Pacemaker 2.1 knows,
/// as documented in Pacemaker Explained. Unknown names are warnings (typos), bad values errors.
/// </summary>
public static class KnownOptions
{
    private static Dictionary<string, OptionDefinition> Index(params OptionDefinition[] defs) => defs.ToDictionary(d => d.Name);

    public static readonly IReadOnlyDictionary<string, OptionDefinition> ClusterProperties = Index(
        new("stonith-enabled", OptionKind.Boolean, "fence failed nodes before recovering their resources (default true)"),
        new("stonith-action", OptionKind.Choice, "what fencing does to a node", "reboot", "off", "poweroff"),
        new("stonith-timeout", OptionKind.Duration, "how long to wait for a fencing action"),
        new("stonith-watchdog-timeout", OptionKind.Duration, "watchdog self-fencing timeout"),
        new("concurrent-fencing", OptionKind.Boolean, "allow several fencing actions at once"),
        new("startup-fencing", OptionKind.Boolean, "fence nodes never seen since start-up"),
        new("priority-fencing-delay", OptionKind.Duration, "delay fencing of the node with most priority"),
        new("no-quorum-policy", OptionKind.Choice, "what to do without quorum", "ignore", "stop", "freeze", "suicide", "demote"),
        new("symmetric-cluster", OptionKind.Boolean, "resources may run anywhere unless constrained (default true)"),
        new("maintenance-mode", OptionKind.Boolean, "manage nothing, monitor nothing"),
        new("start-failure-is-fatal", OptionKind.Boolean, "a failed start bans the node at once (default true)"),
        new("enable-startup-probes", OptionKind.Boolean, "probe resources on start-up (default true)"),
        new("stop-orphan-resources", OptionKind.Boolean, "stop resources no longer configured"),
        new("stop-orphan-actions", OptionKind.Boolean, "cancel recurring ops no longer configured"),
        new("stop-all-resources", OptionKind.Boolean, "stop every resource"),
        new("cluster-recheck-interval", OptionKind.Duration, "re-run the scheduler at least this often"),
        new("pe-warn-series-max", OptionKind.Integer, "scheduler inputs with warnings kept"),
        new("pe-input-series-max", OptionKind.Integer, "scheduler inputs kept"),
        new("pe-error-series-max", OptionKind.Integer, "scheduler inputs with errors kept"),
        new("batch-limit", OptionKind.Integer, "actions run in parallel cluster-wide"),
        new("migration-limit", OptionKind.Integer, "live migrations in parallel per node"),
        new("placement-strategy", OptionKind.Choice, "how utilization places resources", "default", "utilization", "minimal", "balanced"),
        new("node-health-strategy", OptionKind.Choice, "how node health attributes count", "none", "migrate-on-red", "only-green", "progressive", "custom"),
        new("node-health-base", OptionKind.Score, "base health score"),
        new("node-health-green", OptionKind.Score, "score of a green health attribute"),
        new("node-health-yellow", OptionKind.Score, "score of a yellow health attribute"),
        new("node-health-red", OptionKind.Score, "score of a red health attribute"),
        new("shutdown-escalation", OptionKind.Duration, "give up a clean shutdown after this long"),
        new("shutdown-lock", OptionKind.Boolean, "keep resources of a cleanly stopped node locked to it"),
        new("shutdown-lock-limit", OptionKind.Duration, "how long a shutdown lock lasts"),
        new("dc-deadtime", OptionKind.Duration, "how long to wait for a DC at start-up"),
        new("election-timeout", OptionKind.Duration, "DC election timeout"),
        new("join-integration-timeout", OptionKind.Duration, "join phase timeout"),
        new("join-finalization-timeout", OptionKind.Duration, "join phase timeout"),
        new("transition-delay", OptionKind.Duration, "delay before running a transition"),
        new("fence-reaction", OptionKind.Choice, "what a node does when told it was fenced", "stop", "panic"),
        new("cluster-ipc-limit", OptionKind.Integer, "IPC queue length"),
        new("load-threshold", OptionKind.Text, "CPU load limit"),
        new("node-action-limit", OptionKind.Integer, "actions in parallel per node"),
        new("have-watchdog", OptionKind.Boolean, "set by the cluster"),
        new("dc-version", OptionKind.Text, "set by the cluster"),
        new("cluster-infrastructure", OptionKind.Text, "set by the cluster"),
        new("cluster-name", OptionKind.Text, "the cluster's name"),
        new("last-lrm-refresh", OptionKind.Text, "set by the cluster"),
        new("default-resource-stickiness", OptionKind.Score, "deprecated: use rsc_defaults resource-stickiness"),
        new("is-managed-default", OptionKind.Boolean, "deprecated: use rsc_defaults is-managed"),
        new("default-action-timeout", OptionKind.Duration, "deprecated: use op_defaults timeout"),
        new("remove-after-stop", OptionKind.Boolean, "deprecated"),
        new("crmd-transition-delay", OptionKind.Duration, "deprecated: transition-delay"),
        new("expected-quorum-votes", OptionKind.Integer, "deprecated: set by the membership layer"));

    public static readonly IReadOnlyDictionary<string, OptionDefinition> ResourceMeta = Index(
        new("priority", OptionKind.Integer, "who keeps running when not all can"),
        new("target-role", OptionKind.Role, "the role the cluster keeps the resource in"),
        new("is-managed", OptionKind.Boolean, "false: the cluster neither starts nor stops it"),
        new("maintenance", OptionKind.Boolean, "like is-managed=false, and no monitors"),
        new("resource-stickiness", OptionKind.Score, "preference to stay where it runs"),
        new("requires", OptionKind.Choice, "what must hold before it starts", "nothing", "quorum", "fencing", "unfencing"),
        new("migration-threshold", OptionKind.Score, "failures before the node is banned"),
        new("failure-timeout", OptionKind.Duration, "forget failures after this long"),
        new("multiple-active", OptionKind.Choice, "what to do if found running twice", "block", "stop_only", "stop_start", "stop_unexpected"),
        new("allow-migrate", OptionKind.Boolean, "live-migrate instead of stop/start"),
        new("container", OptionKind.Text, "the resource it runs inside: placed with it, started after it, restarted when it fails"),
        new("container-attribute-target", OptionKind.Text, "for bundles"),
        new("remote-node", OptionKind.Text, "make this resource a guest node"),
        new("critical", OptionKind.Boolean, "colocations with it count"),
        new("description", OptionKind.Text, "free text"),
        new("resource-discovery", OptionKind.Choice, "probe policy", "always", "never", "exclusive"),
        // clones
        new("clone-max", OptionKind.Integer, "instances in the cluster"),
        new("clone-node-max", OptionKind.Integer, "instances per node"),
        new("clone-min", OptionKind.Integer, "instances needed before dependents start"),
        new("notify", OptionKind.Boolean, "send notifications before and after actions"),
        new("globally-unique", OptionKind.Boolean, "instances are distinct"),
        new("ordered", OptionKind.Boolean, "start instances one after another"),
        new("interleave", OptionKind.Boolean, "order against peer instances on the same node only"),
        new("promotable", OptionKind.Boolean, "instances may be promoted (master/slave)"),
        new("promoted-max", OptionKind.Integer, "promoted instances in the cluster"),
        new("promoted-node-max", OptionKind.Integer, "promoted instances per node"),
        new("master-max", OptionKind.Integer, "deprecated spelling of promoted-max"),
        new("master-node-max", OptionKind.Integer, "deprecated spelling of promoted-node-max"),
        // op-like defaults that are also accepted in rsc_defaults/op_defaults
        new("timeout", OptionKind.Duration, "default operation timeout"),
        new("interval", OptionKind.Duration, "operation interval"),
        new("on-fail", OptionKind.Choice, "what a failed operation does", "ignore", "block", "demote", "stop", "restart", "standby", "fence", "restart-container"),
        new("record-pending", OptionKind.Boolean, "record operations in progress"),
        new("start-delay", OptionKind.Duration, "wait before the first monitor"),
        new("enabled", OptionKind.Boolean, "false disables a recurring operation"),
        new("role", OptionKind.Role, "role an operation applies to"),
        new("interval-origin", OptionKind.Text, "when recurring operations are anchored"));

    /// <summary>Meta attributes that only make sense on a clone.</summary>
    public static readonly IReadOnlySet<string> CloneOnlyMeta = new HashSet<string>
    {
        "clone-max", "clone-node-max", "clone-min", "notify", "globally-unique", "ordered", "interleave",
        "promotable", "promoted-max", "promoted-node-max", "master-max", "master-node-max",
    };

    /// <summary>The role names; case does not matter, as for Pacemaker (real CIBs say target-role="started").</summary>
    public static readonly IReadOnlySet<string> Roles = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "Stopped", "Started", "Unpromoted", "Promoted", "Slave", "Master",
    };

    /// <summary>Roles that exist only for promotable clones.</summary>
    public static bool IsPromotableRole(string role) => role.ToLowerInvariant() is "master" or "slave" or "promoted" or "unpromoted";

    /// <summary>Checks a value against its kind; null when fine, else why not.</summary>
    public static string? CheckValue(OptionDefinition def, string? value)
    {
        if (value is null) return null;
        switch (def.Kind)
        {
            case OptionKind.Boolean:
                return CibBoolean.TryParse(value) is null ? $"'{value}' is not a boolean (true/false)" : null;
            case OptionKind.Integer:
                return long.TryParse(value, out _) || Score.TryParse(value, out _) ? null : $"'{value}' is not a number";
            case OptionKind.Score:
                return Score.TryParse(value, out _) ? null : $"'{value}' is not a score (a number, inf or -inf)";
            case OptionKind.Duration:
                return Duration.TryParseMilliseconds(value, out _) ? null : $"'{value}' is not a duration (like 30s, 2min, 1h or PT30S)";
            case OptionKind.Role:
                return Roles.Contains(value) ? null : $"'{value}' is not a role ({string.Join(", ", Roles)})";
            case OptionKind.Choice:
                return def.Choices.Contains(value) ? null : $"'{value}' is not one of {string.Join(", ", def.Choices)}";
            default:
                return null;
        }
    }
}
