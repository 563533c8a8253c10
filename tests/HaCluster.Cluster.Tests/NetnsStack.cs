using HaCluster.Core.Status;
using HaCluster.Daemon.Cib;

namespace HaCluster.Cluster.Tests;

// Also compiled into HaCluster.Benchmarks (linked), whose netns failover benchmark runs this stack.

/// <summary>
/// Seed 003's MySQL stack on three haclusterd nodes, each in a network namespace of its own on one
/// bridge, with a client namespace on the same bridge: a promotable ocf:pacemaker:Stateful stands
/// in for DRBD (no DRBD kernel module here), ocf:heartbeat:Dummy for the filesystem and mysqld,
/// and a real ocf:heartbeat:IPaddr2 VIP the client reaches. Fencing is on, with fence_netns
/// (tests/HaCluster.Cluster.Tests/agents): it powers a node off as a PDU would, killing every
/// process in its namespace and taking its links down.
/// </summary>
internal sealed class NetnsStack : IDisposable
{
    public static readonly string[] All = ["node1", "node2", "node3"];
    public TestNetwork Network { get; } = new(bridges: 1);
    public TestCluster Cluster { get; }
    public string Vip => Network.Address(0, 100);
    /// <summary>Only the VIP (and the fencing device), for a like-for-like comparison with keepalived.</summary>
    public bool VipOnly { get; }
    /// <summary>Fencing by watchdog alone (stonith-watchdog-timeout, no device); a node "resets" by self_fence_netns.</summary>
    public bool Watchdog { get; }
    /// <summary>The agents' log, when the stack was made observed.</summary>
    public ActivityObserver? Observer { get; private set; }

    /// <param name="timers">A cluster.yaml <c>timers:</c> line, or null for the shipped defaults.</param>
    /// <param name="observed">Every agent run is logged by an <see cref="ActivityObserver"/> (<see cref="Observer"/>).</param>
    public NetnsStack(bool vipOnly = false, string? timers = null, bool watchdog = false, bool observed = false)
    {
        VipOnly = vipOnly;
        Watchdog = watchdog;
        try
        {
            Cluster = Build(timers, observed);
        }
        catch
        {
            // The namespaces exist by now: none may outlive a stack that failed to come up.
            Network.Dispose();
            throw;
        }
    }

    private TestCluster Build(string? timers, bool observed)
    {
        for (var i = 1; i <= 3; i++) Network.AddHost($"node{i}", i);
        Network.AddHost("client", 200);
        var net = Network.Net;
        var port = TestCluster.RandomPort();
        var cluster = new TestCluster(All, n => $$"""
            cluster_name: stack{{net}}
            nodes:
              - { name: node1, id: 1, addresses: [10.{{net}}.0.1] }
              - { name: node2, id: 2, addresses: [10.{{net}}.0.2] }
              - { name: node3, id: 3, addresses: [10.{{net}}.0.3] }
            rings:
              - unicast: { port: {{port}} }
            key_file: KEY
            agents: { rsctmp: DIR/{{n}}.rsctmp, varrun: DIR/{{n}}.varrun, fence_agents: DIR/fence{{(observed ? ", ocf_root: DIR/ocf" : "")}} }
            {{(Watchdog ? $"watchdog: {{ self_fence: [DIR/fence/self_fence_netns, {Network.Ns(n)}] }}" : "")}}
            {{timers ?? ""}}
            """, Network.Ns);
        try
        {
            cluster.ConfigRewrite = text => text.Replace("KEY", cluster.KeyFile).Replace("DIR", cluster.Dir);
            var fence = Directory.CreateDirectory(Path.Combine(cluster.Dir, "fence")).FullName;
            foreach (var agent in new[] { "fence_netns", "self_fence_netns" })
            {
                File.Copy(Path.Combine(AppContext.BaseDirectory, "agents", agent), Path.Combine(fence, agent));
                File.SetUnixFileMode(Path.Combine(fence, agent), (UnixFileMode)0b111_101_101);
            }
            if (observed)
            {
                var observer = new ActivityObserver(cluster.Dir, Network.Prefix + "-");
                observer.WrapFenceAgent(Path.Combine(fence, "fence_netns"));
                Observer = observer;
            }
            new CibStore(Path.Combine(cluster.Dir, "node1.state")).Store(new CibVersion(0, 5, 0), System.Text.Encoding.UTF8.GetBytes(Cib));
            return cluster;
        }
        catch
        {
            cluster.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        Cluster.Dispose();
        Network.Dispose();
    }

    /// <summary>The seed's resources and constraints (crm's ms/group/colocation/order), in CIB XML.</summary>
    private string Cib => $"""
        <cib admin_epoch="0" epoch="5" num_updates="0" validate-with="pacemaker-1.2">
          <configuration>
            <crm_config><cluster_property_set id="opts">
              <nvpair id="o1" name="stonith-enabled" value="true"/>
              <nvpair id="o2" name="stonith-action" value="off"/>
              {(Watchdog ? "<nvpair id=\"o3\" name=\"stonith-watchdog-timeout\" value=\"6s\"/>" : "")}
            </cluster_property_set></crm_config>
            <nodes><node id="node1" uname="node1"/><node id="node2" uname="node2"/><node id="node3" uname="node3"/></nodes>
            <resources>
              {(Watchdog ? "" : FenceDevice)}
              {(VipOnly ? IpPrimitive : Stack)}
            </resources>
            <rsc_defaults><meta_attributes id="rsc-options"><nvpair id="stick" name="resource-stickiness" value="100"/></meta_attributes></rsc_defaults>
            <constraints>{(VipOnly ? "" : Constraints)}</constraints>
          </configuration>
          <status/>
        </cib>
        """;

    private string FenceDevice => $"""
        <primitive id="st_pdu" class="stonith" type="fence_netns">
          <instance_attributes id="st-ia">
            <nvpair id="st-prefix" name="ns_prefix" value="{Network.Prefix}-"/>
            <nvpair id="st-hosts" name="pcmk_host_list" value="node1 node2 node3"/>
          </instance_attributes>
        </primitive>
        """;

    private string IpPrimitive => $"""
        <primitive id="p_ip_mysql" class="ocf" provider="heartbeat" type="IPaddr2">
          <instance_attributes id="ip-ia">
            <nvpair id="ip-ip" name="ip" value="{Vip}"/>
            <nvpair id="ip-mask" name="cidr_netmask" value="24"/>
            <nvpair id="ip-nic" name="nic" value="ring0"/>
          </instance_attributes>
          <operations><op id="ip-mon" name="monitor" interval="2s"/></operations>
        </primitive>
        """;

    private string Stack => $"""
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
          {IpPrimitive}
          <primitive id="p_fs_mysql" class="ocf" provider="heartbeat" type="Dummy">
            <operations><op id="fs-mon" name="monitor" interval="2s"/></operations>
          </primitive>
          <primitive id="p_mysql" class="ocf" provider="heartbeat" type="Dummy">
            <operations><op id="mysql-mon" name="monitor" interval="2s"/></operations>
          </primitive>
        </group>
        """;

    private const string Constraints = """
        <rsc_colocation id="c_mysql_on_drbd" rsc="g_mysql" with-rsc="ms_drbd_mysql" with-rsc-role="Master" score="INFINITY"/>
        <rsc_order id="o_drbd_before_mysql" first="ms_drbd_mysql" first-action="promote" then="g_mysql" then-action="start" score="INFINITY"/>
        """;

    private string State(string node, string file) => Path.Combine(Cluster.Dir, file.StartsWith("Stateful", StringComparison.Ordinal) ? $"{node}.varrun" : $"{node}.rsctmp", file);

    public string[] Promoted(IEnumerable<string> among) =>
        among.Where(n => File.Exists(State(n, "Stateful-p_drbd_mysql.state")) && File.ReadAllText(State(n, "Stateful-p_drbd_mysql.state")).Trim() == "Promoted").ToArray();

    public string[] Running(string dummy, IEnumerable<string> among) => among.Where(n => File.Exists(State(n, $"Dummy-{dummy}.state"))).ToArray();

    public string[] VipOn(IEnumerable<string> among) =>
        among.Where(n => Network.Exec(n, "ip", "-o", "addr", "show", "dev", "ring0").Output.Contains($" {Vip}/24 ", StringComparison.Ordinal)).ToArray();

    /// <summary>The one node running the whole stack among <paramref name="among"/>, or null while it is not so.</summary>
    public string? StackNode(string[] among)
    {
        var vip = VipOn(among);
        if (vip.Length != 1) return null;
        if (VipOnly) return vip[0];
        return Promoted(among).SequenceEqual(vip) && Running("p_fs_mysql", among).SequenceEqual(vip) && Running("p_mysql", among).SequenceEqual(vip)
            ? vip[0] : null;
    }

    /// <summary>The client pings the VIP, and the MAC that answered belongs to <paramref name="node"/>.</summary>
    public bool ClientReachesVipOn(string node) =>
        Network.Exec("client", "ping", "-c", "1", "-W", "1", Vip).Exit == 0
        && Network.Exec("client", "ip", "neigh", "show", Vip).Output.Contains(Network.Mac(node, 0), StringComparison.OrdinalIgnoreCase);

    /// <summary>Starts every node; returns the node the stack runs on once its VIP answers the client.</summary>
    public async Task<string> StartAsync()
    {
        Cluster.StartAll();
        return await RunsSomewhere(All);
    }

    /// <summary>Waits until the stack runs on one of <paramref name="among"/> and the client reaches its VIP there.</summary>
    public async Task<string> RunsSomewhere(string[] among)
    {
        string? active = null;
        await Cluster.WaitUntil("the stack runs on one node and its VIP answers the client from there",
            () => (active = StackNode(among)) is not null && ClientReachesVipOn(active), TimeSpan.FromSeconds(60));
        return active!;
    }
}
