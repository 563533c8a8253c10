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
}
