using System.Globalization;
using System.Xml;
using System.Xml.Linq;
using HaCluster.Core.Cib;

namespace HaCluster.Core.Status;

/// <summary>
/// Reads the &lt;status&gt; section of a CIB and the &lt;cib&gt; element's own attributes
/// (versions, have-quorum, dc-uuid, execution-date). Like the configuration reader, it reports
/// what it cannot read and never throws on input.
/// </summary>
public static class CibStatusReader
{
    public static ClusterStatus Read(XElement cib, string file, List<Diagnostic> diagnostics)
    {
        void Error(XObject at, string message)
        {
            var li = (IXmlLineInfo)at;
            diagnostics.Add(Diagnostic.Error(message, new SourceLocation(file, li.LineNumber, li.LinePosition)));
        }

        long Long(XElement e, string name, long fallback = 0)
        {
            var v = (string?)e.Attribute(name);
            if (v is null) return fallback;
            if (long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)) return n;
            Error(e, $"<{e.Name.LocalName}> {name}='{v}' is not a number");
            return fallback;
        }

        long? OptLong(XElement e, string name) =>
            long.TryParse((string?)e.Attribute(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;

        DateTimeOffset? executionDate = null;
        if ((string?)cib.Attribute("execution-date") is { } ed)
        {
            if (long.TryParse(ed, out var seconds)) executionDate = DateTimeOffset.FromUnixTimeSeconds(seconds);
            else Error(cib, $"execution-date '{ed}' is not seconds since the epoch");
        }

        var status = new ClusterStatus
        {
            Version = new CibVersion(Long(cib, "admin_epoch"), Long(cib, "epoch"), Long(cib, "num_updates")),
            HaveQuorum = CibBoolean.TryParse((string?)cib.Attribute("have-quorum")) ?? false,
            DcUuid = (string?)cib.Attribute("dc-uuid"),
            ExecutionDate = executionDate,
        };

        var section = cib.Element("status");
        if (section is null) return status;

        var nodes = new List<NodeState>();
        var tickets = new List<TicketState>();
        foreach (var e in section.Elements())
        {
            switch (e.Name.LocalName)
            {
                case "node_state":
                    nodes.Add(ReadNodeState(e));
                    break;
                case "tickets":
                    foreach (var t in e.Elements("ticket_state"))
                        tickets.Add(new TicketState((string?)t.Attribute("id") ?? "", CibBoolean.IsTrue((string?)t.Attribute("granted")),
                            CibBoolean.IsTrue((string?)t.Attribute("standby")), OptLong(t, "last-granted")));
                    break;
                default:
                    // The status is the cluster's own record, not operator input: like Pacemaker,
                    // skip what is not a node_state or tickets, but say so.
                    var li = (IXmlLineInfo)e;
                    diagnostics.Add(Diagnostic.Warning($"<{e.Name.LocalName}> at line {li.LineNumber} directly in <status> is ignored",
                        new SourceLocation(file, li.LineNumber, li.LinePosition)));
                    break;
            }
        }
        return status with { Nodes = nodes.ToEquatableArray(), Tickets = tickets.ToEquatableArray() };

        NodeState ReadNodeState(XElement e)
        {
            var id = (string?)e.Attribute("id") ?? (string?)e.Attribute("uname") ?? "";
            var attrs = new List<NvPair>();
            var history = new List<ResourceHistory>();
            foreach (var child in e.Elements())
            {
                switch (child.Name.LocalName)
                {
                    case "transient_attributes":
                        foreach (var set in child.Elements("instance_attributes"))
                            foreach (var nv in set.Elements("nvpair"))
                                attrs.Add(new NvPair((string?)nv.Attribute("name") ?? "", (string?)nv.Attribute("value")));
                        break;
                    case "lrm":
                        foreach (var rsc in child.Elements("lrm_resources").Elements("lrm_resource"))
                            history.Add(ReadResource(rsc));
                        break;
                    default:
                        Error(child, $"unsupported: <{child.Name.LocalName}> at line {((IXmlLineInfo)child).LineNumber}");
                        break;
                }
            }
            return new NodeState(id, (string?)e.Attribute("uname"), (string?)e.Attribute("in_ccm"), (string?)e.Attribute("crmd"),
                (string?)e.Attribute("join"), (string?)e.Attribute("expected"), (string?)e.Attribute("shutdown"),
                CibBoolean.IsTrue((string?)e.Attribute("remote_node")), (string?)e.Attribute("node_fenced"),
                attrs.ToEquatableArray(), history.ToEquatableArray());
        }

        ResourceHistory ReadResource(XElement rsc)
        {
            var ops = new List<OperationRecord>();
            foreach (var op in rsc.Elements("lrm_rsc_op"))
            {
                var interval = (string?)op.Attribute("interval") ?? "0";
                // Intervals are milliseconds in the status section; some old inputs carry units.
                var intervalMs = long.TryParse(interval, out var ms) ? ms : Duration.ParseMillisecondsOrNull(interval) ?? 0;
                ops.Add(new OperationRecord(
                    (string?)op.Attribute("id") ?? "",
                    (string?)op.Attribute("operation") ?? "",
                    intervalMs,
                    (int)Long(op, "rc-code", 0),
                    (int)Long(op, "op-status", 0),
                    (int)Long(op, "call-id", 0),
                    (string?)op.Attribute("operation_key"),
                    (string?)op.Attribute("transition-key"),
                    (string?)op.Attribute("transition-magic"),
                    OptLong(op, "last-rc-change"),
                    OptLong(op, "last-run") ?? OptLong(op, "last_run"),
                    OptLong(op, "exec-time"),
                    (string?)op.Attribute("exit-reason"),
                    (string?)op.Attribute("op-digest"),
                    (string?)op.Attribute("op-restart-digest"),
                    (string?)op.Attribute("op-secure-digest"),
                    (string?)op.Attribute("on_node"),
                    (string?)op.Attribute("migrate_source"),
                    (string?)op.Attribute("migrate_target"),
                    (string?)op.Attribute("op-force-restart"),
                    (string?)op.Attribute("op-secure-params")));
            }
            return new ResourceHistory((string?)rsc.Attribute("id") ?? "", (string?)rsc.Attribute("class") ?? "",
                (string?)rsc.Attribute("provider"), (string?)rsc.Attribute("type") ?? "", ops.ToEquatableArray(),
                (string?)rsc.Attribute("container"), OptLong(rsc, "shutdown-lock") is > 0 and var locked ? locked : null);
        }
    }
}
