using HaCluster.Agents.Metadata;
using HaCluster.Agents.Processes;
using HaCluster.Core.Cib;

namespace HaCluster.Agents.Classes;

/// <summary>
/// Upstart jobs through initctl (seed 000's upstart:eucalyptus). initctl answers in words:
/// "JOB start/running, process N" or "JOB stop/waiting"; starting a running job and stopping a
/// stopped one are reported as errors by initctl but are successes for a cluster.
/// </summary>
internal sealed class UpstartClass(AgentPaths paths) : AgentClass(paths)
{
    public override string Name => "upstart";

    public override string? Locate(AgentSpec agent) =>
        OcfClass.SafeName(agent.Type) && AgentPaths.IsExecutable(Paths.Initctl) && File.Exists(JobFile(agent.Type)) ? Paths.Initctl : null;

    private string JobFile(string job) => Path.Combine(Paths.UpstartDirectory, job + ".conf");

    public override ProcessSpec? Command(AgentAction action, string program, IReadOnlyDictionary<string, string> environment)
    {
        var verb = action.Name switch
        {
            "start" or "stop" or "restart" or "reload" => action.Name,
            "monitor" or "status" => "status",
            _ => null,
        };
        return verb is null ? null : new ProcessSpec(program, [verb, action.Agent.Type], environment, action.Timeout);
    }

    public override OcfExitCode MapExit(AgentAction action, int exitCode, ProcessOutcome outcome)
    {
        var said = outcome.Stdout + outcome.Stderr;
        bool Says(string text) => said.Contains(text, StringComparison.OrdinalIgnoreCase);
        switch (action.Name)
        {
            case "monitor" or "status":
                if (exitCode != 0) return Says("Unknown job") ? OcfExitCode.NotInstalled : OcfExitCode.NotRunning;
                return Says("/running") || Says("start/") ? OcfExitCode.Success : OcfExitCode.NotRunning;
            case "start":
                if (exitCode == 0 || Says("already running")) return OcfExitCode.Success;
                return Says("Unknown job") ? OcfExitCode.NotInstalled : OcfExitCode.GenericError;
            case "stop":
                return exitCode == 0 || Says("Unknown instance") || Says("Unknown job") ? OcfExitCode.Success : OcfExitCode.GenericError;
            default:
                return exitCode == 0 ? OcfExitCode.Success : OcfExitCode.GenericError;
        }
    }

    public override IEnumerable<string> List(string? provider) =>
        Directory.Exists(Paths.UpstartDirectory) && AgentPaths.IsExecutable(Paths.Initctl)
            ? Directory.GetFiles(Paths.UpstartDirectory, "*.conf").Select(Path.GetFileNameWithoutExtension).OfType<string>().Order(StringComparer.Ordinal)
            : [];

    public override Task<AgentMetadata?> MetadataAsync(AgentSpec agent, AgentRunner runner) =>
        Task.FromResult<AgentMetadata?>(AgentMetadata.Synthesized(agent.Type, $"Upstart job for {agent.Type}", TimeSpan.FromSeconds(15)));
}
