using HaCluster.Core.Cib;
using HaCluster.Core.Status;

namespace HaCluster.Core.Policy;

/// <summary>
/// The policy engine: a pure function from configuration + status + "now" to a transition graph.
/// It follows Pacemaker's scheduler: build the working set, read where resources are from the
/// operation history, score nodes (location, stickiness, failures), assign resources to nodes in
/// priority order honouring colocations, then compare current and next state.
/// </summary>
public static class Scheduler
{
    public static TransitionGraph Schedule(ClusterConfig config, ClusterStatus status, DateTimeOffset now)
    {
        var ws = WorkingSet.Build(config, status, now);
        new HistoryUnpacker(ws).Unpack();
        new Placement(ws).Run();
        new OrderPropagation(ws).Run();
        return new ActionPlanner(ws).Plan();
    }
}
