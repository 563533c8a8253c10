using HaCluster.Core.Policy;
using HaCluster.Agents;
using HaCluster.Core.Cib;
using Microsoft.Extensions.Logging;

namespace HaCluster.Daemon.Controller;

/// <summary>
/// This node's resources: runs actions through the executor and remembers, per resource, what
/// Pacemaker's lrm history keeps — the last non-recurring operation, each recurring monitor,
/// and the last failure — plus fail counts as transient node attributes. The DC schedules from
/// these histories; it never guesses.
/// </summary>
public sealed class LocalResourceManager : IAsyncDisposable
{
    private readonly string nodeName;
    private readonly ILogger log;

    public LocalResourceManager(string nodeName, AgentRunner runner, ILogger log)
    {
        this.nodeName = nodeName;
        this.log = log;
        executor = new Executor(runner) { NodeAttributes = Attributes };
    }

    private readonly Executor executor;
    private readonly object gate = new();
    private readonly Dictionary<string, HistoryDto> histories = new();
    private readonly Dictionary<string, string> attributes = new();
    private int callId;

    /// <summary>Raised (outside the lock) after any history change: the node pushes a report to the DC.</summary>
    public Action? Changed { get; set; }

    public bool Probed => ProbedConfiguration is not null;

    /// <summary>Set on SIGTERM: reported to the DC, which moves this node's resources away.</summary>
    public bool ShuttingDown { get; set; }

    /// <summary>Resources whose last operation left them running here (start, promote, demote, migrate_from, or a probe that found them).</summary>
    public IReadOnlyList<string> ActiveResources()
    {
        lock (gate)
            return histories.Values.Where(h => h.Operations.FirstOrDefault(o => o.Key.EndsWith("_last_0", StringComparison.Ordinal)) is { } last &&
                    (last.Task is "start" or "promote" or "demote" or "migrate_from" ? last.Rc == 0 : last.Task == "monitor" && last.Rc is 0 or 8))
                .Select(h => h.Id).ToList();
    }

    /// <summary>The configuration version whose resources have all been probed here.</summary>
    public string? ProbedConfiguration { get; private set; }

    public NodeReport Report(long round)
    {
        lock (gate)
            return new NodeReport(nodeName, round, Probed,
                histories.Values.Select(h => h with { Operations = h.Operations.ToList() }).ToList(),
                new Dictionary<string, string>(attributes), ProbedConfiguration, ShuttingDown);
    }

    private static string BaseId(string rsc) => rsc.Split(':')[0];

    private static Primitive? FindPrimitive(ClusterConfig config, string rsc) =>
        config.AllResources().OfType<Primitive>().FirstOrDefault(p => p.Id == BaseId(rsc));

    /// <summary>Probes (monitor, interval 0) every configured primitive this node has no history of.</summary>
    public async Task ProbeAllAsync(ClusterConfig config, string version, CancellationToken cancel)
    {
        List<Primitive> todo;
        // resource-discovery=never/exclusive locations leave some resources unprobed here.
        var discovery = new ResourceDiscovery(config);
        lock (gate)
        {
            var self = SelfForRules(config);
            todo = config.AllResources().OfType<Primitive>()
                .Where(p => !histories.ContainsKey(p.Id) && discovery.Probes(p.Id, self, DateTimeOffset.UtcNow)).ToList();
        }
        var probes = todo.Select(p => RunAsync(config, p, p.Id, "monitor", 0, null, cancel)).ToList();
        await Task.WhenAll(probes);
        ProbedConfiguration = version;
        if (todo.Count > 0) log.LogInformation("probed {Count} resource(s): {Active} active here", todo.Count,
            (await Task.WhenAll(probes)).Count(r => r.Rc is 0 or 8));
        Changed?.Invoke();
    }

    /// <summary>Runs one action the DC asked for; recurring monitors are started and report failures later.</summary>
    public async Task<ExecuteResult> ExecuteAsync(ClusterConfig config, ExecuteRequest request, CancellationToken cancel)
    {
        var primitive = FindPrimitive(config, request.Resource);
        if (primitive is null)
            return new ExecuteResult(request.Transition, request.Action, request.Resource, request.Task, request.IntervalMs, (int)OcfExitCode.NotConfigured, false, "no such resource in this node's configuration");
        if (request.Target is { } victim)
        {
            // A fencing request: the device's agent acts on the victim; nothing is recorded in
            // the device's own history (it stays started).
            var fence = Build(config, primitive, request.Resource, request.Task, 0, null) with { Target = victim };
            var fenced = await executor.ExecuteAsync(fence, cancel);
            var ok = fenced.Code == OcfExitCode.Success;
            log.Log(ok ? LogLevel.Warning : LogLevel.Error, "fencing {Victim} ({Task}) with {Device}: {Result}", victim, request.Task, request.Resource, fenced.Summary());
            return new ExecuteResult(request.Transition, request.Action, request.Resource, request.Task, 0, (int)fenced.Code, ok, fenced.ExitReason, request.Target, nodeName);
        }
        if (request.Task == "notify")
        {
            // A clone notification: the agent hears what the transition does to the clone's
            // instances. Its result changes nothing (Pacemaker ignores it too) and is not history.
            var notify = Build(config, primitive, request.Resource, "notify", 0, null, request.Meta);
            var heard = await executor.ExecuteAsync(notify, cancel);
            ApplyAttributes(heard.AttributeUpdates);
            var type = request.Meta?.GetValueOrDefault("notify_type");
            var operation = request.Meta?.GetValueOrDefault("notify_operation");
            if (heard.Code == OcfExitCode.Success)
                log.LogInformation("{Resource} notify ({Type}-{Operation}): ok", request.Resource, type, operation);
            else
                log.LogWarning("{Resource} notify ({Type}-{Operation}): {Result} (ignored)", request.Resource, type, operation, heard.Summary());
            return new ExecuteResult(request.Transition, request.Action, request.Resource, request.Task, 0, (int)heard.Code, true, heard.ExitReason, Node: nodeName);
        }
        if (request.Task == "monitor" && request.IntervalMs > 0)
        {
            var monitor = Build(config, primitive, request.Resource, "monitor", request.IntervalMs, request.Role);
            executor.StartRecurring(monitor, report => OnRecurring(config, primitive, monitor, report));
            return new ExecuteResult(request.Transition, request.Action, request.Resource, request.Task, request.IntervalMs, 0, true, null);
        }
        var result = await RunAsync(config, primitive, request.Resource, request.Task, request.IntervalMs, request.Role, cancel, request.Meta);
        return new ExecuteResult(request.Transition, request.Action, request.Resource, request.Task, request.IntervalMs, result.Rc, result.Ok, result.ExitReason);
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
        Record(config, p, instance, task, intervalMs, (int)result.Code, (int)expected, ok, result.ExitReason);
        if (task != "monitor" || intervalMs > 0 || !ok)
            log.Log(ok ? LogLevel.Information : LogLevel.Warning, "{Resource} {Task}{Interval}: {Result}", instance, task, intervalMs > 0 ? $" ({intervalMs} ms)" : "", result.Summary());
        Changed?.Invoke();
        return ((int)result.Code, ok, result.ExitReason);
    }

    private void OnRecurring(ClusterConfig config, Primitive p, AgentAction monitor, RecurringReport report)
    {
        var expected = monitor.Expected;
        var ok = OcfExitCodes.Classify(report.Result.Code, "monitor", (long)monitor.Interval.TotalMilliseconds, expected) == FailureSeverity.None;
        ApplyAttributes(report.Result.AttributeUpdates);
        if (!report.Changed && ok) return;
        Record(config, p, monitor.ResourceId, "monitor", (long)monitor.Interval.TotalMilliseconds, (int)report.Result.Code, (int)expected, ok, report.Result.ExitReason);
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
        lock (gate)
            foreach (var u in updates.Where(u => u.Node is null || u.Node == nodeName))
            {
                if (u.IsDelete) attributes.Remove(u.Name);
                else attributes[u.Name] = u.Value!;
            }
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
        lock (gate)
        {
            if (value is null) attributes.Remove(name);
            else attributes[name] = value;
        }
        Changed?.Invoke();
    }

    /// <summary>
    /// `hacrm resource cleanup`: forgets the resource's history and fail counts here, so the next
    /// probe finds out afresh where it runs and bans from past failures are lifted.
    /// </summary>
    public int Cleanup(string resource)
    {
        var id = BaseId(resource);
        lock (gate)
        {
            var forgotten = histories.Keys.Where(k => BaseId(k) == id).ToList();
            foreach (var k in forgotten) histories.Remove(k);
            foreach (var a in attributes.Keys.Where(a => a.StartsWith($"fail-count-{id}#", StringComparison.Ordinal) || a.StartsWith($"last-failure-{id}#", StringComparison.Ordinal)).ToList())
                attributes.Remove(a);
            ProbedConfiguration = null;
            return forgotten.Count;
        }
    }

    /// <summary>This node's transient attributes, for agents' queries.</summary>
    public IReadOnlyDictionary<string, string> Attributes()
    {
        lock (gate) return new Dictionary<string, string>(attributes);
    }

    /// <summary>
    /// The history id: anonymous clone instances are recorded under the primitive's id, as
    /// Pacemaker does, so a probe ("db") and the actions on an instance ("db:0") are one history.
    /// </summary>
    private static string HistoryId(ClusterConfig config, string instance)
    {
        if (!instance.Contains(':')) return instance;
        var clone = config.AllResources().OfType<Clone>().FirstOrDefault(c => c.Child.Primitives().Any(x => x.Id == BaseId(instance)));
        return clone is not null && CibBoolean.IsTrue(clone.MetaAttributes.GetUnconditional("globally-unique")) ? instance : BaseId(instance);
    }

    private void Record(ClusterConfig config, Primitive p, string resource, string task, long intervalMs, int rc, int expected, bool ok, string? reason)
    {
        var agent = config.AgentOf(p)!;
        var instance = HistoryId(config, resource);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        lock (gate)
        {
            if (!histories.TryGetValue(instance, out var h))
                histories[instance] = h = new HistoryDto(instance, agent.Class, agent.Provider, agent.Type, new List<OperationDto>());
            var recurring = task == "monitor" && intervalMs > 0;
            var key = recurring ? $"{instance}_monitor_{intervalMs}" : $"{instance}_last_0";
            var op = new OperationDto(key, task, intervalMs, rc, expected, ok ? 0 : 4, ++callId, now, reason, Digest(config, p, task, intervalMs));
            h.Operations.RemoveAll(o => o.Key == key);
            // A stop or demote ends the recurring monitors (the executor cancelled them).
            if (!recurring && task is "stop" or "demote" or "promote" or "start") h.Operations.RemoveAll(o => o.IntervalMs > 0);
            h.Operations.Add(op);
            if (!ok)
            {
                h.Operations.RemoveAll(o => o.Key == $"{instance}_last_failure_0");
                h.Operations.Add(op with { Key = $"{instance}_last_failure_0" });
                var failCount = $"fail-count-{BaseId(instance)}#{task}_{intervalMs}";
                attributes[failCount] = ((int.TryParse(attributes.GetValueOrDefault(failCount), out var c) ? c : 0) + 1).ToString();
                attributes[$"last-failure-{BaseId(instance)}#{task}_{intervalMs}"] = now.ToString();
            }
        }
    }

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
        lock (gate)
        {
            foreach (var set in config.Nodes.FirstOrDefault(n => n.Uname == nodeName)?.Attributes ?? default)
                foreach (var pair in set.Pairs)
                    if (pair.Value is not null) self.Attributes.TryAdd(pair.Name, pair.Value);
            foreach (var (name, value) in attributes) self.Attributes[name] = value;
        }
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
