using HaCluster.Agents.Processes;
using HaCluster.Core.Cib;
using HaCluster.Core.Health;
using Microsoft.Extensions.Logging;

namespace HaCluster.Daemon.Health;

/// <summary>
/// Runs the configuration's health checks on this node: each in its own loop, one run at a time,
/// every interval, killed (with its process group) at its timeout; each change of state sets the
/// node attribute through <paramref name="setAttribute"/>, which reports it to the DC like any
/// transient attribute. A check removed or changed by a commit stops, and its attribute goes.
/// The script gets a plain environment with this node's name in HA_NODE (as Heartbeat's scripts had it).
/// </summary>
public sealed class HealthCheckRunner(string nodeName, Action<string, string?> setAttribute, ILogger log, CancellationToken stopping) : IDisposable
{
    private readonly Dictionary<string, (HealthCheck Check, CancellationTokenSource Cancel)> running = new();
    private readonly ProcessRunner processes = new() { KillGrace = TimeSpan.FromSeconds(1), OutputLimit = 4096 };
    private readonly object gate = new();

    private readonly IReadOnlyDictionary<string, string> environment = new Dictionary<string, string>
    {
        ["PATH"] = HaCluster.Agents.AgentEnvironment.SystemPath,
        ["LANG"] = "C",
        ["HA_NODE"] = nodeName,
    };

    /// <summary>Brings the running checks in line with a (newly loaded) configuration.</summary>
    public void Update(ClusterConfig config)
    {
        lock (gate)
        {
            var wanted = config.HealthChecks.ToDictionary(h => h.Id);
            foreach (var (id, (check, cancel)) in running.ToList())
            {
                if (wanted.TryGetValue(id, out var same) && same == check) continue;
                cancel.Cancel();
                running.Remove(id);
                if (!wanted.TryGetValue(id, out var next) || next.AttributeName != check.AttributeName) setAttribute(check.AttributeName, null);
                log.LogInformation("health check {Check} stopped ({Why})", id, wanted.ContainsKey(id) ? "changed" : "removed");
            }
            foreach (var check in wanted.Values.Where(h => !running.ContainsKey(h.Id)))
            {
                var cancel = CancellationTokenSource.CreateLinkedTokenSource(stopping);
                running[check.Id] = (check, cancel);
                _ = Task.Run(() => LoopAsync(new HealthCheckState(check), cancel.Token));
            }
        }
    }

    private async Task LoopAsync(HealthCheckState state, CancellationToken cancel)
    {
        var check = state.Check;
        var command = check.Command;
        log.LogInformation("health check {Check}: running {Script} every {Interval}s (fall {Fall}, rise {Rise}) for node attribute {Attribute}",
            check.Id, check.Script, check.IntervalTime.TotalSeconds, check.FallCount, check.RiseCount, check.AttributeName);
        while (!cancel.IsCancellationRequested)
        {
            var outcome = await processes.RunAsync(new ProcessSpec(command[0], command.Skip(1).ToList(), environment, check.TimeoutTime), cancel);
            if (cancel.IsCancellationRequested) break;
            var passed = outcome is { ExitCode: 0, TimedOut: false, StartError: null };
            if (state.Record(passed) is { } value)
            {
                setAttribute(check.AttributeName, value);
                var why = outcome.StartError ?? (outcome.TimedOut ? $"timed out after {check.TimeoutTime.TotalSeconds}s" : $"exit {outcome.ExitCode}");
                if (passed) log.LogInformation("health check {Check} passing ({Attribute}={Value})", check.Id, check.AttributeName, value);
                else log.LogWarning("health check {Check} FAILING ({Why}; {Attribute}={Value})", check.Id, why, check.AttributeName, value);
            }
            try { await Task.Delay(check.IntervalTime, cancel); }
            catch (OperationCanceledException) { break; }
        }
    }

    public void Dispose()
    {
        lock (gate)
        {
            foreach (var (_, cancel) in running.Values) cancel.Cancel();
            running.Clear();
        }
    }
}
