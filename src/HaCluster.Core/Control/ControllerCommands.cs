using HaCluster.Core.Cib;
using HaCluster.Core.Policy;
using HaCluster.Core.Status;

namespace HaCluster.Core.Control;

/// <summary>
/// What a <see cref="Controller"/> asks its host to do, one closed set. The daemon carries them
/// out with sockets, the disk and the executor; the simulator with its simulated ones.
/// </summary>
public abstract record ControllerCommand;

/// <summary>Send <paramref name="Message"/> to node <paramref name="To"/> on the reliable channel.</summary>
public sealed record SendMessage(int To, ControllerMessage Message) : ControllerCommand;

/// <summary>
/// Run one action here; when it ends, feed <see cref="OperationFinished"/> back with
/// <paramref name="RequestedBy"/>. Recurring monitors are started and answer at once.
/// </summary>
public sealed record RunOperation(ExecuteRequest Request, ClusterConfig Config, int RequestedBy) : ControllerCommand;

/// <summary>Probe every resource of <paramref name="Config"/> not yet known here; the report then says <paramref name="Version"/> was probed.</summary>
public sealed record ProbeResources(ClusterConfig Config, string Version) : ControllerCommand;

/// <summary>Forget a resource's history and fail counts here, then probe again (with <paramref name="Config"/>, when there is one).</summary>
public sealed record ForgetResource(string Resource, ClusterConfig? Config, string Version) : ControllerCommand;

/// <summary>Set (or, with a null value, delete) one of this node's transient attributes.</summary>
public sealed record SetLocalAttribute(string Name, string? Value) : ControllerCommand;

/// <summary>
/// Store this CIB durably and advertise its version in heartbeats, before anything else is done:
/// a version is advertised only once it is on disk.
/// </summary>
public sealed record StoreCib(CibVersion Version, byte[] Xml) : ControllerCommand;

/// <summary>Keep the scheduler's input (pe-input), off the critical path; feed <see cref="SchedulerInputRecorded"/> back.</summary>
/// <param name="Transition">The transition started from this input (its history keeps the input), or null when it changed nothing.</param>
public sealed record RecordSchedulerInput(ClusterConfig Config, ClusterStatus Status, DateTimeOffset Now, CibVersion Version, long? Transition = null) : ControllerCommand;

/// <summary>Answer a local request (<see cref="CommitRequested"/>, <see cref="AttributeRequested"/>).</summary>
public sealed record RequestAnswered(long RequestId, bool Ok, string? Error, string? Version = null) : ControllerCommand;

/// <summary>A new configuration is in force: the host may warm its caches (the scheduler) on it.</summary>
public sealed record ConfigurationLoaded(ClusterConfig Config) : ControllerCommand;

/// <summary>A status picture arrived from the DC (the host may rehearse a takeover on it when quiet).</summary>
public sealed record PictureReceived(string Xml) : ControllerCommand;

/// <summary>A transition was computed (the host may keep it for history); <paramref name="Id"/> is the transition's number.</summary>
public sealed record TransitionStarted(long Id, TransitionGraph Graph) : ControllerCommand;

/// <summary>
/// A transition ended, complete or aborted, after <paramref name="Took"/>; when it completed the
/// recovery from a lost member or a failed operation, <paramref name="RecoveredAfter"/> is the
/// time since the DC learned of the loss. For metrics.
/// </summary>
public sealed record TransitionEnded(long Id, bool Aborted, int Actions, TimeSpan Took, TimeSpan? RecoveredAfter) : ControllerCommand
{
    /// <summary>Each real (not pseudo) action and what became of it: "ok", "failed (rc=N: reason)", "not run".</summary>
    public IReadOnlyList<ActionOutcome> Outcomes { get; init; } = [];
}

/// <param name="Action">The action as the graph prints it ("start d on node1").</param>
public sealed record ActionOutcome(int Id, string Action, string Outcome);

/// <summary>
/// Reset this machine now (watchdog fencing, see WatchdogFencing): it lost quorum and could not
/// stop its resources in time, and the quorate side will start them elsewhere once the
/// stonith-watchdog-timeout has passed.
/// </summary>
public sealed record SelfFence(string Reason) : ControllerCommand;

public enum ControllerLogLevel { Debug, Information, Warning, Error }

/// <summary>A line for the log.</summary>
public sealed record Log(ControllerLogLevel Level, string Text) : ControllerCommand;
