using System.Diagnostics;
using HaCluster.Core.Status;
using HaCluster.Daemon.Cib;

namespace HaCluster.Cluster.Tests;

/// <summary>
/// Watchdog fencing with real haclusterd processes (issue 22): a node left without quorum whose
/// resource does not stop in time runs its self-fence program (in production the kernel's
/// immediate reboot; here a script that leaves a mark, so the test machine stays up).
/// </summary>
public sealed class WatchdogFencingTests : IDisposable
{
    private readonly int subnet = Random.Shared.Next(1, 250);
    private readonly int port = TestCluster.RandomPort();
    private readonly TestCluster cluster;
    private static readonly string[] All = ["node1", "node2", "node3"];

    public WatchdogFencingTests()
    {
        cluster = new TestCluster(All, n => $$"""
            cluster_name: watchdog{{subnet}}
            nodes:
              - { name: node1, id: 1, addresses: [127.4.{{subnet}}.11] }
              - { name: node2, id: 2, addresses: [127.4.{{subnet}}.12] }
              - { name: node3, id: 3, addresses: [127.4.{{subnet}}.13] }
            rings:
              - unicast: { port: {{port}} }
            key_file: KEY
            agents: { rsctmp: DIR/{{n}}.rsctmp }
            watchdog: { self_fence: [DIR/self-fence, {{n}}] }
            """);
        cluster.ConfigRewrite = text => text.Replace("KEY", cluster.KeyFile).Replace("DIR", cluster.Dir);
        var script = Path.Combine(cluster.Dir, "self-fence");
        File.WriteAllText(script, "#!/bin/sh\necho \"$HA_SELF_FENCE_REASON\" > \"$(dirname \"$0\")/self-fenced.$1\"\n");
        File.SetUnixFileMode(script, (UnixFileMode)0b111_101_101);
    }

    public void Dispose()
    {
        foreach (var n in All) Signal(n, "CONT");
        cluster.Dispose();
    }

    private void Signal(string node, string signal)
    {
        try
        {
            Process.Start("kill", [$"-{signal}", cluster.Pid(node).ToString()])!.WaitForExit();
        }
        catch (KeyNotFoundException)
        {
        }
    }

    // Fencing on, no device: watchdog fencing. The resource takes 8 s to stop.
    private const string Cib = """
        <cib admin_epoch="0" epoch="5" num_updates="0" validate-with="pacemaker-3.0">
          <configuration>
            <crm_config><cluster_property_set id="opts">
              <nvpair id="o1" name="stonith-enabled" value="true"/>
              <nvpair id="o2" name="stonith-watchdog-timeout" value="4s"/>
            </cluster_property_set></crm_config>
            <nodes><node id="node1" uname="node1"/><node id="node2" uname="node2"/><node id="node3" uname="node3"/></nodes>
            <resources>
              <primitive id="slow" class="ocf" provider="heartbeat" type="Delay">
                <instance_attributes id="slow-ia">
                  <nvpair id="s1" name="startdelay" value="0"/><nvpair id="s2" name="stopdelay" value="8"/><nvpair id="s3" name="mondelay" value="0"/>
                </instance_attributes>
                <operations><op id="slow-stop" name="stop" interval="0" timeout="30s"/></operations>
              </primitive>
            </resources>
            <constraints><rsc_location id="home" rsc="slow" node="node1" score="INFINITY"/></constraints>
          </configuration>
          <status/>
        </cib>
        """;

    [Fact]
    public async Task A_node_cut_off_from_quorum_whose_resource_will_not_stop_in_time_fences_itself()
    {
        new CibStore(Path.Combine(cluster.Dir, "node1.state")).Store(new CibVersion(0, 5, 0), System.Text.Encoding.UTF8.GetBytes(Cib));
        cluster.StartAll();
        await cluster.WaitForLog("node1", "slow start: ", TimeSpan.FromSeconds(40));
        Assert.False(File.Exists(Path.Combine(cluster.Dir, "self-fenced.node1")));

        // node2 and node3 stand still: node1 has no quorum, starts stopping slow (8 s), and after
        // half the watchdog timeout resets itself.
        Signal("node2", "STOP");
        Signal("node3", "STOP");
        var mark = Path.Combine(cluster.Dir, "self-fenced.node1");
        await cluster.WaitUntil("node1 fences itself", () => File.Exists(mark) && File.ReadAllText(mark).Length > 0, TimeSpan.FromSeconds(20));
        Assert.Contains("slow still active", File.ReadAllText(mark));
        // The log reaches its file through the daemon's output pipe, possibly after the program
        // has already left its mark: wait for it rather than read it once.
        await cluster.WaitForLog("node1", "self-fencing this machine", TimeSpan.FromSeconds(10));
    }
}
