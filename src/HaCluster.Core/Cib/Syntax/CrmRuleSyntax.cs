using System.Text;

namespace HaCluster.Core.Cib.Syntax;

/// <summary>
/// crm shell's rule language, parse and print:
/// <code>
/// rule [$id=ID] [$role=ROLE] SCORE|SCORE-ATTRIBUTE: EXPR
/// EXPR := TERM { and|or TERM }          (one operator per level; parentheses nest)
/// TERM := ( EXPR ) | defined ATTR | not_defined ATTR | ATTR [TYPE:]OP VALUE
///       | date gt|lt DATE | date in start=.. (end=..|DURATION..) | date spec DATE_SPEC..
///       | op NAME [interval=I] | rsc [class=C] [provider=P] [type=T]
/// </code>
/// </summary>
internal static class CrmRuleSyntax
{
    private static readonly HashSet<string> DateKeys = new()
    {
        "start", "end", "years", "months", "weeks", "days", "hours", "minutes", "seconds",
        "yeardays", "monthdays", "weekdays", "weekyears", "moon",
    };

    public static bool StartsRule(CrmCursor c) => c.PeekIs("rule");

    /// <summary>
    /// Parses a rule written on its own, without the leading "rule" keyword
    /// ("100: #uname eq node1"), as YAML spells rules. Throws on a syntax error.
    /// </summary>
    public static Rule ParseStandalone(string text, int line, int column)
    {
        var (tokens, _, unterminated) = CrmLexer.TokenizeLine("rule " + text, line);
        if (unterminated is not null) throw new CrmSyntaxException("unterminated quoted string", line, column);
        // Columns refer to the YAML scalar, less the "rule " we added.
        var shifted = tokens.Select(t => t with { Column = column + t.Column - 6 }).ToList();
        var c = new CrmCursor(new CrmStatement(shifted, line));
        var rule = ParseRule(c);
        if (!c.AtEnd) throw CrmCursor.Error(c.Peek()!, $"unexpected '{c.Peek()!.Text}' in rule");
        return rule;
    }

    /// <summary>The rule without its "rule " keyword, as YAML writes it.</summary>
    public static string PrintStandalone(Rule rule) => Print(rule)["rule ".Length..];

    public static Rule ParseRule(CrmCursor c)
    {
        c.Expect("rule");
        string? id = null, role = null;
        while (c.Peek() is { } t && t.AsPair() is { } pair && pair.Name is "$id" or "$role" or "role")
        {
            c.Next("rule attribute");
            if (pair.Name == "$id") id = pair.Value; else role = pair.Value;
        }
        var scoreToken = c.Next("a score followed by ':'");
        var scoreText = scoreToken.Text;
        if (scoreText.EndsWith(':')) scoreText = scoreText[..^1];
        else c.Expect(":");
        Score? score = null;
        string? scoreAttribute = null;
        if (Score.TryParse(scoreText, out var s)) score = s;
        else if (scoreText.Length > 0 && !scoreText.Contains('=')) scoreAttribute = scoreText;
        else throw CrmCursor.Error(scoreToken, $"'{scoreToken.Text}' is not a score");

        var (expressions, op) = ParseExpression(c, scoreToken, 1);
        return new Rule(id, expressions, score, scoreAttribute, op, role);
    }

    private static (EquatableArray<RuleExpression>, string?) ParseExpression(CrmCursor c, CrmToken context, int depth)
    {
        var terms = new List<RuleExpression> { ParseTerm(c, context, depth) };
        string? op = null;
        while (c.Peek() is { Quoted: false } t && t.Text is "and" or "or")
        {
            c.Next("and/or");
            if (op is not null && op != t.Text)
                throw CrmCursor.Error(t, "mixing 'and' and 'or' in one rule needs parentheses");
            op = t.Text;
            terms.Add(ParseTerm(c, t, depth));
        }
        // "and" is the default boolean-op: the model stores it as null.
        return (terms.ToEquatableArray(), op == "or" ? "or" : null);
    }

    private static RuleExpression ParseTerm(CrmCursor c, CrmToken context, int depth)
    {
        var first = c.Next("an expression");
        if (first.IsBracket && first.Text == "(")
        {
            if (depth >= InputLimits.MaxRuleDepth) throw CrmCursor.Error(first, $"rule nested more than {InputLimits.MaxRuleDepth} deep");
            var (exprs, op) = ParseExpression(c, first, depth + 1);
            var close = c.Next("')'");
            if (close.Text != ")") throw CrmCursor.Error(close, $"expected ')', found '{close.Text}'");
            return new Rule(null, exprs, BooleanOp: op);
        }
        if (!first.Quoted && first.Text is "defined" or "not_defined")
        {
            var attr = c.Next("an attribute name");
            return new AttributeExpression(attr.Text, first.Text);
        }
        if (!first.Quoted && first.Text == "date") return ParseDate(c, first);
        if (!first.Quoted && first.Text == "op" && c.Peek() is { } opName && opName.AsPair() is null)
        {
            // op_expression, for op_defaults rules: "op monitor [interval=10s]"
            c.Next("an operation name");
            string? interval = null;
            if (c.Peek()?.AsPair() is { Name: "interval" } iv) { c.Next("interval"); interval = iv.Value; }
            return new OpExpression(opName.Text, interval);
        }
        if (!first.Quoted && first.Text == "rsc" && c.Peek()?.AsPair() is { Name: "class" or "provider" or "type" })
        {
            // rsc_expression, for rsc_defaults rules: "rsc class=ocf provider=heartbeat type=Dummy"
            string? agentClass = null, agentProvider = null, agentType = null;
            while (c.Peek()?.AsPair() is { Name: "class" or "provider" or "type" } field)
            {
                c.Next("agent field");
                if (field.Name == "class") agentClass = field.Value;
                else if (field.Name == "provider") agentProvider = field.Value;
                else agentType = field.Value;
            }
            return new ResourceExpression(agentClass, agentProvider, agentType);
        }

        var opToken = c.Next("an operator (eq, ne, lt, gt, lte, gte)");
        string? type = null;
        var opText = opToken.Text;
        var colon = opText.IndexOf(':');
        if (colon > 0)
        {
            type = opText[..colon];
            opText = opText[(colon + 1)..];
            if (!AttributeExpression.Types.Contains(type))
                throw CrmCursor.Error(opToken, $"unknown type '{type}' (string, integer, number, version)");
        }
        if (!AttributeExpression.BinaryOperations.Contains(opText))
            throw CrmCursor.Error(opToken, $"unknown operator '{opToken.Text}' (eq, ne, lt, gt, lte, gte, defined, not_defined)");
        var valueToken = c.Next("a value");
        var value = valueToken.Text;
        string? source = null;
        if (!valueToken.Quoted && (value.StartsWith("param:") || value.StartsWith("meta:")))
        {
            source = value[..value.IndexOf(':')];
            value = value[(source.Length + 1)..];
        }
        return new AttributeExpression(first.Text, opText, value, type, source);
    }

    private static DateExpression ParseDate(CrmCursor c, CrmToken dateToken)
    {
        var opToken = c.Next("a date operation (gt, lt, in, spec)");
        switch (opToken.Text)
        {
            case "gt":
                return new DateExpression("gt", Start: c.Next("a date").Text);
            case "lt":
                return new DateExpression("lt", End: c.Next("a date").Text);
            case "in" or "in_range":
            {
                string? start = null, end = null;
                var duration = new List<NvPair>();
                foreach (var (name, value) in TakeDatePairs(c))
                {
                    if (name == "start") start = value;
                    else if (name == "end") end = value;
                    else duration.Add(new NvPair(name, value));
                }
                if (start is null && end is null)
                    throw CrmCursor.Error(opToken, "date in needs start= and end= or a duration");
                return new DateExpression("in_range", start, end, duration.ToEquatableArray());
            }
            case "spec" or "date_spec":
            {
                var spec = TakeDatePairs(c).Select(p => new NvPair(p.Name, p.Value)).ToEquatableArray();
                if (spec.IsEmpty) throw CrmCursor.Error(opToken, "date spec needs at least one field (hours=9-17 ...)");
                return new DateExpression("date_spec", DateSpec: spec);
            }
            default:
                throw CrmCursor.Error(opToken, $"unknown date operation '{opToken.Text}' (gt, lt, in, spec)");
        }
    }

    private static List<(string Name, string Value)> TakeDatePairs(CrmCursor c)
    {
        var pairs = new List<(string, string)>();
        while (c.Peek()?.AsPair() is { } p && DateKeys.Contains(p.Name))
        {
            c.Next("date field");
            pairs.Add(p);
        }
        return pairs;
    }

    // ---------------------------------------------------------------- printing

    public static string Print(Rule rule)
    {
        var sb = new StringBuilder("rule ");
        if (rule.Id is not null) sb.Append("$id=").Append(CrmText.Quote(rule.Id)).Append(' ');
        if (rule.Role is not null) sb.Append("$role=").Append(CrmText.Quote(rule.Role)).Append(' ');
        sb.Append(rule.ScoreAttribute ?? (rule.Score ?? Score.Zero).ToCrmString()).Append(": ");
        sb.Append(PrintExpressions(rule));
        return sb.ToString();
    }

    private static string PrintExpressions(Rule rule)
    {
        var op = rule.BooleanOp is { } b && b.Equals("or", StringComparison.OrdinalIgnoreCase) ? " or " : " and ";
        return string.Join(op, rule.Expressions.Select(PrintTerm));
    }

    private static string PrintTerm(RuleExpression e) => e switch
    {
        Rule nested => "( " + PrintExpressions(nested) + " )",
        AttributeExpression { Operation: "defined" or "not_defined" } a => $"{a.Operation} {CrmText.Quote(a.Attribute)}",
        AttributeExpression a =>
            $"{CrmText.Quote(a.Attribute)} {(a.Type is null ? "" : a.Type + ":")}{a.Operation} " +
            (a.ValueSource is "param" or "meta" ? a.ValueSource + ":" : "") + CrmText.Quote(a.Value ?? ""),
        DateExpression d => PrintDate(d),
        OpExpression o => $"op {CrmText.Quote(o.Name)}" + (o.Interval is null ? "" : " " + CrmText.Pair("interval", o.Interval)),
        ResourceExpression r => "rsc" + (r.Class is null ? "" : " " + CrmText.Pair("class", r.Class))
                                      + (r.Provider is null ? "" : " " + CrmText.Pair("provider", r.Provider))
                                      + (r.Type is null ? "" : " " + CrmText.Pair("type", r.Type)),
        _ => throw new NotSupportedException(e.GetType().Name),
    };

    private static string PrintDate(DateExpression d)
    {
        var sb = new StringBuilder("date ");
        switch (d.Operation)
        {
            case "gt": sb.Append("gt ").Append(CrmText.Quote(d.Start ?? "")); break;
            case "lt": sb.Append("lt ").Append(CrmText.Quote(d.End ?? "")); break;
            case "date_spec":
                sb.Append("spec");
                foreach (var p in d.DateSpec) sb.Append(' ').Append(CrmText.Pair(p));
                break;
            default:
                sb.Append("in");
                if (d.Start is not null) sb.Append(" start=").Append(CrmText.Quote(d.Start));
                if (d.End is not null) sb.Append(" end=").Append(CrmText.Quote(d.End));
                foreach (var p in d.Duration) sb.Append(' ').Append(CrmText.Pair(p));
                break;
        }
        return sb.ToString();
    }
}
