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
public sealed record RecordSchedulerInput(ClusterConfig Config, ClusterStatus Status, DateTimeOffset Now, CibVersion Version) : ControllerCommand;

/// <summary>Answer a local request (<see cref="CommitRequested"/>, <see cref="AttributeRequested"/>).</summary>
public sealed record RequestAnswered(long RequestId, bool Ok, string? Error, string? Version = null) : ControllerCommand;

/// <summary>A new configuration is in force: the host may warm its caches (the scheduler) on it.</summary>
public sealed record ConfigurationLoaded(ClusterConfig Config) : ControllerCommand;

/// <summary>A status picture arrived from the DC (the host may rehearse a takeover on it when quiet).</summary>
public sealed record PictureReceived(string Xml) : ControllerCommand;

/// <summary>A transition was computed (the host may keep it for history); <paramref name="Id"/> is the transition's number.</summary>
public sealed record TransitionStarted(long Id, TransitionGraph Graph) : ControllerCommand;

/// <summary>
/// Reset this machine now (watchdog fencing, see WatchdogFencing): it lost quorum and could not
/// stop its resources in time, and the quorate side will start them elsewhere once the
/// stonith-watchdog-timeout has passed.
/// </summary>
public sealed record SelfFence(string Reason) : ControllerCommand;

public enum ControllerLogLevel { Debug, Information, Warning, Error }

/// <summary>A line for the log.</summary>
public sealed record Log(ControllerLogLevel Level, string Text) : ControllerCommand;
