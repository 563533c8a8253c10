using HaCluster.Core.Api;
using HaCluster.Core.Cib;
using HaCluster.Core.Cib.Syntax;
using HaCluster.Core.Membership;
using HaCluster.Core.Policy;
using HaCluster.Core.Status;

namespace HaCluster.Core.Control;

/// <summary>
/// The controller of one node, as a deterministic state machine: <see cref="Step"/> takes one
/// <see cref="ControllerEvent"/> at a <see cref="Moment"/> and returns the
/// <see cref="ControllerCommand"/>s it calls for. No clock, thread, socket or file inside: the
/// daemon feeds it real events and carries its commands out; the whole-cluster simulator runs
/// several of it over a simulated network, clock, disk and executor.
/// <para>On every node it keeps the local resources probed against the configuration in force,
/// reports them to the DC, replicates the CIB (<see cref="CibReplication"/>) and runs actions the
/// DC asks for. On the DC it also runs report rounds (<see cref="ReportRounds"/>), schedules
/// whenever something changed (membership, a result, a report, the configuration, the recheck
/// timer) and runs the transition (<see cref="TransitionEngine"/>); it alone commits
/// configurations (<see cref="CommitProtocol"/>) and asks for fencing (<see cref="FencingBook"/>).</para>
/// </summary>
public sealed class Controller
{
    /// <summary>How often the DC runs the scheduler with nothing changed, unless the CIB's
    /// cluster-recheck-interval says otherwise (Pacemaker's default is 15 minutes; ours is short
    /// because a recheck costs milliseconds).</summary>
    public static readonly TimeSpan DefaultRecheckInterval = TimeSpan.FromSeconds(15);

    /// <summary>cluster-recheck-interval as configured ("0" turns the periodic recheck off), else the default.</summary>
    public static TimeSpan RecheckInterval(ClusterConfig? config) =>
        config?.Property("cluster-recheck-interval") is { } text && Duration.TryParseMilliseconds(text, out var ms)
            ? ms == 0 ? TimeSpan.MaxValue : TimeSpan.FromMilliseconds(ms)
            : DefaultRecheckInterval;

    /// <summary>When the last schedule said its answer would change by itself (a failure expiring).</summary>
    private DateTimeOffset? recheckBy;

    private readonly ControllerContext context;
    private readonly CibReplication cib;
    private readonly FencingBook fencing;
    private readonly ReportRounds rounds;
    private readonly TransitionEngine transitions;
    private readonly WatchdogFencing watchdog;
    private readonly CommitProtocol commits;
    private readonly Func<string, ClusterStatus?> readPicture;

    /// <summary>This node's resources as its resource manager last reported them (<see cref="Local"/> adds what runs now).</summary>
    private NodeReport local;

    /// <summary>The last report round each DC asked this node to answer: actions count only from that round.</summary>
    private readonly Dictionary<int, long> askedRound = new();
    private int? lastDc;
    private long lastViewEpoch = -1;
    private TimeSpan? lastRun;
    private string? lastSentPicture;

    /// <param name="cibVersion">The CIB this node holds on disk (version and document) as it starts.</param>
    /// <param name="readPicture">Reads a DC's status picture (the daemon passes a cached reader; null: parse each time).</param>
    /// <param name="incarnation">This start's incarnation (as membership's): keys the actions it sends as DC.</param>
    public Controller(ClusterBootstrap bootstrap, int selfId, CibVersion cibVersion, byte[] cibXml, bool debugLogging = false,
        Func<string, ClusterStatus?>? readPicture = null, long incarnation = 0)
    {
        context = new ControllerContext(bootstrap, selfId, debugLogging, incarnation);
        cib = new CibReplication(context, cibVersion, cibXml);
        fencing = new FencingBook(context);
        rounds = new ReportRounds(context, fencing);
        watchdog = new WatchdogFencing(context);
        transitions = new TransitionEngine(context, fencing, watchdog);
        commits = new CommitProtocol(context, cib, LoadConfiguration, rounds);
        this.readPicture = readPicture ?? (xml => CibXmlReader.Parse(xml, "status picture").Status);
        local = new NodeReport(context.SelfName, -1, false, [], []);
    }

    public int SelfId => context.SelfId;
    public string SelfName => context.SelfName;
    public CibVersion CibVersion => cib.Version;
    public byte[] CibXml => cib.Xml;
    public ClusterConfig? Configuration => context.Config;
    public MembershipView View => context.View;
    /// <summary>This node acts as the DC (of an agreed, settled view).</summary>
    public bool IsDc => context.IsDc;
    public IReadOnlyList<FenceEventReply> FencingHistory => fencing.History;
    /// <summary>The DC's last scheduler input as CIB XML (from the DC itself, or sent by it), for `hacrm status`.</summary>
    public string? LastStatusXml { get; private set; }
    /// <summary>A transition is running (on the DC).</summary>
    public bool TransitionRunning => transitions.Running;
    /// <summary>Something waits on membership facts (a commit's confirmation): the host should feed them promptly.</summary>
    public bool WaitingOnMembership => commits.Waiting;

    internal ControllerMutation Mutation
    {
        get => context.Mutation;
        set => context.Mutation = value;
    }

    /// <summary>Takes one event at <paramref name="now"/>; returns what to do, in order.</summary>
    public IReadOnlyList<ControllerCommand> Step(Moment now, ControllerEvent input)
    {
        context.Now = now;
        context.Outbox.Clear();
        if (context.ConfigVersion != cib.Version) LoadConfiguration();
        switch (input)
        {
            case Tick:
                Reconsider();
                break;
            case MembershipChanged m:
                context.View = m.View;
                context.PeerVersions = m.PeerVersions;
                Reconsider();
                break;
            case MessageReceived r:
                Receive(r.From, r.Message);
                break;
            case LocalStateChanged l:
                NoteLocal(l.Report);
                PushReport();
                break;
            case OperationFinished f:
                Finished(f);
                break;
            case CommitRequested c:
                commits.Request(c);
                break;
            case LeavingCleanly:
                foreach (var m in context.OtherMembers) context.Send(m, new LeftCleanlyMessage());
                break;
            case CleanupRequested c:
                foreach (var m in context.OtherMembers) context.Send(m, new CleanupMessage(c.Resource));
                CleanupHere(c.Resource);
                break;
            case AttributeRequested a:
                RequestAttribute(a);
                break;
            case SchedulerInputRecorded s:
                Recorded(s.Xml);
                break;
            default:
                throw new ArgumentException($"unknown controller event {input.GetType().Name}");
        }
        var commands = context.Outbox.ToList();
        context.Outbox.Clear();
        return commands;
    }

    /// <summary>Time passed or membership moved: the view's consequences, CIB copies owed, commits waiting.</summary>
    private void Reconsider()
    {
        Reconcile();
        cib.Push();
        commits.Check();
    }

    /// <summary>The configuration in the CIB this node holds is now in force: probe what is new, warm the caches.</summary>
    private void LoadConfiguration()
    {
        context.ConfigVersion = cib.Version;
        var parsed = CibXmlReader.Parse(System.Text.Encoding.UTF8.GetString(cib.Xml), "cib.xml");
        if (parsed.Config is null)
        {
            context.Error($"CIB {cib.Version} has no usable configuration: {string.Join("; ", parsed.Errors)}");
            return;
        }
        // Every member of cluster.yaml is a node of the CIB, as Pacemaker's controller adds a
        // node entry when a node first joins.
        var known = parsed.Config.Nodes.Select(n => n.Uname).ToHashSet();
        var missing = context.Bootstrap.Nodes.Where(n => !known.Contains(n.Name)).Select(n => new NodeDefinition(n.Name, n.Name)).ToList();
        var config = missing.Count == 0 ? parsed.Config : parsed.Config with { Nodes = parsed.Config.Nodes.Concat(missing).ToEquatableArray() };
        context.Config = config;
        context.Info($"configuration {cib.Version}: {config.AllResources().OfType<Primitive>().Count()} primitive(s)");
        context.Emit(new ProbeResources(config, cib.Version.ToString()));
        context.Emit(new ConfigurationLoaded(config));
    }

    /// <summary>
    /// What the view calls for: members noted, a new report round on a DC with a new view, the
    /// last DC's picture adopted on taking over, this node's report to a new DC, the transition
    /// deadline, the recheck.
    /// </summary>
    private void Reconcile()
    {
        var view = context.View;
        transitions.Recovery.Members(view.Members, view.Dc, context.SelfId, context.Now.Elapsed);
        if (!context.IsDc) rounds.Invalidate();
        rounds.NoteMembers();
        if (context.Has(ControllerMutation.StickyDc) && context.IsDc) context.StickyDc = true;
        // Taking over as DC (from another, or from none): a new term, before the round's requests carry it.
        if (view.Dc == context.SelfId && lastDc != context.SelfId) commits.BecameDc();
        // A DC with a new agreed view starts a round before anything else, so nothing is
        // scheduled from the old round's reports and then abandoned at once.
        var newRound = rounds.OpenIfNewView(Local);
        if (newRound) transitions.Abandon("membership changed");
        // A node that is no longer the DC sends no more actions (a partition's DC kept running
        // its transition after the partition healed, next to the real DC's: simulator, seed 131).
        else if (!context.IsDc && transitions.Running) transitions.Abandon("this node is no longer the DC");
        // Becoming DC (after another one, or after a spell without one): learn what it knew.
        if (view.Dc == context.SelfId && lastDc != context.SelfId) AdoptFromLastPicture();
        if (view.Dc != lastDc || view.Epoch != lastViewEpoch)
        {
            // Every node reports to a new DC, and again whenever the view changes (the DC's own
            // report is in the round it just started).
            lastDc = view.Dc;
            lastViewEpoch = view.Epoch;
            if (!newRound) PushReport();
        }
        if (newRound) Evaluate();
        else if (context.IsDc) rounds.AskAgainIfSilent();
        transitions.CheckDeadline();
        watchdog.Check(() => ResourceHistoryBook.Active(local.Histories));
        foreach (var fenced in transitions.DueWatchdogFencings()) Completed(fenced);
        if (!transitions.Running && (lastRun is not { } run || context.Now.Elapsed - run > RecheckInterval(context.Config) || context.Now.Wall >= recheckBy)) Evaluate();
    }

    private void AdoptFromLastPicture()
    {
        if (LastStatusXml is not { } xml) return;
        try
        {
            if (readPicture(xml) is { } picture) rounds.AdoptFromPicture(picture);
        }
        catch (Exception e) when (e is System.Xml.XmlException or FormatException)
        {
            context.Warn($"cannot read the previous DC's last status: {e.Message}");
        }
    }

    /// <summary>Sends this node's resources to the DC (or records them, on the DC).</summary>
    private void PushReport()
    {
        if (context.View.Dc is not { } dc) return;
        if (dc == context.SelfId)
        {
            rounds.RecordOwn(Local);
            transitions.Recovery.Reported(Local, context.Now.Elapsed);
            Evaluate();
        }
        else context.Send(dc, new ReportMessage(Local with { ViewEpoch = -1 }));
    }

    private void Receive(int from, ControllerMessage message)
    {
        switch (message)
        {
            case ReportRequest request:
                askedRound[from] = request.Round;
                context.LearnTerm(request.Term, request.TermHolders);
                context.Debug(() => $"the DC ({context.Name(from)}) asks for this node's resources (round {request.Round})");
                context.Send(from, new ReportMessage(Local with { ViewEpoch = request.Round }));
                break;
            // Recorded by the elected DC even while its view is, for a moment, not agreed (a late
            // heartbeat with an old member list): dropped then, the answer to its round request
            // was lost for good and the DC waited for it forever (simulator, seed 3).
            case ReportMessage report when context.IsDc || context.View.Dc == context.SelfId:
                rounds.Record(report.Report);
                transitions.Recovery.Reported(report.Report, context.Now.Elapsed);
                Evaluate();
                commits.Check();
                break;
            case ReportMessage:
                break;
            case ExecuteMessage execute when !askedRound.TryGetValue(from, out var round) || round != execute.Request.Round:
                // Planned in a round this node did not answer last (or before it started): the
                // DC has abandoned that transition since. An action of it resent to a node that
                // had been fenced and started again ran there next to the copy the DC had started
                // elsewhere meanwhile (simulator, seed 1102859). Dropped without an answer: a
                // failure would count against the resource (a failed stop means fencing).
                context.Warn($"action {execute.Request.Task} {execute.Request.Resource} from {context.Name(from)} refused: planned in its round {execute.Request.Round}, "
                    + (askedRound.TryGetValue(from, out var last) ? $"and this node last answered its round {last}" : "and it has not asked this node for its resources since it started"));
                break;
            case ExecuteMessage execute:
                if (context.Config is null)
                {
                    context.Send(from, new ReportMessage(Local with { ViewEpoch = -1 }));
                    context.Send(from, new ResultMessage(execute.Request.Answer(1, false, "no configuration yet")));
                }
                else context.Emit(new RunOperation(execute.Request, context.Config, from));
                break;
            case ResultMessage result:
                Completed(result.Result);
                break;
            case StatusPictureMessage picture:
                LastStatusXml = picture.Xml;
                context.Emit(new PictureReceived(picture.Xml));
                break;
            case CommitMessage commit:
                commits.Received(from, commit.Request);
                break;
            case CommitResultMessage committed:
                commits.Answered(committed.Reply);
                break;
            case CleanupMessage cleanup:
                CleanupHere(cleanup.Resource);
                break;
            case AttributeMessage attribute:
                if (attribute.Change.Node == context.SelfName) SetAttributeHere(attribute.Change);
                break;
            case FencedMessage fenced:
                fencing.Record(fenced.Event);
                break;
            case FenceYourselfMessage order when from == context.View.Dc:
                watchdog.FenceSelfOnOrder(context.Name(from), order.Reason);
                break;
            case FenceYourselfMessage:
                break;
            case LeftCleanlyMessage:
                rounds.NoteLeftCleanly(context.Name(from));
                break;
            case CibCopyMessage copy:
                if (cib.Adopt(from, copy)) LoadConfiguration();
                break;
            case CibPatchMessage patch:
                if (cib.AdoptPatch(from, patch.Patch)) LoadConfiguration();
                break;
            case CibCopyWantedMessage wanted:
                cib.WholeCopyWanted(from, wanted.Have);
                break;
        }
    }

    /// <summary>
    /// This node's report: its resource manager's, with the actions running here now. The DC
    /// plans nothing while any runs anywhere: what it does is not in the histories yet, and a plan
    /// made without it could start the same resource elsewhere (simulator, seeds 69 and 131).
    /// </summary>
    private NodeReport Local
    {
        get
        {
            var (term, holders) = context.TermFacts(cib.Version);
            return local with { Pending = context.RunningHere, Term = term, TermHolders = holders };
        }
    }

    /// <summary>This node's record as the executor last took it; never an older take over a newer.</summary>
    private void NoteLocal(NodeReport report)
    {
        if (report.Revision >= local.Revision) local = report;
    }

    private void Finished(OperationFinished finished)
    {
        NoteLocal(finished.ReportAfter);
        if (context.RunningHere > 0) context.RunningHere--;
        var dc = context.View.Dc;
        if (finished.RequestedBy == context.SelfId)
        {
            if (context.IsDc)
            {
                rounds.RecordOwn(Local);
                transitions.Recovery.Reported(Local, context.Now.Elapsed);
            }
            Completed(finished.Result);
            // Nothing running here any more may be what the DC waited for (an action of a
            // transition it abandoned: simulator, seed 75).
            if (context.IsDc) Evaluate();
            else if (dc is not null) PushReport();
            return;
        }
        // The report goes first: the DC sees the new state before the result.
        context.Send(finished.RequestedBy, new ReportMessage(Local with { ViewEpoch = -1 }));
        context.Send(finished.RequestedBy, new ResultMessage(finished.Result with { Node = finished.Result.Node ?? context.SelfName }));
        // An action a former DC asked for: the DC now waits for it to end (its report says it
        // runs), so it hears of the end too (simulator, seed 7).
        if (dc is not null && dc != finished.RequestedBy) PushReport();
    }

    private void Completed(ExecuteResult result)
    {
        // Every member keeps the fencing history, so `hacrm status` anywhere (and a later DC) shows it.
        if (result.Target is not null) fencing.Completed(result);
        if (transitions.Completed(result, rounds.Reports)) Evaluate();
    }

    private void RequestAttribute(AttributeRequested request)
    {
        var change = request.Change;
        if (change.Node == context.SelfName)
        {
            SetAttributeHere(change);
            context.Emit(new RequestAnswered(request.RequestId, true, null));
            return;
        }
        var member = context.View.Members.Where(m => context.Name(m) == change.Node).Select(m => (int?)m).FirstOrDefault();
        if (member is null)
        {
            context.Emit(new RequestAnswered(request.RequestId, false, $"node {change.Node} is not a member of the cluster now"));
            return;
        }
        context.Send(member.Value, new AttributeMessage(change));
        context.Emit(new RequestAnswered(request.RequestId, true, null));
    }

    private void SetAttributeHere(AttributeChange change)
    {
        context.Info($"node attribute {change.Name} {(change.Value is null ? "deleted" : $"= {change.Value}")}");
        context.Emit(new SetLocalAttribute(change.Name, change.Value));
    }

    private void CleanupHere(string resource)
    {
        context.Info($"cleanup of {resource}: history forgotten; probing again");
        context.Emit(new ForgetResource(resource, context.Config, context.ConfigVersion.ToString()));
    }

    /// <summary>Runs the scheduler if this node is the DC, every member has reported, and no transition runs.</summary>
    private void Evaluate()
    {
        while (true)
        {
            if (context.Config is not { } config || transitions.Running || !context.IsDc) return;
            var view = context.View;
            var members = view.Members.Select(context.Name).ToList();
            // Every member must have probed this very configuration: a node that has not looked
            // for a resource yet could be running it.
            if (!rounds.AllReady(members, context.ConfigVersion.ToString())) return;
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var status = rounds.BuildStatus(config, cib.Version, view.Quorate, members, rounds.Reports, rounds.Leaving);
            lastRun = context.Now.Elapsed;
            var (graph, scheduled) = Scheduler.Run(SchedulerInput(config), status, context.Now.Wall);
            recheckBy = scheduled.RecheckBy;
            rounds.ShutdownLocks.Record(scheduled);
            var schedulingTime = System.Diagnostics.Stopwatch.GetElapsedTime(started);
            // Actions first; the record of the input (a file, the members' status copies) after
            // them, off the controller's path.
            var before = transitions.LastStarted;
            var endedAtOnce = transitions.Start(graph, schedulingTime, rounds.Reports, RecheckInterval(config), rounds.Round);
            context.Emit(new RecordSchedulerInput(config, status, context.Now.Wall, cib.Version, transitions.LastStarted != before ? transitions.LastStarted : null));
            if (!endedAtOnce) return;
        }
    }

    /// <summary>The scheduler input was written as <paramref name="xml"/>: members get the same picture (only when it changed, the execution date aside).</summary>
    private void Recorded(string xml)
    {
        var comparable = System.Text.RegularExpressions.Regex.Replace(xml, "execution-date=\"\\d+\"", "");
        if (comparable != lastSentPicture)
        {
            lastSentPicture = comparable;
            foreach (var m in context.OtherMembers) context.Send(m, new StatusPictureMessage(xml));
        }
        LastStatusXml = xml;
    }

    /// <summary>
    /// What the DC would do now, with no effect: the scheduler on the members' reports (null when
    /// not the DC, or a member has not reported this round). The simulator's liveness check: a
    /// cluster has converged when this is empty and no transition runs.
    /// </summary>
    internal TransitionGraph? PlanNow()
    {
        if (context.Config is not { } config || !context.IsDc) return null;
        var members = context.View.Members.Select(context.Name).ToList();
        if (!rounds.AllReady(members, context.ConfigVersion.ToString())) return null;
        var status = rounds.BuildStatus(config, cib.Version, context.View.Quorate, members, rounds.Reports, new HashSet<string>(rounds.Leaving));
        return Scheduler.Schedule(SchedulerInput(config), status, context.Now.Wall);
    }

    /// <summary>The configuration as the scheduler is to see it (watchdog fencing made explicit).</summary>
    private ClusterConfig SchedulerInput(ClusterConfig config)
    {
        var input = watchdog.AsSchedulerSees(config);
        if (!context.Has(ControllerMutation.PromotedMaxMisread)) return input;
        // The mutant reads every promotable clone's promoted-max as 2.
        return input with
        {
            Resources = input.Resources.Select(r => r is Clone { IsPromotable: true } c
                ? c with { MetaAttributes = c.MetaAttributes.Select(set => set with { Pairs = set.Pairs.Where(p => p.Name is not ("promoted-max" or "master-max")).ToEquatableArray() })
                    .Prepend(AttributeSet.Of(("promoted-max", "2"))).ToEquatableArray() }
                : r).ToEquatableArray(),
        };
    }

    /// <summary>
    /// The rest of a new DC's first decision, with no effect: the status from this node's own
    /// report in the name of every surviving member, a transition's bookkeeping and log line, the
    /// choice of a fencing device. Run first in a failover these cost 10-15 ms (first-use code
    /// and types); the daemon runs them ahead, on a rehearsed graph.
    /// </summary>
    public void RehearseTakeover(TransitionGraph rehearsed)
    {
        if (context.Config is not { } config || context.View.Dc is not { } dc || dc == context.SelfId) return;
        var own = Local with { ShuttingDown = false };
        var members = context.View.Members.Where(m => m != dc).Select(context.Name).ToList();
        var asIfReported = members.ToDictionary(m => m, m => own with { Node = m });
        _ = rounds.BuildStatus(config, cib.Version, context.View.Quorate, members, asIfReported, new HashSet<string>());
        _ = TransitionEngine.Describe(rehearsed);
        foreach (var a in rehearsed.Actions.Where(a => a.Resource is null && !a.Pseudo)) _ = fencing.FencerFor(a.Node, asIfReported);
    }
}
