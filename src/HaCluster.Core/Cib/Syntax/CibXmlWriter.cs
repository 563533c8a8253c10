using System.Xml;
using System.Xml.Linq;

namespace HaCluster.Core.Cib.Syntax;

/// <summary>
/// Writes a configuration as Pacemaker CIB XML (pacemaker-3.x schema), generating the ids the
/// operator did not give with the conventions of <see cref="Ids"/>, so that
/// <c>CibXmlReader.Parse(Write(m)).Config == m</c>.
/// </summary>
public static class CibXmlWriter
{
    public const string ValidateWith = "pacemaker-3.9";

    /// <summary>A whole CIB document: configuration plus an empty status section.</summary>
    public static string Write(ClusterConfig config, long epoch = 1, long adminEpoch = 0, long numUpdates = 0, CibChange? change = null)
    {
        var cib = new XElement("cib",
            new XAttribute("crm_feature_set", "3.16.2"),
            new XAttribute("validate-with", ValidateWith),
            new XAttribute("epoch", epoch),
            new XAttribute("num_updates", numUpdates),
            new XAttribute("admin_epoch", adminEpoch),
            WriteConfiguration(config),
            new XElement("status"));
        if (change is not null)
        {
            cib.SetAttributeValue("cib-last-written", CibChange.FormatTime(change.When));
            cib.SetAttributeValue("update-origin", change.Origin);
            cib.SetAttributeValue("update-client", change.Client);
            cib.SetAttributeValue("update-user", change.User);
        }
        var settings = new XmlWriterSettings { Indent = true, IndentChars = "  ", OmitXmlDeclaration = true, NewLineChars = "\n" };
        using var sw = new StringWriter();
        using (var xw = XmlWriter.Create(sw, settings)) cib.Save(xw);
        return sw + "\n";
    }

    public static XElement WriteConfiguration(ClusterConfig config)
    {
        var resources = new XElement("resources");
        foreach (var t in config.Templates)
            resources.Add(PrimitiveLike("template", t.Id, t.Agent, null, t.Description, t.InstanceAttributes, t.MetaAttributes, t.Utilization, t.Operations, null));
        foreach (var r in config.Resources) resources.Add(ResourceElement(r));

        var conf = new XElement("configuration",
            new XElement("crm_config", TopSets("cluster_property_set", ClusterConfig.DefaultPropertySetId, config.Properties)),
            new XElement("nodes", config.Nodes.Select(NodeElement)),
            resources,
            new XElement("constraints", config.Constraints.Select(ConstraintElement)));
        if (!config.ResourceDefaults.IsEmpty)
            conf.Add(new XElement("rsc_defaults", TopSets("meta_attributes", ClusterConfig.DefaultResourceDefaultsId, config.ResourceDefaults)));
        if (!config.OperationDefaults.IsEmpty)
            conf.Add(new XElement("op_defaults", TopSets("meta_attributes", ClusterConfig.DefaultOperationDefaultsId, config.OperationDefaults)));
        if (!config.FencingLevels.IsEmpty)
            conf.Add(new XElement("fencing-topology", config.FencingLevels.Select(l => new XElement("fencing-level",
                new XAttribute("id", Ids.FencingLevel(l.Target ?? l.TargetPattern ?? l.TargetAttribute ?? "all", l.Index)), Opt("target", l.Target), Opt("target-pattern", l.TargetPattern),
                Opt("target-attribute", l.TargetAttribute), Opt("target-value", l.TargetValue),
                new XAttribute("index", l.Index), new XAttribute("devices", l.Devices)))));
        if (!config.Tags.IsEmpty)
            conf.Add(new XElement("tags", config.Tags.Select(t => new XElement("tag", new XAttribute("id", t.Id),
                t.References.Select(r => new XElement("obj_ref", new XAttribute("id", r)))))));
        if (!config.Alerts.IsEmpty)
            conf.Add(new XElement("alerts", config.Alerts.Select(AlertElement)));
        if (!config.HealthChecks.IsEmpty)
            conf.Add(new XElement("health_checks", config.HealthChecks.Select(h => new XElement("health_check", new XAttribute("id", h.Id), new XAttribute("script", h.Script),
                Opt("attribute", h.Attribute), Opt("interval", h.Interval), Opt("timeout", h.Timeout), Opt("fall", h.Fall?.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                Opt("rise", h.Rise?.ToString(System.Globalization.CultureInfo.InvariantCulture)), Opt("description", h.Description)))));
        return conf;
    }

    private static XAttribute? Opt(string name, string? value) => value is null ? null : new XAttribute(name, value);

    private static IEnumerable<XElement> TopSets(string element, string baseId, EquatableArray<AttributeSet> sets)
    {
        for (int i = 0; i < sets.Count; i++)
            yield return SetElement(element, sets[i], sets[i].Id ?? (i == 0 ? baseId : $"{baseId}-{i}"));
    }

    private static IEnumerable<XElement> OwnedSets(string element, string owner, EquatableArray<AttributeSet> sets)
    {
        for (int i = 0; i < sets.Count; i++)
            yield return SetElement(element, sets[i], sets[i].Id ?? Ids.AttributeSet(owner, element, i));
    }

    private static XElement SetElement(string element, AttributeSet set, string id)
    {
        if (set.IdRef is not null) return new XElement(element, new XAttribute("id-ref", set.IdRef));
        var e = new XElement(element, new XAttribute("id", id));
        if (set.Score is { } s) e.Add(new XAttribute("score", s.ToString()));
        if (set.Rule is not null) e.Add(RuleElement(set.Rule, id, 0));
        foreach (var p in set.Pairs)
            e.Add(new XElement("nvpair", new XAttribute("id", Ids.Pair(id, p.Name)), new XAttribute("name", p.Name), Opt("value", p.Value)));
        return e;
    }

    private static XElement RuleElement(Rule rule, string owner, int index)
    {
        var id = rule.Id ?? Ids.Rule(owner, index);
        var e = new XElement("rule", new XAttribute("id", id));
        // Nested rules carry no score of their own; top-level ones always have one from every reader.
        if (rule.ScoreAttribute is not null) e.Add(new XAttribute("score-attribute", rule.ScoreAttribute));
        if (rule.Score is { } score) e.Add(new XAttribute("score", score.ToString()));
        if (rule.BooleanOp is not null) e.Add(new XAttribute("boolean-op", rule.BooleanOp));
        if (rule.Role is not null) e.Add(new XAttribute("role", rule.Role));
        int n = 0, nested = 0;
        foreach (var x in rule.Expressions)
        {
            var exprId = Ids.Expression(id, n++);
            e.Add(x switch
            {
                Rule r => RuleElement(r, id, nested++),
                AttributeExpression a => new XElement("expression", new XAttribute("id", exprId), new XAttribute("attribute", a.Attribute),
                    new XAttribute("operation", a.Operation), Opt("value", a.Value), Opt("type", a.Type), Opt("value-source", a.ValueSource)),
                DateExpression d => DateElement(d, exprId),
                OpExpression o => new XElement("op_expression", new XAttribute("id", exprId), new XAttribute("name", o.Name), Opt("interval", o.Interval)),
                ResourceExpression r => new XElement("rsc_expression", new XAttribute("id", exprId), Opt("class", r.Class), Opt("provider", r.Provider), Opt("type", r.Type)),
                _ => throw new NotSupportedException(x.GetType().Name),
            });
        }
        return e;
    }

    private static XElement DateElement(DateExpression d, string id)
    {
        var e = new XElement("date_expression", new XAttribute("id", id), new XAttribute("operation", d.Operation),
            Opt("start", d.Start), Opt("end", d.End));
        if (!d.Duration.IsEmpty)
            e.Add(new XElement("duration", new XAttribute("id", id + "-duration"), d.Duration.Select(p => new XAttribute(p.Name, p.Value ?? ""))));
        if (!d.DateSpec.IsEmpty)
            e.Add(new XElement("date_spec", new XAttribute("id", id + "-spec"), d.DateSpec.Select(p => new XAttribute(p.Name, p.Value ?? ""))));
        return e;
    }

    private static XElement NodeElement(NodeDefinition n)
    {
        var owner = "nodes-" + n.Id;
        return new XElement("node", new XAttribute("id", n.Id), new XAttribute("uname", n.Uname), Opt("type", n.Type), Opt("description", n.Description),
            OwnedSets("instance_attributes", owner, n.Attributes), OwnedSets("utilization", owner, n.Utilization));
    }

    private static XElement ResourceElement(Resource r) => r switch
    {
        Primitive p => PrimitiveLike("primitive", p.Id, p.Agent, p.Template, p.Description, p.InstanceAttributes, p.MetaAttributes, p.Utilization, p.Operations, p.OperationsId),
        Group g => new XElement("group", new XAttribute("id", g.Id), Opt("description", g.Description),
            OwnedSets("instance_attributes", g.Id, g.InstanceAttributes), OwnedSets("meta_attributes", g.Id, g.MetaAttributes),
            g.Members.Select(ResourceElement)),
        Clone c => new XElement(c.LegacyMaster ? "master" : "clone", new XAttribute("id", c.Id), Opt("description", c.Description),
            OwnedSets("instance_attributes", c.Id, c.InstanceAttributes), OwnedSets("meta_attributes", c.Id, c.MetaAttributes),
            ResourceElement(c.Child)),
        Bundle b => BundleElement(b),
        _ => throw new NotSupportedException(r.GetType().Name),
    };

    private static XElement BundleElement(Bundle b)
    {
        static IEnumerable<XAttribute> Attributes(IEnumerable<NvPair> pairs) => pairs.Select(p => new XAttribute(p.Name, p.Value ?? ""));
        static XElement Mapping(string element, BundleMapping m) => new(element, new XAttribute("id", m.Id), Attributes(m.Attributes));
        var e = new XElement("bundle", new XAttribute("id", b.Id), Opt("description", b.Description),
            new XElement(b.Runtime, Attributes(b.RuntimeOptions)));
        if (!b.NetworkOptions.IsEmpty || !b.PortMappings.IsEmpty)
            e.Add(new XElement("network", Attributes(b.NetworkOptions), b.PortMappings.Select(m => Mapping("port-mapping", m))));
        if (!b.StorageMappings.IsEmpty)
            e.Add(new XElement("storage", b.StorageMappings.Select(m => Mapping("storage-mapping", m))));
        if (b.Child is not null) e.Add(ResourceElement(b.Child));
        e.Add(OwnedSets("meta_attributes", b.Id, b.MetaAttributes));
        return e;
    }

    private static XElement PrimitiveLike(string element, string id, AgentSpec? agent, string? template, string? description,
        EquatableArray<AttributeSet> prms, EquatableArray<AttributeSet> meta, EquatableArray<AttributeSet> util,
        EquatableArray<Operation> ops, string? operationsId)
    {
        var e = new XElement(element, new XAttribute("id", id));
        if (agent is not null)
        {
            e.Add(new XAttribute("class", agent.Class));
            if (agent.Provider is not null) e.Add(new XAttribute("provider", agent.Provider));
            e.Add(new XAttribute("type", agent.Type));
        }
        if (template is not null) e.Add(new XAttribute("template", template));
        if (description is not null) e.Add(new XAttribute("description", description));
        e.Add(OwnedSets("instance_attributes", id, prms));
        e.Add(OwnedSets("meta_attributes", id, meta));
        e.Add(OwnedSets("utilization", id, util));
        if (!ops.IsEmpty || operationsId is not null)
        {
            var opsElement = new XElement("operations", Opt("id", operationsId));
            foreach (var op in ops)
            {
                var opId = op.Id ?? Ids.Operation(id, op.Name, op.Interval);
                var owner = Ids.Operation(id, op.Name, op.Interval);
                var oe = new XElement("op", new XAttribute("id", opId), new XAttribute("name", op.Name), new XAttribute("interval", op.Interval));
                foreach (var a in op.Attributes)
                {
                    if (XmlConvert.VerifyNCName(a.Name) is null) continue;
                    oe.Add(new XAttribute(a.Name, a.Value ?? ""));
                }
                oe.Add(OwnedSets("instance_attributes", owner, op.InstanceAttributes));
                oe.Add(OwnedSets("meta_attributes", owner, op.MetaAttributes));
                opsElement.Add(oe);
            }
            e.Add(opsElement);
        }
        return e;
    }

    private static IEnumerable<XElement> SetsElements(string constraintId, EquatableArray<ResourceSet> sets)
    {
        for (int i = 0; i < sets.Count; i++)
        {
            var s = sets[i];
            yield return new XElement("resource_set", new XAttribute("id", s.Id ?? Ids.ResourceSet(constraintId, i)),
                Opt("sequential", s.Sequential), Opt("require-all", s.RequireAll), Opt("ordering", s.Ordering),
                Opt("action", s.Action), Opt("role", s.Role), Opt("score", s.Score?.ToString()), Opt("kind", s.Kind),
                s.Resources.Select(r => new XElement("resource_ref", new XAttribute("id", r))));
        }
    }

    private static XElement ConstraintElement(Constraint c)
    {
        switch (c)
        {
            case LocationConstraint l:
                var le = new XElement("rsc_location", new XAttribute("id", l.Id), Opt("rsc", l.Resource), Opt("rsc-pattern", l.ResourcePattern),
                    Opt("role", l.Role), Opt("node", l.Node), Opt("score", l.Score?.ToString()), Opt("resource-discovery", l.ResourceDiscovery),
                    SetsElements(l.Id, l.Sets));
                for (int i = 0; i < l.Rules.Count; i++) le.Add(RuleElement(l.Rules[i], l.Id, i));
                return le;
            case ColocationConstraint co:
                return new XElement("rsc_colocation", new XAttribute("id", co.Id), new XAttribute("score", co.Score.ToString()),
                    Opt("rsc", co.Resource), Opt("rsc-role", co.ResourceRole), Opt("with-rsc", co.WithResource), Opt("with-rsc-role", co.WithResourceRole),
                    Opt("node-attribute", co.NodeAttribute), SetsElements(co.Id, co.Sets));
            case OrderConstraint o:
                return new XElement("rsc_order", new XAttribute("id", o.Id), Opt("score", o.Score?.ToString()), Opt("kind", o.Kind),
                    Opt("first", o.First), Opt("first-action", o.FirstAction), Opt("then", o.Then), Opt("then-action", o.ThenAction),
                    Opt("symmetrical", o.Symmetrical), Opt("require-all", o.RequireAll), SetsElements(o.Id, o.Sets));
            case TicketConstraint t:
                return new XElement("rsc_ticket", new XAttribute("id", t.Id), new XAttribute("ticket", t.Ticket), Opt("rsc", t.Resource),
                    Opt("rsc-role", t.ResourceRole), Opt("loss-policy", t.LossPolicy), SetsElements(t.Id, t.Sets));
            default:
                throw new NotSupportedException(c.GetType().Name);
        }
    }

    private static XElement AlertElement(Alert a) =>
        new("alert", new XAttribute("id", a.Id), new XAttribute("path", a.Path), Opt("description", a.Description),
            OwnedSets("instance_attributes", a.Id, a.InstanceAttributes), OwnedSets("meta_attributes", a.Id, a.MetaAttributes),
            a.Select is { } select ? SelectElement(a.Id, select) : null,
            a.Recipients.Select((r, i) => new XElement("recipient", new XAttribute("id", Ids.AlertRecipient(a.Id, i)), new XAttribute("value", r.Value),
                OwnedSets("instance_attributes", Ids.AlertRecipient(a.Id, i), r.InstanceAttributes),
                OwnedSets("meta_attributes", Ids.AlertRecipient(a.Id, i), r.MetaAttributes))));

    /// <summary>Pacemaker's <c>select</c>: one empty element per kind, attribute names under select_attributes.</summary>
    private static XElement SelectElement(string alert, AlertSelect select) =>
        new("select",
            select.Nodes ? new XElement("select_nodes") : null,
            select.Fencing ? new XElement("select_fencing") : null,
            select.Resources ? new XElement("select_resources") : null,
            select.Attributes
                ? new XElement("select_attributes", select.AttributeNames.Select(n =>
                    new XElement("attribute", new XAttribute("id", Ids.AlertSelectedAttribute(alert, n)), new XAttribute("name", n))))
                : null);
}
