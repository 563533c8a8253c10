using System.Diagnostics;
using HaCluster.Agents;
using HaCluster.Core.Cib;

namespace HaCluster.Benchmarks;

/// <summary>
/// Many resources on recurring monitors for a bounded time: the executor's own CPU (this
/// process, agents excluded) and memory, beside the agents' CPU (reaped children).
/// </summary>
public static class ExecutorLoad
{
    public static async Task<int> RunAsync(string[] args)
    {
        var resources = args.Length > 0 ? int.Parse(args[0]) : 1000;
        var interval = TimeSpan.FromSeconds(args.Length > 1 ? double.Parse(args[1]) : 10);
        var duration = TimeSpan.FromSeconds(args.Length > 2 ? double.Parse(args[2]) : 60);
        var root = Directory.CreateTempSubdirectory("hacluster-load-").FullName;
        try
        {
            // As in the daemon: agents can query this node's attributes (a copy handed over per action).
            var nodeAttributes = new Dictionary<string, string> { ["#uname"] = "node1", ["site"] = "a", ["master-db"] = "10" };
            var executor = new Executor(new AgentRunner(AgentPaths.Private(root))) { NodeAttributes = () => new Dictionary<string, string>(nodeAttributes) };
            var monitors = 0;
            var failures = 0;
            var actions = Enumerable.Range(0, resources).Select(i => new AgentAction
            {
                ResourceId = $"d{i}",
                Agent = new AgentSpec("ocf", "heartbeat", "Dummy"),
                Name = "monitor",
                Interval = interval,
                // Spread first runs over one interval, as resources started over time would be.
                StartDelay = interval * i / resources,
                Parameters = new Dictionary<string, string> { ["state"] = Path.Combine(root, $"d{i}.state") },
            }).ToList();
            foreach (var a in actions) File.WriteAllText(a.Parameters["state"], "");

            foreach (var a in actions)
                executor.StartRecurring(a, report =>
                {
                    Interlocked.Increment(ref monitors);
                    if (report.Result.Code != OcfExitCode.Success) Interlocked.Increment(ref failures);
                });
            // Two intervals to start every monitor and let the tiered JIT settle, then measure. Nothing
            // else runs in this process meanwhile (no sampling loop: its own JIT tiering showed up
            // as executor CPU); peak memory is the kernel's high-water mark.
            await Task.Delay(interval * 2);
            var self = Process.GetCurrentProcess();
            var cpu0 = self.TotalProcessorTime;
            var children0 = ChildrenCpu();
            var clock = Stopwatch.StartNew();
            await Task.Delay(duration);
            var wall = clock.Elapsed;
            self.Refresh();
            var own = self.TotalProcessorTime - cpu0;
            var agents = ChildrenCpu() - children0;
            await executor.DisposeAsync();
            var expectedRuns = resources * (wall / interval);
            Console.WriteLine($"{resources} x ocf:heartbeat:Dummy, monitor every {interval.TotalSeconds:0.#}s, measured for {wall.TotalSeconds:0} s after two intervals of warm-up, {Environment.ProcessorCount} cores:");
            Console.WriteLine($"  executor (this process): {own.TotalMilliseconds / wall.TotalMilliseconds * 100:0.00}% of one core");
            Console.WriteLine($"  agents (children):       {agents.TotalMilliseconds / wall.TotalMilliseconds * 100:0.0}% of one core (~{expectedRuns:0} monitor runs)");
            Console.WriteLine($"  memory: peak RSS {PeakRssKilobytes() / 1024.0:0} MB, GC heap {GC.GetTotalMemory(false) / 1048576.0:0.0} MB");
            Console.WriteLine($"  reports upward: {monitors} (first results and changes only), failures: {failures}");
            return failures == 0 ? 0 : 1;
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }

    /// <summary>The process's peak resident set (VmHWM in /proc/self/status), in KiB.</summary>
    private static long PeakRssKilobytes() =>
        File.ReadLines("/proc/self/status").Where(l => l.StartsWith("VmHWM:", StringComparison.Ordinal))
            .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1])).FirstOrDefault();

    /// <summary>CPU of reaped child processes (cutime + cstime from /proc/self/stat).</summary>
    private static TimeSpan ChildrenCpu()
    {
        var stat = File.ReadAllText("/proc/self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // Fields after the command: state is index 0, so cutime (16th field) is index 13.
        var ticks = long.Parse(fields[13]) + long.Parse(fields[14]);
        return TimeSpan.FromSeconds(ticks / 100.0);
    }
}
