using System.Collections.Concurrent;
using HaCluster.Core.Cib;

namespace HaCluster.Agents.Tests;

public sealed class ExecutorTests : IDisposable
{
    private readonly TestDirectory dir = new();
    private readonly string ocf;

    public ExecutorTests()
    {
        ocf = dir.OcfRoot();
        // Logs begin/end with the number of actions running at once (marker files in a folder).
        dir.Script("ocf/resource.d/test/slow", $$"""
            #!/bin/sh
            run="{{dir.Root}}/running"
            mkdir -p "$run"
            touch "$run/$OCF_RESOURCE_INSTANCE-$$"
            echo "begin $OCF_RESOURCE_INSTANCE $(ls "$run" | wc -l)" >> "{{dir.Root}}/log"
            sleep 0.3
            echo "end $OCF_RESOURCE_INSTANCE" >> "{{dir.Root}}/log"
            rm -f "$run/$OCF_RESOURCE_INSTANCE-$$"
            exit 0
            """);
    }

    public void Dispose() => dir.Dispose();

    private AgentAction Slow(string rsc, string name = "start") =>
        new() { ResourceId = rsc, Agent = AgentSpec.TryParse("ocf:test:slow")!, Name = name, Timeout = TimeSpan.FromSeconds(10) };

    private string[] Log() => File.ReadAllLines(dir["log"]);

    [Fact]
    public async Task Actions_on_one_resource_never_overlap()
    {
        await using var executor = new Executor(new AgentRunner(dir.Paths(ocf)), parallelLimit: 8);
        await Task.WhenAll(executor.ExecuteAsync(Slow("r1")), executor.ExecuteAsync(Slow("r1", "monitor")), executor.ExecuteAsync(Slow("r1", "stop")));
        var log = Log();
        Assert.Equal(6, log.Length);
        for (var i = 0; i < log.Length; i += 2)
        {
            Assert.StartsWith("begin r1 1", log[i]);
            Assert.Equal("end r1", log[i + 1]);
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(5)]
    public async Task Different_resources_run_in_parallel_up_to_the_limit(int limit)
    {
        await using var executor = new Executor(new AgentRunner(dir.Paths(ocf)), parallelLimit: limit);
        await Task.WhenAll(Enumerable.Range(1, 5).Select(i => executor.ExecuteAsync(Slow($"r{i}"))));
        var concurrency = Log().Where(l => l.StartsWith("begin", StringComparison.Ordinal)).Select(l => int.Parse(l.Split(' ')[2])).ToList();
        Assert.Equal(5, concurrency.Count);
        Assert.True(concurrency.Max() <= limit, $"{concurrency.Max()} ran at once with a limit of {limit}");
        Assert.True(concurrency.Max() >= 2, "resources did not run in parallel");
    }

    private AgentAction DummyMonitor(TimeSpan interval, TimeSpan startDelay = default) => new()
    {
        ResourceId = "d1",
        Agent = AgentSpec.TryParse("ocf:heartbeat:Dummy")!,
        Name = "monitor",
        Interval = interval,
        StartDelay = startDelay,
        Parameters = new Dictionary<string, string> { ["state"] = dir["d1.state"] },
        Timeout = TimeSpan.FromSeconds(10),
    };

    private static async Task<T> Next<T>(BlockingCollection<T> queue, TimeSpan within)
    {
        var item = await Task.Run(() => queue.TryTake(out var x, within) ? x : default);
        return item ?? throw new TimeoutException("no report arrived");
    }

    [Fact]
    public async Task A_recurring_monitor_reports_its_first_result_then_only_changes_and_failures()
    {
        await using var executor = new Executor(new AgentRunner(dir.Paths()));
        var monitor = DummyMonitor(TimeSpan.FromMilliseconds(100));
        var start = await executor.ExecuteAsync(monitor with { Name = "start", Interval = TimeSpan.Zero });
        Assert.Equal(OcfExitCode.Success, start.Code);
        var reports = new BlockingCollection<RecurringReport>();
        executor.StartRecurring(monitor, reports.Add);

        var first = await Next(reports, TimeSpan.FromSeconds(5));
        Assert.True(first.Changed);
        Assert.Equal(OcfExitCode.Success, first.Result.Code);
        // Several intervals of the same healthy answer: nothing to report.
        await Task.Delay(600);
        Assert.Empty(reports);

        File.Delete(dir["d1.state"]);
        var failure = await Next(reports, TimeSpan.FromSeconds(5));
        Assert.True(failure.Changed);
        Assert.Equal(OcfExitCode.NotRunning, failure.Result.Code);
        // A failure goes on being reported (the controller decides what to do about it).
        var again = await Next(reports, TimeSpan.FromSeconds(5));
        Assert.False(again.Changed);
        Assert.Equal(OcfExitCode.NotRunning, again.Result.Code);
        Assert.Equal(["d1_monitor_100"], executor.RecurringKeys());
    }

    [Fact]
    public async Task A_stop_cancels_the_resources_recurring_monitors_first()
    {
        await using var executor = new Executor(new AgentRunner(dir.Paths()));
        var monitor = DummyMonitor(TimeSpan.FromMilliseconds(100));
        await executor.ExecuteAsync(monitor with { Name = "start", Interval = TimeSpan.Zero });
        var reports = new BlockingCollection<RecurringReport>();
        executor.StartRecurring(monitor, reports.Add);
        await Next(reports, TimeSpan.FromSeconds(5));

        var stop = await executor.ExecuteAsync(monitor with { Name = "stop", Interval = TimeSpan.Zero });
        Assert.Equal(OcfExitCode.Success, stop.Code);
        Assert.Empty(executor.RecurringKeys());
        // The stopped resource's monitor would now fail; it must not report that.
        await Task.Delay(400);
        Assert.Empty(reports);
    }

    [Fact]
    public async Task A_monitor_with_start_delay_waits_before_its_first_run()
    {
        await using var executor = new Executor(new AgentRunner(dir.Paths()));
        var reports = new BlockingCollection<RecurringReport>();
        // When the report is made, not when this test thread gets to look (under load it may look late).
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var firstAt = TimeSpan.Zero;
        executor.StartRecurring(DummyMonitor(TimeSpan.FromSeconds(10), startDelay: TimeSpan.FromMilliseconds(800)), r =>
        {
            if (reports.Count == 0 && firstAt == TimeSpan.Zero) firstAt = clock.Elapsed;
            reports.Add(r);
        });
        var first = await Next(reports, TimeSpan.FromSeconds(5));
        Assert.True(firstAt >= TimeSpan.FromMilliseconds(795), $"the first run reported after {firstAt.TotalMilliseconds:0} ms, before its 800 ms start-delay");
        Assert.Equal(OcfExitCode.NotRunning, first.Result.Code);
    }

    [Fact]
    public async Task Agents_read_node_attributes_and_their_updates_come_back_with_the_result()
    {
        dir.Script("ocf/resource.d/test/attrs", """
            #!/bin/sh
            . "$OCF_FUNCTIONS_DIR/ocf-shellfuncs"
            current=$(${HA_SBIN_DIR}/crm_attribute -G -q -n pingd -l reboot) || exit 1
            ${HA_SBIN_DIR}/attrd_updater -n pingd -v $((current + 100)) -d 5s
            crm_master -l reboot -v 42
            exit 0
            """);
        await using var executor = new Executor(new AgentRunner(dir.Paths(ocf)))
        {
            NodeAttributes = () => new Dictionary<string, string> { ["pingd"] = "900" },
        };
        var result = await executor.ExecuteAsync(new AgentAction { ResourceId = "p:1", Agent = AgentSpec.TryParse("ocf:test:attrs")!, Name = "monitor" });
        Assert.True(result.Code == OcfExitCode.Success, result.Summary() + result.Stderr);
        Assert.Equal(
            [new("pingd", "1000", "reboot"), new("master-p", "42", "reboot")],
            result.AttributeUpdates);
    }
}
