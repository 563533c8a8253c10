using HaCluster.Core.Cib.Syntax;
using HaCluster.Core.Policy;
using Xunit;

namespace HaCluster.Core.Tests.Policy;

/// <summary>simulate --run: the status after a transition whose actions all succeeded.</summary>
public class TransitionApplierTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

    [Fact]
    public void After_the_transition_is_carried_out_the_scheduler_has_nothing_left_to_do()
    {
        var parsed = CrmParser.Parse("""
            node node1
            node node2
            node node3
            property stonith-enabled=false
            primitive a Dummy
            primitive b Dummy
            group g a b
            primitive c Dummy
            clone cc c
            location l g 100: node2
            """, "t.crm");
        var config = parsed.Config!;
        var status = new StatusBuilder().Online("node1", "node2", "node3").Build(config);
        var (graph, ws) = Scheduler.Run(config, status, Now);
        Assert.NotEmpty(graph.Changes);
        var after = TransitionApplier.Apply(config, status, graph, ws);
        Assert.Empty(Scheduler.Schedule(config, after, Now).SummaryLines());
    }

    [Fact]
    public void A_fenced_node_is_down_and_runs_nothing_afterwards()
    {
        var parsed = CrmParser.Parse("node node1\nnode node2\nproperty stonith-enabled=true\nprimitive f stonith:fence_dummy\nprimitive a Dummy", "t.crm");
        var config = parsed.Config!;
        var status = new StatusBuilder().Online("node1").Lost("node2").Running("node1", "f", "stonith:fence_dummy").Running("node2", "a").Build(config);
        var (graph, ws) = Scheduler.Run(config, status, Now);
        Assert.Contains(graph.Fencing, f => f.Node == "node2");
        var after = TransitionApplier.Apply(config, status, graph, ws);
        Assert.Empty(after.Nodes.Single(n => n.Uname == "node2").Resources);
        Assert.Empty(Scheduler.Schedule(config, after, Now).SummaryLines());
    }
}
