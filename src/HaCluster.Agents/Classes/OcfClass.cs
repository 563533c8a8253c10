using HaCluster.Agents.Metadata;
using HaCluster.Agents.Processes;
using HaCluster.Core.Cib;

namespace HaCluster.Agents.Classes;

/// <summary>OCF agents: OCF_ROOT/resource.d/PROVIDER/TYPE ACTION, parameters as OCF_RESKEY_*.</summary>
internal sealed class OcfClass(AgentPaths paths) : AgentClass(paths)
{
    public override string Name => "ocf";

    public override string? Locate(AgentSpec agent)
    {
        if (agent.Provider is null || !SafeName(agent.Provider) || !SafeName(agent.Type)) return null;
        var path = Path.Combine(Paths.OcfRoot, "resource.d", agent.Provider, agent.Type);
        return AgentPaths.IsExecutable(path) ? path : null;
    }

    public override ProcessSpec Command(AgentAction action, string program, IReadOnlyDictionary<string, string> environment) =>
        new(program, [action.Name], environment, action.Timeout);

    public override OcfExitCode MapExit(AgentAction action, int exitCode, ProcessOutcome outcome) => OcfExitCodes.FromOcf(exitCode);

    public override IEnumerable<string> List(string? provider)
    {
        var root = Path.Combine(Paths.OcfRoot, "resource.d");
        if (!Directory.Exists(root)) yield break;
        foreach (var dir in Directory.GetDirectories(root).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(dir);
            if (provider is not null && name != provider) continue;
            foreach (var file in Directory.GetFiles(dir).Order(StringComparer.Ordinal))
                if (AgentPaths.IsExecutable(file) && !Path.GetFileName(file).StartsWith('.')) yield return $"{name}:{Path.GetFileName(file)}";
        }
    }

    public override async Task<AgentMetadata?> MetadataAsync(AgentSpec agent, AgentRunner runner)
    {
        var result = await runner.RunAsync(new AgentAction { ResourceId = agent.Type, Agent = agent, Name = "meta-data", Timeout = TimeSpan.FromSeconds(30) });
        return result.Code == OcfExitCode.Success ? AgentMetadata.TryParse(result.Stdout) : null;
    }

    /// <summary>Provider and type name files in a directory; a "../" would escape OCF_ROOT.</summary>
    internal static bool SafeName(string name) => name.Length > 0 && !name.Contains('/') && name != "." && name != "..";
}
