using System.Text;

namespace HaCluster.Core.Cib.Syntax;

/// <summary>
/// Prints a configuration in canonical crm shell syntax (what <c>hacrm configure show</c> shows).
/// Each top-level resource is preceded by the primitives it contains, so reading the output back
/// gives the same model: <c>CrmParser.Parse(Print(m)).Config == m</c>.
/// </summary>
public static class CrmPrinter
{
    private const string Indent = "    ";

    public static string Print(ClusterConfig config)
    {
        var w = new StringBuilder();
        foreach (var n in config.Nodes) Statement(w, NodeLines(n));
        foreach (var t in config.Templates)
            Statement(w, PrimitiveLines("rsc_template", t.Id, t.Agent.ToString(), t.InstanceAttributes, t.MetaAttributes, t.Utilization, t.Operations, t.Description, null));
        foreach (var r in config.Resources) PrintResource(w, r);
        foreach (var c in config.Constraints) Statement(w, new List<string> { ConstraintLine(c) });
        foreach (var t in config.Tags) Statement(w, new List<string> { $"tag {t.Id}: {string.Join(' ', t.References)}" });
        if (!config.FencingLevels.IsEmpty) Statement(w, new List<string> { FencingLine(config.FencingLevels) });
        foreach (var a in config.Alerts) Statement(w, AlertLines(a));
        foreach (var h in config.HealthChecks) Statement(w, new List<string> { HealthCheckLine(h) });
        foreach (var s in config.Properties) Statement(w, SetStatement("property", s));
        foreach (var s in config.ResourceDefaults) Statement(w, SetStatement("rsc_defaults", s));
        foreach (var s in config.OperationDefaults) Statement(w, SetStatement("op_defaults", s));
        return w.ToString();
    }

    private static void Statement(StringBuilder w, List<string> lines)
    {
        for (int i = 0; i < lines.Count; i++)
        {
            if (i > 0) w.Append(Indent);
            w.Append(lines[i]);
            w.Append(i < lines.Count - 1 ? " \\\n" : "\n");
        }
    }

    private static void PrintResource(StringBuilder w, Resource r)
    {
        switch (r)
        {
            case Primitive p:
                Statement(w, PrimitiveLines("primitive", p.Id, p.Template is null ? p.Agent!.ToString() : "@" + p.Template,
                    p.InstanceAttributes, p.MetaAttributes, p.Utilization, p.Operations, p.Description, p.OperationsId));
                break;
            case Group g:
                foreach (var m in g.Members) PrintResource(w, m);
                var gl = new List<string> { $"group {g.Id} {string.Join(' ', g.Members.Select(m => m.Id))}" };
                AddContainerTail(gl, g.Description, g.MetaAttributes, g.InstanceAttributes);
                Statement(w, gl);
                break;
            case Clone c:
                PrintResource(w, c.Child);
                var cl = new List<string> { $"{(c.LegacyMaster ? "ms" : "clone")} {c.Id} {c.Child.Id}" };
                AddContainerTail(cl, c.Description, c.MetaAttributes, c.InstanceAttributes);
                Statement(w, cl);
                break;
            case Bundle b:
                if (b.Child is not null) PrintResource(w, b.Child);
                Statement(w, BundleLines(b));
                break;
        }
    }

    private static List<string> BundleLines(Bundle b)
    {
        static string Pairs(IEnumerable<NvPair> pairs) => string.Concat(pairs.Select(p => " " + CrmText.Pair(p)));
        var lines = new List<string> { $"bundle {b.Id}" + (b.Description is null ? "" : " " + CrmText.Pair("description", b.Description)) };
        lines.Add(b.Runtime + Pairs(b.RuntimeOptions));
        if (!b.NetworkOptions.IsEmpty || !b.PortMappings.IsEmpty) lines.Add("network" + Pairs(b.NetworkOptions));
        foreach (var m in b.PortMappings) lines.Add("port-mapping" + Pairs(m.Attributes.Prepend(new NvPair("id", m.Id))));
        if (!b.StorageMappings.IsEmpty) lines.Add("storage");
        foreach (var m in b.StorageMappings) lines.Add("storage-mapping" + Pairs(m.Attributes.Prepend(new NvPair("id", m.Id))));
        if (b.Child is not null) lines.Add($"primitive {b.Child.Id}");
        foreach (var s in b.MetaAttributes) lines.Add(SetText("meta", s));
        return lines;
    }

    private static void AddContainerTail(List<string> lines, string? description, EquatableArray<AttributeSet> meta, EquatableArray<AttributeSet> prms)
    {
        if (description is not null) lines[0] += " " + CrmText.Pair("description", description);
        foreach (var s in prms) lines.Add(SetText("params", s));
        foreach (var s in meta) lines.Add(SetText("meta", s));
    }

    private static List<string> PrimitiveLines(string keyword, string id, string agent, EquatableArray<AttributeSet> prms,
        EquatableArray<AttributeSet> meta, EquatableArray<AttributeSet> util, EquatableArray<Operation> ops, string? description, string? operationsId)
    {
        var lines = new List<string> { $"{keyword} {id} {agent}" };
        if (description is not null) lines[0] += " " + CrmText.Pair("description", description);
        foreach (var s in prms) lines.Add(SetText("params", s));
        foreach (var s in meta) lines.Add(SetText("meta", s));
        foreach (var s in util) lines.Add(SetText("utilization", s));
        if (operationsId is not null) lines.Add($"operations $id={CrmText.Quote(operationsId)}");
        foreach (var op in ops) lines.Add(OpText(op));
        return lines;
    }

    private static string OpText(Operation op)
    {
        var sb = new StringBuilder("op ").Append(op.Name);
        if (op.Interval != "0") sb.Append(' ').Append(CrmText.Pair("interval", op.Interval));
        foreach (var a in op.Attributes) sb.Append(' ').Append(CrmText.Pair(a));
        if (op.Id is not null) sb.Append(" $id=").Append(CrmText.Quote(op.Id));
        // OCF_CHECK_LEVEL alone reads best inline, as crm shell writes it; other sets need op_params.
        if (op.InstanceAttributes is [{ Id: null, Rule: null, Score: null, IdRef: null, Pairs: [{ Name: "OCF_CHECK_LEVEL" } level] }])
            sb.Append(' ').Append(CrmText.Pair(level));
        else
            foreach (var set in op.InstanceAttributes) sb.Append(' ').Append(SetText("op_params", set));
        foreach (var set in op.MetaAttributes) sb.Append(' ').Append(SetText("op_meta", set));
        return sb.ToString();
    }

    /// <summary>KEYWORD [$id=ID] [$id-ref=ID] [SCORE:] [rule ...] name=value...</summary>
    internal static string SetText(string keyword, AttributeSet s)
    {
        var sb = new StringBuilder(keyword);
        if (s.Id is not null) sb.Append(" $id=").Append(CrmText.Quote(s.Id));
        if (s.IdRef is not null) sb.Append(" $id-ref=").Append(CrmText.Quote(s.IdRef));
        if (s.Score is { } score) sb.Append(' ').Append(score.ToCrmString()).Append(':');
        if (s.Rule is not null) sb.Append(' ').Append(CrmRuleSyntax.Print(s.Rule));
        foreach (var p in s.Pairs) sb.Append(' ').Append(CrmText.Pair(p));
        return sb.ToString();
    }

    /// <summary>property/rsc_defaults/op_defaults: one pair a line, as crm shell shows them.</summary>
    private static List<string> SetStatement(string keyword, AttributeSet s)
    {
        var head = new StringBuilder(keyword);
        if (s.Id is not null) head.Append(" $id=").Append(CrmText.Quote(s.Id));
        if (s.IdRef is not null) head.Append(" $id-ref=").Append(CrmText.Quote(s.IdRef));
        if (s.Score is { } score) head.Append(' ').Append(score.ToCrmString()).Append(':');
        if (s.Rule is not null) head.Append(' ').Append(CrmRuleSyntax.Print(s.Rule));
        var lines = new List<string>();
        if (s.Pairs.IsEmpty) return new List<string> { head.ToString() };
        lines.Add(head + " " + CrmText.Pair(s.Pairs[0]));
        for (int i = 1; i < s.Pairs.Count; i++) lines.Add(CrmText.Pair(s.Pairs[i]));
        return lines;
    }

    private static List<string> NodeLines(NodeDefinition n)
    {
        var head = n.Id == n.Uname ? $"node {n.Uname}" : $"node {CrmText.Quote(n.Id)}: {n.Uname}";
        if (n.Type is not null) head += ":" + n.Type;
        if (n.Description is not null) head += " " + CrmText.Pair("description", n.Description);
        var lines = new List<string> { head };
        foreach (var s in n.Attributes) lines.Add(SetText("attributes", s));
        foreach (var s in n.Utilization) lines.Add(SetText("utilization", s));
        return lines;
    }

    private static string HealthCheckLine(HealthCheck h)
    {
        var parts = new List<string> { $"health_check {h.Id}", CrmText.Pair("script", h.Script) };
        if (h.Attribute is not null) parts.Add(CrmText.Pair("attribute", h.Attribute));
        if (h.Interval is not null) parts.Add(CrmText.Pair("interval", h.Interval));
        if (h.Timeout is not null) parts.Add(CrmText.Pair("timeout", h.Timeout));
        if (h.Fall is { } fall) parts.Add($"fall={fall}");
        if (h.Rise is { } rise) parts.Add($"rise={rise}");
        if (h.Description is not null) parts.Add(CrmText.Pair("description", h.Description));
        return string.Join(' ', parts);
    }

    private static List<string> AlertLines(Alert a)
    {
        var lines = new List<string> { $"alert {a.Id} {CrmText.Quote(a.Path)}" };
        foreach (var s in a.InstanceAttributes) lines.Add(SetText("attributes", s));
        foreach (var s in a.MetaAttributes) lines.Add(SetText("meta", s));
        if (a.Select is { } select)
        {
            var words = string.Join(' ', select.KindNames());
            if (!select.AttributeNames.IsEmpty) words += " { " + string.Join(' ', select.AttributeNames.Select(CrmText.Quote)) + " }";
            lines.Add("select " + words);
        }
        foreach (var r in a.Recipients)
        {
            var parts = new List<string> { $"to {{ {CrmText.Quote(r.Value)}" };
            parts.AddRange(r.InstanceAttributes.Select(s => SetText("attributes", s)));
            parts.AddRange(r.MetaAttributes.Select(s => SetText("meta", s)));
            lines.Add(string.Join(' ', parts) + " }");
        }
        return lines;
    }

    private static string FencingLine(EquatableArray<FencingLevel> levels)
    {
        var sb = new StringBuilder("fencing_topology");
        string? lastKey = null;
        foreach (var l in levels)
        {
            var key = l.Target is not null ? l.Target + ":" : $"attr:{l.TargetAttribute}={l.TargetValue}:";
            if (key != lastKey) sb.Append(' ').Append(key);
            lastKey = key;
            sb.Append(' ').Append(l.Devices);
        }
        return sb.ToString();
    }

    // ------------------------------------------------------------------ constraints

    private static string ConstraintLine(Constraint c) => c switch
    {
        LocationConstraint l => LocationLine(l),
        ColocationConstraint co => $"colocation {co.Id} {co.Score.ToCrmString()}: " +
            (co.Sets.IsEmpty ? $"{Ref(co.Resource!, co.ResourceRole)} {Ref(co.WithResource!, co.WithResourceRole)}" : SetsText(co.Sets, false)) +
            (co.NodeAttribute is null ? "" : " " + CrmText.Pair("node-attribute", co.NodeAttribute)),
        OrderConstraint o => OrderLine(o),
        TicketConstraint t => $"rsc_ticket {t.Id} {t.Ticket}: " +
            (t.Sets.IsEmpty ? Ref(t.Resource!, t.ResourceRole) : SetsText(t.Sets, false, forceBrackets: true)) +
            (t.LossPolicy is null ? "" : " " + CrmText.Pair("loss-policy", t.LossPolicy)),
        _ => throw new NotSupportedException(c.GetType().Name),
    };

    private static string Ref(string id, string? suffix) => suffix is null ? id : $"{id}:{suffix}";

    private static string LocationSetText(ResourceSet s)
    {
        var inner = new List<string>(s.Resources.Select(r => Ref(r, s.Role)));
        foreach (var (k, v) in new[] { ("id", s.Id), ("sequential", s.Sequential), ("require-all", s.RequireAll), ("ordering", s.Ordering),
                     ("action", s.Action), ("score", s.Score?.ToCrmString()), ("kind", s.Kind) })
            if (v is not null) inner.Add(CrmText.Pair(k, v));
        return "{ " + string.Join(' ', inner) + " }";
    }

    private static string OrderLine(OrderConstraint o)
    {
        var sb = new StringBuilder($"order {o.Id} ");
        if (o.Kind is not null && o.Score is null && o.Kind is "Mandatory" or "Optional" or "Serialize") sb.Append(o.Kind).Append(": ");
        else if (o.Score is { } s) sb.Append(s.ToCrmString()).Append(": ");
        sb.Append(o.Sets.IsEmpty ? $"{Ref(o.First!, o.FirstAction)} {Ref(o.Then!, o.ThenAction)}" : SetsText(o.Sets, true));
        if (o.Kind is not null && (o.Score is not null || o.Kind is not ("Mandatory" or "Optional" or "Serialize")))
            sb.Append(' ').Append(CrmText.Pair("kind", o.Kind));
        if (o.Symmetrical is not null) sb.Append(' ').Append(CrmText.Pair("symmetrical", o.Symmetrical));
        if (o.RequireAll is not null) sb.Append(' ').Append(CrmText.Pair("require-all", o.RequireAll));
        return sb.ToString();
    }

    private static string LocationLine(LocationConstraint l)
    {
        var sb = new StringBuilder($"location {l.Id} ");
        if (l.ResourcePattern is not null) sb.Append('/').Append(l.ResourcePattern).Append('/');
        else if (!l.Sets.IsEmpty) sb.Append(string.Join(' ', l.Sets.Select(LocationSetText)));
        else sb.Append(l.Resource);
        if (l.Role is not null) sb.Append(' ').Append(CrmText.Pair("role", l.Role));
        if (l.Node is not null) sb.Append(' ').Append((l.Score ?? Score.Zero).ToCrmString()).Append(": ").Append(l.Node);
        foreach (var r in l.Rules) sb.Append(" \\\n").Append(Indent).Append(CrmRuleSyntax.Print(r));
        if (l.ResourceDiscovery is not null) sb.Append(' ').Append(CrmText.Pair("resource-discovery", l.ResourceDiscovery));
        return sb.ToString();
    }

    /// <summary>
    /// Resource sets: a plain run for a default sequential set, ( ) for sequential=false,
    /// [ ] for sequential=false require-all=false, explicit key=value inside brackets for the rest.
    /// The parser reads two plain words as the simple form, and merges adjacent plain runs that
    /// share a role, so such sets are bracketed to keep their identity.
    /// </summary>
    private static string SetsText(EquatableArray<ResourceSet> sets, bool suffixIsAction, bool forceBrackets = false)
    {
        var parts = new List<string>();
        string? previousPlainSuffix = null;
        var previousPlain = false;
        var plainWords = 0;
        var anyBracket = false;
        var rendered = new List<(ResourceSet Set, bool Plain)>();
        foreach (var s in sets)
        {
            var suffix = suffixIsAction ? s.Action : s.Role;
            var otherSuffix = suffixIsAction ? s.Role : s.Action;
            var plain = !forceBrackets && s.Id is null && s.Sequential is null && s.RequireAll is null && s.Ordering is null
                        && s.Score is null && s.Kind is null && otherSuffix is null
                        && !(previousPlain && previousPlainSuffix == suffix);
            rendered.Add((s, plain));
            previousPlain = plain;
            previousPlainSuffix = suffix;
            if (plain) plainWords += s.Resources.Count; else anyBracket = true;
        }
        if (!anyBracket && plainWords == 2) rendered[0] = (rendered[0].Set, false);

        foreach (var (s, plain) in rendered)
        {
            var suffix = suffixIsAction ? s.Action : s.Role;
            var words = s.Resources.Select(r => Ref(r, suffix));
            if (plain) { parts.AddRange(words); continue; }
            var seqFalse = CibBoolean.TryParse(s.Sequential) == false;
            var reqFalse = CibBoolean.TryParse(s.RequireAll) == false;
            var square = seqFalse && reqFalse;
            var inner = new List<string>(words);
            if (!seqFalse) inner.Add(CrmText.Pair("sequential", s.Sequential ?? "true"));
            else if (s.Sequential != "false") inner.Add(CrmText.Pair("sequential", s.Sequential!));
            if (!square && s.RequireAll is not null) inner.Add(CrmText.Pair("require-all", s.RequireAll));
            else if (square && s.RequireAll != "false") inner.Add(CrmText.Pair("require-all", s.RequireAll!));
            if (s.Id is not null) inner.Add(CrmText.Pair("id", s.Id));
            if (s.Ordering is not null) inner.Add(CrmText.Pair("ordering", s.Ordering));
            if (s.Kind is not null) inner.Add(CrmText.Pair("kind", s.Kind));
            if (s.Score is { } sc) inner.Add(CrmText.Pair("score", sc.ToCrmString()));
            if (suffixIsAction && s.Role is not null) inner.Add(CrmText.Pair("role", s.Role));
            if (!suffixIsAction && s.Action is not null) inner.Add(CrmText.Pair("action", s.Action));
            parts.Add((square ? "[ " : "( ") + string.Join(' ', inner) + (square ? " ]" : " )"));
        }
        return string.Join(' ', parts);
    }
}
