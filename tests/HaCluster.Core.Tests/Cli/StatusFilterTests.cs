using Xunit;
using static HaCluster.Core.Tests.Cli.CliRunner;

namespace HaCluster.Core.Tests.Cli;

/// <summary>`hacrm status` filters and summary, for clusters too big to read whole.</summary>
public sealed class StatusFilterTests
{
    private static string Cib(string name) => Path.Combine(TestPaths.ConformanceXml, name + ".xml");

    [Fact]
    public void A_node_filter_shows_only_what_runs_or_failed_there_and_its_failed_actions()
    {
        var (_, onNode2, _) = Run("status", "--xml", Cib("rec-rsc-5"), "--node", "node2");
        Assert.Contains("Resources (on node2: 2 of 3):", onNode2);
        Assert.Contains("rsc1\t(ocf:heartbeat:apache):\t Started node2", onNode2);
        Assert.DoesNotContain("stonith-1", onNode2);
        Assert.Contains("rsc1 stop on node2 could not be executed", onNode2);

        var (_, onNode1, _) = Run("status", "--xml", Cib("rec-rsc-5"), "--node", "node1");
        Assert.Contains("Resources (on node1: 0 of 3):", onNode1);
        Assert.DoesNotContain("Failed Resource Actions", onNode1);
    }

    [Fact]
    public void A_resource_filter_shows_the_top_level_resource_a_member_belongs_to()
    {
        var (_, output, _) = Run("status", "--xml", Cib("inc10"), "--resource", "ocfs2:3");
        Assert.Contains("Resources (matching ocfs2:3: 1 of 2):", output);
        Assert.Contains("Clone Set: ocfs2-clone [ocfs2]", output);
        Assert.DoesNotContain("DoFencing", output);
    }

    [Fact]
    public void Active_only_hides_resources_stopped_everywhere()
    {
        var (_, output, _) = Run("status", "--xml", Cib("rec-rsc-5"), "--active-only");
        Assert.Contains("Resources (active: 2 of 3):", output);
        Assert.DoesNotContain("stonith-1", output);
    }

    [Fact]
    public void The_summary_counts_instances_by_state_and_per_node_instead_of_listing_them()
    {
        var (_, output, _) = Run("status", "--xml", Cib("inc10"), "--summary");
        Assert.Contains("* 8 primitive instances: 8 active (0 promoted), 0 stopped, 0 failed, 0 unmanaged", output);
        Assert.Contains("* xen-3: 2 active", output);
        Assert.DoesNotContain("Clone Set", output);

        var (_, failed, _) = Run("status", "--xml", Cib("rec-rsc-5"), "--summary");
        Assert.Contains("* node2: 2 active, 1 FAILED", failed);
    }

    [Fact]
    public void Xml_output_has_crm_mons_layout_so_the_same_xpath_finds_where_a_resource_runs()
    {
        var (exit, output, _) = Run("status", "--xml", Cib("rec-rsc-5"), "--output-as", "xml");
        Assert.Equal(1, exit); // node2 unclean, rsc1's stop failed: degraded, in XML as in text
        var doc = System.Xml.Linq.XDocument.Parse(output);
        var rsc1 = doc.Root!.Element("resources")!.Elements("resource").Single(r => (string?)r.Attribute("id") == "rsc1");
        Assert.Equal("ocf:heartbeat:apache", (string?)rsc1.Attribute("resource_agent"));
        Assert.Equal("node2", (string?)rsc1.Element("node")!.Attribute("name"));
        Assert.Equal("3", (string?)doc.Root.Element("summary")!.Element("resources_configured")!.Attribute("number"));
        var node2 = doc.Root.Element("nodes")!.Elements("node").Single(n => (string?)n.Attribute("name") == "node2");
        Assert.Equal("true", (string?)node2.Attribute("unclean"));
        Assert.Contains(doc.Root.Element("failures")!.Elements("failure"), f => (string?)f.Attribute("op_key") == "rsc1_stop_0" && (string?)f.Attribute("node") == "node2");

        var (_, clones, _) = Run("status", "--xml", Cib("inc10"), "--output-as", "xml");
        var ocfs2 = System.Xml.Linq.XDocument.Parse(clones).Root!.Element("resources")!.Elements("clone").Single(c => (string?)c.Attribute("id") == "ocfs2-clone");
        Assert.Equal(4, ocfs2.Elements("resource").Count(r => (string?)r.Attribute("active") == "true"));
    }

    [Fact]
    public void Node_attributes_fail_counts_and_operations_are_shown_on_request_as_crm_mon_does()
    {
        var (_, plain, _) = Run("status", "--xml", Cib("clone-no-shuffle"));
        Assert.DoesNotContain("Node Attributes:", plain);
        Assert.DoesNotContain("Migration Summary:", plain);

        var (exit, output, _) = Run("status", "--xml", Cib("clone-no-shuffle"), "-A", "--fail-counts", "--operations");
        Assert.Equal(0, exit);
        Assert.Contains("Node Attributes:\n  * Node: dktest1sles10:\n  * Node: dktest2sles10:\n    * master-drbd1:0                  : 10\n    * pingd10220                      : 750\n", output);
        Assert.DoesNotContain("fail-count-drbd1:0                ", output); // fail counts have their own section
        Assert.Contains("Migration Summary:\n  * Node: dktest2sles10:\n    * drbd1:0: migration-threshold=", output);
        Assert.Contains("fail-count=1", output);
        Assert.Contains("Operations:\n  * Node: dktest2sles10:\n    * drbd1:0: (ocf:heartbeat:drbd)\n      * (2) monitor\n      * (4) start\n      * (7) promote\n", output);

        // The node filter narrows the sections too.
        var (_, one, _) = Run("status", "--xml", Cib("clone-no-shuffle"), "-A", "--node", "dktest1sles10");
        Assert.DoesNotContain("dktest2sles10:", one[one.IndexOf("Node Attributes:", StringComparison.Ordinal)..]);
    }

    [Fact]
    public void The_exit_status_says_whether_the_pictured_cluster_is_healthy_so_scripts_can_test_it()
    {
        // Every node online, nothing failed.
        Assert.Equal(0, Run("status", "--xml", Cib("inc10")).Exit);
        // An unclean node and a failed stop.
        Assert.Equal(1, Run("status", "--xml", Cib("rec-rsc-5")).Exit);
        // All nodes up, but a failed operation still in the history (until cleanup): degraded.
        var (exit, output, _) = Run("status", "--xml", Cib("stopped-monitor-21"));
        Assert.Equal(1, exit);
        Assert.Contains("Failed Resource Actions:", output);
    }
}
