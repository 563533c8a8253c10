using HaCluster.Core.Policy;
using HaCluster.Agents;
using HaCluster.Core.Alerts;
using HaCluster.Core.Cib;
using HaCluster.Core.Control;
using Microsoft.Extensions.Logging;

namespace HaCluster.Daemon.Controller;

/// <summary>
/// This node's resources: runs actions through the executor and records their outcomes in a
/// <see cref="ResourceHistoryBook"/> (what Pacemaker's lrm history keeps, and fail counts as
/// transient node attributes; the simulator keeps the same book). The DC schedules from these
/// histories; it never guesses.
/// </summary>
public sealed class LocalResourceManager : IAsyncDisposable
{
    private readonly string nodeName;
    private readonly ILogger log;

    public LocalResourceManager(string nodeName, AgentRunner runner, ILogger log)
    {
        this.nodeName = nodeName;
        this.log = log;
        book = new ResourceHistoryBook(nodeName);
        executor = new Executor(runner) { NodeAttributes = Attributes };
    }

    private readonly Executor executor;
    private readonly ResourceHistoryBook book;

    /// <summary>Raised (outside the lock) after any history change: the node pushes a report to the DC.</summary>
    public Action? Changed { get; set; }

    /// <summary>Where this node's resource operation results and attribute changes go as alert events (null: Pacemaker sends none for it).</summary>
    public Action<AlertEvent?>? Alert { get; set; }

    private void RaiseOperationAlert(ClusterConfig config, string instance, string task, long intervalMs, ActionResult result, int expected) =>
        Alert?.Invoke(AlertEvent.ResourceOperation(nodeName, HistoryId(config, instance), task, intervalMs, (int)result.Code, expected,
            result.Status switch
            {
                ExecutionStatus.Done => AlertEvent.ExecutionStatusDone,
                ExecutionStatus.TimedOut => AlertEvent.ExecutionStatusTimedOut,
                ExecutionStatus.NotInstalled => AlertEvent.ExecutionStatusNotInstalled,
                ExecutionStatus.Cancelled => AlertEvent.ExecutionStatusCancelled,
                _ => AlertEvent.ExecutionStatusError,
            }, (long)result.Duration.TotalMilliseconds, DateTimeOffset.Now));

    public bool Probed => ProbedConfiguration is not null;

    /// <summary>Set on SIGTERM: reported to the DC, which moves this node's resources away.</summary>
    public bool ShuttingDown
    {
        get => book.ShuttingDown;
        set => book.ShuttingDown = value;
    }

    /// <summary>Resources whose last operation left them running here (start, promote, demote, migrate_from, or a probe that found them).</summary>
    public IReadOnlyList<string> ActiveResources() => book.ActiveResources();

    /// <summary>The configuration version whose resources have all been probed here.</summary>
    public string? ProbedConfiguration => book.ProbedConfiguration;

    public NodeReport Report(long round) => book.Report(round);

    private static string BaseId(string rsc) => ResourceHistoryBook.BaseId(rsc);

    private static Primitive? FindPrimitive(ClusterConfig config, string rsc) =>
        config.AllResources().OfType<Primitive>().FirstOrDefault(p => p.Id == BaseId(rsc));

    /// <summary>Probes (monitor, interval 0) every configured primitive this node has no history of.</summary>
    public async Task ProbeAllAsync(ClusterConfig config, string version, CancellationToken cancel)
    {
        // Bundles run as their containers and addresses (see Bundles.ForExecution).
        config = Bundles.ForExecution(config);
        List<Primitive> todo;
        // resource-discovery=never/exclusive locations leave some resources unprobed here.
        var discovery = new ResourceDiscovery(config);
        var self = SelfForRules(config);
        todo = config.AllResources().OfType<Primitive>()
            .Where(p => !book.Knows(p.Id) && discovery.Probes(p.Id, self, DateTimeOffset.UtcNow)).ToList();
        var probes = todo.Select(p => RunAsync(config, p, p.Id, "monitor", 0, null, cancel)).ToList();
        await Task.WhenAll(probes);
        book.MarkProbed(version);
        if (todo.Count > 0) log.LogInformation("probed {Count} resource(s): {Active} active here", todo.Count,
            (await Task.WhenAll(probes)).Count(r => r.Rc is 0 or 8));
        Changed?.Invoke();
    }

    /// <summary>Runs one action the DC asked for; recurring monitors are started and report failures later.</summary>
    public async Task<ExecuteResult> ExecuteAsync(ClusterConfig config, ExecuteRequest request, CancellationToken cancel)
    {
        config = Bundles.ForExecution(config);
        var primitive = FindPrimitive(config, request.Resource);
        if (primitive is null)
            return request.Answer((int)OcfExitCode.NotConfigured, false, "no such resource in this node's configuration");
        if (request.Target is { } victim)
        {
            // A fencing request: the device's agent acts on the victim; nothing is recorded in
            // the device's own history (it stays started).
            var fence = Build(config, primitive, request.Resource, request.Task, 0, null) with { Target = victim };
            var fenced = await executor.ExecuteAsync(fence, cancel);
            var ok = fenced.Code == OcfExitCode.Success;
            log.Log(ok ? LogLevel.Warning : LogLevel.Error, "fencing {Victim} ({Task}) with {Device}: {Result}", victim, request.Task, request.Resource, fenced.Summary());
            return request.Answer((int)fenced.Code, ok, fenced.ExitReason, nodeName, intervalMs: 0);
        }
        if (request.Task == "notify")
        {
            // A clone notification: the agent hears what the transition does to the clone's
            // instances. Its result changes nothing (Pacemaker ignores it too) and is not history.
            var notify = Build(config, primitive, request.Resource, "notify", 0, null, request.Meta);
            var heard = await executor.ExecuteAsync(notify, cancel);
            ApplyAttributes(heard.AttributeUpdates);
            RaiseOperationAlert(config, request.Resource, "notify", 0, heard, 0);
            var type = request.Meta?.GetValueOrDefault("notify_type");
            var operation = request.Meta?.GetValueOrDefault("notify_operation");
            if (heard.Code == OcfExitCode.Success)
                log.LogInformation("{Resource} notify ({Type}-{Operation}): ok", request.Resource, type, operation);
            else
                log.LogWarning("{Resource} notify ({Type}-{Operation}): {Result} (ignored)", request.Resource, type, operation, heard.Summary());
            return request.Answer((int)heard.Code, true, heard.ExitReason, nodeName, intervalMs: 0);
        }
        if (request.Task == "monitor" && request.IntervalMs > 0)
        {
            // Answered once the first run's result is in this node's record, as Pacemaker's
            // executor answers a recurring operation: answered before, the DC scheduled again
            // from a report without it, asked for the same monitor again, and took the repeat for
            // a transition without effect (campaign, seed 10).
            var monitor = Build(config, primitive, request.Resource, "monitor", request.IntervalMs, request.Role);
            var first = new TaskCompletionSource<RecurringReport>(TaskCreationOptions.RunContinuationsAsynchronously);
            executor.StartRecurring(monitor, report =>
            {
                OnRecurring(config, primitive, monitor, report);
                first.TrySetResult(report);
            });
            try
            {
                var report = await first.Task.WaitAsync(monitor.StartDelay + monitor.Timeout + TimeSpan.FromSeconds(5), cancel);
                return request.Answer((int)report.Result.Code, RecurringOk(monitor, report.Result), report.Result.ExitReason);
            }
            catch (TimeoutException)
            {
                // Cancelled before it ever ran (a stop came first): nothing to wait for.
                return request.Answer(0, true, null);
            }
        }
        var result = await RunAsync(config, primitive, request.Resource, request.Task, request.IntervalMs, request.Role, cancel, request.Meta);
        return request.Answer(result.Rc, result.Ok, result.ExitReason);
    }

    private AgentAction Build(ClusterConfig config, Primitive p, string instance, string task, long intervalMs, string? role,
        IReadOnlyDictionary<string, string>? moreMeta = null)
    {
        var extraMeta = new Dictionary<string, string>();
        if (config.AllResources().OfType<Clone>().FirstOrDefault(c => c.Child.Primitives().Any(x => x.Id == p.Id)) is { } clone)
        {
            foreach (var set in clone.MetaAttributes)
                if (set.Rule is null) foreach (var pair in set.Pairs) if (pair.Value is not null) extraMeta[pair.Name] = pair.Value;
            if (instance.Contains(':')) extraMeta["clone"] = instance.Split(':')[1];
        }
        if (moreMeta is not null) foreach (var (name, value) in moreMeta) extraMeta[name] = value;
        // An anonymous clone's instance numbers are the scheduler's and change between transitions;
        // on a node it is one resource under its base name (as Pacemaker's executor registers it,
        // OCF_RESOURCE_INSTANCE included), so a promote cancels the monitor an earlier transition
        // started under another number.
        return ActionBuilder.For(config, p, task, TimeSpan.FromMilliseconds(intervalMs), role, null, HistoryId(config, instance), nodeName, extraMeta, RulesHere(config));
    }

    private async Task<(int Rc, bool Ok, string? ExitReason)> RunAsync(ClusterConfig config, Primitive p, string instance, string task, long intervalMs, string? role, CancellationToken cancel,
        IReadOnlyDictionary<string, string>? meta = null)
    {
        var action = Build(config, p, instance, task, intervalMs, role, meta);
        var result = await executor.ExecuteAsync(action, cancel);
        ApplyAttributes(result.AttributeUpdates);
        var expected = task == "monitor" && intervalMs == 0 ? OcfExitCode.NotRunning : action.Expected;
        var ok = OcfExitCodes.Classify(result.Code, task, intervalMs, expected) == FailureSeverity.None && result.Status is ExecutionStatus.Done or ExecutionStatus.NotInstalled;
        if (task == "monitor" && intervalMs == 0) ok = result.Code is OcfExitCode.Success or OcfExitCode.NotRunning or OcfExitCode.RunningPromoted or OcfExitCode.NotInstalled;
        Record(config, p, instance, task, intervalMs, (int)result.Code, (int)expected, ok, result.ExitReason, meta);
        RaiseOperationAlert(config, instance, task, intervalMs, result, (int)expected);
        if (task != "monitor" || intervalMs > 0 || !ok)
            log.Log(ok ? LogLevel.Information : LogLevel.Warning, "{Resource} {Task}{Interval}: {Result}", instance, task, intervalMs > 0 ? $" ({intervalMs} ms)" : "", result.Summary());
        Changed?.Invoke();
        return ((int)result.Code, ok, result.ExitReason);
    }

    /// <summary>Whether a recurring monitor's run found the resource as it expects it.</summary>
    private static bool RecurringOk(AgentAction monitor, ActionResult result) =>
        OcfExitCodes.Classify(result.Code, "monitor", (long)monitor.Interval.TotalMilliseconds, monitor.Expected) == FailureSeverity.None;

    private void OnRecurring(ClusterConfig config, Primitive p, AgentAction monitor, RecurringReport report)
    {
        var expected = monitor.Expected;
        var ok = RecurringOk(monitor, report.Result);
        ApplyAttributes(report.Result.AttributeUpdates);
        if (!report.Changed && ok) return;
        Record(config, p, monitor.ResourceId, "monitor", (long)monitor.Interval.TotalMilliseconds, (int)report.Result.Code, (int)expected, ok, report.Result.ExitReason);
        RaiseOperationAlert(config, monitor.ResourceId, "monitor", (long)monitor.Interval.TotalMilliseconds, report.Result, (int)expected);
        if (!ok)
        {
            log.LogWarning("{Resource} monitor failed: {Result}", monitor.ResourceId, report.Result.Summary());
            // One failure is enough: the DC decides the recovery, which stops this monitor.
            executor.CancelRecurring(monitor.ResourceId, monitor.Key);
        }
        Changed?.Invoke();
    }

    /// <summary>
    /// Node attributes the agent set (a promotion score through crm_attribute --promotion or
    /// crm_master, ping's through attrd_updater) become this node's transient attributes, which the
    /// DC schedules with. Updates for other nodes are not applied here.
    /// </summary>
    private void ApplyAttributes(IReadOnlyList<HaCluster.Agents.Attributes.AttributeUpdate> updates)
    {
        if (updates.Count == 0) return;
        foreach (var u in updates.Where(u => u.Node is null || u.Node == nodeName))
            SetAttributeHere(u.Name, u.IsDelete ? null : u.Value);
        // An agent that sets another node's attribute (crm_attribute -N): that node owns it.
        foreach (var u in updates.Where(u => u.Node is not null && u.Node != nodeName))
            ForwardAttribute?.Invoke(new AttributeChange(u.Node!, u.Name, u.IsDelete ? null : u.Value));
    }

    /// <summary>Where attribute changes for other nodes go (the controller sends them on).</summary>
    public Action<AttributeChange>? ForwardAttribute { get; set; }

    /// <summary>
    /// Sets (or, with a null value, deletes) one of this node's transient attributes, as
    /// `hacrm attribute` or attrd_updater do; the DC schedules with it from the next report.
    /// </summary>
    public void SetAttribute(string name, string? value)
    {
        SetAttributeHere(name, value);
        Changed?.Invoke();
    }

    /// <summary>Sets one transient attribute in the book; a change of value is an attribute alert.</summary>
    private void SetAttributeHere(string name, string? value)
    {
        if (book.SetAttribute(name, value)) Alert?.Invoke(AlertEvent.AttributeChanged(nodeName, name, value, DateTimeOffset.Now));
    }

    /// <summary>
    /// `hacrm resource cleanup`: forgets the resource's history and fail counts here, so the next
    /// probe finds out afresh where it runs and bans from past failures are lifted.
    /// </summary>
    public int Cleanup(string resource) => book.Forget(resource);

    /// <summary>This node's transient attributes, for agents' queries.</summary>
    public IReadOnlyDictionary<string, string> Attributes() => book.Attributes();

    private static string HistoryId(ClusterConfig config, string instance) => ResourceHistoryBook.HistoryId(config, instance);

    private void Record(ClusterConfig config, Primitive p, string resource, string task, long intervalMs, int rc, int expected, bool ok, string? reason,
        IReadOnlyDictionary<string, string>? meta = null) =>
        book.Record(config.AgentOf(p)!, HistoryId(config, resource), task, intervalMs, rc, expected, ok, reason, Digest(config, p, task, intervalMs), DateTimeOffset.UtcNow, meta);

    /// <summary>
    /// The op-digest of the parameters this operation ran with (rules evaluated against this
    /// node's own attributes): the DC compares it with the configuration to restart a resource
    /// whose parameters were changed since.
    /// </summary>
    private string Digest(ClusterConfig config, Primitive p, string task, long intervalMs) =>
        OperationDigest.For(config, p, task, intervalMs, RulesHere(config));

    /// <summary>
    /// This node as rules see it, as the scheduler builds it: the attributes the configuration
    /// gives it, overridden by its transient ones, and #uname. One place for the probe pass, the
    /// parameters an action runs with and the digest recorded with it, so the three agree.
    /// </summary>
    private SchedNode SelfForRules(ClusterConfig config)
    {
        var self = new SchedNode(nodeName, nodeName);
        foreach (var set in config.Nodes.FirstOrDefault(n => n.Uname == nodeName)?.Attributes ?? default)
            foreach (var pair in set.Pairs)
                if (pair.Value is not null) self.Attributes.TryAdd(pair.Name, pair.Value);
        foreach (var (name, value) in book.Attributes()) self.Attributes[name] = value;
        self.Attributes["#uname"] = nodeName;
        return self;
    }

    /// <summary>Whether a rule holds on this node now.</summary>
    private Func<Rule, bool> RulesHere(ClusterConfig config)
    {
        var self = SelfForRules(config);
        var now = DateTimeOffset.UtcNow;
        return rule => RuleEvaluator.Matches(rule, self, now);
    }

    public ValueTask DisposeAsync() => executor.DisposeAsync();
}
