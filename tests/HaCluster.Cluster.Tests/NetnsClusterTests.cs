using System.Diagnostics;

namespace HaCluster.Cluster.Tests;

/// <summary>
/// Three haclusterd processes, each in a network namespace of its own, joined by two bridges
/// (in a fourth namespace): ring 0 is multicast, ring 1 unicast. Links are taken down for ring
/// faults and partitions. Only the namespaces this test creates carry traffic; all are removed.
/// </summary>
public sealed class NetnsClusterTests : IDisposable
{
    private readonly string prefix = $"hcl{Environment.ProcessId % 1000}{Random.Shared.Next(100, 999)}";
    private readonly int net = Random.Shared.Next(100, 200);
    private readonly int port = TestCluster.RandomPort();
    private readonly List<string> namespaces = new();
    private readonly TestCluster cluster;

    private string Ns(string node) => $"{prefix}-{node}";
    private string Switch => $"{prefix}-sw";

    public NetnsClusterTests()
    {
        Ip("netns", "add", Switch);
        namespaces.Add(Switch);
        foreach (var br in new[] { "br0", "br1" })
        {
            Ip("-n", Switch, "link", "add", br, "type", "bridge");
            Ip("-n", Switch, "link", "set", br, "up");
        }
        for (var i = 1; i <= 3; i++)
        {
            var ns = Ns($"node{i}");
            Ip("netns", "add", ns);
            namespaces.Add(ns);
            Ip("-n", ns, "link", "set", "lo", "up");
            for (var r = 0; r < 2; r++)
            {
                Ip("-n", ns, "link", "add", $"ring{r}", "type", "veth", "peer", "name", $"n{i}r{r}", "netns", Switch);
                Ip("-n", Switch, "link", "set", $"n{i}r{r}", "master", $"br{r}", "up");
                Ip("-n", ns, "addr", "add", $"10.{net}.{r}.{i}/24", "dev", $"ring{r}");
                Ip("-n", ns, "link", "set", $"ring{r}", "up");
            }
            Ip("-n", ns, "route", "add", "224.0.0.0/4", "dev", "ring0");
        }
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
            """, Ns);
        cluster.ConfigRewrite = text => text.Replace("KEY", cluster.KeyFile);
    }

    public void Dispose()
    {
        cluster.Dispose();
        foreach (var ns in namespaces) Ip("netns", "del", ns);
    }

    private static void Ip(params string[] args)
    {
        var psi = new ProcessStartInfo("ip") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0 && args[0] != "netns") throw new InvalidOperationException($"ip {string.Join(' ', args)}: {err}");
    }

    private void Link(string node, int ring, bool up) => Ip("-n", Ns(node), "link", "set", $"ring{ring}", up ? "up" : "down");

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
