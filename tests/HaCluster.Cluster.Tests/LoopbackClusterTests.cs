using System.Net;
using System.Net.Sockets;

namespace HaCluster.Cluster.Tests;

/// <summary>Three haclusterd processes on loopback addresses (127.0.X.11-13), unicast.</summary>
public sealed class LoopbackClusterTests : IDisposable
{
    private readonly int subnet = Random.Shared.Next(1, 250);
    private readonly int port = TestCluster.RandomPort();
    private readonly TestCluster cluster;

    public LoopbackClusterTests() => cluster = new TestCluster(["node1", "node2", "node3"], n => Config(n));

    /// <summary>The cluster.yaml of one node; <paramref name="ring1Port"/> lets a test give one node a wrong port.</summary>
    private string Config(string node, Func<string, int>? ring1Port = null) => $$"""
        cluster_name: loop{{subnet}}
        nodes:
          - { name: node1, id: 1, addresses: [127.0.{{subnet}}.11, 127.1.{{subnet}}.11] }
          - { name: node2, id: 2, addresses: [127.0.{{subnet}}.12, 127.1.{{subnet}}.12] }
          - { name: node3, id: 3, addresses: [127.0.{{subnet}}.13, 127.1.{{subnet}}.13] }
        rings:
          - unicast: { port: {{port}} }
          - unicast: { port: {{ring1Port?.Invoke(node) ?? port + 1}} }
        timers: { keepalive: 200ms, warntime: 600ms, deadtime: 1s, initdead: 10s }
        key_file: {{cluster.KeyFile}}
        """;

    public void Dispose() => cluster.Dispose();

    private bool AllSee(IEnumerable<string> nodes, string[] online, Func<string?, bool>? dc = null) => nodes.All(n =>
        cluster.Status(n) is { } s && s.Agreed && TestCluster.Online(s).Order().SequenceEqual(online) && s.Dc is not null && (dc is null || dc(s.Dc)));

    [Fact]
    public async Task Three_nodes_form_one_view_survive_a_kill_9_of_the_DC_and_take_the_node_back()
    {
        cluster.StartAll();
        string[] all = ["node1", "node2", "node3"];
        await cluster.WaitUntil("all three see each other", () => AllSee(all, all), TimeSpan.FromSeconds(15));
        var dcs = all.Select(n => cluster.Status(n)!.Dc).Distinct().ToList();
        var dc = Assert.Single(dcs)!;
        Assert.All(all, n => Assert.True(cluster.Status(n)!.Quorate));

        cluster.Kill(dc);
        var survivors = all.Where(n => n != dc).ToArray();
        var took = await cluster.WaitUntil($"the survivors drop {dc} and elect a new DC",
            () => AllSee(survivors, survivors, d => d != dc), TimeSpan.FromSeconds(10));
        Assert.True(took < TimeSpan.FromSeconds(15), $"failover of membership took {took.TotalSeconds:0.0}s");
        foreach (var n in survivors) await cluster.WaitForLog(n, $"{dc} declared dead");
        var newDc = cluster.Status(survivors[0])!.Dc;

        cluster.Start(dc);
        await cluster.WaitUntil($"{dc} rejoins", () => AllSee(all, all), TimeSpan.FromSeconds(15));
        // The restarted node is the youngest: it does not take the DC role back.
        Assert.All(all, n => Assert.Equal(newDc, cluster.Status(n)!.Dc));
        foreach (var n in survivors) await cluster.WaitForLog(n, $"{dc} restarted");
    }

    [Fact]
    public async Task A_ring_that_goes_silent_is_reported_faulty_while_the_node_stays_online()
    {
        // node3's own file has another port for ring 1: nothing crosses ring 1 to or from node3.
        using var skewed = new TestCluster(["node1", "node2", "node3"], n => Config(n, node => node == "node3" ? port + 2 : port + 1).Replace(cluster.KeyFile, "KEY"));
        File.Delete(skewed.KeyFile);
        ClusterKeyCopy(skewed);
        skewed.StartAll();
        string[] all = ["node1", "node2", "node3"];
        await skewed.WaitUntil("node1 reports ring 1 faulty because of node3", () =>
            skewed.Status("node1") is { } s && !s.Rings[1].Healthy && s.Rings[1].MissingPeers.SequenceEqual(["node3"]) && s.Rings[0].Healthy,
            TimeSpan.FromSeconds(15));
        // Every node sees every other online (ring 0 carries them); a node still starting may
        // not answer its API yet, hence the wait.
        await skewed.WaitUntil("every node sees all three online", () =>
            all.All(n => skewed.Status(n) is { } s && TestCluster.Online(s).Order().SequenceEqual(all)), TimeSpan.FromSeconds(10));
        await skewed.WaitForLog("node1", "ring 1 is faulty");
        Assert.DoesNotContain("declared dead", skewed.Log("node1"));
    }

    /// <summary>The skewed cluster's files name "KEY"; point them at its own key.</summary>
    private static void ClusterKeyCopy(TestCluster c)
    {
        HaCluster.Core.Membership.ClusterKey.WriteNew(c.KeyFile);
        c.ConfigRewrite = text => text.Replace("KEY", c.KeyFile);
    }

    [Fact]
    public async Task Forged_packets_are_dropped_counted_and_shown_in_the_status()
    {
        cluster.StartAll();
        string[] all = ["node1", "node2", "node3"];
        await cluster.WaitUntil("all three see each other", () => AllSee(all, all), TimeSpan.FromSeconds(15));
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Parse($"127.0.{subnet}.99"), 0));
        var garbage = new byte[200];
        Random.Shared.NextBytes(garbage);
        for (var i = 0; i < 20; i++) udp.Send(garbage, new IPEndPoint(IPAddress.Parse($"127.0.{subnet}.11"), port));
        await cluster.WaitUntil("node1 counts the dropped packets",
            () => cluster.Status("node1")!.DroppedPackets.Values.Sum() >= 20, TimeSpan.FromSeconds(5));
        Assert.True(AllSee(all, all), "garbage changed a view");
    }

    [Fact]
    public async Task SIGTERM_stops_a_node_cleanly_and_its_peers_notice()
    {
        cluster.StartAll();
        string[] all = ["node1", "node2", "node3"];
        await cluster.WaitUntil("all three see each other", () => AllSee(all, all), TimeSpan.FromSeconds(15));
        Assert.Equal(0, cluster.Stop("node2"));
        Assert.False(File.Exists(cluster.Socket("node2")), "the API socket was left behind");
        await cluster.WaitUntil("node1 and node3 drop node2", () => AllSee(["node1", "node3"], ["node1", "node3"]), TimeSpan.FromSeconds(10));
    }
}
