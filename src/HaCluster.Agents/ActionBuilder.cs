using HaCluster.Agents.Metadata;
using HaCluster.Core.Cib;

namespace HaCluster.Agents;

/// <summary>
/// Turns a configured primitive and one of its operations into an <see cref="AgentAction"/>:
/// parameters as the policy engine sees them for this node (the primitive's, over its
/// template's and its group's or clone's, with rule-guarded sets chosen by this node's
/// attributes: the same resolution <see cref="HaCluster.Core.Policy.OperationDigest"/> digests,
/// so what an agent runs with is what the DC compares), then the op's own; meta attributes; and
/// the timeout: the op's, else op_defaults', else what the agent's meta-data advises, else 20s.
/// </summary>
public static class ActionBuilder
{
    public static AgentAction For(
        ClusterConfig config,
        Primitive primitive,
        string action,
        TimeSpan interval = default,
        string? role = null,
        AgentMetadata? metadata = null,
        string? instanceId = null,
        string? nodeName = null,
        IReadOnlyDictionary<string, string>? extraMeta = null,
        Func<Rule, bool>? ruleMatches = null)
    {
        // Without a node to evaluate them against, rule-guarded sets do not apply.
        var matches = ruleMatches ?? (_ => false);
        var template = config.TemplateOf(primitive);
        var agent = config.AgentOf(primitive) ?? throw new ArgumentException($"primitive {primitive.Id} has no agent");
        var parameters = new Dictionary<string, string>(HaCluster.Core.Policy.OperationDigest.ResourceParameters(config, primitive, matches), StringComparer.Ordinal);
        var meta = new Dictionary<string, string>(StringComparer.Ordinal);
        if (template is not null) Merge(meta, template.MetaAttributes, matches);
        Merge(meta, primitive.MetaAttributes, matches);

        var op = FindOperation(primitive.Operations, action, interval, role)
                 ?? (template is null ? null : FindOperation(template.Operations, action, interval, role));
        if (op is not null)
        {
            Merge(parameters, op.InstanceAttributes, matches);
            if (op.Get("OCF_CHECK_LEVEL") is { } depth) parameters["OCF_CHECK_LEVEL"] = depth;
        }
        if (extraMeta is not null)
            foreach (var (k, v) in extraMeta) meta[k] = v;

        return new AgentAction
        {
            ResourceId = instanceId ?? primitive.Id,
            Agent = agent,
            Name = action,
            Parameters = parameters,
            Meta = meta,
            Timeout = Timeout(config, op, action, interval, metadata),
            Interval = interval,
            StartDelay = Duration.ParseMillisecondsOrNull(op?.Get("start-delay")) is { } delay ? TimeSpan.FromMilliseconds(delay) : TimeSpan.Zero,
            Role = role ?? op?.Role,
            NodeName = nodeName,
        };
    }

    /// <summary>The op's timeout, else op_defaults', else the agent's advice, else 20 seconds.</summary>
    public static TimeSpan Timeout(ClusterConfig config, Operation? op, string action, TimeSpan interval, AgentMetadata? metadata)
    {
        foreach (var text in new[] { op?.Timeout, config.OperationDefault("timeout") })
            if (Duration.ParseMillisecondsOrNull(text) is { } ms && ms > 0) return TimeSpan.FromMilliseconds(ms);
        // A probe is a monitor for the agent's purposes.
        return metadata?.AdvisedTimeout(action, interval) ?? AgentAction.DefaultTimeout;
    }

    private static Operation? FindOperation(EquatableArray<Operation> ops, string action, TimeSpan interval, string? role)
    {
        var ms = (long)interval.TotalMilliseconds;
        var candidates = ops.Where(o => o.Name == action && o.IntervalMilliseconds == ms).ToList();
        // A probe takes its settings from a monitor op with interval 0 if there is one.
        return candidates.FirstOrDefault(o => role is null || SameRole(o.Role, role)) ?? candidates.FirstOrDefault();
    }

    private static bool SameRole(string? a, string b) => Normalize(a) == Normalize(b);

    private static string? Normalize(string? role) => role switch
    {
        "Master" => "Promoted",
        "Slave" => "Unpromoted",
        _ => role,
    };

    /// <summary>Overlays one level's values (<see cref="AttributeSetListExtensions.Evaluate"/>) on those below it.</summary>
    private static void Merge(Dictionary<string, string> into, EquatableArray<AttributeSet> sets, Func<Rule, bool> matches)
    {
        foreach (var (k, v) in sets.Evaluate(matches)) into[k] = v;
    }
}
