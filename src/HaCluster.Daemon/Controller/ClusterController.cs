using HaCluster.Core.Api;
using System.Threading.Channels;
using HaCluster.Core.Cib;
using HaCluster.Core.Cib.Syntax;
using HaCluster.Core.Membership;
using HaCluster.Core.Policy;
using HaCluster.Core.Status;
using HaCluster.Daemon.Cib;
using HaCluster.Transport;
using Microsoft.Extensions.Logging;

namespace HaCluster.Daemon.Controller;

/// <summary>
/// The controller of one node. On every node it keeps the local resource manager probed against
/// the current configuration and reports its resources to the DC. On the DC it also gathers the
/// members' reports, runs the scheduler whenever something changed (membership, a result, a
/// report, the configuration, the recheck timer) and runs the transition: each action is sent to
/// its node when all its inputs are done; an unexpected result aborts the transition (actions in
/// flight finish) and the scheduler runs again on the new facts.
/// <para>The DC schedules only when every member has reported since the view last changed, so a
/// resource running on a node it has not heard from yet is never started a second time.</para>
/// </summary>
public sealed class ClusterController(DaemonContext context, MembershipNode node, CibStore store, LocalResourceManager lrm, ILogger log)
{
    private readonly Channel<Func<Task>> work = Channel.CreateUnbounded<Func<Task>>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<string, NodeReport> reports = new();
    private readonly HashSet<string> everMember = new();
    /// <summary>Nodes fenced since they were last members: cleanly down, not to be fenced again.</summary>
    private readonly HashSet<string> fenced = new();
    /// <summary>Nodes that reported a shutdown: when they leave, they left cleanly.</summary>
    private readonly HashSet<string> leaving = new();
    /// <summary>Resources kept for nodes that shut down under shutdown-lock.</summary>
    private readonly ShutdownLockBook shutdownLocks = new();
    private string? lastCompletedSummary;
    private DateTime lastCompletedAt;
    private bool repeatLogged;
    private ClusterConfig? config;
    private CibVersion configVersion = new(-1, -1, -1);
    private long round;
    /// <summary>How long the last scheduler run took (logged with the transition it produced).</summary>
    private TimeSpan schedulingTime;
    private long lastViewEpoch = -1;
    private long roundEpoch = -1;
    private string? lastWaitingFor;
    private string? lastSentStatus;
    private readonly Dictionary<long, TaskCompletionSource<CommitReply>> pendingCommits = new();
    private long commitCounter;
    private int? lastDc;
    private Transition? transition;
    private long transitionCounter;
    private DateTime lastRun = DateTime.MinValue;
    private CancellationToken stopping;

    private static readonly TimeSpan RecheckInterval = TimeSpan.FromSeconds(15);
    /// <summary>How long an action may go without any result before the transition is given up.</summary>
    private static readonly TimeSpan ActionDeadline = TimeSpan.FromSeconds(120);

    /// <summary>The DC's last scheduler input as CIB XML (from the DC itself, or sent by it), for `hacrm status`.</summary>
    public string? LastStatusXml { get => lastStatusXml; private set => lastStatusXml = value; }
    private volatile string? lastStatusXml;

    private readonly StatusPicture statusPicture = new();

    /// <summary>What `hacrm status` shows: <see cref="LastStatusXml"/> with this node's configuration when it is newer.</summary>
    public string? StatusPictureXml() => statusPicture.Current(LastStatusXml, store.Version, () => store.Xml);

    private string Name(int id) => context.Config.FindNode(id)?.Name ?? id.ToString();
    private int? IdOf(string name) => context.Config.FindNode(name)?.Id;

    /// <summary>From the membership layer (under its lock): only queues.</summary>
    public void OnMessage(int from, ControllerMessage message) => work.Writer.TryWrite(() => Handle(from, message));

    /// <summary>Runs the periodic check now (membership changed): never blocks the caller.</summary>
    public void Wake() => work.Writer.TryWrite(Tick);

    public async Task RunAsync(CancellationToken stop)
    {
        stopping = stop;
        lrm.Changed = () => work.Writer.TryWrite(PushReport);
        lrm.ForwardAttribute = change => SetAttribute(change);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
        var tick = timer.WaitForNextTickAsync(stop).AsTask();
        var next = work.Reader.ReadAsync(stop).AsTask();
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var done = await Task.WhenAny(tick, next);
                if (done == next)
                {
                    await (await next)();
                    next = work.Reader.ReadAsync(stop).AsTask();
                }
                else
                {
                    if (!await tick) break;
                    await Tick();
                    tick = timer.WaitForNextTickAsync(stop).AsTask();
                }
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (Exception e)
            {
                log.LogError(e, "controller: {Error}", e.Message);
            }
        }
    }

    private async Task Tick()
    {
        // A newer configuration (committed or replicated): probe what is new, then report.
        if (store.Version != configVersion)
        {
            configVersion = store.Version;
            var parsed = CibXmlReader.Parse(System.Text.Encoding.UTF8.GetString(store.Xml), "cib.xml");
            if (parsed.Config is null)
            {
                log.LogError("CIB {Version} has no usable configuration: {Problems}", configVersion, string.Join("; ", parsed.Errors));
            }
            else
            {
                // Every member of cluster.yaml is a node of the CIB, as Pacemaker's controller adds
                // a node entry when a node first joins.
                var known = parsed.Config.Nodes.Select(n => n.Uname).ToHashSet();
                var missing = context.Config.Nodes.Where(n => !known.Contains(n.Name)).Select(n => new NodeDefinition(n.Name, n.Name)).ToList();
                config = missing.Count == 0 ? parsed.Config : parsed.Config with { Nodes = parsed.Config.Nodes.Concat(missing).ToEquatableArray() };
                log.LogInformation("configuration {Version}: {Count} primitive(s)", configVersion, config.AllResources().OfType<Primitive>().Count());
                var probing = config;
                var version = configVersion.ToString();
                _ = Task.Run(() => lrm.ProbeAllAsync(probing, version, stopping));
                _ = Task.Run(() => WarmUpScheduler(probing));
            }
        }
        var view = node.Snapshot().View;
        foreach (var m in view.Members)
        {
            everMember.Add(Name(m));
            fenced.Remove(Name(m));
            if (reports.TryGetValue(Name(m), out var r) && !r.ShuttingDown)
            {
                leaving.Remove(Name(m));
                shutdownLocks.Forget(Name(m));
            }
        }
        // A DC with a new agreed view starts a round before anything else, so nothing is
        // scheduled from the old round's reports and then abandoned at once.
        var newRound = view.Dc == node.Self.Id && view.Agreed && view.Settled && roundEpoch != view.Epoch;
        if (newRound)
        {
            // A new round: every member reports afresh before anything is scheduled.
            roundEpoch = view.Epoch;
            round++;
            reports.Clear();
            // The old transition's facts are gone with the view: results still arriving for it are ignored.
            if (transition is not null) log.LogInformation("transition {Id} abandoned: membership changed", transition.Id);
            transition = null;
            // New members may make possible what was not (a node that runs the fencing device).
            lastCompletedSummary = null;
            log.LogInformation("round {Round}: asking {Count} member(s) for their resources", round, view.Members.Count - 1);
            foreach (var m in view.Members.Where(m => m != node.Self.Id))
                node.SendMessage(m, new ControllerMessage(ReportRequested: true, Report: new NodeReport("", round, false, [], [])).Encode());
            reports[node.Self.Name] = lrm.Report(round);
        }
        // Becoming DC (after another one, or after a spell without one): learn what it knew.
        if (view.Dc == node.Self.Id && lastDc != node.Self.Id) AdoptFromLastPicture(view);
        if (view.Dc != lastDc || view.Epoch != lastViewEpoch)
        {
            // Every node reports to a new DC, and again whenever the view changes (the DC's own
            // report is in the round it just started).
            lastDc = view.Dc;
            lastViewEpoch = view.Epoch;
            if (!newRound) await PushReport();
        }
        if (newRound) await Evaluate();
        if (transition is { } t && t.InFlight.Count > 0 && DateTime.UtcNow - t.LastProgress > ActionDeadline)
        {
            log.LogWarning("transition {Id}: no result for {Deadline}s; abandoning it and recomputing", t.Id, ActionDeadline.TotalSeconds);
            transition = null;
        }
        if (transition is null && DateTime.UtcNow - lastRun > RecheckInterval) await Evaluate();
    }

    private bool IsDc(out MembershipView view)
    {
        view = node.Snapshot().View;
        return view.Dc == node.Self.Id && view.Agreed && view.Settled;
    }

    /// <summary>
    /// SIGTERM: tells the DC this node is shutting down (it moves or stops the node's resources,
    /// in order) and waits until nothing runs here, or until <paramref name="patience"/> ends.
    /// A DC that is itself stopping does the same for itself before leaving.
    /// </summary>
    public async Task ShutdownAsync(TimeSpan patience)
    {
        lrm.ShuttingDown = true;
        work.Writer.TryWrite(PushReport);
        var until = DateTime.UtcNow + patience;
        while (lrm.ActiveResources().Count > 0 && DateTime.UtcNow < until)
        {
            if (node.Snapshot().View.Members.Count <= 1) break; // alone: nobody could take them over
            await Task.Delay(100);
        }
        var left = lrm.ActiveResources();
        if (left.Count > 0) log.LogWarning("stopping with resources still active here: {Resources}", string.Join(", ", left));
        else log.LogInformation("no resources active here any more; leaving the cluster");
    }

    /// <summary>Sends this node's resources to the DC (or records them, on the DC).</summary>
    private async Task PushReport()
    {
        var view = node.Snapshot().View;
        if (view.Dc is not { } dc) return;
        if (dc == node.Self.Id)
        {
            reports[node.Self.Name] = lrm.Report(round);
            await Evaluate();
        }
        else node.SendMessage(dc, new ControllerMessage(Report: lrm.Report(-1)).Encode());
    }

    private async Task Handle(int from, ControllerMessage message)
    {
        if (message.ReportRequested == true && message.Report is { } request)
        {
            log.LogDebug("the DC ({Dc}) asks for this node's resources (round {Round})", Name(from), request.ViewEpoch);
            node.SendMessage(from, new ControllerMessage(Report: lrm.Report(request.ViewEpoch)).Encode());
            return;
        }
        if (message.Report is { } report && IsDc(out _))
        {
            // A report answers the current round, or updates a member already counted in it.
            if (report.ViewEpoch == round || reports.ContainsKey(report.Node))
                reports[report.Node] = report with { ViewEpoch = round };
            log.LogDebug("report from {Node} (round {ReportRound}, now {Round}): {Count} operation histories", report.Node, report.ViewEpoch, round, report.Histories.Count);
            await Evaluate();
            return;
        }
        if (message.Execute is { } execute)
        {
            _ = Task.Run(async () =>
            {
                var result = config is null
                    ? new ExecuteResult(execute.Transition, execute.Action, execute.Resource, execute.Task, execute.IntervalMs, 1, false, "no configuration yet")
                    : await lrm.ExecuteAsync(config, execute, stopping);
                // The report goes first: the DC sees the new state before the result.
                node.SendMessage(from, new ControllerMessage(Report: lrm.Report(-1)).Encode());
                node.SendMessage(from, new ControllerMessage(Result: result).Encode());
            });
            return;
        }
        if (message.StatusXml is { } statusXml)
        {
            LastStatusXml = statusXml;
            RehearseTakeoverWhenQuiet(statusXml);
        }
        if (message.Cleanup is { } cleanup)
        {
            CleanupHere(cleanup);
            return;
        }
        if (message.Attribute is { } change)
        {
            if (change.Node == Name(node.Self.Id)) SetAttributeHere(change);
            return;
        }
        if (message.Commit is { } commit)
        {
            var applied = ApplyCommit(commit);
            // Answered once the copies are out, off the controller's loop.
            _ = Task.Run(async () => node.SendMessage(from, new ControllerMessage(CommitResult: await ConfirmedAsync(applied)).Encode()));
            return;
        }
        if (message.CommitResult is { } committed && pendingCommits.Remove(committed.Id, out var waiter))
        {
            waiter.TrySetResult(committed);
            return;
        }
        if (message.Fenced is { } fencedEvent)
        {
            RecordFencing(fencedEvent);
            return;
        }
        if (message.Result is { } result) await Completed(result);
    }

    /// <summary>The fencing history this node knows (bounded), for `hacrm status`.</summary>
    public IReadOnlyList<FenceEventReply> FencingHistory
    {
        get { lock (fencingHistory) return fencingHistory.ToList(); }
    }

    private readonly List<FenceEventReply> fencingHistory = new();
    private const int FencingHistoryLimit = 100;

    private void RecordFencing(FenceEventReply e)
    {
        lock (fencingHistory)
        {
            fencingHistory.Add(e);
            if (fencingHistory.Count > FencingHistoryLimit) fencingHistory.RemoveAt(0);
        }
    }

    private async Task Completed(ExecuteResult result)
    {
        if (result.Target is { } fenceTarget)
        {
            // Every member keeps the history, so `hacrm status` anywhere (and a later DC) shows it.
            var e = new FenceEventReply(fenceTarget, result.Task, result.Ok, result.Resource, result.Node ?? "?", node.Self.Name,
                DateTimeOffset.UtcNow.ToUnixTimeSeconds(), result.ExitReason);
            RecordFencing(e);
            foreach (var m in node.Snapshot().View.Members.Where(m => m != node.Self.Id))
                node.SendMessage(m, new ControllerMessage(Fenced: e).Encode());
        }
        if (result.Ok && result.Target is { } victim && result.Task is not "on" && fenced.Add(victim))
        {
            // The victim is now known to be down: it is not lost any more, and not fenced again
            // (even when the transition that asked for it was abandoned meanwhile).
            log.LogWarning("{Node} fenced ({Task})", victim, result.Task);
        }
        log.LogDebug("transition {Id}: action {Action} ({Task} {Resource}) done on {Node}: {Ok}", result.Transition, result.Action, result.Task, result.Resource, result.Node ?? "?", result.Ok ? "ok" : "failed");
        if (transition is null || transition.Id != result.Transition) return;
        transition.InFlight.Remove(result.Action);
        transition.Done.Add(result.Action);
        transition.LastProgress = DateTime.UtcNow;
        if (!result.Ok)
        {
            log.LogWarning("transition {Id}: {Resource} {Task} failed (rc={Rc}{Reason}); aborting, will recompute",
                transition.Id, result.Resource, result.Task, result.Rc, result.ExitReason is null ? "" : ": " + result.ExitReason);
            transition.Aborted = true;
        }
        await Advance();
    }

    /// <summary>`hacrm resource cleanup RSC`: every member forgets the resource's history and fail counts and probes it again.</summary>
    public void Cleanup(string resource) => work.Writer.TryWrite(() =>
    {
        foreach (var m in node.Snapshot().View.Members.Where(m => m != node.Self.Id))
            node.SendMessage(m, new ControllerMessage(Cleanup: resource).Encode());
        CleanupHere(resource);
        return Task.CompletedTask;
    });

    /// <summary>
    /// `hacrm attribute NODE NAME VALUE` (lifetime reboot): the transient attribute lives with
    /// the node that owns it, which reports it to the DC; null deletes it. False when that node
    /// is not a member now (a transient attribute of a node that is down means nothing).
    /// </summary>
    public bool SetAttribute(AttributeChange change)
    {
        if (change.Node == Name(node.Self.Id))
        {
            work.Writer.TryWrite(() => { SetAttributeHere(change); return Task.CompletedTask; });
            return true;
        }
        var member = node.Snapshot().View.Members.Where(m => Name(m) == change.Node).Select(m => (int?)m).FirstOrDefault();
        if (member is null) return false;
        node.SendMessage(member.Value, new ControllerMessage(Attribute: change).Encode());
        return true;
    }

    private void SetAttributeHere(AttributeChange change)
    {
        log.LogInformation("node attribute {Name} {Change}", change.Name, change.Value is null ? "deleted" : $"= {change.Value}");
        lrm.SetAttribute(change.Name, change.Value);
    }

    private void CleanupHere(string resource)
    {
        var forgotten = lrm.Cleanup(resource);
        log.LogInformation("cleanup of {Resource}: {Count} history entr{Plural} forgotten; probing again", resource, forgotten, forgotten == 1 ? "y" : "ies");
        if (config is not null)
        {
            var probing = config;
            var version = configVersion.ToString();
            _ = Task.Run(() => lrm.ProbeAllAsync(probing, version, stopping));
        }
    }

    /// <summary>
    /// Commits a new configuration (from `hacrm configure load` on any node): the DC validates it
    /// (nothing changes on an error), refuses it when the CIB moved on since the edit began (unless
    /// forced), stores it as the next epoch and lets replication carry it to every member.
    /// </summary>
    public async Task<CommitReply> CommitAsync(string configurationXml, string? baseVersion, bool force, string? user = null)
    {
        var view = node.Snapshot().View;
        if (view.Dc is not { } dc) return new CommitReply(0, false, "no DC yet (the cluster is forming or has no agreed view)", null);
        var request = new CommitRequest(Interlocked.Increment(ref commitCounter), configurationXml, baseVersion, force, user, Name(node.Self.Id));
        if (dc == node.Self.Id)
        {
            var local = new TaskCompletionSource<CommitReply>();
            work.Writer.TryWrite(() => { local.TrySetResult(ApplyCommit(request)); return Task.CompletedTask; });
            return await ConfirmedAsync(await local.Task.WaitAsync(TimeSpan.FromSeconds(30)));
        }
        var waiter = new TaskCompletionSource<CommitReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        work.Writer.TryWrite(() => { pendingCommits[request.Id] = waiter; node.SendMessage(dc, new ControllerMessage(Commit: request).Encode()); return Task.CompletedTask; });
        try
        {
            // The DC may die with the request in hand (a commit during a failover): say so at
            // once rather than after the timeout.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (!waiter.Task.IsCompleted)
            {
                if (DateTime.UtcNow > deadline) throw new TimeoutException();
                var now = node.Snapshot().View;
                if (!now.Members.Contains(dc))
                    return new CommitReply(request.Id, false, $"the DC ({Name(dc)}) left the cluster before confirming; the commit may or may not have been applied: check with `hacrm configure show` and commit again if it is missing", null);
                await Task.WhenAny(waiter.Task, Task.Delay(50));
            }
            var reply = await waiter.Task;
            // Read your own writes: the next edit through this node starts from the version just
            // committed, so wait (briefly) until the DC's copy has reached this node too.
            if (reply.Ok && CibVersion.TryParse(reply.Version, out var committed))
            {
                for (var waited = 0; store.Version < committed && waited < 5000; waited += 10) await Task.Delay(10);
            }
            return reply;
        }
        catch (TimeoutException)
        {
            return new CommitReply(request.Id, false, $"the DC ({Name(dc)}) did not answer within 30 s; the commit may or may not have been applied", null);
        }
    }

    /// <summary>
    /// A commit is confirmed only when every other member holds the new version (or, if some are
    /// slow, a majority of the expected votes does): a DC that stored a commit, answered "ok"
    /// and died before sending it on would otherwise take the commit with it, and the survivors
    /// would carry on with the old configuration.
    /// </summary>
    private async Task<CommitReply> ConfirmedAsync(CommitReply reply)
    {
        if (!reply.Ok || reply.Version is null || !CibVersion.TryParse(reply.Version, out var version)) return reply;
        OnCommitted?.Invoke();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var (view, versions) = node.CibSituation();
            var others = view.Members.Where(m => m != node.Self.Id).ToList();
            var holders = 1 + others.Count(m => versions.TryGetValue(m, out var v) && v >= version);
            if (holders == others.Count + 1) return reply;
            if (clock.Elapsed > CommitConfirmation)
            {
                if (holders * 2 > view.ExpectedVotes) return reply;
                log.LogWarning("configuration {Version}: only {Holders} of {Members} member(s) hold it after {Seconds} s", version, holders, others.Count + 1, CommitConfirmation.TotalSeconds);
                return reply with { Ok = false, Error = $"committed as {version} on the DC, but only {holders} of {others.Count + 1} member(s) confirmed holding it: it may be lost if the DC fails now" };
            }
            await Task.Delay(10);
        }
    }

    /// <summary>Called when this DC stored a commit: the replicator sends it on at once.</summary>
    public Action? OnCommitted { get; init; }

    /// <summary>How long a commit waits for every member to hold it.</summary>
    private static readonly TimeSpan CommitConfirmation = TimeSpan.FromSeconds(5);

    private CommitReply ApplyCommit(CommitRequest request)
    {
        if (!IsDc(out _)) return new CommitReply(request.Id, false, "this node is no longer the DC; try again", null);
        var parsed = CibXmlReader.Parse(request.ConfigurationXml, "commit");
        if (parsed.Config is null || parsed.HasErrors)
            return new CommitReply(request.Id, false, "the configuration does not parse: " + string.Join("; ", parsed.Errors), null);
        var errors = ConfigValidator.Validate(parsed.Config).Where(d => d.IsError).ToList();
        if (errors.Count > 0) return new CommitReply(request.Id, false, string.Join("\n", errors.Select(e => e.Message)), null);
        if (!request.Force && request.BaseVersion != store.Version.ToString())
            return new CommitReply(request.Id, false, $"the CIB changed since the edit began (it was {request.BaseVersion}, it is {store.Version}); reload and edit again, or --force", null);
        var next = new CibVersion(store.Version.AdminEpoch, store.Version.Epoch + 1, 0);
        var cib = CibXmlWriter.Write(parsed.Config, next.Epoch, next.AdminEpoch, next.NumUpdates,
            new CibChange(DateTimeOffset.UtcNow, request.User, "hacrm", request.Origin));
        store.Store(next, System.Text.Encoding.UTF8.GetBytes(cib));
        node.CibVersion = next;
        log.LogInformation("configuration {Version} committed", next);
        return new CommitReply(request.Id, true, null, next.ToString());
    }

    /// <summary>Runs the scheduler if this node is the DC, every member has reported, and no transition runs.</summary>
    private async Task Evaluate()
    {
        if (config is null || transition is not null || !IsDc(out var view)) return;
        var members = view.Members.Select(Name).ToList();
        // Every member must have probed this very configuration: a node that has not looked for a
        // resource yet could be running it.
        var version = configVersion.ToString();
        bool Ready(string m) => reports.TryGetValue(m, out var r) && r.ViewEpoch == round && r.ProbedConfiguration == version;
        if (!members.All(Ready))
        {
            // Said once per change (at debug level: every round waits a little), so an operator
            // chasing a cluster that does nothing can see whom the DC waits for.
            if (log.IsEnabled(LogLevel.Debug))
            {
                var why = string.Join(", ", members.Where(m => !Ready(m)).Select(m => reports.TryGetValue(m, out var r)
                    ? r.ViewEpoch != round ? $"{m} (no report this round)" : $"{m} (probed {r.ProbedConfiguration ?? "nothing"} yet)"
                    : $"{m} (no report)"));
                if (why != lastWaitingFor) log.LogDebug("round {Round}: waiting for {Members} before scheduling (configuration {Version})", round, why, version);
                lastWaitingFor = why;
            }
            return;
        }
        lastWaitingFor = null;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var status = BuildStatus(view.Quorate, members, reports, leaving);
        lastRun = DateTime.UtcNow;
        var now = DateTimeOffset.UtcNow;
        var (graph, scheduled) = Scheduler.Run(config, status, now);
        shutdownLocks.Record(scheduled);
        schedulingTime = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        // Actions first; the record of the input (a file, the members' status copies) after them,
        // off this loop: writing it took 10-25 ms, during which the first results of a failover
        // (the fencing, the notifications) waited to be acted on.
        await StartTransition(graph);
        RecordSchedulerInput(new SchedulerInput(config, status, now, store.Version));
    }

    private async Task StartTransition(TransitionGraph graph)
    {
        if (graph.Actions.Count == 0) return;
        var summary = string.Join("\n", graph.SummaryLines());
        if (summary == lastCompletedSummary && DateTime.UtcNow - lastCompletedAt < RecheckInterval)
        {
            // The same transition again, right after it completed: its actions changed nothing the
            // scheduler sees. Do not spin; try again at the next recheck.
            if (!repeatLogged) log.LogError("transition repeats without effect ({Summary}); retrying at the next recheck", summary.Replace("\n", ";"));
            repeatLogged = true;
            return;
        }
        repeatLogged = false;
        transition = new Transition(++transitionCounter, graph.Actions) { Summary = summary };
        log.LogInformation("transition {Id} (scheduled in {Ms:0} ms): {Summary}", transition.Id, schedulingTime.TotalMilliseconds, Describe(graph));
        await Advance();
    }

    /// <summary>A transition's summary on one line, for the log.</summary>
    private static string Describe(TransitionGraph graph) => string.Join("; ", graph.SummaryLines().Select(l => l.Trim().TrimStart('*').Trim()));

    /// <summary>
    /// Runs the scheduler once, off the controller's path, on the configuration with every node
    /// online and nothing running: the first real decision of a node that becomes DC when the old
    /// one dies then costs no start-up work (JIT, first-use caches) in the middle of a failover.
    /// The status view is laid out once too, so an operator's first `hacrm status` is as quick
    /// as the next (it cost ~250 ms).
    /// </summary>
    private void WarmUpScheduler(ClusterConfig cfg)
    {
        try
        {
            var nodes = cfg.Nodes.Select(n => new NodeState(n.Uname, n.Uname, "true", "online", "member", "member")).ToEquatableArray();
            var status = new ClusterStatus { HaveQuorum = true, Nodes = nodes };
            Scheduler.Schedule(cfg, status, DateTimeOffset.UtcNow);
            HaCluster.Core.Status.Views.StatusPrinter.PrintResources(cfg, status, DateTimeOffset.UtcNow, TextWriter.Null);
        }
        catch (Exception e)
        {
            log.LogDebug(e, "scheduler warm-up: {Error}", e.Message);
        }
    }

    /// <summary>
    /// Rehearses once the DC has sent no new picture for <see cref="RehearsalQuiet"/>: a picture
    /// comes with every transition, and a rehearsal then would take a core from the agents of a
    /// failover under way.
    /// </summary>
    private void RehearseTakeoverWhenQuiet(string statusXml)
    {
        rehearsalInput = statusXml;
        // Read at once, though: a takeover needs the picture (AdoptFromLastPicture), and reading
        // it then cost ~8 ms of the failover.
        _ = Task.Run(() =>
        {
            try { ReadPicture(statusXml); }
            catch (Exception e) when (e is System.Xml.XmlException or FormatException) { } // the takeover says so, if it comes to that
        });
        (rehearsalTimer ??= new Timer(_ => { if (rehearsalInput is { } xml) RehearseTakeover(xml); }))
            .Change(RehearsalQuiet, Timeout.InfiniteTimeSpan);
    }

    private static readonly TimeSpan RehearsalQuiet = TimeSpan.FromSeconds(1);
    private Timer? rehearsalTimer;
    private volatile string? rehearsalInput;

    /// <summary>
    /// A member that is not the DC rehearses, in the background, the decision it would take
    /// if the DC died now: the scheduler on the DC's latest status picture with the DC lost
    /// (fencing, recovery, promotion, notifications). Taking over then costs no first-use work
    /// (JIT, type loading, caches) in the middle of a failover, where it measured 40-70 ms of
    /// a new DC's first scheduling. Rehearsals are spaced by at least 100 times what the last
    /// one took (a fraction of a percent of a core, whatever the cluster's size).
    /// </summary>
    private void RehearseTakeover(string statusXml)
    {
        var view = node.Snapshot().View;
        if (config is not { } cfg || view.Dc is not { } dc || dc == node.Self.Id || rehearsing) return;
        if (DateTime.UtcNow < nextRehearsal) return;
        rehearsing = true;
        var dcName = Name(dc);
        _ = Task.Run(() =>
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            try
            {
                if (ReadPicture(statusXml) is not { } picture) return;
                var lost = picture with
                {
                    Nodes = picture.Nodes.Select(n => n.Uname == dcName ? n with { InCcm = "false", Crmd = "offline" } : n).ToEquatableArray(),
                };
                var graph = Scheduler.Schedule(cfg, lost, DateTimeOffset.UtcNow);
                work.Writer.TryWrite(() => WarmUpTakeover(graph));
            }
            catch (Exception e)
            {
                log.LogDebug(e, "takeover rehearsal: {Error}", e.Message);
            }
            finally
            {
                nextRehearsal = DateTime.UtcNow + 100 * System.Diagnostics.Stopwatch.GetElapsedTime(started);
                rehearsing = false;
            }
        });
    }

    /// <summary>
    /// The rest of a new DC's first decision, on the controller loop where it runs for real: the
    /// status from the members' reports, the transition's bookkeeping and log line, the choice of
    /// a fencing device. Run the first time in a failover, these cost 10-15 ms (first-use code
    /// and types; measured with the debug log); here they run on this node's own report in the
    /// name of every surviving member, and change nothing.
    /// </summary>
    private Task WarmUpTakeover(TransitionGraph rehearsed)
    {
        var view = node.Snapshot().View;
        if (config is null || view.Dc is not { } dc || dc == node.Self.Id) return Task.CompletedTask;
        var own = lrm.Report(round) with { ShuttingDown = false };
        var members = view.Members.Where(m => m != dc).Select(Name).ToList();
        var asIfReported = members.ToDictionary(m => m, m => own with { Node = m });
        _ = BuildStatus(view.Quorate, members, asIfReported, new HashSet<string>());
        _ = new Transition(0, rehearsed.Actions);
        _ = Describe(rehearsed);
        foreach (var a in rehearsed.Actions.Where(a => a.Resource is null && !a.Pseudo)) _ = FencerFor(a.Node, asIfReported);
        return Task.CompletedTask;
    }

    /// <summary>The status picture in <paramref name="xml"/>, read once (null if it has none; a malformed one throws).</summary>
    private ClusterStatus? ReadPicture(string xml)
    {
        if (parsedPicture is { } parsed && ReferenceEquals(parsed.Xml, xml)) return parsed.Picture;
        if (CibXmlReader.Parse(xml, "status picture").Status is not { } picture) return null;
        // Only the latest picture is worth keeping (an older one read late must not replace it).
        if (ReferenceEquals(LastStatusXml, xml)) parsedPicture = new ParsedPicture(xml, picture);
        return picture;
    }

    private volatile bool rehearsing;
    /// <summary>The latest status picture from the DC, read as it arrived, with the XML it came from.</summary>
    private volatile ParsedPicture? parsedPicture;
    private sealed record ParsedPicture(string Xml, ClusterStatus Picture);
    private DateTime nextRehearsal = DateTime.MinValue;

    /// <summary>
    /// Taking over as DC: the old DC's last picture says which nodes were shutting down (so
    /// they left cleanly and are not fenced) and which resources were locked to them.
    /// </summary>
    private void AdoptFromLastPicture(MembershipView view)
    {
        if (LastStatusXml is not { } xml) return;
        try
        {
            // Usually read already, when it arrived.
            if (ReadPicture(xml) is not { } picture) return;
            var members = view.Members.Select(Name).ToHashSet();
            foreach (var n in shutdownLocks.Adopt(picture, members))
            {
                leaving.Add(n);
                log.LogInformation("{Node} had shut down cleanly under the previous DC", n);
            }
        }
        catch (Exception e) when (e is System.Xml.XmlException or FormatException)
        {
            log.LogWarning("cannot read the previous DC's last status: {Error}", e.Message);
        }
    }

    /// <summary>The scheduler's status from the members' <paramref name="reports"/>; members shutting down are added to <paramref name="leavingNodes"/>.</summary>
    private ClusterStatus BuildStatus(bool quorate, List<string> members, IReadOnlyDictionary<string, NodeReport> reports, HashSet<string> leavingNodes)
    {
        var nodes = new List<NodeState>();
        var stonith = CibBoolean.TryParse(config!.Property("stonith-enabled")) ?? true;
        foreach (var n in config.Nodes.Select(n => n.Uname).Union(context.Config.Nodes.Select(n => n.Name)))
        {
            if (members.Contains(n) && reports.TryGetValue(n, out var r))
            {
                if (r.ShuttingDown) leavingNodes.Add(n);
                nodes.Add(new NodeState(n, n, "true", "online", "member", r.ShuttingDown ? "down" : "member",
                    Shutdown: r.ShuttingDown ? shutdownLocks.Since(n, DateTimeOffset.UtcNow).ToString() : null,
                    TransientAttributes: r.Attributes.Select(kv => new NvPair(kv.Key, kv.Value)).ToEquatableArray(),
                    Resources: (r.ShuttingDown ? shutdownLocks.WithLocks(n, r.Histories.Select(ToHistory)) : r.Histories.Select(ToHistory)).ToEquatableArray()));
            }
            else
            {
                // A member that left is lost (to be fenced when fencing is on); one never seen is down.
                // A node that announced its shutdown and left has stopped its resources: not lost.
                var lost = stonith && everMember.Contains(n) && !fenced.Contains(n) && !leavingNodes.Contains(n);
                // One that shut down cleanly may have resources locked to it (shutdown-lock).
                nodes.Add(new NodeState(n, n, "false", "offline", "down", lost ? "member" : "down",
                    Resources: leavingNodes.Contains(n) ? shutdownLocks.HistoryOf(n) : EquatableArray<ResourceHistory>.Empty));
            }
        }
        return new ClusterStatus { HaveQuorum = quorate, DcUuid = node.Self.Name, Nodes = nodes.ToEquatableArray(), Version = store.Version };
    }

    /// <summary>
    /// Keeps the scheduler's last input as state_dir/pe-input-last.xml (configuration, status and
    /// execution date), like Pacemaker's pe-input files: `hacrm simulate --xml` on it replays the
    /// DC's decision.
    /// </summary>
    private sealed record SchedulerInput(ClusterConfig Config, ClusterStatus Status, DateTimeOffset Now, CibVersion Version);

    private readonly object inputLock = new();
    private SchedulerInput? pendingInput;
    private bool recordingInput;

    /// <summary>
    /// Saves and sends <paramref name="input"/> on a worker of its own, one at a time, in order;
    /// an input superseded before the worker reached it is skipped (only the latest matters).
    /// </summary>
    private void RecordSchedulerInput(SchedulerInput input)
    {
        lock (inputLock)
        {
            pendingInput = input;
            if (recordingInput) return;
            recordingInput = true;
        }
        _ = Task.Run(() =>
        {
            while (true)
            {
                SchedulerInput next;
                lock (inputLock)
                {
                    if (pendingInput is null)
                    {
                        recordingInput = false;
                        return;
                    }
                    next = pendingInput;
                    pendingInput = null;
                }
                SaveSchedulerInput(next);
            }
        });
    }

    private void SaveSchedulerInput(SchedulerInput input)
    {
        var (cfg, status, now, version) = input;
        try
        {
            var cib = CibStatusWriter.WriteCib(cfg, status, now, version.AdminEpoch, version.Epoch, version.NumUpdates, dcUuid: node.Self.Name);
            var xml = cib.ToString();
            var path = Path.Combine(context.StateDirectory, "pe-input-last.xml");
            File.WriteAllText(path + ".tmp", xml);
            File.Move(path + ".tmp", path, overwrite: true);
            // Members show the same picture in `hacrm status` (the execution date aside, only when it changed).
            var comparable = System.Text.RegularExpressions.Regex.Replace(xml, "execution-date=\"\\d+\"", "");
            if (comparable != lastSentStatus)
            {
                lastSentStatus = comparable;
                foreach (var m in node.Snapshot().View.Members.Where(m => m != node.Self.Id))
                    node.SendMessage(m, new ControllerMessage(StatusXml: xml).Encode());
            }
            LastStatusXml = xml;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            log.LogWarning("cannot save the scheduler input: {Error}", e.Message);
        }
        catch (Exception e)
        {
            // A worker's exception would go unobserved: say it.
            log.LogError(e, "recording the scheduler input failed: {Error}", e.Message);
        }
    }

    /// <summary>
    /// The member and device to fence a node with (FencingDevices: host lists and maps, fencing
    /// topology, location bans; never the victim itself; this node first, a started device first).
    /// </summary>
    private (int Node, string Device)? FencerFor(string victim, IReadOnlyDictionary<string, NodeReport> reports)
    {
        var members = node.Snapshot().View.Members.OrderBy(m => m == node.Self.Id ? 0 : 1).ThenBy(m => m).ToList();
        bool Started(string device) => reports.Values.Any(r => r.Histories.Any(h => h.Id == device &&
            h.Operations.Any(o => o.Key.EndsWith("_last_0", StringComparison.Ordinal) && o.Task is "start" or "monitor" && o.Rc == 0)));
        var choice = FencingDevices.Choose(config!, victim, members.Select(Name).ToList(), Started);
        if (choice is not { } chosen) return null;
        return (members.First(m => Name(m) == chosen.Node), chosen.Device);
    }

    private static ResourceHistory ToHistory(HistoryDto h) => new(h.Id, h.Class, h.Provider, h.Type,
        h.Operations.Select(o => new OperationRecord(o.Key, o.Task, o.IntervalMs, o.Rc, o.OpStatus, o.CallId,
            OperationKey: $"{h.Id}_{o.Task}_{o.IntervalMs}", TransitionKey: $"0:0:{o.ExpectedRc}:hacluster", LastRcChange: o.LastRcChange,
            ExitReason: o.ExitReason, OpDigest: o.Digest)).ToEquatableArray());

    /// <summary>Sends every action whose inputs are done; ends the transition when nothing is left to wait for.</summary>
    private async Task Advance()
    {
        var t = transition;
        if (t is null) return;
        var progressed = true;
        while (progressed && !t.Aborted)
        {
            progressed = false;
            foreach (var a in t.Actions.Values)
            {
                if (t.Done.Contains(a.Id) || t.InFlight.Contains(a.Id) || !a.Inputs.All(t.Done.Contains)) continue;
                if (a.Pseudo)
                {
                    t.Done.Add(a.Id);
                    progressed = true;
                    continue;
                }
                ExecuteRequest request;
                int target;
                if (a.Resource is null)
                {
                    // Fencing: a member other than the victim that runs a fencing device does it.
                    if (FencerFor(a.Node, reports) is not { } fencer)
                    {
                        log.LogError("cannot fence {Node}: no member runs a fencing device; its resources stay blocked rather than risk two copies", a.Node);
                        t.Aborted = true;
                        break;
                    }
                    (target, var device) = fencer;
                    request = new ExecuteRequest(t.Id, a.Id, device, a.Task, 0, null, Target: a.Node);
                    log.LogWarning("transition {Id}: fencing {Node} ({Task}) through {Device} on {Fencer}", t.Id, a.Node, a.Task, device, Name(target));
                }
                else
                {
                    if (IdOf(a.Node) is not { } node)
                    {
                        t.Aborted = true;
                        break;
                    }
                    target = node;
                    request = new ExecuteRequest(t.Id, a.Id, a.Resource, a.Task, a.IntervalMs, a.Role, Meta: a.Meta);
                }
                t.InFlight.Add(a.Id);
                log.LogDebug("transition {Id}: action {Action} ({Task} {Resource}) to {Node}", t.Id, a.Id, a.Task, a.Resource ?? a.Node, Name(target));
                if (target == node.Self.Id)
                {
                    _ = Task.Run(async () =>
                    {
                        var result = await lrm.ExecuteAsync(config!, request, stopping);
                        work.Writer.TryWrite(() => Completed(result));
                    });
                }
                else node.SendMessage(target, new ControllerMessage(Execute: request).Encode());
            }
        }
        if (t.InFlight.Count == 0 && (t.Aborted || t.Done.Count == t.Actions.Count))
        {
            log.LogInformation("transition {Id} {State}", t.Id, t.Aborted ? "aborted" : "complete");
            // Aborted or complete, the same decision again right away would change nothing (a
            // fencing no member can do, say): it waits for a new round or the recheck instead of
            // spinning. A failure changes the status, hence the decision, and is acted on at once.
            lastCompletedSummary = t.Summary;
            lastCompletedAt = DateTime.UtcNow;
            transition = null;
            await Evaluate();
        }
    }

    private sealed class Transition(long id, IReadOnlyList<GraphAction> actions)
    {
        public long Id { get; } = id;
        public Dictionary<int, GraphAction> Actions { get; } = actions.ToDictionary(a => a.Id);
        public HashSet<int> Done { get; } = new();
        public HashSet<int> InFlight { get; } = new();
        public bool Aborted { get; set; }
        public DateTime LastProgress { get; set; } = DateTime.UtcNow;
        public string Summary { get; init; } = "";
    }
}
