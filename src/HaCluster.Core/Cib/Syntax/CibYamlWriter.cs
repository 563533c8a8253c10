using YamlDotNet.RepresentationModel;

namespace HaCluster.Core.Cib.Syntax;

/// <summary>
/// Writes a configuration as YAML for configuration-as-code. Shape (see docs/configuration.md):
/// <c>properties</c>, <c>rsc_defaults</c>, <c>op_defaults</c>, <c>nodes</c>, <c>templates</c>,
/// <c>resources</c> (primitives, groups and clones nested as they are in the model),
/// <c>constraints</c>, <c>tags</c>, <c>fencing_topology</c>, <c>alerts</c>.
/// An attribute set is a plain mapping when it is one unconditional set without an id, and a
/// list of <c>{id, score, rule, values}</c> otherwise; rules are crm rule strings.
/// </summary>
public static class CibYamlWriter
{
    public static string Write(ClusterConfig config)
    {
        var root = new YamlMappingNode();
        AddSets(root, "properties", config.Properties);
        AddSets(root, "rsc_defaults", config.ResourceDefaults);
        AddSets(root, "op_defaults", config.OperationDefaults);
        if (!config.Nodes.IsEmpty) root.Add("nodes", new YamlSequenceNode(config.Nodes.Select(NodeNode)));
        if (!config.Templates.IsEmpty)
            root.Add("templates", new YamlSequenceNode(config.Templates.Select(t =>
                PrimitiveNode("template", t.Id, t.Agent, null, t.Description, t.InstanceAttributes, t.MetaAttributes, t.Utilization, t.Operations, null))));
        if (!config.Resources.IsEmpty) root.Add("resources", new YamlSequenceNode(config.Resources.Select(ResourceNode)));
        if (!config.Constraints.IsEmpty) root.Add("constraints", new YamlSequenceNode(config.Constraints.Select(ConstraintNode)));
        if (!config.Tags.IsEmpty)
        {
            var tags = new YamlMappingNode();
            foreach (var t in config.Tags) tags.Add(t.Id, Seq(t.References));
            root.Add("tags", tags);
        }
        if (!config.FencingLevels.IsEmpty)
            root.Add("fencing_topology", new YamlSequenceNode(config.FencingLevels.Select(l => Map(
                ("index", l.Index.ToString()), ("devices", l.Devices), ("target", l.Target),
                ("target-pattern", l.TargetPattern), ("target-attribute", l.TargetAttribute), ("target-value", l.TargetValue)))));
        if (!config.Alerts.IsEmpty) root.Add("alerts", new YamlSequenceNode(config.Alerts.Select(AlertNode)));
        if (!config.HealthChecks.IsEmpty)
            root.Add("health_checks", new YamlSequenceNode(config.HealthChecks.Select(h => Map(("health_check", h.Id), ("script", h.Script), ("attribute", h.Attribute),
                ("interval", h.Interval), ("timeout", h.Timeout), ("fall", h.Fall?.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                ("rise", h.Rise?.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("description", h.Description)))));

        var stream = new YamlStream(new YamlDocument(root));
        using var sw = new StringWriter();
        stream.Save(sw, assignAnchors: false);
        var text = sw.ToString();
        // YamlDotNet ends a document with "...": not needed for a single-document file.
        if (text.EndsWith("...\n")) text = text[..^4];
        return text;
    }

    private static YamlScalarNode Scalar(string value) => new(value);

    private static YamlSequenceNode Seq(IEnumerable<string> items) =>
        new(items.Select(i => (YamlNode)Scalar(i))) { Style = YamlDotNet.Core.Events.SequenceStyle.Flow };

    private static YamlMappingNode Map(params (string Key, string? Value)[] entries)
    {
        var m = new YamlMappingNode();
        foreach (var (k, v) in entries)
            if (v is not null) m.Add(k, v);
        return m;
    }

    private static void AddSets(YamlMappingNode parent, string key, EquatableArray<AttributeSet> sets)
    {
        if (sets.IsEmpty) return;
        parent.Add(key, SetsNode(sets));
    }

    internal static YamlNode SetsNode(EquatableArray<AttributeSet> sets)
    {
        if (sets.Count == 1 && sets[0] is { Id: null, Rule: null, Score: null, IdRef: null } only && !HasRepeatedName(only.Pairs))
            return PairsNode(only.Pairs);
        var seq = new YamlSequenceNode();
        foreach (var s in sets)
        {
            var m = Map(("id", s.Id), ("id-ref", s.IdRef), ("score", s.Score?.ToCrmString()));
            if (s.Rule is not null) m.Add("rule", CrmRuleSyntax.PrintStandalone(s.Rule));
            m.Add("values", HasRepeatedName(s.Pairs)
                ? new YamlSequenceNode(s.Pairs.Select(p => (YamlNode)PairsNode(new[] { p })))
                : PairsNode(s.Pairs));
            seq.Add(m);
        }
        return seq;
    }

    private static bool HasRepeatedName(EquatableArray<NvPair> pairs) => pairs.Select(p => p.Name).Distinct().Count() != pairs.Count;

    private static YamlMappingNode PairsNode(EquatableArray<NvPair> pairs)
    {
        var m = new YamlMappingNode();
        foreach (var p in pairs) m.Add(p.Name, ValueNode(p.Value));
        return m;
    }

    /// <summary>A value without a value (unset) is YAML's ~; strings YAML would read as null are quoted.</summary>
    internal static YamlScalarNode ValueNode(string? value) =>
        value is null
            ? new YamlScalarNode("~") { Style = YamlDotNet.Core.ScalarStyle.Plain }
            : CibYamlReader.LooksLikeNull(value)
                ? new YamlScalarNode(value) { Style = YamlDotNet.Core.ScalarStyle.DoubleQuoted }
                : new YamlScalarNode(value);

    private static YamlMappingNode NodeNode(NodeDefinition n)
    {
        var m = Map(("name", n.Uname), ("id", n.Id == n.Uname ? null : n.Id), ("type", n.Type), ("description", n.Description));
        if (!n.Attributes.IsEmpty) m.Add("attributes", SetsNode(n.Attributes));
        if (!n.Utilization.IsEmpty) m.Add("utilization", SetsNode(n.Utilization));
        return m;
    }

    private static YamlMappingNode ResourceNode(Resource r)
    {
        switch (r)
        {
            case Primitive p:
                return PrimitiveNode("primitive", p.Id, p.Agent, p.Template, p.Description, p.InstanceAttributes, p.MetaAttributes, p.Utilization, p.Operations, p.OperationsId);
            case Group g:
            {
                var m = Map(("group", g.Id), ("description", g.Description));
                m.Add("members", new YamlSequenceNode(g.Members.Select(ResourceNode)));
                if (!g.InstanceAttributes.IsEmpty) m.Add("params", SetsNode(g.InstanceAttributes));
                if (!g.MetaAttributes.IsEmpty) m.Add("meta", SetsNode(g.MetaAttributes));
                return m;
            }
            case Clone c:
            {
                var m = Map((c.LegacyMaster ? "ms" : "clone", c.Id), ("description", c.Description));
                m.Add("resource", ResourceNode(c.Child));
                if (!c.InstanceAttributes.IsEmpty) m.Add("params", SetsNode(c.InstanceAttributes));
                if (!c.MetaAttributes.IsEmpty) m.Add("meta", SetsNode(c.MetaAttributes));
                return m;
            }
            case Bundle b:
            {
                static YamlMappingNode Pairs(IEnumerable<NvPair> pairs)
                {
                    var pm = new YamlMappingNode();
                    foreach (var p in pairs) pm.Add(p.Name, ValueNode(p.Value));
                    return pm;
                }
                static YamlMappingNode Mapping(BundleMapping x) => Pairs(x.Attributes.Prepend(new NvPair("id", x.Id)));
                var m = Map(("bundle", b.Id), ("description", b.Description));
                m.Add(b.Runtime, Pairs(b.RuntimeOptions));
                if (!b.NetworkOptions.IsEmpty || !b.PortMappings.IsEmpty)
                {
                    var network = Pairs(b.NetworkOptions);
                    if (!b.PortMappings.IsEmpty) network.Add("port-mappings", new YamlSequenceNode(b.PortMappings.Select(Mapping)));
                    m.Add("network", network);
                }
                if (!b.StorageMappings.IsEmpty) m.Add("storage", new YamlSequenceNode(b.StorageMappings.Select(Mapping)));
                if (b.Child is not null) m.Add("resource", ResourceNode(b.Child));
                if (!b.MetaAttributes.IsEmpty) m.Add("meta", SetsNode(b.MetaAttributes));
                return m;
            }
            default:
                throw new NotSupportedException(r.GetType().Name);
        }
    }

    private static YamlMappingNode PrimitiveNode(string keyword, string id, AgentSpec? agent, string? template, string? description,
        EquatableArray<AttributeSet> prms, EquatableArray<AttributeSet> meta, EquatableArray<AttributeSet> util,
        EquatableArray<Operation> ops, string? operationsId)
    {
        var m = Map((keyword, id), ("agent", agent?.ToString()), ("template", template), ("description", description), ("operations-id", operationsId));
        if (!prms.IsEmpty) m.Add("params", SetsNode(prms));
        if (!meta.IsEmpty) m.Add("meta", SetsNode(meta));
        if (!util.IsEmpty) m.Add("utilization", SetsNode(util));
        if (!ops.IsEmpty)
        {
            var seq = new YamlSequenceNode();
            foreach (var op in ops)
            {
                var om = Map(("name", op.Name), ("interval", op.Interval == "0" ? null : op.Interval), ("id", op.Id));
                foreach (var a in op.Attributes) om.Add(a.Name, a.Value ?? "");
                if (!op.InstanceAttributes.IsEmpty) om.Add("params", SetsNode(op.InstanceAttributes));
                if (!op.MetaAttributes.IsEmpty) om.Add("meta", SetsNode(op.MetaAttributes));
                om.Style = op.InstanceAttributes.IsEmpty && op.MetaAttributes.IsEmpty ? YamlDotNet.Core.Events.MappingStyle.Flow : om.Style;
                seq.Add(om);
            }
            m.Add("ops", seq);
        }
        return m;
    }

    private static string Ref(string id, string? suffix) => suffix is null ? id : $"{id}:{suffix}";

    private static YamlMappingNode ConstraintNode(Constraint c)
    {
        switch (c)
        {
            case LocationConstraint l:
            {
                var m = Map(("location", l.Id), ("resource", l.Resource), ("resource-pattern", l.ResourcePattern), ("role", l.Role),
                    ("score", l.Score?.ToCrmString()), ("node", l.Node), ("resource-discovery", l.ResourceDiscovery));
                if (!l.Rules.IsEmpty) m.Add("rules", new YamlSequenceNode(l.Rules.Select(r => (YamlNode)Scalar(CrmRuleSyntax.PrintStandalone(r)))));
                if (!l.Sets.IsEmpty) m.Add("sets", SetsSeq(l.Sets));
                return m;
            }
            case ColocationConstraint co:
            {
                var m = Map(("colocation", co.Id), ("score", co.Score.ToCrmString()));
                if (co.Resource is not null) m.Add("resource", Ref(co.Resource, co.ResourceRole));
                if (co.WithResource is not null) m.Add("with", Ref(co.WithResource, co.WithResourceRole));
                if (co.NodeAttribute is not null) m.Add("node-attribute", co.NodeAttribute);
                if (!co.Sets.IsEmpty) m.Add("sets", SetsSeq(co.Sets));
                return m;
            }
            case OrderConstraint o:
            {
                var m = Map(("order", o.Id), ("score", o.Score?.ToCrmString()), ("kind", o.Kind));
                if (o.First is not null) m.Add("first", Ref(o.First, o.FirstAction));
                if (o.Then is not null) m.Add("then", Ref(o.Then, o.ThenAction));
                if (o.Symmetrical is not null) m.Add("symmetrical", o.Symmetrical);
                if (o.RequireAll is not null) m.Add("require-all", o.RequireAll);
                if (!o.Sets.IsEmpty) m.Add("sets", SetsSeq(o.Sets));
                return m;
            }
            case TicketConstraint t:
            {
                var m = Map(("ticket", t.Id), ("name", t.Ticket));
                if (t.Resource is not null) m.Add("resource", Ref(t.Resource, t.ResourceRole));
                if (t.LossPolicy is not null) m.Add("loss-policy", t.LossPolicy);
                if (!t.Sets.IsEmpty) m.Add("sets", SetsSeq(t.Sets));
                return m;
            }
            default:
                throw new NotSupportedException(c.GetType().Name);
        }
    }

    private static YamlSequenceNode SetsSeq(EquatableArray<ResourceSet> sets) =>
        new(sets.Select(s =>
        {
            var m = Map(("id", s.Id));
            m.Add("resources", Seq(s.Resources));
            foreach (var (k, v) in new[] { ("sequential", s.Sequential), ("require-all", s.RequireAll), ("ordering", s.Ordering),
                         ("action", s.Action), ("role", s.Role), ("score", s.Score?.ToCrmString()), ("kind", s.Kind) })
                if (v is not null) m.Add(k, v);
            return (YamlNode)m;
        }));

    private static YamlMappingNode AlertNode(Alert a)
    {
        var m = Map(("alert", a.Id), ("path", a.Path), ("description", a.Description));
        if (!a.InstanceAttributes.IsEmpty) m.Add("attributes", SetsNode(a.InstanceAttributes));
        if (!a.MetaAttributes.IsEmpty) m.Add("meta", SetsNode(a.MetaAttributes));
        if (a.Select is { } select)
        {
            // select: [nodes, fencing] or, naming attributes: [resources, {attributes: [a, b]}]
            var kinds = new YamlSequenceNode(select.KindNames()
                .Select(k => k == "attributes" && !select.AttributeNames.IsEmpty
                    ? (YamlNode)new YamlMappingNode { { "attributes", new YamlSequenceNode(select.AttributeNames.Select(n => new YamlScalarNode(n))) } }
                    : new YamlScalarNode(k)));
            kinds.Style = YamlDotNet.Core.Events.SequenceStyle.Flow;
            m.Add("select", kinds);
        }
        if (!a.Recipients.IsEmpty)
            m.Add("recipients", new YamlSequenceNode(a.Recipients.Select(r =>
            {
                var rm = Map(("value", r.Value));
                if (!r.InstanceAttributes.IsEmpty) rm.Add("attributes", SetsNode(r.InstanceAttributes));
                if (!r.MetaAttributes.IsEmpty) rm.Add("meta", SetsNode(r.MetaAttributes));
                return (YamlNode)rm;
            })));
        return m;
    }
}
