using HaCluster.Core.Cib;

namespace HaCluster.Agents.Metadata;

/// <summary>
/// Checks primitives' parameters against their agents' meta-data, as <c>crm configure verify</c>
/// does: a missing required parameter is an error ("primitive p_ip: ocf:heartbeat:IPaddr2
/// requires parameter ip"), an unknown one a warning (usually a typo). Agents not installed on
/// this machine are skipped, or reported when <c>reportMissing</c> is set.
/// </summary>
public static class AgentParameterCheck
{
    public static async Task<List<Diagnostic>> CheckAsync(ParseResult parsed, AgentRunner runner, bool reportMissing = false)
    {
        var findings = new List<Diagnostic>();
        if (parsed.Config is not { } config) return findings;
        foreach (var primitive in config.AllResources().OfType<Primitive>())
        {
            var template = config.TemplateOf(primitive);
            var agent = config.AgentOf(primitive);
            if (agent is null) continue;
            var at = parsed.SourceMap.TryGetValue(primitive.Id, out var loc) ? loc : (SourceLocation?)null;
            var metadata = await runner.MetadataAsync(agent);
            if (metadata is null)
            {
                if (reportMissing)
                    findings.Add(Diagnostic.Warning($"primitive {primitive.Id}: agent {agent} is not installed on this machine (or gives no meta-data)", at));
                continue;
            }
            var given = new HashSet<string>(StringComparer.Ordinal);
            foreach (var set in (template?.InstanceAttributes ?? default).Concat(primitive.InstanceAttributes))
                foreach (var pair in set.Pairs) given.Add(pair.Name);
            findings.AddRange(Check(primitive.Id, agent, metadata, given, at));
        }
        return findings;
    }

    public static IEnumerable<Diagnostic> Check(string primitiveId, AgentSpec agent, AgentMetadata metadata, IReadOnlySet<string> given, SourceLocation? at = null)
    {
        foreach (var p in metadata.Parameters)
            if (p.Required && !given.Contains(p.Name) && !(agent.Class == "stonith" && ClusterSuppliedFenceParameters.Contains(p.Name)))
                yield return Diagnostic.Error($"primitive {primitiveId}: {agent} requires parameter {p.Name}", at);
        // Fence devices also take the cluster's own pcmk_* parameters.
        foreach (var name in given.Order(StringComparer.Ordinal))
        {
            if (metadata.Parameter(name) is { } p)
            {
                if (p.Deprecated) yield return Diagnostic.Warning($"primitive {primitiveId}: parameter {name} of {agent} is deprecated", at);
                continue;
            }
            if (agent.Class == "stonith" && name.StartsWith("pcmk_", StringComparison.Ordinal)) continue;
            if (name == "OCF_CHECK_LEVEL") continue;
            yield return Diagnostic.Warning($"primitive {primitiveId}: {agent} has no parameter {name}" + Suggestions.Hint(name, metadata.Parameters.Select(x => x.Name), ""), at);
        }
    }

    /// <summary>Fence agents mark these required, but the cluster gives them with each request.</summary>
    private static readonly HashSet<string> ClusterSuppliedFenceParameters = ["action", "port", "plug", "nodename"];
}
