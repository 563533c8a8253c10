namespace HaCluster.Core.Cib.Syntax;

/// <summary>
/// Reads crm shell configuration language (what <c>crm configure</c> accepts and
/// <c>crm configure show</c> prints) into a <see cref="ClusterConfig"/>.
/// Objects may be referenced before they are defined, as in a crm batch: groups and clones
/// are assembled after all statements are read. Every problem becomes a
/// <c>FILE:LINE:COL</c> diagnostic; one bad statement does not stop the others being checked.
/// </summary>
public sealed class CrmParser
{
    private readonly string _file;
    private readonly List<Diagnostic> _diagnostics = new();
    private readonly Dictionary<string, SourceLocation> _sourceMap = new();

    private readonly List<NodeDefinition> _nodes = new();
    private readonly List<(int Order, RawResource Raw)> _resources = new();
    private readonly List<ResourceTemplate> _templates = new();
    private readonly List<Constraint> _constraints = new();
    private readonly List<Tag> _tags = new();
    private readonly List<FencingLevel> _fencing = new();
    private readonly List<Alert> _alerts = new();
    private readonly List<HealthCheck> _healthChecks = new();
    private readonly List<AttributeSet> _properties = new();
    private readonly List<AttributeSet> _rscDefaults = new();
    private readonly List<AttributeSet> _opDefaults = new();

    private CrmParser(string file) => _file = file;

    /// <summary>Parses crm configuration text. <paramref name="file"/> names it in diagnostics.</summary>
    public static ParseResult Parse(string text, string file = "<input>")
    {
        var parser = new CrmParser(file);
        var statements = CrmLexer.Split(text, file, parser._diagnostics);
        for (int i = 0; i < statements.Count; i++)
        {
            try
            {
                parser.ParseStatement(statements[i], i);
            }
            catch (CrmSyntaxException e)
            {
                parser._diagnostics.Add(Diagnostic.Error(e.Message, new SourceLocation(file, e.Line, e.Column)));
            }
        }
        var config = parser.Assemble();
        return new ParseResult(config, parser._diagnostics) { SourceMap = parser._sourceMap };
    }

    private SourceLocation At(CrmToken t) => new(_file, t.Line, t.Column);

    private bool Claim(string id, CrmToken at)
    {
        if (_sourceMap.TryGetValue(id, out var first))
        {
            _diagnostics.Add(Diagnostic.Error($"duplicate id '{id}' (first defined at line {first.Line})", At(at)));
            return false;
        }
        _sourceMap[id] = At(at);
        return true;
    }

    private void ParseStatement(CrmStatement statement, int order)
    {
        var c = new CrmCursor(statement);
        var keyword = c.Next("a command");
        switch (keyword.Text)
        {
            case "node": ParseNode(c); break;
            case "primitive": ParsePrimitive(c, order); break;
            case "rsc_template": ParseTemplate(c); break;
            case "group": ParseGroup(c, order); break;
            case "clone": ParseClone(c, order, legacyMaster: false); break;
            case "ms" or "master": ParseClone(c, order, legacyMaster: true); break;
            case "bundle": ParseBundle(c, order); break;
            case "location": ParseLocation(c); break;
            case "colocation" or "collocation": ParseColocation(c); break;
            case "order": ParseOrder(c); break;
            case "rsc_ticket": ParseTicket(c); break;
            case "property": _properties.Add(ParseNamedSet(c, ClusterConfig.DefaultPropertySetId)); break;
            case "rsc_defaults": _rscDefaults.Add(ParseNamedSet(c, ClusterConfig.DefaultResourceDefaultsId)); break;
            case "op_defaults": _opDefaults.Add(ParseNamedSet(c, ClusterConfig.DefaultOperationDefaultsId)); break;
            case "tag": ParseTag(c); break;
            case "fencing_topology": ParseFencingTopology(c); break;
            case "alert": ParseAlert(c); break;
            case "health_check": ParseHealthCheck(c); break;
            case "commit" or "end" or "quit" or "exit" or "bye" or "up" when c.AtEnd:
                _diagnostics.Add(Diagnostic.Warning($"'{keyword.Text}' is a shell command, ignored in a configuration file", At(keyword)));
                break;
            default:
                throw CrmCursor.Error(keyword, $"unknown command '{keyword.Text}' (expected primitive, group, clone, ms, location, colocation, order, property, rsc_defaults, op_defaults, node, ...)");
        }
        if (!c.AtEnd)
        {
            var extra = c.Peek()!;
            throw CrmCursor.Error(extra, $"unexpected '{extra.Text}'");
        }
    }

    // ------------------------------------------------------------------ helpers

    private string ParseId(CrmCursor c, string what)
    {
        var t = c.Next(what);
        var id = t.Text.TrimEnd(':');
        if (t.IsBracket || !IsValidId(id)) throw CrmCursor.Error(t, $"'{t.Text}' is not a valid id for {what}");
        return id;
    }

    /// <summary>Pacemaker ids are XML NCNames: a letter or '_' first, then letters, digits, '.', '-', '_'.</summary>
    public static bool IsValidId(string id) =>
        id.Length > 0 && (char.IsLetter(id[0]) || id[0] == '_') &&
        id.All(ch => char.IsLetterOrDigit(ch) || ch is '.' or '-' or '_');

    private static string? TakeDescription(CrmCursor c)
    {
        if (c.Peek()?.AsPair() is { Name: "description" } d)
        {
            c.Next("description");
            return d.Value;
        }
        return null;
    }

    /// <summary>
    /// An attribute list: <c>[$id=ID] [$id-ref=ID] [SCORE:] [rule ...] name=value ...</c>.
    /// Stops at the first word that is not part of it (op, meta, params...).
    /// </summary>
    private AttributeSet ParseAttributeList(CrmCursor c, CrmToken keyword, bool allowEmpty = false)
    {
        string? id = null, idRef = null;
        Score? score = null;
        Rule? rule = null;
        var pairs = new List<NvPair>();
        while (!c.AtEnd)
        {
            var t = c.Peek()!;
            if (t.AsPair() is { Name: "$id" } idPair) { c.Next("id"); id = idPair.Value; continue; }
            if (t.AsPair() is { Name: "$id-ref" } refPair) { c.Next("id-ref"); idRef = refPair.Value; continue; }
            if (pairs.Count == 0 && rule is null && !t.Quoted && t.Text.EndsWith(':') && Score.TryParse(t.Text[..^1], out var s))
            {
                c.Next("score");
                score = s;
                continue;
            }
            if (pairs.Count == 0 && rule is null && CrmRuleSyntax.StartsRule(c))
            {
                rule = CrmRuleSyntax.ParseRule(c);
                continue;
            }
            if (t.AsPair() is { } pair)
            {
                c.Next("name=value");
                pairs.Add(new NvPair(pair.Name, t.PairValueOrNull()));
                continue;
            }
            break;
        }
        if (pairs.Count == 0 && idRef is null && !allowEmpty)
            throw CrmCursor.Error(keyword, $"'{keyword.Text}' needs at least one name=value");
        return new AttributeSet(id, pairs.ToEquatableArray(), rule, score, idRef);
    }

    /// <summary><c>property [$id=ID | ID:] name=value ...</c> and the defaults sections.</summary>
    private AttributeSet ParseNamedSet(CrmCursor c, string defaultId)
    {
        var keyword = c.Last;
        string? id = null;
        if (c.Peek() is { Quoted: false } t && t.Text.EndsWith(':') && t.AsPair() is null && !Score.TryParse(t.Text[..^1], out _))
        {
            c.Next("set id");
            id = t.Text[..^1];
        }
        var set = ParseAttributeList(c, keyword);
        if (id is not null) set = set with { Id = id };
        // "property $id=cib-bootstrap-options" names the default set, like no id at all.
        if (set.Id == defaultId) set = set with { Id = null };
        return set;
    }

    // ------------------------------------------------------------------ nodes

    private void ParseNode(CrmCursor c)
    {
        string? id = null;
        if (c.Peek()?.AsPair() is { Name: "$id" } idPair) { c.Next("id"); id = idPair.Value; }
        var first = c.Next("a node name");
        string uname;
        string? type = null;
        if (first.Text.EndsWith(':') && c.Peek() is { } unameToken && unameToken.AsPair() is null && !IsSectionKeyword(unameToken.Text))
        {
            // crm shell 4 spelling: "node 1: node1"
            id = first.Text[..^1];
            c.Next("node name");
            uname = unameToken.Text;
        }
        else uname = first.Text;
        var colon = uname.IndexOf(':');
        if (colon > 0) { type = uname[(colon + 1)..]; uname = uname[..colon]; }
        if (!IsValidNodeName(uname)) throw CrmCursor.Error(first, $"'{uname}' is not a valid node name");

        var description = TakeDescription(c);
        var attributes = new List<AttributeSet>();
        var utilization = new List<AttributeSet>();
        while (!c.AtEnd)
        {
            var t = c.Peek()!;
            if (t.Text == "attributes") { c.Next("attributes"); attributes.Add(ParseAttributeList(c, t)); }
            else if (t.Text == "utilization") { c.Next("utilization"); utilization.Add(ParseAttributeList(c, t)); }
            else if (t.AsPair() is not null) attributes.Add(ParseAttributeList(c, first));
            else throw CrmCursor.Error(t, $"unexpected '{t.Text}' in node (expected attributes or utilization)");
        }
        id ??= uname;
        if (!Claim("node:" + uname, first)) return;
        _nodes.Add(new NodeDefinition(id, uname, type, attributes.ToEquatableArray(), utilization.ToEquatableArray(), description));
    }

    private static bool IsValidNodeName(string name) =>
        name.Length > 0 && name.All(ch => char.IsLetterOrDigit(ch) || ch is '.' or '-' or '_');

    private static bool IsSectionKeyword(string word) =>
        word is "params" or "meta" or "utilization" or "attributes" or "op" or "operations";

    // ------------------------------------------------------------------ resources

    private abstract record RawResource(string Id, CrmToken At);
    private sealed record RawPrimitive(Primitive Value, CrmToken At) : RawResource(Value.Id, At);
    private sealed record RawGroup(string Id, CrmToken At, List<CrmToken> Members, EquatableArray<AttributeSet> Meta,
        EquatableArray<AttributeSet> Params, string? Description) : RawResource(Id, At);
    private sealed record RawClone(string Id, CrmToken At, CrmToken Child, bool LegacyMaster, EquatableArray<AttributeSet> Meta,
        EquatableArray<AttributeSet> Params, string? Description) : RawResource(Id, At);

    private sealed record RawBundle(Bundle Value, CrmToken At, CrmToken? Child) : RawResource(Value.Id, At);

    private sealed record PrimitiveBody(
        EquatableArray<AttributeSet> Params, EquatableArray<AttributeSet> Meta, EquatableArray<AttributeSet> Utilization,
        EquatableArray<Operation> Ops, string? Description, string? OperationsId);

    private void ParsePrimitive(CrmCursor c, int order)
    {
        var idToken = c.Peek() ?? c.Last;
        var id = ParseId(c, "primitive");
        var agentToken = c.Next("an agent (class:provider:type) or @template");
        AgentSpec? agent = null;
        string? template = null;
        if (agentToken.Text.StartsWith('@')) template = agentToken.Text[1..];
        else agent = AgentSpec.TryParse(agentToken.Text)
                     ?? throw CrmCursor.Error(agentToken, $"'{agentToken.Text}' is not an agent (class:provider:type or class:type)");
        var body = ParsePrimitiveBody(c, id);
        if (!Claim(id, idToken)) return;
        var p = new Primitive(id, agent, body.Params, body.Meta, body.Ops, template, body.Utilization, body.Description, body.OperationsId);
        _resources.Add((order, new RawPrimitive(p, idToken)));
    }

    private void ParseTemplate(CrmCursor c)
    {
        var idToken = c.Peek() ?? c.Last;
        var id = ParseId(c, "rsc_template");
        var agentToken = c.Next("an agent (class:provider:type)");
        var agent = AgentSpec.TryParse(agentToken.Text)
                    ?? throw CrmCursor.Error(agentToken, $"'{agentToken.Text}' is not an agent (class:provider:type or class:type)");
        var body = ParsePrimitiveBody(c, id);
        if (!Claim(id, idToken)) return;
        _templates.Add(new ResourceTemplate(id, agent, body.Params, body.Meta, body.Ops, body.Utilization, body.Description));
    }

    private PrimitiveBody ParsePrimitiveBody(CrmCursor c, string rscId)
    {
        var prms = new List<AttributeSet>();
        var meta = new List<AttributeSet>();
        var util = new List<AttributeSet>();
        var ops = new List<Operation>();
        string? description = null, operationsId = null;
        while (!c.AtEnd)
        {
            var t = c.Peek()!;
            if (t.AsPair() is { Name: "description" }) { description = TakeDescription(c); continue; }
            switch (t.Quoted ? "" : t.Text)
            {
                case "params": c.Next("params"); prms.Add(ParseAttributeList(c, t)); break;
                case "meta": c.Next("meta"); meta.Add(ParseAttributeList(c, t)); break;
                case "utilization": c.Next("utilization"); util.Add(ParseAttributeList(c, t)); break;
                case "op": c.Next("op"); ops.Add(ParseOp(c, t, rscId)); break;
                case "operations":
                    c.Next("operations");
                    var opsId = c.Next("$id=ID");
                    if (opsId.AsPair() is not { Name: "$id" or "$id-ref" } p) throw CrmCursor.Error(opsId, "expected $id=ID after 'operations'");
                    operationsId = p.Value;
                    break;
                default:
                    // crm shell allows "params" to be left out before the first attribute list.
                    if (t.AsPair() is not null && prms.Count == 0 && meta.Count == 0 && ops.Count == 0)
                    {
                        prms.Add(ParseAttributeList(c, t));
                        break;
                    }
                    throw CrmCursor.Error(t, $"unexpected '{t.Text}' (expected params, meta, utilization, op)");
            }
        }
        return new PrimitiveBody(prms.ToEquatableArray(), meta.ToEquatableArray(), util.ToEquatableArray(), ops.ToEquatableArray(), description, operationsId);
    }

    private Operation ParseOp(CrmCursor c, CrmToken opToken, string rscId)
    {
        var nameToken = c.Next("an operation name (start, stop, monitor, ...)");
        if (nameToken.AsPair() is not null || nameToken.IsBracket)
            throw CrmCursor.Error(nameToken, $"expected an operation name after 'op', found '{nameToken.Text}'");
        string interval = "0";
        string? id = null;
        var attrs = new List<NvPair>();
        var instance = new List<NvPair>();
        while (c.Peek()?.AsPair() is { } pair)
        {
            c.Next("op attribute");
            switch (pair.Name)
            {
                case "interval": interval = pair.Value; break;
                case "$id" or "id": id = pair.Value; break;
                case "OCF_CHECK_LEVEL": instance.Add(new NvPair(pair.Name, pair.Value)); break;
                default: attrs.Add(new NvPair(pair.Name, pair.Value)); break;
            }
        }
        if (id == Ids.Operation(rscId, nameToken.Text, interval)) id = null;
        var inst = new List<AttributeSet>();
        var meta = new List<AttributeSet>();
        if (instance.Count > 0) inst.Add(new AttributeSet(null, instance.ToEquatableArray()));
        // crm shell's op_params / op_meta: attribute sets of the operation itself.
        while (c.Peek() is { Quoted: false, Text: "op_params" or "op_meta" } sub)
        {
            c.Next(sub.Text);
            (sub.Text == "op_params" ? inst : meta).Add(ParseAttributeList(c, sub));
        }
        return new Operation(id, nameToken.Text, interval, attrs.ToEquatableArray(), inst.ToEquatableArray(), meta.ToEquatableArray());
    }

    private void ParseGroup(CrmCursor c, int order)
    {
        var idToken = c.Peek() ?? c.Last;
        var id = ParseId(c, "group");
        var members = new List<CrmToken>();
        while (c.Peek() is { } t && t.AsPair() is null && !IsSectionKeyword(t.Text))
        {
            c.Next("member");
            if (!IsValidId(t.Text)) throw CrmCursor.Error(t, $"'{t.Text}' is not a valid resource id");
            members.Add(t);
        }
        if (members.Count == 0) throw CrmCursor.Error(idToken, $"group {id} needs at least one member");
        var (meta, prms, description) = ParseContainerTail(c);
        if (!Claim(id, idToken)) return;
        _resources.Add((order, new RawGroup(id, idToken, members, meta, prms, description)));
    }

    private void ParseClone(CrmCursor c, int order, bool legacyMaster)
    {
        var idToken = c.Peek() ?? c.Last;
        var id = ParseId(c, legacyMaster ? "ms" : "clone");
        var child = c.Next("the resource to clone");
        if (!IsValidId(child.Text)) throw CrmCursor.Error(child, $"'{child.Text}' is not a valid resource id");
        var (meta, prms, description) = ParseContainerTail(c);
        if (!Claim(id, idToken)) return;
        _resources.Add((order, new RawClone(id, idToken, child, legacyMaster, meta, prms, description)));
    }

    /// <summary>
    /// crmsh's bundle: <c>bundle ID docker|podman|rkt name=value... [network name=value...
    /// [port-mapping id=ID name=value...]...] [storage [storage-mapping id=ID name=value...]...]
    /// [primitive RSC] [meta ...]</c>; the primitive is defined by its own statement, as a
    /// group's members are.
    /// </summary>
    private void ParseBundle(CrmCursor c, int order)
    {
        var idToken = c.Peek() ?? c.Last;
        var id = ParseId(c, "bundle");
        string? description = null;
        if (c.Peek()?.AsPair() is { Name: "description" }) description = TakeDescription(c);
        var runtimeToken = c.Next("the container runtime (docker, podman or rkt)");
        if (runtimeToken.Quoted || !Bundle.Runtimes.Contains(runtimeToken.Text))
            throw CrmCursor.Error(runtimeToken, $"'{runtimeToken.Text}' is not a container runtime (expected docker, podman or rkt)");
        var runtimeOptions = TakePairs(c);
        var network = new List<NvPair>();
        var ports = new List<BundleMapping>();
        var storage = new List<BundleMapping>();
        var meta = new List<AttributeSet>();
        CrmToken? child = null;
        while (!c.AtEnd)
        {
            var t = c.Peek()!;
            if (t.AsPair() is { Name: "description" }) { description = TakeDescription(c); continue; }
            c.Next("a bundle section");
            switch (t.Quoted ? "" : t.Text)
            {
                case "network": network.AddRange(TakePairs(c)); break;
                case "port-mapping": ports.Add(Mapping(c, t, $"{id}-port-map-{ports.Count}")); break;
                case "storage": break;
                case "storage-mapping": storage.Add(Mapping(c, t, $"{id}-storage-map-{storage.Count}")); break;
                case "primitive" when child is null:
                    child = c.Next("the primitive inside the bundle");
                    if (!IsValidId(child.Text)) throw CrmCursor.Error(child, $"'{child.Text}' is not a valid resource id");
                    break;
                case "meta": meta.Add(ParseAttributeList(c, t)); break;
                default:
                    throw CrmCursor.Error(t, $"unexpected '{t.Text}' (expected network, port-mapping, storage, storage-mapping, primitive or meta)");
            }
        }
        if (!Claim(id, idToken)) return;
        var bundle = new Bundle(id, runtimeToken.Text, runtimeOptions, network.ToEquatableArray(), ports.ToEquatableArray(),
            storage.ToEquatableArray(), null, meta.ToEquatableArray(), description);
        _resources.Add((order, new RawBundle(bundle, idToken, child)));
    }

    /// <summary>name=value pairs up to the next keyword.</summary>
    private static EquatableArray<NvPair> TakePairs(CrmCursor c)
    {
        var pairs = new List<NvPair>();
        while (c.Peek()?.AsPair() is { Name: not "description" } pair)
        {
            var t = c.Next("name=value");
            pairs.Add(new NvPair(pair.Name, t.PairValueOrNull() ?? ""));
        }
        return pairs.ToEquatableArray();
    }

    /// <summary>A port-mapping or storage-mapping: its pairs, id=ID among them (a fallback id when it has none).</summary>
    private BundleMapping Mapping(CrmCursor c, CrmToken keyword, string fallbackId)
    {
        var pairs = TakePairs(c);
        if (pairs.IsEmpty) throw CrmCursor.Error(keyword, $"{keyword.Text} needs name=value pairs");
        var id = pairs.FirstOrDefault(p => p.Name == "id")?.Value ?? fallbackId;
        if (!IsValidId(id)) throw CrmCursor.Error(keyword, $"'{id}' is not a valid id for {keyword.Text}");
        Claim(id, keyword); // (a duplicate is reported there)
        return new BundleMapping(id, pairs.Where(p => p.Name != "id").ToEquatableArray());
    }

    private (EquatableArray<AttributeSet> Meta, EquatableArray<AttributeSet> Params, string? Description) ParseContainerTail(CrmCursor c)
    {
        var meta = new List<AttributeSet>();
        var prms = new List<AttributeSet>();
        string? description = null;
        while (!c.AtEnd)
        {
            var t = c.Peek()!;
            if (t.AsPair() is { Name: "description" }) { description = TakeDescription(c); continue; }
            if (t.Text == "meta") { c.Next("meta"); meta.Add(ParseAttributeList(c, t)); }
            else if (t.Text == "params") { c.Next("params"); prms.Add(ParseAttributeList(c, t)); }
            else throw CrmCursor.Error(t, $"unexpected '{t.Text}' (expected meta or params)");
        }
        return (meta.ToEquatableArray(), prms.ToEquatableArray(), description);
    }

    /// <summary>
    /// Builds the resource tree: primitives go into the groups and clones that name them;
    /// what is left at the top level keeps the order of its defining statement.
    /// </summary>
    private ClusterConfig Assemble()
    {
        var raws = _resources.ToDictionary(r => r.Raw.Id, r => r.Raw);
        var containedBy = new Dictionary<string, string>();
        var groups = new Dictionary<string, Group>();

        bool Contain(string child, string parent, CrmToken at)
        {
            if (containedBy.TryGetValue(child, out var other))
            {
                _diagnostics.Add(Diagnostic.Error($"resource {child} is already in {other}; it cannot also be in {parent}", At(at)));
                return false;
            }
            containedBy[child] = parent;
            return true;
        }

        // The primitive a group member or a bundle's "primitive" names, taken into that container;
        // null (and an error) when it is unknown, not a primitive, or already in another.
        Primitive? NamedPrimitive(string ownerKind, string ownerId, CrmToken reference, Func<string, string> notAPrimitive)
        {
            if (!raws.TryGetValue(reference.Text, out var target))
                _diagnostics.Add(Diagnostic.Error($"{ownerKind} {ownerId}: unknown resource '{reference.Text}'", At(reference)));
            else if (target is not RawPrimitive p)
                _diagnostics.Add(Diagnostic.Error($"{ownerKind} {ownerId}: {notAPrimitive(Kind(target))}", At(reference)));
            else if (Contain(reference.Text, ownerId, reference))
                return p.Value;
            return null;
        }

        foreach (var (_, raw) in _resources)
        {
            if (raw is not RawGroup g) continue;
            var members = new List<Primitive>();
            foreach (var m in g.Members)
                if (NamedPrimitive("group", g.Id, m, kind => $"member '{m.Text}' is a {kind}; groups hold primitives only") is { } p)
                    members.Add(p);
            groups[g.Id] = new Group(g.Id, members.ToEquatableArray(), g.Meta, g.Params, g.Description);
        }

        var clones = new Dictionary<string, Clone>();
        foreach (var (_, raw) in _resources)
        {
            if (raw is not RawClone cl) continue;
            if (!raws.TryGetValue(cl.Child.Text, out var target))
            {
                _diagnostics.Add(Diagnostic.Error($"{(cl.LegacyMaster ? "ms" : "clone")} {cl.Id}: unknown resource '{cl.Child.Text}'", At(cl.Child)));
                continue;
            }
            Resource? child = target switch
            {
                RawPrimitive p => p.Value,
                RawGroup g when groups.TryGetValue(g.Id, out var built) => built,
                _ => null,
            };
            if (child is null)
            {
                _diagnostics.Add(Diagnostic.Error($"clone {cl.Id}: '{cl.Child.Text}' is a {Kind(target)}; a clone holds a primitive or a group", At(cl.Child)));
                continue;
            }
            if (Contain(cl.Child.Text, cl.Id, cl.Child))
                clones[cl.Id] = new Clone(cl.Id, child, cl.Meta, cl.LegacyMaster, cl.Params, cl.Description);
        }

        var bundles = new Dictionary<string, Bundle>();
        foreach (var (_, raw) in _resources)
        {
            if (raw is not RawBundle b) continue;
            if (b.Child is not { } childToken) { bundles[b.Id] = b.Value; continue; }
            if (NamedPrimitive("bundle", b.Id, childToken, kind => $"'{childToken.Text}' is a {kind}; a bundle holds one primitive") is { } p)
                bundles[b.Id] = b.Value with { Child = p };
        }

        var top = new List<Resource>();
        foreach (var (_, raw) in _resources)
        {
            if (containedBy.ContainsKey(raw.Id)) continue;
            switch (raw)
            {
                case RawBundle b when bundles.TryGetValue(b.Id, out var built): top.Add(built); break;
                case RawPrimitive p: top.Add(p.Value); break;
                case RawGroup g: top.Add(groups[g.Id]); break;
                case RawClone cl when clones.TryGetValue(cl.Id, out var built): top.Add(built); break;
            }
        }

        return new ClusterConfig
        {
            Nodes = _nodes.ToEquatableArray(),
            Resources = top.ToEquatableArray(),
            Templates = _templates.ToEquatableArray(),
            Constraints = _constraints.ToEquatableArray(),
            Tags = _tags.ToEquatableArray(),
            FencingLevels = _fencing.ToEquatableArray(),
            Alerts = _alerts.ToEquatableArray(),
            HealthChecks = _healthChecks.ToEquatableArray(),
            Properties = MergeDefaultSets(_properties, ClusterConfig.DefaultPropertySetId),
            ResourceDefaults = MergeDefaultSets(_rscDefaults, ClusterConfig.DefaultResourceDefaultsId),
            OperationDefaults = MergeDefaultSets(_opDefaults, ClusterConfig.DefaultOperationDefaultsId),
        };
    }

    private static string Kind(RawResource r) => r switch
    {
        RawGroup => "group",
        RawClone c => c.LegacyMaster ? "ms" : "clone",
        RawBundle => "bundle",
        _ => "primitive",
    };

    /// <summary>
    /// Several "property a=b" lines without an id all go into the one default set, as in crm shell;
    /// a later value of the same name replaces an earlier one (ids then normalised by
    /// <see cref="Ids.NormalizeTopLevelSets"/>).
    /// </summary>
    private static EquatableArray<AttributeSet> MergeDefaultSets(List<AttributeSet> sets, string baseId)
    {
        var result = new List<AttributeSet>();
        foreach (var set in sets)
        {
            var idx = result.FindIndex(s => s.Id == set.Id && s.Rule is null && set.Rule is null && s.Score == set.Score && s.IdRef is null && set.IdRef is null);
            if (idx < 0) { result.Add(set); continue; }
            var pairs = result[idx].Pairs.ToList();
            foreach (var p in set.Pairs)
            {
                var existing = pairs.FindIndex(x => x.Name == p.Name);
                if (existing >= 0) pairs[existing] = p; else pairs.Add(p);
            }
            result[idx] = result[idx] with { Pairs = pairs.ToEquatableArray() };
        }
        return Ids.NormalizeTopLevelSets(result, baseId);
    }

    // ------------------------------------------------------------------ constraints

    private static readonly HashSet<string> Actions = new() { "start", "stop", "promote", "demote" };

    /// <summary>Splits "rsc:role" / "rsc:action".</summary>
    private static (string Id, string? Suffix) SplitRef(CrmToken t)
    {
        var colon = t.Text.IndexOf(':');
        var id = colon < 0 ? t.Text : t.Text[..colon];
        var suffix = colon < 0 ? null : t.Text[(colon + 1)..];
        if (!IsValidId(id) || suffix is { Length: 0 }) throw CrmCursor.Error(t, $"'{t.Text}' is not a resource reference (rsc or rsc:role)");
        return (id, suffix);
    }

    private (string Id, Score? Score, string? Kind) ParseConstraintHead(CrmCursor c, string what, bool scoreRequired)
    {
        var idToken = c.Peek() ?? c.Last;
        var id = ParseId(c, what);
        Claim(id, idToken);
        var scoreToken = c.Peek();
        if (scoreToken is null || !scoreToken.Text.EndsWith(':') || scoreToken.Quoted || scoreToken.AsPair() is not null)
        {
            if (scoreRequired) throw CrmCursor.Error(scoreToken ?? c.Last, $"{what} {id}: expected a score followed by ':' (for example inf:)");
            return (id, null, null);
        }
        c.Next("score");
        var text = scoreToken.Text[..^1];
        if (text is "Mandatory" or "Optional" or "Serialize") return (id, null, text);
        if (Score.TryParse(text, out var s)) return (id, s, null);
        throw CrmCursor.Error(scoreToken, $"{what} {id}: '{text}' is not a score (a number, inf or -inf) or kind (Mandatory, Optional, Serialize)");
    }

    /// <summary>
    /// The resource part of a colocation/order/ticket: either exactly two plain references
    /// (the simple form) or resource sets. Plain runs form sequential sets, ( ... ) a
    /// non-sequential set, [ ... ] a set with require-all=false; key=value inside brackets sets
    /// the set's own attributes.
    /// </summary>
    private (List<(string Id, string? Suffix)> Plain, List<ResourceSet>? Sets, List<(string, string)> Trailing) ParseResourceRefs(
        CrmCursor c, string constraintId, bool suffixIsAction)
    {
        var items = new List<object>(); // CrmToken for plain refs, ResourceSet for bracketed sets
        var trailing = new List<(string, string)>();
        var bracketed = false;
        while (!c.AtEnd)
        {
            var t = c.Peek()!;
            if (t.AsPair() is { } pair) { c.Next("option"); trailing.Add(pair); continue; }
            if (t.IsBracket && t.Text is "(" or "[")
            {
                c.Next("bracket");
                bracketed = true;
                items.Add(ParseBracketSet(c, t, suffixIsAction));
                continue;
            }
            if (t.IsBracket) throw CrmCursor.Error(t, $"unexpected '{t.Text}'");
            if (trailing.Count > 0) throw CrmCursor.Error(t, $"resource '{t.Text}' after options");
            c.Next("resource");
            SplitRef(t);
            items.Add(t);
        }
        if (!bracketed && items.Count == 2)
            return (items.Cast<CrmToken>().Select(SplitRef).ToList(), null, trailing);

        var sets = new List<ResourceSet>();
        var run = new List<string>();
        string? runSuffix = null;
        void FlushRun()
        {
            if (run.Count == 0) return;
            sets.Add(MakeSet(null, run, runSuffix, suffixIsAction));
            run = new List<string>();
            runSuffix = null;
        }
        foreach (var item in items)
        {
            if (item is ResourceSet s) { FlushRun(); sets.Add(s); continue; }
            var (id, suffix) = SplitRef((CrmToken)item);
            if (run.Count > 0 && suffix != runSuffix) FlushRun();
            runSuffix = suffix;
            run.Add(id);
        }
        FlushRun();
        if (sets.Count == 0) throw CrmCursor.Error(c.Last, $"{constraintId}: expected resources");
        return (new List<(string, string?)>(), sets, trailing);
    }

    private static ResourceSet MakeSet(string? id, List<string> resources, string? suffix, bool suffixIsAction) =>
        new(id, resources.ToEquatableArray(),
            Action: suffixIsAction ? suffix : null,
            Role: suffixIsAction ? null : suffix);

    private ResourceSet ParseBracketSet(CrmCursor c, CrmToken open, bool suffixIsAction)
    {
        var close = open.Text switch { "(" => ")", "[" => "]", _ => "}" };
        var resources = new List<string>();
        string? suffix = null;
        var set = new ResourceSet(null, EquatableArray<string>.Empty);
        // ( ) is sequential=false, [ ] also require-all=false, { } (location) plain.
        set = open.Text switch
        {
            "(" => set with { Sequential = "false" },
            "[" => set with { Sequential = "false", RequireAll = "false" },
            _ => set,
        };
        while (true)
        {
            var t = c.Next($"'{close}'");
            if (t.IsBracket && t.Text == close) break;
            if (t.IsBracket) throw CrmCursor.Error(t, $"unexpected '{t.Text}' inside a resource set");
            if (t.AsPair() is { } p)
            {
                set = p.Name switch
                {
                    "id" or "$id" => set with { Id = p.Value },
                    "sequential" => set with { Sequential = p.Value },
                    "require-all" => set with { RequireAll = p.Value },
                    "ordering" => set with { Ordering = p.Value },
                    "action" => set with { Action = p.Value },
                    "role" => set with { Role = p.Value },
                    "kind" => set with { Kind = p.Value },
                    "score" when Score.TryParse(p.Value, out var sc) => set with { Score = sc },
                    _ => throw CrmCursor.Error(t, $"unknown resource set attribute '{p.Name}'"),
                };
                continue;
            }
            var (id, sfx) = SplitRef(t);
            if (resources.Count > 0 && sfx != suffix) throw CrmCursor.Error(t, $"all resources of a set share one {(suffixIsAction ? "action" : "role")}");
            suffix = sfx;
            resources.Add(id);
        }
        if (resources.Count == 0) throw CrmCursor.Error(open, "empty resource set");
        if (suffix is not null) set = suffixIsAction ? set with { Action = suffix } : set with { Role = suffix };
        return NormalizeSet(set with { Resources = resources.ToEquatableArray() });
    }

    /// <summary>Defaults are stored as null so that "sequential=true" and no mention compare equal.</summary>
    internal static ResourceSet NormalizeSet(ResourceSet s) => s with
    {
        Sequential = CibBoolean.TryParse(s.Sequential) == true ? null : s.Sequential,
        RequireAll = CibBoolean.TryParse(s.RequireAll) == true ? null : s.RequireAll,
    };

    private void ParseColocation(CrmCursor c)
    {
        var (id, score, kind) = ParseConstraintHead(c, "colocation", scoreRequired: true);
        if (kind is not null) throw CrmCursor.Error(c.Last, $"colocation {id}: needs a score, not a kind");
        var (plain, sets, trailing) = ParseResourceRefs(c, id, suffixIsAction: false);
        string? nodeAttribute = null;
        foreach (var (name, value) in trailing)
        {
            if (name == "node-attribute") nodeAttribute = value;
            else throw CrmCursor.Error(c.Last, $"colocation {id}: unknown option '{name}'");
        }
        _constraints.Add(sets is null
            ? new ColocationConstraint(id, score!.Value, plain[0].Id, plain[1].Id, plain[0].Suffix, plain[1].Suffix, nodeAttribute)
            : new ColocationConstraint(id, score!.Value, null, null, NodeAttribute: nodeAttribute, Sets: sets.ToEquatableArray()));
    }

    private void ParseOrder(CrmCursor c)
    {
        var (id, score, kind) = ParseConstraintHead(c, "order", scoreRequired: false);
        var (plain, sets, trailing) = ParseResourceRefs(c, id, suffixIsAction: true);
        string? symmetrical = null, requireAll = null;
        foreach (var (name, value) in trailing)
        {
            if (name == "symmetrical") symmetrical = value;
            else if (name == "require-all") requireAll = value;
            else if (name == "kind") kind = value;
            else throw CrmCursor.Error(c.Last, $"order {id}: unknown option '{name}'");
        }
        if (sets is null)
        {
            foreach (var (rid, suffix) in plain)
                if (suffix is not null && !Actions.Contains(suffix))
                    throw CrmCursor.Error(c.Last, $"order {id}: '{suffix}' is not an action (start, stop, promote, demote)");
            _constraints.Add(new OrderConstraint(id, plain[0].Id, plain[1].Id, plain[0].Suffix, plain[1].Suffix, kind, score, symmetrical, requireAll));
        }
        else _constraints.Add(new OrderConstraint(id, null, null, Kind: kind, Score: score, Symmetrical: symmetrical, RequireAll: requireAll, Sets: sets.ToEquatableArray()));
    }

    private void ParseTicket(CrmCursor c)
    {
        var idToken = c.Peek() ?? c.Last;
        var id = ParseId(c, "rsc_ticket");
        Claim(id, idToken);
        var ticketToken = c.Next("TICKET:");
        if (!ticketToken.Text.EndsWith(':')) throw CrmCursor.Error(ticketToken, $"rsc_ticket {id}: expected 'TICKET:'");
        var ticket = ticketToken.Text[..^1];
        var refs = new List<CrmToken>();
        string? lossPolicy = null;
        var sets = new List<ResourceSet>();
        while (!c.AtEnd)
        {
            var t = c.Next("resource");
            if (t.AsPair() is { Name: "loss-policy" } lp) lossPolicy = lp.Value;
            else if (t.IsBracket && t.Text is "(" or "[") sets.Add(ParseBracketSet(c, t, suffixIsAction: false));
            else refs.Add(t);
        }
        if (refs.Count == 1 && sets.Count == 0)
        {
            var (rid, role) = SplitRef(refs[0]);
            _constraints.Add(new TicketConstraint(id, ticket, rid, role, lossPolicy));
            return;
        }
        foreach (var group in refs.Select(SplitRef).GroupBy(r => r.Suffix))
            sets.Insert(0, new ResourceSet(null, group.Select(g => g.Id).ToEquatableArray(), Role: group.Key));
        if (sets.Count == 0) throw CrmCursor.Error(ticketToken, $"rsc_ticket {id}: expected resources");
        _constraints.Add(new TicketConstraint(id, ticket, null, LossPolicy: lossPolicy, Sets: sets.ToEquatableArray()));
    }

    private void ParseLocation(CrmCursor c)
    {
        var idToken = c.Peek() ?? c.Last;
        var id = ParseId(c, "location");
        Claim(id, idToken);
        var rscToken = c.Next("a resource");
        string? rsc = null, pattern = null;
        var sets = new List<ResourceSet>();
        if (rscToken.Text.StartsWith('/') && rscToken.Text.EndsWith('/') && rscToken.Text.Length > 2)
            pattern = rscToken.Text[1..^1];
        else if (rscToken.IsBracket && rscToken.Text == "{")
        {
            sets.Add(ParseBracketSet(c, rscToken, suffixIsAction: false));
            while (c.Peek() is { IsBracket: true, Text: "{" } more) { c.Next("{"); sets.Add(ParseBracketSet(c, more, suffixIsAction: false)); }
        }
        else if (IsValidId(rscToken.Text)) rsc = rscToken.Text;
        else throw CrmCursor.Error(rscToken, $"location {id}: '{rscToken.Text}' is not a resource id, /pattern/ or {{ set }}");

        string? role = null, discovery = null, node = null;
        Score? score = null;
        var rules = new List<Rule>();
        while (!c.AtEnd)
        {
            var t = c.Peek()!;
            if (t.AsPair() is { Name: "role" or "$role" } r) { c.Next("role"); role = r.Value; continue; }
            if (t.AsPair() is { Name: "resource-discovery" } d) { c.Next("resource-discovery"); discovery = d.Value; continue; }
            if (CrmRuleSyntax.StartsRule(c)) { rules.Add(CrmRuleSyntax.ParseRule(c)); continue; }
            if (rules.Count == 0 && score is null && t.Text.EndsWith(':') && !t.Quoted)
            {
                c.Next("score");
                if (!Score.TryParse(t.Text[..^1], out var s)) throw CrmCursor.Error(t, $"location {id}: '{t.Text[..^1]}' is not a score");
                score = s;
                var nodeToken = c.Next("a node name");
                if (!IsValidNodeName(nodeToken.Text)) throw CrmCursor.Error(nodeToken, $"location {id}: '{nodeToken.Text}' is not a node name");
                node = nodeToken.Text;
                continue;
            }
            throw CrmCursor.Error(t, $"location {id}: expected 'SCORE: NODE' or 'rule', found '{t.Text}'");
        }
        if (node is null && rules.Count == 0) throw CrmCursor.Error(rscToken, $"location {id}: needs 'SCORE: NODE' or a rule");
        _constraints.Add(new LocationConstraint(id, rsc, node, score, rules.ToEquatableArray(), role, pattern, discovery, sets.ToEquatableArray()));
    }

    // ------------------------------------------------------------------ misc objects

    private void ParseTag(CrmCursor c)
    {
        var idToken = c.Next("a tag id");
        var id = idToken.Text.TrimEnd(':');
        if (!IsValidId(id)) throw CrmCursor.Error(idToken, $"'{idToken.Text}' is not a valid tag id");
        var refs = new List<string>();
        while (!c.AtEnd) refs.Add(SplitRef(c.Next("resource")).Id);
        if (refs.Count == 0) throw CrmCursor.Error(idToken, $"tag {id} names no resources");
        if (Claim(id, idToken)) _tags.Add(new Tag(id, refs.ToEquatableArray()));
    }

    /// <summary><c>fencing_topology [TARGET:] dev1,dev2 dev3 [TARGET2: ...]</c>; without a target, one level list for every node.</summary>
    private void ParseFencingTopology(CrmCursor c)
    {
        string? target = null, attribute = null, attrValue = null;
        var index = new Dictionary<string, int>();
        while (!c.AtEnd)
        {
            var t = c.Next("a target or devices");
            if (t.Text.EndsWith(':'))
            {
                var spec = t.Text[..^1];
                target = null; attribute = null; attrValue = null;
                if (spec.StartsWith("attr:") && spec[5..].Split('=') is [var a, var v]) { attribute = a; attrValue = v; }
                else target = spec;
                continue;
            }
            var key = target ?? $"{attribute}={attrValue}";
            var n = index[key] = index.GetValueOrDefault(key) + 1;
            _fencing.Add(new FencingLevel(n, t.Text, target, null, attribute, attrValue));
        }
    }

    private void ParseAlert(CrmCursor c)
    {
        var idToken = c.Peek() ?? c.Last;
        var id = ParseId(c, "alert");
        var path = c.Next("the alert agent's path").Text;
        var (inst, meta) = ParseAlertSets(c);
        AlertSelect? select = null;
        if (c.TryTake("select"))
        {
            select = ParseAlertSelect(c, id);
            var (moreInst, moreMeta) = ParseAlertSets(c);
            inst = inst.Concat(moreInst).ToEquatableArray();
            meta = meta.Concat(moreMeta).ToEquatableArray();
        }
        var recipients = new List<AlertRecipient>();
        while (c.TryTake("to"))
        {
            var braced = c.TryTake("{");
            var value = c.Next("a recipient").Text;
            var (ri, rm) = ParseAlertSets(c);
            if (braced) c.Expect("}");
            recipients.Add(new AlertRecipient(value, ri, rm));
        }
        if (Claim(id, idToken)) _alerts.Add(new Alert(id, path, recipients.ToEquatableArray(), inst, meta, Select: select));
    }

    /// <summary><c>select nodes fencing resources attributes [{ NAME ... }]</c>: at least one kind.</summary>
    private static AlertSelect ParseAlertSelect(CrmCursor c, string id)
    {
        bool nodes = false, fencing = false, resources = false, attributes = false;
        var names = new List<string>();
        while (c.Peek() is { } t && t.Text is "nodes" or "fencing" or "resources" or "attributes")
        {
            c.Next(t.Text);
            switch (t.Text)
            {
                case "nodes": nodes = true; break;
                case "fencing": fencing = true; break;
                case "resources": resources = true; break;
                default:
                    attributes = true;
                    if (c.TryTake("{"))
                    {
                        while (!c.TryTake("}")) names.Add(c.Next("an attribute name or }").Text);
                        if (names.Count == 0) throw CrmCursor.Error(t, $"alert {id}: select attributes {{ }} names no attribute");
                    }
                    break;
            }
        }
        if (!nodes && !fencing && !resources && !attributes)
            throw CrmCursor.Error(c.Peek() ?? c.Last, $"alert {id}: select needs at least one of nodes, fencing, resources, attributes");
        return new AlertSelect(nodes, fencing, resources, attributes, names.ToEquatableArray());
    }

    /// <summary><c>health_check ID script="PROGRAM ARGS" [attribute=NAME] [interval=5s] [timeout=T] [fall=N] [rise=N] [description=TEXT]</c></summary>
    private void ParseHealthCheck(CrmCursor c)
    {
        var idToken = c.Peek() ?? c.Last;
        var id = ParseId(c, "health_check");
        var values = new Dictionary<string, (string? Value, CrmToken Token)>();
        while (c.Peek() is { } t && t.AsPair() is { } pair)
        {
            c.Next("name=value");
            if (pair.Name is not ("script" or "attribute" or "interval" or "timeout" or "fall" or "rise" or "description"))
                throw CrmCursor.Error(t, $"health_check {id}: unknown setting '{pair.Name}' (script, attribute, interval, timeout, fall, rise, description)");
            values[pair.Name] = (t.PairValueOrNull(), t);
        }
        if (!values.TryGetValue("script", out var script) || string.IsNullOrWhiteSpace(script.Value))
            throw CrmCursor.Error(idToken, $"health_check {id}: script=\"PROGRAM ARGS\" is required");
        int? Count(string name)
        {
            if (!values.TryGetValue(name, out var v)) return null;
            if (int.TryParse(v.Value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n)) return n;
            throw CrmCursor.Error(v.Token, $"health_check {id}: {name}='{v.Value}' is not a whole number");
        }
        var check = new HealthCheck(id, script.Value!, values.GetValueOrDefault("attribute").Value, values.GetValueOrDefault("interval").Value,
            values.GetValueOrDefault("timeout").Value, Count("fall"), Count("rise"), values.GetValueOrDefault("description").Value);
        if (Claim(id, idToken)) _healthChecks.Add(check);
    }

    private (EquatableArray<AttributeSet>, EquatableArray<AttributeSet>) ParseAlertSets(CrmCursor c)
    {
        var inst = new List<AttributeSet>();
        var meta = new List<AttributeSet>();
        while (c.Peek() is { } t && t.Text is "attributes" or "meta")
        {
            c.Next(t.Text);
            (t.Text == "meta" ? meta : inst).Add(ParseAttributeList(c, t));
        }
        return (inst.ToEquatableArray(), meta.ToEquatableArray());
    }
}
