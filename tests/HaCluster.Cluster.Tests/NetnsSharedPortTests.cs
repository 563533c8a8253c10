namespace HaCluster.Cluster.Tests;

/// <summary>
/// Corosync's usual redundant rings (seed 003): two multicast rings on one port, each with its
/// own group on its own network. Each ring's socket must take its own group only: a link down on
/// one ring is a fault of that ring, and no ring sees the other's heartbeats (which would be
/// dropped as coming from the wrong address).
/// </summary>
public sealed class NetnsSharedPortTests : IDisposable
{
    private readonly TestNetwork network = new(bridges: 2);
    private readonly int port = TestCluster.RandomPort();
    private readonly TestCluster cluster;

    public NetnsSharedPortTests()
    {
        for (var i = 1; i <= 3; i++) network.AddHost($"node{i}", i, multicastRing: 0);
        var net = network.Net;
        cluster = new TestCluster(["node1", "node2", "node3"], _ => $$"""
            cluster_name: shared{{net}}
            nodes:
              - { name: node1, id: 1, addresses: [10.{{net}}.0.1, 10.{{net}}.1.1] }
              - { name: node2, id: 2, addresses: [10.{{net}}.0.2, 10.{{net}}.1.2] }
              - { name: node3, id: 3, addresses: [10.{{net}}.0.3, 10.{{net}}.1.3] }
            rings:
              - multicast: { group: 239.78.{{net}}.1, port: {{port}} }
              - multicast: { group: 239.78.{{net}}.2, port: {{port}} }
            key_file: KEY
            """, network.Ns);
        cluster.ConfigRewrite = text => text.Replace("KEY", cluster.KeyFile);
    }

    public void Dispose()
    {
        cluster.Dispose();
        network.Dispose();
    }

    [Fact]
    public async Task Two_multicast_rings_on_one_port_each_carry_their_own_heartbeats_and_fail_alone()
    {
        cluster.StartAll();
        string[] all = ["node1", "node2", "node3"];
        await cluster.WaitUntil("all three see each other on both rings", () =>
            all.All(n => cluster.Status(n) is { } s && s.Agreed && TestCluster.Online(s).Order().SequenceEqual(all) && s.Rings.All(r => r.Healthy)), TimeSpan.FromSeconds(15));
        // Frames of the other ring reach a ring's socket (unicast on a shared port): taken as the
        // ring their authenticated header names, never dropped as on the wrong ring or address.
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.All(all, n => Assert.DoesNotContain(cluster.Status(n)!.DroppedPackets.Keys, k => k is "WrongRing" or "WrongAddress"));

        // node3's ring 1 link goes down: ring 1 is faulty for node3, ring 0 stays healthy.
        network.Link("node3", 1, up: false);
        await cluster.WaitUntil("node1 reports ring 1 faulty for node3", () =>
            cluster.Status("node1") is { } s && !s.Rings[1].Healthy && s.Rings[1].MissingPeers.SequenceEqual(["node3"]) && s.Rings[0].Healthy, TimeSpan.FromSeconds(10));
        Assert.True(TestCluster.Online(cluster.Status("node1")!).Order().SequenceEqual(all));
    }
}
