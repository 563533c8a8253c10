using System.Globalization;
using System.Xml;
using System.Xml.Linq;
using HaCluster.Core.Cib;

namespace HaCluster.Core.Status;

/// <summary>
/// Reads the &lt;status&gt; section of a CIB and the &lt;cib&gt; element's own attributes
/// (versions, have-quorum, dc-uuid, execution-date). Like the configuration reader, it reports
/// what it cannot read and never throws on input.
///
/// The section is read from an <see cref="XmlReader"/>, as a stream: at scale it is most of the
/// CIB (64 nodes x 10,000 resources is hundreds of megabytes of operation history), and an
/// XDocument of it would cost ten times its size before the scheduler saw a record. Attribute
/// values repeat across nodes and operations (tasks, agents, digests, keys), so each distinct
/// value is kept once.
/// </summary>
public static class CibStatusReader
{
    /// <summary>Node states and tickets, as read from a &lt;status&gt; element.</summary>
    public sealed record Section(EquatableArray<NodeState> Nodes, EquatableArray<TicketState> Tickets);

    /// <summary>
    /// The status of a &lt;cib&gt; element: its attributes, and its &lt;status&gt; child unless
    /// <paramref name="section"/> was already read from the stream (then the element has none).
    /// </summary>
    public static ClusterStatus Read(XElement cib, string file, List<Diagnostic> diagnostics, Section? section = null, SourceLocation? cibLocation = null)
    {
        // Where the <cib> start tag is: given when the element was built from a stream (it then has no line info).
        var at = cibLocation ?? new SourceLocation(file, ((IXmlLineInfo)cib).LineNumber, ((IXmlLineInfo)cib).LinePosition);

        long Long(string name)
        {
            var v = (string?)cib.Attribute(name);
            if (v is null) return 0;
            if (long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)) return n;
            diagnostics.Add(Diagnostic.Error($"<{cib.Name.LocalName}> {name}='{v}' is not a number", at));
            return 0;
        }

        DateTimeOffset? executionDate = null;
        if ((string?)cib.Attribute("execution-date") is { } ed)
        {
            if (long.TryParse(ed, out var seconds)) executionDate = DateTimeOffset.FromUnixTimeSeconds(seconds);
            else diagnostics.Add(Diagnostic.Error($"execution-date '{ed}' is not seconds since the epoch", at));
        }

        var status = new ClusterStatus
        {
            Version = new CibVersion(Long("admin_epoch"), Long("epoch"), Long("num_updates")),
            HaveQuorum = CibBoolean.TryParse((string?)cib.Attribute("have-quorum")) ?? false,
            DcUuid = (string?)cib.Attribute("dc-uuid"),
            ExecutionDate = executionDate,
        };
        if (section is null && cib.Element("status") is { } element)
        {
            using var reader = element.CreateReader();
            reader.MoveToContent();
            section = ReadSection(reader, file, diagnostics);
        }
        return section is null ? status : status with { Nodes = section.Nodes, Tickets = section.Tickets };
    }

    /// <summary>
    /// Reads the &lt;status&gt; element <paramref name="reader"/> is on, and leaves the reader
    /// on the node after its end.
    /// </summary>
    public static Section ReadSection(XmlReader reader, string file, List<Diagnostic> diagnostics)
    {
        var r = new StreamReading(reader, file, diagnostics);
        var nodes = new List<NodeState>();
        var tickets = new List<TicketState>();
        foreach (var child in r.Children())
        {
            switch (child)
            {
                case "node_state":
                    nodes.Add(r.NodeState());
                    break;
                case "tickets":
                    foreach (var t in r.Children())
                    {
                        if (t == "ticket_state")
                            tickets.Add(new TicketState(r.Attr("id") ?? "", CibBoolean.IsTrue(r.Attr("granted")),
                                CibBoolean.IsTrue(r.Attr("standby")), r.OptLong("last-granted")));
                        r.Skip();
                    }
                    break;
                default:
                    // The status is the cluster's own record, not operator input: like Pacemaker,
                    // skip what is not a node_state or tickets, but say so.
                    diagnostics.Add(Diagnostic.Warning($"<{child}> at line {r.Line} directly in <status> is ignored", r.Location));
                    r.Skip();
                    break;
            }
        }
        return new Section(nodes.ToEquatableArray(), tickets.ToEquatableArray());
    }

    /// <summary>A forward-only walk over the status elements, with the values pool.</summary>
    private sealed class StreamReading(XmlReader reader, string file, List<Diagnostic> diagnostics)
    {
        private readonly IXmlLineInfo? lines = reader as IXmlLineInfo;
        private readonly Dictionary<string, string> pool = new(StringComparer.Ordinal);

        public int Line => lines?.LineNumber ?? 0;
        public SourceLocation Location => new(file, lines?.LineNumber ?? 0, lines?.LinePosition ?? 0);

        /// <summary>
        /// The child elements of the element the reader is on, by name; the caller reads each
        /// child's attributes, then either walks its children or <see cref="Skip"/>s it. Ends
        /// with the reader past the parent's end tag.
        /// </summary>
        public IEnumerable<string> Children()
        {
            consumed++;
            if (reader.IsEmptyElement)
            {
                reader.Read();
                yield break;
            }
            var depth = reader.Depth;
            reader.Read();
            while (!reader.EOF && !(reader.NodeType == XmlNodeType.EndElement && reader.Depth == depth))
            {
                if (reader.NodeType != XmlNodeType.Element)
                {
                    reader.Read();
                    continue;
                }
                var before = consumed;
                yield return reader.LocalName;
                // A caller that neither walked nor skipped the child leaves it to be skipped here.
                if (consumed == before) reader.Skip();
            }
            reader.Read();
        }

        /// <summary>Steps over the element the reader is on, children and all.</summary>
        public void Skip()
        {
            consumed++;
            reader.Skip();
        }

        // Counts walks and skips, so Children() knows whether its caller consumed a child.
        private int consumed;

        public string? Attr(string name) => reader.GetAttribute(name) is { } v ? Pooled(v) : null;

        private string Pooled(string value)
        {
            if (pool.TryGetValue(value, out var known)) return known;
            pool[value] = value;
            return value;
        }

        public long? OptLong(string name) =>
            long.TryParse(reader.GetAttribute(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;

        private long Long(string name)
        {
            var v = reader.GetAttribute(name);
            if (v is null) return 0;
            if (long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)) return n;
            diagnostics.Add(Diagnostic.Error($"<{reader.LocalName}> {name}='{v}' is not a number", Location));
            return 0;
        }

        public NodeState NodeState()
        {
            var id = Attr("id") ?? Attr("uname") ?? "";
            var uname = Attr("uname");
            var inCcm = Attr("in_ccm");
            var crmd = Attr("crmd");
            var join = Attr("join");
            var expected = Attr("expected");
            var shutdown = Attr("shutdown");
            var remote = CibBoolean.IsTrue(Attr("remote_node"));
            var fenced = Attr("node_fenced");
            var attrs = new List<NvPair>();
            var history = new List<ResourceHistory>();
            foreach (var child in Children())
            {
                switch (child)
                {
                    case "transient_attributes":
                        foreach (var set in Children())
                        {
                            if (set != "instance_attributes") continue;
                            foreach (var nv in Children())
                                if (nv == "nvpair") attrs.Add(new NvPair(Attr("name") ?? "", Attr("value")));
                        }
                        break;
                    case "lrm":
                        foreach (var list in Children())
                        {
                            if (list != "lrm_resources") continue;
                            foreach (var rsc in Children())
                                if (rsc == "lrm_resource") history.Add(Resource());
                        }
                        break;
                    default:
                        diagnostics.Add(Diagnostic.Error($"unsupported: <{child}> at line {Line}", Location));
                        break;
                }
            }
            return new NodeState(id, uname, inCcm, crmd, join, expected, shutdown, remote, fenced,
                attrs.ToEquatableArray(), history.ToEquatableArray());
        }

        private ResourceHistory Resource()
        {
            var id = Attr("id") ?? "";
            var cls = Attr("class") ?? "";
            var provider = Attr("provider");
            var type = Attr("type") ?? "";
            var container = Attr("container");
            var locked = OptLong("shutdown-lock") is > 0 and var l ? l : (long?)null;
            var ops = new List<OperationRecord>();
            foreach (var op in Children())
                if (op == "lrm_rsc_op") ops.Add(Operation());
            return new ResourceHistory(id, cls, provider, type, ops.ToEquatableArray(), container, locked);
        }

        private OperationRecord Operation()
        {
            var interval = reader.GetAttribute("interval") ?? "0";
            // Intervals are milliseconds in the status section; some old inputs carry units.
            var intervalMs = long.TryParse(interval, out var ms) ? ms : Duration.ParseMillisecondsOrNull(interval) ?? 0;
            return new OperationRecord(
                Attr("id") ?? "",
                Attr("operation") ?? "",
                intervalMs,
                (int)Long("rc-code"),
                (int)Long("op-status"),
                (int)Long("call-id"),
                Attr("operation_key"),
                Attr("transition-key"),
                Attr("transition-magic"),
                OptLong("last-rc-change"),
                OptLong("last-run") ?? OptLong("last_run"),
                OptLong("exec-time"),
                Attr("exit-reason"),
                Attr("op-digest"),
                Attr("op-restart-digest"),
                Attr("op-secure-digest"),
                Attr("on_node"),
                Attr("migrate_source"),
                Attr("migrate_target"),
                Attr("op-force-restart"),
                Attr("op-secure-params"));
        }
    }
}
