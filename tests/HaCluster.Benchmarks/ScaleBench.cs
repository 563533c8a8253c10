using System.Diagnostics;
using System.Text;
using HaCluster.Cluster.Tests;
using HaCluster.Core.Status;
using HaCluster.Daemon.Cib;

namespace HaCluster.Benchmarks;

/// <summary>
/// A large site on one machine (issue 22): NODES haclusterd processes on loopback run RESOURCES
/// real ocf:heartbeat:Dummy primitives (a monitor every 60 s, no constraints: the scheduler
/// spreads them). Measures the start-up (daemons started until every resource runs exactly once),
/// each daemon's resident memory then, and a node failure (kill -9 of the node running the most,
/// until every resource runs exactly once on the survivors). `scale [RESOURCES] [NODES]`.
/// </summary>
public static class ScaleBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var resources = args.Length > 0 ? int.Parse(args[0]) : 1000;
        var count = args.Length > 1 ? int.Parse(args[1]) : 5;
        var names = Enumerable.Range(1, count).Select(i => $"node{i}").ToArray();
        var subnet = Random.Shared.Next(1, 250);
        var port = TestCluster.RandomPort();
        var nodes = string.Join("\n", Enumerable.Range(1, count).Select(i => $"  - {{ name: node{i}, id: {i}, addresses: [127.6.{subnet}.{10 + i}] }}"));
        TestCluster? c = null;
        using var cluster = c = new TestCluster(names, n => $$"""
            cluster_name: scale{{subnet}}
            nodes:
            {{nodes}}
            rings:
              - unicast: { port: {{port}} }
            key_file: KEY
            agents: { rsctmp: DIR/{{n}}.rsctmp }
            """);
        cluster.ConfigRewrite = text => text.Replace("KEY", c.KeyFile).Replace("DIR", c.Dir);
        new CibStore(Path.Combine(cluster.Dir, "node1.state")).Store(new CibVersion(0, 5, 0), Encoding.UTF8.GetBytes(Cib(names, resources)));
        int[] Where(string[] among) => among.Select(n => Directory.Exists(Path.Combine(cluster.Dir, $"{n}.rsctmp"))
            ? Directory.GetFiles(Path.Combine(cluster.Dir, $"{n}.rsctmp"), "Dummy-r*.state").Length : 0).ToArray();
        bool AllOnce(string[] among)
        {
            var seen = new HashSet<string>();
            foreach (var n in among)
            {
                var dir = Path.Combine(cluster.Dir, $"{n}.rsctmp");
                if (!Directory.Exists(dir)) continue;
                foreach (var f in Directory.GetFiles(dir, "Dummy-r*.state"))
                    if (!seen.Add(Path.GetFileName(f))) return false;
            }
            return seen.Count == resources;
        }

        var clock = Stopwatch.StartNew();
        cluster.StartAll();
        await cluster.WaitUntil($"all {resources} resources run once", () => AllOnce(names), TimeSpan.FromMinutes(20));
        var startup = clock.Elapsed;
        Console.WriteLine($"scale: {count} nodes, {resources} Dummy resources: all running once {startup.TotalSeconds:0.0} s after the daemons started (per node: {string.Join(", ", Where(names))})");
        foreach (var n in names)
            Console.WriteLine($"scale: {n} haclusterd resident memory {ResidentMiB(cluster.Pid(n)):0} MiB");

        var counts = Where(names);
        var victim = names[Array.IndexOf(counts, counts.Max())];
        var survivors = names.Where(n => n != victim).ToArray();
        // The victim's Dummy state files stay behind (a killed node's agents would too): only the survivors count.
        clock.Restart();
        cluster.Kill(victim);
        await cluster.WaitUntil($"all {resources} resources run once on the survivors", () => AllOnce(survivors), TimeSpan.FromMinutes(20));
        Console.WriteLine($"scale: kill -9 of {victim} ({counts.Max()} resources): all {resources} running once on the survivors after {clock.Elapsed.TotalSeconds:0.0} s");
        foreach (var n in survivors)
            Console.WriteLine($"scale: {n} haclusterd resident memory after the failover {ResidentMiB(cluster.Pid(n)):0} MiB");
        return 0;
    }

    private static double ResidentMiB(int pid) =>
        File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1] is var kb
            ? double.Parse(kb) / 1024 : 0;

    internal static string Cib(string[] nodes, int resources)
    {
        var text = new StringBuilder("""
            <cib admin_epoch="0" epoch="5" num_updates="0" validate-with="pacemaker-3.0">
              <configuration>
                <crm_config><cluster_property_set id="opts"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
                <nodes>
            """);
        foreach (var n in nodes) text.Append($"<node id=\"{n}\" uname=\"{n}\"/>");
        text.Append("</nodes><resources>");
        for (var i = 0; i < resources; i++)
            text.Append($"<primitive id=\"r{i}\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"><operations><op id=\"r{i}-mon\" name=\"monitor\" interval=\"60s\"/></operations></primitive>");
        return text.Append("</resources><constraints/></configuration><status/></cib>").ToString();
    }
}
