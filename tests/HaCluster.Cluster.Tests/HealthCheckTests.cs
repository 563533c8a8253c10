using HaCluster.Core.Status;
using HaCluster.Daemon.Cib;

namespace HaCluster.Cluster.Tests;

/// <summary>
/// Built-in health checks (keepalived's vrrp_script) on a real loopback cluster: each node runs
/// the check script, its result becomes a node attribute, and a location rule moves the
/// address-like Dummy off a node whose check fails and lets it come back once it passes again.
/// </summary>
public sealed class HealthCheckTests : IDisposable
{
    private readonly TestCluster cluster = TestCluster.OnLoopback("health", 2, 4);
    private static readonly string[] All = ["node1", "node2"];

    public void Dispose() => cluster.Dispose();

    private string[] RunningOn(string rsc) =>
        All.Where(n => File.Exists(Path.Combine(cluster.Dir, $"{n}.rsctmp", $"Dummy-{rsc}.state"))).ToArray();

    [Fact]
    public async Task A_failing_check_moves_the_address_away_after_fall_failures_and_it_returns_after_rise_passes()
    {
        // The check passes on a node while no "NODE.disabled" file exists (HA_NODE names the node it runs on).
        var script = Path.Combine(cluster.Dir, "check.sh");
        File.WriteAllText(script, $"#!/bin/sh\n[ ! -e \"{cluster.Dir}/$HA_NODE.disabled\" ]\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var cib = $$"""
            <cib admin_epoch="0" epoch="5" num_updates="0" validate-with="pacemaker-3.0">
              <configuration>
                <crm_config><cluster_property_set id="opts"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
                <nodes><node id="node1" uname="node1"/><node id="node2" uname="node2"/></nodes>
                <resources>
                  <primitive id="vip" class="ocf" provider="heartbeat" type="Dummy">
                    <operations><op id="vip-mon" name="monitor" interval="1s"/></operations>
                  </primitive>
                </resources>
                <constraints>
                  <rsc_location id="prefer" rsc="vip" node="node1" score="100"/>
                  <rsc_location id="healthy" rsc="vip"><rule id="healthy-rule" score="-INFINITY">
                    <expression id="healthy-expr" attribute="app-ok" operation="eq" value="0"/></rule></rsc_location>
                </constraints>
                <health_checks>
                  <health_check id="app-check" script="{{script}}" attribute="app-ok" interval="300ms" timeout="2s" fall="2" rise="2"/>
                </health_checks>
              </configuration>
              <status/>
            </cib>
            """;
        new CibStore(Path.Combine(cluster.Dir, "node1.state")).Store(new CibVersion(0, 5, 0), System.Text.Encoding.UTF8.GetBytes(cib));
        cluster.StartAll();
        await cluster.WaitUntil("vip runs on node1", () => RunningOn("vip").SequenceEqual(["node1"]), TimeSpan.FromSeconds(30));
        await cluster.WaitUntil("node1's status shows the check passing on both nodes", () =>
            Status("node1") is var s && s.Contains("* app-check (attribute app-ok, every 300ms, fall 2, rise 2):") && s.Contains("* node1: passing") && s.Contains("* node2: passing"),
            TimeSpan.FromSeconds(10));

        // node1's check starts failing: after two failures in a row vip leaves node1.
        File.WriteAllText(Path.Combine(cluster.Dir, "node1.disabled"), "");
        await cluster.WaitUntil("vip moves to node2", () => RunningOn("vip").SequenceEqual(["node2"]), TimeSpan.FromSeconds(20));
        await cluster.WaitForLog("node1", "health check app-check FAILING");
        Assert.Contains("* node1: FAILING", Status("node2"));

        // Passing again: vip comes back to its preferred node.
        File.Delete(Path.Combine(cluster.Dir, "node1.disabled"));
        await cluster.WaitUntil("vip returns to node1", () => RunningOn("vip").SequenceEqual(["node1"]), TimeSpan.FromSeconds(20));
        await cluster.WaitForLog("node1", "health check app-check passing");
    }

    private string Status(string node)
    {
        var output = new StringWriter();
        HaCluster.Cli.CliApp.Run(["--socket", cluster.Socket(node), "status"], output, new StringWriter());
        return output.ToString();
    }
}
