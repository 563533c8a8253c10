using HaCluster.Cluster.Tests;

namespace HaCluster.Benchmarks;

/// <summary>
/// What a node costs when nothing happens (issue 4): three haclusterd on loopback, default timers,
/// two rings, running a group of three ocf:heartbeat:Dummy with 10 s monitors and a 3-instance
/// clone; after a settling period, each daemon's own CPU (utime + stime from /proc, agents
/// excluded) over SECONDS, and its resident memory.
/// </summary>
public static class DaemonIdleBench
{
    private const string Cib = """
        <cib admin_epoch="0" epoch="5" num_updates="0" validate-with="pacemaker-3.0">
          <configuration>
            <crm_config><cluster_property_set id="opts"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
            <nodes><node id="node1" uname="node1"/><node id="node2" uname="node2"/><node id="node3" uname="node3"/></nodes>
            <resources>
              <group id="web">
                <primitive id="ip" class="ocf" provider="heartbeat" type="Dummy"><operations><op id="ip-mon" name="monitor" interval="10s"/></operations></primitive>
                <primitive id="fs" class="ocf" provider="heartbeat" type="Dummy"><operations><op id="fs-mon" name="monitor" interval="10s"/></operations></primitive>
                <primitive id="app" class="ocf" provider="heartbeat" type="Dummy"><operations><op id="app-mon" name="monitor" interval="10s"/></operations></primitive>
              </group>
              <clone id="ping-clone"><primitive id="ping" class="ocf" provider="heartbeat" type="Dummy"><operations><op id="ping-mon" name="monitor" interval="10s"/></operations></primitive></clone>
            </resources>
            <constraints/>
          </configuration>
          <status/>
        </cib>
        """;

    public static Task<int> RunAsync(string[] args) => WithClusterAsync(args, IdleAsync);

    /// <summary>
    /// `hacrm status` against the live cluster, as an operator runs it (a new process each time),
    /// side by side with crm_mon -1 reading the same picture (the DC's last scheduler input as a
    /// CIB file): median wall time over RUNS. `status-latency RUNS [HACRM...]` times each hacrm
    /// build given (a JIT build, a ReadyToRun or NativeAOT publish), interleaved in one run;
    /// without one, the build next to this benchmark.
    /// </summary>
    public static Task<int> StatusLatencyAsync(string[] args) => WithClusterAsync([], async cluster =>
    {
        var runs = args.Length > 0 ? int.Parse(args[0]) : 20;
        string[] builds = args.Length > 1 ? args[1..] : [Environment.GetEnvironmentVariable("HACRM") ?? Path.Combine(AppContext.BaseDirectory, "hacrm")];
        var cib = Path.Combine(cluster.Dir, "node1.state", "pe-input-last.xml");
        double Time(string file, string[] arguments, Dictionary<string, string>? env = null)
        {
            var psi = new System.Diagnostics.ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in arguments) psi.ArgumentList.Add(a);
            if (env is not null) foreach (var (k, v) in env) psi.Environment[k] = v;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            using var p = System.Diagnostics.Process.Start(psi)!;
            p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return clock.Elapsed.TotalMilliseconds;
        }
        var ours = builds.ToDictionary(b => b, _ => new List<double>());
        var theirs = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            foreach (var build in builds) ours[build].Add(Time(build, ["--socket", cluster.Socket("node2"), "status"]));
            theirs.Add(Time("crm_mon", ["-1"], new() { ["CIB_file"] = cib }));
        }
        theirs.Sort();
        Console.WriteLine($"status latency, {runs} runs each, interleaved, wall time of a new process (3 nodes, 6 resources):");
        foreach (var (build, times) in ours)
        {
            times.Sort();
            Console.WriteLine($"  hacrm status, {build}: median {times[runs / 2]:0} ms, max {times[^1]:0}, ratio to crm_mon {times[runs / 2] / theirs[runs / 2]:0.00}");
        }
        Console.WriteLine($"  crm_mon -1 (CIB_file, same picture): median {theirs[runs / 2]:0} ms, max {theirs[^1]:0}");
        await Task.CompletedTask;
        return 0;
    });

    private static async Task<int> IdleAsync(TestCluster cluster, int seconds)
    {
        string[] all = ["node1", "node2", "node3"];
        var before = all.ToDictionary(n => n, n => CpuTicks(cluster.Pid(n)));
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        var ticksPerSecond = 100.0; // USER_HZ
        Console.WriteLine($"haclusterd idle, 3 nodes, 2 unicast rings, default timers, 6 Dummy instances on 10 s monitors, {seconds} s:");
        foreach (var n in all)
        {
            var pid = cluster.Pid(n);
            var cpu = (CpuTicks(pid) - before[n]) / ticksPerSecond / seconds * 100;
            Console.WriteLine($"  {n}: own CPU {cpu:0.00}% of one core, RSS {Status(pid, "VmRSS")}, peak {Status(pid, "VmHWM")}, threads {Status(pid, "Threads")}");
        }
        return 0;
    }

    private static Task<int> WithClusterAsync(string[] args, Func<TestCluster, Task<int>> body) =>
        WithClusterAsync(args, (c, _) => body(c));

    private static async Task<int> WithClusterAsync(string[] args, Func<TestCluster, int, Task<int>> body)
    {
        var seconds = args.Length > 0 ? int.Parse(args[0]) : 60;
        string[] all = LoopbackBenchCluster.Nodes;
        using var cluster = LoopbackBenchCluster.Create("idle", [8, 9], Cib);
        cluster.StartAll();
        await cluster.WaitUntil("every resource runs", () =>
            all.Count(n => File.Exists(Path.Combine(cluster.Dir, $"{n}.rsctmp", "Dummy-ping.state"))) == 3
            && all.Count(n => File.Exists(Path.Combine(cluster.Dir, $"{n}.rsctmp", "Dummy-app.state"))) == 1, TimeSpan.FromSeconds(60));
        await Task.Delay(TimeSpan.FromSeconds(15)); // start-up work (JIT, probes) done
        return await body(cluster, seconds);
    }

    /// <summary>utime + stime of the process itself (its reaped agents are in cutime/cstime, not counted).</summary>
    private static long CpuTicks(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[11]) + long.Parse(fields[12]);
    }

    private static string Status(int pid, string key) =>
        File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith(key + ":", StringComparison.Ordinal))[(key.Length + 1)..].Trim();
}
