namespace HaCluster.Core.Cib;

/// <summary>
/// A Pacemaker rule: a score (or score-attribute) granted when its expressions hold,
/// combined with <see cref="BooleanOp"/> ("and" unless stated). Rules nest.
/// </summary>
public sealed record Rule(
    string? Id,
    EquatableArray<RuleExpression> Expressions,
    Score? Score = null,
    string? ScoreAttribute = null,
    string? BooleanOp = null,
    string? Role = null) : RuleExpression;

/// <summary>
/// Anything that can stand inside a rule. Expressions carry no ids: the writers generate them
/// (Pacemaker needs them unique, never meaningful).
/// </summary>
public abstract record RuleExpression;

/// <summary>
/// A test on a node attribute: <c>attribute operation value</c> with an optional type
/// (string, integer, number, version), or the unary <c>defined</c>/<c>not_defined</c>.
/// value-source "param"/"meta" takes the value from the resource's own attributes.
/// </summary>
public sealed record AttributeExpression(
    string Attribute,
    string Operation,
    string? Value = null,
    string? Type = null,
    string? ValueSource = null) : RuleExpression
{
    public static readonly IReadOnlySet<string> BinaryOperations =
        new HashSet<string> { "lt", "gt", "lte", "gte", "eq", "ne" };
    public static readonly IReadOnlySet<string> UnaryOperations =
        new HashSet<string> { "defined", "not_defined" };
    public static readonly IReadOnlySet<string> Types =
        new HashSet<string> { "string", "integer", "number", "version" };
}

/// <summary>A time condition: gt, lt, in_range (start/end or start+duration) or date_spec.</summary>
public sealed record DateExpression(
    string Operation,
    string? Start = null,
    string? End = null,
    EquatableArray<NvPair> Duration = default,
    EquatableArray<NvPair> DateSpec = default) : RuleExpression
{
    public static readonly IReadOnlySet<string> Operations =
        new HashSet<string> { "gt", "lt", "in_range", "date_spec" };
}

/// <summary>Matches an operation by name (and interval); used in op_defaults rules.</summary>
public sealed record OpExpression(string Name, string? Interval = null) : RuleExpression;

/// <summary>Matches a resource by agent; used in rsc_defaults rules.</summary>
public sealed record ResourceExpression(string? Class, string? Provider, string? Type) : RuleExpression;
