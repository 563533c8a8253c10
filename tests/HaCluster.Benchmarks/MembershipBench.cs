using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using HaCluster.Cluster.Tests;
using HaCluster.Core.Membership;

namespace HaCluster.Benchmarks;

/// <summary>
/// Membership benchmarks with real haclusterd processes on loopback (issue 3):
/// failure detection after kill -9, false declarations under loss and CPU load, and the
/// heartbeat overhead per node at larger sizes (simulated).
/// </summary>
public static class MembershipBench
{
    private static string Config(int subnet, int port, string timers, Func<string, int, string>? addressOf = null, string self = "") => $$"""
        cluster_name: bench{{subnet}}
        nodes:
          - { name: node1, id: 1, addresses: [{{Addr(addressOf, self, "node1", 0, $"127.4.{subnet}.11")}}, 127.5.{{subnet}}.11] }
          - { name: node2, id: 2, addresses: [{{Addr(addressOf, self, "node2", 0, $"127.4.{subnet}.12")}}, 127.5.{{subnet}}.12] }
          - { name: node3, id: 3, addresses: [{{Addr(addressOf, self, "node3", 0, $"127.4.{subnet}.13")}}, 127.5.{{subnet}}.13] }
        rings:
          - unicast: { port: {{port}} }
          - unicast: { port: {{port + 1}} }
        timers: {{timers}}
        key_file: KEY
        """;

    private static string Addr(Func<string, int, string>? addressOf, string self, string node, int ring, string real) =>
        addressOf is null || node == self ? real : addressOf(node, ring);

    private static TestCluster Cluster(int subnet, int port, string timers, Func<string, int, string>? addressOf = null)
    {
        TestCluster? c = null;
        c = new TestCluster(["node1", "node2", "node3"], self => Config(subnet, port, timers, addressOf, self));
        c.ConfigRewrite = text => text.Replace("KEY", c.KeyFile);
        return c;
    }

    private static bool Agreed(TestCluster c, string[] nodes) => nodes.All(n =>
        c.Status(n) is { } s && s.Agreed && s.Dc is not null && TestCluster.Online(s).Order().SequenceEqual(nodes));

    /// <summary>kill -9 one node of three, RUNS times; time until both survivors have declared it dead.</summary>
    public static async Task<int> FailureDetectionAsync(string[] args)
    {
        var runs = args.Length > 0 ? int.Parse(args[0]) : 20;
        var profiles = new (string Name, string Timers)[]
        {
            ("default (keepalive 100ms, deadtime 600ms)", "{ keepalive: 100ms, warntime: 300ms, deadtime: 600ms, initdead: 10s }"),
            ("former default (keepalive 200ms, deadtime 1s)", "{ keepalive: 200ms, warntime: 600ms, deadtime: 1s, initdead: 10s }"),
            ("aggressive (keepalive 50ms, deadtime 250ms)", "{ keepalive: 50ms, warntime: 150ms, deadtime: 250ms, initdead: 10s }"),
        };
        foreach (var (name, timers) in profiles)
        {
            using var cluster = Cluster(Random.Shared.Next(1, 250), TestCluster.RandomPort(), timers);
            string[] all = ["node1", "node2", "node3"];
            cluster.StartAll();
            await cluster.WaitUntil("the cluster forms", () => Agreed(cluster, all), TimeSpan.FromSeconds(20));
            var times = new List<double>();
            for (var run = 0; run < runs; run++)
            {
                var victim = all[run % 3];
                var survivors = all.Where(n => n != victim).ToArray();
                var clock = Stopwatch.StartNew();
                cluster.Kill(victim);
                var seen = new Dictionary<string, double>();
                while (seen.Count < 2 && clock.Elapsed < TimeSpan.FromSeconds(30))
                {
                    foreach (var s in survivors)
                        if (!seen.ContainsKey(s) && cluster.Status(s) is { } st && st.Nodes.First(n => n.Name == victim).State == "offline")
                            seen[s] = clock.Elapsed.TotalMilliseconds;
                    await Task.Delay(2);
                }
                times.Add(seen.Values.Max());
                cluster.Start(victim);
                await cluster.WaitUntil("the node rejoins", () => Agreed(cluster, all), TimeSpan.FromSeconds(20));
            }
            times.Sort();
            Console.WriteLine($"failure detection, {name}, {runs} kills of 1 of 3 nodes (ms until both survivors declare it dead):");
            Console.WriteLine($"  median {times[times.Count / 2]:0}, p95 {times[(int)Math.Ceiling(times.Count * 0.95) - 1]:0}, min {times[0]:0}, max {times[^1]:0}");
            var falseDeaths = all.Sum(n => CountDeaths(cluster.Log(n))) - runs * 2;
            Console.WriteLine($"  declarations beyond the kills: {falseDeaths}");
        }
        return 0;
    }

    private static int CountDeaths(string log) => log.Split('\n').Count(l => l.Contains("declared dead"));

    /// <summary>
    /// 20% loss on ring 0 (a lossy UDP proxy in this process) and a CPU hog (busy loops, twice
    /// the cores) for DURATION seconds: every node must keep every other node the whole time.
    /// </summary>
    public static async Task<int> FalseDeclarationsAsync(string[] args)
    {
        var seconds = args.Length > 0 ? int.Parse(args[0]) : 120;
        var loss = args.Length > 1 ? double.Parse(args[1]) : 0.2;
        var subnet = Random.Shared.Next(1, 250);
        var port = TestCluster.RandomPort();
        // node X's peers reach node Y's ring 0 through a proxy on 127.6.subnet.(10+Y).
        var proxies = new List<LossyProxy>();
        for (var i = 1; i <= 3; i++)
            proxies.Add(new LossyProxy(new IPEndPoint(IPAddress.Parse($"127.6.{subnet}.{10 + i}"), port), new IPEndPoint(IPAddress.Parse($"127.4.{subnet}.{10 + i}"), port), loss));
        // A third argument tries other timers, e.g. "keepalive: 30ms, warntime: 90ms, deadtime: 150ms".
        var timers = args.Length > 2 ? args[2] : "keepalive: 100ms, warntime: 300ms, deadtime: 600ms";
        using var cluster = Cluster(subnet, port, $"{{ {timers}, initdead: 10s }}",
            (node, ring) => $"127.6.{subnet}.{10 + int.Parse(node[4..])}");
        string[] all = ["node1", "node2", "node3"];
        cluster.StartAll();
        await cluster.WaitUntil("the cluster forms", () => Agreed(cluster, all), TimeSpan.FromSeconds(20));
        var hogs = Enumerable.Range(0, 2 * Environment.ProcessorCount).Select(_ => Process.Start("sh", ["-c", "while :; do :; done"])!).ToList();
        try
        {
            var clock = Stopwatch.StartNew();
            var minOnline = 3;
            while (clock.Elapsed < TimeSpan.FromSeconds(seconds))
            {
                foreach (var n in all)
                    if (cluster.Status(n) is { } s) minOnline = Math.Min(minOnline, TestCluster.Online(s).Count());
                await Task.Delay(200);
            }
            var deaths = all.Sum(n => CountDeaths(cluster.Log(n)));
            var suspicions = all.Sum(n => cluster.Log(n).Split('\n').Count(l => l.Contains("is late")));
            var dropped = proxies.Sum(p => p.Dropped);
            var forwarded = proxies.Sum(p => p.Forwarded);
            Console.WriteLine($"{seconds} s, 3 nodes, 2 rings, {loss:P0} loss on ring 0 ({dropped} of {dropped + forwarded} packets dropped), {hogs.Count} busy loops on {Environment.ProcessorCount} cores:");
            Console.WriteLine($"  false declarations (node declared dead): {deaths}; late warnings: {suspicions}; fewest nodes online seen by any node: {minOnline}");
            return deaths == 0 ? 0 : 1;
        }
        finally
        {
            foreach (var h in hogs) { h.Kill(); h.WaitForExit(); h.Dispose(); }
            foreach (var p in proxies) p.Dispose();
        }
    }

    /// <summary>Packets and bytes per second each node sends, from the engine itself (simulated network).</summary>
    public static int Overhead()
    {
        Console.WriteLine("heartbeat overhead per node (default timers, 2 rings, steady state, simulated):");
        foreach (var kind in new[] { RingKind.Unicast, RingKind.Multicast })
        foreach (var n in new[] { 3, 16, 32 })
        {
            var config = new ClusterBootstrap
            {
                ClusterName = "overhead",
                Nodes = Enumerable.Range(1, n).Select(i => new NodeEntry($"n{i}", i, [IPAddress.Parse($"10.0.0.{i}"), IPAddress.Parse($"10.1.0.{i}")])).ToList(),
                Rings = [new RingConfig(kind, 5405, kind == RingKind.Multicast ? IPAddress.Parse("239.1.1.1") : null), new RingConfig(kind, 5407, kind == RingKind.Multicast ? IPAddress.Parse("239.1.1.2") : null)],
                Quorum = new QuorumConfig(n, false, false),
            };
            var key = ClusterKey.Generate();
            var engines = Enumerable.Range(1, n).Select(i => new MembershipEngine(config, i, key, 1000 + i, TimeSpan.Zero)).ToArray();
            var sink = new CountingSink(engines, n, kind);
            var now = TimeSpan.Zero;
            for (var t = 0; t < 500; t++) // 10 s
            {
                now += TimeSpan.FromMilliseconds(20);
                sink.Now = now;
                foreach (var e in engines) { sink.From = e.SelfId; e.Tick(now, sink); }
            }
            Console.WriteLine($"  {n,2} nodes, {kind,-9}: {sink.Packets[1] / 10.0,6:0} packets/s, {sink.Bytes[1] / 10.0 / 1024,6:0.0} KiB/s sent by node 1 (agreed: {engines.All(e => e.View.Agreed)})");
        }
        return 0;
    }

    private sealed class CountingSink(MembershipEngine[] engines, int n, RingKind kind) : IPacketSink
    {
        public TimeSpan Now { get; set; }
        public int From { get; set; }
        public long[] Packets { get; } = new long[n + 1];
        public long[] Bytes { get; } = new long[n + 1];

        public void Send(int ring, int? destination, ReadOnlySpan<byte> datagram)
        {
            // A unicast ring sends one datagram per peer; a multicast ring one for all.
            var copies = destination is not null || kind == RingKind.Multicast ? 1 : n - 1;
            Packets[From] += copies;
            Bytes[From] += copies * (datagram.Length + 28); // + IPv4 and UDP headers
            foreach (var e in engines)
                if (e.SelfId != From && (destination is null || destination == e.SelfId)) e.Receive(Now, ring, datagram, out _);
        }
    }

    /// <summary>Forwards UDP datagrams, dropping a share of them at random.</summary>
    private sealed class LossyProxy : IDisposable
    {
        private readonly Socket socket;
        private readonly CancellationTokenSource stop = new();
        public long Dropped;
        public long Forwarded;

        public LossyProxy(IPEndPoint listen, IPEndPoint target, double loss)
        {
            socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            socket.Bind(listen);
            var forward = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            _ = Task.Run(async () =>
            {
                var buffer = new byte[65536];
                while (!stop.IsCancellationRequested)
                {
                    int n;
                    try { n = await socket.ReceiveAsync(buffer, SocketFlags.None, stop.Token); }
                    catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { if (stop.IsCancellationRequested) return; continue; }
                    if (Random.Shared.NextDouble() < loss) { Interlocked.Increment(ref Dropped); continue; }
                    forward.SendTo(buffer.AsSpan(0, n), SocketFlags.None, target);
                    Interlocked.Increment(ref Forwarded);
                }
            });
        }

        public void Dispose()
        {
            stop.Cancel();
            socket.Dispose();
        }
    }
}
