using System.Globalization;
using HaCluster.Core.Cib;

namespace HaCluster.Core.Policy;

/// <summary>
/// Evaluates rules against a node (and the time "now"), as Pacemaker does for location
/// constraints and conditional attribute sets.
/// </summary>
public static class RuleEvaluator
{
    public static bool Matches(Rule rule, SchedNode? node, DateTimeOffset now, Func<string, string, string?>? resourceAttribute = null) =>
        Matches(rule, node, now, resourceAttribute, null);

    /// <summary>A rule of rsc_defaults: its rsc_expressions match the resource's agent.</summary>
    public static bool MatchesResource(Rule rule, AgentSpec agent, DateTimeOffset now) => Matches(rule, null, now, null, agent);

    private static bool Matches(Rule rule, SchedNode? node, DateTimeOffset now, Func<string, string, string?>? resourceAttribute, AgentSpec? agent)
    {
        var or = string.Equals(rule.BooleanOp, "or", StringComparison.OrdinalIgnoreCase);
        if (rule.Expressions.IsEmpty) return false;
        foreach (var e in rule.Expressions)
        {
            var ok = Matches(e, node, now, resourceAttribute, agent);
            if (or && ok) return true;
            if (!or && !ok) return false;
        }
        return !or;
    }

    private static bool Matches(RuleExpression e, SchedNode? node, DateTimeOffset now, Func<string, string, string?>? resourceAttribute, AgentSpec? agent) => e switch
    {
        Rule nested => Matches(nested, node, now, resourceAttribute, agent),
        AttributeExpression a => MatchesAttribute(a, node, resourceAttribute),
        DateExpression d => MatchesDate(d, now),
        ResourceExpression r => agent is null || ((r.Class is null || r.Class == agent.Class)
                                                  && (r.Provider is null || r.Provider == agent.Provider)
                                                  && (r.Type is null || r.Type == agent.Type)),
        // op expressions only appear in op_defaults; the caller filters those sets.
        _ => true,
    };

    private static bool MatchesAttribute(AttributeExpression a, SchedNode? node, Func<string, string, string?>? resourceAttribute)
    {
        var actual = node?.Attribute(a.Attribute);
        switch (a.Operation)
        {
            case "defined": return actual is not null;
            case "not_defined": return actual is null;
        }
        var expected = a.Value;
        if (a.ValueSource is "param" or "meta" && expected is not null && resourceAttribute is not null)
            expected = resourceAttribute(expected, a.ValueSource);
        if (actual is null || expected is null) return a.Operation == "ne";
        var cmp = Compare(actual, expected, a.Type);
        if (cmp is null) return a.Operation == "ne";
        return a.Operation switch
        {
            "eq" => cmp == 0,
            "ne" => cmp != 0,
            "lt" => cmp < 0,
            "lte" => cmp <= 0,
            "gt" => cmp > 0,
            "gte" => cmp >= 0,
            _ => false,
        };
    }

    /// <summary>
    /// Compares by type; without a type, numbers compare as numbers when both sides are numbers
    /// (as Pacemaker guesses), else as strings.
    /// </summary>
    private static int? Compare(string left, string right, string? type)
    {
        switch (type)
        {
            // A value that does not parse as the type falls back to a string comparison, as in Pacemaker.
            case "integer":
                return long.TryParse(left, out var li) && long.TryParse(right, out var ri)
                    ? li.CompareTo(ri) : string.Compare(left, right, StringComparison.OrdinalIgnoreCase);
            case "number":
                return double.TryParse(left, NumberStyles.Float, CultureInfo.InvariantCulture, out var ld) &&
                       double.TryParse(right, NumberStyles.Float, CultureInfo.InvariantCulture, out var rd)
                    ? ld.CompareTo(rd) : string.Compare(left, right, StringComparison.OrdinalIgnoreCase);
            case "version":
                return CompareVersions(left, right);
            case "string":
                return string.Compare(left, right, StringComparison.OrdinalIgnoreCase);
            default:
                if (double.TryParse(left, NumberStyles.Float, CultureInfo.InvariantCulture, out var a) &&
                    double.TryParse(right, NumberStyles.Float, CultureInfo.InvariantCulture, out var b))
                    return a.CompareTo(b);
                return string.Compare(left, right, StringComparison.OrdinalIgnoreCase);
        }
    }

    private static int CompareVersions(string a, string b)
    {
        var pa = a.Split('.');
        var pb = b.Split('.');
        for (int i = 0; i < Math.Max(pa.Length, pb.Length); i++)
        {
            long x = i < pa.Length && long.TryParse(pa[i], out var xv) ? xv : 0;
            long y = i < pb.Length && long.TryParse(pb[i], out var yv) ? yv : 0;
            if (x != y) return x.CompareTo(y);
        }
        return 0;
    }

    private static bool MatchesDate(DateExpression d, DateTimeOffset now)
    {
        DateTimeOffset? Parse(string? s) =>
            s is not null && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var v) ? v : null;
        switch (d.Operation)
        {
            case "gt": return Parse(d.Start) is { } s && now > s;
            case "lt": return Parse(d.End) is { } e && now < e;
            case "in_range":
            {
                var start = Parse(d.Start);
                var end = Parse(d.End);
                if (end is null && start is not null && !d.Duration.IsEmpty) end = AddDuration(start.Value, d.Duration);
                return (start is null || now >= start) && (end is null || now <= end);
            }
            case "date_spec":
                return d.DateSpec.All(p => SpecFieldMatches(p.Name, p.Value, now));
            default:
                return false;
        }
    }

    private static DateTimeOffset AddDuration(DateTimeOffset start, EquatableArray<NvPair> duration)
    {
        var t = start;
        foreach (var p in duration)
        {
            if (!int.TryParse(p.Value, out var n)) continue;
            t = p.Name switch
            {
                "years" => t.AddYears(n),
                "months" => t.AddMonths(n),
                "weeks" => t.AddDays(7 * n),
                "days" => t.AddDays(n),
                "hours" => t.AddHours(n),
                "minutes" => t.AddMinutes(n),
                "seconds" => t.AddSeconds(n),
                _ => t,
            };
        }
        return t;
    }

    private static bool SpecFieldMatches(string field, string? range, DateTimeOffset now)
    {
        if (range is null) return true;
        int value = field switch
        {
            "hours" => now.Hour,
            "minutes" => now.Minute,
            "seconds" => now.Second,
            "monthdays" => now.Day,
            "weekdays" => now.DayOfWeek == DayOfWeek.Sunday ? 7 : (int)now.DayOfWeek,
            "yeardays" => now.DayOfYear,
            "months" => now.Month,
            "years" => now.Year,
            "weekyears" => ISOWeek.GetYear(now.DateTime),
            "weeks" => ISOWeek.GetWeekOfYear(now.DateTime),
            _ => -1,
        };
        if (value < 0) return true;
        var dash = range.IndexOf('-');
        if (dash > 0 && int.TryParse(range[..dash], out var lo) && int.TryParse(range[(dash + 1)..], out var hi))
            return value >= lo && value <= hi;
        return int.TryParse(range, out var exact) && value == exact;
    }
}
