using HaCluster.Agents.Metadata;
using HaCluster.Agents.Processes;
using HaCluster.Core.Cib;

namespace HaCluster.Agents.Classes;

/// <summary>
/// "service:NAME": whatever manages services on this machine — a systemd unit when systemd runs,
/// else an upstart job when one is defined, else an LSB init script.
/// </summary>
internal sealed class ServiceClass(AgentPaths paths, SystemdClass systemd, UpstartClass upstart, LsbClass lsb) : AgentClass(paths)
{
    public override string Name => "service";

    public AgentClass Resolve(AgentSpec agent)
    {
        if (Paths.IsSystemdRunning) return systemd;
        if (upstart.Locate(agent) is not null) return upstart;
        return lsb;
    }

    public override string? Locate(AgentSpec agent) => Resolve(agent).Locate(agent);
    public override ProcessSpec? Command(AgentAction action, string program, IReadOnlyDictionary<string, string> environment) =>
        Resolve(action.Agent).Command(action, program, environment);
    public override OcfExitCode MapExit(AgentAction action, int exitCode, ProcessOutcome outcome) =>
        Resolve(action.Agent).MapExit(action, exitCode, outcome);
    public override IEnumerable<string> List(string? provider) =>
        (Paths.IsSystemdRunning ? systemd.List(null) : upstart.List(null).Concat(lsb.List(null))).Distinct().Order(StringComparer.Ordinal);
    public override Task<AgentMetadata?> MetadataAsync(AgentSpec agent, AgentRunner runner) => Resolve(agent).MetadataAsync(agent, runner);
}
