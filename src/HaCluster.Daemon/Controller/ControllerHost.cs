using HaCluster.Daemon.Alerts;
using HaCluster.Daemon.Fencing;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using HaCluster.Core.Alerts;
using HaCluster.Core.Api;
using HaCluster.Core.Cib;
using HaCluster.Core.Cib.Syntax;
using HaCluster.Core.Control;
using HaCluster.Core.Membership;
using HaCluster.Core.Policy;
using HaCluster.Core.Status;
using HaCluster.Daemon.Cib;
using HaCluster.Daemon.Health;
using HaCluster.Daemon.History;
using HaCluster.Transport;
using Microsoft.Extensions.Logging;

namespace HaCluster.Daemon.Controller;

/// <summary>
/// The daemon's shell around Core's <see cref="HaCluster.Core.Control.Controller"/>: one loop feeds
/// it real events (messages from the membership layer, the executor's results, the local API, a
/// 200 ms timer, membership changes) and carries its commands out (sockets, <see cref="CibStore"/>,
/// the executor, the log). Everything the cluster decides is decided in the controller; this
/// class only does IO, and runs the warm-ups that keep a failover free of first-use costs.
/// </summary>
public sealed partial class ControllerHost
{
    [System.Text.RegularExpressions.GeneratedRegex(@"\btransition (\d+)\b")]
    private static partial System.Text.RegularExpressions.Regex TransitionNumber();

    private readonly DaemonContext context;
    private readonly MembershipNode node;
    private readonly CibStore store;
    private readonly LocalResourceManager lrm;
    private readonly ILogger log;
    private readonly HaCluster.Core.Control.Controller controller;
    private readonly Channel<object> inbox = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<long, TaskCompletionSource<RequestAnswered>> requests = new();
    private readonly PictureCache pictures = new();
    private readonly StatusPicture statusPicture = new();
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private long requestCounter;
    private CancellationToken stopping;
    private MembershipChanged? lastMembership;

    /// <summary>Asks the loop to read the membership view now (it changed).</summary>
    private sealed record CheckMembership;
    private static readonly CheckMembership Check = new();

    /// <summary>This node's health checks (from the configuration in force); set when the loop starts.</summary>
    private HealthCheckRunner? health;

    /// <summary>Runs the configured alert agents for this node's events; set when the loop starts.</summary>
    private AlertRunner? alerts;

    /// <summary>The members the last node alerts were raised for, and the last fencing event alerted.</summary>
    private IReadOnlyList<int> alertedMembers = [];
    private FenceEventReply? lastFencingAlerted;

    /// <summary>The transitions this node ran as DC, with their inputs (pe-input series).</summary>
    public TransitionHistory History { get; }

    /// <summary>Told of every transition's end and every new membership view (the metrics listen).</summary>
    public Action<TransitionEnded>? TransitionEndedHook { get; set; }
    public Action? ViewChangedHook { get; set; }

    /// <summary>Alert runs so far (ran, failed, dropped), for metrics.</summary>
    public (long Ran, long Failed, long Dropped) AlertCounts => alerts?.Counts ?? default;

    private readonly HardwareWatchdog? watchdog;
    private readonly SelfFencer? selfFencer;

    public ControllerHost(DaemonContext context, MembershipNode node, CibStore store, LocalResourceManager lrm, ILogger log,
        HardwareWatchdog? watchdog = null, SelfFencer? selfFencer = null)
    {
        this.watchdog = watchdog;
        this.selfFencer = selfFencer;
        this.context = context;
        this.node = node;
        this.store = store;
        this.lrm = lrm;
        this.log = log;
        controller = new HaCluster.Core.Control.Controller(context.Config, context.Self.Id, store.Version, store.Xml, log.IsEnabled(LogLevel.Debug), pictures.Read,
            node.Incarnation);
        node.CibVersion = store.Version;
        History = new TransitionHistory(context.StateDirectory, log);
    }

    /// <summary>The DC's last scheduler input as CIB XML (from the DC itself, or sent by it), for `hacrm status`.</summary>
    public string? LastStatusXml => lastStatusXml;
    private volatile string? lastStatusXml;

    /// <summary>What `hacrm status` shows: <see cref="LastStatusXml"/> with this node's configuration when it is newer.</summary>
    public string? StatusPictureXml() => statusPicture.Current(LastStatusXml, store.Version, () => store.Xml);

    /// <summary>The fencing history this node knows (bounded), for `hacrm status`.</summary>
    public IReadOnlyList<FenceEventReply> FencingHistory => fencingHistory;
    private volatile IReadOnlyList<FenceEventReply> fencingHistory = [];

    /// <summary>From the membership layer (under its lock): only queues.</summary>
    public void OnMessage(int from, byte[] message)
    {
        if (ControllerMessage.Decode(message, out var error) is { } m)
        {
            inbox.Writer.TryWrite(new MessageReceived(from, m));
            return;
        }
        // Authenticated but not understood: a peer with a bug or another version. Dropped, and
        // said once a minute per peer (a peer that sends nothing else must not flood the log).
        if (undecodable.ShouldLog($"node {from}", out var held))
            log.LogWarning("a message from node {From} does not decode ({Bytes} bytes: {Error}): dropped{Held}", from, message.Length, error,
                held > 0 ? $" ({held} more from it in the last minute)" : "");
    }

    private readonly LocalApi.LogRateLimiter undecodable = new(TimeSpan.FromMinutes(1));

    /// <summary>Membership changed: the loop reads the new view at once (never blocks the caller).</summary>
    public void Wake() => inbox.Writer.TryWrite(Check);

    private Moment Now() => new(clock.Elapsed, DateTimeOffset.UtcNow);

    public async Task RunAsync(CancellationToken stop)
    {
        stopping = stop;
        health = new HealthCheckRunner(context.Self.Name, lrm.SetAttribute, log, stop);
        alerts = new AlertRunner(context.Self.Name, context.Config.ClusterName, context.ToolsDirectory, context.StateDirectory, log, stop);
        lrm.Alert = alerts.Raise;
        lrm.Changed = () => inbox.Writer.TryWrite(new LocalStateChanged(lrm.Report(-1)));
        lrm.ForwardAttribute = change => inbox.Writer.TryWrite(new AttributeRequested(-1, change));
        inbox.Writer.TryWrite(new LocalStateChanged(lrm.Report(-1)));
        var next = inbox.Reader.ReadAsync(stop).AsTask();
        var tickAt = clock.Elapsed;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                // 200 ms between ticks; 10 ms while a commit waits on members' advertised versions.
                var period = controller.WaitingOnMembership ? TimeSpan.FromMilliseconds(10) : TimeSpan.FromMilliseconds(200);
                var wait = tickAt + period - clock.Elapsed;
                if (wait > TimeSpan.Zero && await Task.WhenAny(next, Task.Delay(wait, stop)) == next)
                {
                    var item = await next;
                    next = inbox.Reader.ReadAsync(stop).AsTask();
                    switch (item)
                    {
                        case ControllerEvent e:
                            Step(e);
                            break;
                        case CheckMembership:
                            FeedMembership();
                            break;
                        case Action onLoop:
                            onLoop();
                            break;
                    }
                    continue;
                }
                stop.ThrowIfCancellationRequested();
                tickAt = clock.Elapsed;
                // The loop runs: the hardware watchdog (if any) waits another timeout.
                watchdog?.Feed();
                FeedMembership();
                Step(new Tick());
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

    /// <summary>Feeds the membership view and the peers' advertised CIB versions when they changed.</summary>
    private void FeedMembership()
    {
        var (view, versions) = node.CibSituation();
        if (lastMembership is { } last && SameView(last.View, view) && SameVersions(last.PeerVersions, versions)) return;
        if (lastMembership?.View.Epoch != view.Epoch) ViewChangedHook?.Invoke();
        lastMembership = new MembershipChanged(view, versions);
        Step(lastMembership);
        RaiseNodeAlerts(view);
    }

    /// <summary>
    /// Node alerts, as each Pacemaker controller raises them: a node that joined the membership
    /// this node sees is "member", one that left it "lost". Only once a configuration is loaded
    /// (the alerts are in it); the members seen before that are announced then.
    /// </summary>
    private void RaiseNodeAlerts(MembershipView view)
    {
        if (alerts is null || controller.Configuration is null) return;
        var now = DateTimeOffset.Now;
        foreach (var joined in view.Members.Except(alertedMembers))
            alerts.Raise(AlertEvent.NodeChanged(NodeName(joined), joined, member: true, now));
        foreach (var left in alertedMembers.Except(view.Members))
            alerts.Raise(AlertEvent.NodeChanged(NodeName(left), left, member: false, now));
        alertedMembers = view.Members.ToList();
    }

    /// <summary>A node's name in cluster.yaml (its id when it has none there).</summary>
    private string NodeName(int id) => context.Config.FindNode(id)?.Name ?? id.ToString();

    /// <summary>Fencing alerts: every member hears each fencing result (the history every member keeps).</summary>
    private void RaiseFencingAlerts()
    {
        var history = controller.FencingHistory;
        if (history.Count == 0 || ReferenceEquals(history[^1], lastFencingAlerted)) return;
        // The entries after the last one alerted (all of them when it is gone from the bounded history).
        var start = 0;
        for (int i = history.Count - 1; i >= 0; i--)
            if (ReferenceEquals(history[i], lastFencingAlerted)) { start = i + 1; break; }
        for (int i = start; i < history.Count; i++)
        {
            var f = history[i];
            alerts?.Raise(AlertEvent.Fenced(f.Target, f.Action, f.Ok, f.Delegate, f.Origin, f.ExitReason, DateTimeOffset.FromUnixTimeSeconds(f.Completed).ToLocalTime()));
        }
        lastFencingAlerted = history[^1];
    }

    private static bool SameView(MembershipView a, MembershipView b) =>
        a.Epoch == b.Epoch && a.Agreed == b.Agreed && a.Settled == b.Settled && a.Dc == b.Dc && a.Quorate == b.Quorate && a.Members.SequenceEqual(b.Members);

    private static bool SameVersions(IReadOnlyDictionary<int, CibVersion> a, IReadOnlyDictionary<int, CibVersion> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var v) && v == kv.Value);

    private void Step(ControllerEvent e)
    {
        foreach (var command in controller.Step(Now(), e)) Carry(command);
        if (!ReferenceEquals(controller.LastStatusXml, lastStatusXml)) lastStatusXml = controller.LastStatusXml;
        if (controller.FencingHistory.Count != fencingHistory.Count || (fencingHistory.Count > 0 && !ReferenceEquals(controller.FencingHistory[^1], fencingHistory[^1])))
        {
            fencingHistory = controller.FencingHistory.ToList();
            RaiseFencingAlerts();
        }
    }

    /// <summary>Carries one command out; nothing here decides anything.</summary>
    private void Carry(ControllerCommand command)
    {
        switch (command)
        {
            case SendMessage send:
                node.SendMessage(send.To, send.Message.Encode());
                break;
            case RunOperation run:
                _ = Task.Run(async () =>
                {
                    var result = await lrm.ExecuteAsync(run.Config, run.Request, stopping);
                    inbox.Writer.TryWrite(new OperationFinished(result, run.RequestedBy, lrm.Report(-1)));
                });
                break;
            case ProbeResources probe:
                _ = Task.Run(() => lrm.ProbeAllAsync(probe.Config, probe.Version, stopping));
                break;
            case ForgetResource forget:
                var forgotten = lrm.Cleanup(forget.Resource);
                log.LogInformation("cleanup of {Resource}: {Count} history entr{Plural} forgotten", forget.Resource, forgotten, forgotten == 1 ? "y" : "ies");
                if (forget.Config is { } config) _ = Task.Run(() => lrm.ProbeAllAsync(config, forget.Version, stopping));
                break;
            case SetLocalAttribute attribute:
                lrm.SetAttribute(attribute.Name, attribute.Value);
                break;
            case StoreCib stored:
                store.Store(stored.Version, stored.Xml);
                node.CibVersion = stored.Version;
                break;
            case RecordSchedulerInput input:
                RecordSchedulerInput(input);
                History.Input(input, context.Self.Name);
                break;
            case RequestAnswered answer:
                if (requests.TryRemove(answer.RequestId, out var waiter)) waiter.TrySetResult(answer);
                break;
            case ConfigurationLoaded loaded:
                health?.Update(loaded.Config);
                History.Configure(loaded.Config);
                alerts?.Update(loaded.Config);
                if (lastMembership is { } seen) RaiseNodeAlerts(seen.View);
                _ = Task.Run(() => WarmUpScheduler(loaded.Config));
                break;
            case PictureReceived picture:
                RehearseTakeoverWhenQuiet(picture.Xml);
                break;
            case TransitionStarted started:
                History.Started(started);
                break;
            case TransitionEnded ended:
                History.Ended(ended);
                TransitionEndedHook?.Invoke(ended);
                break;
            case SelfFence self:
                if (selfFencer is not null) selfFencer.Fence(self.Reason);
                else log.LogCritical("self-fencing asked for ({Reason}), but this daemon has no self-fencer", self.Reason);
                break;
            case Log line:
                var level = line.Level switch
                {
                    ControllerLogLevel.Debug => LogLevel.Debug,
                    ControllerLogLevel.Information => LogLevel.Information,
                    ControllerLogLevel.Warning => LogLevel.Warning,
                    _ => LogLevel.Error,
                };
                // A line about a transition carries its number as a field (TRANSITION in the journal).
                if (TransitionNumber().Match(line.Text) is { Success: true } t)
                    using (log.BeginScope(new[] { new KeyValuePair<string, object>("Transition", long.Parse(t.Groups[1].Value)) }))
                        log.Log(level, "{Text}", line.Text);
                else log.Log(level, "{Text}", line.Text);
                break;
        }
    }

    /// <summary>A local request to the controller, answered when it says so (or after <paramref name="timeout"/>).</summary>
    private async Task<RequestAnswered> AskAsync(Func<long, ControllerEvent> request, TimeSpan timeout)
    {
        var id = Interlocked.Increment(ref requestCounter);
        var waiter = new TaskCompletionSource<RequestAnswered>(TaskCreationOptions.RunContinuationsAsynchronously);
        requests[id] = waiter;
        inbox.Writer.TryWrite(request(id));
        try
        {
            return await waiter.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            requests.TryRemove(id, out _);
            return new RequestAnswered(id, false, $"no answer within {timeout.TotalSeconds:0} s; the request may or may not have been carried out");
        }
    }

    /// <summary>
    /// Commits a new configuration (from `hacrm configure load` on any node): see
    /// <see cref="CommitProtocol"/> for what the DC checks and when the commit counts as done.
    /// </summary>
    public async Task<CommitReply> CommitAsync(string configurationXml, string? baseVersion, bool force, string? user = null)
    {
        var answer = await AskAsync(id => new CommitRequested(id, configurationXml, baseVersion, force, user), TimeSpan.FromSeconds(45));
        return new CommitReply(answer.RequestId, answer.Ok, answer.Error, answer.Version);
    }

    /// <summary>`hacrm resource cleanup RSC`: every member forgets the resource's history and fail counts and probes it again.</summary>
    public void Cleanup(string resource) => inbox.Writer.TryWrite(new CleanupRequested(resource));

    /// <summary>
    /// `hacrm attribute NODE NAME VALUE` (lifetime reboot): the transient attribute lives with
    /// the node that owns it, which reports it to the DC; null deletes it. False when that node
    /// is not a member now (a transient attribute of a node that is down means nothing).
    /// </summary>
    public bool SetAttribute(AttributeChange change) =>
        AskAsync(id => new AttributeRequested(id, change), TimeSpan.FromSeconds(10)).GetAwaiter().GetResult().Ok;

    /// <summary>
    /// SIGTERM: tells the DC this node is shutting down (it moves or stops the node's resources,
    /// in order) and waits until nothing runs here, or until <paramref name="patience"/> ends.
    /// A DC that is itself stopping does the same for itself before leaving.
    /// </summary>
    public async Task ShutdownAsync(TimeSpan patience)
    {
        lrm.ShuttingDown = true;
        inbox.Writer.TryWrite(new LocalStateChanged(lrm.Report(-1)));
        var until = clock.Elapsed + patience;
        while (lrm.ActiveResources().Count > 0 && clock.Elapsed < until)
        {
            if (node.Snapshot().View.Members.Count <= 1) break; // alone: nobody could take them over
            await Task.Delay(100);
        }
        var left = lrm.ActiveResources();
        if (left.Count > 0) log.LogWarning("stopping with resources still active here: {Resources}", string.Join(", ", left));
        else
        {
            log.LogInformation("no resources active here any more; leaving the cluster");
            // Every member hears it (the next DC must not take this node for lost): a moment for the messages to go out.
            inbox.Writer.TryWrite(new LeavingCleanly());
            await Task.Delay(50);
            var giveUp = clock.Elapsed + TimeSpan.FromSeconds(1);
            while (clock.Elapsed < giveUp && node.Snapshot().View.Members.Any(m => m != context.Self.Id && node.Unacknowledged(m) > 0))
                await Task.Delay(20);
        }
    }

    private readonly object inputLock = new();
    private RecordSchedulerInput? pendingInput;
    private bool recordingInput;

    /// <summary>
    /// Keeps the scheduler's last input as state_dir/pe-input-last.xml (configuration, status and
    /// execution date), like Pacemaker's pe-input files: `hacrm simulate --xml` on it replays the
    /// DC's decision. Written on a worker of its own, one at a time, in order; an input superseded
    /// before the worker reached it is skipped (only the latest matters). Writing it took 10-25 ms,
    /// during which the first results of a failover would otherwise wait.
    /// </summary>
    private void RecordSchedulerInput(RecordSchedulerInput input)
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
                RecordSchedulerInput next;
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
                if (SaveSchedulerInput(next) is { } xml) inbox.Writer.TryWrite(new SchedulerInputRecorded(xml));
            }
        });
    }

    private string? SaveSchedulerInput(RecordSchedulerInput input)
    {
        var (cfg, status, now, version, _) = input;
        try
        {
            var xml = CibStatusWriter.WriteCib(cfg, status, now, version.AdminEpoch, version.Epoch, version.NumUpdates, dcUuid: context.Self.Name).ToString();
            var path = Path.Combine(context.StateDirectory, "pe-input-last.xml");
            File.WriteAllText(path + ".tmp", xml);
            File.Move(path + ".tmp", path, overwrite: true);
            return xml;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            log.LogWarning("cannot save the scheduler input: {Error}", e.Message);
            return null;
        }
        catch (Exception e)
        {
            // A worker's exception would go unobserved: say it.
            log.LogError(e, "recording the scheduler input failed: {Error}", e.Message);
            return null;
        }
    }

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
    /// failover under way. The picture itself is read at once, though: a takeover needs it, and
    /// reading it then cost ~8 ms of the failover.
    /// </summary>
    private void RehearseTakeoverWhenQuiet(string statusXml)
    {
        rehearsalInput = statusXml;
        _ = Task.Run(() =>
        {
            try { pictures.Read(statusXml); }
            catch (Exception e) when (e is System.Xml.XmlException or FormatException) { } // the takeover says so, if it comes to that
        });
        (rehearsalTimer ??= new Timer(_ => { if (rehearsalInput is { } xml) RehearseTakeover(xml); }))
            .Change(RehearsalQuiet, Timeout.InfiniteTimeSpan);
    }

    private static readonly TimeSpan RehearsalQuiet = TimeSpan.FromSeconds(1);
    private Timer? rehearsalTimer;
    private volatile string? rehearsalInput;
    private volatile bool rehearsing;
    private TimeSpan nextRehearsal;

    /// <summary>
    /// A member that is not the DC rehearses, in the background, the decision it would take
    /// if the DC died now: the scheduler on the DC's latest status picture with the DC lost
    /// (fencing, recovery, promotion, notifications), then the rest of the takeover on the
    /// controller's loop (<see cref="HaCluster.Core.Control.Controller.RehearseTakeover"/>).
    /// Taking over then costs no first-use work (JIT, type loading, caches) in the middle of a
    /// failover, where it measured 40-70 ms of a new DC's first scheduling. Rehearsals are spaced
    /// by at least 100 times what the last one took.
    /// </summary>
    private void RehearseTakeover(string statusXml)
    {
        var view = node.Snapshot().View;
        if (controller.Configuration is not { } cfg || view.Dc is not { } dc || dc == context.Self.Id || rehearsing) return;
        if (clock.Elapsed < nextRehearsal) return;
        rehearsing = true;
        var dcName = NodeName(dc);
        _ = Task.Run(() =>
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                if (pictures.Read(statusXml) is not { } picture) return;
                var lost = picture with
                {
                    Nodes = picture.Nodes.Select(n => n.Uname == dcName ? n with { InCcm = "false", Crmd = "offline" } : n).ToEquatableArray(),
                };
                var graph = Scheduler.Schedule(cfg, lost, DateTimeOffset.UtcNow);
                inbox.Writer.TryWrite((Action)(() => controller.RehearseTakeover(graph)));
            }
            catch (Exception e)
            {
                log.LogDebug(e, "takeover rehearsal: {Error}", e.Message);
            }
            finally
            {
                nextRehearsal = clock.Elapsed + 100 * Stopwatch.GetElapsedTime(started);
                rehearsing = false;
            }
        });
    }

    /// <summary>The last status picture read, with the XML it came from: read once, by whichever thread asks first.</summary>
    private sealed class PictureCache
    {
        private volatile Parsed? last;
        private sealed record Parsed(string Xml, ClusterStatus? Picture);

        public ClusterStatus? Read(string xml)
        {
            if (last is { } p && ReferenceEquals(p.Xml, xml)) return p.Picture;
            var picture = CibXmlReader.Parse(xml, "status picture").Status;
            last = new Parsed(xml, picture);
            return picture;
        }
    }
}
