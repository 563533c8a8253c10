using System.Threading.Channels;
using HaCluster.Agents.Attributes;
using HaCluster.Agents.Processes;
using HaCluster.Core.Alerts;
using HaCluster.Core.Cib;
using Microsoft.Extensions.Logging;

namespace HaCluster.Daemon.Alerts;

/// <summary>
/// Runs the configuration's alert agents for this node's events, as Pacemaker's controller and
/// executor do: <see cref="AlertPlanner"/> decides who hears an event and with which
/// environment; here each invocation runs as its own process (no shell, killed with its process
/// group at its timeout), at most <see cref="ConcurrentRuns"/> at a time. The queue is bounded:
/// past <see cref="QueueLimit"/> waiting runs, new ones are dropped, counted and logged (an
/// agent that hangs on every event must not grow the daemon without end).
/// </summary>
public sealed class AlertRunner : IDisposable
{
    public const int QueueLimit = 1000;
    public const int ConcurrentRuns = 8;

    private readonly ILogger log;
    private readonly Channel<AlertInvocation> queue = Channel.CreateBounded<AlertInvocation>(
        new BoundedChannelOptions(QueueLimit) { FullMode = BoundedChannelFullMode.Wait, SingleWriter = false });
    private readonly ProcessRunner processes = new() { KillGrace = TimeSpan.FromSeconds(1), OutputLimit = 4096 };
    private readonly CancellationTokenSource stop;
    private volatile ClusterConfig? config;
    private long sequence;
    private long dropped;
    private long ran;
    private long failed;
    private readonly LocalApi.LogRateLimiter droppedLog = new(TimeSpan.FromMinutes(1));

    private readonly IReadOnlyDictionary<string, string> baseEnvironment;
    private readonly string clusterName;
    private readonly string snapshotPath;

    /// <param name="toolsDirectory">
    /// Where the executor's stand-ins for Pacemaker's tools are (AttributeTools): first in the
    /// agents' PATH, so that what the sample agents ask (<c>crm_attribute --query -n
    /// cluster-name</c>) is answered from this cluster's properties, not by a Pacemaker that is not there.
    /// </param>
    public AlertRunner(string nodeName, string clusterName, string toolsDirectory, string stateDirectory, ILogger log, CancellationToken stopping)
    {
        this.log = log;
        this.clusterName = clusterName;
        snapshotPath = Path.Combine(stateDirectory, "alert-properties.snapshot");
        baseEnvironment = new Dictionary<string, string>
        {
            ["PATH"] = HaCluster.Agents.AgentEnvironment.PathWithTools(toolsDirectory),
            ["LANG"] = "C",
            [AttributeTools.NodeVariable] = nodeName,
            [AttributeTools.SnapshotVariable] = snapshotPath,
        };
        stop = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        for (int i = 0; i < ConcurrentRuns; i++) _ = Task.Run(WorkAsync);
    }

    /// <summary>Runs so far that exited 0, that failed (non-zero, timed out, not startable), and that were dropped.</summary>
    public (long Ran, long Failed, long Dropped) Counts => (Interlocked.Read(ref ran), Interlocked.Read(ref failed), Interlocked.Read(ref dropped));

    /// <summary>The configuration in force (alerts come and go with commits); its cluster properties answer the agents' queries.</summary>
    public void Update(ClusterConfig loaded)
    {
        config = loaded;
        if (loaded.Alerts.IsEmpty) return;
        var properties = loaded.Properties.Where(s => s.Rule is null).SelectMany(s => s.Pairs).Where(p => p.Value is not null)
            .ToDictionary(p => p.Name, p => p.Value!);
        properties.TryAdd("cluster-name", clusterName);
        try
        {
            File.WriteAllText(snapshotPath + ".tmp", string.Concat(properties.Select(p => $"{p.Key}\t{p.Value.ReplaceLineEndings(" ")}\n")));
            File.Move(snapshotPath + ".tmp", snapshotPath, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            log.LogWarning("alerts: cannot write {Path}: {Error}", snapshotPath, e.Message);
        }
    }

    /// <summary>An event on this node: its alert runs are queued (never blocks; nothing configured, nothing done).</summary>
    public void Raise(AlertEvent? e)
    {
        if (e is null || config is not { Alerts.IsEmpty: false } cfg) return;
        var plan = AlertPlanner.Plan(cfg, e, Interlocked.Increment(ref sequence));
        foreach (var run in plan)
        {
            if (queue.Writer.TryWrite(run)) continue;
            Interlocked.Increment(ref dropped);
            if (droppedLog.ShouldLog("alerts", out var held))
                log.LogWarning("alert queue full ({Limit} runs waiting): {Alert} for a {Kind} event dropped{Held}", QueueLimit, run.AlertId, e.KindName,
                    held > 0 ? $" ({held} more in the last minute)" : "");
        }
    }

    private async Task WorkAsync()
    {
        try
        {
            await foreach (var run in queue.Reader.ReadAllAsync(stop.Token)) await RunOneAsync(run);
        }
        catch (OperationCanceledException) { }
    }

    private async Task RunOneAsync(AlertInvocation run)
    {
        var environment = new Dictionary<string, string>(baseEnvironment);
        foreach (var (name, value) in run.Environment) environment[name] = value;
        try
        {
            var outcome = await processes.RunAsync(new ProcessSpec(run.Path, [], environment, run.Timeout), stop.Token);
            if (outcome is { ExitCode: 0, TimedOut: false, StartError: null })
            {
                Interlocked.Increment(ref ran);
                log.LogDebug("alert {Alert} ({Kind}) to '{Recipient}': ok", run.AlertId, run.Environment.GetValueOrDefault("CRM_alert_kind"), run.Recipient);
                return;
            }
            Interlocked.Increment(ref failed);
            var why = outcome.StartError ?? (outcome.TimedOut ? $"timed out after {run.Timeout.TotalSeconds:0.###}s" : $"exited {outcome.ExitCode}");
            var said = (outcome.Stderr.Trim() is { Length: > 0 } err ? err : outcome.Stdout.Trim()).ReplaceLineEndings(" ");
            log.LogWarning("alert {Alert} ({Kind}) to '{Recipient}' failed: {Why}{Output}", run.AlertId, run.Environment.GetValueOrDefault("CRM_alert_kind"),
                run.Recipient, why, said.Length > 0 ? $": {said[..Math.Min(said.Length, 300)]}" : "");
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
        catch (Exception ex)
        {
            Interlocked.Increment(ref failed);
            log.LogWarning("alert {Alert} to '{Recipient}' could not run: {Error}", run.AlertId, run.Recipient, ex.Message);
        }
    }

    public void Dispose()
    {
        stop.Cancel();
        queue.Writer.TryComplete();
    }
}
