using System.Diagnostics;
using HaCluster.Agents;
using HaCluster.Agents.Processes;
using HaCluster.Core.Cib;

namespace HaCluster.Benchmarks;

/// <summary>The executor's own CPU per action, layer by layer (agents' CPU excluded).</summary>
public static class ExecutorCpu
{
    public static async Task<int> RunAsync(string[] args)
    {
        var actions = args.Length > 0 ? int.Parse(args[0]) : 500;
        var root = Directory.CreateTempSubdirectory("hacluster-cpu-").FullName;
        try
        {
            var paths = AgentPaths.Private(root);
            var runner = new AgentRunner(paths);
            var state = Path.Combine(root, "s.state");
            File.WriteAllText(state, "");
            var action = new AgentAction
            {
                ResourceId = "bench",
                Agent = new AgentSpec("ocf", "heartbeat", "Dummy"),
                Name = "monitor",
                Parameters = new Dictionary<string, string> { ["state"] = state },
            };
            var env = AgentEnvironment.Build(action, paths, "ocf");
            var spec = new ProcessSpec("/usr/lib/ocf/resource.d/heartbeat/Dummy", ["monitor"], env, TimeSpan.FromSeconds(20));
            var trueSpec = new ProcessSpec("/bin/true", [], env, TimeSpan.FromSeconds(20));
            var processes = new ProcessRunner();
            // The first round warms up the tiered JIT, whose compiler thread is part of this process.
            for (var round = 0; round < 2; round++)
            {
                Console.WriteLine(round == 0 ? "warm-up round:" : "measured round:");
            await Measure("ProcessRunner (Dummy monitor)", actions, () => processes.RunAsync(spec));
            await Measure("ProcessRunner (/bin/true)", actions, () => processes.RunAsync(trueSpec));
            await Measure("AgentRunner (Dummy monitor)", actions, () => runner.RunAsync(action));
            if (File.Exists("/tmp/t3/sh0")) await Measure("ProcessRunner (sh exit 0)", actions, () => processes.RunAsync(trueSpec with { FileName = "/tmp/t3/sh0" }));
            if (File.Exists("/tmp/t3/sh10")) await Measure("ProcessRunner (sh 10 forks)", actions, () => processes.RunAsync(trueSpec with { FileName = "/tmp/t3/sh10" }));
            }
            return 0;
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }

    private static async Task Measure(string what, int n, Func<Task> run)
    {
        for (var i = 0; i < 20; i++) await run();
        var self = Process.GetCurrentProcess();
        var cpu0 = self.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < n; i++) await run();
        self.Refresh();
        var cpu = self.TotalProcessorTime - cpu0;
        Console.WriteLine($"{what,-32} own CPU {cpu.TotalMilliseconds * 1000 / n,6:0} us/action, wall {clock.Elapsed.TotalMilliseconds / n:0.00} ms/action");
    }
}
