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
                // The floor: this same process, posix_spawn and waitpid alone, nothing captured.
                await Measure("bare posix_spawn (/bin/true)", actions, () => { BareSpawn.Run("/bin/true"); return Task.CompletedTask; });
                await Measure("ProcessRunner (/bin/true)", actions, () => processes.RunAsync(trueSpec));
                await Measure("ProcessRunner (Dummy monitor)", actions, () => processes.RunAsync(spec));
                await Measure("AgentRunner (Dummy monitor)", actions, () => runner.RunAsync(action));
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

/// <summary>posix_spawn(3) then waitpid(2), nothing else: what one action cannot cost less than.</summary>
internal static unsafe partial class BareSpawn
{
    public static void Run(string program)
    {
        var path = System.Runtime.InteropServices.Marshal.StringToHGlobalAnsi(program);
        try
        {
            var argv = stackalloc IntPtr[2];
            argv[0] = path;
            argv[1] = IntPtr.Zero;
            var envp = stackalloc IntPtr[1];
            envp[0] = IntPtr.Zero;
            int pid, status;
            if (Spawn(&pid, path, IntPtr.Zero, IntPtr.Zero, argv, envp) != 0) throw new IOException($"cannot run {program}");
            WaitPid(pid, &status, 0);
        }
        finally
        {
            System.Runtime.InteropServices.Marshal.FreeHGlobal(path);
        }
    }

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "posix_spawn")]
    private static partial int Spawn(int* pid, IntPtr path, IntPtr fileActions, IntPtr attr, IntPtr* argv, IntPtr* envp);
    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "waitpid")]
    private static partial int WaitPid(int pid, int* status, int options);
}
