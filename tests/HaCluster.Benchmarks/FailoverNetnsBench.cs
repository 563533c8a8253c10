using System.Diagnostics;
using HaCluster.Cluster.Tests;

namespace HaCluster.Benchmarks;

/// <summary>
/// Whole failover as a client sees it (issue 4), in the peers' own terms: three haclusterd nodes
/// in network namespaces (<see cref="NetnsStack"/>: seed 003's stack, or the VIP alone), a UDP
/// echo server on every node and the peers' prober in a client namespace sending to the VIP every
/// 2 ms (../shared/peers/keepalived: echo_server.py, prober.py, the same scripts the keepalived and
/// Pacemaker harnesses time themselves with). Node death as in those harnesses: the active node's
/// switch port goes down and every process in its namespace gets SIGKILL, at a random point of the
/// heartbeat cycle. Takeover: from then until the first reply from another node.
/// </summary>
public static class FailoverNetnsBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length < 4)
        {
            Console.Error.WriteLine("usage: failover-netns RUNS stack|vip default|aggressive PEERS_KEEPALIVED_DIR");
            return 2;
        }
        var runs = int.Parse(args[0]);
        var vipOnly = args[1] == "vip";
        var aggressive = args[2] == "aggressive";
        var echoServer = Path.Combine(args[3], "echo_server.py");
        var prober = Path.Combine(args[3], "prober.py");
        var keepaliveMs = aggressive ? 30 : 100;
        // The aggressive profile of docs/membership.md; HACLUSTER_BENCH_TIMERS="keepalive: ..., warntime: ..., deadtime: ..." tries others.
        var timers = aggressive ? $"timers: {{ {Environment.GetEnvironmentVariable("HACLUSTER_BENCH_TIMERS") ?? "keepalive: 30ms, warntime: 90ms, deadtime: 150ms"} }}" : null;

        using var stack = new NetnsStack(vipOnly, timers);
        var net = stack.Network;
        var echo = new Dictionary<string, Process>();
        void StartEcho(string node) => echo[node] = Process.Start("ip", ["netns", "exec", net.Ns(node), "python3", echoServer, node])!;
        var times = new List<double>();
        var gaps = new List<double>();
        try
        {
            var active = await stack.StartAsync();
            foreach (var n in NetnsStack.All) StartEcho(n);
            for (var run = 0; run < runs; run++)
            {
                var log = Path.Combine(stack.Cluster.Dir, $"probe-{run}.log");
                using var probe = Process.Start(new ProcessStartInfo("ip", ["netns", "exec", net.Ns("client"), "python3", prober, stack.Vip, aggressive ? "3" : "5", "0.002", log])
                    { RedirectStandardOutput = true })!;
                await Task.Delay(1000 + Random.Shared.Next(0, keepaliveMs)); // a random point in the heartbeat cycle
                var t0 = Stopwatch.GetTimestamp(); // CLOCK_MONOTONIC in ns, the prober's clock
                net.SwitchPort(active, 0, up: false);
                net.KillAll(active);
                await probe.WaitForExitAsync();
                var replies = File.ReadAllLines(log).Select(l => l.Split(' ')).Select(p => (At: long.Parse(p[0]), Node: p[1])).ToList();
                var takeover = replies.FirstOrDefault(r => r.At >= t0 && r.Node != active);
                if (takeover.Node is null) throw new InvalidOperationException($"run {run}: no survivor answered within the probe; logs in {stack.Cluster.Dir}");
                times.Add((takeover.At - t0) / 1e6);
                var after = replies.Where(r => r.At >= t0 - 500_000_000).Select(r => r.At).ToList();
                gaps.Add(after.Zip(after.Skip(1), (a, b) => (b - a) / 1e6).DefaultIfEmpty(0).Max());
                Console.WriteLine($"  run {run + 1}: {active} died, {takeover.Node} answered after {times[^1]:0} ms");

                // The dead machine comes back: cable in, a fresh boot (no VIP; /run is a tmpfs, so
                // no agent state survives), haclusterd started.
                foreach (var tmpfs in new[] { "rsctmp", "varrun" })
                {
                    var dir = Path.Combine(stack.Cluster.Dir, $"{active}.{tmpfs}");
                    if (Directory.Exists(dir)) foreach (var f in Directory.GetFiles(dir)) File.Delete(f);
                }
                net.SwitchPort(active, 0, up: true);
                net.Exec(active, "ip", "addr", "flush", "dev", "ring0", "secondary");
                net.Exec(active, "ip", "link", "set", "ring0", "up");
                stack.Cluster.Start(active);
                StartEcho(active);
                await stack.Cluster.WaitUntil("all three are members again", () => NetnsStack.All.All(n =>
                    stack.Cluster.Status(n) is { } s && s.Agreed && TestCluster.Online(s).Count() == 3), TimeSpan.FromSeconds(30));
                active = await stack.RunsSomewhere(NetnsStack.All);
                await Task.Delay(1000); // let the returning node settle (probes, its unpromoted instance)
            }
        }
        finally
        {
            foreach (var p in echo.Values) { try { if (!p.HasExited) p.Kill(); } catch (InvalidOperationException) { } p.Dispose(); }
        }
        times.Sort();
        gaps.Sort();
        var what = vipOnly ? "an IPaddr2 VIP" : "seed 003's stack (Stateful promote, then IPaddr2 VIP, Dummy fs, Dummy mysqld)";
        Console.WriteLine($"HaCluster, 3 nodes in netns, {what}, fencing on, {(aggressive ? "aggressive" : "default")} timers, node death, {runs} runs:");
        Console.WriteLine($"  takeover (death -> first reply from a survivor): median {Median(times):0} ms, p95 {P95(times):0}, min {times[0]:0}, max {times[^1]:0}");
        Console.WriteLine($"  client-visible max gap: median {Median(gaps):0} ms, max {gaps[^1]:0}");
        return 0;
    }

    private static double Median(List<double> sorted) => sorted[sorted.Count / 2];
    private static double P95(List<double> sorted) => sorted[(int)Math.Ceiling(sorted.Count * 0.95) - 1];
}
