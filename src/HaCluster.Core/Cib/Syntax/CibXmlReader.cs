using System.Xml;
using System.Xml.Linq;

namespace HaCluster.Core.Cib.Syntax;

/// <summary>
/// Reads the configuration section of a Pacemaker CIB (schemas pacemaker-1.x to 3.x, with the
/// deprecated spellings still found in the wild). Anything the model cannot represent is
/// reported as <c>unsupported: &lt;element&gt; at line N</c>, never silently dropped.
/// Ids that equal what our writers would generate are stored as null (see <see cref="Ids"/>).
/// </summary>
public sealed class CibXmlReader
{
    private readonly string _file;
    private readonly List<Diagnostic> _diagnostics = new();
    private readonly Dictionary<string, SourceLocation> _sourceMap = new();
    private Dictionary<string, XElement> _byId = new();

    /// <summary>Elements that do not affect placement and that we skip with a warning.</summary>
    private static readonly HashSet<string> IgnoredWithWarning = new() { "acls" };

    private CibXmlReader(string file) => _file = file;

    /// <summary>
    /// Reads a CIB (or a bare &lt;configuration&gt;). The configuration becomes an XDocument, with
    /// line numbers for its diagnostics; a &lt;cib&gt;'s &lt;status&gt; is read as a stream
    /// (<see cref="Status.CibStatusReader.ReadSection"/>), never held as a document.
    /// </summary>
    public static ParseResult Parse(string text, string file = "<input>") => Parse(new StringReader(text), file);

    /// <summary>
    /// Reads a CIB from <paramref name="input"/> as it comes (a file is never held whole as a
    /// string: at 64 nodes x 10,000 resources that alone would be half a gigabyte).
    /// </summary>
    public static ParseResult Parse(TextReader input, string file)
    {
        XDocument doc;
        Status.CibStatusReader.Section? section = null;
        SourceLocation? cibLocation = null;
        var statusDiagnostics = new List<Diagnostic>();
        try
        {
            // The settings XDocument.Parse uses: a DTD is parsed, never fetched, entities bounded.
            using var xml = new DepthLimitedXmlReader(XmlReader.Create(input,
                new XmlReaderSettings { DtdProcessing = DtdProcessing.Parse, XmlResolver = null, MaxCharactersFromEntities = 10_000_000 }));
            xml.MoveToContent();
            if (xml.LocalName != "cib")
                doc = XDocument.Load(xml, LoadOptions.SetLineInfo);
            else
            {
                var lines = (IXmlLineInfo)xml;
                cibLocation = new SourceLocation(file, lines.LineNumber, lines.LinePosition);
                var cib = new XElement(xml.LocalName);
                if (xml.MoveToFirstAttribute())
                {
                    do
                    {
                        if (xml.Prefix != "xmlns" && xml.LocalName != "xmlns") cib.Add(new XAttribute(XName.Get(xml.LocalName, xml.NamespaceURI), xml.Value));
                    } while (xml.MoveToNextAttribute());
                    xml.MoveToElement();
                }
                if (!xml.IsEmptyElement)
                {
                    xml.Read();
                    while (!xml.EOF && xml.NodeType != XmlNodeType.EndElement)
                    {
                        if (xml.NodeType != XmlNodeType.Element) xml.Read();
                        else if (xml.LocalName == "status" && section is null) section = Status.CibStatusReader.ReadSection(xml, file, statusDiagnostics);
                        else
                        {
                            // The subtree reader ends on the child's end tag (line numbers are the file's).
                            using (var child = xml.ReadSubtree())
                            {
                                child.MoveToContent();
                                cib.Add(XElement.Load(child, LoadOptions.SetLineInfo));
                            }
                            xml.Read();
                        }
                    }
                }
                // What follows the root (comments, or malformed text XmlReader reports) is read too.
                while (xml.Read())
                {
                }
                doc = new XDocument(cib);
            }
        }
        catch (XmlException e)
        {
            return new ParseResult(null, new[] { Diagnostic.Error(e.Message, new SourceLocation(file, e.LineNumber, e.LinePosition)) });
        }
        var result = ParseDocument(doc, file, section, cibLocation);
        return statusDiagnostics.Count == 0 ? result : result with { Diagnostics = result.Diagnostics.Concat(statusDiagnostics).ToList() };
    }

    public static ParseResult ParseDocument(XDocument doc, string file) => ParseDocument(doc, file, null, null);

    private static ParseResult ParseDocument(XDocument doc, string file, Status.CibStatusReader.Section? section, SourceLocation? cibLocation)
    {
        var reader = new CibXmlReader(file);
        var root = doc.Root!;
        var configuration = root.Name.LocalName == "configuration" ? root : root.Element("configuration");
        if (configuration is null)
        {
            var message = $"expected <cib> with a <configuration> section, found <{root.Name.LocalName}>";
            if (cibLocation is { } at) reader._diagnostics.Add(Diagnostic.Error(message, at));
            else reader.Error(root, message);
            return new ParseResult(null, reader._diagnostics);
        }
        reader._byId = configuration.Descendants()
            .Where(e => e.Attribute("id") is not null)
            .GroupBy(e => (string)e.Attribute("id")!)
            .ToDictionary(g => g.Key, g => g.First());
        ClusterConfig? config;
        try
        {
            config = reader.ReadConfiguration(configuration);
        }
        catch (CibXmlException e)
        {
            reader._diagnostics.Add(Diagnostic.Error(e.Message, e.Location));
            config = null;
        }
        var status = root.Name.LocalName == "cib" ? Status.CibStatusReader.Read(root, file, reader._diagnostics, section, cibLocation) : null;
        return new ParseResult(config, reader._diagnostics) { SourceMap = reader._sourceMap, Status = status };
    }

    private sealed class CibXmlException(string message, SourceLocation location) : Exception(message)
    {
        public SourceLocation Location { get; } = location;
    }

    private SourceLocation Loc(XObject x)
    {
        var li = (IXmlLineInfo)x;
        return new SourceLocation(_file, li.LineNumber, li.LinePosition);
    }

    private void Error(XObject at, string message) => _diagnostics.Add(Diagnostic.Error(message, Loc(at)));

    private void Unsupported(XElement e, string? why = null)
    {
        var line = ((IXmlLineInfo)e).LineNumber;
        Error(e, $"unsupported: <{e.Name.LocalName}> at line {line}{(why is null ? "" : " (" + why + ")")}");
    }

    private string Required(XElement e, string attribute)
    {
        var v = (string?)e.Attribute(attribute);
        if (v is null) throw new CibXmlException($"<{e.Name.LocalName}> needs attribute '{attribute}'", Loc(e));
        return v;
    }

    private string Id(XElement e)
    {
        var id = Required(e, "id");
        _sourceMap.TryAdd(id, Loc(e));
        return id;
    }

    private static string? Attr(XElement e, string name) => (string?)e.Attribute(name);

    /// <summary>Follows id-ref to the element it names (Pacemaker lets sets and rules be shared).</summary>
    private XElement Deref(XElement e)
    {
        var idRef = Attr(e, "id-ref");
        if (idRef is null) return e;
        if (_byId.TryGetValue(idRef, out var target)) return target;
        throw new CibXmlException($"<{e.Name.LocalName}> id-ref '{idRef}' names nothing", Loc(e));
    }

    private ClusterConfig ReadConfiguration(XElement conf)
    {
        var config = new ClusterConfig();
        foreach (var section in conf.Elements())
        {
            switch (section.Name.LocalName)
            {
                case "crm_config":
                    config = config with { Properties = ReadSets(section, "cluster_property_set", ClusterConfig.DefaultPropertySetId) };
                    break;
                case "rsc_defaults":
                    config = config with { ResourceDefaults = ReadSets(section, "meta_attributes", ClusterConfig.DefaultResourceDefaultsId) };
                    break;
                case "op_defaults":
                    config = config with { OperationDefaults = ReadSets(section, "meta_attributes", ClusterConfig.DefaultOperationDefaultsId) };
                    break;
                case "nodes":
                    config = config with { Nodes = section.Elements().Select(ReadNode).OfType<NodeDefinition>().ToEquatableArray() };
                    break;
                case "resources":
                    var resources = new List<Resource>();
                    var templates = new List<ResourceTemplate>();
                    foreach (var r in section.Elements())
                    {
                        if (r.Name.LocalName == "template") templates.Add(ReadTemplate(r));
                        else if (ReadResource(r) is { } res) resources.Add(res);
                    }
                    config = config with { Resources = resources.ToEquatableArray(), Templates = templates.ToEquatableArray() };
                    break;
                case "constraints":
                    config = config with { Constraints = section.Elements().Select(ReadConstraint).OfType<Constraint>().ToEquatableArray() };
                    break;
                case "tags":
                    config = config with { Tags = section.Elements("tag").Select(t => new Tag(Id(t), t.Elements("obj_ref").Select(o => Required(o, "id")).ToEquatableArray())).ToEquatableArray() };
                    foreach (var other in section.Elements().Where(e => e.Name.LocalName != "tag")) Unsupported(other);
                    break;
                case "fencing-topology":
                    config = config with { FencingLevels = section.Elements().Select(ReadFencingLevel).OfType<FencingLevel>().ToEquatableArray() };
                    break;
                case "alerts":
                    config = config with { Alerts = section.Elements().Select(ReadAlert).OfType<Alert>().ToEquatableArray() };
                    break;
                case "health_checks":
                    config = config with { HealthChecks = section.Elements().Select(ReadHealthCheck).OfType<HealthCheck>().ToEquatableArray() };
                    break;
                default:
                    if (IgnoredWithWarning.Contains(section.Name.LocalName))
                        _diagnostics.Add(Diagnostic.Warning($"unsupported: <{section.Name.LocalName}> at line {((IXmlLineInfo)section).LineNumber} is ignored (access control is the local API's job)", Loc(section)));
                    else Unsupported(section);
                    break;
            }
        }
        return config;
    }

    // ------------------------------------------------------------------ attribute sets

    /// <summary>
    /// Only the first property/defaults set has a default id ("cib-bootstrap-options",
    /// "rsc-options", "op-options"): crm syntax merges id-less sets, so later ones keep theirs.
    /// </summary>
    private EquatableArray<AttributeSet> ReadSets(XElement parent, string elementName, string defaultIdBase)
    {
        var result = parent.Elements(elementName).Select(e => ReadSet(e, null)).OfType<AttributeSet>();
        return Ids.NormalizeTopLevelSets(result, defaultIdBase);
    }

    /// <summary>Sets owned by an object; their default ids are OWNER-KIND, OWNER-KIND-1, ...</summary>
    private EquatableArray<AttributeSet> ReadOwnedSets(XElement parent, string owner, string elementName)
    {
        var result = new List<AttributeSet>();
        int index = 0;
        foreach (var e in parent.Elements(elementName))
        {
            var set = ReadSet(e, Ids.AttributeSet(owner, elementName, index++));
            if (set is not null) result.Add(set);
        }
        return result.ToEquatableArray();
    }

    private AttributeSet? ReadSet(XElement e, string? defaultId)
    {
        var idRef = Attr(e, "id-ref");
        var source = Deref(e);
        var id = idRef is null ? Attr(e, "id") : null;
        var pairs = new List<NvPair>();
        Rule? rule = null;
        foreach (var child in source.Elements())
        {
            switch (child.Name.LocalName)
            {
                case "nvpair":
                    var nv = Deref(child);
                    pairs.Add(new NvPair(Required(nv, "name"), Attr(nv, "value")));
                    break;
                case "rule":
                    if (rule is not null) Unsupported(child, "a set holds one rule");
                    else rule = ReadRule(child, id ?? defaultId ?? "set", 0);
                    break;
                default:
                    Unsupported(child);
                    break;
            }
        }
        var score = ReadScore(e);
        // An empty unconditional set says nothing; keeping it would only break round trips.
        if (pairs.Count == 0 && rule is null && idRef is null && score is null) return null;
        if (id == defaultId) id = null;
        return new AttributeSet(id, pairs.ToEquatableArray(), rule, score, idRef);
    }

    // ------------------------------------------------------------------ rules

    private Rule ReadRule(XElement e, string owner, int index, int depth = 1)
    {
        var source = Deref(e);
        var id = Attr(source, "id");
        var exprs = new List<RuleExpression>();
        int nested = 0;
        foreach (var child in source.Elements())
        {
            switch (child.Name.LocalName)
            {
                case "expression":
                    exprs.Add(new AttributeExpression(Required(child, "attribute"), Required(child, "operation"),
                        Attr(child, "value"), Attr(child, "type"), Attr(child, "value-source")));
                    break;
                case "date_expression":
                    var duration = child.Element("duration");
                    var spec = child.Element("date_spec");
                    exprs.Add(new DateExpression(Required(child, "operation"), Attr(child, "start"), Attr(child, "end"),
                        DatePairs(duration), DatePairs(spec)));
                    break;
                case "op_expression":
                    exprs.Add(new OpExpression(Required(child, "name"), Attr(child, "interval")));
                    break;
                case "rsc_expression":
                    exprs.Add(new ResourceExpression(Attr(child, "class"), Attr(child, "provider"), Attr(child, "type")));
                    break;
                case "rule" when depth >= InputLimits.MaxRuleDepth:
                    Error(child, $"rules nested more than {InputLimits.MaxRuleDepth} deep");
                    break;
                case "rule":
                    // A nested rule's id and score mean nothing to Pacemaker: only its test counts.
                    exprs.Add(ReadRule(child, id ?? owner, nested++, depth + 1) with { Id = null, Score = null, ScoreAttribute = null });
                    break;
                default:
                    Unsupported(child);
                    break;
            }
        }
        var score = ReadScore(source);
        var booleanOp = Attr(source, "boolean-op");
        // "and" is the default, and with one expression the operator means nothing.
        if (booleanOp == "and" || exprs.Count <= 1) booleanOp = null;
        if (id == Ids.Rule(owner, index)) id = null;
        return new Rule(id, exprs.ToEquatableArray(), score, Attr(source, "score-attribute"), booleanOp, Attr(source, "role"));
    }

    private static EquatableArray<NvPair> DatePairs(XElement? e) =>
        e is null
            ? EquatableArray<NvPair>.Empty
            : e.Attributes().Where(a => a.Name.LocalName != "id").Select(a => new NvPair(a.Name.LocalName, a.Value)).ToEquatableArray();

    // ------------------------------------------------------------------ nodes

    private NodeDefinition? ReadNode(XElement e)
    {
        if (e.Name.LocalName != "node") { Unsupported(e); return null; }
        var id = Id(e);
        var uname = Attr(e, "uname") ?? id;
        foreach (var child in e.Elements().Where(c => c.Name.LocalName is not ("instance_attributes" or "utilization")))
            Unsupported(child);
        return new NodeDefinition(id, uname, Attr(e, "type"),
            ReadOwnedSets(e, "nodes-" + id, "instance_attributes"),
            ReadOwnedSets(e, "nodes-" + id, "utilization"),
            Attr(e, "description"));
    }

    // ------------------------------------------------------------------ resources

    private Resource? ReadResource(XElement e)
    {
        switch (e.Name.LocalName)
        {
            case "primitive": return ReadPrimitive(e);
            case "group":
            {
                var id = Id(e);
                var members = new List<Primitive>();
                foreach (var child in e.Elements())
                {
                    if (child.Name.LocalName == "primitive") members.Add(ReadPrimitive(child));
                    else if (child.Name.LocalName is not ("meta_attributes" or "instance_attributes")) Unsupported(child);
                }
                return new Group(id, members.ToEquatableArray(), ReadOwnedSets(e, id, "meta_attributes"),
                    ReadOwnedSets(e, id, "instance_attributes"), Attr(e, "description"));
            }
            case "clone" or "master":
            {
                var id = Id(e);
                Resource? child = null;
                foreach (var c in e.Elements())
                {
                    if (c.Name.LocalName is "meta_attributes" or "instance_attributes") continue;
                    if (c.Name.LocalName is "primitive" or "group" && child is null) child = ReadResource(c);
                    else Unsupported(c);
                }
                if (child is null) throw new CibXmlException($"<{e.Name.LocalName}> {id} holds no primitive or group", Loc(e));
                return new Clone(id, child, ReadOwnedSets(e, id, "meta_attributes"), e.Name.LocalName == "master",
                    ReadOwnedSets(e, id, "instance_attributes"), Attr(e, "description"));
            }
            case "bundle": return ReadBundle(e);
            default:
                Unsupported(e);
                return null;
        }
    }

    /// <summary>
    /// A bundle: its container element (docker, podman or rkt), network (with port mappings),
    /// storage (with storage mappings), at most one primitive, meta attributes.
    /// </summary>
    private Bundle ReadBundle(XElement e)
    {
        var id = Id(e);
        string? runtime = null;
        var runtimeOptions = EquatableArray<NvPair>.Empty;
        var networkOptions = new List<NvPair>();
        var ports = new List<BundleMapping>();
        var storage = new List<BundleMapping>();
        Primitive? child = null;
        foreach (var c in e.Elements())
        {
            var name = c.Name.LocalName;
            if (Bundle.Runtimes.Contains(name) && runtime is null)
            {
                runtime = name;
                runtimeOptions = Attributes(c);
            }
            else if (name == "network")
            {
                networkOptions.AddRange(Attributes(c).Where(a => a.Name != "id"));
                foreach (var m in c.Elements())
                    if (m.Name.LocalName == "port-mapping") ports.Add(new BundleMapping(Id(m), Attributes(m, except: "id")));
                    else Unsupported(m);
            }
            else if (name == "storage")
            {
                foreach (var m in c.Elements())
                    if (m.Name.LocalName == "storage-mapping") storage.Add(new BundleMapping(Id(m), Attributes(m, except: "id")));
                    else Unsupported(m);
            }
            else if (name == "primitive" && child is null) child = ReadPrimitive(c);
            else if (name is not "meta_attributes") Unsupported(c);
        }
        if (runtime is null)
            throw new CibXmlException($"<bundle> {id} needs a container element: <{string.Join(">, <", Bundle.Runtimes)}>", Loc(e));
        return new Bundle(id, runtime, runtimeOptions, networkOptions.ToEquatableArray(), ports.ToEquatableArray(),
            storage.ToEquatableArray(), child, ReadOwnedSets(e, id, "meta_attributes"), Attr(e, "description"));
    }

    private static EquatableArray<NvPair> Attributes(XElement e, string? except = null) =>
        e.Attributes().Where(a => !a.IsNamespaceDeclaration && a.Name.LocalName != except)
            .Select(a => new NvPair(a.Name.LocalName, a.Value)).ToEquatableArray();

    private Primitive ReadPrimitive(XElement e)
    {
        var id = Id(e);
        var template = Attr(e, "template");
        AgentSpec? agent = null;
        if (template is null)
        {
            var cls = Required(e, "class");
            agent = new AgentSpec(cls, Attr(e, "provider"), Required(e, "type"));
        }
        var (ops, opsId) = ReadOperations(e, id);
        foreach (var child in e.Elements().Where(c => c.Name.LocalName is not ("instance_attributes" or "meta_attributes" or "utilization" or "operations")))
            Unsupported(child);
        return new Primitive(id, agent,
            ReadOwnedSets(e, id, "instance_attributes"),
            ReadOwnedSets(e, id, "meta_attributes"),
            ops, template,
            ReadOwnedSets(e, id, "utilization"),
            Attr(e, "description"), opsId);
    }

    private ResourceTemplate ReadTemplate(XElement e)
    {
        var id = Id(e);
        var agent = new AgentSpec(Required(e, "class"), Attr(e, "provider"), Required(e, "type"));
        var (ops, _) = ReadOperations(e, id);
        return new ResourceTemplate(id, agent, ReadOwnedSets(e, id, "instance_attributes"), ReadOwnedSets(e, id, "meta_attributes"),
            ops, ReadOwnedSets(e, id, "utilization"), Attr(e, "description"));
    }

    private (EquatableArray<Operation>, string?) ReadOperations(XElement e, string rscId)
    {
        var opsElement = e.Element("operations");
        if (opsElement is null) return (EquatableArray<Operation>.Empty, null);
        var source = Deref(opsElement);
        var opsId = Attr(opsElement, "id") ?? Attr(opsElement, "id-ref");
        var ops = new List<Operation>();
        foreach (var op in source.Elements())
        {
            if (op.Name.LocalName != "op") { Unsupported(op); continue; }
            var name = Required(op, "name");
            var interval = Attr(op, "interval") ?? "0";
            var id = Attr(op, "id");
            if (id == Ids.Operation(rscId, name, interval)) id = null;
            var attrs = op.Attributes()
                .Where(a => a.Name.LocalName is not ("id" or "name" or "interval"))
                .Select(a => new NvPair(a.Name.LocalName, a.Value))
                .ToEquatableArray();
            var opOwner = Ids.Operation(rscId, name, interval);
            ops.Add(new Operation(id, name, interval, attrs,
                ReadOwnedSets(op, opOwner, "instance_attributes"), ReadOwnedSets(op, opOwner, "meta_attributes")));
        }
        return (ops.ToEquatableArray(), opsId);
    }

    // ------------------------------------------------------------------ constraints

    private Score? ReadScore(XElement e, string attribute = "score")
    {
        var text = Attr(e, attribute);
        if (text is null) return null;
        if (Score.TryParse(text, out var s)) return s;
        Error(e, $"{e.Name.LocalName} {Attr(e, "id")}: '{text}' is not a score");
        return null;
    }

    private EquatableArray<ResourceSet> ReadResourceSets(XElement e, string constraintId)
    {
        var sets = new List<ResourceSet>();
        int index = 0;
        foreach (var s in e.Elements("resource_set"))
        {
            var src = Deref(s);
            var id = Attr(src, "id");
            if (id == Ids.ResourceSet(constraintId, index)) id = null;
            index++;
            sets.Add(CrmParser.NormalizeSet(new ResourceSet(id,
                src.Elements("resource_ref").Select(r => Required(r, "id")).ToEquatableArray(),
                Attr(src, "sequential"), Attr(src, "require-all"), Attr(src, "ordering"), Attr(src, "action"),
                Attr(src, "role"), ReadScore(src), Attr(src, "kind"))));
        }
        return sets.ToEquatableArray();
    }

    private Constraint? ReadConstraint(XElement e)
    {
        var name = e.Name.LocalName;
        if (name is not ("rsc_location" or "rsc_colocation" or "rsc_order" or "rsc_ticket"))
        {
            Unsupported(e);
            return null;
        }
        var id = Id(e);
        foreach (var child in e.Elements().Where(c => c.Name.LocalName is not ("resource_set" or "rule")))
            Unsupported(child);
        var sets = ReadResourceSets(e, id);
        switch (name)
        {
            case "rsc_location":
            {
                var rules = new List<Rule>();
                int i = 0;
                foreach (var r in e.Elements("rule")) rules.Add(ReadRule(r, id, i++));
                return new LocationConstraint(id, Attr(e, "rsc"), Attr(e, "node"), ReadScore(e), rules.ToEquatableArray(),
                    Attr(e, "role"), Attr(e, "rsc-pattern"), Attr(e, "resource-discovery"), sets);
            }
            case "rsc_colocation":
            {
                if (Attr(e, "score") is null && Attr(e, "score-attribute") is not null)
                    Unsupported(e, "score-attribute on a colocation");
                return new ColocationConstraint(id, ReadScore(e) ?? Score.Zero, Attr(e, "rsc"), Attr(e, "with-rsc"),
                    Attr(e, "rsc-role"), Attr(e, "with-rsc-role"), Attr(e, "node-attribute"), sets);
            }
            case "rsc_order":
                return new OrderConstraint(id, Attr(e, "first"), Attr(e, "then"), Attr(e, "first-action"), Attr(e, "then-action"),
                    Attr(e, "kind"), ReadScore(e), Attr(e, "symmetrical"), Attr(e, "require-all"), sets);
            default:
                return new TicketConstraint(id, Required(e, "ticket"), Attr(e, "rsc"), Attr(e, "rsc-role"), Attr(e, "loss-policy"), sets);
        }
    }

    // ------------------------------------------------------------------ misc

    private FencingLevel? ReadFencingLevel(XElement e)
    {
        if (e.Name.LocalName != "fencing-level") { Unsupported(e); return null; }
        var indexText = Required(e, "index");
        if (!int.TryParse(indexText, out var index)) { Error(e, $"fencing-level index '{indexText}' is not a number"); return null; }
        Id(e);
        return new FencingLevel(index, Required(e, "devices"), Attr(e, "target"), Attr(e, "target-pattern"),
            Attr(e, "target-attribute"), Attr(e, "target-value"));
    }

    /// <summary>HaCluster's own &lt;health_check&gt; (Pacemaker has no such element: a CIB for Pacemaker carries none).</summary>
    private HealthCheck? ReadHealthCheck(XElement e)
    {
        if (e.Name.LocalName != "health_check") { Unsupported(e); return null; }
        int? Count(string name)
        {
            if (Attr(e, name) is not { } text) return null;
            if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n)) return n;
            _diagnostics.Add(Diagnostic.Error($"health_check {Attr(e, "id")}: {name}='{text}' is not a whole number", Loc(e)));
            return null;
        }
        return new HealthCheck(Id(e), Required(e, "script"), Attr(e, "attribute"), Attr(e, "interval"), Attr(e, "timeout"), Count("fall"), Count("rise"), Attr(e, "description"));
    }

    private Alert? ReadAlert(XElement e)
    {
        if (e.Name.LocalName != "alert") { Unsupported(e); return null; }
        var id = Id(e);
        var recipients = new List<AlertRecipient>();
        AlertSelect? select = null;
        foreach (var child in e.Elements())
        {
            switch (child.Name.LocalName)
            {
                case "select":
                    select = ReadAlertSelect(child);
                    break;
                case "recipient":
                    var rid = Id(child);
                    recipients.Add(new AlertRecipient(Required(child, "value"),
                        ReadOwnedSets(child, rid, "instance_attributes"), ReadOwnedSets(child, rid, "meta_attributes")));
                    break;
                case "instance_attributes" or "meta_attributes":
                    break;
                default:
                    Unsupported(child);
                    break;
            }
        }
        return new Alert(id, Required(e, "path"), recipients.ToEquatableArray(),
            ReadOwnedSets(e, id, "instance_attributes"), ReadOwnedSets(e, id, "meta_attributes"), Attr(e, "description"), select);
    }

    private AlertSelect ReadAlertSelect(XElement e)
    {
        bool nodes = false, fencing = false, resources = false, attributes = false;
        var names = new List<string>();
        foreach (var kind in e.Elements())
        {
            switch (kind.Name.LocalName)
            {
                case "select_nodes": nodes = true; break;
                case "select_fencing": fencing = true; break;
                case "select_resources": resources = true; break;
                case "select_attributes":
                    attributes = true;
                    foreach (var a in kind.Elements())
                        if (a.Name.LocalName == "attribute") names.Add(Required(a, "name"));
                        else Unsupported(a);
                    break;
                default: Unsupported(kind); break;
            }
        }
        return new AlertSelect(nodes, fencing, resources, attributes, names.ToEquatableArray());
    }
}
