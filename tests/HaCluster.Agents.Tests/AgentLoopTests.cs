using System.Diagnostics;
using HaCluster.Agents.Processes;

namespace HaCluster.Agents.Tests;

public sealed class AgentLoopTests
{
    [Fact]
    public async Task Timers_run_in_due_order_and_not_before_they_are_due()
    {
        var order = new List<int>();
        var done = new TaskCompletionSource();
        var clock = Stopwatch.StartNew();
        var elapsed = new TimeSpan[3];
        AgentLoop.Schedule(TimeSpan.FromMilliseconds(150), () => { elapsed[2] = clock.Elapsed; order.Add(3); done.SetResult(); });
        AgentLoop.Schedule(TimeSpan.FromMilliseconds(50), () => { elapsed[0] = clock.Elapsed; order.Add(1); });
        AgentLoop.Schedule(TimeSpan.FromMilliseconds(100), () => { elapsed[1] = clock.Elapsed; order.Add(2); });
        await done.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal([1, 2, 3], order);
        // A timer may run up to a millisecond early (it joins the wake-up of one due then), never more.
        Assert.True(elapsed[0] >= TimeSpan.FromMilliseconds(49), $"ran after {elapsed[0].TotalMilliseconds} ms");
        Assert.True(elapsed[2] >= TimeSpan.FromMilliseconds(149), $"ran after {elapsed[2].TotalMilliseconds} ms");
    }

    [Fact]
    public async Task A_cancelled_timer_never_runs()
    {
        var ran = false;
        var timer = AgentLoop.Schedule(TimeSpan.FromMilliseconds(50), () => ran = true);
        timer.Cancel();
        await AgentLoop.Delay(TimeSpan.FromMilliseconds(150));
        Assert.False(ran);
    }

    [Fact]
    public async Task A_delay_completes_on_the_loop_and_a_cancelled_one_ends_at_once()
    {
        await AgentLoop.Delay(TimeSpan.FromMilliseconds(20));
        using var cancel = new CancellationTokenSource();
        var delay = AgentLoop.Delay(TimeSpan.FromSeconds(30), cancel.Token);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => delay.WaitAsync(TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public async Task An_exception_in_a_timer_does_not_stop_the_loop()
    {
        AgentLoop.Schedule(TimeSpan.Zero, () => throw new InvalidOperationException("boom"));
        await AgentLoop.Delay(TimeSpan.FromMilliseconds(20)).WaitAsync(TimeSpan.FromSeconds(2));
        var outcome = await new ProcessRunner().RunAsync(new ProcessSpec("/bin/true", [], new Dictionary<string, string>(), TimeSpan.FromSeconds(5)));
        Assert.Equal(0, outcome.ExitCode);
    }

    [Fact]
    public async Task A_huge_delay_does_not_wrap_around_and_fire_at_once()
    {
        var ran = false;
        var timer = AgentLoop.Schedule(TimeSpan.MaxValue, () => ran = true);
        await AgentLoop.Delay(TimeSpan.FromMilliseconds(50));
        timer.Cancel();
        Assert.False(ran);
    }
}

/// <summary>
/// Runs alone: its 200 processes at once load both cores, and other classes' tests measure
/// time (start-delay, timeouts).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LoadTestsCollection
{
    public const string Name = "load, run alone";
}

[Collection(LoadTestsCollection.Name)]
public sealed class AgentLoopLoadTests
{
    [Fact]
    public async Task Hundreds_of_concurrent_runs_each_end_with_their_own_result()
    {
        // Spawns from many threads at once, some cut short by a deadline or by their caller:
        // every run ends, and each with what happened to it (no lost exit, no result swapped).
        var env = new Dictionary<string, string> { ["PATH"] = "/usr/bin:/bin" };
        var runner = new ProcessRunner { KillGrace = TimeSpan.FromMilliseconds(200) };
        var runs = Enumerable.Range(0, 200).Select(i => Task.Run(async () =>
        {
            var kind = i % 4;
            var script = kind switch { 0 or 1 => $"exit {i % 50}", _ => "sleep 5" };
            using var cancel = new CancellationTokenSource();
            if (kind == 3) cancel.CancelAfter(TimeSpan.FromMilliseconds(50 + i));
            var spec = new ProcessSpec("/bin/sh", ["-c", script], env, kind == 2 ? TimeSpan.FromMilliseconds(100) : TimeSpan.FromSeconds(20));
            return (i, kind, outcome: await runner.RunAsync(spec, cancel.Token));
        })).ToList();
        var results = await Task.WhenAll(runs).WaitAsync(TimeSpan.FromSeconds(60));
        foreach (var (i, kind, outcome) in results)
        {
            switch (kind)
            {
                case 0 or 1: Assert.Equal(i % 50, outcome.ExitCode); break;
                case 2: Assert.True(outcome.TimedOut, $"run {i} should have timed out"); break;
                default: Assert.True(!outcome.TimedOut && outcome.ExitCode == 128 + 15, $"run {i}: cancelled run ended with {outcome.ExitCode}"); break;
            }
        }
    }
}
