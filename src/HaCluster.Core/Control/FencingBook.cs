using HaCluster.Core.Api;
using HaCluster.Core.Policy;

namespace HaCluster.Core.Control;

/// <summary>
/// What this node knows of fencing: the nodes fenced since they were last members (cleanly down,
/// not to be fenced again), the fencing history every member keeps (bounded, for `hacrm status`
/// and a later DC), and the choice of the member and device that fence a node.
/// </summary>
internal sealed class FencingBook(ControllerContext context)
{
    private const int HistoryLimit = 100;
    /// <summary>Nodes fenced since they were last members, with the view epoch the fencing ended in.</summary>
    private readonly Dictionary<string, long> fenced = new();
    private readonly List<FenceEventReply> history = new();

    public IReadOnlyList<FenceEventReply> History => history;

    public bool WasFenced(string node) => fenced.ContainsKey(node);

    /// <summary>
    /// The node is a member of a view newer than the one its fencing ended in: it came back, and if
    /// lost later it is to be fenced again. In the view the fencing ended in it is only a member
    /// the membership has not yet seen go: counting it back then had it fenced a second time when
    /// it was declared dead (fault campaign, seed 66), which powered it off again after its reboot.
    /// </summary>
    public void Rejoined(string node)
    {
        if (fenced.TryGetValue(node, out var epoch) && context.View.Epoch > epoch) fenced.Remove(node);
    }

    public void Record(FenceEventReply e)
    {
        history.Add(e);
        if (history.Count > HistoryLimit) history.RemoveAt(0);
    }

    /// <summary>
    /// A fencing action ended (on the DC): every member hears of it; a success makes the victim
    /// known to be down (even when the transition that asked for it was abandoned meanwhile).
    /// </summary>
    public void Completed(ExecuteResult result)
    {
        if (result.Target is not { } victim) return;
        var e = new FenceEventReply(victim, result.Task, result.Ok, result.Resource, result.Node ?? "?", context.SelfName,
            context.Now.Wall.ToUnixTimeSeconds(), result.ExitReason);
        Record(e);
        foreach (var m in context.OtherMembers) context.Send(m, new FencedMessage(e));
        if (result.Ok && result.Task is not "on" && fenced.TryAdd(victim, context.View.Epoch)) context.Warn($"{victim} fenced ({result.Task})");
    }

    /// <summary>
    /// The member and device to fence a node with (FencingDevices: host lists and maps, fencing
    /// topology, location bans; never the victim itself; this node first, a started device first).
    /// </summary>
    public (int Node, string Device)? FencerFor(string victim, IReadOnlyDictionary<string, NodeReport> reports)
    {
        var members = context.View.Members.OrderBy(m => m == context.SelfId ? 0 : 1).ThenBy(m => m).ToList();
        bool Started(string device) => reports.Values.Any(r => r.Histories.Any(h => h.Id == device &&
            h.Operations.Any(o => o.Key.EndsWith("_last_0", StringComparison.Ordinal) && o.Task is "start" or "monitor" && o.Rc == 0)));
        var choice = FencingDevices.Choose(context.Config!, victim, members.Select(context.Name).ToList(), Started);
        if (choice is not { } chosen) return null;
        return (members.First(m => context.Name(m) == chosen.Node), chosen.Device);
    }
}
