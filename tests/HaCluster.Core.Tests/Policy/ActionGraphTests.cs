using HaCluster.Core.Cib;
using HaCluster.Core.Cib.Syntax;
using HaCluster.Core.Policy;
using HaCluster.Core.Status;
using Xunit;

namespace HaCluster.Core.Tests.Policy;

/// <summary>The actions of a transition and their order: what the transition engine will run.</summary>
public class ActionGraphTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
    private const string TwoNodes = "node node1\nnode node2\nproperty stonith-enabled=false\n";

    private static TransitionGraph Graph(string crm, StatusBuilder status)
    {
        var parsed = CrmParser.Parse(crm, "t.crm");
        Assert.False(parsed.HasErrors, string.Join("\n", parsed.Diagnostics));
        var graph = Scheduler.Schedule(parsed.Config!, status.Build(parsed.Config!), Now);
        Assert.NotNull(graph.TopologicalOrder());
        return graph;
    }

    private static GraphAction Find(TransitionGraph g, string key, string node) =>
        g.Actions.Single(a => a.Key == key && a.Node == node);

    /// <summary>True when <paramref name="before"/> must complete before <paramref name="after"/> (directly or not).</summary>
    private static bool Precedes(TransitionGraph g, GraphAction before, GraphAction after)
    {
        var byId = g.Actions.ToDictionary(a => a.Id);
        var seen = new HashSet<int>();
        var stack = new Stack<int>(after.Inputs);
        while (stack.Count > 0)
        {
            var id = stack.Pop();
            if (id == before.Id) return true;
            if (seen.Add(id)) foreach (var i in byId[id].Inputs) stack.Push(i);
        }
        return false;
    }

    [Fact]
    public void A_move_stops_on_the_old_node_before_starting_on_the_new_one_then_monitors()
    {
        var g = Graph(TwoNodes + "primitive a Dummy op monitor interval=10s\nlocation l a 100: node2", new StatusBuilder().Online("node1", "node2").Running("node1", "a"));
        var stop = Find(g, "a_stop_0", "node1");
        var start = Find(g, "a_start_0", "node2");
        var monitor = Find(g, "a_monitor_10000", "node2");
        Assert.True(Precedes(g, stop, start));
        Assert.True(Precedes(g, start, monitor));
        Assert.Equal(3, g.Actions.Count);
    }

    [Fact]
    public void Group_members_start_in_order_and_stop_in_reverse()
    {
        var crm = TwoNodes + "primitive a Dummy\nprimitive b Dummy\nprimitive c Dummy\ngroup g a b c\nlocation l g 100: node2";
        var g = Graph(crm, new StatusBuilder().Online("node1", "node2").Running("node1", "a").Running("node1", "b").Running("node1", "c"));
        Assert.True(Precedes(g, Find(g, "c_stop_0", "node1"), Find(g, "b_stop_0", "node1")));
        Assert.True(Precedes(g, Find(g, "b_stop_0", "node1"), Find(g, "a_stop_0", "node1")));
        Assert.True(Precedes(g, Find(g, "a_start_0", "node2"), Find(g, "b_start_0", "node2")));
        Assert.True(Precedes(g, Find(g, "b_start_0", "node2"), Find(g, "c_start_0", "node2")));
        Assert.True(Precedes(g, Find(g, "a_stop_0", "node1"), Find(g, "c_start_0", "node2")));
    }

    [Fact]
    public void An_order_constraint_orders_starts_and_its_symmetrical_inverse_orders_stops()
    {
        var crm = TwoNodes + "primitive fs Dummy\nprimitive db Dummy\norder o Mandatory: fs db\nlocation l1 fs 100: node1\nlocation l2 db 100: node1";
        var starting = Graph(crm, new StatusBuilder().Online("node1", "node2"));
        Assert.True(Precedes(starting, Find(starting, "fs_start_0", "node1"), Find(starting, "db_start_0", "node1")));
        var moving = Graph(crm.Replace("100: node1", "100: node2"), new StatusBuilder().Online("node1", "node2").Running("node1", "fs").Running("node1", "db"));
        Assert.True(Precedes(moving, Find(moving, "db_stop_0", "node1"), Find(moving, "fs_stop_0", "node1")));
        Assert.True(Precedes(moving, Find(moving, "fs_start_0", "node2"), Find(moving, "db_start_0", "node2")));
    }

    [Fact]
    public void Fencing_comes_before_recovery_and_implies_the_stops_on_the_fenced_node()
    {
        var crm = "node node1\nnode node2\nproperty stonith-enabled=true\nprimitive st stonith:fence_dummy\nprimitive a Dummy\nlocation l st -inf: node1";
        var status = new StatusBuilder().Online("node2").Lost("node1").Running("node1", "a").Running("node2", "st", "stonith:fence_dummy");
        var g = Graph(crm, status);
        var fence = g.Actions.Single(x => x.Resource is null);
        Assert.Equal("node1", fence.Node);
        var stop = Find(g, "a_stop_0", "node1");
        Assert.True(stop.Pseudo);
        Assert.Contains(fence.Id, stop.Inputs);
        Assert.True(Precedes(g, fence, Find(g, "a_start_0", "node2")));
    }

    [Fact]
    public void On_promoted_failover_the_demote_and_stop_come_before_the_new_promote()
    {
        var crm = TwoNodes + "primitive db ocf:pacemaker:Stateful op monitor interval=10s role=Promoted op monitor interval=11s role=Unpromoted\n" +
                  "ms ms_db db meta promoted-max=1 clone-max=2\nlocation l ms_db rule $role=Promoted 100: #uname eq node2";
        var status = new StatusBuilder().Online("node1", "node2")
            .History("node1", "db", "ocf:pacemaker:Stateful", ("start", 0, 0), ("promote", 0, 0))
            .History("node2", "db", "ocf:pacemaker:Stateful", ("start", 0, 0));
        var g = Graph(crm, status);
        var demote = g.Actions.Single(a => a.Task == "demote");
        var promote = g.Actions.Single(a => a.Task == "promote");
        Assert.Equal("node1", demote.Node);
        Assert.Equal("node2", promote.Node);
        Assert.True(Precedes(g, demote, promote));
        Assert.Contains(g.Actions, a => a.Task == "monitor" && a.Node == "node2" && a.IntervalMs == 10000 && a.Role == "Promoted" && Precedes(g, promote, a));
        Assert.Contains(g.Actions, a => a.Task == "monitor" && a.Node == "node1" && a.IntervalMs == 11000 && Precedes(g, demote, a));
    }

    /// <summary>The public conformance CIBs that parse, with their status sections.</summary>
    private static IEnumerable<(string File, ClusterConfig Config, ClusterStatus Status)> PublicCases()
    {
        foreach (var file in Directory.GetFiles(TestPaths.ConformanceXml, "*.xml"))
        {
            var parsed = CibXmlReader.Parse(File.ReadAllText(file), file);
            if (parsed.Config is not null) yield return (file, parsed.Config, parsed.Status ?? ClusterStatus.Empty);
        }
    }

    [Fact]
    public void Every_graph_of_the_public_conformance_suite_is_acyclic_and_covers_its_changes()
    {
        var failures = new List<string>();
        foreach (var (file, config, status) in PublicCases())
        {
            TransitionGraph graph;
            try
            {
                graph = Scheduler.Schedule(config, status, status.ExecutionDate ?? Now);
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                continue; // the scheduler's own coverage is ConformanceTests' business
            }
            if (graph.TopologicalOrder() is null) failures.Add($"{Path.GetFileName(file)}: cycle");
            foreach (var c in graph.Changes.Where(c => c.Verb is "Start" or "Move" or "Recover" && c.Reason?.Contains("blocked") != true))
                if (!graph.Actions.Any(a => a.Resource == c.Resource && a.Task is "start" or "migrate_from"))
                    failures.Add($"{Path.GetFileName(file)}: {c.Verb} {c.Resource} has no start action");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(30)));
    }

    [Fact]
    public void Showing_the_current_state_first_changes_nothing_the_plan_is_made_from()
    {
        // hacrm simulate prints the current state, then plans on that same working set.
        var failures = new List<string>();
        foreach (var (file, config, status) in PublicCases())
        {
            var now = status.ExecutionDate ?? Now;
            List<string> alone, afterPrinting;
            try
            {
                alone = Scheduler.Schedule(config, status, now).SummaryLines().ToList();
                var current = Scheduler.CurrentState(config, status, now);
                HaCluster.Core.Status.Views.StatusPrinter.Print(current, new StringWriter(), new HaCluster.Core.Status.Views.StatusFilter { ShowNodeAttributes = true, ShowFailCounts = true, ShowOperations = true });
                afterPrinting = Scheduler.Plan(current).Graph.SummaryLines().ToList();
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                continue; // the scheduler's own coverage is ConformanceTests' business
            }
            if (!alone.SequenceEqual(afterPrinting)) failures.Add(Path.GetFileName(file));
        }
        Assert.True(failures.Count == 0, "planning after printing differs for: " + string.Join(", ", failures));
    }

    [Fact]
    public void A_promotable_clone_with_notify_hears_of_each_phase_before_and_after_it()
    {
        // s runs unpromoted on both nodes; node1 is to be promoted.
        var crm = TwoNodes + "primitive s ocf:pacemaker:Stateful\nms m s meta notify=true promoted-max=1";
        var status = new StatusBuilder().Online("node1", "node2")
            .History("node1", "s", "ocf:pacemaker:Stateful", ("start", 0, 0))
            .History("node2", "s", "ocf:pacemaker:Stateful", ("start", 0, 0))
            .Attribute("node1", "master-s", "10").Attribute("node2", "master-s", "5");
        var g = Graph(crm, status);
        var promote = g.Actions.Single(a => a.Task == "promote");
        var notifies = g.Actions.Where(a => a.Task == "notify").ToList();
        // Both instances hear of the promotion before it and after it.
        Assert.Equal(4, notifies.Count);
        var pre = notifies.Where(n => n.Meta!["notify_type"] == "pre").ToList();
        var post = notifies.Where(n => n.Meta!["notify_type"] == "post").ToList();
        Assert.Equal(["node1", "node2"], pre.Select(n => n.Node).Order());
        Assert.All(pre, n => Assert.True(Precedes(g, n, promote)));
        Assert.All(post, n => Assert.True(Precedes(g, promote, n)));
        var vars = post[0].Meta!;
        Assert.Equal("promote", vars["notify_operation"]);
        Assert.Equal("promoted", vars["notify_key_operation"]);
        Assert.Equal("node1", vars["notify_promote_uname"]);
        Assert.Equal(promote.Resource, vars["notify_promote_resource"]);
        Assert.Equal(" ", vars["notify_stop_uname"]);
        Assert.Equal("node1 node2", string.Join(' ', vars["notify_active_uname"].Split(' ').Order()));
        Assert.Equal(vars["notify_slave_uname"], vars["notify_unpromoted_uname"]);
        // Nothing changes in the summary: notifications are not changes.
        Assert.Equal(["  * Promote    s:0             ( Unpromoted -> Promoted node1 )"], g.SummaryLines());
    }

    [Fact]
    public void A_clone_without_notify_gets_no_notifications()
    {
        var crm = TwoNodes + "primitive d Dummy\nclone c d";
        Assert.DoesNotContain(Graph(crm, new StatusBuilder().Online("node1", "node2")).Actions, a => a.Task == "notify");
    }

    /// <summary>
    /// Found by the whole-cluster simulator (a transition given up between a start and its
    /// monitor left the resource unwatched for good); crm_simulate schedules the monitor too.
    /// </summary>
    [Fact]
    public void A_resource_that_stays_where_it_runs_gets_the_recurring_monitor_its_history_lacks()
    {
        var g = Graph(TwoNodes + "primitive a Dummy op monitor interval=20s", new StatusBuilder().Online("node1", "node2").Running("node1", "a"));
        var monitor = Find(g, "a_monitor_20000", "node1");
        Assert.Empty(monitor.Inputs);
        Assert.DoesNotContain(g.Actions, a => a.Task is "start" or "stop");
    }

    [Fact]
    public void A_resource_whose_recurring_monitor_runs_already_gets_no_action()
    {
        var g = Graph(TwoNodes + "primitive a Dummy op monitor interval=10s", new StatusBuilder().Online("node1", "node2").Running("node1", "a"));
        Assert.Empty(g.Actions);
    }
}
