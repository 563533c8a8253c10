using System.Diagnostics;
using HaCluster.Agents.Metadata;
using HaCluster.Agents.Processes;
using HaCluster.Core.Cib;

namespace HaCluster.Agents.Classes;

/// <summary>
/// systemd units through systemctl (start and stop block until the job is done; monitor is
/// is-active). "systemd:foo" means foo.service. systemctl's path is configurable because systemd
/// itself cannot run in a container or a test; a look-alike script stands in there.
/// </summary>
internal sealed class SystemdClass(AgentPaths paths) : AgentClass(paths)
{
    private static readonly string[] UnitSuffixes = [".service", ".socket", ".mount", ".timer", ".target", ".path", ".swap"];

    public override string Name => "systemd";

    public static string UnitName(string type) => UnitSuffixes.Any(type.EndsWith) ? type : type + ".service";

    public override string? Locate(AgentSpec agent) =>
        OcfClass.SafeName(agent.Type) && AgentPaths.IsExecutable(Paths.Systemctl) ? Paths.Systemctl : null;

    public override ProcessSpec? Command(AgentAction action, string program, IReadOnlyDictionary<string, string> environment)
    {
        var verb = action.Name switch
        {
            "start" or "stop" or "restart" or "reload" => action.Name,
            "monitor" or "status" => "is-active",
            _ => null,
        };
        return verb is null ? null : new ProcessSpec(program, [verb, UnitName(action.Agent.Type)], environment, action.Timeout);
    }

    public override OcfExitCode MapExit(AgentAction action, int exitCode, ProcessOutcome outcome)
    {
        if (action.Name is "monitor" or "status")
        {
            var state = outcome.Stdout.Trim();
            // A unit busy changing state is still there; "failed" and "inactive" are not running.
            return exitCode == 0 || state is "activating" or "reloading" or "deactivating" ? OcfExitCode.Success : OcfExitCode.NotRunning;
        }
        return exitCode switch
        {
            0 => OcfExitCode.Success,
            // systemctl's LSB-style 5: the unit is not installed, so it is certainly stopped.
            5 when action.Name == "stop" => OcfExitCode.Success,
            5 => OcfExitCode.NotInstalled,
            4 => OcfExitCode.InsufficientPrivileges,
            _ => OcfExitCode.GenericError,
        };
    }

    public override IEnumerable<string> List(string? provider)
    {
        if (!AgentPaths.IsExecutable(Paths.Systemctl)) return [];
        try
        {
            var psi = new ProcessStartInfo(Paths.Systemctl) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { "list-unit-files", "--type=service", "--no-legend", "--no-pager" }) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            var text = p.StandardOutput.ReadToEnd();
            p.WaitForExit(10_000);
            return text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0])
                .Where(u => u.EndsWith(".service", StringComparison.Ordinal) && !u.Contains('@'))
                .Select(u => u[..^".service".Length]).Order(StringComparer.Ordinal).ToList();
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return [];
        }
    }

    public override Task<AgentMetadata?> MetadataAsync(AgentSpec agent, AgentRunner runner) =>
        Task.FromResult<AgentMetadata?>(AgentMetadata.Synthesized(agent.Type, $"systemd unit file for {agent.Type}", TimeSpan.FromSeconds(100)));
}
