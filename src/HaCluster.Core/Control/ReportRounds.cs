using HaCluster.Core.Cib;
using HaCluster.Core.Status;

namespace HaCluster.Core.Control;

/// <summary>
/// The DC's report rounds: with every new agreed view the DC asks each member for its resources
/// and schedules only when every member has answered this round and has probed the configuration
/// in force, so a resource running on a node it has not heard from yet is never started a second
/// time. From the reports it builds the scheduler's status (<see cref="BuildStatus"/>): members
/// online, nodes that left lost (to be fenced) unless they shut down cleanly or were fenced.
/// </summary>
internal sealed class ReportRounds(ControllerContext context, FencingBook fencing)
{
    private readonly Dictionary<string, NodeReport> reports = new();
    private readonly HashSet<string> everMember = new();
    /// <summary>Nodes that reported a shutdown: when they leave, they left cleanly.</summary>
    private readonly HashSet<string> leaving = new();
    private long roundEpoch = -1;
    private string? lastWaitingFor;
    private TimeSpan lastAsked;

    /// <summary>How long the DC waits for a member's answer to its round before asking again.</summary>
    public static readonly TimeSpan AskAgainAfter = TimeSpan.FromSeconds(1);

    /// <summary>Resources kept for nodes that shut down under shutdown-lock.</summary>
    public ShutdownLockBook ShutdownLocks { get; } = new();

    public long Round { get; private set; }
    public IReadOnlyDictionary<string, NodeReport> Reports => reports;
    public HashSet<string> Leaving => leaving;

    /// <summary>A node said, as it left, that it had shut down cleanly.</summary>
    public void NoteLeftCleanly(string node)
    {
        leaving.Add(node);
        context.Info($"{node} shut down cleanly and leaves the cluster");
    }

    private HashSet<string> lastMembers = new();

    /// <summary>Members seen now: known as members, not fenced any more; back from a shutdown, their locks are released.</summary>
    public void NoteMembers()
    {
        var now = context.View.Members.Select(context.Name).ToHashSet();
        foreach (var name in now.Except(lastMembers))
            // Back (restarted, or the partition healed): if it is lost again later, that is not the shutdown it announced.
            if (!(reports.TryGetValue(name, out var back) && back.ShuttingDown)) leaving.Remove(name);
        lastMembers = now;
        foreach (var m in context.View.Members)
        {
            var name = context.Name(m);
            everMember.Add(name);
            fencing.Rejoined(name);
            if (reports.TryGetValue(name, out var r) && !r.ShuttingDown)
            {
                leaving.Remove(name);
                ShutdownLocks.Forget(name);
            }
        }
    }

    /// <summary>
    /// Opens a round if this node is the DC of an agreed view it has not opened one for: every
    /// member reports afresh before anything is scheduled. True when a round was opened.
    /// </summary>
    public bool OpenIfNewView(NodeReport own)
    {
        var view = context.View;
        if (!context.IsDc || roundEpoch == view.Epoch) return false;
        roundEpoch = view.Epoch;
        Round++;
        reports.Clear();
        context.Info($"round {Round}: asking {view.Members.Count - 1} member(s) for their resources");
        foreach (var m in context.OtherMembers) context.Send(m, Request());
        lastAsked = context.Now.Elapsed;
        reports[context.SelfName] = own with { ViewEpoch = Round };
        return true;
    }

    /// <summary>
    /// This node is not the DC now (even for a moment): what its reports say may be stale when it
    /// is DC again, whatever the view's epoch, so it then opens a new round. A DC paused for a
    /// second kept its view (its peers' silence was excused), was replaced meanwhile, came back
    /// and planned from reports older than what its successor had started: a VIP ran on two
    /// nodes (simulator, seed 6331 of a long run).
    /// </summary>
    public void Invalidate() => roundEpoch = -1;

    /// <summary>
    /// Asks again the members that have not answered this round for <see cref="AskAgainAfter"/>:
    /// an answer can be lost with a member's restart (the reliable channel is reset) and nothing
    /// else would ever ask for it.
    /// </summary>
    public void AskAgainIfSilent()
    {
        if (context.Now.Elapsed - lastAsked < AskAgainAfter) return;
        var silent = context.OtherMembers.Where(m => !(reports.TryGetValue(context.Name(m), out var r) && r.ViewEpoch == Round)).ToList();
        if (silent.Count == 0) return;
        lastAsked = context.Now.Elapsed;
        context.Debug(() => $"round {Round}: asking {string.Join(", ", silent.Select(context.Name))} again");
        foreach (var m in silent) context.Send(m, Request());
    }

    private ReportRequest Request() => new(Round, context.KnownTerm, context.KnownTermHolders.ToArray());

    /// <summary>Every other member's report in this round says it knows <paramref name="term"/> (or a higher one).</summary>
    public bool AllKnowTerm(long term) =>
        context.OtherMembers.All(m => reports.TryGetValue(context.Name(m), out var r) && r.ViewEpoch == Round && r.Term >= term);

    private TimeSpan? lastToldTerm;

    /// <summary>
    /// Tells the members that do not know <paramref name="term"/> yet (asking them again within
    /// this round: their answers say they learned it), at most once per <see cref="AskAgainAfter"/>.
    /// </summary>
    public void TellTerm(long term)
    {
        if (lastToldTerm is { } told && context.Now.Elapsed - told < AskAgainAfter) return;
        var lacking = context.OtherMembers.Where(m => !(reports.TryGetValue(context.Name(m), out var r) && r.ViewEpoch == Round && r.Term >= term)).ToList();
        if (lacking.Count == 0) return;
        lastToldTerm = context.Now.Elapsed;
        context.Debug(() => $"round {Round}: telling {string.Join(", ", lacking.Select(context.Name))} of term {term}");
        foreach (var m in lacking) context.Send(m, Request());
    }

    /// <summary>The DC's own report, always current in the round.</summary>
    public void RecordOwn(NodeReport own) => reports[context.SelfName] = own with { ViewEpoch = Round };

    /// <summary>A member's report: it answers the current round, or updates a member already counted in it.</summary>
    public void Record(NodeReport report)
    {
        context.LearnTerm(report.Term, report.TermHolders);
        if (report.ViewEpoch == Round || reports.ContainsKey(report.Node))
            reports[report.Node] = report with { ViewEpoch = Round };
        context.Debug(() => $"report from {report.Node} (round {report.ViewEpoch}, now {Round}): {report.Histories.Count} operation histories");
    }

    /// <summary>Every member has answered this round (the DC then knows every term they know of).</summary>
    public bool AllAnswered() => context.View.Members.All(m => reports.TryGetValue(context.Name(m), out var r) && r.ViewEpoch == Round);

    /// <summary>
    /// Every member has reported this round, having probed configuration <paramref name="version"/>
    /// and with no operation running: an action still running (one of a transition abandoned when
    /// the view changed, or of a DC that died) is not in the member's history yet, and a plan made
    /// without it could start the same resource elsewhere (simulator, seed 69).
    /// </summary>
    public bool AllReady(IReadOnlyList<string> members, string version)
    {
        bool Ready(string m) => reports.TryGetValue(m, out var r) && r.ViewEpoch == Round && r.ProbedConfiguration == version && r.Pending == 0;
        if (members.All(Ready))
        {
            lastWaitingFor = null;
            return true;
        }
        // Said once per change (at debug level: every round waits a little), so an operator
        // chasing a cluster that does nothing can see whom the DC waits for.
        context.Debug(() =>
        {
            var why = string.Join(", ", members.Where(m => !Ready(m)).Select(m => reports.TryGetValue(m, out var r)
                ? r.ViewEpoch != Round ? $"{m} (no report this round)"
                : r.Pending > 0 ? $"{m} ({r.Pending} operation(s) still running)"
                : $"{m} (probed {r.ProbedConfiguration ?? "nothing"} yet)"
                : $"{m} (no report)"));
            var changed = why != lastWaitingFor;
            lastWaitingFor = why;
            return changed ? $"round {Round}: waiting for {why} before scheduling (configuration {version})" : "";
        });
        return false;
    }

    /// <summary>The scheduler's status from <paramref name="reportsByNode"/>; members shutting down are added to <paramref name="leavingNodes"/>.</summary>
    public ClusterStatus BuildStatus(ClusterConfig config, CibVersion version, bool quorate, List<string> members,
        IReadOnlyDictionary<string, NodeReport> reportsByNode, HashSet<string> leavingNodes)
    {
        var nodes = new List<NodeState>();
        var stonith = CibBoolean.TryParse(config.Property("stonith-enabled")) ?? true;
        // Pacemaker's startup-fencing (on by default): a node this controller has never seen as a
        // member is in an unknown state, so it is fenced before its resources could start
        // elsewhere. Taken for cleanly down, a node whose daemon had died while the DC restarted
        // kept its VIP running when the VIP was started elsewhere (simulator, seed 32882).
        var startupFencing = CibBoolean.TryParse(config.Property("startup-fencing")) ?? true;
        foreach (var n in config.Nodes.Select(n => n.Uname).Union(context.Bootstrap.Nodes.Select(n => n.Name)))
        {
            if (members.Contains(n) && reportsByNode.TryGetValue(n, out var r))
            {
                if (r.ShuttingDown) leavingNodes.Add(n);
                nodes.Add(new NodeState(n, n, "true", "online", "member", r.ShuttingDown ? "down" : "member",
                    Shutdown: r.ShuttingDown ? ShutdownLocks.Since(n, context.Now.Wall).ToString() : null,
                    TransientAttributes: r.Attributes.Select(kv => new NvPair(kv.Key, kv.Value)).ToEquatableArray(),
                    Resources: (r.ShuttingDown ? ShutdownLocks.WithLocks(n, r.Histories.Select(ToHistory)) : r.Histories.Select(ToHistory)).ToEquatableArray()));
            }
            else
            {
                // A member that left is lost (to be fenced when fencing is on), and so is one never
                // seen (unless startup-fencing=false). A node that announced its shutdown and left
                // has stopped its resources: not lost.
                var lost = stonith && IsLost(n, startupFencing, leavingNodes);
                // One that shut down cleanly may have resources locked to it (shutdown-lock).
                nodes.Add(new NodeState(n, n, "false", "offline", "down", lost ? "member" : "down",
                    Resources: leavingNodes.Contains(n) ? ShutdownLocks.HistoryOf(n) : EquatableArray<ResourceHistory>.Empty));
            }
        }
        return new ClusterStatus { HaveQuorum = quorate, DcUuid = context.SelfName, Nodes = nodes.ToEquatableArray(), Version = version };
    }

    /// <summary>
    /// A node not a member now is lost (in an unknown state, to be fenced) unless it was fenced
    /// since, or left cleanly; one never seen is lost only under startup-fencing.
    /// </summary>
    private bool IsLost(string node, bool startupFencing, HashSet<string> leavingNodes) =>
        (everMember.Contains(node) || startupFencing) && !fencing.WasFenced(node) && !leavingNodes.Contains(node);

    /// <summary>
    /// The nodes outside the view that may still be running unfenced (none when fencing is off:
    /// then nothing can be known of them).
    /// </summary>
    public IReadOnlyList<string> UnfencedLostNodes(ClusterConfig config)
    {
        if (!(CibBoolean.TryParse(config.Property("stonith-enabled")) ?? true)) return [];
        var startupFencing = CibBoolean.TryParse(config.Property("startup-fencing")) ?? true;
        var members = context.View.Members.Select(context.Name).ToHashSet();
        return config.Nodes.Select(n => n.Uname).Union(context.Bootstrap.Nodes.Select(n => n.Name))
            .Where(n => !members.Contains(n) && IsLost(n, startupFencing, leaving)).ToList();
    }

    /// <summary>
    /// Taking over as DC: the old DC's last picture says which nodes were shutting down (so
    /// they left cleanly and are not fenced) and which resources were locked to them.
    /// </summary>
    public void AdoptFromPicture(ClusterStatus picture)
    {
        var members = context.View.Members.Select(context.Name).ToHashSet();
        foreach (var n in ShutdownLocks.Adopt(picture, members))
        {
            leaving.Add(n);
            context.Info($"{n} had shut down cleanly under the previous DC");
        }
    }

    private static ResourceHistory ToHistory(HistoryDto h) => new(h.Id, h.Class, h.Provider, h.Type,
        h.Operations.Select(o => new OperationRecord(o.Key, o.Task, o.IntervalMs, o.Rc, o.OpStatus, o.CallId,
            OperationKey: $"{h.Id}_{o.Task}_{o.IntervalMs}", TransitionKey: $"0:0:{o.ExpectedRc}:hacluster", LastRcChange: o.LastRcChange,
            ExitReason: o.ExitReason, OpDigest: o.Digest, MigrateSource: o.MigrateSource, MigrateTarget: o.MigrateTarget)).ToEquatableArray());
}
