using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace HaCluster.Core.Cib.Syntax;

/// <summary>
/// Reads the YAML form written by <see cref="CibYamlWriter"/>. Unknown keys are errors (a typo
/// must not silently drop a setting); every error carries FILE:LINE:COL.
/// </summary>
public sealed class CibYamlReader
{
    private readonly string _file;
    private readonly List<Diagnostic> _diagnostics = new();
    private readonly Dictionary<string, SourceLocation> _sourceMap = new();

    private CibYamlReader(string file) => _file = file;

    private sealed class YamlConfigException(string message, Mark at) : Exception(message)
    {
        public Mark At { get; } = at;
    }

    public static ParseResult Parse(string text, string file = "<input>")
    {
        var reader = new CibYamlReader(file);
        // No configuration nests collections this deep; YamlDotNet's time grows fast with it.
        if (TooDeep(text) is { } deep)
            return new ParseResult(null, new[] { Diagnostic.Error($"collections nested more than {MaxFlowDepth} deep", new SourceLocation(file, deep.Line, deep.Column)) });
        // Block collections too (`- - - …`): loading the tree recurses.
        if (YamlNesting.TooDeep(text) is { } nested)
            return new ParseResult(null, new[] { Diagnostic.Error($"collections nested more than {YamlNesting.MaxDepth} deep", new SourceLocation(file, nested.Line, nested.Column)) });
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            var msg = e.InnerException?.Message ?? e.Message;
            // YamlDotNet prefixes its own "(Line: .., Col: ..)": we give the place ourselves.
            var close = msg.IndexOf("): ", StringComparison.Ordinal);
            if (msg.StartsWith("(Line:") && close > 0) msg = msg[(close + 3)..];
            return new ParseResult(null, new[] { Diagnostic.Error(msg, new SourceLocation(file, (int)e.Start.Line, (int)e.Start.Column)) });
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or IndexOutOfRangeException)
        {
            // YamlDotNet's scanner occasionally fails this way on malformed input (found by our
            // fuzz test): report it like any syntax error, at the last place it read.
            var at = LastScannedMark(text);
            return new ParseResult(null, new[] { Diagnostic.Error("malformed YAML near here", new SourceLocation(file, (int)at.Line, (int)at.Column)) });
        }
        if (stream.Documents.Count == 0) return new ParseResult(ClusterConfig.Empty, Array.Empty<Diagnostic>());
        ClusterConfig? config = null;
        try
        {
            config = reader.ReadRoot(stream.Documents[0].RootNode);
        }
        catch (YamlConfigException e)
        {
            reader._diagnostics.Add(Diagnostic.Error(e.Message, reader.Loc(e.At)));
        }
        return new ParseResult(config, reader._diagnostics) { SourceMap = reader._sourceMap };
    }

    private SourceLocation Loc(Mark m) => new(_file, (int)m.Line, (int)m.Column);

    private const int MaxFlowDepth = 100;

    /// <summary>
    /// Where flow collections ([ ] and { }) first nest deeper than <see cref="MaxFlowDepth"/>,
    /// outside quoted scalars and comments; null when they never do.
    /// </summary>
    private static (int Line, int Column)? TooDeep(string text)
    {
        int depth = 0, line = 1, column = 0;
        char quote = '\0';
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            column++;
            if (c == '\n') { line++; column = 0; }
            if (quote != '\0')
            {
                if (quote == '"' && c == '\\') { i++; column++; }
                else if (c == quote) quote = '\0';
                continue;
            }
            switch (c)
            {
                case '"' or '\'':
                    quote = c;
                    break;
                case '#' when i == 0 || char.IsWhiteSpace(text[i - 1]):
                    while (i + 1 < text.Length && text[i + 1] != '\n') i++;
                    break;
                case '[' or '{':
                    if (++depth > MaxFlowDepth) return (line, column);
                    break;
                case ']' or '}':
                    depth = Math.Max(0, depth - 1);
                    break;
            }
        }
        return null;
    }

    private static Mark LastScannedMark(string text)
    {
        var last = Mark.Empty;
        try
        {
            // Bounded: a scanner that stops advancing must not loop forever.
            var scanner = new Scanner(new StringReader(text));
            for (int i = 0; i <= text.Length + 16 && scanner.MoveNext(); i++) last = scanner.Current!.Start;
        }
        catch (Exception)
        {
            // The point of the exercise: stop where the scanner stops.
        }
        return last;
    }

    private static YamlMappingNode AsMap(YamlNode node, string what) =>
        node as YamlMappingNode ?? throw new YamlConfigException($"{what} must be a mapping", node.Start);

    private static YamlSequenceNode AsSeq(YamlNode node, string what) =>
        node as YamlSequenceNode ?? throw new YamlConfigException($"{what} must be a list", node.Start);

    private static string AsText(YamlNode node, string what) =>
        node is YamlScalarNode s ? s.Value ?? "" : throw new YamlConfigException($"{what} must be a single value", node.Start);

    private static IEnumerable<(string Key, YamlNode Value, Mark At)> Entries(YamlMappingNode map)
    {
        foreach (var (k, v) in map.Children)
            yield return (AsText(k, "a key"), v, k.Start);
    }

    /// <summary>Runs <paramref name="read"/> and records its error instead of stopping the whole file.</summary>
    private T? Guard<T>(Func<T> read) where T : class
    {
        try { return read(); }
        catch (YamlConfigException e) { _diagnostics.Add(Diagnostic.Error(e.Message, Loc(e.At))); return null; }
    }

    private string Claim(YamlNode idNode, string what)
    {
        var id = AsText(idNode, what);
        if (!CrmParser.IsValidId(id)) throw new YamlConfigException($"'{id}' is not a valid id for {what}", idNode.Start);
        if (!_sourceMap.TryAdd(id, Loc(idNode.Start)))
            throw new YamlConfigException($"duplicate id '{id}' (first defined at line {_sourceMap[id].Line})", idNode.Start);
        return id;
    }

    private ClusterConfig ReadRoot(YamlNode rootNode)
    {
        var root = AsMap(rootNode, "the configuration");
        var config = new ClusterConfig();
        foreach (var (key, value, at) in Entries(root))
        {
            config = key switch
            {
                "properties" => config with { Properties = ReadSets(value, "properties") },
                "rsc_defaults" => config with { ResourceDefaults = ReadSets(value, "rsc_defaults") },
                "op_defaults" => config with { OperationDefaults = ReadSets(value, "op_defaults") },
                "nodes" => config with { Nodes = AsSeq(value, "nodes").Select(n => Guard(() => ReadNode(n))).OfType<NodeDefinition>().ToEquatableArray() },
                "templates" => config with { Templates = AsSeq(value, "templates").Select(n => Guard(() => ReadTemplate(n))).OfType<ResourceTemplate>().ToEquatableArray() },
                "resources" => config with { Resources = AsSeq(value, "resources").Select(n => Guard(() => ReadResource(n))).OfType<Resource>().ToEquatableArray() },
                "constraints" => config with { Constraints = AsSeq(value, "constraints").Select(n => Guard(() => ReadConstraint(n))).OfType<Constraint>().ToEquatableArray() },
                "tags" => config with { Tags = Entries(AsMap(value, "tags")).Select(e => new Tag(e.Key, AsSeq(e.Value, "a tag").Select(x => AsText(x, "a resource")).ToEquatableArray())).ToEquatableArray() },
                "fencing_topology" => config with { FencingLevels = AsSeq(value, "fencing_topology").Select(n => Guard(() => ReadFencingLevel(n))).OfType<FencingLevel>().ToEquatableArray() },
                "alerts" => config with { Alerts = AsSeq(value, "alerts").Select(n => Guard(() => ReadAlert(n))).OfType<Alert>().ToEquatableArray() },
                "health_checks" => config with { HealthChecks = AsSeq(value, "health_checks").Select(n => Guard(() => ReadHealthCheck(n))).OfType<HealthCheck>().ToEquatableArray() },
                _ => throw new YamlConfigException($"unknown section '{key}' (expected properties, rsc_defaults, op_defaults, nodes, templates, resources, constraints, tags, fencing_topology, alerts, health_checks)", at),
            };
        }
        // As in crm syntax, only the first property/defaults set may go without an id.
        return config with
        {
            Properties = NameLaterSets(config.Properties, ClusterConfig.DefaultPropertySetId),
            ResourceDefaults = NameLaterSets(config.ResourceDefaults, ClusterConfig.DefaultResourceDefaultsId),
            OperationDefaults = NameLaterSets(config.OperationDefaults, ClusterConfig.DefaultOperationDefaultsId),
        };
    }

    private static EquatableArray<AttributeSet> NameLaterSets(EquatableArray<AttributeSet> sets, string baseId) =>
        Ids.NormalizeTopLevelSets(sets, baseId);

    // ------------------------------------------------------------------ sets and rules

    private EquatableArray<AttributeSet> ReadSets(YamlNode node, string what)
    {
        if (node is YamlMappingNode map) return new[] { new AttributeSet(null, ReadPairs(map)) };
        var result = new List<AttributeSet>();
        foreach (var item in AsSeq(node, what))
        {
            string? id = null, idRef = null;
            Score? score = null;
            Rule? rule = null;
            var pairs = EquatableArray<NvPair>.Empty;
            foreach (var (key, value, at) in Entries(AsMap(item, $"an entry of {what}")))
            {
                switch (key)
                {
                    case "id": id = AsText(value, "id"); break;
                    case "id-ref": idRef = AsText(value, "id-ref"); break;
                    case "score": score = ReadScore(value); break;
                    case "rule": rule = ReadRule(value); break;
                    case "values": pairs = ReadValues(value); break;
                    default: throw new YamlConfigException($"unknown key '{key}' in an attribute set (id, id-ref, score, rule, values)", at);
                }
            }
            result.Add(new AttributeSet(id, pairs, rule, score, idRef));
        }
        return result.ToEquatableArray();
    }

    private static EquatableArray<NvPair> ReadPairs(YamlMappingNode map) =>
        Entries(map).Select(e => new NvPair(e.Key, ValueOrNull(e.Value, e.Key))).ToEquatableArray();

    /// <summary>Plain ~, null or nothing is YAML's null: an attribute without a value.</summary>
    internal static bool LooksLikeNull(string text) => text is "" or "~" or "null" or "Null" or "NULL";

    private static string? ValueOrNull(YamlNode node, string what) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any } s && LooksLikeNull(s.Value ?? "") ? null : AsText(node, what);

    /// <summary>values: a mapping, or (when a name repeats, as old CIBs allow) a list of one-entry mappings.</summary>
    private static EquatableArray<NvPair> ReadValues(YamlNode node) =>
        node is YamlSequenceNode seq
            ? seq.SelectMany(item => ReadPairs(AsMap(item, "a value"))).ToEquatableArray()
            : ReadPairs(AsMap(node, "values"));

    private static Score ReadScore(YamlNode node)
    {
        var text = AsText(node, "score");
        return Score.TryParse(text, out var s) ? s : throw new YamlConfigException($"'{text}' is not a score (a number, inf or -inf)", node.Start);
    }

    private static Rule ReadRule(YamlNode node)
    {
        var text = AsText(node, "rule");
        try
        {
            return CrmRuleSyntax.ParseStandalone(text, (int)node.Start.Line, (int)node.Start.Column);
        }
        catch (CrmSyntaxException e)
        {
            throw new YamlConfigException($"rule '{text}': {e.Message}", node.Start);
        }
    }

    // ------------------------------------------------------------------ nodes and resources

    private NodeDefinition ReadNode(YamlNode node)
    {
        var map = AsMap(node, "a node");
        string? name = null, id = null, type = null, description = null;
        EquatableArray<AttributeSet> attrs = default, util = default;
        foreach (var (key, value, at) in Entries(map))
        {
            switch (key)
            {
                case "name": name = AsText(value, "name"); break;
                case "id": id = AsText(value, "id"); break;
                case "type": type = AsText(value, "type"); break;
                case "description": description = AsText(value, "description"); break;
                case "attributes": attrs = ReadSets(value, "attributes"); break;
                case "utilization": util = ReadSets(value, "utilization"); break;
                default: throw new YamlConfigException($"unknown key '{key}' in a node (name, id, type, attributes, utilization, description)", at);
            }
        }
        if (name is null) throw new YamlConfigException("a node needs a name", map.Start);
        if (!_sourceMap.TryAdd("node:" + name, Loc(map.Start))) throw new YamlConfigException($"node {name} is listed twice", map.Start);
        return new NodeDefinition(id ?? name, name, type, attrs, util, description);
    }

    private Resource ReadResource(YamlNode node)
    {
        var map = AsMap(node, "a resource");
        var first = Entries(map).FirstOrDefault();
        return first.Key switch
        {
            "primitive" => ReadPrimitive(map),
            "group" => ReadGroup(map),
            "clone" or "ms" => ReadClone(map, first.Key == "ms"),
            "bundle" => ReadBundle(map),
            _ => throw new YamlConfigException("a resource starts with 'primitive: ID', 'group: ID', 'clone: ID', 'ms: ID' or 'bundle: ID'", map.Start),
        };
    }

    private sealed record PrimitiveParts(string Id, AgentSpec? Agent, string? Template, string? Description, string? OperationsId,
        EquatableArray<AttributeSet> Params, EquatableArray<AttributeSet> Meta, EquatableArray<AttributeSet> Utilization, EquatableArray<Operation> Ops);

    private PrimitiveParts ReadPrimitiveParts(YamlMappingNode map, string keyword)
    {
        string? id = null, template = null, description = null, opsId = null;
        AgentSpec? agent = null;
        EquatableArray<AttributeSet> prms = default, meta = default, util = default;
        var ops = new List<Operation>();
        foreach (var (key, value, at) in Entries(map))
        {
            switch (key)
            {
                case var k when k == keyword: id = Claim(value, keyword); break;
                case "agent":
                    var text = AsText(value, "agent");
                    agent = AgentSpec.TryParse(text) ?? throw new YamlConfigException($"'{text}' is not an agent (class:provider:type)", value.Start);
                    break;
                case "template" when keyword == "primitive": template = AsText(value, "template"); break;
                case "description": description = AsText(value, "description"); break;
                case "operations-id": opsId = AsText(value, "operations-id"); break;
                case "params": prms = ReadSets(value, "params"); break;
                case "meta": meta = ReadSets(value, "meta"); break;
                case "utilization": util = ReadSets(value, "utilization"); break;
                case "ops":
                    foreach (var opNode in AsSeq(value, "ops")) ops.Add(ReadOp(opNode));
                    break;
                default: throw new YamlConfigException($"unknown key '{key}' in {keyword} {id} (agent, template, params, meta, utilization, ops, description)", at);
            }
        }
        if (agent is null && template is null) throw new YamlConfigException($"{keyword} {id} needs an agent", map.Start);
        return new PrimitiveParts(id!, agent, template, description, opsId, prms, meta, util, ops.ToEquatableArray());
    }

    private Primitive ReadPrimitive(YamlMappingNode map)
    {
        var p = ReadPrimitiveParts(map, "primitive");
        return new Primitive(p.Id, p.Agent, p.Params, p.Meta, p.Ops, p.Template, p.Utilization, p.Description, p.OperationsId);
    }

    private ResourceTemplate ReadTemplate(YamlNode node)
    {
        var p = ReadPrimitiveParts(AsMap(node, "a template"), "template");
        return new ResourceTemplate(p.Id, p.Agent!, p.Params, p.Meta, p.Ops, p.Utilization, p.Description);
    }

    private Operation ReadOp(YamlNode node)
    {
        var map = AsMap(node, "an op");
        string? name = null, id = null;
        var interval = "0";
        var attrs = new List<NvPair>();
        EquatableArray<AttributeSet> inst = default, meta = default;
        foreach (var (key, value, _) in Entries(map))
        {
            switch (key)
            {
                case "name": name = AsText(value, "name"); break;
                case "interval": interval = AsText(value, "interval"); break;
                case "id": id = AsText(value, "id"); break;
                case "params": inst = ReadSets(value, "params"); break;
                case "meta": meta = ReadSets(value, "meta"); break;
                default: attrs.Add(new NvPair(key, AsText(value, key))); break;
            }
        }
        if (name is null) throw new YamlConfigException("an op needs a name", map.Start);
        return new Operation(id, name, interval, attrs.ToEquatableArray(), inst, meta);
    }

    private Group ReadGroup(YamlMappingNode map)
    {
        string? id = null, description = null;
        var members = new List<Primitive>();
        EquatableArray<AttributeSet> meta = default, prms = default;
        foreach (var (key, value, at) in Entries(map))
        {
            switch (key)
            {
                case "group": id = Claim(value, "group"); break;
                case "description": description = AsText(value, "description"); break;
                case "members":
                    foreach (var m in AsSeq(value, "members"))
                    {
                        var mm = AsMap(m, "a group member");
                        if (Entries(mm).FirstOrDefault().Key != "primitive")
                            throw new YamlConfigException($"group {id}: members are primitives ('primitive: ID')", mm.Start);
                        members.Add(ReadPrimitive(mm));
                    }
                    break;
                case "meta": meta = ReadSets(value, "meta"); break;
                case "params": prms = ReadSets(value, "params"); break;
                default: throw new YamlConfigException($"unknown key '{key}' in group {id} (members, meta, params, description)", at);
            }
        }
        if (members.Count == 0) throw new YamlConfigException($"group {id} needs members", map.Start);
        return new Group(id!, members.ToEquatableArray(), meta, prms, description);
    }

    private Clone ReadClone(YamlMappingNode map, bool legacyMaster)
    {
        string? id = null, description = null;
        Resource? child = null;
        EquatableArray<AttributeSet> meta = default, prms = default;
        var keyword = legacyMaster ? "ms" : "clone";
        foreach (var (key, value, at) in Entries(map))
        {
            switch (key)
            {
                case var k when k == keyword: id = Claim(value, keyword); break;
                case "description": description = AsText(value, "description"); break;
                case "resource":
                    child = ReadResource(value);
                    if (child is Clone) throw new YamlConfigException($"{keyword} {id}: a clone cannot hold a clone", value.Start);
                    break;
                case "meta": meta = ReadSets(value, "meta"); break;
                case "params": prms = ReadSets(value, "params"); break;
                default: throw new YamlConfigException($"unknown key '{key}' in {keyword} {id} (resource, meta, params, description)", at);
            }
        }
        if (child is null) throw new YamlConfigException($"{keyword} {id} needs a resource", map.Start);
        return new Clone(id!, child, meta, legacyMaster, prms, description);
    }

    /// <summary>
    /// A bundle: <c>bundle: ID</c>, one of <c>docker:</c>, <c>podman:</c>, <c>rkt:</c> (the
    /// container's options), <c>network:</c> (its options and <c>port-mappings:</c>),
    /// <c>storage:</c> (a list of storage mappings), <c>resource:</c> (one primitive), <c>meta:</c>.
    /// </summary>
    private Bundle ReadBundle(YamlMappingNode map)
    {
        string? id = null, description = null, runtime = null;
        var runtimeOptions = EquatableArray<NvPair>.Empty;
        var network = new List<NvPair>();
        var ports = new List<BundleMapping>();
        var storage = new List<BundleMapping>();
        Primitive? child = null;
        EquatableArray<AttributeSet> meta = default;
        foreach (var (key, value, at) in Entries(map))
        {
            switch (key)
            {
                case "bundle": id = Claim(value, "bundle"); break;
                case "description": description = AsText(value, "description"); break;
                case var k when Bundle.Runtimes.Contains(k):
                    if (runtime is not null) throw new YamlConfigException($"bundle {id}: one container runtime only ({runtime} given already)", at);
                    runtime = k;
                    runtimeOptions = ScalarPairs(value, k);
                    break;
                case "network":
                    foreach (var (nk, nv, nat) in Entries(AsMap(value, "network")))
                        if (nk == "port-mappings")
                            foreach (var item in AsSeq(nv, "port-mappings")) ports.Add(ReadMapping(item, "port mapping"));
                        else network.Add(new NvPair(nk, AsText(nv, nk)));
                    break;
                case "storage":
                    foreach (var item in AsSeq(value, "storage")) storage.Add(ReadMapping(item, "storage mapping"));
                    break;
                case "resource":
                    child = ReadResource(value) as Primitive ?? throw new YamlConfigException($"bundle {id}: the resource inside a bundle is a primitive", value.Start);
                    break;
                case "meta": meta = ReadSets(value, "meta"); break;
                default: throw new YamlConfigException($"unknown key '{key}' in bundle {id} (docker, podman, rkt, network, storage, resource, meta, description)", at);
            }
        }
        if (runtime is null) throw new YamlConfigException($"bundle {id} needs a container runtime: docker, podman or rkt", map.Start);
        return new Bundle(id!, runtime, runtimeOptions, network.ToEquatableArray(), ports.ToEquatableArray(),
            storage.ToEquatableArray(), child, meta, description);
    }

    /// <summary>A mapping of scalars (a bundle's container options) as name/value pairs, in order.</summary>
    private static EquatableArray<NvPair> ScalarPairs(YamlNode node, string what) =>
        Entries(AsMap(node, what)).Select(e => new NvPair(e.Key, AsText(e.Value, e.Key))).ToEquatableArray();

    /// <summary>A port or storage mapping: <c>id:</c> and its attributes.</summary>
    private BundleMapping ReadMapping(YamlNode node, string what)
    {
        var map = AsMap(node, what);
        var pairs = ScalarPairs(map, what);
        var idNode = Entries(map).FirstOrDefault(e => e.Key == "id").Value
                     ?? throw new YamlConfigException($"a {what} needs an id", map.Start);
        return new BundleMapping(Claim(idNode, what), pairs.Where(p => p.Name != "id").ToEquatableArray());
    }

    // ------------------------------------------------------------------ constraints

    private static (string Id, string? Suffix) SplitRef(YamlNode node)
    {
        var text = AsText(node, "a resource reference");
        var colon = text.IndexOf(':');
        return colon < 0 ? (text, null) : (text[..colon], text[(colon + 1)..]);
    }

    private Constraint ReadConstraint(YamlNode node)
    {
        var map = AsMap(node, "a constraint");
        var kind = Entries(map).FirstOrDefault().Key;
        string? id = null;
        var values = new Dictionary<string, YamlNode>();
        foreach (var (key, value, at) in Entries(map))
        {
            if (key == kind) { id = Claim(value, kind); continue; }
            var allowed = kind switch
            {
                "location" => new[] { "resource", "resource-pattern", "role", "score", "node", "resource-discovery", "rules", "sets" },
                "colocation" => new[] { "score", "resource", "with", "node-attribute", "sets" },
                "order" => new[] { "score", "kind", "first", "then", "symmetrical", "require-all", "sets" },
                "ticket" => new[] { "name", "resource", "loss-policy", "sets" },
                _ => throw new YamlConfigException("a constraint starts with 'location: ID', 'colocation: ID', 'order: ID' or 'ticket: ID'", map.Start),
            };
            if (!allowed.Contains(key)) throw new YamlConfigException($"unknown key '{key}' in {kind} {id} ({string.Join(", ", allowed)})", at);
            values[key] = value;
        }
        string? Text(string key) => values.TryGetValue(key, out var v) ? AsText(v, key) : null;
        Score? OptScore(string key) => values.TryGetValue(key, out var v) ? ReadScore(v) : null;
        (string Id, string? Suffix)? OptRef(string key) => values.TryGetValue(key, out var v) ? SplitRef(v) : null;
        var sets = values.TryGetValue("sets", out var setsNode) ? ReadResourceSets(setsNode) : EquatableArray<ResourceSet>.Empty;

        switch (kind)
        {
            case "location":
                var rules = values.TryGetValue("rules", out var rn) ? AsSeq(rn, "rules").Select(ReadRule).ToEquatableArray() : EquatableArray<Rule>.Empty;
                return new LocationConstraint(id!, Text("resource"), Text("node"), OptScore("score"), rules, Text("role"),
                    Text("resource-pattern"), Text("resource-discovery"), sets);
            case "colocation":
                if (!values.ContainsKey("score")) throw new YamlConfigException($"colocation {id} needs a score", map.Start);
                var rsc = OptRef("resource");
                var with = OptRef("with");
                return new ColocationConstraint(id!, OptScore("score")!.Value, rsc?.Id, with?.Id, rsc?.Suffix, with?.Suffix, Text("node-attribute"), sets);
            case "order":
                var first = OptRef("first");
                var then = OptRef("then");
                return new OrderConstraint(id!, first?.Id, then?.Id, first?.Suffix, then?.Suffix, Text("kind"), OptScore("score"),
                    Text("symmetrical"), Text("require-all"), sets);
            default:
                var r = OptRef("resource");
                return new TicketConstraint(id!, Text("name") ?? throw new YamlConfigException($"ticket {id} needs a name", map.Start),
                    r?.Id, r?.Suffix, Text("loss-policy"), sets);
        }
    }

    private static EquatableArray<ResourceSet> ReadResourceSets(YamlNode node) =>
        AsSeq(node, "sets").Select(item =>
        {
            var m = AsMap(item, "a resource set");
            var set = new ResourceSet(null, EquatableArray<string>.Empty);
            foreach (var (key, value, at) in Entries(m))
            {
                set = key switch
                {
                    "id" => set with { Id = AsText(value, key) },
                    "resources" => set with { Resources = AsSeq(value, key).Select(x => AsText(x, "a resource")).ToEquatableArray() },
                    "sequential" => set with { Sequential = AsText(value, key) },
                    "require-all" => set with { RequireAll = AsText(value, key) },
                    "ordering" => set with { Ordering = AsText(value, key) },
                    "action" => set with { Action = AsText(value, key) },
                    "role" => set with { Role = AsText(value, key) },
                    "score" => set with { Score = ReadScore(value) },
                    "kind" => set with { Kind = AsText(value, key) },
                    _ => throw new YamlConfigException($"unknown key '{key}' in a resource set", at),
                };
            }
            return CrmParser.NormalizeSet(set);
        }).ToEquatableArray();

    // ------------------------------------------------------------------ misc

    private static FencingLevel ReadFencingLevel(YamlNode node)
    {
        var m = AsMap(node, "a fencing level");
        var d = Entries(m).ToDictionary(e => e.Key, e => AsText(e.Value, e.Key));
        if (!d.TryGetValue("index", out var idx) || !int.TryParse(idx, out var index))
            throw new YamlConfigException("a fencing level needs a numeric index", m.Start);
        if (!d.TryGetValue("devices", out var devices)) throw new YamlConfigException("a fencing level needs devices", m.Start);
        return new FencingLevel(index, devices,
            d.GetValueOrDefault("target"), d.GetValueOrDefault("target-pattern"), d.GetValueOrDefault("target-attribute"), d.GetValueOrDefault("target-value"));
    }

    /// <summary><c>- health_check: ID</c> with script, attribute, interval, timeout, fall, rise, description.</summary>
    private HealthCheck ReadHealthCheck(YamlNode node)
    {
        var m = AsMap(node, "a health check");
        string? id = null, script = null, attribute = null, interval = null, timeout = null, description = null;
        int? fall = null, rise = null;
        int Count(YamlNode v, string key, YamlDotNet.Core.Mark at) =>
            int.TryParse(AsText(v, key), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n)
                ? n : throw new YamlConfigException($"{key}: '{AsText(v, key)}' is not a whole number", at);
        foreach (var (key, value, at) in Entries(m))
        {
            switch (key)
            {
                case "health_check": id = Claim(value, "health check"); break;
                case "script": script = AsText(value, key); break;
                case "attribute": attribute = AsText(value, key); break;
                case "interval": interval = AsText(value, key); break;
                case "timeout": timeout = AsText(value, key); break;
                case "fall": fall = Count(value, key, at); break;
                case "rise": rise = Count(value, key, at); break;
                case "description": description = AsText(value, key); break;
                default: throw new YamlConfigException($"unknown key '{key}' in health check {id} (script, attribute, interval, timeout, fall, rise, description)", at);
            }
        }
        if (id is null) throw new YamlConfigException("a health check needs 'health_check: ID'", node.Start);
        if (string.IsNullOrWhiteSpace(script)) throw new YamlConfigException($"health check {id}: script is required", node.Start);
        return new HealthCheck(id, script, attribute, interval, timeout, fall, rise, description);
    }

    private Alert ReadAlert(YamlNode node)
    {
        var m = AsMap(node, "an alert");
        string? id = null, path = null, description = null;
        EquatableArray<AttributeSet> inst = default, meta = default;
        var recipients = new List<AlertRecipient>();
        AlertSelect? select = null;
        foreach (var (key, value, at) in Entries(m))
        {
            switch (key)
            {
                case "alert": id = Claim(value, "alert"); break;
                case "select": select = ReadAlertSelect(value, id); break;
                case "path": path = AsText(value, key); break;
                case "description": description = AsText(value, key); break;
                case "attributes": inst = ReadSets(value, key); break;
                case "meta": meta = ReadSets(value, key); break;
                case "recipients":
                    foreach (var r in AsSeq(value, key))
                    {
                        var rm = AsMap(r, "a recipient");
                        string? rvalue = null;
                        EquatableArray<AttributeSet> ri = default, rmeta = default;
                        foreach (var (k, v, a) in Entries(rm))
                        {
                            switch (k)
                            {
                                case "value": rvalue = AsText(v, k); break;
                                case "attributes": ri = ReadSets(v, k); break;
                                case "meta": rmeta = ReadSets(v, k); break;
                                default: throw new YamlConfigException($"unknown key '{k}' in a recipient", a);
                            }
                        }
                        recipients.Add(new AlertRecipient(rvalue ?? "", ri, rmeta));
                    }
                    break;
                default: throw new YamlConfigException($"unknown key '{key}' in alert {id}", at);
            }
        }
        return new Alert(id ?? throw new YamlConfigException("an alert needs an id", m.Start),
            path ?? throw new YamlConfigException($"alert {id} needs a path", m.Start), recipients.ToEquatableArray(), inst, meta, description, select);
    }

    /// <summary><c>select: [nodes, fencing, resources, attributes]</c>, or <c>{attributes: [NAME, ...]}</c> for named attributes only.</summary>
    private AlertSelect ReadAlertSelect(YamlNode node, string? alert)
    {
        bool nodes = false, fencing = false, resources = false, attributes = false;
        var names = new List<string>();
        foreach (var item in AsSeq(node, "select"))
        {
            if (item is YamlMappingNode map)
            {
                foreach (var (k, v, a) in Entries(map))
                {
                    if (k != "attributes") throw new YamlConfigException($"alert {alert}: select names attributes only ({{attributes: [NAME, ...]}}), not '{k}'", a);
                    attributes = true;
                    names.AddRange(AsSeq(v, k).Select(n => AsText(n, "an attribute name")));
                }
                continue;
            }
            switch (AsText(item, "a kind"))
            {
                case "nodes": nodes = true; break;
                case "fencing": fencing = true; break;
                case "resources": resources = true; break;
                case "attributes": attributes = true; break;
                case var other: throw new YamlConfigException($"alert {alert}: unknown select kind '{other}' (nodes, fencing, resources, attributes)", item.Start);
            }
        }
        if (!nodes && !fencing && !resources && !attributes)
            throw new YamlConfigException($"alert {alert}: select needs at least one of nodes, fencing, resources, attributes", node.Start);
        return new AlertSelect(nodes, fencing, resources, attributes, names.ToEquatableArray());
    }
}
