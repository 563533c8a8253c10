using System.Globalization;
using HaCluster.Core.Cib;

namespace HaCluster.Core.Alerts;

/// <summary>
/// Which alert agents an event calls and with what, as Pacemaker decides it: every enabled
/// alert whose <c>select</c> takes the event's kind (and, for attributes, its name), once per
/// enabled recipient (once with an empty recipient when it has none). A recipient's meta and
/// instance attributes override its alert's. Pure: the runner in the daemon does the running.
/// </summary>
public static class AlertPlanner
{
    /// <summary>The Pacemaker version whose alert interface this implements (CRM_alert_version; agents check it is set).</summary>
    public const string CompatibleVersion = "2.1.5";

    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    public static IReadOnlyList<AlertInvocation> Plan(ClusterConfig config, AlertEvent e, long sequence)
    {
        var plan = new List<AlertInvocation>();
        foreach (var alert in config.Alerts)
        {
            if (!Hears(alert.Select ?? AlertSelect.Default, e)) continue;
            if (!IsEnabled(alert.MetaAttributes.GetUnconditional("enabled"))) continue;
            var recipients = alert.Recipients.IsEmpty ? [new AlertRecipient("")] : alert.Recipients.ToList();
            foreach (var recipient in recipients)
            {
                string? Meta(string name) => recipient.MetaAttributes.GetUnconditional(name) ?? alert.MetaAttributes.GetUnconditional(name);
                if (!IsEnabled(recipient.MetaAttributes.GetUnconditional("enabled"))) continue;
                var environment = new Dictionary<string, string>();
                foreach (var pair in Unconditional(alert.InstanceAttributes).Concat(Unconditional(recipient.InstanceAttributes)))
                    environment[pair.Name] = pair.Value!;
                foreach (var (name, value) in Keys(e, recipient.Value, sequence, Meta("timestamp-format") ?? AlertTimestamp.DefaultFormat, alert.Select))
                {
                    environment["CRM_alert_" + name] = value;
                    if (LegacyKeys.Contains(name)) environment["CRM_notify_" + name] = value;
                }
                plan.Add(new AlertInvocation(alert.Id, alert.Path, recipient.Value, Timeout(Meta("timeout")), environment));
            }
        }
        return plan;
    }

    /// <summary>Whether an alert with this selection hears the event.</summary>
    public static bool Hears(AlertSelect select, AlertEvent e) => e.Kind switch
    {
        AlertKind.Node => select.Nodes,
        AlertKind.Fencing => select.Fencing,
        AlertKind.Resource => select.Resources,
        _ => select.Attributes && (select.AttributeNames.IsEmpty || select.AttributeNames.Contains(e.AttributeName ?? "")),
    };

    /// <summary>A timeout of 0, negative or not a duration runs with the default (30 s), as Pacemaker does.</summary>
    public static TimeSpan Timeout(string? text) =>
        Duration.TryParseMilliseconds(text, out var ms) && ms > 0 ? TimeSpan.FromMilliseconds(ms) : DefaultTimeout;

    /// <summary>enabled=false turns an alert or a recipient off; anything else (or nothing) leaves it on.</summary>
    private static bool IsEnabled(string? text) => CibBoolean.TryParse(text) != false;

    private static IEnumerable<NvPair> Unconditional(EquatableArray<AttributeSet> sets) =>
        sets.Where(s => s.Rule is null).SelectMany(s => s.Pairs).Where(p => p.Value is not null);

    /// <summary>CRM_alert_select_kind names each kind as CRM_alert_kind does (node, not nodes).</summary>
    private static string SingularKind(string kind) => kind switch { "nodes" => "node", "resources" => "resource", "attributes" => "attribute", _ => kind };

    /// <summary>The keys older agents read as CRM_notify_* (Pacemaker still sets both).</summary>
    private static readonly HashSet<string> LegacyKeys =
        ["recipient", "node", "nodeid", "rsc", "task", "interval", "desc", "status", "target_rc", "rc", "kind", "version", "node_sequence", "timestamp"];

    private static IEnumerable<(string Name, string Value)> Keys(AlertEvent e, string recipient, long sequence, string timestampFormat, AlertSelect? select)
    {
        var inv = CultureInfo.InvariantCulture;
        yield return ("kind", e.KindName);
        yield return ("version", CompatibleVersion);
        yield return ("recipient", recipient);
        yield return ("node_sequence", sequence.ToString(inv));
        yield return ("timestamp", AlertTimestamp.Format(timestampFormat, e.At));
        yield return ("timestamp_epoch", e.At.ToUnixTimeSeconds().ToString(inv));
        yield return ("timestamp_usec", (e.At.Ticks % TimeSpan.TicksPerSecond / 10).ToString("000000", inv));
        yield return ("node", e.Node);
        if (select is not null) yield return ("select_kind", string.Join(',', select.KindNames().Select(SingularKind)));
        if (select is { AttributeNames.IsEmpty: false }) yield return ("select_attribute_name", string.Join(',', select.AttributeNames));
        if (e.NodeId is { } id) yield return ("nodeid", id);
        if (e.Description is { } desc) yield return ("desc", desc);
        if (e.Task is { } task) yield return ("task", task);
        if (e.Rc is { } rc) yield return ("rc", rc.ToString(inv));
        if (e.Resource is { } rsc) yield return ("rsc", rsc);
        if (e.IntervalMs is { } interval) yield return ("interval", interval.ToString(inv));
        if (e.TargetRc is { } target) yield return ("target_rc", target.ToString(inv));
        if (e.ExecutionStatus is { } status) yield return ("status", status.ToString(inv));
        if (e.ExecutionMs is { } ms) yield return ("exec_time", ms.ToString(inv));
        if (e.AttributeName is { } name) yield return ("attribute_name", name);
        if (e.AttributeValue is { } value) yield return ("attribute_value", value);
    }
}
