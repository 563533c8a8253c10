using HaCluster.Cluster.Tests;
using HaCluster.Core.Status;
using HaCluster.Daemon.Cib;

namespace HaCluster.Benchmarks;

/// <summary>
/// The three-node loopback cluster the daemon benchmarks run: node N at 127.OCTET.SUBNET.1N on
/// each ring (one octet per ring, unicast, consecutive ports), default timers, an HA_RSCTMP per
/// node (so a Dummy's state file says where it runs), and the CIB stored on node1, from where it
/// spreads when the cluster starts. Not started yet.
/// </summary>
internal static class LoopbackBenchCluster
{
    public static readonly string[] Nodes = ["node1", "node2", "node3"];

    public static TestCluster Create(string name, int[] ringOctets, string cib)
    {
        var subnet = Random.Shared.Next(1, 250);
        var port = TestCluster.RandomPort();
        string Addresses(int node) => string.Join(", ", ringOctets.Select(o => $"127.{o}.{subnet}.1{node}"));
        var rings = string.Join("\n", ringOctets.Select((_, i) => $"  - unicast: {{ port: {port + i} }}"));
        TestCluster? c = null;
        c = new TestCluster(Nodes, n => $$"""
            cluster_name: {{name}}{{subnet}}
            nodes:
              - { name: node1, id: 1, addresses: [{{Addresses(1)}}] }
              - { name: node2, id: 2, addresses: [{{Addresses(2)}}] }
              - { name: node3, id: 3, addresses: [{{Addresses(3)}}] }
            rings:
            {{rings}}
            key_file: KEY
            agents: { rsctmp: DIR/{{n}}.rsctmp }
            """);
        c.ConfigRewrite = text => text.Replace("KEY", c.KeyFile).Replace("DIR", c.Dir);
        new CibStore(Path.Combine(c.Dir, "node1.state")).Store(new CibVersion(0, 5, 0), System.Text.Encoding.UTF8.GetBytes(cib));
        return c;
    }
}
