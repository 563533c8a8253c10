using System.Collections.Concurrent;

namespace HaCluster.Agents;

/// <summary>A recurring monitor's result, passed upward when it matters.</summary>
/// <param name="Changed">True for the first result and whenever the result differs from the previous one.</param>
public sealed record RecurringReport(AgentAction Action, ActionResult Result, bool Changed);

/// <summary>
/// Schedules agent actions on one node: one operation at a time per resource (a monitor never
/// overlaps the stop of the same resource), different resources in parallel up to a limit, and
/// recurring monitors that keep their interval and report only what is news upward: their first
/// result, every change, and every failure. A stop, demote, promote or migrate_to cancels the
/// resource's recurring monitors first, as Pacemaker does; the controller starts the monitors
/// the new role needs afterwards.
/// </summary>
public sealed class Executor : IAsyncDisposable
{
    private readonly AgentRunner runner;
    private readonly SemaphoreSlim parallel;
    private readonly TimeProvider time;
    private readonly ConcurrentDictionary<string, SemaphoreSlim> resourceLocks = new();
    private readonly ConcurrentDictionary<string, Recurring> recurring = new();
    private readonly CancellationTokenSource shutdown = new();

    /// <summary>Actions that end what a recurring monitor checks, so its monitors are cancelled first.</summary>
    private static readonly HashSet<string> CancelsMonitors = ["stop", "demote", "promote", "migrate_to"];

    public Executor(AgentRunner runner, int parallelLimit = 0, TimeProvider? time = null)
    {
        this.runner = runner;
        ParallelLimit = parallelLimit > 0 ? parallelLimit : Math.Max(4, 2 * Environment.ProcessorCount);
        parallel = new SemaphoreSlim(ParallelLimit);
        this.time = time ?? TimeProvider.System;
    }

    public int ParallelLimit { get; }

    /// <summary>This node's attributes, for agents' queries (crm_attribute -G); null if none.</summary>
    public Func<IReadOnlyDictionary<string, string>>? NodeAttributes { get; init; }

    /// <summary>Runs one action after the resource's earlier ones, within the parallel limit.</summary>
    public async Task<ActionResult> ExecuteAsync(AgentAction action, CancellationToken cancel = default)
    {
        if (CancelsMonitors.Contains(action.Name)) CancelRecurring(action.ResourceId);
        return await RunSerializedAsync(action, cancel);
    }

    /// <summary>
    /// Starts a recurring action (a monitor with an interval). <paramref name="report"/> gets the
    /// first result, every change and every failure. Replaces a recurring action with the same key.
    /// </summary>
    public void StartRecurring(AgentAction action, Action<RecurringReport> report)
    {
        if (action.Interval <= TimeSpan.Zero) throw new ArgumentException("a recurring action needs an interval", nameof(action));
        var entry = new Recurring(action, CancellationTokenSource.CreateLinkedTokenSource(shutdown.Token));
        if (recurring.TryRemove(action.Key, out var old)) old.Cancel.Cancel();
        recurring[action.Key] = entry;
        entry.Loop = Task.Run(() => RecurringLoopAsync(entry, report));
    }

    /// <summary>Cancels one recurring action by key, or all of a resource's; returns how many.</summary>
    public int CancelRecurring(string resourceId, string? key = null)
    {
        var cancelled = 0;
        foreach (var (k, entry) in recurring)
        {
            if (entry.Action.ResourceId != resourceId || (key is not null && k != key)) continue;
            if (recurring.TryRemove(new KeyValuePair<string, Recurring>(k, entry)))
            {
                entry.Cancel.Cancel();
                cancelled++;
            }
        }
        return cancelled;
    }

    /// <summary>The keys (rsc_monitor_10000) of the recurring actions running now.</summary>
    public IReadOnlyList<string> RecurringKeys() => recurring.Keys.Order(StringComparer.Ordinal).ToList();

    private async Task<ActionResult> RunSerializedAsync(AgentAction action, CancellationToken cancel)
    {
        var resourceLock = resourceLocks.GetOrAdd(action.ResourceId, _ => new SemaphoreSlim(1));
        await resourceLock.WaitAsync(cancel);
        try
        {
            await parallel.WaitAsync(cancel);
            try
            {
                return await runner.RunAsync(action, NodeAttributes?.Invoke(), cancel);
            }
            finally
            {
                parallel.Release();
            }
        }
        finally
        {
            resourceLock.Release();
        }
    }

    private async Task RecurringLoopAsync(Recurring entry, Action<RecurringReport> report)
    {
        var token = entry.Cancel.Token;
        ActionResult? previous = null;
        try
        {
            if (entry.Action.StartDelay > TimeSpan.Zero) await DelayAsync(entry.Action.StartDelay, token);
            while (!token.IsCancellationRequested)
            {
                ActionResult result;
                try
                {
                    // An in-flight monitor is not killed by its cancellation (a stop then waits for it):
                    // only shutdown aborts it.
                    result = await RunSerializedAsync(entry.Action, shutdown.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                // A result that arrives after cancellation describes a resource being stopped: drop it.
                if (token.IsCancellationRequested) return;
                var changed = previous is null || previous.Code != result.Code || previous.Status != result.Status;
                var failed = OcfExitCodes.Classify(result.Code, entry.Action.Name, (long)entry.Action.Interval.TotalMilliseconds, entry.Action.Expected) != FailureSeverity.None
                    || result.Status is ExecutionStatus.TimedOut or ExecutionStatus.Error;
                previous = result;
                if (changed || failed) report(new RecurringReport(entry.Action, result, changed));
                await DelayAsync(entry.Action.Interval, token);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// Waits on the agent loop's clock, so the next run starts on the thread that reaps agents
    /// (no thread hop per monitor); a test's own time provider is honoured instead.
    /// </summary>
    private Task DelayAsync(TimeSpan delay, CancellationToken token) =>
        time == TimeProvider.System ? Processes.AgentLoop.Delay(delay, token) : Task.Delay(delay, time, token);

    public async ValueTask DisposeAsync()
    {
        await shutdown.CancelAsync();
        var loops = recurring.Values.Select(r => r.Loop).OfType<Task>().ToArray();
        recurring.Clear();
        try
        {
            await Task.WhenAll(loops);
        }
        catch (OperationCanceledException)
        {
        }
        shutdown.Dispose();
    }

    private sealed class Recurring(AgentAction action, CancellationTokenSource cancel)
    {
        public AgentAction Action { get; } = action;
        public CancellationTokenSource Cancel { get; } = cancel;
        public Task? Loop { get; set; }
    }
}
