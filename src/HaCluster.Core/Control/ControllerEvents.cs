using HaCluster.Core.Membership;
using HaCluster.Core.Status;

namespace HaCluster.Core.Control;

/// <summary>
/// What a <see cref="Controller"/> is told, one closed set: the daemon feeds these from its
/// sockets, executor, API and timer; the simulator feeds them from its simulated network, agents
/// and clock. Time comes with each step (<see cref="Controller.Step"/>), never from a clock.
/// </summary>
public abstract record ControllerEvent;

/// <summary>Time passed: recheck, deadlines, commit confirmations and CIB resends are due on it.</summary>
public sealed record Tick : ControllerEvent;

/// <summary>The membership layer's view, and the CIB version each live peer advertises in its heartbeats.</summary>
public sealed record MembershipChanged(MembershipView View, IReadOnlyDictionary<int, CibVersion> PeerVersions) : ControllerEvent;

/// <summary>A controller message from a peer, received complete and in order.</summary>
public sealed record MessageReceived(int From, ControllerMessage Message) : ControllerEvent;

/// <summary>This node's resource manager changed (an operation, a probe, an attribute, a shutdown): its report now.</summary>
public sealed record LocalStateChanged(NodeReport Report) : ControllerEvent;

/// <summary>An action run here ended (<see cref="RunOperation"/>); <paramref name="ReportAfter"/> is this node's report with its result in it.</summary>
public sealed record OperationFinished(ExecuteResult Result, int RequestedBy, NodeReport ReportAfter) : ControllerEvent;

/// <summary>`hacrm configure ... commit` on this node; answered with a <see cref="RequestAnswered"/> of the same id.</summary>
public sealed record CommitRequested(long RequestId, string ConfigurationXml, string? BaseVersion, bool Force, string? User) : ControllerEvent;

/// <summary>`hacrm resource cleanup RSC` on this node.</summary>
public sealed record CleanupRequested(string Resource) : ControllerEvent;

/// <summary>This node stopped everything it ran (SIGTERM) and leaves the cluster now: every member is told it left cleanly.</summary>
public sealed record LeavingCleanly : ControllerEvent;

/// <summary>`hacrm attribute` on this node; answered with a <see cref="RequestAnswered"/> of the same id.</summary>
public sealed record AttributeRequested(long RequestId, AttributeChange Change) : ControllerEvent;

/// <summary>The daemon wrote the scheduler input <see cref="RecordSchedulerInput"/> asked for, as this CIB XML.</summary>
public sealed record SchedulerInputRecorded(string Xml) : ControllerEvent;
