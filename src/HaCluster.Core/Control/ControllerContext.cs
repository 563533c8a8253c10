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
    public long KnownTerm { get; private set; }

    /// <summary>
    /// The DCs known to have held <see cref="KnownTerm"/> (node ids; 0: one not known). Two DCs
    /// that take over at once from the same knowledge pick the same term; whoever learns that
    /// another held its term moves to a higher one (CommitProtocol).
    /// </summary>
    public IReadOnlyCollection<int> KnownTermHolders => knownTermHolders;
    private readonly HashSet<int> knownTermHolders = new();

    public void LearnTerm(long term, IEnumerable<int>? holders)
    {
        if (term < KnownTerm) return;
        if (term > KnownTerm)
        {
            KnownTerm = term;
            knownTermHolders.Clear();
        }
        if (holders is null) knownTermHolders.Add(0);
        else foreach (var h in holders) knownTermHolders.Add(h);
    }

    /// <summary>What this node knows of terms, with the band of the CIB it holds (its epoch's term, held by the DC its num_updates names).</summary>
    public (long Term, int[] Holders) TermFacts(CibVersion cib)
    {
        var cibTerm = cib.Epoch / CommitProtocol.TermStride;
        if (cibTerm > KnownTerm) return (cibTerm, [(int)cib.NumUpdates]);
        var holders = knownTermHolders.ToList();
        if (cibTerm == KnownTerm && cibTerm > 0 && !holders.Contains((int)cib.NumUpdates)) holders.Add((int)cib.NumUpdates);
        return (KnownTerm, holders.ToArray());
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
