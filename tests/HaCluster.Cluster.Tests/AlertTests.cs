using HaCluster.Core.Status;
using HaCluster.Daemon.Cib;

namespace HaCluster.Cluster.Tests;

/// <summary>
/// Alert agents on a real loopback cluster, run as Pacemaker runs them: the sample agent
/// Pacemaker ships (alert_file.sh.sample, unchanged) writes one line per event to its recipient
/// file. Each node runs the alerts for its own events: its resource operations, the membership
/// changes it sees, fencing results, its attribute changes (when selected).
/// </summary>
public sealed class AlertTests : IDisposable
{
    private const string SampleAgent = "/usr/share/pacemaker/alerts/alert_file.sh.sample";
    private readonly TestCluster cluster = TestCluster.OnLoopback("alerts", 2, 5);
    private static readonly string[] All = ["node1", "node2"];

    public void Dispose() => cluster.Dispose();

    /// <summary>What the sample agent appended to its recipient file (both nodes' runs append to the same file).</summary>
    private string Lines() => File.Exists(AlertFile) ? File.ReadAllText(AlertFile) : "";

    private string AlertFile => Path.Combine(cluster.Dir, "alerts.log");

    private int Count(string text) => System.Text.RegularExpressions.Regex.Matches(Lines(), System.Text.RegularExpressions.Regex.Escape(text)).Count;

    [Fact]
    public async Task The_sample_file_agent_records_resource_operations_membership_changes_and_selected_attributes()
    {
        Assert.True(File.Exists(SampleAgent), "pacemaker-common's alert samples are installed by scripts/test.sh");
        var cib = $$"""
            <cib admin_epoch="0" epoch="5" num_updates="0" validate-with="pacemaker-3.0">
              <configuration>
                <crm_config><cluster_property_set id="opts"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
                <nodes><node id="node1" uname="node1"/><node id="node2" uname="node2"/></nodes>
                <resources>
                  <primitive id="d" class="ocf" provider="heartbeat" type="Dummy">
                    <operations><op id="d-mon" name="monitor" interval="1s"/></operations>
                  </primitive>
                </resources>
                <constraints><rsc_location id="prefer" rsc="d" node="node1" score="100"/></constraints>
                <alerts>
                  <alert id="to-file" path="{{SampleAgent}}">
                    <meta_attributes id="to-file-meta"><nvpair id="to-file-ts" name="timestamp-format" value="%Y-%m-%d %H:%M:%S"/></meta_attributes>
                    <select><select_nodes/><select_resources/><select_attributes><attribute id="sa" name="site"/></select_attributes></select>
                    <recipient id="to-file-r" value="{{AlertFile}}"/>
                  </alert>
                </alerts>
              </configuration>
              <status/>
            </cib>
            """;
        new CibStore(Path.Combine(cluster.Dir, "node1.state")).Store(new CibVersion(0, 5, 0), System.Text.Encoding.UTF8.GetBytes(cib));
        cluster.StartAll();
        await cluster.WaitUntil("node1 alerts d's start", () => Lines().Contains("Resource operation 'start' for 'd' on 'node1': ok"), TimeSpan.FromSeconds(30));
        await cluster.WaitUntil("node1 alerts d's first monitor", () => Lines().Contains("Resource operation 'monitor (1000)' for 'd' on 'node1': ok"), TimeSpan.FromSeconds(10));
        // node1 started with the alert configured; node2 may have joined before its configuration had it.
        await cluster.WaitUntil("the members are alerted", () => Count("Node 'node1' is now 'member'") >= 1 && Count("Node 'node2' is now 'member'") >= 1,
            TimeSpan.FromSeconds(10));
        // A probe that finds d stopped is what was expected: no alert for it (Pacemaker sends none either).
        Assert.DoesNotContain("'monitor' for 'd'", Lines());
        Assert.Matches(@"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d: Resource operation 'start'", Lines());

        // Only the selected attribute is alerted.
        Attribute("node1", "rack", "r1");
        Attribute("node1", "site", "east");
        await cluster.WaitUntil("node1 alerts the site attribute", () => Lines().Contains("Attribute 'site' on node 'node1' was updated to 'east'"), TimeSpan.FromSeconds(10));
        Assert.DoesNotContain("'rack'", Lines());

        // node2 leaves: node1 sees it lost.
        cluster.Kill("node2");
        await cluster.WaitUntil("node1 alerts node2 lost", () => Lines().Contains("Node 'node2' is now 'lost'"), TimeSpan.FromSeconds(20));

        // node2 comes back: node1 alerts it a member again, and node2, now configured, alerts both members.
        var before = (Count("Node 'node1' is now 'member'"), Count("Node 'node2' is now 'member'"));
        cluster.Start("node2");
        await cluster.WaitUntil("node2's return is alerted by both nodes", () =>
            Count("Node 'node2' is now 'member'") >= before.Item2 + 2 && Count("Node 'node1' is now 'member'") >= before.Item1 + 1, TimeSpan.FromSeconds(20));
        Assert.Equal(1, Count("Node 'node2' is now 'lost'"));
    }

    private void Attribute(string node, string name, string value)
    {
        var output = new StringWriter();
        var rc = HaCluster.Cli.CliApp.Run(["--socket", cluster.Socket(node), "attribute", node, name, value], output, output);
        Assert.True(rc == 0, output.ToString());
    }
}
