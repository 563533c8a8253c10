using HaCluster.Core.Cib;
using HaCluster.Core.Cib.Syntax;
using HaCluster.Core.Policy;
using HaCluster.Core.Status;
using Xunit;

namespace HaCluster.Core.Tests.Policy;

/// <summary>One rule of the scheduling semantics per test, on small hand-built clusters.</summary>
public class SchedulerTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

    /// <summary>Our summary, checked against crm_simulate's on the same CIB (Pacemaker is the oracle).</summary>
    internal static List<string> SummaryAsPacemaker(string crm, StatusBuilder status)
    {
        var parsed = CrmParser.Parse(crm, "t.crm");
        var ours = Summary(crm, status);
        var cibText = CrmSimulateDifferentialTests.ToCib(parsed.Config!, status.Build(parsed.Config!));
        if (Environment.GetEnvironmentVariable("HACLUSTER_DUMP_CIB") is { Length: > 0 } dumpTo) File.WriteAllText(dumpTo, cibText);
        var theirs = CrmSimulateDifferentialTests.Pacemaker(cibText);
        Assert.Equal(theirs.Order(), ours.Order());
        return ours;
    }

    /// <summary>The whole transition (actions and their order) for a configuration and status.</summary>
    private static TransitionGraph Graph(string crm, StatusBuilder status) =>
        Scheduler.Schedule(CrmParser.Parse(crm, "t.crm").Config!, status.Build(), Now);

    internal static List<string> Summary(string crm, StatusBuilder status)
    {
        var parsed = CrmParser.Parse(crm, "t.crm");
        Assert.False(parsed.HasErrors, string.Join("\n", parsed.Diagnostics));
        return Scheduler.Schedule(parsed.Config!, status.Build(parsed.Config!), Now).SummaryLines().Select(ConformanceTests.Normalise).ToList();
    }

    private const string TwoNodes = "node node1\nnode node2\nproperty stonith-enabled=false\n";

    [Fact]
    public void On_fail_stop_of_one_instance_stops_every_instance_of_an_anonymous_promotable_clone()
    {
        // crm_simulate 2.1.5: the clone is one resource; none is promoted or started in its place.
        var crm = "node node1\nnode node2\nnode node3\nproperty stonith-enabled=false\n" +
                  "primitive s ocf:pacemaker:Stateful op monitor interval=10s on-fail=stop\nms m s meta clone-max=2";
        var status = new StatusBuilder().Online("node1", "node2", "node3")
            .History("node1", "s", "ocf:pacemaker:Stateful", ("start", 0, 0), ("promote", 0, 0))
            .MonitorFailedAt("node2", "s", Now.ToUnixTimeSeconds() - 5, "ocf:pacemaker:Stateful");
        var s = Summary(crm, status);
        Assert.Equal(2, s.Count(l => l.StartsWith("Stop s:", StringComparison.Ordinal)));
        Assert.DoesNotContain(s, l => l.StartsWith("Start", StringComparison.Ordinal) || l.StartsWith("Promote", StringComparison.Ordinal));
    }

    [Fact]
    public void On_fail_stop_outlasts_the_completed_stop_that_followed_the_failure()
    {
        // Pacemaker 2.1.5: a completed stop ends a failure under on-fail=restart, not under
        // on-fail=stop (nor standby, nor fence): the resource stays stopped, here and elsewhere.
        var crm = TwoNodes + "primitive a Dummy op monitor interval=10s on-fail=stop";
        var status = new StatusBuilder().Online("node1", "node2")
            .History("node1", "a", "ocf:heartbeat:Dummy", ("start", 0, 0), ("monitor", 7, 10000), ("stop", 0, 0))
            .Attribute("node1", "fail-count-a#monitor_10000", "1");
        Assert.Empty(Summary(crm, status));
        var restart = TwoNodes + "primitive a Dummy op monitor interval=10s";
        Assert.Equal(new[] { "Start a (node1)" }, Summary(restart, status));
    }

    [Fact]
    public void On_fail_fence_outlasts_a_completed_stop_but_fences_nothing_for_an_unmanaged_resource_that_stopped()
    {
        // crm_simulate 2.1.5 on the failure generator's seed 1433: the node is fenced for a
        // managed resource whose monitor failed under on-fail=fence, even after it stopped there,
        // and not at all when the resource is unmanaged.
        var status = new StatusBuilder().Online("node1", "node2")
            .History("node2", "r", "ocf:heartbeat:Dummy", ("start", 0, 0), ("monitor", 7, 10000), ("stop", 0, 0))
            .Attribute("node2", "fail-count-r#monitor_10000", "1");
        const string nodes = "node node1\nnode node2\nprimitive st stonith:fence_dummy params pcmk_host_list=\"node1 node2\"\n";
        var managed = Summary(nodes + "primitive r Dummy op monitor interval=10s on-fail=fence", status);
        Assert.Contains("Fence (reboot) node2 'r failed there'", managed);
        var unmanaged = Summary(nodes + "primitive r Dummy meta is-managed=false op monitor interval=10s on-fail=fence", status);
        Assert.DoesNotContain(unmanaged, l => l.StartsWith("Fence", StringComparison.Ordinal));
    }

    [Fact]
    public void An_unmanaged_resource_still_active_where_its_monitor_failed_under_on_fail_fence_has_its_node_fenced()
    {
        // Unlike the stopped one above, this one still runs there (failed): the node is fenced.
        var status = new StatusBuilder().Online("node1", "node2")
            .History("node2", "r", "ocf:heartbeat:Dummy", ("start", 0, 0), ("monitor", 1, 10000))
            .Attribute("node2", "fail-count-r#monitor_10000", "1");
        const string crm = "node node1\nnode node2\nprimitive st stonith:fence_dummy params pcmk_host_list=\"node1 node2\"\n" +
                           "primitive r Dummy meta is-managed=false op monitor interval=10s on-fail=fence";
        Assert.Contains("Fence (reboot) node2 'r failed there'", SummaryAsPacemaker(crm, status));
    }

    [Fact]
    public void An_unmanaged_resource_holds_its_node_against_what_must_not_be_with_it()
    {
        // An unmanaged resource scores INFINITY where it runs (Pacemaker's not_managed_default):
        // the failed r1, which r0 must never be with, is recovered on the other node although
        // its stickiness is INFINITY.
        var crm = TwoNodes + "primitive r0 Dummy meta is-managed=false\nprimitive r1 Dummy meta resource-stickiness=INFINITY op monitor interval=10s\n" +
                  "colocation c -inf: r0 r1";
        var status = new StatusBuilder().Online("node1", "node2")
            .History("node2", "r0", "ocf:heartbeat:Dummy", ("start", 0, 0))
            .History("node2", "r1", "ocf:heartbeat:Dummy", ("start", 0, 0), ("monitor", 7, 10000))
            .Attribute("node2", "fail-count-r1#monitor_10000", "1");
        Assert.Equal(new[] { "Recover r1 (node2 -> node1)" }, Summary(crm, status));
    }

    [Fact]
    public void The_schedule_says_when_a_failure_will_expire_so_the_controller_rechecks_then()
    {
        // Pacemaker 2's recheck-by: however long cluster-recheck-interval is, the next run comes
        // when failure-timeout makes the answer change (here 60 s after a failure 10 s old).
        var crm = TwoNodes + "primitive a Dummy meta failure-timeout=60s migration-threshold=1 op monitor interval=10s";
        var parsed = CrmParser.Parse(crm, "t.crm");
        var failedAt = Now.ToUnixTimeSeconds() - 10;
        var status = new StatusBuilder().Online("node1", "node2").MonitorFailedAt("node1", "a", failedAt);
        var (_, ws) = Scheduler.Run(parsed.Config!, status.Build(parsed.Config!), Now);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(failedAt + 60), ws.RecheckBy);
        var (_, quiet) = Scheduler.Run(parsed.Config!, new StatusBuilder().Online("node1", "node2").Build(parsed.Config!), Now);
        Assert.Null(quiet.RecheckBy);
    }

    [Theory]
    [InlineData(null, 15_000d)]
    [InlineData("5min", 300_000d)]
    [InlineData("90s", 90_000d)]
    [InlineData("0", double.NaN)]
    public void Cluster_recheck_interval_sets_how_often_the_DC_reruns_the_scheduler(string? value, double expectedMs)
    {
        var crm = TwoNodes + (value is null ? "" : $"property cluster-recheck-interval={value}\n");
        var interval = HaCluster.Core.Control.Controller.RecheckInterval(CrmParser.Parse(crm, "t.crm").Config);
        if (double.IsNaN(expectedMs)) Assert.Equal(TimeSpan.MaxValue, interval);
        else Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), interval);
    }

    [Fact]
    public void A_stopped_resource_starts_on_the_node_with_the_highest_location_score()
    {
        var s = Summary(TwoNodes + "primitive a Dummy\nlocation l a 100: node2", new StatusBuilder().Online("node1", "node2"));
        Assert.Equal(new[] { "Start a (node2)" }, s);
    }

    [Fact]
    public void Ties_go_to_the_node_with_fewer_resources_then_by_name()
    {
        var s = Summary(TwoNodes + "primitive a Dummy\nprimitive b Dummy", new StatusBuilder().Online("node1", "node2"));
        Assert.Equal(new[] { "Start a (node1)", "Start b (node2)" }, s);
    }

    [Fact]
    public void A_running_resource_with_enough_stickiness_stays_despite_a_preference_elsewhere()
    {
        var crm = TwoNodes + "primitive a Dummy meta resource-stickiness=200\nlocation l a 100: node2";
        Assert.Empty(Summary(crm, new StatusBuilder().Online("node1", "node2").Running("node1", "a")));
    }

    [Fact]
    public void Without_stickiness_a_running_resource_moves_to_the_preferred_node()
    {
        var crm = TwoNodes + "primitive a Dummy\nlocation l a 100: node2";
        Assert.Equal(new[] { "Move a (node1 -> node2)" }, Summary(crm, new StatusBuilder().Online("node1", "node2").Running("node1", "a")));
    }

    [Fact]
    public void A_minus_infinity_location_stops_a_resource_that_can_run_nowhere_else()
    {
        var crm = TwoNodes + "primitive a Dummy\nlocation l1 a -inf: node1\nlocation l2 a -inf: node2";
        Assert.Equal(new[] { "Stop a (node1) due to node availability" }, Summary(crm, new StatusBuilder().Online("node1", "node2").Running("node1", "a")));
    }

    [Fact]
    public void A_failed_monitor_recovers_the_resource_in_place()
    {
        var status = new StatusBuilder().Online("node1", "node2")
            .History("node1", "a", "ocf:heartbeat:Dummy", ("start", 0, 0), ("monitor", 7, 10000))
            .Attribute("node1", "fail-count-a#monitor_10000", "1");
        Assert.Equal(new[] { "Recover a (node1)" }, Summary(TwoNodes + "primitive a Dummy op monitor interval=10s", status));
    }

    [Fact]
    public void Reaching_migration_threshold_moves_the_resource_away()
    {
        var status = new StatusBuilder().Online("node1", "node2")
            .History("node1", "a", "ocf:heartbeat:Dummy", ("start", 0, 0), ("monitor", 7, 10000))
            .Attribute("node1", "fail-count-a#monitor_10000", "3");
        var s = Summary(TwoNodes + "primitive a Dummy meta migration-threshold=3 op monitor interval=10s", status);
        Assert.Equal(new[] { "Recover a (node1 -> node2)" }, s);
    }

    [Fact]
    public void An_expired_failure_timeout_forgets_the_fail_count()
    {
        var status = new StatusBuilder().Online("node1", "node2").Running("node1", "a")
            .Attribute("node1", "fail-count-a#monitor_10000", "3")
            .Attribute("node1", "last-failure-a#monitor_10000", (Now.ToUnixTimeSeconds() - 600).ToString());
        var crm = TwoNodes + "primitive a Dummy meta migration-threshold=3 failure-timeout=60s";
        Assert.Empty(Summary(crm, status));
    }

    [Fact]
    public void A_mandatory_colocation_puts_the_dependent_where_the_primary_runs()
    {
        var crm = TwoNodes + "primitive ip Dummy\nprimitive db Dummy\nlocation l db 100: node2\ncolocation c inf: ip db";
        Assert.Equal(new[] { "Start db (node2)", "Start ip (node2)" }, Summary(crm, new StatusBuilder().Online("node1", "node2")).OrderBy(x => x));
    }

    [Fact]
    public void A_mandatory_colocation_with_a_group_needs_its_last_member()
    {
        // With all of the group: its last member is disabled, so the dependent runs nowhere,
        // although the members before it start.
        var crm = TwoNodes + "primitive m0 Dummy\nprimitive m1 Dummy meta target-role=Stopped\ngroup g m0 m1\nprimitive d Dummy\ncolocation c inf: d g";
        var status = new StatusBuilder().Online("node1", "node2");
        Assert.Equal(new[] { "Start m0 (node1)" }, SummaryAsPacemaker(crm, status));
        // A clone's instances likewise.
        var cloned = TwoNodes + "primitive m0 Dummy\nprimitive m1 Dummy meta target-role=Stopped\ngroup g m0 m1\nprimitive d Dummy\nclone dc d\ncolocation c inf: dc g";
        Assert.Equal(new[] { "Start m0 (node1)" }, SummaryAsPacemaker(cloned, status));
    }

    [Fact]
    public void A_clone_banned_by_its_failures_is_placed_after_resources_that_can_still_use_that_node()
    {
        // The anonymous clone's failures on node1 ban the clone as a whole there, so with a
        // placement strategy r (which could use node1) is placed first: it takes node2's only
        // capacity, and the clone's instance has nowhere left to go.
        var crm = "node node1 utilization cpu=1\nnode node2 utilization cpu=1\nproperty stonith-enabled=false placement-strategy=minimal\n" +
                  "primitive s Dummy utilization cpu=1\nclone c s meta clone-max=1\n" +
                  "primitive r Dummy utilization cpu=1\nlocation l r 10: node2";
        var status = new StatusBuilder().Online("node1", "node2").StartFailedAt("node1", "s", Now.ToUnixTimeSeconds() - 10);
        Assert.Equal(new[] { "Start r (node2)", "Stop s:0 (node1) due to node availability" }, SummaryAsPacemaker(crm, status).Order());
    }

    [Fact]
    public void A_dependents_preferences_pull_its_primary()
    {
        // Nothing ties db to a node, but ip (which must be with db) prefers node2.
        var crm = TwoNodes + "primitive db Dummy\nprimitive ip Dummy\nlocation l ip 100: node2\ncolocation c inf: ip db";
        Assert.Equal(new[] { "Start db (node2)", "Start ip (node2)" }, Summary(crm, new StatusBuilder().Online("node1", "node2")).OrderBy(x => x));
    }

    [Fact]
    public void An_anti_colocated_dependents_own_colocations_push_the_primary_at_full_strength()
    {
        // What is with the dependent counts by the sign of the constraint, not by the product of
        // the scores along the chain (as crm_simulate 2.1.5): g1's second member, with g1's first
        // at INFINITY, brings its INFINITY stickiness on node1 to g2 negated, and g2 moves away
        // despite its own INFINITY stickiness; g1 stays.
        var crm = TwoNodes + "rsc_defaults resource-stickiness=INFINITY\n" +
                  "primitive a1 Dummy\nprimitive a2 Dummy\ngroup g1 a1 a2\n" +
                  "primitive b1 Dummy\nprimitive b2 Dummy\ngroup g2 b1 b2\ncolocation c -500: g1 g2";
        var status = new StatusBuilder().Online("node1", "node2").Running("node1", "a1").Running("node1", "a2").Running("node1", "b1").Running("node1", "b2");
        Assert.Equal(new[] { "Move b1 (node1 -> node2)", "Move b2 (node1 -> node2)" }, Summary(crm, status));
    }

    [Fact]
    public void With_a_placement_strategy_the_assignment_order_counts_what_a_resource_must_be_with()
    {
        // Pacemaker orders resources for assignment by their score where they run, merged with
        // the scores of what they must be with: b must be with c, which may not run on node1, so
        // b's score on node1 is -INFINITY and a (0 on node2) is assigned first. a keeps node2 while
        // the nodes are equally loaded; assigned after b and c it would see node2 busier and move.
        var crm = TwoNodes + "property placement-strategy=utilization\n" +
                  "primitive b Dummy\nprimitive a Dummy\nprimitive c Dummy\n" +
                  "location l c -inf: node1\ncolocation bc inf: b c";
        var status = new StatusBuilder().Online("node1", "node2").Running("node1", "b").Running("node2", "a");
        Assert.Equal(new[] { "Move b (node1 -> node2)", "Start c (node2)" }, Summary(crm, status));
    }

    [Fact]
    public void A_group_starts_together_on_one_node()
    {
        var crm = TwoNodes + "primitive a Dummy\nprimitive b Dummy\ngroup g a b\nlocation l g 50: node2";
        Assert.Equal(new[] { "Start a (node2)", "Start b (node2)" }, Summary(crm, new StatusBuilder().Online("node1", "node2")).OrderBy(x => x));
    }

    [Fact]
    public void A_group_member_that_cannot_run_keeps_later_members_stopped_but_not_earlier_ones()
    {
        var crm = TwoNodes + "primitive a Dummy\nprimitive b Dummy\nprimitive c Dummy\ngroup g a b c\nlocation l1 b -inf: node1\nlocation l2 b -inf: node2";
        var s = Summary(crm, new StatusBuilder().Online("node1", "node2"));
        Assert.Contains("Start a (node1)", s);
        Assert.DoesNotContain(s, x => x.StartsWith("Start b") && !x.Contains("blocked"));
        Assert.DoesNotContain(s, x => x.StartsWith("Start c") && !x.Contains("blocked"));
    }

    [Fact]
    public void A_mandatory_order_blocks_the_start_of_a_dependent_whose_first_cannot_run()
    {
        var crm = TwoNodes + "primitive a Dummy meta target-role=Stopped\nprimitive b Dummy\norder o inf: a b";
        Assert.Equal(new[] { "Start b (node1) due to unrunnable a start (blocked)" }, Summary(crm, new StatusBuilder().Online("node1", "node2")));
    }

    [Fact]
    public void A_dependent_that_stays_put_stops_due_to_the_required_start_of_a_first_that_stops()
    {
        // The first runs and is disabled: its stop makes its (unrunnable) start a required one.
        var crm = TwoNodes + "primitive a Dummy meta target-role=Stopped\nprimitive b Dummy\norder o inf: a b";
        var status = new StatusBuilder().Online("node1", "node2").Running("node1", "a").Running("node2", "b");
        Assert.Contains("Stop b (node2) due to required a start", Summary(crm, status));
    }

    [Fact]
    public void A_dependent_that_would_move_anyway_stops_due_to_the_unrunnable_start_of_its_first()
    {
        var crm = TwoNodes + "primitive a Dummy meta target-role=Stopped\nprimitive b Dummy\norder o inf: a b\nlocation l b inf: node1";
        var status = new StatusBuilder().Online("node1", "node2").Running("node1", "a").Running("node2", "b");
        Assert.Contains("Stop b (node2) due to unrunnable a start", Summary(crm, status));
    }

    [Fact]
    public void Target_role_stopped_on_the_resource_a_clone_clones_stops_every_instance()
    {
        var crm = TwoNodes + "primitive a Dummy meta target-role=Stopped\nclone ac a";
        var status = new StatusBuilder().Online("node1", "node2").Running("node1", "a").Running("node2", "a");
        var s = Summary(crm, status);
        Assert.Equal(2, s.Count(l => l.StartsWith("Stop a:")));
    }

    [Fact]
    public void A_dependent_both_ordered_after_and_colocated_with_a_stopping_resource_stops_due_to_the_colocation()
    {
        // c is ordered after and colocated with b, which stops because a (running, disabled) stops:
        // b's start turns required and unrunnable at once, which blocks its colocated dependents first.
        var crm = TwoNodes + "primitive a Dummy meta target-role=Stopped\nprimitive b Dummy\nprimitive c Dummy\n" +
                  "order o1 inf: a b\norder o2 inf: b c\ncolocation k inf: c b";
        var status = new StatusBuilder().Online("node1", "node2").Running("node1", "a").Running("node1", "b").Running("node1", "c");
        var s = Summary(crm, status);
        Assert.Contains("Stop b (node1) due to required a start", s);
        Assert.Contains("Stop c (node1) due to colocation with b", s);
    }

    [Fact]
    public void In_a_clone_of_groups_the_first_is_runnable_only_where_a_whole_group_instance_is()
    {
        // Only g's first member stops for a's sake directly; the clone of groups must still count
        // as unrunnable for d once every instance loses a member.
        var crm = TwoNodes + "primitive a Dummy meta target-role=Stopped\nclone ac a\nprimitive m1 Dummy\nprimitive m2 Dummy\ngroup g m1 m2\n" +
                  "clone gc g\nprimitive d Dummy\nclone dc d\norder o1 inf: ac gc\norder o2 inf: gc dc";
        var status = new StatusBuilder().Online("node1", "node2");
        foreach (var n in new[] { "node1", "node2" }) status.Running(n, "a").Running(n, "m1").Running(n, "m2").Running(n, "d");
        var s = Summary(crm, status);
        Assert.Equal(2, s.Count(l => l.StartsWith("Stop d:") && l.EndsWith("due to required gc running")));
    }

    [Fact]
    public void A_promotion_score_is_looked_up_under_the_instance_name_its_history_carries()
    {
        // The only promoted instance is recorded as s:1 on node2 (and its score set as master-s:1);
        // the scheduler numbers it s:0, yet the score still counts: it stays promoted.
        var crm = TwoNodes + "primitive s ocf:pacemaker:Stateful\nms m s meta clone-max=1";
        var status = new StatusBuilder().Online("node1", "node2")
            .History("node2", "s:1", "ocf:pacemaker:Stateful", ("start", 0, 0), ("promote", 0, 0))
            .Attribute("node2", "master-s:1", "10");
        Assert.Empty(Summary(crm, status));
    }

    [Fact]
    public void Before_placement_an_instance_is_drawn_to_the_node_where_it_could_be_promoted()
    {
        // Pacemaker adds promotion scores to the instances' node scores before placing them:
        // the first instance goes to the best node for promotion, and it is the one promoted.
        var crm = TwoNodes + "primitive s ocf:pacemaker:Stateful\nms m s";
        var status = new StatusBuilder().Online("node1", "node2").Attribute("node1", "master-s", "55").Attribute("node2", "master-s", "60");
        Assert.Equal(new[] { "Promote s:0 (Stopped -> Promoted node2)", "Start s:1 (node1)" }, Summary(crm, status).Order());
    }

    [Fact]
    public void A_location_score_on_a_promotable_clone_counts_towards_promotion()
    {
        // 85 + 35 on node1 beats 60 on node2 (crm_simulate: "s:0 promotion score on node1: 120").
        var crm = TwoNodes + "primitive s ocf:pacemaker:Stateful\nms m s\nlocation l m 85: node1";
        var status = new StatusBuilder().Online("node1", "node2").Attribute("node1", "master-s", "35").Attribute("node2", "master-s", "60");
        Assert.Equal(new[] { "Promote s:0 (Stopped -> Promoted node1)", "Start s:1 (node2)" }, Summary(crm, status).Order());
    }

    [Fact]
    public void A_clone_instance_starting_on_the_dependents_node_restarts_what_is_ordered_after_the_clone()
    {
        // The new instance d:1 starts on node2, where p runs: p restarts (colocated or not,
        // a clone of primitives or of groups alike).
        var crm = "node node1\nnode node2\nnode node3\nproperty stonith-enabled=false\nprimitive d Dummy\nclone cl d\nprimitive p Dummy\norder o inf: cl p";
        var status = new StatusBuilder().Online("node1", "node2", "node3")
            .History("node1", "d", "ocf:heartbeat:Dummy", ("start", 0, 0))
            .History("node2", "p", "ocf:heartbeat:Dummy", ("start", 0, 0));
        var s = Summary(crm, status);
        Assert.Contains("Start d:1 (node2)", s);
        Assert.Contains("Restart p (node2) due to required cl running", s);
    }

    [Fact]
    public void A_clone_instance_starting_on_another_node_leaves_what_is_ordered_after_the_clone_running()
    {
        var crm = "node node1\nnode node2\nnode node3\nproperty stonith-enabled=false\nprimitive d Dummy\nclone cl d\nprimitive p Dummy\n" +
                  "location no-cl-on-2 cl -inf: node2\ncolocation p-with-cl inf: p cl\norder o inf: cl p";
        var status = new StatusBuilder().Online("node1", "node2", "node3")
            .History("node1", "d", "ocf:heartbeat:Dummy", ("start", 0, 0))
            .History("node1", "p", "ocf:heartbeat:Dummy", ("start", 0, 0));
        Assert.Equal(new[] { "Start d:1 (node3)" }, Summary(crm, status));
    }

    [Fact]
    public void A_clone_instance_stopping_on_the_dependents_node_leaves_what_is_ordered_after_the_clone_running()
    {
        // d's copy on node2 must stop (the clone is now unwelcome there); p, ordered after the
        // clone but not colocated with it, keeps running on node2: the clone is still running
        // (crm_simulate 2.1.5 agrees, seed 192 of the clone differential).
        var crm = TwoNodes + "primitive d Dummy\nclone cl d\nprimitive p Dummy\nlocation l cl -43: node2\norder o inf: cl p";
        var status = new StatusBuilder().Online("node1", "node2").Running("node1", "d").Running("node2", "d").Running("node2", "p");
        Assert.Equal(new[] { "Stop d:1 (node2) due to node availability" }, Summary(crm, status));
    }

    [Fact]
    public void A_restart_that_also_promotes_is_reported_as_a_restart_with_both_roles()
    {
        var crm = TwoNodes + "primitive d Dummy\nclone cl d meta clone-max=2 notify=true\nprimitive s ocf:pacemaker:Stateful\nms m s\norder o inf: cl m";
        var status = new StatusBuilder().Online("node1", "node2")
            .History("node2", "d", "ocf:heartbeat:Dummy", ("start", 0, 0))
            .History("node1", "s", "ocf:pacemaker:Stateful", ("start", 0, 0))
            .Attribute("node1", "master-s", "70");
        Assert.Contains("Restart s:0 (Unpromoted -> Promoted node1) due to required cl notified", Summary(crm, status));
    }

    [Fact]
    public void A_promoted_instance_without_any_promotion_score_is_demoted()
    {
        var crm = TwoNodes + "primitive s ocf:pacemaker:Stateful\nms m s meta clone-max=1";
        var status = new StatusBuilder().Online("node1", "node2")
            .History("node2", "s:0", "ocf:pacemaker:Stateful", ("start", 0, 0), ("promote", 0, 0));
        Assert.Equal(new[] { "Demote s:0 (Promoted -> Unpromoted node2)" }, Summary(crm, status));
    }

    [Fact]
    public void Restart_type_restart_restarts_a_dependent_ordered_after_a_promotion_that_happens_again()
    {
        // g's first member restarts for the new promotion (named by the clone's notifications),
        // the next member for the first member's start.
        var crm = TwoNodes + "primitive s ocf:pacemaker:Stateful\nms m s meta clone-max=1 notify=true\n" +
                  "primitive a Dummy\nprimitive b Dummy\ngroup g a b meta restart-type=restart\n" +
                  "order o Optional: m:promote g:start\ncolocation k inf: g m:Master\nlocation l m rule $role=Master 100: #uname eq node2";
        var status = new StatusBuilder().Online("node1", "node2")
            .History("node2", "s:0", "ocf:pacemaker:Stateful", ("start", 0, 0), ("promote", 0, 0), ("monitor", 1, 10000))
            .Running("node2", "a").Running("node2", "b");
        var s = Summary(crm, status);
        Assert.Contains("Restart a (node2) due to required m notified", s);
        Assert.Contains("Restart b (node2) due to required a start", s);
    }

    [Fact]
    public void What_must_be_with_a_clone_leaves_a_node_where_the_clones_instance_is_blocked()
    {
        var crm = TwoNodes + "primitive b Dummy op monitor interval=10s on-fail=block\nclone bc b\nprimitive svc Dummy\ncolocation k inf: svc bc";
        var status = new StatusBuilder().Online("node1", "node2")
            .History("node1", "b:0", "ocf:heartbeat:Dummy", ("start", 0, 0), ("monitor", 1, 10000))
            .Running("node2", "b:1").Running("node1", "svc");
        Assert.Equal(new[] { "Move svc (node1 -> node2)" }, Summary(crm, status));
    }

    [Fact]
    public void Instances_of_a_clone_ordered_after_a_clone_that_cannot_run_are_listed_as_blocked_starts()
    {
        var crm = TwoNodes + "primitive a Dummy meta target-role=Stopped\nclone ac a\nprimitive b Dummy\nclone bc b\norder o inf: ac bc";
        Assert.Equal(new[] { "Start b:0 (node1) due to unrunnable ac running (blocked)", "Start b:1 (node2) due to unrunnable ac running (blocked)" },
            Summary(crm, new StatusBuilder().Online("node1", "node2")).Order());
    }

    [Fact]
    public void A_clone_of_groups_whose_later_members_cannot_run_still_hosts_what_must_be_with_it()
    {
        // Only a of each group instance can run (b is disabled, c follows it): d may go where a
        // is, and its start is then blocked by the order on the whole clone.
        var crm = TwoNodes + "primitive a Dummy\nprimitive b Dummy meta target-role=Stopped\nprimitive c Dummy\ngroup g a b c\nclone gc g\n" +
                  "primitive d Dummy\ncolocation k inf: d gc\norder o inf: gc d";
        var s = Summary(crm, new StatusBuilder().Online("node1", "node2"));
        Assert.Contains(s, l => l.StartsWith("Start d (") && l.EndsWith("due to unrunnable gc running (blocked)"));
    }

    [Fact]
    public void An_interleaved_clone_must_be_with_a_whole_group_instance_of_the_clone_it_follows()
    {
        // Paired instance by instance, each d needs a complete group instance beside it: none is.
        var crm = TwoNodes + "primitive a Dummy\nprimitive b Dummy meta target-role=Stopped\ngroup g a b\nclone gc g meta interleave=true\n" +
                  "primitive d Dummy\nclone dc d meta interleave=true\ncolocation k inf: dc gc";
        var status = new StatusBuilder().Online("node1", "node2").Running("node1", "d:0").Running("node2", "d:1");
        var s = Summary(crm, status);
        Assert.Contains("Stop d:0 (node1) due to node availability", s);
        Assert.Contains("Stop d:1 (node2) due to node availability", s);
    }

    [Fact]
    public void A_start_failure_with_parameters_that_changed_since_no_longer_keeps_the_resource_off_the_node()
    {
        var crm = "node node1\nproperty stonith-enabled=false\nprimitive a Dummy params state=/tmp/new";
        // A digest that cannot be the one of the parameters now: the failure was with others.
        Assert.Equal(new[] { "Start a (node1)" }, Summary(crm, new StatusBuilder().Online("node1").StartFailedWithDigest("node1", "a", "0123456789abcdef0123456789abcdef")));
    }

    [Fact]
    public void A_start_failure_with_the_current_parameters_keeps_the_resource_off_the_node()
    {
        var crm = "node node1\nproperty stonith-enabled=false\nprimitive a Dummy params state=/tmp/new";
        Assert.Empty(Summary(crm, new StatusBuilder().Online("node1").StartFailedWithDigest("node1", "a", digest: null)));
    }

    [Fact]
    public void A_redefined_resource_that_requires_nothing_restarts_without_a_reason_given()
    {
        const string OldDigest = "0123456789abcdef0123456789abcdef";
        var crm = "node node1\nproperty stonith-enabled=false\nprimitive a Dummy params state=/tmp/new";
        Assert.Equal(new[] { "Restart a (node1) due to resource definition change" }, Summary(crm, new StatusBuilder().Online("node1").RunningWithDigest("node1", "a", OldDigest)));
        Assert.Equal(new[] { "Restart a (node1)" }, Summary(crm + " meta requires=nothing", new StatusBuilder().Online("node1").RunningWithDigest("node1", "a", OldDigest)));
    }

    [Fact]
    public void Restart_type_restart_restarts_a_dependent_of_an_optional_stop_order_when_the_first_stops()
    {
        var crm = TwoNodes + "primitive a Dummy\nprimitive b Dummy meta resource-stickiness=100 restart-type=restart\norder o Optional: a:stop b:stop\nlocation l a -inf: node1";
        var status = new StatusBuilder().Online("node1", "node2").Running("node1", "a").Running("node2", "b");
        Assert.Equal(new[] { "Move a (node1 -> node2)", "Restart b (node2)" }, Summary(crm, status).Order());
        // Without restart-type=restart the optional order only orders.
        Assert.Equal(new[] { "Move a (node1 -> node2)" }, Summary(crm.Replace(" restart-type=restart", ""), status));
    }

    [Fact]
    public void A_failure_read_after_its_node_already_needs_fencing_is_ignored_and_the_resource_simply_moves()
    {
        var crm = "node node1\nnode node2\nproperty stonith-enabled=true\nprimitive fence stonith:fence_dummy\n" +
                  "primitive a Dummy op monitor interval=10s\nprimitive b Dummy";
        // b's stop failed (node1 must be fenced), then a's monitor failure is read: a just moves.
        var status = new StatusBuilder().Online("node1", "node2").Running("node2", "fence", "stonith:fence_dummy")
            .History("node1", "b", "ocf:heartbeat:Dummy", ("start", 0, 0), ("stop", 1, 0))
            .History("node1", "a", "ocf:heartbeat:Dummy", ("start", 0, 0), ("monitor", 1, 10000));
        var s = Summary(crm, status);
        Assert.Contains("Move a (node1 -> node2)", s);
        Assert.Contains("Recover b (node1 -> node2)", s);
        // Read the other way round, a's failure counts: both are recovered.
        var reversed = new StatusBuilder().Online("node1", "node2").Running("node2", "fence", "stonith:fence_dummy")
            .History("node1", "a", "ocf:heartbeat:Dummy", ("start", 0, 0), ("monitor", 1, 10000))
            .History("node1", "b", "ocf:heartbeat:Dummy", ("start", 0, 0), ("stop", 1, 0));
        Assert.Contains("Recover a (node1 -> node2)", Summary(crm, reversed));
    }

    [Fact]
    public void Clone_instances_are_slightly_sticky_by_default_so_a_preferred_node_moves_one_instance_only()
    {
        // Three instances on node1, node3 and node4; the clone prefers node2 (7). One instance
        // moves there (node1's, which cannot stay: a node with room scores higher), and the other
        // two keep their nodes by the stickiness of 1 every clone has unless told otherwise,
        // instead of being shuffled one node along (crm_simulate 2.1.5 agrees).
        var crm = "node node1\nnode node2\nnode node3\nnode node4\nproperty stonith-enabled=false\n" +
                  "primitive d Dummy\nclone cl d meta clone-max=3\nlocation l cl 7: node2";
        var status = new StatusBuilder().Online("node1", "node2", "node3", "node4")
            .Running("node1", "d").Running("node3", "d").Running("node4", "d");
        Assert.Equal(new[] { "Move d:0 (node1 -> node2)" }, Summary(crm, status));
        // A stickiness of 0 said on the clone is honoured: then every instance may move.
        var s = Summary(crm.Replace("clone-max=3", "clone-max=3 resource-stickiness=0"), status);
        Assert.True(s.Count > 1, string.Join("\n", s));
    }

    [Fact]
    public void A_failed_clone_instance_does_not_hold_its_node_before_the_healthy_ones_are_placed()
    {
        // The clone prefers node2, where d's copy failed. The failed copy is not kept in place
        // first: the healthy d:0 takes node2, and the failed one is recovered on node1
        // (crm_simulate 2.1.5: Move d:0 node1 -> node2, Recover d:1 node2 -> node1).
        var crm = TwoNodes + "primitive d Dummy op monitor interval=10s\nclone cl d\nlocation l cl 119: node2";
        var status = new StatusBuilder().Online("node1", "node2").Running("node1", "d")
            .History("node2", "d", "ocf:heartbeat:Dummy", ("start", 0, 0), ("monitor", 7, 10000));
        var s = Summary(crm, status);
        Assert.Contains("Move d:0 (node1 -> node2)", s);
        Assert.Contains("Recover d:1 (node2 -> node1)", s);
    }

    [Fact]
    public void Of_two_active_clone_instances_the_healthy_one_is_placed_before_the_failed_one()
    {
        // d:0 failed on node1, which the clone prefers (26); d:1 is healthy on node2. Neither is
        // kept in place first (node1 scores higher than d:1's own node; d:0 failed), and the
        // healthy d:1 is placed first: it takes node1, and the failed d:0 is recovered on node2
        // (crm_simulate 2.1.5: Recover d:0 node1 -> node2, Move d:1 node2 -> node1).
        var crm = TwoNodes + "primitive d Dummy op monitor interval=10s\nclone cl d\nlocation l cl 26: node1";
        var status = new StatusBuilder().Online("node1", "node2").Running("node2", "d")
            .History("node1", "d", "ocf:heartbeat:Dummy", ("start", 0, 0), ("monitor", 7, 10000));
        var s = Summary(crm, status);
        Assert.Contains("Recover d:0 (node1 -> node2)", s);
        Assert.Contains("Move d:1 (node2 -> node1)", s);
    }

    [Fact]
    public void A_node_where_the_clone_itself_scores_below_zero_takes_no_instance_even_a_sticky_one()
    {
        // d runs on node2, where the clone scores -1; the instance's stickiness of 1 brings its
        // own score there to 0, but Pacemaker bans every instance from a node its clone scores
        // below zero: d moves to node1, and the second instance starts on node3 (crm_simulate 2.1.5,
        // seed 327 of the clone differential).
        var crm = "node node1\nnode node2\nnode node3\nproperty stonith-enabled=false\nprimitive d Dummy\nclone cl d\nlocation l cl -1: node2";
        var status = new StatusBuilder().Online("node1", "node2", "node3").Running("node2", "d");
        var s = Summary(crm, status);
        Assert.Contains("Move d:0 (node2 -> node1)", s);
        Assert.Contains("Start d:1 (node3)", s);
        Assert.Equal(2, s.Count);
    }

    [Fact]
    public void A_node_keeps_no_more_than_its_even_share_of_instances_before_the_others_are_placed()
    {
        // Both instances of a non-sticky clone run on node1 (clone-node-max=2 allows it). Only
        // clone-max / nodes = 1 stays there first; the other is then placed like a new one, on
        // the emptier node2 (crm_simulate 2.1.5 agrees).
        var crm = TwoNodes + "primitive d Dummy\nclone cl d meta clone-max=2 clone-node-max=2 globally-unique=true resource-stickiness=0";
        var status = new StatusBuilder().Online("node1", "node2").Running("node1", "d:0").Running("node1", "d:1");
        Assert.Equal(new[] { "Move d:1 (node1 -> node2)" }, Summary(crm, status));
    }

    [Fact]
    public void A_resources_colocations_apply_groups_before_primitives_whatever_the_configuration_order()
    {
        // r2 must be with the group g0 and would like to be with r7 (12). Pacemaker keeps r2's
        // colocations with groups before those with primitives: g0 is placed first (node1), so
        // when r7 is placed it already sees r2 banned from node2 (-12 there) and goes to node1;
        // r6 then balances to node2 (crm_simulate 2.1.5, seed 112 of the differential).
        var crm = TwoNodes + "primitive r0 Dummy\nprimitive r1 Dummy\ngroup g0 r0 r1\nprimitive r2 Dummy\n" +
                  "primitive r3 Dummy\nprimitive r4 Dummy\nprimitive r5 Dummy\ngroup g2 r3 r4 r5\nprimitive r6 Dummy\nprimitive r7 Dummy\n" +
                  "location l0 g2 37: node2\ncolocation c1 12: r2 r7\ncolocation c2 inf: r2 g0";
        var s = Summary(crm, new StatusBuilder().Online("node1", "node2"));
        Assert.Contains("Start r7 (node1)", s);
        Assert.Contains("Start r6 (node2)", s);
        Assert.Contains("Start r2 (node1)", s);
    }

    [Fact]
    public void Members_of_a_group_ordered_after_a_starting_resource_name_it_unless_their_predecessor_restarted_for_it()
    {
        // r3 starts; the group g0 (r0 r1 r2) is ordered after it and runs on node2. Each member's
        // start is required from r3 in turn: r0 restarts for r3, r1 for r0, r2 for r1. With r1
        // failed (recovered anyway) nothing passes through it: r2 restarts for r3 itself
        // (crm_simulate 2.1.5, seed 441 of the differential).
        var crm = TwoNodes + "primitive r0 Dummy op monitor interval=10s\nprimitive r1 Dummy op monitor interval=10s\nprimitive r2 Dummy op monitor interval=10s\n" +
                  "group g0 r0 r1 r2\nprimitive r3 Dummy\nlocation l r3 100: node1\norder o inf: r3 g0";
        StatusBuilder Status(int r1Monitor) => new StatusBuilder().Online("node1", "node2").Running("node2", "r0")
            .History("node2", "r1", "ocf:heartbeat:Dummy", ("start", 0, 0), ("monitor", r1Monitor, 10000)).Running("node2", "r2");
        var healthy = Summary(crm, Status(0));
        Assert.Contains("Restart r0 (node2) due to required r3 start", healthy);
        Assert.Contains("Restart r1 (node2) due to required r0 start", healthy);
        Assert.Contains("Restart r2 (node2) due to required r1 start", healthy);
        var failed = Summary(crm, Status(7));
        Assert.Contains("Restart r0 (node2) due to required r3 start", failed);
        Assert.Contains("Recover r1 (node2)", failed);
        Assert.Contains("Restart r2 (node2) due to required r3 start", failed);
    }

    [Fact]
    public void A_location_on_a_group_counts_once_on_its_first_member_not_once_per_member()
    {
        // g prefers node1 (49) but dislikes being with r6 (-84), which runs on node1. Pacemaker
        // 2.1.5 gives the location's score to g's first member only (the later ones follow it):
        // 49 - 84 < 0, so g starts on node2. Counted on every member, b's 49 merged into a's
        // scores would have outweighed the dislike (crm_simulate agrees, seed 215 of the differential).
        var crm = TwoNodes + "primitive a Dummy\nprimitive b Dummy\ngroup g a b\nprimitive r6 Dummy meta resource-stickiness=86\n" +
                  "location l g 49: node1\ncolocation c -84: g r6";
        var s = Summary(crm, new StatusBuilder().Online("node1", "node2").Running("node1", "r6"));
        Assert.Equal(new[] { "Start a (node2)", "Start b (node2)" }, s.OrderBy(x => x, StringComparer.Ordinal));
    }

    [Fact]
    public void A_non_critical_dependent_pulls_its_primary_only_while_the_primary_runs_nowhere()
    {
        // d (critical=false) must be with p and prefers node2. While p runs nowhere, d's liking
        // still counts (Pacemaker's influence: critical, or the primary not active yet): both
        // start on node2, as crm_simulate 2.1.5 says. Once p runs on node1, d does not move it.
        var crm = TwoNodes + "primitive p Dummy\nprimitive d Dummy meta critical=false\nlocation l d 100: node2\ncolocation c inf: d p";
        Assert.Equal(new[] { "Start d (node2)", "Start p (node2)" },
            Summary(crm, new StatusBuilder().Online("node1", "node2")).OrderBy(x => x, StringComparer.Ordinal));
        Assert.Equal(new[] { "Start d (node1)" }, Summary(crm, new StatusBuilder().Online("node1", "node2").Running("node1", "p")));
    }

    [Fact]
    public void Two_resources_each_colocated_with_the_other_still_start_together()
    {
        // r0 with r1 and r1 with r0, both mandatory: placing r0 first places r1 first, whose
        // colocation with r0 (not placed yet) is left out as Pacemaker leaves it; r1 takes a
        // node and r0 follows. Both used to stay stopped (crm_simulate 2.1.5: both start on
        // node1, seed 734 of the differential).
        var crm = TwoNodes + "primitive r0 Dummy meta resource-stickiness=119\nprimitive r1 Dummy\ncolocation c0 inf: r0 r1\ncolocation c1 inf: r1 r0";
        Assert.Equal(new[] { "Start r0 (node1)", "Start r1 (node1)" },
            Summary(crm, new StatusBuilder().Online("node1", "node2")).OrderBy(x => x, StringComparer.Ordinal));
    }

    [Fact]
    public void A_clone_instance_active_on_a_lost_node_is_placed_before_the_inactive_ones()
    {
        // a:1 runs on node3, which is lost: it is placed first, on the emptier node2, and a:0
        // then starts on node1 (placing a:0 first would have given it node2).
        var crm = "node node1\nnode node2\nnode node3\nproperty stonith-enabled=true\nprimitive fence stonith:fence_dummy\n" +
                  "primitive a Dummy\nclone c a meta clone-max=2 globally-unique=true";
        var status = new StatusBuilder().Online("node1", "node2").Lost("node3").Running("node1", "fence", "stonith:fence_dummy").Running("node3", "a:1");
        var s = Summary(crm, status);
        Assert.Contains("Move a:1 (node3 -> node2)", s);
        Assert.Contains("Start a:0 (node1)", s);
    }

    [Fact]
    public void A_copy_on_a_lost_node_of_a_clone_that_requires_only_quorum_takes_no_instance_number()
    {
        // node3 comes first in the status but is lost, and a needs no fencing to run elsewhere:
        // the copies on node1 and node2 take a:0 and a:1, node3's is the extra a:2, stopped by fencing.
        var crm = "node node1\nnode node2\nnode node3\nproperty stonith-enabled=true\nprimitive fence stonith:fence_dummy\n" +
                  "primitive a Dummy meta requires=quorum\nclone c a meta clone-max=2";
        var status = new StatusBuilder().Lost("node3").Online("node1", "node2").Running("node1", "fence", "stonith:fence_dummy")
            .Running("node3", "a").Running("node1", "a").Running("node2", "a");
        Assert.Contains("Stop a:2 (node3) due to node availability", Summary(crm, status));
    }

    [Fact]
    public void Preferences_of_what_must_be_with_a_promotable_clone_in_any_role_decide_between_equal_promotion_scores()
    {
        var crm = TwoNodes + "primitive s ocf:pacemaker:Stateful\nms m s\nprimitive ip Dummy\ncolocation k inf: ip m\nlocation l ip 10: node2";
        var status = new StatusBuilder().Online("node1", "node2")
            .History("node1", "s:0", "ocf:pacemaker:Stateful", ("start", 0, 0)).History("node2", "s:1", "ocf:pacemaker:Stateful", ("start", 0, 0))
            .Attribute("node1", "master-s", "5").Attribute("node2", "master-s", "5");
        Assert.Contains("Promote s:1 (Unpromoted -> Promoted node2)", Summary(crm, status));
    }

    [Fact]
    public void When_no_node_can_hold_a_resource_and_all_that_must_be_with_it_the_node_with_most_free_capacity_is_preferred()
    {
        // a, b and c need 6 cpu together; no node has it. a (placed first, for c, the highest
        // priority) goes to node2, which has the most room, so c fits beside it; b does not.
        var crm = "node node1 utilization cpu=2\nnode node2 utilization cpu=4\nproperty stonith-enabled=false placement-strategy=utilization\n" +
                  "primitive a Dummy utilization cpu=2\nprimitive b Dummy utilization cpu=2\nprimitive c Dummy utilization cpu=2 meta priority=1\n" +
                  "colocation b_with_a inf: b a\ncolocation c_with_a inf: c a";
        Assert.Equal(new[] { "Start a (node2)", "Start c (node2)" }, Summary(crm, new StatusBuilder().Online("node1", "node2")).Order());
    }

    [Fact]
    public void A_node_whose_termination_was_requested_is_fenced()
    {
        var crm = "node node1\nnode node2\nproperty stonith-enabled=true\nprimitive fence stonith:fence_dummy\nprimitive a Dummy";
        var status = new StatusBuilder().Online("node1", "node2").Running("node1", "fence", "stonith:fence_dummy").Running("node2", "a")
            .Attribute("node2", "terminate", "1");
        var s = Summary(crm, status);
        Assert.Contains("Fence (reboot) node2 'termination was requested'", s);
        Assert.Contains("Move a (node2 -> node1)", s);
    }

    [Fact]
    public void A_remote_node_is_up_while_its_connection_runs_and_what_runs_there_stops_when_it_is_disabled()
    {
        var crm = TwoNodes + "primitive remote1 ocf:pacemaker:remote\nprimitive a Dummy\nlocation on_remote a 100: remote1";
        var status = new StatusBuilder().Online("node1", "node2").ConnectionRunning("node1", "remote1").Running("remote1", "a");
        Assert.Empty(Summary(crm, status));
        var disabled = Summary(crm.Replace("primitive remote1 ocf:pacemaker:remote", "primitive remote1 ocf:pacemaker:remote meta target-role=Stopped"), status);
        Assert.Contains("Stop remote1 (node1) due to node availability", disabled);
        Assert.Contains(disabled, l => l.StartsWith("Move a (remote1 -> "));
    }

    [Fact]
    public void Fencing_devices_and_remote_connections_are_not_placed_on_remote_nodes()
    {
        var crm = "node node1\nproperty stonith-enabled=true\nprimitive fence stonith:fence_dummy\nprimitive remote1 ocf:pacemaker:remote\n" +
                  "primitive remote2 ocf:pacemaker:remote\nlocation f_remote fence 100: remote1\nlocation r_remote remote2 100: remote1";
        var status = new StatusBuilder().Online("node1").ConnectionRunning("node1", "remote1");
        var s = Summary(crm, status);
        Assert.Contains("Start fence (node1)", s);
        Assert.Contains("Start remote2 (node1)", s);
    }

    [Fact]
    public void A_remote_node_whose_connection_left_the_configuration_is_emptied_and_its_connection_stopped()
    {
        var crm = TwoNodes + "primitive a Dummy";
        var status = new StatusBuilder().Online("node1", "node2").ConnectionRunning("node1", "remote1").Running("remote1", "a");
        var s = Summary(crm, status);
        Assert.Contains(s, l => l.StartsWith("Move a (remote1 -> "));
        Assert.Contains("Stop remote1 (node1) due to node availability", s);
    }

    [Fact]
    public void A_lost_node_that_had_asked_to_shut_down_is_offline_not_fenced()
    {
        var crm = "node node1\nnode node2\nproperty stonith-enabled=true\nprimitive fence stonith:fence_dummy";
        var status = new StatusBuilder().Online("node1").Lost("node2").Running("node1", "fence", "stonith:fence_dummy")
            .Attribute("node2", "shutdown", "1378339553");
        Assert.DoesNotContain(Summary(crm, status), l => l.StartsWith("Fence"));
        Assert.Contains(Summary(crm, new StatusBuilder().Online("node1").Lost("node2").Running("node1", "fence", "stonith:fence_dummy")), l => l.StartsWith("Fence (reboot) node2"));
    }

    [Fact]
    public void A_resource_discovered_exclusively_on_some_nodes_runs_only_there()
    {
        var crm = "node node1\nnode node2\nnode node3\nproperty stonith-enabled=false\nprimitive a Dummy\n" +
                  "location only3 a resource-discovery=exclusive 0: node3";
        Assert.Equal(new[] { "Start a (node3)" }, Summary(crm, new StatusBuilder().Online("node1", "node2", "node3")));
        // "never" only skips probes: the resource may still run there.
        var never = crm.Replace("resource-discovery=exclusive 0: node3", "resource-discovery=never 0: node1");
        Assert.Equal(new[] { "Start a (node1)" }, Summary(never, new StatusBuilder().Online("node1", "node2", "node3")));
    }

    [Theory]
    [InlineData("location l a resource-discovery=never 0: node1", "node1", false)]
    [InlineData("location l a resource-discovery=never 0: node1", "node2", true)]
    [InlineData("location l g resource-discovery=exclusive 0: node2", "node1", false)]
    [InlineData("location l g resource-discovery=exclusive 0: node2", "node2", true)]
    [InlineData("location l a resource-discovery=exclusive rule 0: role eq compute", "node1", true)]
    [InlineData("location l a resource-discovery=exclusive rule 0: role eq compute", "node2", false)]
    // Named through a tag, a set or a pattern, as the scheduler reads them.
    [InlineData("tag both a b\nlocation l both resource-discovery=never 0: node1", "node1", false)]
    [InlineData("location l { a } resource-discovery=never 0: node1", "node1", false)]
    [InlineData("location l /^g$/ resource-discovery=never 0: node1", "node1", false)]
    [InlineData("location l /^g$/ resource-discovery=never 0: node1", "node2", true)]
    [InlineData("location l /!^b$/ resource-discovery=exclusive 0: node2", "node1", false)]
    // A pattern names top-level resources, as the scheduler reads it: not a group's members.
    [InlineData("location l /^a$/ resource-discovery=never 0: node1", "node1", true)]
    public void Probes_follow_the_resource_discovery_of_locations_on_the_resource_or_its_group(string location, string node, bool probed)
    {
        var crm = "node node1 attributes role=compute\nnode node2\nprimitive a Dummy\nprimitive b Dummy\ngroup g a b\n" + location;
        var config = CrmParser.Parse(crm, "t.crm").Config!;
        var self = new SchedNode(node, node);
        self.Attributes["#uname"] = node;
        if (node == "node1") self.Attributes["role"] = "compute";
        Assert.Equal(probed, new ResourceDiscovery(config).Probes("a", self, Now));
    }

    [Fact]
    public void A_remote_node_whose_connection_cannot_run_anywhere_is_fenced_if_something_runs_there()
    {
        var crm = "node node1\nproperty stonith-enabled=true\nprimitive fence stonith:fence_dummy\nprimitive remote1 ocf:pacemaker:remote\nprimitive a Dummy";
        var status = new StatusBuilder().Online("node1").Attribute("node1", "standby", "on").RemoteNode("remote1").Running("remote1", "a");
        var s = Summary(crm, status);
        Assert.Contains("Fence (reboot) remote1 'a is active there (fencing will be revoked if remote connection can be re-established elsewhere)'", s);
        Assert.Contains("Stop a (remote1) due to node availability", s);
    }

    private const string RemoteCluster = "node node1\nnode node2\nproperty stonith-enabled=true\nprimitive fence stonith:fence_dummy\n" +
                                         "primitive remote1 ocf:pacemaker:remote\nprimitive a Dummy\nlocation on_remote a 100: remote1\n";

    [Fact]
    public void A_lost_remote_connection_fences_the_remote_node_and_the_connection_is_recovered()
    {
        var status = new StatusBuilder().Online("node1", "node2").Running("node2", "fence", "stonith:fence_dummy")
            .MonitorFailedAt("node1", "remote1", Now.ToUnixTimeSeconds() - 10, "ocf:pacemaker:remote")
            .RemoteNode("remote1").Running("remote1", "a");
        var s = Summary(RemoteCluster, status);
        Assert.Contains("Fence (reboot) remote1 'remote connection is unrecoverable'", s);
        Assert.Contains("Recover remote1 (node1)", s);
        Assert.Contains(s, l => l.StartsWith("Move a (remote1 -> "));
        // Without fencing the connection is simply recovered.
        Assert.DoesNotContain(Summary(RemoteCluster.Replace("stonith-enabled=true", "stonith-enabled=false"), status), l => l.StartsWith("Fence"));
    }

    [Fact]
    public void A_remote_connection_with_reconnect_interval_waits_for_fencing_and_the_interval_before_reconnecting()
    {
        var crm = RemoteCluster.Replace("primitive remote1 ocf:pacemaker:remote", "primitive remote1 ocf:pacemaker:remote params reconnect_interval=60s");
        var now = Now.ToUnixTimeSeconds();
        StatusBuilder Failed(long when, long? fencedAt) => new StatusBuilder().Online("node1", "node2").Running("node2", "fence", "stonith:fence_dummy")
            .MonitorFailedAt("node1", "remote1", when, "ocf:pacemaker:remote").RemoteNode("remote1", fencedAt);
        // Recent failure: the node is fenced and the connection stopped until the interval is over.
        var recent = Summary(crm, Failed(now - 10, null));
        Assert.Contains("Fence (reboot) remote1 'remote connection is unrecoverable'", recent);
        Assert.Contains("Stop remote1 (node1) due to node availability", recent);
        // An old failure does not expire before the node was fenced...
        Assert.Contains("Fence (reboot) remote1 'remote connection is unrecoverable'", Summary(crm, Failed(now - 600, null)));
        // ...and once it was, the interval over, the failure is forgotten: the node is usable.
        Assert.Equal(new[] { "Start a (remote1)" }, Summary(crm, Failed(now - 600, now - 590)));
        // Fenced, but still inside the interval: no second fencing, the connection stays down.
        var waiting = Summary(crm, Failed(now - 10, now - 5));
        Assert.DoesNotContain(waiting, l => l.StartsWith("Fence"));
        Assert.Contains("Stop remote1 (node1) due to node availability", waiting);
    }

    [Fact]
    public void Resources_on_a_remote_node_whose_connection_failed_to_start_are_made_safe_by_fencing()
    {
        var status = new StatusBuilder().Online("node1", "node2").Running("node2", "fence", "stonith:fence_dummy")
            .History("node1", "remote1", "ocf:pacemaker:remote", ("start", 1, 0))
            .RemoteNode("remote1").Running("remote1", "a");
        var s = Summary(RemoteCluster, status);
        Assert.Contains("Fence (reboot) remote1 'a is thought to be active there'", s);
        Assert.Contains(s, l => l.StartsWith("Move a (remote1 -> "));
    }

    [Fact]
    public void Remote_connections_are_placed_before_other_resources_and_migrate_by_default()
    {
        // Nothing sticks; "a" comes first in the configuration, yet the connection is placed
        // first and takes the emptiest node, and moves there by live migration.
        var crm = "node node1\nnode node2\nnode node3\nproperty stonith-enabled=false\nprimitive a Dummy\nprimitive remote1 ocf:pacemaker:remote\n" +
                  "location not3 remote1 -inf: node3";
        var status = new StatusBuilder().Online("node1", "node2", "node3").Running("node1", "a").ConnectionRunning("node3", "remote1");
        var s = Summary(crm, status);
        Assert.Contains("Migrate remote1 (node3 -> node1)", s);
        Assert.Contains(s, l => l.StartsWith("Move a (node1 -> "));
        Assert.Contains("Move remote1 (node3 -> node1)", Summary(crm.Replace("ocf:pacemaker:remote", "ocf:pacemaker:remote meta allow-migrate=false"), status));
    }

    [Fact]
    public void A_migration_caught_half_done_is_not_finished_on_another_node()
    {
        // vm's migrate_to towards node2 succeeded, but vm now belongs on node3: finishing that
        // migration there (migrate_from alone) would run vm on node3 while it may run elsewhere;
        // it moves by stopping wherever it may run and starting on node3.
        var crm = "node node1\nnode node2\nnode node3\nproperty stonith-enabled=false\nprimitive vm Dummy meta allow-migrate=true\nlocation l vm inf: node3";
        var status = new StatusBuilder().Online("node1", "node2", "node3").MigrationUnderWay("node1", "node2", "vm");
        var graph = Graph(crm, status);
        Assert.DoesNotContain(graph.Actions, a => a.Task is "migrate_from" or "migrate_to");
        Assert.Contains(graph.Actions, a => a.Task == "start" && a.Node == "node3");
        Assert.Contains(graph.Actions, a => a.Task == "stop" && a.Node == "node1");
    }

    [Fact]
    public void A_migration_whose_source_never_recorded_its_stop_is_stopped_there_first()
    {
        // migrate_from succeeded on node2 but the transition ended before the stop on node1: the
        // graph stops vm on node1 (a dangling migration) before it goes anywhere else.
        var crm = "node node1\nnode node2\nnode node3\nproperty stonith-enabled=false\nprimitive vm Dummy meta allow-migrate=true\nlocation l vm inf: node3";
        var status = new StatusBuilder().Online("node1", "node2", "node3").MigratedWithoutSourceStop("node1", "node2", "vm");
        var graph = Graph(crm, status);
        var danglingStop = graph.Actions.Single(a => a.Task == "stop" && a.Node == "node1");
        var start = graph.Actions.Single(a => a.Task == "start" && a.Node == "node3");
        Assert.Contains(danglingStop.Id, start.Inputs);
    }

    [Fact]
    public void A_live_migration_caught_half_done_is_finished_on_its_target()
    {
        var crm = "node node1\nnode node2\nnode node3\nproperty stonith-enabled=false\nprimitive remote1 ocf:pacemaker:remote";
        var status = new StatusBuilder().Online("node1", "node2", "node3").MigrationUnderWay("node3", "node1", "remote1", "ocf:pacemaker:remote")
            .RemoteNode("remote1");
        Assert.Equal(new[] { "Migrate remote1 (node3 -> node1)" }, Summary(crm, status));
        var graph = Graph(crm, status);
        // migrate_to already happened: only migrate_from on the target and the source's stop remain.
        Assert.DoesNotContain(graph.Actions, a => a.Task == "migrate_to");
        Assert.Contains(graph.Actions, a => a.Task == "migrate_from" && a.Node == "node1");
        Assert.Contains(graph.Actions, a => a.Task == "stop" && a.Node == "node3" && a.Resource == "remote1");
    }

    [Fact]
    public void A_remote_node_whose_connection_starts_takes_resources_in_the_same_transition_seen_before_or_not()
    {
        // Checked with crm_simulate 2.1.5: the never-seen node takes "a" too, with fencing on or off.
        var crm = "node node1\nproperty stonith-enabled=false\nprimitive remote1 ocf:pacemaker:remote\nprimitive a Dummy\nlocation on_remote a 100: remote1";
        var seen = new StatusBuilder().Online("node1").History("node1", "remote1", "ocf:pacemaker:remote", ("start", 0, 0), ("stop", 0, 0)).RemoteNode("remote1");
        Assert.Equal(new[] { "Start a (remote1)", "Start remote1 (node1)" }, Summary(crm, seen).OrderBy(x => x));
        var neverSeen = new StatusBuilder().Online("node1");
        Assert.Equal(new[] { "Start a (remote1)", "Start remote1 (node1)" }, Summary(crm, neverSeen).OrderBy(x => x));
    }

    [Fact]
    public void A_remote_node_whose_connection_cannot_be_kept_is_fenced_if_resources_are_active_there()
    {
        // The connection runs on a lost node and may run nowhere else.
        var crm = "node node1\nnode node2\nproperty stonith-enabled=true\nprimitive fence stonith:fence_dummy\nprimitive remote1 ocf:pacemaker:remote\n" +
                  "primitive a Dummy\nlocation on_remote a 100: remote1\nlocation only1 remote1 -inf: node2";
        var status = new StatusBuilder().Online("node2").Lost("node1").Running("node2", "fence", "stonith:fence_dummy")
            .ConnectionRunning("node1", "remote1").Running("remote1", "a");
        var s = Summary(crm, status);
        Assert.Contains("Fence (reboot) remote1 'resources are active but connection is unrecoverable'", s);
        Assert.Contains("Move a (remote1 -> node2)", s);
        Assert.Contains("Stop remote1 (node1) due to node availability", s);
    }

    [Fact]
    public void An_anonymous_clone_runs_on_every_node_by_default_remote_nodes_included()
    {
        var crm = "node node1\nproperty stonith-enabled=false\nprimitive remote1 ocf:pacemaker:remote\nprimitive c Dummy\nclone cl c";
        var status = new StatusBuilder().Online("node1").ConnectionRunning("node1", "remote1");
        var s = Summary(crm, status);
        Assert.Equal(2, s.Count(l => l.StartsWith("Start c:")));
        Assert.Contains(s, l => l.StartsWith("Start c:") && l.EndsWith("(remote1)"));
        Assert.Contains(s, l => l.StartsWith("Start c:") && l.EndsWith("(node1)"));
    }

    private const string GuestCluster = "node node1\nnode node2\nproperty stonith-enabled=false\nprimitive vm1 Dummy meta remote-node=guest1\n" +
                                        "primitive a Dummy\nlocation in_guests a rule inf: #kind eq container\n";

    private static StatusBuilder GuestRunning() => new StatusBuilder().Online("node1", "node2").Running("node1", "vm1")
        .ConnectionRunning("node1", "guest1");

    /// <summary>The guest's container failed ten seconds ago while the guest ran "a".</summary>
    private static StatusBuilder GuestContainerFailed() => new StatusBuilder().Online("node1", "node2")
        .MonitorFailedAt("node1", "vm1", Now.ToUnixTimeSeconds() - 10).ConnectionRunning("node1", "guest1").Running("guest1", "a");

    [Fact]
    public void A_resource_with_meta_remote_node_is_a_guest_node_of_kind_container()
    {
        Assert.Equal(new[] { "Start a (guest1)" }, Summary(GuestCluster, GuestRunning()));
        // Starting the container and its connection opens the guest in the same transition.
        Assert.Equal(new[] { "Start a (guest1)", "Start guest1 (node1)", "Start vm1 (node1)" },
            Summary(GuestCluster, new StatusBuilder().Online("node1", "node2")).OrderBy(x => x));
    }

    [Fact]
    public void A_guest_listed_among_the_nodes_is_still_a_guest_of_its_container()
    {
        // A node entry gives the guest attributes; it stays a guest (kind container, up with its container).
        var crm = GuestCluster.Replace("location in_guests a rule inf: #kind eq container",
            "node guest1:remote attributes site=lab\nlocation in_guests a rule inf: #kind eq container and site eq lab");
        Assert.Equal(new[] { "Start a (guest1)" }, Summary(crm, GuestRunning()));
        Assert.Contains("Fence (reboot) guest1 (resource: vm1) 'guest is unclean'", Summary(crm, GuestContainerFailed()));
    }

    [Fact]
    public void What_runs_on_a_guest_restarts_when_its_container_moves()
    {
        var s = Summary(GuestCluster + "location away vm1 -inf: node1", GuestRunning().Running("guest1", "a"));
        Assert.Contains("Move vm1 (node1 -> node2)", s);
        Assert.Contains("Move guest1 (node1 -> node2)", s);
        Assert.Contains("Restart a (guest1) due to required vm1 start", s);
    }

    [Fact]
    public void A_guest_whose_container_failed_is_fenced_by_recovering_the_container()
    {
        var s = Summary(GuestCluster, GuestContainerFailed());
        Assert.Contains("Fence (reboot) guest1 (resource: vm1) 'guest is unclean'", s);
        Assert.Contains("Recover vm1 (node1)", s);
        Assert.Contains("Recover a (guest1)", s);
    }

    [Fact]
    public void A_container_answers_for_the_failures_of_what_runs_inside_it()
    {
        // The guest's connection failed once; with migration-threshold=1 the container leaves the node.
        var crm = GuestCluster.Replace("meta remote-node=guest1", "meta remote-node=guest1 migration-threshold=1");
        var status = new StatusBuilder().Online("node1", "node2").Running("node1", "vm1")
            .MonitorFailedAt("node1", "guest1", Now.ToUnixTimeSeconds() - 10, "ocf:pacemaker:remote").RemoteNode("guest1");
        Assert.Contains("Move vm1 (node1 -> node2)", Summary(crm, status));
    }

    [Fact]
    public void In_an_opt_in_cluster_a_guests_connection_goes_where_its_container_may()
    {
        var crm = GuestCluster.Replace("stonith-enabled=false", "stonith-enabled=false symmetric-cluster=false") + "location vm_on_2 vm1 100: node2";
        Assert.Equal(new[] { "Start a (guest1)", "Start guest1 (node2)", "Start vm1 (node2)" },
            Summary(crm, new StatusBuilder().Online("node1", "node2")).OrderBy(x => x));
    }

    [Fact]
    public void A_guest_whose_container_left_the_configuration_is_emptied_and_stopped()
    {
        var crm = "node node1\nnode node2\nproperty stonith-enabled=false\nprimitive a Dummy";
        var status = new StatusBuilder().Online("node1", "node2").Running("node1", "vm1")
            .GuestConnectionRunning("node1", "guest1", "vm1").RemoteNode("guest1").Running("guest1", "a");
        var s = Summary(crm, status);
        Assert.Contains(s, l => l.StartsWith("Move a (guest1 -> "));
        Assert.Contains("Stop vm1 (node1) due to node availability", s);
        Assert.Contains("Stop guest1 (node1) due to node availability", s);
    }

    [Fact]
    public void A_migration_whose_source_never_stopped_runs_on_its_target_and_moves_by_stop_and_start()
    {
        var crm = "node node1\nnode node2\nnode node3\nproperty stonith-enabled=false\nprimitive a Dummy meta allow-migrate=true\n";
        var status = new StatusBuilder().Online("node1", "node2", "node3").MigrationDangling("node1", "node2", "a");
        Assert.Empty(Summary(crm, status));
        var moved = Summary(crm + "location away a -inf: node2", status);
        Assert.Single(moved);
        Assert.StartsWith("Move a (node2 -> ", moved[0]);
    }

    [Fact]
    public void An_instance_without_a_promotion_score_is_not_promoted_for_what_its_dependents_prefer()
    {
        var crm = TwoNodes + "primitive s ocf:pacemaker:Stateful\nms m s meta promoted-max=1\nprimitive fs Dummy\n" +
                  "colocation fs_on_promoted inf: fs m:Promoted\nlocation fs_pref fs 2000: node1";
        var status = new StatusBuilder().Online("node1", "node2");
        Assert.DoesNotContain(Summary(crm, status), l => l.StartsWith("Promote"));
        // The clone's own "Promoted with X" colocation does count.
        var own = TwoNodes + "primitive s ocf:pacemaker:Stateful\nms m s meta promoted-max=1\nprimitive x Dummy\n" +
                  "colocation promoted_with_x inf: m:Promoted x\nlocation x_pref x 100: node2";
        Assert.Contains(Summary(own, status), l => l.StartsWith("Promote s:") && l.EndsWith("node2)"));
    }

    [Fact]
    public void A_failure_of_an_agent_specific_action_is_a_failure_of_the_resource()
    {
        var status = new StatusBuilder().Online("node1", "node2").History("node1", "a", "ocf:heartbeat:Dummy", ("start", 0, 0), ("asyncmon", 1, 0));
        Assert.Equal(new[] { "Recover a (node1)" }, Summary(TwoNodes + "primitive a Dummy", status));
    }

    [Fact]
    public void Starting_the_first_of_an_order_restarts_a_running_dependent()
    {
        var crm = TwoNodes + "primitive a Dummy\nprimitive b Dummy\norder o inf: a b\ncolocation c inf: b a";
        var status = new StatusBuilder().Online("node1", "node2").Running("node1", "b");
        Assert.Equal(new[] { "Restart b (node1) due to required a start", "Start a (node1)" }, Summary(crm, status).OrderBy(x => x));
    }

    [Fact]
    public void The_instance_with_the_highest_promotion_score_is_promoted()
    {
        var crm = TwoNodes + "primitive s ocf:pacemaker:Stateful\nms m s meta promoted-max=1";
        var status = new StatusBuilder().Online("node1", "node2")
            .History("node1", "s", "ocf:pacemaker:Stateful", ("start", 0, 0))
            .History("node2", "s", "ocf:pacemaker:Stateful", ("start", 0, 0))
            .Attribute("node1", "master-s", "5").Attribute("node2", "master-s", "10");
        Assert.Equal(new[] { "Promote s:1 (Unpromoted -> Promoted node2)" }, Summary(crm, status));
    }

    [Fact]
    public void A_node_returning_with_a_copy_beyond_clone_max_has_that_copy_stopped_and_no_one_else_demoted()
    {
        // A node rebooted without clearing its state comes back with its instance still promoted,
        // while both clone-max instances run elsewhere: its copy (the last one found) is an orphan.
        var crm = "node node1\nnode node2\nnode node3\nproperty stonith-enabled=false\nprimitive s ocf:pacemaker:Stateful\nms m s meta clone-max=2";
        var status = new StatusBuilder().Online("node1", "node2", "node3")
            .History("node1", "s", "ocf:pacemaker:Stateful", ("start", 0, 0))
            .History("node2", "s", "ocf:pacemaker:Stateful", ("start", 0, 0), ("promote", 0, 0))
            .History("node3", "s", "ocf:pacemaker:Stateful", ("monitor", 8, 0))
            .Attribute("node1", "master-s", "5").Attribute("node2", "master-s", "10").Attribute("node3", "master-s", "10");
        Assert.Equal(new[] { "Stop s:2 (Promoted node3) due to node availability" }, Summary(crm, status));
    }

    [Fact]
    public void A_lost_node_is_fenced_and_its_resources_move_when_fencing_is_configured()
    {
        var crm = "node node1\nnode node2\nprimitive f stonith:fence_dummy\nprimitive a Dummy\nlocation lf f 100: node2";
        var status = new StatusBuilder().Online("node2").Lost("node1").Running("node1", "a").Running("node2", "f", "stonith:fence_dummy");
        var s = Summary(crm, status);
        Assert.Contains("Fence (reboot) node1 'peer is no longer part of the cluster'", s);
        Assert.Contains("Move a (node1 -> node2)", s);
    }

    [Fact]
    public void With_fencing_enabled_but_no_device_nothing_is_managed()
    {
        Assert.Empty(Summary("node node1\nprimitive a Dummy", new StatusBuilder().Online("node1")));
    }

    [Fact]
    public void Without_quorum_the_default_policy_stops_everything_and_starts_nothing()
    {
        var crm = TwoNodes + "primitive a Dummy\nprimitive b Dummy";
        var s = Summary(crm, new StatusBuilder().Online("node1", "node2").NoQuorum().Running("node1", "a"));
        Assert.Contains("Stop a (node1) due to no quorum", s);
        Assert.Contains(s, x => x.StartsWith("Start b (") && x.EndsWith("due to no quorum (blocked)"));
    }

    [Fact]
    public void No_quorum_policy_ignore_carries_on()
    {
        var crm = TwoNodes + "property no-quorum-policy=ignore\nprimitive a Dummy";
        Assert.Equal(new[] { "Start a (node1)" }, Summary(crm, new StatusBuilder().Online("node1", "node2").NoQuorum()));
    }

    [Fact]
    public void Rules_on_node_attributes_steer_placement()
    {
        var crm = TwoNodes + "primitive vip Dummy\nlocation l vip rule -inf: not_defined cc-enabled or cc-enabled number:lte 0";
        var status = new StatusBuilder().Online("node1", "node2").Attribute("node2", "cc-enabled", "1").Attribute("node1", "cc-enabled", "0");
        Assert.Equal(new[] { "Start vip (node2)" }, Summary(crm, status));
    }

    [Fact]
    public void With_a_utilization_strategy_a_node_without_capacity_left_is_not_used()
    {
        var crm = "node node1 utilization memory=1024\nnode node2 utilization memory=4096\nproperty stonith-enabled=false placement-strategy=utilization\n" +
                  "primitive big Dummy utilization memory=2048\nprimitive small Dummy utilization memory=512\nlocation l big 100: node1";
        var s = Summary(crm, new StatusBuilder().Online("node1", "node2"));
        Assert.Contains("Start big (node2)", s);   // preferred node1 is too small
        Assert.Contains("Start small (node1)", s);
    }

    [Fact]
    public void Without_a_placement_strategy_utilization_is_ignored()
    {
        var crm = "node node1 utilization memory=1024\nnode node2 utilization memory=4096\nproperty stonith-enabled=false\n" +
                  "primitive big Dummy utilization memory=2048\nlocation l big 100: node1";
        Assert.Equal(new[] { "Start big (node1)" }, Summary(crm, new StatusBuilder().Online("node1", "node2")));
    }

    [Fact]
    public void Scheduling_is_deterministic()
    {
        var crm = TwoNodes + "primitive a Dummy\nprimitive b Dummy\ngroup g a b\nprimitive s Stateful\nms m s\ncolocation c inf: g m:Master\norder o inf: m:promote g:start";
        var status = new StatusBuilder().Online("node1", "node2");
        Assert.Equal(Summary(crm, status), Summary(crm, status));
    }

    [Fact]
    public void A_degraded_monitor_result_is_not_a_failure()
    {
        var status = new StatusBuilder().Online("node1", "node2")
            .History("node1", "a", "ocf:heartbeat:Dummy", ("start", 0, 0), ("monitor", 190, 10000));
        Assert.Empty(Summary(TwoNodes + "primitive a Dummy op monitor interval=10s", status));
    }

    [Fact]
    public void A_stop_that_must_wait_for_an_unmanaged_resource_is_blocked()
    {
        // b's stop failed without fencing: it is blocked, and a (ordered before b) cannot stop before it.
        var crm = TwoNodes + "primitive a Dummy meta target-role=Stopped\nprimitive b Dummy\norder o Mandatory: a b";
        var status = new StatusBuilder().Online("node1", "node2").Running("node1", "a")
            .History("node1", "b", "ocf:heartbeat:Dummy", ("start", 0, 0), ("stop", 1, 0));
        Assert.Equal(new[] { "Stop a (node1) due to node availability (blocked)" }, Summary(crm, status));
    }

    [Fact]
    public void A_resource_after_a_clone_with_clone_min_waits_for_that_many_instances()
    {
        // Only node1 may run an instance; clone-min=2 cannot be met, so b cannot start.
        var crm = TwoNodes + "primitive a Dummy\nclone ac a meta clone-min=2\nlocation l ac -inf: node2\nprimitive b Dummy\norder o Mandatory: ac b";
        var s = Summary(crm, new StatusBuilder().Online("node1", "node2"));
        Assert.Contains("Start a:0 (node1)", s);
        Assert.Contains(s, l => l.StartsWith("Start b (") && l.EndsWith("due to unrunnable clone-one-or-more:o (blocked)"));
    }

    [Fact]
    public void A_set_with_require_all_false_needs_only_one_member()
    {
        var crm = TwoNodes + "primitive a Dummy meta target-role=Stopped\nprimitive b Dummy\nprimitive c Dummy\norder o Mandatory: [ a b ] c";
        // a will not run, but b can: the one-or-more set is satisfied and c starts.
        var s = Summary(crm, new StatusBuilder().Online("node1", "node2"));
        Assert.Contains(s, l => l.StartsWith("Start c (") && !l.Contains("blocked"));
        // With neither, c is blocked.
        s = Summary(crm.Replace("primitive b Dummy", "primitive b Dummy meta target-role=Stopped"), new StatusBuilder().Online("node1", "node2"));
        Assert.Contains(s, l => l.StartsWith("Start c (") && l.EndsWith("due to unrunnable one-or-more:o-set-0 (blocked)"));
    }

    [Fact]
    public void An_interleaved_clone_instance_depends_only_on_the_first_clones_instance_on_its_node()
    {
        var crm = TwoNodes + "primitive a Dummy\nclone ac a\nprimitive b Dummy\nclone bc b meta interleave=true\n" +
                  "order o Mandatory: ac bc\nlocation l ac -inf: node2";
        var s = Summary(crm, new StatusBuilder().Online("node1", "node2"));
        // node1 runs both; node2 has no instance of ac, so the bc instance placed there (b:0) does
        // not start (crm_simulate 2.1.5 gives the same, instance numbers included).
        Assert.Equal(new[] { "Start a:0 (node1)", "Start b:1 (node1)" }, s.OrderBy(x => x));
    }

    [Fact]
    public void With_an_unfencing_device_a_node_never_unfenced_is_unfenced_before_it_is_used()
    {
        var crm = "node node1\nnode node2\nproperty stonith-enabled=true\n" +
                  "primitive fence stonith:fence_scsi meta provides=unfencing\nprimitive a Dummy";
        var status = new StatusBuilder().Online("node1", "node2").Running("node1", "fence", "stonith:fence_scsi").Running("node1", "a")
            .Attribute("node1", "#node-unfenced", "1700000000");
        var s = Summary(crm, status);
        // node1 was unfenced already; node2 has never been, and the device is probed there first.
        Assert.Contains("Fence (on) node2 'required by fence monitor'", s);
        Assert.DoesNotContain(s, l => l.Contains("Fence (on) node1"));
    }

    [Fact]
    public void Without_quorum_and_policy_demote_the_promoted_instance_is_demoted_and_the_rest_stop()
    {
        var crm = TwoNodes.Replace("stonith-enabled=false", "stonith-enabled=false no-quorum-policy=demote") +
                  "primitive s ocf:pacemaker:Stateful\nms m s\nprimitive a Dummy";
        var status = new StatusBuilder().Online("node1", "node2").NoQuorum()
            .History("node1", "s", "ocf:pacemaker:Stateful", ("start", 0, 0), ("promote", 0, 0))
            .History("node2", "s", "ocf:pacemaker:Stateful", ("start", 0, 0))
            .Running("node2", "a");
        var s = Summary(crm, status);
        Assert.Contains("Demote s:0 (Promoted -> Unpromoted node1)", s);
        Assert.Contains("Stop a (node2) due to no quorum", s);
        Assert.DoesNotContain(s, l => l.Contains("s:1"));
    }

    [Fact]
    public void Resource_defaults_with_an_agent_rule_apply_only_to_matching_resources()
    {
        var crm = TwoNodes + "rsc_defaults rsc-options: rule 100: rsc class=ocf provider=heartbeat type=IPaddr2 target-role=Stopped\n" +
                  "primitive vip IPaddr2 params ip=10.0.0.1\nprimitive a Dummy";
        Assert.Equal(new[] { "Start a (node1)" }, Summary(crm, new StatusBuilder().Online("node1", "node2")));
    }

    [Fact]
    public void A_failure_older_than_failure_timeout_is_not_recovered()
    {
        var crm = TwoNodes + "primitive a Dummy meta failure-timeout=60s op monitor interval=10s";
        var old = new StatusBuilder().Online("node1", "node2").MonitorFailedAt("node1", "a", Now.ToUnixTimeSeconds() - 600);
        Assert.Empty(Summary(crm, old));
        var recent = new StatusBuilder().Online("node1", "node2").MonitorFailedAt("node1", "a", Now.ToUnixTimeSeconds() - 10);
        Assert.Equal(new[] { "Recover a (node1)" }, Summary(crm, recent));
    }

    [Fact]
    public void A_failure_ignored_by_on_fail_ignore_does_not_count_against_migration_threshold()
    {
        // Pacemaker pretends such a failure succeeded and ignores the threshold for the resource.
        var status = new StatusBuilder().Online("node1", "node2").MonitorFailedAt("node1", "a", Now.ToUnixTimeSeconds() - 10);
        var crm = TwoNodes + "primitive a Dummy meta migration-threshold=1 op monitor interval=10s on-fail=ignore";
        Assert.Empty(SummaryAsPacemaker(crm, status));
    }

    [Fact]
    public void On_fail_block_keeps_only_its_own_operations_failures_from_expiring()
    {
        // Pacemaker drops failure-timeout when it counts a failure of the operation configured
        // on-fail=block (that failure waits for an operator); a start failure of the same
        // resource still expires, and the resource starts again where it failed.
        var status = new StatusBuilder().Online("node1", "node2").StartFailedAt("node1", "a", Now.ToUnixTimeSeconds() - 600);
        var crm = TwoNodes + "primitive a Dummy meta failure-timeout=60s op monitor interval=10s on-fail=block";
        Assert.Equal(new[] { "Start a (node1)" }, SummaryAsPacemaker(crm, status));
    }

    [Fact]
    public void On_fail_stop_holds_a_resource_stopped_even_when_it_failed_on_a_node_being_fenced()
    {
        // Fencing the lost node stops it, and on-fail=stop keeps it from starting elsewhere.
        var crm = "node node1\nnode node2\nproperty stonith-enabled=true\nprimitive fence stonith:fence_dummy\n" +
                  "primitive a Dummy op monitor interval=10s on-fail=stop";
        var status = new StatusBuilder().Online("node2").Lost("node1").Running("node2", "fence", "stonith:fence_dummy")
            .MonitorFailedAt("node1", "a", Now.ToUnixTimeSeconds() - 10);
        var s = SummaryAsPacemaker(crm, status);
        Assert.Contains("Stop a (node1) due to node availability", s);
    }

    [Fact]
    public void An_unmanaged_group_member_holds_up_the_members_after_it_when_one_before_it_restarts()
    {
        // a is recovered, so b (unmanaged) would have to start again: it cannot, so c's start is
        // blocked, and a's stop waits for b's, which cannot happen either.
        var crm = TwoNodes + "primitive a Dummy op monitor interval=10s\nprimitive b Dummy meta is-managed=false\nprimitive c Dummy\ngroup g a b c";
        var status = new StatusBuilder().Online("node1", "node2").MonitorFailedAt("node1", "a", Now.ToUnixTimeSeconds() - 10).Running("node1", "b");
        Assert.Equal(new[] { "Start c (node1) due to unrunnable b start (blocked)", "Stop a (node1) due to unrunnable b stop (blocked)" },
            SummaryAsPacemaker(crm, status).Order());
    }

    [Fact]
    public void A_failed_stop_without_fencing_bans_its_node_and_strands_the_rest_of_its_group()
    {
        // b's failed stop bans node1 for it (as Pacemaker's __stop_fail__), so the group would
        // move: a cannot stop before b, and c, which would have to start again after b, stops.
        var crm = TwoNodes + "primitive a Dummy\nprimitive b Dummy\nprimitive c Dummy\ngroup g a b c";
        var status = new StatusBuilder().Online("node1", "node2").Running("node1", "a").Running("node1", "c")
            .History("node1", "b", "ocf:heartbeat:Dummy", ("start", 0, 0), ("stop", 1, 0));
        Assert.Equal(new[] { "Stop a (node1) due to unrunnable b stop (blocked)", "Stop c (node1) due to required b start" },
            SummaryAsPacemaker(crm, status).Order());
    }

    [Theory]
    [InlineData("meta is-managed=false", "Recover r0 (node1)")]
    [InlineData("op monitor interval=10s on-fail=block", "Stop r0 (node1) blocked")]
    public void The_first_of_an_order_is_held_up_only_by_a_dependent_blocked_by_a_failure(string r1Settings, string expected)
    {
        // r0 is recovered, so r1 (ordered after it) would stop first: merely unmanaged, r1 is
        // left alone and r0 goes ahead; blocked by its failed monitor, r1 holds r0's stop up.
        var crm = TwoNodes + $"primitive r0 Dummy op monitor interval=10s\nprimitive r1 Dummy {r1Settings}\norder o inf: r0 r1";
        var status = new StatusBuilder().Online("node1", "node2").MonitorFailedAt("node1", "r0", Now.ToUnixTimeSeconds() - 10);
        status = r1Settings.Contains("block") ? status.MonitorFailedAt("node1", "r1", Now.ToUnixTimeSeconds() - 10) : status.Running("node1", "r1");
        Assert.Equal(new[] { expected }, SummaryAsPacemaker(crm, status));
    }

    [Fact]
    public void What_must_be_with_a_promotable_clone_that_cannot_start_is_blocked_by_that_colocation()
    {
        // ms is ordered after r0, which is disabled: none of its instances can start, so r1
        // (which must be with ms, in any role) cannot start either, "due to colocation with ms".
        var crm = TwoNodes + "primitive r0 Dummy meta target-role=Stopped\nprimitive s ocf:pacemaker:Stateful\n" +
                  "ms ms s meta promotable=true promoted-max=1\nprimitive r1 Dummy\ncolocation r1_with_ms inf: r1 ms\norder o inf: r0 ms";
        var summary = SummaryAsPacemaker(crm, new StatusBuilder().Online("node1", "node2"));
        Assert.Contains(summary, l => l.StartsWith("Start r1 (", StringComparison.Ordinal) && l.EndsWith("due to colocation with ms (blocked)", StringComparison.Ordinal));
    }

    [Fact]
    public void An_unmanaged_resource_on_a_lost_node_cannot_start_so_what_is_ordered_after_it_waits()
    {
        // u is left alone where it runs, on node2, which is lost: its start there cannot run,
        // so d's start after it is blocked.
        var crm = "node node1\nnode node2\nproperty stonith-enabled=true\nprimitive fence stonith:fence_dummy\n" +
                  "primitive u Dummy meta is-managed=false\nprimitive d Dummy\norder d_after_u inf: u d";
        var status = new StatusBuilder().Online("node1").Lost("node2").Running("node1", "fence", "stonith:fence_dummy").Running("node2", "u");
        Assert.Contains("Start d (node1) due to unrunnable u start (blocked)", SummaryAsPacemaker(crm, status));
    }

    [Fact]
    public void A_failed_clone_instance_that_stops_for_good_does_not_restart_what_is_ordered_after_the_clone()
    {
        // The instance on node1 failed and reached migration-threshold: it stops there and no
        // instance starts anywhere, so r (ordered after the clone, on node1) stays put.
        var crm = TwoNodes + "primitive d Dummy op monitor interval=10s meta migration-threshold=1\nclone cl d\n" +
                  "primitive r Dummy\norder r_after_cl inf: cl r";
        var status = new StatusBuilder().Online("node1", "node2").Running("node2", "d").Running("node1", "r")
            .MonitorFailedAt("node1", "d", Now.ToUnixTimeSeconds() - 10).Attribute("node1", "fail-count-d#monitor_10000", "1");
        Assert.Equal(new[] { "Stop d:0 (node1) due to node availability" }, SummaryAsPacemaker(crm, status));
    }

    [Fact]
    public void A_failed_unmanaged_group_member_does_not_restart_the_members_after_it()
    {
        // m0 failed but the cluster leaves it alone: it is not recovered, so nothing requires
        // m1 (after it in the group) to start again.
        var crm = TwoNodes + "primitive m0 Dummy op monitor interval=10s meta is-managed=false\nprimitive m1 Dummy\ngroup g m0 m1";
        var status = new StatusBuilder().Online("node1", "node2").Running("node1", "m1")
            .MonitorFailedAt("node1", "m0", Now.ToUnixTimeSeconds() - 10);
        Assert.Empty(SummaryAsPacemaker(crm, status));
    }

    [Theory]
    [InlineData("AAAA")]
    [InlineData("AAAI")]
    [InlineData("AAIA")]
    [InlineData("AAII")]
    [InlineData("AIAA")]
    [InlineData("AIAI")]
    [InlineData("AIIA")]
    [InlineData("AIII")]
    [InlineData("IAAA")]
    [InlineData("IAAI")]
    [InlineData("IAIA")]
    [InlineData("IAII")]
    [InlineData("IIAA")]
    [InlineData("IIAI")]
    [InlineData("IIIA")]
    [InlineData("IIII")]
    public void An_order_onto_a_group_that_cannot_start_is_named_up_to_its_first_active_member_then_through_each_predecessor(string activeMembers)
    {
        // r is blocked (its monitor failed under on-fail=block), so the group ordered after it
        // cannot start; A marks a member running where the group is placed, I one that is not.
        // Every pattern of a four-member group, each checked against crm_simulate.
        var crm = TwoNodes + "primitive r Dummy op monitor interval=10s on-fail=block\nprimitive m0 Dummy\nprimitive m1 Dummy\n" +
                  "primitive m2 Dummy\nprimitive m3 Dummy\ngroup g m0 m1 m2 m3\nlocation prefer_node1 g 100: node1\norder o inf: r g";
        var status = new StatusBuilder().Online("node1", "node2").MonitorFailedAt("node2", "r", Now.ToUnixTimeSeconds() - 10);
        for (var i = 0; i < activeMembers.Length; i++)
            if (activeMembers[i] == 'A') status = status.Running("node1", $"m{i}");
        Assert.Equal(4, SummaryAsPacemaker(crm, status).Count(l => l.Contains(" m", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("UAA")]
    [InlineData("UAI")]
    [InlineData("UIA")]
    [InlineData("UII")]
    [InlineData("AUA")]
    [InlineData("AUI")]
    [InlineData("IUA")]
    [InlineData("IUI")]
    [InlineData("AAU")]
    [InlineData("AIU")]
    [InlineData("IAU")]
    [InlineData("IIU")]
    public void Behind_an_order_that_cannot_start_a_member_the_cluster_leaves_alone_names_the_next_and_holds_up_the_stops_before_it(string members)
    {
        // As above, with one member unmanaged (U, running where the group is): a later member is
        // named through it, and an earlier one's stop waits for its stop, which cannot happen.
        var crm = TwoNodes + "primitive r Dummy op monitor interval=10s on-fail=block\n" +
                  string.Concat(members.Select((m, i) => $"primitive m{i} Dummy{(m == 'U' ? " meta is-managed=false" : "")}\n")) +
                  "group g m0 m1 m2\nlocation prefer_node1 g 100: node1\norder o inf: r g";
        var status = new StatusBuilder().Online("node1", "node2").MonitorFailedAt("node2", "r", Now.ToUnixTimeSeconds() - 10);
        for (var i = 0; i < members.Length; i++)
            if (members[i] != 'I') status = status.Running("node1", $"m{i}");
        Assert.Equal(2, SummaryAsPacemaker(crm, status).Count);
    }

    [Theory]
    [InlineData("FAA")]
    [InlineData("FAI")]
    [InlineData("FIA")]
    [InlineData("FII")]
    [InlineData("AFA")]
    [InlineData("AFI")]
    [InlineData("IFA")]
    [InlineData("IFI")]
    [InlineData("AAF")]
    [InlineData("AIF")]
    [InlineData("IAF")]
    [InlineData("IIF")]
    public void A_group_with_a_member_blocked_by_its_failure_keeps_what_is_with_it_and_names_its_members_through_each_other(string members)
    {
        // F marks the member whose monitor failed under on-fail=block (m0 only; m1 and m2 are
        // recovered), A one running, I one stopped. e must be with the group: it stays unless no
        // member at all can start (a blocked member has no start to fail). d is ordered after it.
        var crm = TwoNodes + "primitive m0 Dummy op monitor interval=10s on-fail=block\nprimitive m1 Dummy op monitor interval=10s\n" +
                  "primitive m2 Dummy op monitor interval=10s\ngroup g m0 m1 m2\nlocation prefer_node1 g 100: node1\n" +
                  "primitive d Dummy\norder o inf: g d\nprimitive e Dummy\ncolocation e_with_g inf: e g";
        var status = new StatusBuilder().Online("node1", "node2").Running("node1", "d").Running("node1", "e");
        for (var i = 0; i < members.Length; i++)
            status = members[i] switch
            {
                'F' => status.MonitorFailedAt("node1", $"m{i}", Now.ToUnixTimeSeconds() - 10),
                'A' => status.Running("node1", $"m{i}"),
                _ => status,
            };
        Assert.DoesNotContain(SummaryAsPacemaker(crm, status), l => l.StartsWith("Stop e", StringComparison.Ordinal));
    }

    private const string PromotedWithDependent =
        "node node1\nnode node2\nnode node3\nproperty stonith-enabled=false\n" +
        "primitive s ocf:pacemaker:Stateful op monitor interval=10s role=Promoted on-fail=ON_FAIL op monitor interval=11s role=Unpromoted op promote interval=0 on-fail=ON_FAIL\n" +
        "ms ms s meta promotable=true promoted-max=1\nprimitive r Dummy\ncolocation r_with_promoted inf: r ms:Promoted\n" +
        "order r_after_promote inf: ms:promote r:start\nlocation pref ms rule role=Promoted 10: #uname eq node1";

    [Fact]
    public void A_failed_promote_under_on_fail_ignore_counts_as_done_and_the_instance_stays_promoted()
    {
        var status = new StatusBuilder().Online("node1", "node2", "node3")
            .History("node1", "s", "ocf:pacemaker:Stateful", ("start", 0, 0), ("promote", 1, 0))
            .Attribute("node1", "fail-count-s#promote_0", "1");
        var summary = SummaryAsPacemaker(PromotedWithDependent.Replace("ON_FAIL", "ignore"), status);
        Assert.Contains("Start r (node1)", summary);
        Assert.DoesNotContain(summary, l => l.StartsWith("Demote", StringComparison.Ordinal));
    }

    [Fact]
    public void An_instance_demoted_and_promoted_again_under_on_fail_demote_restarts_what_waits_for_the_promotion()
    {
        var status = new StatusBuilder().Online("node1", "node2", "node3").Running("node1", "r")
            .History("node1", "s", "ocf:pacemaker:Stateful", ("start", 0, 0), ("promote", 0, 0), ("monitor", 1, 10000))
            .Attribute("node1", "fail-count-s#monitor_10000", "1");
        var summary = SummaryAsPacemaker(PromotedWithDependent.Replace("ON_FAIL", "demote"), status);
        Assert.Contains("Re-promote s:0 (Promoted node1)", summary);
        Assert.Contains("Restart r (node1) due to required ms promoted", summary);
    }

    [Theory]
    [InlineData("promote")]
    [InlineData("monitor")]
    public void What_must_be_with_a_promoted_instance_frozen_by_its_failure_waits_beside_it_for_a_promotion_that_cannot_happen(string failed)
    {
        // The promoted instance's promote (or promoted monitor) failed under on-fail=block: it
        // keeps the promoted slot on node1, frozen; r goes beside it and cannot start there.
        var status = new StatusBuilder().Online("node1", "node2", "node3");
        status = failed == "promote"
            ? status.History("node1", "s", "ocf:pacemaker:Stateful", ("start", 0, 0), ("promote", 1, 0)).Attribute("node1", "fail-count-s#promote_0", "1")
            : status.History("node1", "s", "ocf:pacemaker:Stateful", ("start", 0, 0), ("promote", 0, 0), ("monitor", 1, 10000)).Attribute("node1", "fail-count-s#monitor_10000", "1");
        var summary = SummaryAsPacemaker(PromotedWithDependent.Replace("ON_FAIL", "block"), status);
        Assert.Contains("Start r (node1) due to colocation with s:2 (blocked)", summary);
    }

    [Theory]
    [InlineData("restart", "true")]
    [InlineData("standby", "true")]
    [InlineData("demote", "true")]
    [InlineData("stop", "true")]
    [InlineData("fence", "true")]
    [InlineData("restart", "false")]
    [InlineData("standby", "false")]
    [InlineData("demote", "false")]
    [InlineData("stop", "false")]
    [InlineData("fence", "false")]
    public void The_on_fail_of_a_failed_stop_is_read_as_Pacemaker_reads_it_for_a_stop(string onFail, string stonith)
    {
        // restart tries the stop again and recovers the resource elsewhere; standby, demote and
        // stop are reset to the default (fence, or block without fencing); fence without fencing
        // stops it and keeps it stopped. d must be with r, e is ordered after it.
        var crm = "node node1\nnode node2\nnode node3\n" + $"property stonith-enabled={stonith}\n" +
                  "primitive fencer stonith:fence_dummy params pcmk_host_list=\"node1 node2 node3\"\n" +
                  $"primitive r Dummy op stop interval=0 on-fail={onFail}\nlocation pref r 50: node1\n" +
                  "primitive d Dummy\ncolocation d_with_r inf: d r\nprimitive e Dummy\norder e_after_r inf: r e";
        var status = new StatusBuilder().Online("node1", "node2", "node3").Running("node3", "fencer", "stonith:fence_dummy")
            .Running("node1", "d").Running("node1", "e")
            .History("node1", "r", "ocf:heartbeat:Dummy", ("start", 0, 0), ("stop", 1, 0)).Attribute("node1", "fail-count-r#stop_0", "INFINITY");
        SummaryAsPacemaker(crm, status);
    }

    [Theory]
    [InlineData("block", "false")]
    [InlineData("stop", "false")]
    [InlineData("stop", "true")]
    [InlineData("restart", "true")]
    public void What_must_be_with_one_member_of_a_group_is_never_stopped_for_that_member(string onFail, string stonith)
    {
        // r, the group's middle member, failed to stop; d must be with r itself. Pacemaker blocks
        // only what is colocated with the group a member belongs to, never with the member: d
        // stays beside r whatever becomes of r.
        var crm = "node node1\nnode node2\nnode node3\n" + $"property stonith-enabled={stonith}\n" +
                  "primitive fencer stonith:fence_dummy params pcmk_host_list=\"node1 node2 node3\"\n" +
                  $"primitive m0 Dummy\nprimitive r Dummy op stop interval=0 on-fail={onFail}\nprimitive m2 Dummy\ngroup g m0 r m2\n" +
                  "location pref g 50: node1\nprimitive d Dummy\ncolocation d_with_r inf: d r\nprimitive e Dummy\norder e_after_r inf: r e";
        var status = new StatusBuilder().Online("node1", "node2", "node3").Running("node3", "fencer", "stonith:fence_dummy")
            .Running("node1", "m0").Running("node1", "m2").Running("node1", "d").Running("node1", "e")
            .History("node1", "r", "ocf:heartbeat:Dummy", ("start", 0, 0), ("stop", 1, 0)).Attribute("node1", "fail-count-r#stop_0", "INFINITY");
        Assert.DoesNotContain(SummaryAsPacemaker(crm, status), l => l.StartsWith("Stop d", StringComparison.Ordinal));
    }

    [Fact]
    public void A_blocked_stop_does_not_hold_up_the_members_of_a_group_ordered_before_it()
    {
        // r is blocked by its monitor failure (on-fail=block) and ordered after the group g,
        // which is disabled: g's own stop pseudo-action stands between r's stop and its members'.
        var crm = TwoNodes + "primitive m0 Dummy\nprimitive m1 Dummy\ngroup g m0 m1 meta target-role=Stopped\n" +
                  "primitive r Dummy op monitor interval=10s on-fail=block\norder o inf: g r";
        var status = new StatusBuilder().Online("node1", "node2").Running("node1", "m0").Running("node1", "m1")
            .MonitorFailedAt("node2", "r", Now.ToUnixTimeSeconds() - 10);
        Assert.Equal(new[] { "Stop m0 (node1) due to node availability", "Stop m1 (node1) due to node availability" },
            SummaryAsPacemaker(crm, status).Order());
    }

    [Fact]
    public void A_group_member_that_cannot_stop_does_not_hold_up_the_stop_of_what_the_group_is_ordered_after()
    {
        // The group's first member is blocked by its monitor failure; r, which the group is
        // ordered after, is disabled: it stops behind the group's stopped pseudo-action, not blocked.
        var crm = TwoNodes + "primitive m0 Dummy op monitor interval=10s on-fail=block\nprimitive m1 Dummy\ngroup g m0 m1\n" +
                  "primitive r Dummy meta target-role=Stopped\norder o inf: r g";
        var status = new StatusBuilder().Online("node1", "node2").Running("node2", "r").Running("node1", "m1")
            .MonitorFailedAt("node1", "m0", Now.ToUnixTimeSeconds() - 10);
        Assert.Contains("Stop r (node2) due to node availability", SummaryAsPacemaker(crm, status));
    }

    [Fact]
    public void No_second_copy_of_an_anonymous_clone_starts_beside_one_whose_stop_failed()
    {
        // The copy on node1 is blocked (its stop failed, nothing can fence): the resource still
        // runs there, so the other instance is placed on node2, not on node1 beside it (where
        // starting it would only start the same resource again, transition after transition).
        var crm = TwoNodes + "primitive s Dummy\nclone c s meta clone-max=2";
        var status = new StatusBuilder().Online("node1", "node2")
            .History("node1", "s", "ocf:heartbeat:Dummy", ("start", 0, 0), ("stop", 1, 0));
        var summary = Summary(crm, status);
        Assert.DoesNotContain(summary, l => l.StartsWith("Start") && l.Contains("(node1)"));
        Assert.Contains(summary, l => l.StartsWith("Start") && l.Contains("(node2)"));
    }

    [Fact]
    public void A_clone_instance_stops_although_what_is_ordered_after_the_clone_cannot_stop()
    {
        // r (after the clone) is unmanaged, so its stop cannot happen; the instance's stop waits
        // on the clone's stop pseudo-action, which goes ahead: not blocked.
        var crm = TwoNodes + "primitive r Dummy meta is-managed=false\nprimitive s Dummy\nclone c s\norder o inf: c r\nlocation l c -inf: node2";
        var status = new StatusBuilder().Online("node1", "node2").Running("node1", "r").Running("node1", "s").Running("node2", "s");
        Assert.Equal(new[] { "Stop s:1 (node2) due to node availability" }, SummaryAsPacemaker(crm, status));
    }

    [Fact]
    public void A_failed_stop_on_a_lost_node_is_cleaned_up_by_fencing_even_with_on_fail_block()
    {
        var crm = "node node1\nnode node2\nproperty stonith-enabled=true\nprimitive fence stonith:fence_dummy\n" +
                  "primitive a Dummy op stop interval=0 on-fail=block";
        var status = new StatusBuilder().Online("node2").Lost("node1").Running("node2", "fence", "stonith:fence_dummy")
            .History("node1", "a", "ocf:heartbeat:Dummy", ("start", 0, 0), ("stop", 1, 0));
        var s = Summary(crm, status);
        Assert.Contains("Fence (reboot) node1 'peer is no longer part of the cluster'", s);
        Assert.Contains("Move a (node1 -> node2)", s);
    }

    [Fact]
    public void A_promoted_monitor_failure_under_on_fail_demote_is_recovered_by_demoting_and_promoting_again()
    {
        // No stop and start: Pacemaker demotes the instance and, since it is still the one to be
        // promoted, promotes it again where it is ("Re-promote"), with a demote then a promote.
        var crm = TwoNodes + "primitive s ocf:pacemaker:Stateful op monitor interval=10s role=Promoted on-fail=demote op monitor interval=11s role=Unpromoted\n" +
                  "ms m s meta promoted-max=1 clone-max=1";
        var status = new StatusBuilder().Online("node1", "node2")
            .History("node1", "s", "ocf:pacemaker:Stateful", ("start", 0, 0), ("promote", 0, 0), ("monitor", 1, 10000))
            .Attribute("node1", "fail-count-s#monitor_10000", "1").Attribute("node1", "master-s", "10");
        Assert.Equal(new[] { "Re-promote s:0 (Promoted node1)" }, SummaryAsPacemaker(crm, status));
        var graph = Graph(crm, status);
        var demote = graph.Actions.Single(a => a.Task == "demote");
        var promote = graph.Actions.Single(a => a.Task == "promote");
        Assert.Contains(demote.Id, promote.Inputs);
    }

    [Fact]
    public void An_instance_whose_node_a_colocation_rules_out_keeps_the_promotion_priority_it_has_there()
    {
        // m must be with r1, which leaves node1 for node3. The promoted instance on node2 (promotion
        // score 10 there) is still placed before the failed one on node3 (5): Pacemaker ranks the
        // instances before the colocation reaches them. It takes node3, as Unpromoted (never probed
        // there, its score there does not count), and the failed one stops.
        var crm = "node node1\nnode node2\nnode node3\nproperty stonith-enabled=false\n" +
                  "primitive r1 Dummy\nlocation r1-not-node1 r1 -inf: node1\nlocation r1-node3 r1 100: node3\n" +
                  "primitive s ocf:pacemaker:Stateful op monitor interval=10s role=Promoted op monitor interval=11s role=Unpromoted\n" +
                  "ms m s meta promoted-max=1 clone-max=3\ncolocation m-with-r1 inf: m r1";
        var status = new StatusBuilder().Online("node1", "node2", "node3")
            .Running("node1", "r1")
            .History("node2", "s", "ocf:pacemaker:Stateful", ("start", 0, 0), ("promote", 0, 0)).Attribute("node2", "master-s", "10")
            .History("node3", "s", "ocf:pacemaker:Stateful", ("start", 0, 0), ("monitor", 7, 11000))
            .Attribute("node3", "fail-count-s#monitor_11000", "1").Attribute("node3", "master-s", "5");
        var summary = SummaryAsPacemaker(crm, status);
        Assert.Contains(summary, l => l.StartsWith("Move s:", StringComparison.Ordinal) && l.EndsWith("(Promoted node2 -> Unpromoted node3)", StringComparison.Ordinal));
    }

    [Fact]
    public void A_clone_on_every_node_leaves_a_mere_liking_for_another_resource_out_of_its_instances_scores()
    {
        // clone-max 2 on two nodes: every node gets an instance, so Pacemaker does not hand m's
        // liking for c (100) to the instances. The one on node2 stays there (and is promoted)
        // rather than moving to c's node1; the second starts on node1.
        var crm = TwoNodes + "primitive s ocf:pacemaker:Stateful op monitor interval=10s role=Promoted op monitor interval=11s role=Unpromoted\n" +
                  "ms m s meta promoted-max=1 clone-max=2\nprimitive d Dummy\nclone c d meta clone-max=1\ncolocation m-likes-c 100: m c";
        var status = new StatusBuilder().Online("node1", "node2")
            .Running("node1", "d")
            .History("node2", "s", "ocf:pacemaker:Stateful", ("start", 0, 0)).Attribute("node2", "master-s", "5");
        var summary = SummaryAsPacemaker(crm, status);
        Assert.Contains("Promote s:0 (Unpromoted -> Promoted node2)", summary);
        Assert.Contains("Start s:1 (node1)", summary);
    }

    [Fact]
    public void What_is_ordered_after_a_group_whose_member_starts_but_which_cannot_run_stops_as_required_by_it()
    {
        // a starts, b may run nowhere: g's "running" is required (a's start is) but cannot run.
        // r, ordered after g and staying put, stops "due to required g running" (not "unrunnable").
        var crm = TwoNodes + "primitive a Dummy\nprimitive b Dummy\ngroup g a b\nlocation b-not-1 b -inf: node1\nlocation b-not-2 b -inf: node2\n" +
                  "primitive r Dummy\nlocation r-home r 100: node1\norder g-then-r Mandatory: g r";
        var status = new StatusBuilder().Online("node1", "node2").Running("node1", "r");
        var summary = SummaryAsPacemaker(crm, status);
        Assert.Contains("Stop r (node1) due to required g running", summary);
    }

    [Fact]
    public void A_promoted_instance_to_be_recovered_behind_a_required_but_unrunnable_start_stops_as_required_by_it()
    {
        // s:0's promotion failed on node1: it is to be recovered there, but m is ordered after g,
        // which cannot run (b may run nowhere) though a starts. Pacemaker walks s:0's roles down
        // from Promoted without a required start, so the order makes that start required: the
        // stop is "due to required g running", as for the instance that stays put on node2.
        var crm = TwoNodes + "primitive a Dummy\nprimitive b Dummy\ngroup g a b\nlocation b-not-1 b -inf: node1\nlocation b-not-2 b -inf: node2\n" +
                  "primitive s ocf:pacemaker:Stateful op monitor interval=10s role=Promoted op monitor interval=11s role=Unpromoted\n" +
                  "ms m s meta promoted-max=1 clone-max=2\norder g-then-m Mandatory: g m";
        var status = new StatusBuilder().Online("node1", "node2")
            .History("node1", "s", "ocf:pacemaker:Stateful", ("start", 0, 0), ("promote", 1, 0))
            .Attribute("node1", "fail-count-s#promote_0", "1").Attribute("node1", "master-s", "10")
            .History("node2", "s", "ocf:pacemaker:Stateful", ("start", 0, 0)).Attribute("node2", "master-s", "5");
        var summary = SummaryAsPacemaker(crm, status);
        Assert.Contains("Stop s:0 (Promoted node1) due to required g running", summary);
    }

    [Fact]
    public void An_unmanaged_resource_found_not_running_is_stopped_even_once_that_failure_expired()
    {
        // a's monitor found it not running hours ago; failure-timeout (20 min) has expired that
        // failure, but the result still says a is stopped: Pacemaker reads "not running" from an
        // unmanaged resource before it looks at the expiry. b, which must be with a, stays stopped.
        var crm = TwoNodes + "primitive a Dummy meta is-managed=false failure-timeout=20min\nprimitive b Dummy\ngroup g a b";
        var status = new StatusBuilder().Online("node1", "node2").MonitorNotRunningAt("node1", "a", Now.ToUnixTimeSeconds() - 6 * 3600);
        var summary = SummaryAsPacemaker(crm, status);
        Assert.DoesNotContain(summary, l => l.StartsWith("Start b", StringComparison.Ordinal));
    }

    [Fact]
    public void Members_after_an_unmanaged_group_member_hold_the_groups_mandatory_colocations_themselves()
    {
        // a (unmanaged) stays on node2; g must be with r, which may only run on node1. The chain
        // through a would put b on node2; Pacemaker gives b g's colocation with r as well, so b
        // can run nowhere and stays stopped.
        var crm = TwoNodes + "primitive a Dummy meta is-managed=false\nprimitive b Dummy\ngroup g a b\n" +
                  "primitive r Dummy\nlocation r-not-2 r -inf: node2\ncolocation g-with-r inf: g r";
        var status = new StatusBuilder().Online("node1", "node2").Running("node2", "a").Running("node1", "r");
        var summary = SummaryAsPacemaker(crm, status);
        Assert.DoesNotContain(summary, l => l.StartsWith("Start b", StringComparison.Ordinal));
    }

    [Fact]
    public void A_resource_to_restart_for_a_changed_definition_that_cannot_start_again_stops_for_that_change()
    {
        // r's parameters changed, so it must restart; but it is ordered after a, which may run
        // nowhere, so it only stops. crm_simulate names the definition change (the start's reason,
        // set before any order's), not the unrunnable start of a.
        var crm = TwoNodes + "primitive a Dummy\nlocation a-not-1 a -inf: node1\nlocation a-not-2 a -inf: node2\n" +
                  "primitive r Dummy params fake=2\norder a-then-r Mandatory: a r";
        var status = new StatusBuilder().Online("node1", "node2").RunningWithDigest("node1", "r", "0123456789abcdef0123456789abcdef");
        var summary = SummaryAsPacemaker(crm, status);
        Assert.Contains("Stop r (node1) due to resource definition change", summary);
    }

    [Fact]
    public void A_redefined_resource_whose_other_copy_is_on_a_node_to_fence_restarts_where_it_belongs()
    {
        // r runs on node1 (started with other parameters) and, after a failed start, on node3,
        // which is lost and will be fenced. Fencing stops the copy on node3; on node1 r restarts
        // for its changed definition, and the summary says so.
        var crm = "node node1\nnode node2\nnode node3\nprimitive st stonith:fence_dummy\nprimitive r Dummy params fake=2\nlocation r-home r 50: node1";
        var status = new StatusBuilder().Online("node1", "node2").Lost("node3")
            .RunningWithDigest("node1", "r", "0123456789abcdef0123456789abcdef")
            .StartFailedAt("node3", "r", Now.ToUnixTimeSeconds() - 60);
        var summary = SummaryAsPacemaker(crm, status);
        Assert.Contains("Restart r (node1) due to resource definition change", summary);
    }

    [Fact]
    public void Of_two_orders_between_the_same_actions_only_the_first_listed_counts()
    {
        // a may run nowhere. Ordered after it optionally and then mandatorily, r starts anyway:
        // Pacemaker keeps one ordering of two actions, the first listed. Listed the other way
        // round, the mandatory order holds r's start back.
        const string Resources = "primitive a Dummy\nlocation a-not-1 a -inf: node1\nlocation a-not-2 a -inf: node2\nprimitive r Dummy\n";
        var status = new StatusBuilder().Online("node1", "node2");
        var optionalFirst = SummaryAsPacemaker(TwoNodes + Resources + "order soft Optional: a r\norder hard Mandatory: a r", status);
        Assert.Contains(optionalFirst, l => l.StartsWith("Start r (", StringComparison.Ordinal) && !l.Contains("blocked", StringComparison.Ordinal));
        var mandatoryFirst = SummaryAsPacemaker(TwoNodes + Resources + "order hard Mandatory: a r\norder soft Optional: a r", status);
        Assert.Contains(mandatoryFirst, l => l.StartsWith("Start r (", StringComparison.Ordinal) && l.EndsWith("due to unrunnable a start (blocked)", StringComparison.Ordinal));
    }

    [Fact]
    public void A_resource_that_needs_fencing_and_also_ran_on_a_node_to_fence_restarts_where_it_belongs()
    {
        // r runs on node1 and on node3, which is lost. Needing fencing (the default with a
        // fencing device), r cannot trust that copy: it is multiply active and restarts on node1.
        // With requires=quorum the copy on the node to fence does not count: r stays as it is.
        var crm = "node node1\nnode node2\nnode node3\nprimitive st stonith:fence_dummy\nlocation r-home r 50: node1\nprimitive r Dummy";
        var status = new StatusBuilder().Online("node1", "node2").Lost("node3").Running("node1", "r").Running("node3", "r");
        Assert.Contains("Restart r (node1)", SummaryAsPacemaker(crm, status));
        Assert.DoesNotContain(SummaryAsPacemaker(crm + " meta requires=quorum", status), l => l.Contains(" r (", StringComparison.Ordinal));
    }

    [Fact]
    public void Between_equal_promotion_scores_an_active_instance_is_promoted_before_one_that_starts_even_if_it_failed()
    {
        // The instance on node3 failed its monitor and is recovered there; a new one starts on
        // node2, where the promotion score is the same (5). Pacemaker ranks by current role
        // before looking at failures: the Unpromoted one on node3 is promoted, not the new one.
        var crm = "node node1\nnode node2\nnode node3\nproperty stonith-enabled=false\n" +
                  "primitive s ocf:pacemaker:Stateful op monitor interval=10s role=Promoted op monitor interval=11s role=Unpromoted\n" +
                  "ms m s meta promoted-max=1 clone-max=2\nlocation m-not-1 m -inf: node1";
        var status = new StatusBuilder().Online("node1", "node2", "node3")
            .History("node2", "s", "ocf:pacemaker:Stateful", ("monitor", 7, 0)).Attribute("node2", "master-s", "5")
            .History("node3", "s", "ocf:pacemaker:Stateful", ("start", 0, 0), ("monitor", 1, 11000))
            .Attribute("node3", "fail-count-s#monitor_11000", "1").Attribute("node3", "master-s", "5");
        var summary = SummaryAsPacemaker(crm, status);
        Assert.Contains(summary, l => l.StartsWith("Recover s:", StringComparison.Ordinal) && l.EndsWith("(Unpromoted -> Promoted node3)", StringComparison.Ordinal));
    }

    [Fact]
    public void An_instance_to_recover_by_demotion_is_not_kept_where_it_runs_in_the_first_pass()
    {
        // s's promoted monitor failed on node3 (on-fail=demote). To Pacemaker that instance is
        // failed: the first pass (instances stay where they run) skips it, so the one on node1,
        // for which node3 (200) is better, is not kept there either; both are placed in the
        // second pass, the promoted one first. Pacemaker 2.1.5 shuffles: the instance on node1
        // moves to node2 and a fresh one starts on node1.
        var crm = "node node1\nnode node2\nnode node3\nproperty stonith-enabled=false\n" +
                  "primitive s ocf:pacemaker:Stateful op monitor interval=10s role=Promoted on-fail=demote op monitor interval=11s role=Unpromoted on-fail=demote\n" +
                  "ms m s meta promoted-max=1 clone-max=3\nlocation m-prefers-3 m 200: node3";
        var status = new StatusBuilder().Online("node1", "node2", "node3")
            .History("node1", "s", "ocf:pacemaker:Stateful", ("start", 0, 0), ("monitor", 0, 11000)).Attribute("node1", "master-s", "5")
            .History("node2", "s", "ocf:pacemaker:Stateful", ("monitor", 7, 0))
            .History("node3", "s", "ocf:pacemaker:Stateful", ("start", 0, 0), ("promote", 0, 0), ("monitor", 7, 10000))
            .Attribute("node3", "fail-count-s#monitor_10000", "1").Attribute("node3", "master-s", "10");
        var summary = SummaryAsPacemaker(crm, status);
        Assert.Contains(summary, l => l.StartsWith("Move s:", StringComparison.Ordinal) && l.EndsWith("(node1 -> node2 Unpromoted)", StringComparison.Ordinal));
    }

    [Fact]
    public void A_leftover_copys_failures_count_against_the_clone_even_when_its_instances_ignore_theirs()
    {
        // Both instances' starts failed (fail count INFINITY) under on-fail=ignore: they run on,
        // and their own failures do not count. But node3's probe, with no instance number left,
        // made a leftover copy, whose failures are not ignored: the clone's fail count reaches
        // the threshold on node1 and node2, and Pacemaker moves the instance from node1 to node3.
        var crm = "node node1\nnode node2\nnode node3\nproperty stonith-enabled=false\n" +
                  "primitive d Dummy op start interval=0 on-fail=ignore\nclone c d meta clone-max=2";
        var status = new StatusBuilder().Online("node1", "node2", "node3")
            .StartFailedAt("node1", "d", Now.ToUnixTimeSeconds() - 30)
            .StartFailedAt("node2", "d", Now.ToUnixTimeSeconds() - 20)
            .History("node3", "d", "ocf:heartbeat:Dummy", ("monitor", 7, 0));
        var summary = SummaryAsPacemaker(crm, status);
        Assert.Contains(summary, l => l.StartsWith("Move d:", StringComparison.Ordinal) && l.EndsWith("-> node3)", StringComparison.Ordinal));
    }

    [Fact]
    public void A_failed_instance_recovered_elsewhere_names_the_order_it_waits_for_only_if_it_was_promoted()
    {
        // m (with notifications) is ordered after r, which starts now. s failed on node2 and
        // moves to node1 (migration-threshold=1). Recovering an Unpromoted instance starts it for
        // sure: no reason. A Promoted one is walked down from Promoted without a required start,
        // so the order makes it required, and crm_simulate names r's start.
        var crm = TwoNodes + "primitive r Dummy\nlocation r-home r 100: node1\n" +
                  "primitive s ocf:pacemaker:Stateful op monitor interval=10s role=Promoted op monitor interval=11s role=Unpromoted meta migration-threshold=1\n" +
                  "ms m s meta promoted-max=1 clone-max=1 notify=true\norder r-then-m Mandatory: r m";
        var unpromoted = new StatusBuilder().Online("node1", "node2")
            .History("node2", "s", "ocf:pacemaker:Stateful", ("start", 0, 0), ("monitor", 1, 11000)).Attribute("node2", "fail-count-s#monitor_11000", "1");
        Assert.Contains("Recover s:0 (node2 -> node1 Unpromoted)", SummaryAsPacemaker(crm, unpromoted));
        var promoted = new StatusBuilder().Online("node1", "node2")
            .History("node2", "s", "ocf:pacemaker:Stateful", ("start", 0, 0), ("promote", 0, 0), ("monitor", 1, 10000)).Attribute("node2", "fail-count-s#monitor_10000", "1");
        Assert.Contains("Recover s:0 (Promoted node2 -> Unpromoted node1) due to required r start", SummaryAsPacemaker(crm, promoted));
    }

    [Fact]
    public void Under_stop_unexpected_a_recovery_is_for_being_multiply_active_only_when_the_failed_copy_is_the_unexpected_one()
    {
        // r's start failed on node1 and it runs on node2 as well. Where it stays on node2, the
        // failed copy on node1 is the unexpected one: "due to being multiply active". Where it
        // belongs on node1 (the failed copy's node), the recovery there gives no such reason.
        var crm = TwoNodes + "primitive r Dummy meta multiple-active=stop_unexpected";
        var failedOnNode1 = new StatusBuilder().Online("node1", "node2").StartFailedAt("node1", "r", Now.ToUnixTimeSeconds() - 30).Running("node2", "r");
        Assert.Contains("Recover r (node1 -> node2) due to being multiply active", SummaryAsPacemaker(crm, failedOnNode1));
        var belongsOnNode1 = new StatusBuilder().Online("node1", "node2").History("node1", "r", "ocf:heartbeat:Dummy", ("start", 1, 0)).Running("node2", "r");
        Assert.Contains("Recover r (node1)", SummaryAsPacemaker(crm + "\nlocation r-home r 100: node1", belongsOnNode1));
    }

    [Fact]
    public void A_promoted_failure_under_on_fail_demote_that_must_restart_anyway_is_a_recovery()
    {
        // As the Re-promote case, but m is ordered after r, which starts now: s:0 must restart
        // anyway. Failed and stopped, crm_simulate calls that a recovery, with no reason.
        var crm = TwoNodes + "primitive s ocf:pacemaker:Stateful op monitor interval=10s role=Promoted on-fail=demote op monitor interval=11s role=Unpromoted\n" +
                  "ms m s meta promoted-max=1 clone-max=1\nprimitive r Dummy\nlocation r-home r 100: node1\norder r-then-m Mandatory: r m";
        var status = new StatusBuilder().Online("node1", "node2")
            .History("node1", "s", "ocf:pacemaker:Stateful", ("start", 0, 0), ("promote", 0, 0), ("monitor", 1, 10000))
            .Attribute("node1", "fail-count-s#monitor_10000", "1").Attribute("node1", "master-s", "10");
        Assert.Contains("Recover s:0 (Promoted node1)", SummaryAsPacemaker(crm, status));
    }

    [Fact]
    public void A_clone_instance_needs_room_for_what_must_be_with_its_clone_when_not_every_node_gets_one()
    {
        // r must be with c and likes node2, which has room for one 5-unit resource only. With
        // two instances on three nodes, the instance being placed carries r's demand: node2
        // cannot hold both, so crm_simulate places c's instances elsewhere (and r with one).
        var crm = "node node1 utilization mem=13\nnode node2 utilization mem=8\nnode node3 utilization mem=11\n" +
                  "property stonith-enabled=false placement-strategy=minimal\n" +
                  "primitive d Dummy utilization mem=5\nclone c d meta clone-max=2 globally-unique=true\n" +
                  "primitive r Dummy utilization mem=5\nlocation r-likes-2 r 100: node2\ncolocation r-with-c inf: r c";
        var summary = SummaryAsPacemaker(crm, new StatusBuilder().Online("node1", "node2", "node3"));
        Assert.DoesNotContain(summary, l => l.StartsWith("Start d:", StringComparison.Ordinal) && l.Contains("(node2)", StringComparison.Ordinal));
    }

    [Fact]
    public void Between_equal_promotion_scores_a_healthy_instance_is_promoted_rather_than_a_failed_one()
    {
        // Pacemaker's instance order puts a failed instance after a healthy one.
        var crm = TwoNodes + "property start-failure-is-fatal=false\nprimitive s ocf:pacemaker:Stateful\nms m s meta promoted-max=1 clone-max=2";
        var status = new StatusBuilder().Online("node1", "node2")
            .History("node1", "s", "ocf:pacemaker:Stateful", ("start", 1, 0)).Attribute("node1", "fail-count-s#start_0", "1")
            .History("node2", "s", "ocf:pacemaker:Stateful", ("start", 0, 0))
            .Attribute("node1", "master-s", "5").Attribute("node2", "master-s", "5");
        var summary = SummaryAsPacemaker(crm, status);
        Assert.Contains(summary, l => l.StartsWith("Promote") && l.EndsWith("(Unpromoted -> Promoted node2)"));
        Assert.Contains(summary, l => l.StartsWith("Recover") && l.EndsWith("(Unpromoted node1)"));
    }

    [Fact]
    public void A_failed_promotion_recovered_in_place_names_the_order_that_requires_its_start()
    {
        // Recovered as Unpromoted where it is, its start is optional until the order on r
        // (which moves) requires it: crm_simulate gives the recovery that reason.
        var crm = TwoNodes + "primitive r Dummy\nlocation l r inf: node2\nprimitive s ocf:pacemaker:Stateful\nms m s meta promoted-max=1 clone-max=1\norder o inf: r m";
        var status = new StatusBuilder().Online("node1", "node2").Running("node1", "r")
            .History("node1", "s", "ocf:pacemaker:Stateful", ("start", 0, 0), ("promote", 1, 0))
            .Attribute("node1", "fail-count-s#promote_0", "1").Attribute("node1", "master-s", "10");
        Assert.Contains("Recover s:0 (Promoted -> Unpromoted node1) due to required r start", SummaryAsPacemaker(crm, status));
    }

    [Fact]
    public void A_failed_demote_leaves_the_instance_unpromoted_and_it_is_recovered()
    {
        var crm = TwoNodes + "primitive s ocf:pacemaker:Stateful\nms m s";
        var status = new StatusBuilder().Online("node1", "node2")
            .History("node1", "s", "ocf:pacemaker:Stateful", ("start", 0, 0), ("promote", 0, 0), ("demote", 1, 0))
            .Attribute("node1", "fail-count-s#demote_0", "1");
        Assert.Contains(Summary(crm, status), l => l.StartsWith("Recover s:0 (Unpromoted"));
    }

    [Fact]
    public void A_resource_active_on_two_nodes_that_must_stop_is_stopped_on_each()
    {
        var crm = TwoNodes + "primitive a Dummy meta target-role=Stopped";
        var status = new StatusBuilder().Online("node1", "node2").Running("node1", "a").Running("node2", "a");
        Assert.Equal(new[] { "Stop a (node1) due to node availability", "Stop a (node2) due to node availability" }, Summary(crm, status).Order());
    }

    [Fact]
    public void A_blocked_promoted_instance_keeps_its_slot_and_no_other_is_promoted()
    {
        var crm = TwoNodes + "primitive s ocf:pacemaker:Stateful op demote interval=0 on-fail=block\nms m s";
        var status = new StatusBuilder().Online("node1", "node2")
            .History("node1", "s", "ocf:pacemaker:Stateful", ("start", 0, 0), ("promote", 0, 0), ("demote", 1, 0))
            .History("node2", "s", "ocf:pacemaker:Stateful", ("start", 0, 0))
            .Attribute("node1", "master-s", "10").Attribute("node2", "master-s", "5");
        Assert.DoesNotContain(Summary(crm, status), l => l.StartsWith("Promote"));
    }

    private const string VmWithChecks = TwoNodes + "primitive vm Dummy\nprimitive check1 Dummy meta container=vm\nprimitive check2 Dummy meta container=vm\nlocation l vm 100: node2";

    [Fact]
    public void Resources_inside_a_container_start_with_it_on_its_node()
    {
        var s = Summary(VmWithChecks, new StatusBuilder().Online("node1", "node2"));
        Assert.Equal(new[] { "Start check1 (node2)", "Start check2 (node2)", "Start vm (node2)" }, s.Order());
    }

    [Fact]
    public void A_failure_inside_a_container_restarts_the_container_and_what_else_runs_in_it()
    {
        var status = new StatusBuilder().Online("node1", "node2").Running("node2", "vm").Running("node2", "check2")
            .History("node2", "check1", "ocf:heartbeat:Dummy", ("start", 0, 0), ("monitor", 1, 10000))
            .Attribute("node2", "fail-count-check1#monitor_10000", "1");
        var s = Summary(VmWithChecks, status);
        Assert.Equal(new[] { "Recover check1 (node2)", "Restart check2 (node2) due to required vm start", "Restart vm (node2)" }, s.Order());
    }

    [Fact]
    public void A_failed_stop_inside_a_container_counts_as_done_once_the_container_restarts()
    {
        var status = new StatusBuilder().Online("node1", "node2").Running("node2", "vm").Running("node2", "check2")
            .History("node2", "check1", "ocf:heartbeat:Dummy", ("start", 0, 0), ("stop", 1, 0));
        var s = Summary(VmWithChecks, status);
        Assert.Equal(new[] { "Restart check2 (node2) due to required vm start", "Restart vm (node2)", "Start check1 (node2)" }, s.Order());
    }

    private const string ThreeNodesLocked = "node node1\nnode node2\nnode node3\nproperty stonith-enabled=false shutdown-lock=true\nprimitive a Dummy\n";

    [Fact]
    public void Under_shutdown_lock_a_resource_of_a_node_shutting_down_stops_instead_of_moving()
    {
        var status = new StatusBuilder().Online("node1", "node2", "node3").Running("node1", "a").Attribute("node1", "shutdown", "1700000000");
        Assert.Equal(new[] { "Stop a (node1) due to node availability" }, Summary(ThreeNodesLocked, status));
        // Without the lock it moves.
        Assert.Equal(new[] { "Move a (node1 -> node2)" }, Summary(ThreeNodesLocked.Replace(" shutdown-lock=true", ""), status));
        // A group's members are each kept.
        var group = ThreeNodesLocked + "primitive b Dummy\ngroup g a b\nlocation l g 100: node1";
        status = new StatusBuilder().Online("node1", "node2", "node3").Running("node1", "a").Running("node1", "b").Attribute("node1", "shutdown", "1700000000");
        Assert.Equal(new[] { "Stop a (node1) due to node availability", "Stop b (node1) due to node availability" }, Summary(group, status).Order());
    }

    [Fact]
    public void A_shutdown_lock_keeps_the_resource_stopped_for_its_node_until_shutdown_lock_limit_passes()
    {
        var since = Now.ToUnixTimeSeconds() - 600;
        var status = new StatusBuilder().Online("node2", "node3").Down("node1").ShutdownLock("node1", "a", since);
        Assert.Empty(Summary(ThreeNodesLocked, status));
        Assert.Empty(Summary(ThreeNodesLocked.Replace("shutdown-lock=true", "shutdown-lock=true shutdown-lock-limit=15min"), status));
        Assert.Equal(new[] { "Start a (node2)" }, Summary(ThreeNodesLocked.Replace("shutdown-lock=true", "shutdown-lock=true shutdown-lock-limit=5min"), status));
    }

    [Fact]
    public void A_probe_that_finds_the_agent_not_installed_rules_the_node_out_for_every_instance_of_the_clone()
    {
        var status = new StatusBuilder().Online("node1", "node2").History("node1", "a", "ocf:heartbeat:Dummy", ("monitor", 5, 0));
        var s = Summary(TwoNodes + "primitive a Dummy\nclone c a", status);
        Assert.Equal(new[] { "Start a:0 (node2)" }, s);
    }

    [Fact]
    public void A_group_member_banned_where_its_group_runs_stops_rather_than_pull_the_group_against_an_anticolocation()
    {
        // Colocations with other resources apply before the group's own members' preferences,
        // which are rolled back when they would leave the group nowhere to run.
        var crm = TwoNodes + "rsc_defaults migration-threshold=1\nprimitive a1 Dummy\nprimitive b1 Dummy\ngroup g1 a1 b1\n" +
                  "primitive a2 Dummy\nprimitive b2 Dummy op monitor interval=10s\ngroup g2 a2 b2\ncolocation apart -5000: g2 g1";
        var status = new StatusBuilder().Online("node1", "node2").Running("node2", "a1").Running("node2", "b1").Running("node1", "a2")
            .History("node1", "b2", "ocf:heartbeat:Dummy", ("start", 0, 0), ("monitor", 1, 10000))
            .Attribute("node1", "fail-count-b2#monitor_10000", "1");
        Assert.Equal(new[] { "Stop b2 (node1) due to node availability" }, Summary(crm, status));
    }

    [Fact]
    public void A_colocation_set_ordered_as_listed_puts_each_member_with_the_next_one()
    {
        // c is disabled. Natural order (each with the one before): c and what follows it, d, cannot
        // run. Listed order (each with the one after): a and b, which lead to c, cannot.
        var crm = TwoNodes + "primitive a Dummy\nprimitive b Dummy\nprimitive c Dummy meta target-role=Stopped\nprimitive d Dummy\n";
        var status = new StatusBuilder().Online("node1", "node2");
        Assert.Equal(new[] { "Start a (node1)", "Start b (node1)" },
            Summary(crm + "colocation set inf: ( a b c d sequential=true )", status).Order());
        Assert.Equal(new[] { "Start d (node1)" },
            Summary(crm + "colocation set inf: ( a b c d sequential=true ordering=listed )", status).Order());
    }

    [Fact]
    public void An_anonymous_clones_failures_on_a_node_count_together_whichever_instance_recorded_them()
    {
        var crm = TwoNodes + "primitive a Dummy meta migration-threshold=3\nclone c a";
        var status = new StatusBuilder().Online("node1", "node2").Running("node1", "a").Running("node2", "a")
            .Attribute("node1", "fail-count-a:0#monitor_10000", "2").Attribute("node1", "fail-count-a:1#monitor_10000", "1");
        var s = Summary(crm, status);
        Assert.Single(s);
        Assert.Matches(@"^Stop a:\d \(node1\) due to node availability$", s[0]);
        // Two failures in all: below the threshold, nothing moves.
        status = new StatusBuilder().Online("node1", "node2").Running("node1", "a").Running("node2", "a")
            .Attribute("node1", "fail-count-a:0#monitor_10000", "1").Attribute("node1", "fail-count-a:1#monitor_10000", "1");
        Assert.Empty(Summary(crm, status));
    }

    [Fact]
    public void A_promoted_instance_ruled_out_of_its_node_stops_and_a_fresh_one_starts_unpromoted_without_a_promotion_score()
    {
        // Its failure reached migration-threshold on node2. A fresh instance takes node1 rather
        // than the promoted one moving there; with no promotion score on node1 nothing is promoted.
        var crm = TwoNodes + "primitive s ocf:pacemaker:Stateful meta migration-threshold=1\nms m s";
        var status = new StatusBuilder().Online("node1", "node2")
            .History("node2", "s", "ocf:pacemaker:Stateful", ("start", 0, 0), ("promote", 0, 0))
            .Attribute("node2", "master-s", "10").Attribute("node2", "fail-count-s#monitor_10000", "1");
        Assert.Equal(new[] { "Start s:1 (node1)", "Stop s:0 (Promoted node2) due to node availability" }, Summary(crm, status).Order());
    }

    [Fact]
    public void A_clone_instance_moves_to_a_node_it_prefers_to_the_one_it_runs_on()
    {
        var crm = TwoNodes + "primitive a Dummy\nclone c a meta clone-max=1 resource-stickiness=0\nlocation l c inf: node2";
        var status = new StatusBuilder().Online("node1", "node2").Running("node1", "a");
        Assert.Equal(new[] { "Move a:0 (node1 -> node2)" }, Summary(crm, status));
        // With enough stickiness it stays.
        Assert.Empty(Summary(crm.Replace("inf: node2", "100: node2").Replace("resource-stickiness=0", "resource-stickiness=200"), status));
    }

    [Fact]
    public void A_clone_that_must_be_with_the_promoted_instance_waits_while_nothing_can_be_promoted()
    {
        // No promotion score yet (the agent sets one once started): nothing is promoted, so the
        // clone that must be with the Promoted instance has nowhere to run, and no blocked start.
        var crm = TwoNodes + "primitive s ocf:pacemaker:Stateful\nms m s\nprimitive d Dummy\nclone dc d\ncolocation c inf: dc m:Master";
        var s = Summary(crm, new StatusBuilder().Online("node1", "node2"));
        Assert.Equal(new[] { "Start s:0 (node1)", "Start s:1 (node2)" }, s.Order());
    }

    [Fact]
    public void A_promoted_role_named_for_a_resource_that_cannot_be_promoted_leaves_the_colocation_without_effect()
    {
        var crm = TwoNodes + "primitive p Dummy\nclone pc p\nprimitive ip Dummy\ncolocation c inf: ip pc:Master";
        var s = Summary(crm, new StatusBuilder().Online("node1", "node2"));
        Assert.Contains("Start ip (node1)", s);
    }

    [Fact]
    public void A_cloned_group_whose_later_member_is_banned_keeps_its_first_member_running()
    {
        // (A unique clone: an anonymous one's failures would ban the whole clone.)
        var crm = TwoNodes + "primitive a Dummy\nprimitive b Dummy meta migration-threshold=1\ngroup g a b\nclone c g meta clone-max=1 globally-unique=true";
        var status = new StatusBuilder().Online("node1", "node2").Running("node1", "a:0")
            .Attribute("node1", "fail-count-b:0#monitor_10000", "1").Attribute("node2", "fail-count-b:0#monitor_10000", "1");
        Assert.Empty(Summary(crm, status));
    }

    private const string ThreeNodesFenced = "node node1\nnode node2\nnode node3\nprimitive f stonith:fence_dummy\nprimitive a Dummy\nlocation lf f 100: node1\n";

    [Fact]
    public void With_fencing_a_node_that_left_while_its_history_says_a_resource_runs_there_is_fenced()
    {
        var status = new StatusBuilder().Online("node1", "node3").Down("node2").Running("node1", "f", "stonith:fence_dummy").Running("node2", "a");
        var s = Summary(ThreeNodesFenced, status);
        Assert.Contains("Fence (reboot) node2 'a is thought to be active there'", s);
        Assert.Contains("Move a (node2 -> node3)", s);
    }

    [Fact]
    public void Without_quorum_only_a_node_still_in_the_partition_is_fenced_and_a_failed_stop_elsewhere_is_left_blocked()
    {
        var crm = ThreeNodesFenced + "primitive b Dummy\nproperty no-quorum-policy=stop";
        var status = new StatusBuilder().NoQuorum().Online("node1", "node2").Down("node3").Running("node1", "f", "stonith:fence_dummy")
            .History("node2", "a", "ocf:heartbeat:Dummy", ("start", 0, 0), ("stop", 1, 0))
            .History("node3", "b", "ocf:heartbeat:Dummy", ("start", 0, 0), ("stop", 1, 0));
        var s = Summary(crm, status);
        Assert.Contains("Fence (reboot) node2 'a failed there'", s);
        Assert.Contains("Stop a (node2) due to node availability", s);
        Assert.DoesNotContain(s, l => l.Contains("node3"));
    }

    [Fact]
    public void A_live_migration_whose_migrate_from_failed_leaves_the_resource_failed_on_its_source_to_be_recovered()
    {
        var crm = TwoNodes + "primitive vm Dummy meta allow-migrate=true\nlocation l vm 100: node2";
        var status = new StatusBuilder().Online("node1", "node2").MigrationFailedOnTarget("node1", "node2", "vm");
        Assert.Equal(new[] { "Recover vm (node1 -> node2)" }, Summary(crm, status));
    }

    [Fact]
    public void A_live_migration_left_half_done_counts_the_resource_on_its_target_and_it_moves_by_stop_and_start()
    {
        var crm = TwoNodes + "primitive vm Dummy meta allow-migrate=true\nlocation l vm -inf: node2";
        var status = new StatusBuilder().Online("node1", "node2").MigrationLeftHalfDone("node1", "node2", "vm");
        Assert.Equal(new[] { "Move vm (node2 -> node1)" }, Summary(crm, status));
    }

    [Fact]
    public void A_watchdog_counts_as_a_means_of_fencing()
    {
        // Fencing enabled (the default) with no fencing device manages nothing, unless SBD's
        // watchdog can reset nodes (have-watchdog, set by the cluster).
        var crm = "node node1\nnode node2\nprimitive a Dummy";
        Assert.Empty(Summary(crm, new StatusBuilder().Online("node1", "node2")));
        Assert.Equal(new[] { "Start a (node1)" }, Summary(crm + "\nproperty have-watchdog=true", new StatusBuilder().Online("node1", "node2")));
    }

    [Fact]
    public void A_disabled_member_of_a_cloned_group_stops_with_those_after_it_and_an_interleaved_clone_that_must_be_with_the_whole_group()
    {
        var crm = TwoNodes + "primitive a Dummy\nprimitive b Dummy meta target-role=Stopped\nprimitive c Dummy\ngroup g a b c\nclone gc g meta clone-max=1\n" +
                  "primitive fs Dummy\nclone fsc fs meta clone-max=1 interleave=true\ncolocation with_stack inf: fsc gc";
        var status = new StatusBuilder().Online("node1", "node2").Running("node1", "a").Running("node1", "b").Running("node1", "c").Running("node1", "fs");
        Assert.Equal(new[] { "Stop b:0 (node1) due to node availability", "Stop c:0 (node1) due to node availability", "Stop fs:0 (node1) due to node availability" },
            Summary(crm, status).Order());
    }

    [Fact]
    public void A_migration_still_in_flight_is_no_failure()
    {
        var crm = TwoNodes + "primitive vm Dummy meta allow-migrate=true";
        var status = new StatusBuilder().Online("node1", "node2").MigrationInFlight("node1", "node2", "vm")
            .History("node2", "vm", "ocf:heartbeat:Dummy", ("monitor", 7, 0));
        Assert.DoesNotContain(Summary(crm, status), l => l.StartsWith("Recover", StringComparison.Ordinal));
    }

    [Fact]
    public void A_rule_on_is_dc_places_a_resource_on_the_designated_coordinator()
    {
        var crm = TwoNodes + "primitive ip Dummy\nlocation only_dc ip rule -inf: #is_dc eq false";
        var status = new StatusBuilder().Online("node1", "node2").Build();
        var parsed = CrmParser.Parse(crm, "t.crm");
        var lines = Scheduler.Schedule(parsed.Config!, status with { DcUuid = "node2" }, Now).SummaryLines().Select(ConformanceTests.Normalise);
        Assert.Equal(new[] { "Start ip (node2)" }, lines);
    }

    /// <summary>Found by the whole-cluster simulator (a VM left running on two nodes for good); crm_simulate restarts it too.</summary>
    [Fact]
    public void A_live_migratable_resource_running_on_two_nodes_without_a_migration_is_restarted_where_it_belongs()
    {
        var crm = TwoNodes + "primitive vm Dummy meta allow-migrate=true op monitor interval=10s\nlocation home vm 100: node1";
        var s = Summary(crm, new StatusBuilder().Online("node1", "node2").Running("node1", "vm").Running("node2", "vm"));
        Assert.Equal(new[] { "Restart vm (node1)" }, s);
    }

    /// <summary>Found by the whole-cluster simulator (the plan started a second copy beside the blocked one, for ever).</summary>
    [Fact]
    public void A_clone_instance_blocked_by_a_failed_stop_keeps_its_node_and_no_copy_starts_beside_it()
    {
        var crm = "node node1\nnode node2\nnode node3\nproperty stonith-enabled=false\nprimitive svc Dummy op monitor interval=10s\nclone cl svc";
        var status = new StatusBuilder().Online("node1", "node2", "node3").Running("node1", "svc").Running("node2", "svc")
            .History("node3", "svc", "ocf:heartbeat:Dummy", ("start", 0, 0), ("stop", 1, 0));
        Assert.Empty(Summary(crm, status));
    }
}
