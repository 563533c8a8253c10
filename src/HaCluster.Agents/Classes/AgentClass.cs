using HaCluster.Agents.Metadata;
using HaCluster.Agents.Processes;
using HaCluster.Core.Cib;

namespace HaCluster.Agents.Classes;

/// <summary>
/// One standard of resource agent (OCF, LSB, systemd, upstart, fence agents): how to find an
/// agent, how to run an action, and how its exit status maps to OCF.
/// </summary>
internal abstract class AgentClass(AgentPaths paths)
{
    protected AgentPaths Paths { get; } = paths;

    public abstract string Name { get; }

    /// <summary>The program to run for this agent, or null when it is not installed here.</summary>
    public abstract string? Locate(AgentSpec agent);

    /// <summary>The command for an action; null when the class has no such action (answered "unimplemented").</summary>
    public abstract ProcessSpec? Command(AgentAction action, string program, IReadOnlyDictionary<string, string> environment);

    /// <summary>The OCF result of an exit status (the outcome's output too, for tools that answer in words).</summary>
    public abstract OcfExitCode MapExit(AgentAction action, int exitCode, ProcessOutcome outcome);

    /// <summary>The agents of this class installed here (for OCF: PROVIDER:TYPE).</summary>
    public abstract IEnumerable<string> List(string? provider);

    /// <summary>Meta-data, from the agent itself or synthesized for classes that have none.</summary>
    public abstract Task<AgentMetadata?> MetadataAsync(AgentSpec agent, AgentRunner runner);

    /// <summary>An action this class answers without running anything (a stop of a stonith device is unregistration).</summary>
    public virtual ActionResult? Answer(AgentAction action) => null;

    /// <summary>Called with every result the class's agents produced (a started stonith device is registered).</summary>
    public virtual void Completed(AgentAction action, ActionResult result)
    {
    }
}
