using System.Text.RegularExpressions;

namespace HaCluster.Core.Cib;

/// <summary>
/// Semantic checks on a configuration, the same whatever syntax it came from. Errors name the
/// object ("primitive p_ip: ...") and carry the place it was defined when the reader knows it.
/// An error means the configuration must not be committed; a warning is legal but questionable.
/// </summary>
public sealed class ConfigValidator
{
    private readonly ClusterConfig _config;
    private readonly IReadOnlyDictionary<string, SourceLocation> _sourceMap;
    private readonly List<Diagnostic> _out = new();
    private readonly Dictionary<string, Resource> _resources = new();
    private readonly Dictionary<string, string> _parentOf = new();
    private readonly HashSet<string> _tags;

    private ConfigValidator(ClusterConfig config, IReadOnlyDictionary<string, SourceLocation>? sourceMap)
    {
        _config = config;
        _sourceMap = sourceMap ?? new Dictionary<string, SourceLocation>();
        _tags = config.Tags.Select(t => t.Id).ToHashSet();
    }

    public static IReadOnlyList<Diagnostic> Validate(ClusterConfig config, IReadOnlyDictionary<string, SourceLocation>? sourceMap = null)
    {
        var v = new ConfigValidator(config, sourceMap);
        v.Run();
        return v._out;
    }

    private void Error(string id, string message) => _out.Add(Diagnostic.Error(message, _sourceMap.TryGetValue(id, out var l) ? l : null));
    private void Warn(string id, string message) => _out.Add(Diagnostic.Warning(message, _sourceMap.TryGetValue(id, out var l) ? l : null));

    private void Run()
    {
        CheckUniqueIds();
        foreach (var r in _config.AllResources()) _resources.TryAdd(r.Id, r);
        foreach (var r in _config.Resources) IndexParents(r);
        CheckNodes();
        CheckProperties();
        CheckDefaults("rsc_defaults", _config.ResourceDefaults);
        CheckDefaults("op_defaults", _config.OperationDefaults);
        foreach (var t in _config.Templates)
            CheckPrimitiveLike("rsc_template", t.Id, t.Agent, t.MetaAttributes, t.Operations, promotable: true);
        foreach (var r in _config.Resources) CheckResource(r, insideClone: null);
        foreach (var c in _config.Constraints) CheckConstraint(c);
        foreach (var t in _config.Tags)
            foreach (var r in t.References)
                if (!_resources.ContainsKey(r)) Error(t.Id, $"tag {t.Id}: unknown resource '{r}'");
        CheckOrderCycles();
        CheckFencing();
        foreach (var h in _config.HealthChecks) CheckHealthCheck(h);
    }

    private void CheckHealthCheck(HealthCheck h)
    {
        var where = $"health_check {h.Id}";
        var command = h.Command;
        if (command.Count == 0 || !command[0].StartsWith('/'))
            Error(h.Id, $"{where}: script '{h.Script}' must start with the program's absolute path (it runs without a shell)");
        foreach (var (name, value) in new[] { ("interval", h.Interval), ("timeout", h.Timeout) })
            if (value is not null && !(Duration.TryParseMilliseconds(value, out var ms) && ms > 0))
                Error(h.Id, $"{where}: {name} '{value}' is not a duration above zero (e.g. 5s, 500ms)");
        foreach (var (name, value) in new[] { ("fall", h.Fall), ("rise", h.Rise) })
            if (value is < 1 or > 1000) Error(h.Id, $"{where}: {name} must be from 1 to 1000, not {value}");
        if (h.AttributeName.Length == 0 || h.AttributeName.Any(c => char.IsWhiteSpace(c) || c is '#' or '"' or '\''))
            Error(h.Id, $"{where}: '{h.AttributeName}' cannot be a node attribute's name");
        // A check nothing reads changes nothing: likely a rule with a misspelt attribute.
        var read = _config.Constraints.OfType<LocationConstraint>().SelectMany(l => l.Rules).SelectMany(AttributesOf)
            .Concat(_config.AllResources().OfType<Primitive>().SelectMany(p => p.MetaAttributes.Concat(p.InstanceAttributes)).Where(a => a.Rule is not null).SelectMany(a => AttributesOf(a.Rule!)));
        if (!read.Contains(h.AttributeName))
            Warn(h.Id, $"{where}: no rule reads node attribute '{h.AttributeName}' (e.g. location l vip rule -inf: {h.AttributeName} eq 0)");
    }

    private static IEnumerable<string> AttributesOf(Rule rule) => rule.Expressions.SelectMany(e => e switch
    {
        AttributeExpression a => [a.Attribute],
        Rule nested => AttributesOf(nested),
        _ => [],
    });

    private void IndexParents(Resource r)
    {
        switch (r)
        {
            case Group g:
                foreach (var m in g.Members) _parentOf[m.Id] = g.Id;
                break;
            case Clone c:
                _parentOf[c.Child.Id] = c.Id;
                IndexParents(c.Child);
                break;
            case Bundle { Child: { } child } b:
                _parentOf[child.Id] = b.Id;
                break;
        }
    }

    // ------------------------------------------------------------------ ids

    private void CheckUniqueIds()
    {
        var seen = new Dictionary<string, string>();
        void See(string id, string what)
        {
            if (seen.TryGetValue(id, out var first)) Error(id, $"duplicate id '{id}': used by {first} and by {what}");
            else seen[id] = what;
        }
        foreach (var r in _config.AllResources()) See(r.Id, $"{KindOf(r)} {r.Id}");
        foreach (var t in _config.Templates) See(t.Id, $"rsc_template {t.Id}");
        foreach (var c in _config.Constraints) See(c.Id, $"{KindOf(c)} {c.Id}");
        foreach (var t in _config.Tags) See(t.Id, $"tag {t.Id}");
        foreach (var a in _config.Alerts) See(a.Id, $"alert {a.Id}");
        foreach (var h in _config.HealthChecks) See(h.Id, $"health_check {h.Id}");
        foreach (var r in _config.AllResources().OfType<Primitive>())
            foreach (var op in r.Operations)
                if (op.Id is not null) See(op.Id, $"an op of {r.Id}");

        var nodeIds = new HashSet<string>();
        var unames = new HashSet<string>();
        foreach (var n in _config.Nodes)
        {
            if (!nodeIds.Add(n.Id)) Error("node:" + n.Uname, $"node {n.Uname}: duplicate node id '{n.Id}'");
            if (!unames.Add(n.Uname)) Error("node:" + n.Uname, $"node {n.Uname} is defined twice");
        }
    }

    public static string KindOf(Resource r) => r switch
    {
        Primitive => "primitive",
        Group => "group",
        Clone { LegacyMaster: true } => "ms",
        Clone c => c.IsPromotable ? "promotable clone" : "clone",
        Bundle => "bundle",
        _ => "resource",
    };

    public static string KindOf(Constraint c) => c switch
    {
        LocationConstraint => "location",
        ColocationConstraint => "colocation",
        OrderConstraint => "order",
        TicketConstraint => "rsc_ticket",
        _ => "constraint",
    };

    // ------------------------------------------------------------------ nodes and properties

    private void CheckNodes()
    {
        foreach (var n in _config.Nodes)
        {
            if (n.Type is not null and not ("member" or "normal" or "remote" or "ping"))
                Error("node:" + n.Uname, $"node {n.Uname}: unknown type '{n.Type}' (member, remote, ping)");
            foreach (var p in n.Attributes.AllPairs())
                if (p.Name == "standby" && CibBoolean.TryParse(p.Value) is null)
                    Error("node:" + n.Uname, $"node {n.Uname}: standby '{p.Value}' is not a boolean");
        }
    }

    private void CheckProperties()
    {
        foreach (var p in _config.Properties.AllPairs())
        {
            if (!KnownOptions.ClusterProperties.TryGetValue(p.Name, out var def))
            {
                Warn(p.Name, $"property {p.Name}: unknown cluster property" + Suggestions.Hint(p.Name, KnownOptions.ClusterProperties.Keys));
                continue;
            }
            if (KnownOptions.CheckValue(def, p.Value) is { } problem) Error(p.Name, $"property {p.Name}: {problem}");
        }
        var nodes = _config.Nodes.Count;
        if (_config.Property("no-quorum-policy") == "ignore" && nodes > 2)
            Warn("no-quorum-policy", $"property no-quorum-policy=ignore with {nodes} nodes: a partitioned minority will keep running resources; use it only in two-node clusters");
        var stonith = CibBoolean.TryParse(_config.Property("stonith-enabled")) ?? true;
        var hasFencing = _config.AllResources().OfType<Primitive>().Any(p => p.Agent?.Class == "stonith");
        var watchdog = _config.Property("stonith-watchdog-timeout") is { } w && Duration.TryParseMilliseconds(w, out var watchdogMs) && watchdogMs > 0;
        if (stonith && !hasFencing && !watchdog && !_config.Resources.IsEmpty)
            Warn("stonith-enabled", "stonith-enabled is true (the default) but no stonith resource is configured: resources will not start until one is, or set stonith-enabled=false (or fence by watchdog: stonith-watchdog-timeout)");
        if (watchdog && _config.Property("no-quorum-policy") == "ignore")
            Warn("stonith-watchdog-timeout", "watchdog fencing with no-quorum-policy=ignore: a node without quorum resets itself when it still runs resources; both halves of a two_node split keep quorum, and watchdog fencing alone cannot decide between them");
    }

    private void CheckDefaults(string section, EquatableArray<AttributeSet> sets)
    {
        foreach (var p in sets.AllPairs())
        {
            if (!KnownOptions.ResourceMeta.TryGetValue(p.Name, out var def)) { Warn(p.Name, $"{section} {p.Name}: unknown option" + Suggestions.Hint(p.Name, KnownOptions.ResourceMeta.Keys)); continue; }
            if (KnownOptions.CheckValue(def, p.Value) is { } problem) Error(p.Name, $"{section} {p.Name}: {problem}");
        }
    }

    // ------------------------------------------------------------------ resources

    private void CheckResource(Resource r, Clone? insideClone)
    {
        var kind = KindOf(r);
        foreach (var p in r.MetaAttributes.AllPairs())
        {
            if (!KnownOptions.ResourceMeta.TryGetValue(p.Name, out var def))
            {
                Warn(r.Id, $"{kind} {r.Id}: unknown meta attribute '{p.Name}'" + Suggestions.Hint(p.Name, KnownOptions.ResourceMeta.Keys));
                continue;
            }
            if (KnownOptions.CheckValue(def, p.Value) is { } problem) Error(r.Id, $"{kind} {r.Id}: meta {p.Name}: {problem}");
            // (The primitive inside a bundle is cloned by it and reads these itself.)
            if (KnownOptions.CloneOnlyMeta.Contains(p.Name) && r is not Clone && !InsideBundle(r))
                Warn(r.Id, $"{kind} {r.Id}: meta {p.Name} only means something on a clone");
            if (p.Name == "container" && p.Value is { } container && !_resources.ContainsKey(container))
                Error(r.Id, $"{kind} {r.Id}: meta container: unknown resource '{container}'");
            if (p.Name == "target-role" && p.Value is { } role && KnownOptions.IsPromotableRole(role) && !IsPromotableContext(r, insideClone))
                Error(r.Id, $"{kind} {r.Id}: target-role {role} needs a promotable clone");
        }
        switch (r)
        {
            case Primitive p:
                CheckPrimitive(p, insideClone);
                break;
            case Group g:
                if (g.Members.IsEmpty) Error(g.Id, $"group {g.Id} has no members");
                foreach (var m in g.Members) CheckResource(m, insideClone);
                break;
            case Clone c:
                if (c.Child is Clone) Error(c.Id, $"{kind} {c.Id}: a clone cannot hold a clone");
                foreach (var (name, value) in new[] { ("clone-max", c.Meta("clone-max")), ("clone-node-max", c.Meta("clone-node-max")),
                             ("promoted-max", c.Meta("promoted-max") ?? c.Meta("master-max")) })
                    if (value is not null && long.TryParse(value, out var n) && n < 0) Error(c.Id, $"{kind} {c.Id}: {name} must not be negative");
                if (c.IsPromotable && c.Meta("notify") is null && c.Child.Primitives().Any(p => p.Agent?.Type == "drbd"))
                    Warn(c.Id, $"{kind} {c.Id}: ocf:linbit:drbd needs meta notify=true");
                CheckResource(c.Child, c);
                break;
            case Bundle b:
                CheckBundle(b);
                break;
        }
    }

    /// <summary>
    /// A bundle needs an image; its numbers must be numbers; a primitive inside is reachable
    /// only through an IP range or a control port (Pacemaker refuses the bundle otherwise).
    /// </summary>
    private void CheckBundle(Bundle b)
    {
        if (string.IsNullOrWhiteSpace(b.Option("image"))) Error(b.Id, $"bundle {b.Id}: <{b.Runtime}> needs an image");
        foreach (var name in new[] { "replicas", "replicas-per-host", "promoted-max", "masters" })
            if (b.Option(name) is { } value && (!int.TryParse(value, out var n) || n < 0))
                Error(b.Id, $"bundle {b.Id}: {name} must be a whole number of 0 or more (not '{value}')");
        foreach (var pair in b.RuntimeOptions.Where(p => !KnownBundleRuntimeOptions.Contains(p.Name)))
            Warn(b.Id, $"bundle {b.Id}: unknown {b.Runtime} option '{pair.Name}' (typo?)");
        foreach (var pair in b.NetworkOptions.Where(p => !KnownBundleNetworkOptions.Contains(p.Name)))
            Warn(b.Id, $"bundle {b.Id}: unknown network option '{pair.Name}' (typo?)");
        if (b.NetworkOption("ip-range-start") is { } start && !System.Net.IPAddress.TryParse(start, out _))
            Error(b.Id, $"bundle {b.Id}: ip-range-start '{start}' is not an IP address");
        foreach (var m in b.PortMappings.Where(m => m.Get("port") is null && m.Get("range") is null))
            Error(b.Id, $"bundle {b.Id}: port-mapping {m.Id} needs port or range");
        foreach (var m in b.StorageMappings.Where(m => (m.Get("source-dir") ?? m.Get("source-dir-root")) is null || m.Get("target-dir") is null))
            Error(b.Id, $"bundle {b.Id}: storage-mapping {m.Id} needs source-dir (or source-dir-root) and target-dir");
        if (b.Child is null) return;
        Warn(b.Id, $"bundle {b.Id}: {b.Child.Id} inside it is scheduled and simulated only; haclusterd runs the bundle's containers and addresses but not Pacemaker Remote inside them");
        if (b.NetworkOption("ip-range-start") is null && b.NetworkOption("control-port") is null)
            Error(b.Id, $"bundle {b.Id}: the cluster cannot reach {b.Child.Id} inside it without network ip-range-start or control-port");
        // Pacemaker runs it as the clone B-clone (B-master when promoted-max is set).
        var clone = new Clone(b.Id, b.Child, new[] { AttributeSet.Of(("promotable", b.PromotedMax > 0 ? "true" : "false")) }.ToEquatableArray());
        CheckResource(b.Child, clone);
    }

    private static readonly HashSet<string> KnownBundleRuntimeOptions =
        ["image", "replicas", "replicas-per-host", "promoted-max", "masters", "run-command", "options", "network"];
    private static readonly HashSet<string> KnownBundleNetworkOptions =
        ["ip-range-start", "host-interface", "host-netmask", "control-port", "add-host"];

    private bool InsideBundle(Resource r) =>
        _parentOf.TryGetValue(r.Id, out var parent) && _resources.TryGetValue(parent, out var owner) && owner is Bundle;

    private static bool IsPromotableContext(Resource r, Clone? insideClone) =>
        r is Clone { IsPromotable: true } || insideClone is { IsPromotable: true };

    private void CheckPrimitive(Primitive p, Clone? insideClone)
    {
        if (p.Template is not null && _config.Templates.All(t => t.Id != p.Template))
            Error(p.Id, $"primitive {p.Id}: unknown rsc_template '{p.Template}'");
        if (p.Agent is null && p.Template is null) Error(p.Id, $"primitive {p.Id}: needs an agent");
        var agent = _config.AgentOf(p);
        CheckPrimitiveLike("primitive", p.Id, agent, p.MetaAttributes, p.Operations, insideClone?.IsPromotable == true);
        if (agent?.Class == "stonith" && insideClone is not null)
            Warn(p.Id, $"primitive {p.Id}: a cloned stonith resource is unnecessary; fencing devices need not run everywhere");
    }

    private void CheckPrimitiveLike(string kind, string id, AgentSpec? agent, EquatableArray<AttributeSet> meta, EquatableArray<Operation> ops, bool promotable)
    {
        if (agent is not null)
        {
            if (!AgentSpec.KnownClasses.Contains(agent.Class))
                Error(id, $"{kind} {id}: unknown agent class '{agent.Class}' (ocf, lsb, systemd, upstart, service, stonith)");
            else if (agent.Class == "ocf" && agent.Provider is null)
                Error(id, $"{kind} {id}: ocf agents need a provider (ocf:PROVIDER:{agent.Type})");
            else if (agent.Class != "ocf" && agent.Provider is not null)
                Error(id, $"{kind} {id}: only ocf agents have a provider ({agent.Class}:{agent.Type})");
        }
        var seen = new Dictionary<(string, long), Operation>();
        foreach (var op in ops)
        {
            var where = $"{kind} {id}: op {op.Name}";
            if (!Duration.TryParseMilliseconds(op.Interval, out var intervalMs))
            {
                Error(id, $"{where}: interval '{op.Interval}' is not a duration (like 30s, 2min)");
                continue;
            }
            if (seen.ContainsKey((op.Name, intervalMs)))
                Error(id, $"{where}: two '{op.Name}' operations with interval {op.Interval}; recurring operations need distinct intervals (even for different roles)");
            seen[(op.Name, intervalMs)] = op;
            foreach (var a in op.Attributes)
            {
                if (!Operation.KnownAttributes.Contains(a.Name))
                {
                    if (a.Name.Length == 0 || !System.Xml.XmlConvert.IsStartNCNameChar(a.Name[0]) || !a.Name.All(System.Xml.XmlConvert.IsNCNameChar))
                        Error(id, $"{where}: '{a.Name}' is not a valid attribute name");
                    // Pacemaker's schema refuses an op attribute it does not know: the operation would not be what was meant.
                    else Error(id, $"{where}: unknown attribute '{a.Name}'" + Suggestions.Hint(a.Name, Operation.KnownAttributes.Append("interval"),
                        " (op attributes: interval, timeout, role, on-fail, start-delay, enabled, interval-origin, record-pending, requires, description; anything else goes in op_params)"));
                    continue;
                }
                if (KnownOptions.ResourceMeta.TryGetValue(a.Name, out var def) && KnownOptions.CheckValue(def, a.Value) is { } problem)
                    Error(id, $"{where}: {a.Name} {problem}");
            }
            if (op.Role is { } role && KnownOptions.IsPromotableRole(role) && !promotable)
                Error(id, $"{where}: role {role} only exists for promotable clones, and {id} is not in one");
        }
        foreach (var p in meta.AllPairs())
        {
            if (p.Name == "allow-migrate" && CibBoolean.IsTrue(p.Value) && agent is { Class: not "ocf" })
                Warn(id, $"{kind} {id}: allow-migrate needs an OCF agent with migrate_to/migrate_from");
            if (p.Name == "remote-node" && p.Value is { Length: > 0 })
                Warn(id, $"{kind} {id}: remote-node (a guest node) is modelled by the scheduler and hacrm simulate only; haclusterd does not run Pacemaker Remote connections");
        }
        if (agent is { Class: "ocf", Provider: "pacemaker", Type: "remote" })
            Warn(id, $"{kind} {id}: ocf:pacemaker:remote (a Pacemaker Remote node) is modelled by the scheduler and hacrm simulate only; haclusterd does not run Pacemaker Remote connections");
    }

    // ------------------------------------------------------------------ constraints

    private bool Exists(string id) => _resources.ContainsKey(id) || _tags.Contains(id);

    private void CheckRef(Constraint c, string? rsc, string what)
    {
        if (rsc is null) return;
        if (!Exists(rsc)) { Error(c.Id, $"{KindOf(c)} {c.Id}: unknown resource '{rsc}'"); return; }
        if (_parentOf.TryGetValue(rsc, out var parent) && _resources.TryGetValue(parent, out var pr) && pr is Clone)
            Warn(c.Id, $"{KindOf(c)} {c.Id}: {what} '{rsc}' is inside {KindOf(pr)} {parent}; constraints should name {parent}");
    }

    private void CheckRole(Constraint c, string? rsc, string? role)
    {
        if (role is null) return;
        if (!KnownOptions.Roles.Contains(role)) { Error(c.Id, $"{KindOf(c)} {c.Id}: '{role}' is not a role ({string.Join(", ", KnownOptions.Roles)})"); return; }
        if (rsc is not null && KnownOptions.IsPromotableRole(role) && _resources.TryGetValue(rsc, out var r) && r is not Clone { IsPromotable: true })
            Error(c.Id, $"{KindOf(c)} {c.Id}: role {role} of '{rsc}', which is not a promotable clone");
    }

    private static readonly HashSet<string> OrderActions = new() { "start", "stop", "promote", "demote" };

    private void CheckSets(Constraint c, EquatableArray<ResourceSet> sets, bool roles)
    {
        foreach (var s in sets)
        {
            if (s.Resources.IsEmpty) Error(c.Id, $"{KindOf(c)} {c.Id}: empty resource set");
            foreach (var r in s.Resources)
            {
                CheckRef(c, r, "resource");
                if (roles) CheckRole(c, r, s.Role);
            }
            if (s.Action is not null && !OrderActions.Contains(s.Action))
                Error(c.Id, $"{KindOf(c)} {c.Id}: '{s.Action}' is not an action (start, stop, promote, demote)");
            foreach (var (name, value) in new[] { ("sequential", s.Sequential), ("require-all", s.RequireAll) })
                if (value is not null && CibBoolean.TryParse(value) is null)
                    Error(c.Id, $"{KindOf(c)} {c.Id}: resource set {name} '{value}' is not a boolean");
        }
    }

    private void CheckConstraint(Constraint c)
    {
        switch (c)
        {
            case LocationConstraint l:
                CheckRef(c, l.Resource, "resource");
                CheckRole(c, l.Resource, l.Role);
                CheckSets(c, l.Sets, roles: true);
                if (l.Resource is null && l.ResourcePattern is null && l.Sets.IsEmpty)
                    Error(c.Id, $"location {c.Id}: names no resource");
                if (l.ResourcePattern is not null)
                {
                    try { _ = new Regex(l.ResourcePattern); }
                    catch (ArgumentException e) { Error(c.Id, $"location {c.Id}: rsc-pattern is not a valid regular expression: {e.Message}"); }
                }
                if (l.Node is null && l.Rules.IsEmpty) Error(c.Id, $"location {c.Id}: needs a node and score, or a rule");
                if (l.Node is not null && !_config.Nodes.IsEmpty && _config.Nodes.All(n => n.Uname != l.Node))
                    Warn(c.Id, $"location {c.Id}: node '{l.Node}' is not a configured node");
                if (l.ResourceDiscovery is not null and not ("always" or "never" or "exclusive"))
                    Error(c.Id, $"location {c.Id}: resource-discovery '{l.ResourceDiscovery}' is not always, never or exclusive");
                foreach (var rule in l.Rules) CheckRule(c.Id, $"location {c.Id}", rule);
                break;
            case ColocationConstraint co:
                CheckRef(c, co.Resource, "resource");
                CheckRef(c, co.WithResource, "resource");
                CheckRole(c, co.Resource, co.ResourceRole);
                CheckRole(c, co.WithResource, co.WithResourceRole);
                CheckSets(c, co.Sets, roles: true);
                if (co.Sets.IsEmpty && (co.Resource is null || co.WithResource is null))
                    Error(c.Id, $"colocation {c.Id}: needs two resources or resource sets");
                if (co.Resource is not null && co.Resource == co.WithResource)
                    Error(c.Id, $"colocation {c.Id}: colocates {co.Resource} with itself");
                break;
            case OrderConstraint o:
                CheckRef(c, o.First, "first");
                CheckRef(c, o.Then, "then");
                CheckSets(c, o.Sets, roles: false);
                foreach (var a in new[] { o.FirstAction, o.ThenAction })
                    if (a is not null && !OrderActions.Contains(a))
                        Error(c.Id, $"order {c.Id}: '{a}' is not an action (start, stop, promote, demote)");
                foreach (var (rsc, action) in new[] { (o.First, o.FirstAction), (o.Then, o.ThenAction) })
                    if (rsc is not null && action is "promote" or "demote" && _resources.TryGetValue(rsc, out var rr) && rr is not Clone { IsPromotable: true })
                        Error(c.Id, $"order {c.Id}: {action} of '{rsc}', which is not a promotable clone");
                if (o.Kind is not null and not ("Mandatory" or "Optional" or "Serialize"))
                    Error(c.Id, $"order {c.Id}: kind '{o.Kind}' is not Mandatory, Optional or Serialize");
                if (o.Symmetrical is not null && CibBoolean.TryParse(o.Symmetrical) is null)
                    Error(c.Id, $"order {c.Id}: symmetrical '{o.Symmetrical}' is not a boolean");
                if (o.Sets.IsEmpty && (o.First is null || o.Then is null))
                    Error(c.Id, $"order {c.Id}: needs first and then, or resource sets");
                if (o.First is not null && o.First == o.Then && o.FirstAction == o.ThenAction)
                    Error(c.Id, $"order {c.Id}: orders {o.First} after itself");
                break;
            case TicketConstraint t:
                CheckRef(c, t.Resource, "resource");
                CheckRole(c, t.Resource, t.ResourceRole);
                CheckSets(c, t.Sets, roles: true);
                if (t.LossPolicy is not null and not ("stop" or "demote" or "fence" or "freeze"))
                    Error(c.Id, $"rsc_ticket {c.Id}: loss-policy '{t.LossPolicy}' is not stop, demote, fence or freeze");
                break;
        }
    }

    private void CheckRule(string id, string where, Rule rule)
    {
        if (rule.BooleanOp is not null and not ("and" or "or")) Error(id, $"{where}: boolean-op '{rule.BooleanOp}' is not and/or");
        if (rule.Role is not null && !KnownOptions.Roles.Contains(rule.Role)) Error(id, $"{where}: rule role '{rule.Role}' is not a role");
        if (rule.Expressions.IsEmpty) Error(id, $"{where}: empty rule");
        foreach (var e in rule.Expressions)
        {
            switch (e)
            {
                case Rule nested: CheckRule(id, where, nested); break;
                case AttributeExpression a:
                    if (!AttributeExpression.BinaryOperations.Contains(a.Operation) && !AttributeExpression.UnaryOperations.Contains(a.Operation))
                        Error(id, $"{where}: unknown operation '{a.Operation}' on {a.Attribute}");
                    else if (AttributeExpression.BinaryOperations.Contains(a.Operation) && a.Value is null)
                        Error(id, $"{where}: '{a.Attribute} {a.Operation}' needs a value");
                    if (a.Type is not null && !AttributeExpression.Types.Contains(a.Type))
                        Error(id, $"{where}: unknown type '{a.Type}' (string, integer, number, version)");
                    if (a.Type is "integer" or "number" && a.Value is not null && a.ValueSource is null &&
                        !double.TryParse(a.Value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _))
                        Error(id, $"{where}: '{a.Value}' is not a {a.Type}");
                    break;
                case DateExpression d:
                    if (!DateExpression.Operations.Contains(d.Operation)) Error(id, $"{where}: unknown date operation '{d.Operation}'");
                    foreach (var dt in new[] { d.Start, d.End })
                        if (dt is not null && !DateTimeOffset.TryParse(dt, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out _))
                            Error(id, $"{where}: '{dt}' is not a date (ISO 8601, like 2024-01-31 or 2024-01-31T12:00:00Z)");
                    break;
            }
        }
    }

    // ------------------------------------------------------------------ order cycles

    /// <summary>
    /// Mandatory orders (kind Mandatory, or a positive score, or neither given) must not form a
    /// cycle, counting their symmetrical stop inverses, the start-before-promote and
    /// demote-before-stop of each resource, and group member chains: such a cycle can never run.
    /// </summary>
    private void CheckOrderCycles()
    {
        var edges = new Dictionary<(string, string), List<((string, string) To, string Why)>>();
        void Edge((string, string) from, (string, string) to, string why)
        {
            if (!edges.TryGetValue(from, out var list)) edges[from] = list = new();
            list.Add((to, why));
        }
        static string Inverse(string action) => action switch { "start" => "stop", "stop" => "start", "promote" => "demote", "demote" => "promote", _ => action };

        foreach (var o in _config.Constraints.OfType<OrderConstraint>())
        {
            var mandatory = o.IsMandatory;
            if (!mandatory) continue;
            var symmetrical = CibBoolean.TryParse(o.Symmetrical) ?? true;
            var pairs = new List<((string, string), (string, string))>();
            if (o.Sets.IsEmpty && o.First is not null && o.Then is not null)
                pairs.Add(((o.First, o.FirstAction ?? "start"), (o.Then, o.ThenAction ?? o.FirstAction ?? "start")));
            for (int i = 0; i < o.Sets.Count; i++)
            {
                var s = o.Sets[i];
                var action = s.Action ?? "start";
                if (CibBoolean.TryParse(s.Sequential) != false)
                    for (int k = 0; k + 1 < s.Resources.Count; k++) pairs.Add(((s.Resources[k], action), (s.Resources[k + 1], action)));
                if (i + 1 < o.Sets.Count)
                {
                    var next = o.Sets[i + 1];
                    foreach (var a in s.Resources)
                        foreach (var b in next.Resources) pairs.Add(((a, action), (b, next.Action ?? "start")));
                }
            }
            foreach (var (from, to) in pairs)
            {
                Edge(from, to, $"order {o.Id} ({from.Item1}:{from.Item2} -> {to.Item1}:{to.Item2})");
                if (symmetrical)
                    Edge((to.Item1, Inverse(to.Item2)), (from.Item1, Inverse(from.Item2)),
                        $"order {o.Id} ({to.Item1}:{Inverse(to.Item2)} -> {from.Item1}:{Inverse(from.Item2)}, its symmetrical inverse)");
            }
        }
        // Implicit orders matter only where constraints touch: on their own they are acyclic
        // (start before promote, demote before stop, group members forward), so a cycle must use
        // a constraint edge. Adding them only for touched resources keeps 10,000-resource
        // configurations cheap.
        var touched = edges.Keys.Select(k => k.Item1).Concat(edges.Values.SelectMany(l => l.Select(e => e.To.Item1))).ToHashSet();
        foreach (var id in touched)
        {
            Edge((id, "start"), (id, "promote"), $"{id} starts before it is promoted");
            Edge((id, "demote"), (id, "stop"), $"{id} is demoted before it stops");
        }
        foreach (var g in _resources.Values.OfType<Group>())
        {
            if (!g.Members.Any(m => touched.Contains(m.Id))) continue;
            for (int i = 0; i + 1 < g.Members.Count; i++)
            {
                Edge((g.Members[i].Id, "start"), (g.Members[i + 1].Id, "start"), $"group {g.Id} order");
                Edge((g.Members[i + 1].Id, "stop"), (g.Members[i].Id, "stop"), $"group {g.Id} order");
            }
        }

        // Depth-first search for a back edge; report each cycle once, by the constraints in it.
        var state = new Dictionary<(string, string), int>();
        var stack = new List<((string, string) Node, string Why)>();
        var reported = new HashSet<string>();
        void Visit((string, string) node)
        {
            state[node] = 1;
            if (edges.TryGetValue(node, out var outs))
                foreach (var (to, why) in outs)
                {
                    stack.Add((to, why));
                    if (state.GetValueOrDefault(to) == 1)
                    {
                        var start = stack.FindIndex(s => s.Node == to);
                        var cycle = stack.Skip(start + 1).Select(s => s.Why).ToList();
                        var constraints = cycle.Where(w => w.StartsWith("order ")).Select(w => w.Split(' ')[1]).Distinct().OrderBy(x => x).ToList();
                        var key = string.Join(",", constraints);
                        if (constraints.Count > 0 && reported.Add(key))
                            Error(constraints[0], $"order cycle: {string.Join(", then ", cycle.Distinct())} -- these can never all be satisfied");
                    }
                    else if (state.GetValueOrDefault(to) == 0) Visit(to);
                    stack.RemoveAt(stack.Count - 1);
                }
            state[node] = 2;
        }
        // Start actions first, so a cycle is told the way it was written rather than as its stop mirror.
        foreach (var node in edges.Keys.OrderBy(k => k.Item2 == "start" ? 0 : 1).ThenBy(k => k.Item1, StringComparer.Ordinal).ThenBy(k => k.Item2, StringComparer.Ordinal))
            if (state.GetValueOrDefault(node) == 0)
            {
                stack.Add((node, ""));
                Visit(node);
                stack.Clear();
            }
    }

    private static string Target(FencingLevel l) => l.Target ?? l.TargetPattern ?? $"{l.TargetAttribute}={l.TargetValue}";

    private void CheckFencing()
    {
        var devices = _config.AllResources().OfType<Primitive>().Where(p => p.Agent?.Class == "stonith").Select(p => p.Id).ToHashSet();
        foreach (var l in _config.FencingLevels)
        {
            foreach (var d in l.Devices.Split(',', StringSplitOptions.RemoveEmptyEntries))
                if (!devices.Contains(d)) Error(d, $"fencing level {l.Index} of {Target(l)}: unknown stonith device '{d}'");
            if (l.Index < 1 || l.Index > 9) Error(l.Devices, $"fencing level {l.Index} of {Target(l)}: index must be 1 to 9");
        }
    }
}
