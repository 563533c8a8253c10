using HaCluster.Core.Cib;
using HaCluster.Core.Policy;
using HaCluster.Core.Status;

namespace HaCluster.Core.Control;

/// <summary>
/// The DC's record of shutdown locks (shutdown-lock=true): which resources a node that shut down
/// cleanly held when it went, and since when. The scheduler locks them while the node shuts
/// down; once the node has left, its status carries nothing, so the DC keeps the lock in that
/// node's history (lrm_resource shutdown-lock, as Pacemaker's controller records it) until the
/// node returns. The locks travel in the status picture the DC sends every member, so a new
/// DC takes them over (<see cref="Adopt"/>).
/// </summary>
public sealed class ShutdownLockBook
{
    private readonly Dictionary<string, long> shuttingDownSince = new();
    private readonly Dictionary<string, Dictionary<string, AgentSpec>> locked = new();

    /// <summary>When the node announced its shutdown (the first time this DC heard of it).</summary>
    public long Since(string node, DateTimeOffset now)
    {
        if (!shuttingDownSince.TryGetValue(node, out var since)) shuttingDownSince[node] = since = now.ToUnixTimeSeconds();
        return since;
    }

    /// <summary>Notes the locks of one scheduler run (resources kept for nodes shutting down).</summary>
    public void Record(WorkingSet ws)
    {
        foreach (var p in ws.AllPrimitives())
            if (p.LockedTo is { Online: true, Shutdown: true } node)
            {
                if (!locked.TryGetValue(node.Name, out var resources)) locked[node.Name] = resources = new();
                resources[p.ConfigId] = p.Agent;
            }
    }

    /// <summary>
    /// A shutting-down member's own history, with the lock on each resource kept for it: once
    /// stopped there, the lock (not its being active) is what keeps it from starting elsewhere.
    /// </summary>
    public IEnumerable<ResourceHistory> WithLocks(string node, IEnumerable<ResourceHistory> histories)
    {
        if (!locked.TryGetValue(node, out var resources) || !shuttingDownSince.TryGetValue(node, out var since)) return histories;
        return histories.Select(h => resources.ContainsKey(h.Id) ? h with { ShutdownLock = since } : h);
    }

    /// <summary>
    /// The history to show for a node that left cleanly: each locked resource stopped there,
    /// with the lock's time; empty when nothing is locked to it.
    /// </summary>
    public EquatableArray<ResourceHistory> HistoryOf(string node)
    {
        if (!locked.TryGetValue(node, out var resources) || !shuttingDownSince.TryGetValue(node, out var since)) return EquatableArray<ResourceHistory>.Empty;
        return resources.Select(kv => new ResourceHistory(kv.Key, kv.Value.Class, kv.Value.Provider, kv.Value.Type,
            new[] { new OperationRecord($"{kv.Key}_last_0", "stop", 0, 0, 0, 1, $"{kv.Key}_stop_0") }.ToEquatableArray(),
            ShutdownLock: since)).ToEquatableArray();
    }

    /// <summary>
    /// What a new DC learns from the old DC's last picture (every member holds it): the nodes
    /// that were shutting down (they left cleanly; they are not to be fenced) and the locks
    /// held for them. Returns the nodes that were shutting down and are no longer members.
    /// </summary>
    public List<string> Adopt(ClusterStatus picture, IReadOnlySet<string> members)
    {
        var left = new List<string>();
        foreach (var state in picture.Nodes)
        {
            if (state.Uname is not { } name || members.Contains(name)) continue;
            var locks = state.Resources.Where(h => h.ShutdownLock is not null).ToList();
            if (!state.ShuttingDown && locks.Count == 0) continue;
            left.Add(name);
            foreach (var h in locks)
            {
                shuttingDownSince.TryAdd(name, h.ShutdownLock!.Value);
                if (!locked.TryGetValue(name, out var resources)) locked[name] = resources = new();
                resources[h.Id] = new AgentSpec(h.Class, h.Provider, h.Type);
            }
        }
        return left;
    }

    /// <summary>The node is back (or running normally): its locks are released.</summary>
    public void Forget(string node)
    {
        shuttingDownSince.Remove(node);
        locked.Remove(node);
    }
}
