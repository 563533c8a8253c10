using System.Text;
using HaCluster.Agents.Metadata;
using HaCluster.Agents.Processes;
using HaCluster.Core.Cib;

namespace HaCluster.Agents.Classes;

/// <summary>
/// Fence agents (fence_xvm, fence_ipmilan, ...), spoken to with the fence-agents stdin protocol:
/// one key=value per line, <c>action=</c> naming what to do and <c>port=</c> (or the agent's own
/// argument, <c>pcmk_host_argument</c>) the victim's name on the device. Parameters named
/// <c>pcmk_*</c> are the cluster's, not the agent's, and are not passed on.
/// As a resource, a fencing device is "running" where it has been started (registered, as
/// Pacemaker's fenced does): start checks the device with the agent's monitor action and
/// registers it, monitor checks a registered device and answers "not running" for one that is not
/// (so probes do not find a device running on every node), stop only unregisters it.
/// </summary>
internal sealed class StonithClass(AgentPaths paths) : AgentClass(paths)
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> registered = new();
    public override string Name => "stonith";

    /// <summary>Fencing requests a device can be asked for, besides resource actions.</summary>
    public static readonly IReadOnlySet<string> FenceActions = new HashSet<string> { "off", "on", "reboot", "status", "list", "list-status", "monitor", "metadata", "validate-all" };

    public override string? Locate(AgentSpec agent)
    {
        if (!OcfClass.SafeName(agent.Type)) return null;
        var path = Path.Combine(Paths.FenceAgentDirectory, agent.Type);
        return AgentPaths.IsExecutable(path) ? path : null;
    }

    public override ActionResult? Answer(AgentAction action)
    {
        if (action.Name == "stop")
        {
            registered.TryRemove(action.ResourceId, out _);
            return new ActionResult { Code = OcfExitCode.Success };
        }
        if (action.Name is "monitor" or "status" && action.Target is null && !registered.ContainsKey(action.ResourceId))
            return new ActionResult { Code = OcfExitCode.NotRunning };
        return null;
    }

    public override void Completed(AgentAction action, ActionResult result)
    {
        if (action.Name == "start" && result.Code == OcfExitCode.Success) registered[action.ResourceId] = true;
    }

    public override ProcessSpec? Command(AgentAction action, string program, IReadOnlyDictionary<string, string> environment)
    {
        var verb = action.Name switch
        {
            "start" or "monitor" => "monitor",
            "meta-data" => "metadata",
            "reboot" or "off" or "on" => DeviceAction(action),
            var a when FenceActions.Contains(a) => a,
            _ => null,
        };
        if (verb is null) return null;
        return new ProcessSpec(program, [], environment, action.Timeout) { StandardInput = Stdin(action, verb) };
    }

    /// <summary>pcmk_reboot_action=off and friends let a device do something else for a request.</summary>
    private static string DeviceAction(AgentAction action) =>
        action.Parameters.TryGetValue($"pcmk_{action.Name}_action", out var mapped) && mapped.Length > 0 ? mapped : action.Name;

    internal static string Stdin(AgentAction action, string verb)
    {
        var text = new StringBuilder();
        text.Append("action=").Append(verb).Append('\n');
        foreach (var (name, value) in action.Parameters)
        {
            if (name.StartsWith("pcmk_", StringComparison.Ordinal) || name == "action") continue;
            text.Append(name).Append('=').Append(value).Append('\n');
        }
        if (action.Target is { } target)
        {
            var argument = action.Parameters.GetValueOrDefault("pcmk_host_argument") ?? "port";
            if (argument != "none" && !action.Parameters.ContainsKey(argument))
                text.Append(argument).Append('=').Append(PortFor(target, action.Parameters.GetValueOrDefault("pcmk_host_map"))).Append('\n');
            text.Append("nodename=").Append(target).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>pcmk_host_map "node1:3;node2:4" (also "=" and "," or spaces) names a node's port on the device.</summary>
    internal static string PortFor(string node, string? hostMap)
    {
        if (hostMap is null) return node;
        foreach (var entry in hostMap.Split([';', ',', ' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries))
        {
            var sep = entry.IndexOfAny([':', '=']);
            if (sep > 0 && entry[..sep] == node) return entry[(sep + 1)..];
        }
        return node;
    }

    public override OcfExitCode MapExit(AgentAction action, int exitCode, ProcessOutcome outcome) => action.Name switch
    {
        // status: 0 = the port is powered on, 2 = off; anything else is a failure to find out.
        "status" => exitCode switch { 0 => OcfExitCode.Success, 2 => OcfExitCode.NotRunning, _ => OcfExitCode.GenericError },
        _ => exitCode == 0 ? OcfExitCode.Success : OcfExitCode.GenericError,
    };

    public override IEnumerable<string> List(string? provider) =>
        Directory.Exists(Paths.FenceAgentDirectory)
            ? Directory.GetFiles(Paths.FenceAgentDirectory, "fence_*").Where(AgentPaths.IsExecutable).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)
            : [];

    public override async Task<AgentMetadata?> MetadataAsync(AgentSpec agent, AgentRunner runner)
    {
        var result = await runner.RunAsync(new AgentAction { ResourceId = agent.Type, Agent = agent, Name = "meta-data", Timeout = TimeSpan.FromSeconds(30) });
        return result.Code == OcfExitCode.Success ? AgentMetadata.TryParse(result.Stdout) : null;
    }
}
