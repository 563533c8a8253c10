using HaCluster.Core.Status;
using HaCluster.Daemon.Cib;

namespace HaCluster.Cluster.Tests;

/// <summary>
/// Seed 003's MySQL stack on three haclusterd nodes, each in a network namespace of its own on one
/// bridge, with a client namespace on the same bridge: a promotable ocf:pacemaker:Stateful stands
/// in for DRBD (no DRBD kernel module here), ocf:heartbeat:Dummy for the filesystem and mysqld,
/// and a real ocf:heartbeat:IPaddr2 VIP the client pings. Fencing is on, with fence_netns
/// (tests/HaCluster.Cluster.Tests/agents): it powers a node off as a PDU would, killing every
/// process in its namespace and taking its links down.
/// </summary>
public sealed class NetnsStackTests : IDisposable
{
    private static readonly string[] All = ["node1", "node2", "node3"];
    private readonly TestNetwork network = new(bridges: 1);
    private readonly int port = TestCluster.RandomPort();
    private readonly TestCluster cluster;
    private string Vip => network.Address(0, 100);

    public NetnsStackTests()
    {
        for (var i = 1; i <= 3; i++) network.AddHost($"node{i}", i);
        network.AddHost("client", 200);
        var net = network.Net;
        cluster = new TestCluster(All, n => $$"""
            cluster_name: stack{{net}}
            nodes:
              - { name: node1, id: 1, addresses: [10.{{net}}.0.1] }
              - { name: node2, id: 2, addresses: [10.{{net}}.0.2] }
              - { name: node3, id: 3, addresses: [10.{{net}}.0.3] }
            rings:
              - unicast: { port: {{port}} }
            key_file: KEY
            agents: { rsctmp: DIR/{{n}}.rsctmp, varrun: DIR/{{n}}.varrun, fence_agents: DIR/fence }
            """, network.Ns);
        cluster.ConfigRewrite = text => text.Replace("KEY", cluster.KeyFile).Replace("DIR", cluster.Dir);
        var fence = Directory.CreateDirectory(Path.Combine(cluster.Dir, "fence")).FullName;
        File.Copy(Path.Combine(AppContext.BaseDirectory, "agents", "fence_netns"), Path.Combine(fence, "fence_netns"));
        File.SetUnixFileMode(Path.Combine(fence, "fence_netns"), (UnixFileMode)0b111_101_101);
        new CibStore(Path.Combine(cluster.Dir, "node1.state")).Store(new CibVersion(0, 5, 0), System.Text.Encoding.UTF8.GetBytes(Cib));
    }

    public void Dispose()
    {
        cluster.Dispose();
        network.Dispose();
    }

    /// <summary>The seed's resources and constraints (crm's ms/group/colocation/order), in CIB XML.</summary>
    private string Cib => $"""
        <cib admin_epoch="0" epoch="5" num_updates="0" validate-with="pacemaker-1.2">
          <configuration>
            <crm_config><cluster_property_set id="opts">
              <nvpair id="o1" name="stonith-enabled" value="true"/>
              <nvpair id="o2" name="stonith-action" value="off"/>
            </cluster_property_set></crm_config>
            <nodes><node id="node1" uname="node1"/><node id="node2" uname="node2"/><node id="node3" uname="node3"/></nodes>
            <resources>
              <primitive id="st_pdu" class="stonith" type="fence_netns">
                <instance_attributes id="st-ia">
                  <nvpair id="st-prefix" name="ns_prefix" value="{network.Prefix}-"/>
                  <nvpair id="st-hosts" name="pcmk_host_list" value="node1 node2 node3"/>
                </instance_attributes>
              </primitive>
              <master id="ms_drbd_mysql">
                <meta_attributes id="ms-meta">
                  <nvpair id="ms-notify" name="notify" value="true"/>
                  <nvpair id="ms-max" name="clone-max" value="2"/>
                </meta_attributes>
                <primitive id="p_drbd_mysql" class="ocf" provider="pacemaker" type="Stateful">
                  <operations>
                    <op id="drbd-mon-s" name="monitor" interval="3s" role="Slave"/>
                    <op id="drbd-mon-m" name="monitor" interval="2s" role="Master"/>
                  </operations>
                </primitive>
              </master>
              <group id="g_mysql">
                <primitive id="p_ip_mysql" class="ocf" provider="heartbeat" type="IPaddr2">
                  <instance_attributes id="ip-ia">
                    <nvpair id="ip-ip" name="ip" value="{Vip}"/>
                    <nvpair id="ip-mask" name="cidr_netmask" value="24"/>
                    <nvpair id="ip-nic" name="nic" value="ring0"/>
                  </instance_attributes>
                  <operations><op id="ip-mon" name="monitor" interval="2s"/></operations>
                </primitive>
                <primitive id="p_fs_mysql" class="ocf" provider="heartbeat" type="Dummy">
                  <operations><op id="fs-mon" name="monitor" interval="2s"/></operations>
                </primitive>
                <primitive id="p_mysql" class="ocf" provider="heartbeat" type="Dummy">
                  <operations><op id="mysql-mon" name="monitor" interval="2s"/></operations>
                </primitive>
              </group>
            </resources>
            <constraints>
              <rsc_colocation id="c_mysql_on_drbd" rsc="g_mysql" with-rsc="ms_drbd_mysql" with-rsc-role="Master" score="INFINITY"/>
              <rsc_order id="o_drbd_before_mysql" first="ms_drbd_mysql" first-action="promote" then="g_mysql" then-action="start" score="INFINITY"/>
            </constraints>
          </configuration>
          <status/>
        </cib>
        """;

    private string State(string node, string file) => Path.Combine(cluster.Dir, file.StartsWith("Stateful", StringComparison.Ordinal) ? $"{node}.varrun" : $"{node}.rsctmp", file);

    private string[] Promoted(IEnumerable<string> among) =>
        among.Where(n => File.Exists(State(n, "Stateful-p_drbd_mysql.state")) && File.ReadAllText(State(n, "Stateful-p_drbd_mysql.state")).Trim() == "Promoted").ToArray();

    private string[] Running(string dummy, IEnumerable<string> among) => among.Where(n => File.Exists(State(n, $"Dummy-{dummy}.state"))).ToArray();

    private string[] VipOn(IEnumerable<string> among) =>
        among.Where(n => network.Exec(n, "ip", "-o", "addr", "show", "dev", "ring0").Output.Contains($" {Vip}/24 ", StringComparison.Ordinal)).ToArray();

    /// <summary>The one node running the whole stack among <paramref name="among"/>, or null while it is not so.</summary>
    private string? StackNode(string[] among)
    {
        var promoted = Promoted(among);
        if (promoted.Length != 1) return null;
        string[] one = [promoted[0]];
        return VipOn(among).SequenceEqual(one) && Running("p_fs_mysql", among).SequenceEqual(one) && Running("p_mysql", among).SequenceEqual(one)
            ? promoted[0] : null;
    }

    /// <summary>The client pings the VIP, and the MAC that answered belongs to <paramref name="node"/>.</summary>
    private bool ClientReachesVipOn(string node) =>
        network.Exec("client", "ping", "-c", "1", "-W", "1", Vip).Exit == 0
        && network.Exec("client", "ip", "neigh", "show", Vip).Output.Contains(network.Mac(node, 0), StringComparison.OrdinalIgnoreCase);

    private async Task<string> StackStarts()
    {
        cluster.StartAll();
        string? active = null;
        await cluster.WaitUntil("the stack runs on one node and its VIP answers the client",
            () => (active = StackNode(All)) is not null && ClientReachesVipOn(active), TimeSpan.FromSeconds(60));
        return active!;
    }

    private async Task FailsOverFrom(string victim)
    {
        var survivors = All.Where(n => n != victim).ToArray();
        string? active = null;
        await cluster.WaitUntil("the stack runs on a survivor and its VIP answers the client from there",
            () => (active = StackNode(survivors)) is not null && ClientReachesVipOn(active), TimeSpan.FromSeconds(60));
        // Powered off by the fence agent: nothing of the victim runs, its link is down.
        Assert.Empty(network.Pids(victim));
        Assert.DoesNotContain("state UP", network.Exec(victim, "ip", "-o", "link", "show", "ring0").Output);
        // The DC fenced the victim before the stand-in DRBD was promoted on the survivor (one
        // machine, one clock: the log lines' times compare).
        string Logs() => string.Join("\n", survivors.Select(cluster.Log));
        await cluster.WaitUntil("the logs say the victim was fenced", () => Logs().Contains($"{victim} fenced (off)"), TimeSpan.FromSeconds(10));
        await cluster.WaitForLog(active!, "promote: ok");
        var fencedAt = LineTime(Logs(), $"{victim} fenced (off)");
        var promotedAt = LineTime(cluster.Log(active!), "promote: ok", last: true);
        Assert.True(string.CompareOrdinal(fencedAt, promotedAt) <= 0, $"{victim} fenced at {fencedAt}, but promoted on {active} at {promotedAt}");
    }

    /// <summary>The time stamp (HH:mm:ss.fff) of the first (or last) log line containing <paramref name="text"/>.</summary>
    private static string LineTime(string log, string text, bool last = false)
    {
        var lines = log.Split('\n').Where(l => l.Contains(text, StringComparison.Ordinal));
        var line = last ? lines.Last() : lines.First();
        return line[..line.IndexOf(' ')];
    }

    [Fact]
    public async Task After_kill_9_of_the_active_nodes_daemon_it_is_fenced_and_the_stack_moves_in_order_with_its_VIP()
    {
        var victim = await StackStarts();
        cluster.Kill(victim);
        await FailsOverFrom(victim);
    }

    [Fact]
    public async Task When_the_active_node_loses_its_link_it_is_fenced_and_the_stack_moves_in_order_with_its_VIP()
    {
        var victim = await StackStarts();
        network.Link(victim, 0, up: false);
        await FailsOverFrom(victim);
    }
}
