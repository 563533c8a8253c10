namespace HaCluster.Cluster.Tests;

/// <summary>
/// Three haclusterd processes, each in a network namespace of its own, joined by two bridges
/// (in a fourth namespace): ring 0 is multicast, ring 1 unicast. Links are taken down for ring
/// faults and partitions. Only the namespaces this test creates carry traffic; all are removed.
/// </summary>
public sealed class NetnsClusterTests : IDisposable
{
    private readonly TestNetwork network = new(bridges: 2);
    private readonly int port = TestCluster.RandomPort();
    private readonly TestCluster cluster;

    public NetnsClusterTests()
    {
        for (var i = 1; i <= 3; i++) network.AddHost($"node{i}", i, multicastRing: 0);
        var net = network.Net;
        cluster = new TestCluster(["node1", "node2", "node3"], _ => $$"""
            cluster_name: netns{{net}}
            nodes:
              - { name: node1, id: 1, addresses: [10.{{net}}.0.1, 10.{{net}}.1.1] }
              - { name: node2, id: 2, addresses: [10.{{net}}.0.2, 10.{{net}}.1.2] }
              - { name: node3, id: 3, addresses: [10.{{net}}.0.3, 10.{{net}}.1.3] }
            rings:
              - multicast: { group: 239.77.{{net}}.1, port: {{port}} }
              - unicast: { port: {{port + 1}} }
            key_file: KEY
            """, network.Ns);
        cluster.ConfigRewrite = text => text.Replace("KEY", cluster.KeyFile);
    }

    public void Dispose()
    {
        cluster.Dispose();
        network.Dispose();
    }

    private void Link(string node, int ring, bool up) => network.Link(node, ring, up);

    private bool Sees(string node, params string[] online) =>
        cluster.Status(node) is { } s && s.Agreed && TestCluster.Online(s).Order().SequenceEqual(online);

    [Fact]
    public async Task Multicast_and_unicast_rings_carry_the_cluster_and_link_failures_become_ring_faults_then_a_partition()
    {
        cluster.StartAll();
        string[] all = ["node1", "node2", "node3"];
        await cluster.WaitUntil("all three see each other over the bridges", () => all.All(n => Sees(n, all)), TimeSpan.FromSeconds(15));
        Assert.All(all, n => Assert.True(cluster.Status(n)!.Rings.All(r => r.Healthy)));
        Assert.Equal("multicast", cluster.Status("node1")!.Rings[0].Kind);

        // node3 loses its multicast ring: a faulty ring, not a dead node.
        Link("node3", 0, up: false);
        await cluster.WaitUntil("node1 reports ring 0 faulty for node3", () =>
            cluster.Status("node1") is { } s && !s.Rings[0].Healthy && s.Rings[0].MissingPeers.SequenceEqual(["node3"]), TimeSpan.FromSeconds(10));
        Assert.True(Sees("node1", all));

        // Both of node3's links down: a partition. The majority keeps quorum; node3 is alone without it.
        Link("node3", 1, up: false);
        await cluster.WaitUntil("node1 and node2 drop node3", () => Sees("node1", "node1", "node2") && Sees("node2", "node1", "node2"), TimeSpan.FromSeconds(10));
        await cluster.WaitUntil("node3 is alone", () => Sees("node3", "node3"), TimeSpan.FromSeconds(10));
        Assert.True(cluster.Status("node1")!.Quorate);
        Assert.False(cluster.Status("node3")!.Quorate);
        Assert.Equal("node3", cluster.Status("node3")!.Dc);

        // Heal: one view again, one DC.
        Link("node3", 0, up: true);
        Link("node3", 1, up: true);
        await cluster.WaitUntil("the partition heals", () => all.All(n => Sees(n, all)), TimeSpan.FromSeconds(15));
        Assert.Single(all.Select(n => cluster.Status(n)!.Dc).Distinct());
    }
}
