using System.Diagnostics;
using HaCluster.Agents;
using HaCluster.Core.Cib;

namespace HaCluster.Benchmarks;

/// <summary>
/// Per-action cost of the executor (fork/exec, environment, process group, result) against the
/// same agent run from a bare shell loop, in alternating rounds so both see the same machine.
/// </summary>
public static class ExecutorOverhead
{
    public static async Task<int> RunAsync(string[] args)
    {
        var actions = args.Length > 0 ? int.Parse(args[0]) : 200;
        const int rounds = 5;
        var root = Directory.CreateTempSubdirectory("hacluster-bench-").FullName;
        try
        {
            var runner = new AgentRunner(AgentPaths.Private(root));
            var state = Path.Combine(root, "bench.state");
            File.WriteAllText(state, "");
            var action = new AgentAction
            {
                ResourceId = "bench",
                Agent = new AgentSpec("ocf", "heartbeat", "Dummy"),
                Name = "monitor",
                Parameters = new Dictionary<string, string> { ["state"] = state },
            };
            // Warm up both paths (JIT, page cache).
            for (var i = 0; i < 10; i++) await runner.RunAsync(action);
            await ShellLoopAsync(10, state, root);

            var executor = new List<double>();
            var shell = new List<double>();
            for (var r = 0; r < rounds; r++)
            {
                var clock = Stopwatch.StartNew();
                for (var i = 0; i < actions; i++)
                {
                    var result = await runner.RunAsync(action);
                    if (result.Code != OcfExitCode.Success) throw new InvalidOperationException(result.Summary());
                }
                executor.Add(clock.Elapsed.TotalMilliseconds / actions);
                shell.Add(await ShellLoopAsync(actions, state, root) / actions);
            }
            executor.Sort();
            shell.Sort();
            var e = executor[rounds / 2];
            var s = shell[rounds / 2];
            Console.WriteLine($"ocf:heartbeat:Dummy monitor, {actions} actions x {rounds} rounds (median round):");
            Console.WriteLine($"  executor:   {e:0.00} ms/action (rounds {string.Join(' ', executor.Select(x => x.ToString("0.00")))})");
            Console.WriteLine($"  shell loop: {s:0.00} ms/action (rounds {string.Join(' ', shell.Select(x => x.ToString("0.00")))})");
            Console.WriteLine($"  overhead:   {(e / s - 1) * 100:+0.0;-0.0}% ({e - s:+0.00;-0.00} ms/action)");
            return 0;
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }

    /// <summary>The same agent and environment from /bin/sh; returns the loop's wall time in ms.</summary>
    private static async Task<double> ShellLoopAsync(int actions, string state, string root)
    {
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("i=0; while [ $i -lt \"$1\" ]; do /usr/lib/ocf/resource.d/heartbeat/Dummy monitor || exit 1; i=$((i+1)); done");
        psi.ArgumentList.Add("loop");
        psi.ArgumentList.Add(actions.ToString());
        psi.Environment.Clear();
        psi.Environment["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin";
        psi.Environment["OCF_ROOT"] = "/usr/lib/ocf";
        psi.Environment["OCF_FUNCTIONS_DIR"] = "/usr/lib/ocf/lib/heartbeat";
        psi.Environment["OCF_RESOURCE_INSTANCE"] = "bench";
        psi.Environment["OCF_RESKEY_state"] = state;
        psi.Environment["OCF_RESKEY_CRM_meta_interval"] = "0";
        psi.Environment["OCF_RESKEY_CRM_meta_timeout"] = "20000";
        psi.Environment["HA_RSCTMP"] = Path.Combine(root, "rsctmp");
        var clock = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        await p.WaitForExitAsync();
        if (p.ExitCode != 0) throw new InvalidOperationException("the shell loop's monitor failed");
        return clock.Elapsed.TotalMilliseconds;
    }
}
