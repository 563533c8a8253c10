using HaCluster.Agents.Metadata;
using HaCluster.Agents.Processes;
using HaCluster.Core.Cib;

namespace HaCluster.Agents.Classes;

/// <summary>
/// LSB init scripts: /etc/init.d/NAME start|stop|status. "monitor" runs status, whose codes differ
/// from the other actions' (1-3 mean not running, 150/151 not installed / no privileges).
/// </summary>
internal sealed class LsbClass(AgentPaths paths) : AgentClass(paths)
{
    public override string Name => "lsb";

    public override string? Locate(AgentSpec agent)
    {
        if (!OcfClass.SafeName(agent.Type)) return null;
        var path = Path.Combine(Paths.InitDirectory, agent.Type);
        return AgentPaths.IsExecutable(path) ? path : null;
    }

    public override ProcessSpec? Command(AgentAction action, string program, IReadOnlyDictionary<string, string> environment)
    {
        var verb = action.Name switch
        {
            "start" or "stop" or "restart" or "force-reload" => action.Name,
            "monitor" or "status" => "status",
            "reload" => "force-reload",
            _ => null,
        };
        return verb is null ? null : new ProcessSpec(program, [verb], environment, action.Timeout);
    }

    public override OcfExitCode MapExit(AgentAction action, int exitCode, ProcessOutcome outcome)
    {
        if (action.Name is "monitor" or "status")
        {
            return exitCode switch
            {
                0 => OcfExitCode.Success,
                1 or 2 or 3 => OcfExitCode.NotRunning,
                150 => OcfExitCode.NotInstalled,
                151 => OcfExitCode.InsufficientPrivileges,
                _ => OcfExitCode.GenericError,
            };
        }
        // The other LSB actions use the OCF numbers 0-7 for the same meanings.
        return exitCode is >= 0 and <= 7 ? (OcfExitCode)exitCode : OcfExitCode.GenericError;
    }

    public override IEnumerable<string> List(string? provider) =>
        Directory.Exists(Paths.InitDirectory)
            ? Directory.GetFiles(Paths.InitDirectory).Where(AgentPaths.IsExecutable).Select(Path.GetFileName).OfType<string>()
                .Where(n => !n.StartsWith('.') && n is not ("README" or "skeleton" or "rc" or "rcS")).Order(StringComparer.Ordinal)
            : [];

    public override Task<AgentMetadata?> MetadataAsync(AgentSpec agent, AgentRunner runner)
    {
        var path = Locate(agent);
        return Task.FromResult(path is null ? null : LsbHeader.Metadata(agent.Type, File.ReadAllText(path)));
    }
}
