using HaCluster.Core.Cib;
using HaCluster.Core.Membership;
using HaCluster.Core.Status;

namespace HaCluster.Core.Control;

/// <summary>
/// What every part of a <see cref="Controller"/> shares: who this node is, the time of the step,
/// the membership view, the configuration in force, and the outbox of commands the step emits.
/// </summary>
internal sealed class ControllerContext(ClusterBootstrap bootstrap, int selfId, bool debug, long incarnation = 0)
{
    /// <summary>This start of the node (membership's incarnation): part of every action key the node sends as DC.</summary>
    public long Incarnation { get; } = incarnation;
    public ClusterBootstrap Bootstrap { get; } = bootstrap;
    public int SelfId { get; } = selfId;
    public string SelfName { get; } = bootstrap.FindNode(selfId)?.Name ?? selfId.ToString();
    public bool DebugLogging { get; } = debug;
    public ControllerMutation Mutation { get; set; }

    public Moment Now { get; set; }
    public MembershipView View { get; set; } = new(0, [selfId], false, false, null, false, 1, bootstrap.Quorum.ExpectedVotes);
    public IReadOnlyDictionary<int, CibVersion> PeerVersions { get; set; } = new Dictionary<int, CibVersion>();

    /// <summary>The configuration in force (parsed from the CIB this node holds), null until one parses.</summary>
    public ClusterConfig? Config { get; set; }
    /// <summary>The CIB version <see cref="Config"/> came from.</summary>
    public CibVersion ConfigVersion { get; set; } = new(-1, -1, -1);

    public List<ControllerCommand> Outbox { get; } = new();

    /// <summary>The highest DC term this node knows of: from DCs' round requests, members' reports, its own.</summary>
    public long KnownTerm { get; set; }

    public void LearnTerm(long term)
    {
        if (term > KnownTerm) KnownTerm = term;
    }

    public string Name(int id) => Bootstrap.FindNode(id)?.Name ?? id.ToString();
    public int? IdOf(string name) => Bootstrap.FindNode(name)?.Id;

    /// <summary>This node is the DC of an agreed, settled view.</summary>
    public bool IsDc => (View.Dc == SelfId && View.Agreed && View.Settled) || StickyDc;

    /// <summary>Only under <see cref="ControllerMutation.StickyDc"/>: once DC, always DC.</summary>
    public bool StickyDc { get; set; }

    public IEnumerable<int> OtherMembers => View.Members.Where(m => m != SelfId);

    public void Emit(ControllerCommand command)
    {
        if (command is RunOperation) RunningHere++;
        Outbox.Add(command);
    }

    /// <summary>Actions this node's resource manager runs now: asked with <see cref="RunOperation"/>, not yet <see cref="OperationFinished"/>.</summary>
    public int RunningHere { get; set; }
    public void Send(int to, ControllerMessage message) => Outbox.Add(new SendMessage(to, message));
    public void Log(ControllerLogLevel level, string text) => Outbox.Add(new Log(level, text));
    public void Info(string text) => Log(ControllerLogLevel.Information, text);
    public void Warn(string text) => Log(ControllerLogLevel.Warning, text);
    public void Error(string text) => Log(ControllerLogLevel.Error, text);

    /// <summary>A debug line, built only when debug logging is on (the builder is skipped otherwise; an empty line is not logged).</summary>
    public void Debug(Func<string> text)
    {
        if (DebugLogging && text() is { Length: > 0 } line) Log(ControllerLogLevel.Debug, line);
    }

    public bool Has(ControllerMutation mutation) => (Mutation & mutation) != 0;
}
