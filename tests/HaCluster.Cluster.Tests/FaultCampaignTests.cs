namespace HaCluster.Cluster.Tests;

/// <summary>The real-process fault campaign (issue 22): its observer, and a few of its runs in CI (bench/campaign.sh runs 100).</summary>
public sealed class FaultCampaignTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly HashSet<string> Vip = ["vip"];

    private static IReadOnlyList<ActivityObserver.Overlap> Overlaps(params string[] lines) => ActivityObserver.Overlaps(ActivityObserver.Parse(lines), Vip);

    [Fact]
    public void The_observer_finds_a_resource_started_on_a_second_node_before_the_first_stopped_it()
    {
        var found = Assert.Single(Overlaps(
            "10.0 10.5 node1 vip start 0 0",
            "20.0 20.4 node2 vip start 0 0",
            "20.2 20.6 node1 vip stop 0 0"));
        Assert.Equal(["node1", "node2"], found.Nodes);
        Assert.Equal(20.0, found.From, 3);
        Assert.Equal(20.6, found.To, 3);
    }

    [Fact]
    public void The_observer_counts_a_move_after_the_stop_ended_a_fenced_node_and_a_failed_start_as_no_overlap()
    {
        Assert.Empty(Overlaps(
            "10.0 10.5 node1 vip start 0 0",
            "20.0 20.4 node1 vip stop 0 0",
            "20.4 20.9 node2 vip start 0 0",
            // node2 is fenced; then node3 starts it.
            "30.0 30.2 - node2 fence-off 0 0",
            "30.3 30.5 node3 vip start 0 0",
            // A start that failed on node1 does not make it active there.
            "40.0 40.1 node1 vip start 0 1"));
    }

    [Fact]
    public void The_observer_counts_promotion_on_two_nodes_for_a_clone_and_a_failed_fencing_ends_nothing()
    {
        var found = Overlaps(
            "1.0 1.1 node1 drbd start 0 0",
            "1.0 1.1 node2 drbd start 0 0",
            "2.0 2.2 node1 drbd promote 0 0",
            "5.0 5.1 - node1 fence-off 0 1",
            "5.5 5.7 node2 drbd promote 0 0");
        var promoted = Assert.Single(found);
        Assert.Equal(("drbd", "promoted"), (promoted.Resource, promoted.Role));
        Assert.True(double.IsPositiveInfinity(promoted.To));
    }

    [Fact]
    public async Task Random_faults_on_real_daemons_leave_no_resource_active_twice_lose_no_acknowledged_commit_and_heal()
    {
        using var campaign = new FaultCampaign();
        await campaign.StartAsync();
        var runs = new List<CampaignRun>();
        foreach (var seed in new[] { 1, 2 })
        {
            var run = await campaign.RunAsync(seed);
            output.WriteLine(run.ToString());
            runs.Add(run);
        }
        Assert.All(runs, r => Assert.True(r.Clean, r.ToString()));
    }
}
