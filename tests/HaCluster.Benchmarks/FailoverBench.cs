using System.Diagnostics;
using HaCluster.Cluster.Tests;

namespace HaCluster.Benchmarks;

/// <summary>
/// Whole failover, end to end (issue 4): three haclusterd processes on loopback run a group of
/// two real ocf:heartbeat:Dummy resources (each node has its own HA_RSCTMP, so a state file says
/// where a resource runs); kill -9 the node running it and time until both members run on a
/// survivor. Default timers.
/// </summary>
public static class FailoverBench
{
    private const string Cib = """
        <cib admin_epoch="0" epoch="5" num_updates="0" validate-with="pacemaker-3.0">
          <configuration>
            <crm_config><cluster_property_set id="opts"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
            <nodes><node id="node1" uname="node1"/><node id="node2" uname="node2"/><node id="node3" uname="node3"/></nodes>
            <resources>
              <group id="web">
                <primitive id="vip" class="ocf" provider="heartbeat" type="Dummy"><operations><op id="vip-mon" name="monitor" interval="10s"/></operations></primitive>
                <primitive id="app" class="ocf" provider="heartbeat" type="Dummy"><operations><op id="app-mon" name="monitor" interval="10s"/></operations></primitive>
              </group>
            </resources>
            <constraints/>
          </configuration>
          <status/>
        </cib>
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        var runs = args.Length > 0 ? int.Parse(args[0]) : 20;
        string[] all = LoopbackBenchCluster.Nodes;
        using var cluster = LoopbackBenchCluster.Create("fo", [7], Cib);
        string[] RunningOn(string rsc, IEnumerable<string> among) =>
            among.Where(n => File.Exists(Path.Combine(cluster.Dir, $"{n}.rsctmp", $"Dummy-{rsc}.state"))).ToArray();
        cluster.StartAll();
        await cluster.WaitUntil("the group runs", () => RunningOn("app", all).Length == 1 && RunningOn("vip", all).Length == 1, TimeSpan.FromSeconds(30));
        var times = new List<double>();
        for (var run = 0; run < runs; run++)
        {
            var victim = RunningOn("app", all)[0];
            var survivors = all.Where(n => n != victim).ToArray();
            await Task.Delay(Random.Shared.Next(0, 400)); // a random point in the heartbeat cycle
            var clock = Stopwatch.StartNew();
            cluster.Kill(victim);
            while (!(RunningOn("vip", survivors).Length == 1 && RunningOn("app", survivors).SequenceEqual(RunningOn("vip", survivors))) && clock.Elapsed < TimeSpan.FromSeconds(60))
                await Task.Delay(2);
            times.Add(clock.Elapsed.TotalMilliseconds);
            // The victim comes back with its stale state files; wait for one copy again.
            cluster.Start(victim);
            await cluster.WaitUntil("one copy again", () => RunningOn("app", all).Length == 1 && RunningOn("vip", all).Length == 1
                && all.All(n => cluster.Status(n) is { } s && s.Agreed && TestCluster.Online(s).Count() == 3), TimeSpan.FromSeconds(30));
            await Task.Delay(500);
        }
        times.Sort();
        Console.WriteLine($"failover of a 2-resource group (ocf:heartbeat:Dummy), kill -9 of its node, {runs} runs, default timers (ms until both run on a survivor):");
        Console.WriteLine($"  median {times[times.Count / 2]:0}, p95 {times[(int)Math.Ceiling(times.Count * 0.95) - 1]:0}, min {times[0]:0}, max {times[^1]:0}");
        return 0;
    }
}
