using System.Collections.Concurrent;
using HaCluster.Agents.Attributes;
using HaCluster.Agents.Classes;
using HaCluster.Agents.Metadata;
using HaCluster.Agents.Processes;
using HaCluster.Core.Cib;

namespace HaCluster.Agents;

/// <summary>
/// Runs one agent action of any class and returns its result in OCF terms. It knows nothing
/// of scheduling (see <see cref="Executor"/>): it finds the agent, builds its environment or
/// stdin, runs it under a timeout as its own process group, and maps the exit status.
/// </summary>
public sealed class AgentRunner
{
    private readonly Dictionary<string, AgentClass> classes;
    private readonly ProcessRunner processes;
    private readonly ConcurrentDictionary<AgentSpec, Task<AgentMetadata?>> metadataCache = new();
    private readonly AttributeSnapshots snapshots;
    private readonly SpoolNames spools;

    public AgentPaths Paths { get; }

    /// <summary>The classes in the order `hacrm ra classes` lists them.</summary>
    public static readonly string[] ClassNames = ["ocf", "lsb", "service", "systemd", "upstart", "stonith"];

    public AgentRunner(AgentPaths? paths = null, ProcessRunner? processes = null)
    {
        Paths = paths ?? new AgentPaths();
        this.processes = processes ?? new ProcessRunner();
        var lsb = new LsbClass(Paths);
        var systemd = new SystemdClass(Paths);
        var upstart = new UpstartClass(Paths);
        classes = new AgentClass[] { new OcfClass(Paths), lsb, systemd, upstart, new ServiceClass(Paths, systemd, upstart, lsb), new StonithClass(Paths) }
            .ToDictionary(c => c.Name);
        AttributeTools.Install(Paths.ToolsDirectory);
        Directory.CreateDirectory(Paths.SpoolDirectory);
        // Names this runner's spool and snapshot files apart from other runners' (another daemon, `hacrm ra exec`).
        var prefix = $"{Environment.ProcessId}-{Random.Shared.Next():x8}";
        snapshots = new AttributeSnapshots(Paths.SpoolDirectory, prefix);
        spools = new SpoolNames(Paths.SpoolDirectory, prefix);
        // Agents write their state files straight into HA_VARRUN; they never create it.
        if (Paths.RunDirectory is { } run) Directory.CreateDirectory(run);
    }

    /// <summary>The executable for an agent, or null when it is not installed on this node.</summary>
    public string? Locate(AgentSpec agent) => classes.TryGetValue(agent.Class, out var c) ? c.Locate(agent) : null;

    /// <summary>The installed agents of a class ("ocf" lists PROVIDER:TYPE; a provider filters).</summary>
    public IEnumerable<string> List(string agentClass, string? provider = null) =>
        classes.TryGetValue(agentClass, out var c) ? c.List(provider) : [];

    /// <summary>The agent's meta-data (cached per agent), or null when it has none or is not installed.</summary>
    public Task<AgentMetadata?> MetadataAsync(AgentSpec agent)
    {
        if (!classes.TryGetValue(agent.Class, out var c) || c.Locate(agent) is null) return Task.FromResult<AgentMetadata?>(null);
        return metadataCache.GetOrAdd(agent, a => c.MetadataAsync(a, this));
    }

    /// <summary>
    /// Runs <paramref name="action"/>. <paramref name="nodeAttributes"/> answers the agent's
    /// attribute queries (crm_attribute -G); attributes it sets come back in the result.
    /// </summary>
    public async Task<ActionResult> RunAsync(AgentAction action, IReadOnlyDictionary<string, string>? nodeAttributes = null, CancellationToken cancel = default)
    {
        if (!classes.TryGetValue(action.Agent.Class, out var agentClass))
            return ActionResult.Failed(OcfExitCode.NotInstalled, ExecutionStatus.NotInstalled, $"agent class '{action.Agent.Class}' is not supported (classes: {string.Join(", ", ClassNames)})");
        if (agentClass.Answer(action) is { } answered) return answered;
        var program = agentClass.Locate(action.Agent);
        if (program is null)
            return ActionResult.Failed(OcfExitCode.NotInstalled, ExecutionStatus.NotInstalled, $"{action.Agent} is not installed on this node");
        if (UnsafeParameter(action, agentClass) is { } bad)
            return ActionResult.Failed(OcfExitCode.InvalidArgument, ExecutionStatus.Error, $"parameter '{bad}' has a name or value an agent cannot be given");

        string? spool = null;
        AttributeSnapshots.Snapshot? snapshot = null;
        var environment = AgentEnvironment.Build(action, Paths, agentClass.Name);
        if (agentClass is OcfClass)
        {
            spool = spools.Acquire(action.ResourceId);
            environment[AttributeTools.SpoolVariable] = spool;
            if (nodeAttributes is not null)
            {
                snapshot = snapshots.Acquire(nodeAttributes);
                environment[AttributeTools.SnapshotVariable] = snapshot.Path;
            }
        }
        var command = agentClass.Command(action, program, environment);
        if (command is null)
        {
            if (spool is not null) spools.Release(spool);
            if (snapshot is not null) snapshots.Release(snapshot);
            return ActionResult.Failed(OcfExitCode.Unimplemented, ExecutionStatus.Done, $"{agentClass.Name} agents have no '{action.Name}' action");
        }

        try
        {
            var outcome = await processes.RunAsync(command, cancel);
            // Most actions set no attribute, so the spool usually does not exist: one failed open.
            var updates = spool is not null && Posix.TryReadAndDelete(spool) is { } spooled
                ? AttributeTools.ParseSpool(spooled, action.ResourceId)
                : [];
            var result = Interpret(action, agentClass, outcome, updates);
            agentClass.Completed(action, result);
            return result;
        }
        finally
        {
            if (spool is not null) spools.Release(spool);
            if (snapshot is not null) snapshots.Release(snapshot);
        }
    }

    /// <summary>A parameter or meta attribute an agent cannot be given safely (its name), or null.</summary>
    private static string? UnsafeParameter(AgentAction action, AgentClass agentClass)
    {
        var oneLine = agentClass is StonithClass;
        return Unsafe(action.Parameters, oneLine) ?? Unsafe(action.Meta, oneLine);

        static string? Unsafe(IReadOnlyDictionary<string, string> values, bool oneLine)
        {
            foreach (var (name, value) in values)
                if (!AgentEnvironment.IsSafeName(name) || value.Contains('\0') || (oneLine && value.Contains('\n'))) return name;
            return null;
        }
    }

    private static ActionResult Interpret(AgentAction action, AgentClass agentClass, ProcessOutcome outcome, List<AttributeUpdate> updates)
    {
        if (outcome.StartError is not null)
            return ActionResult.Failed(OcfExitCode.GenericError, ExecutionStatus.Error, outcome.StartError);
        var reason = ExitReason(outcome.Stderr);
        if (outcome.TimedOut || outcome.ExitCode is null)
        {
            return new ActionResult
            {
                Code = OcfExitCode.GenericError,
                Status = outcome.TimedOut ? ExecutionStatus.TimedOut : ExecutionStatus.Cancelled,
                ExitReason = reason ?? (outcome.TimedOut ? $"{action.Name} did not finish within {action.Timeout.TotalSeconds:0.###}s; its processes were killed" : "cancelled"),
                Stdout = outcome.Stdout,
                Stderr = outcome.Stderr,
                Duration = outcome.Duration,
                AttributeUpdates = updates,
            };
        }
        var raw = outcome.ExitCode.Value;
        var code = agentClass.MapExit(action, raw, outcome);
        if (reason is null && agentClass is OcfClass && code == OcfExitCode.GenericError && raw != 1)
            reason = $"exit status {raw} is not an OCF result; treated as a generic error";
        return new ActionResult
        {
            Code = code,
            RawExitCode = raw,
            ExitReason = reason,
            Stdout = outcome.Stdout,
            Stderr = outcome.Stderr,
            Duration = outcome.Duration,
            AttributeUpdates = updates,
        };
    }

    /// <summary>The last "ocf-exit-reason:" line the agent printed on stderr (ocf_exit_reason's output).</summary>
    internal static string? ExitReason(string stderr)
    {
        const string prefix = "ocf-exit-reason:";
        string? reason = null;
        foreach (var line in stderr.Split('\n'))
        {
            var at = line.IndexOf(prefix, StringComparison.Ordinal);
            if (at >= 0 && line[(at + prefix.Length)..].Trim() is { Length: > 0 } text) reason = text;
        }
        return reason;
    }
}
