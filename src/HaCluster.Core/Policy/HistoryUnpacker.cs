using HaCluster.Core.Cib;
using HaCluster.Core.Status;

namespace HaCluster.Core.Policy;

/// <summary>
/// Reads each node's operation history to find where every resource is active, in which role,
/// and whether it failed. Operations are replayed in call-id order; the last one decides.
/// </summary>
internal sealed class HistoryUnpacker(WorkingSet ws)
{
    /// <summary>Clone instances by their configuration id ("rsc" for "rsc:0".."rsc:N"), in instance order.</summary>
    private readonly Dictionary<string, List<SchedPrimitive>> _instancesByBaseId = ws.AllPrimitives()
        .Where(p => p.EnclosingClone is not null)
        .GroupBy(p => CloneBuilder.BaseId(p.Id))
        .ToDictionary(g => g.Key, g => g.ToList());

    /// <summary>Containers to restart on a node because something inside them failed there.</summary>
    private readonly List<(SchedPrimitive Container, SchedNode Node)> _containerRestarts = new();

    private const string RestartContainer = "restart-container";
    /// <summary>
    /// The default on-fail of a Pacemaker Remote connection's operations (other than probes and
    /// starts) with fencing enabled: the connection was lost, so the remote node is fenced.
    /// </summary>
    private const string ResetRemote = "reset-remote";
    private const int OcfSuccess = 0, OcfNotInstalled = 5, OcfNotRunning = 7, OcfRunningPromoted = 8, OcfFailedPromoted = 9;

    public void Unpack()
    {
        foreach (var state in ws.Status.Nodes)
        {
            var node = ws.NodeOf(state);
            if (node is null || node.IsRemote) continue;
            // A node that left cleanly runs nothing; an unclean one may (until fenced). With
            // fencing enabled a cluster node's history is read even when it left: a resource it
            // says is still active there can only be made safe by fencing the node.
            var leftCleanly = !node.Online && !node.Unclean;
            if (leftCleanly && !(ws.StonithEnabled && node.Attribute("#kind") == "cluster")) continue;
            foreach (var history in state.Resources)
                Apply(node, history);
            if (leftCleanly && !node.Maintenance && FirstActiveOn(node) is { } thought)
                Fence(node, $"{thought.Id} is thought to be active there");
        }
        UnpackRemoteNodes();
        ApplyFailedMigrations();
        foreach (var (container, node) in _containerRestarts)
            if (container.ActiveOn.ContainsKey(node)) container.RestartReason ??= "";
        // multiple-active=stop_only: a resource found active on several nodes is banned from
        // every node (Pacemaker's recovery), so each copy stops "due to node availability".
        foreach (var p in ws.AllPrimitives().Where(p => p.ActiveOn.Count > 1 && p.Parent is not SchedClone && p.MetaValue("multiple-active") == "stop_only"))
            p.HeldStopped = true;
        // multiple-active=block: Pacemaker leaves a resource active on several nodes alone and
        // blocked (unmanaged), so nothing ordered after it can start: its start is unrunnable.
        foreach (var p in ws.AllPrimitives().Where(p => p.ActiveOn.Count > 1 && p.Parent is not SchedClone && p.MetaValue("multiple-active") == "block"))
            p.Blocked = true;
        // Orphan copies whose history says they are stopped are nothing to act on or show.
        foreach (var orphan in _anonymousOrphans.Where(o => o.ActiveOn.Count == 0 && !o.Failed))
        {
            ws.Resources.Remove(orphan);
            ws.ById.Remove(orphan.Id);
            ws.StoppedCloneLeftovers.Add(orphan);
        }
    }

    /// <summary>
    /// A Pacemaker Remote node is up while its connection resource runs (and has not failed);
    /// it is shutting down when that resource is to stop (disabled, or gone from the
    /// configuration). Only then is its own history read: what runs there.
    /// </summary>
    private void UnpackRemoteNodes()
    {
        // In the order of their states in the status section (which numbers anonymous clone
        // instances found there, as Pacemaker numbers them).
        var statusOrder = ws.Status.Nodes.Select((s, i) => (ws.NodeOf(s), i)).Where(x => x.Item1 is not null)
            .GroupBy(x => x.Item1!).ToDictionary(g => g.Key, g => g.First().i);
        // Those whose connection (and container) runs first, failed or not, as Pacemaker reads
        // them; a later pass reads the rest.
        foreach (var node in ws.Nodes.Where(n => n.IsRemote).OrderBy(n => Running(n) ? 0 : 1).ThenBy(n => statusOrder.GetValueOrDefault(n, int.MaxValue)))
        {
            var connection = ws.ConnectionOf(node);
            if (node.IsGuest)
            {
                UnpackGuestNode(node, connection, ws.ContainerOf(node));
                continue;
            }
            node.Online = IsUp(node);
            if (node.Online)
            {
                if (connection!.Orphan || connection.TargetRole == Role.Stopped) node.Shutdown = true;
                ApplyHistoryOf(node);
            }
            // A connection that failed while running: the node is down, but what its history
            // says runs there is still there until the node is fenced.
            else if (connection is { Failed: true } && connection.ActiveOn.Count > 0)
            {
                ApplyHistoryOf(node);
                if (ws.StonithEnabled && !node.Maintenance && FirstActiveOn(node) is { } thought)
                    Fence(node, $"{thought.Id} is thought to be active there");
            }
            // Its connection is down and no cluster node can run it again: if the history says
            // something still runs there, only fencing the remote node makes that safe.
            else if (ws.StonithEnabled && !ws.Nodes.Any(n => !n.IsRemote && n.CanRunResources))
            {
                ApplyHistoryOf(node);
                if (FirstActiveOn(node) is { } active)
                    Fence(node, $"{active.Id} is active there (fencing will be revoked if remote connection can be re-established elsewhere)");
            }
        }
    }

    /// <summary>Whether a remote or guest node's connection runs (a guest's container too), failed or not.</summary>
    private bool Running(SchedNode node) =>
        ws.ConnectionOf(node) is SchedPrimitive { ActiveOn.Count: > 0 }
        && (!node.IsGuest || ws.ContainerOf(node) is SchedPrimitive { ActiveOn.Count: > 0 });

    /// <summary>Whether a remote or guest node is up: its connection runs, unfailed, and a guest's container too, on a node that is up.</summary>
    private bool IsUp(SchedNode node) =>
        Running(node) && ws.ConnectionOf(node) is { Failed: false }
        && (!node.IsGuest || ws.ContainerOf(node) is { Failed: false } container && !HostLost(container));

    /// <summary>A guest's container runs on a node that is lost (to be fenced).</summary>
    private static bool HostLost(SchedPrimitive container) => container.ActiveOn.Keys.Any(n => n.Unclean);

    /// <summary>
    /// A guest node is up while its container and its connection both run, unfailed, on a
    /// node that is up. A container that failed, or whose node is lost, takes the guest down
    /// uncleanly: it must be "fenced" (its container recovered). What the guest's history says
    /// still runs there once it is down (read if the connection ran, or with fencing enabled)
    /// is made safe the same way.
    /// </summary>
    private void UnpackGuestNode(SchedNode node, SchedPrimitive? connection, SchedPrimitive? container)
    {
        if (connection is null || container is null) return;
        node.Online = IsUp(node);
        if (node.Online)
        {
            if (connection.Orphan || container.TargetRole == Role.Stopped) node.Shutdown = true;
            ApplyHistoryOf(node);
            return;
        }
        if (HostLost(container) || (container.Failed && container.ActiveOn.Count > 0)) ResetGuest(node);
        if (connection.ActiveOn.Count == 0 && !ws.StonithEnabled) return;
        ApplyHistoryOf(node);
        if (FirstActiveOn(node) is null) return;
        // Something runs on a guest that is down: only fencing it makes that safe.
        FenceGuest(node);
    }

    /// <summary>A node must be fenced (the first reason given is kept); a guest node is fenced by recovering its container.</summary>
    private void Fence(SchedNode node, string reason)
    {
        if (node.IsGuest)
        {
            FenceGuest(node);
            return;
        }
        node.Unclean = true;
        node.FenceReason ??= reason;
    }

    /// <summary>Fences a guest: its container is recovered (not if unmanaged: then nothing can be done).</summary>
    private void FenceGuest(SchedNode guest)
    {
        if (ws.ContainerOf(guest) is not SchedPrimitive container || container.Failed) return;
        if (!ManagedByConfiguration(container)) return;
        container.FailedOn.UnionWith(container.ActiveOn.Keys);
        ResetGuest(guest);
    }

    private static void ResetGuest(SchedNode node)
    {
        node.GuestReset = true;
        node.FenceReason ??= "guest is unclean";
    }

    private void ApplyHistoryOf(SchedNode node)
    {
        foreach (var state in ws.Status.Nodes.Where(s => ws.NodeOf(s) == node))
            foreach (var history in state.Resources)
                Apply(node, history);
    }

    private SchedPrimitive? FirstActiveOn(SchedNode node) => ws.AllPrimitives().FirstOrDefault(p => p.ActiveOn.ContainsKey(node));

    /// <summary>
    /// Live migrations the history shows unfinished or failed, read as Pacemaker reads them.
    /// After a successful migrate_to: a migrate_from that failed on the target, which has
    /// recorded something of the resource since (or is gone), leaves the resource failed on the
    /// source (recovered, not migrated again); no migrate_from at all, with the source moved on,
    /// leaves it counted on the target. After a failed migrate_to: the resource may run on its
    /// target as well; unless the target has recorded something of it since (or nothing at all:
    /// a probe will tell), it counts as active and failed there too.
    /// </summary>
    private void ApplyFailedMigrations()
    {
        foreach (var p in ws.AllPrimitives().Where(p => p.EnclosingClone is null).ToList())
            foreach (var (source, history) in p.HistoryOn.ToList())
            {
                // Most histories hold no migration at all: skip them before sorting anything.
                if (!history.Operations.Any(o => o.Task == "migrate_to")) continue;
                var done = history.Operations.Where(o => o.OpStatus != 1 && o.CallId >= 0).OrderBy(o => o.CallId).ToList();
                var migrateTo = done.LastOrDefault(o => o.Task == "migrate_to" && o.RcCode == OcfSuccess && o.OpStatus == 0);
                if (migrateTo?.MigrateTarget is not { } targetName) continue;
                if (ws.FindNode(targetName) is not { } target || target == source) continue;
                var onTarget = p.HistoryOn.TryGetValue(target, out var there) ? there.Operations : EquatableArray<OperationRecord>.Empty;
                var migrateFrom = onTarget.Where(o => o.Task == "migrate_from" && o.OpStatus != 1 && o.CallId >= 0 && o.MigrateSource == source.Name)
                    .OrderBy(o => o.CallId).LastOrDefault();
                var sourceMovedOn = done.Any(o => o.CallId > migrateTo.CallId && o.Task != "monitor");
                if (migrateFrom is null)
                {
                    // No migrate_from recorded (pending, or erased) and the source has moved on
                    // (stopped, probed): the resource may well be running on the target, unless
                    // the target recorded something of it after the migrate_to.
                    var targetNewer = onTarget.Any(o => o.OpStatus != 1 && o.LastRcChange is { } t && migrateTo.LastRcChange is { } m && t > m);
                    if (sourceMovedOn && !targetNewer && target.Online && !p.ActiveOn.ContainsKey(target))
                    {
                        p.ActiveOn[target] = Role.Started;
                        p.LeftByPartialMigration = true;
                    }
                    // Nothing since on either side: the migration is under way, half done.
                    else if (!sourceMovedOn && !targetNewer && target.Online && source.Online && p.ActiveOn.ContainsKey(source) && !p.ActiveOn.ContainsKey(target))
                    {
                        p.ActiveOn[target] = p.ActiveOn[source];
                        p.PartialMigration = (source, target);
                    }
                    continue;
                }
                if (sourceMovedOn) continue;
                if (migrateFrom is { RcCode: OcfSuccess, OpStatus: 0 })
                {
                    // Migrated, but the source's stop was never recorded: it runs on the target
                    // only; the source needs that stop, and no new migration starts until then.
                    if (p.ActiveOn.ContainsKey(target) && p.ActiveOn.Remove(source)) p.DanglingSource = source;
                    continue;
                }
                if (migrateFrom.OpStatus == -1) continue;
                var newerOnTarget = onTarget.Any(o => o.OpStatus != 1 && o.CallId > migrateFrom.CallId);
                if ((newerOnTarget || !target.Online) && p.ActiveOn.ContainsKey(source)) p.FailedOn.Add(source);
            }

        foreach (var p in ws.AllPrimitives().Where(p => p.EnclosingClone is null).ToList())
            foreach (var (source, history) in p.HistoryOn.ToList())
                foreach (var op in history.Operations.Where(o => o.Task == "migrate_to" && o.OpStatus is not (1 or -1) && o.CallId >= 0 && (o.RcCode != OcfSuccess || o.OpStatus != 0)))
                {
                    if (op.MigrateTarget is not { } targetName || ws.FindNode(targetName) is not { Online: true } target || target == source) continue;
                    if (!p.HistoryOn.TryGetValue(target, out var there)) continue;
                    if (there.Operations.Any(o => o.OpStatus != 1 && (o.LastRcChange ?? 0) > (op.LastRcChange ?? long.MaxValue))) continue;
                    if (!p.ActiveOn.ContainsKey(target)) p.ActiveOn[target] = Role.Started;
                    p.FailedOn.Add(target);
                }
    }

    private void Apply(SchedNode node, ResourceHistory history)
    {
        var rsc = FindInstance(history.Id, node);
        if (rsc is null)
        {
            rsc = Orphan(history);
            if (rsc is null) return;
        }
        rsc.HistoryOn[node] = history;
        var (role, failed, stopFailed, onFail) = Replay(history, rsc, node);
        // on-fail=standby, demote or stop make no sense for a stop: Pacemaker resets them to the
        // default (fence, or block without fencing).
        if (stopFailed && onFail is "standby" or "demote" or "stop") onFail = null;
        // Hard errors ban the node; "not configured" is fatal everywhere (Pacemaker's classification).
        var last = history.Operations.Where(o => o.OpStatus != 1).OrderBy(o => o.CallId).LastOrDefault(o => o.Task is not "notify");
        if (failed && onFail != "ignore" && last is not null && last.RcCode is 2 or 4 or 5)
            rsc.HardErrorOn.Add(node);
        // A probe that found the agent not installed there: not running, and it cannot run there.
        if (last is { Task: "monitor", IntervalMs: 0, RcCode: 5 } && last.CallId >= 0 && role == Role.Stopped)
        {
            rsc.HardErrorOn.Add(node);
            rsc.NotInstalledOn.Add(node);
        }
        // A probe the executor could not run because the agent is not installed there (op-status
        // 7): the node cannot run the resource at all. (The agent's own "not installed", rc 5
        // with op-status 0, only means it is not running.)
        if (last is { Task: "monitor", IntervalMs: 0, OpStatus: 7 })
            rsc.HardErrorOn.Add(node);
        if (history.Operations.Any(o => o.RcCode == 6 && o.OpStatus != 1))
            rsc.HeldStopped = true;
        // A promote that failed last (crm_simulate recovers it "Promoted -> Unpromoted", and
        // promotes another instance if any can be); under on-fail=ignore it counts as done.
        if (failed && onFail != "ignore" && last is { Task: "promote" } && last.RcCode != OcfSuccess)
            rsc.PromoteFailedOn.Add(node);
        if (role > Role.Stopped)
        {
            rsc.ActiveOn[node] = role;
            _historyOf.TryAdd((rsc, node), history.Id);
        }
        // A stop that failed on a node that is to be fenced anyway (lost, say): fencing stops
        // it for sure, whatever on-fail says; it simply moves.
        if (stopFailed && node.Lost && ws.StonithEnabled)
            return;
        // The node is already known to need fencing (from its membership, or a failure of a
        // resource read before this one on it): this failure changes nothing, as in Pacemaker,
        // which ignores on-fail there. The resource simply moves once the node is fenced;
        // except under on-fail=stop, which Pacemaker applies when it reads the failure itself
        // ("will not be started under current conditions").
        if ((failed || stopFailed) && node.Unclean && ws.StonithEnabled)
        {
            if (failed && onFail == "stop") HoldStopped(rsc);
            return;
        }
        if (failed)
        {
            switch (onFail)
            {
                case "ignore":
                    break;
                case "block":
                    rsc.FailedOn.Add(node);
                    rsc.Blocked = true;
                    break;
                case "stop":
                    rsc.FailedOn.Add(node);
                    HoldStopped(rsc);
                    break;
                case "standby":
                    if (role > Role.Stopped) rsc.FailedOn.Add(node);
                    node.Standby = true;
                    break;
                case RestartContainer when rsc.Container is not null:
                    // Recovered where it is (unless the failure was a stop, already counted as
                    // done), and its container restarts there first.
                    if (role > Role.Stopped) rsc.FailedOn.Add(node);
                    _containerRestarts.Add((rsc.Container, node));
                    break;
                case ResetRemote:
                    // Recovered (unless already stopped); its node is fenced unless that has
                    // happened since; with reconnect_interval it stays down until the failure expires.
                    if (role > Role.Stopped) rsc.FailedOn.Add(node);
                    if (ws.FindNode(rsc.Id) is { IsRemote: true, RemoteWasFenced: false } remote)
                        Fence(remote, "remote connection is unrecoverable");
                    if (rsc.ReconnectIntervalMs > 0) rsc.HeldStopped = true;
                    break;
                case "demote" when role == Role.Promoted:
                    // Recovered by demotion (Pacemaker sets failed without stop), and promoted
                    // again if it is still the one to be promoted.
                    rsc.RecoverByDemotionOn.Add(node);
                    break;
                case "fence":
                    // Its node is fenced whatever the resource's role there; the resource itself
                    // is only failed (to be recovered) where it is still active, as in Pacemaker.
                    if (role > Role.Stopped) rsc.FailedOn.Add(node);
                    // A resource the cluster leaves alone has its node fenced only while it is
                    // still active there (crm_simulate 2.1.5: once it stopped after the failure,
                    // only a managed one still fences).
                    if (ws.StonithEnabled && (ManagedByConfiguration(rsc) || role > Role.Stopped)) Fence(node, $"{rsc.ConfigId} failed there");
                    break;
                default:
                    if (role > Role.Stopped) rsc.FailedOn.Add(node);
                    break;
            }
        }
        if (stopFailed)
        {
            rsc.StopFailedOn.Add(node);
            // (on-fail=restart tries the stop again and recovers it elsewhere: nothing more here.)
            // on-fail=fence without fencing stops it and keeps it stopped, as on-fail=stop would.
            if (onFail == "restart") return;
            if (onFail == "fence" && !ws.StonithEnabled) HoldStopped(rsc);
            else if (ws.StonithEnabled && onFail is null or "fence")
            {
                Fence(node, $"{rsc.ConfigId} failed there");
                // Without quorum a node outside this partition cannot be fenced: nothing more
                // can be done for the resource there.
                if (!node.Online && !ws.HaveQuorum && ws.NoQuorumPolicy != "ignore") rsc.Blocked = true;
            }
            else rsc.Blocked = true;
        }
    }

    /// <summary>
    /// on-fail=stop: it stops and starts nowhere. An anonymous clone's instances are one resource
    /// to Pacemaker: they all stop, and none starts elsewhere (crm_simulate 2.1.5, checked on the
    /// failure generator's cases).
    /// </summary>
    private static void HoldStopped(SchedPrimitive rsc)
    {
        rsc.HeldStopped = true;
        if (rsc.EnclosingClone is { GloballyUnique: false } clone)
            foreach (var sibling in clone.Primitives().Where(x => CloneBuilder.BaseId(x.Id) == CloneBuilder.BaseId(rsc.Id)))
                sibling.HeldStopped = true;
    }

    /// <summary>A resource in the history but not in the configuration: stopped if still active.</summary>
    private SchedPrimitive? Orphan(ResourceHistory history)
    {
        if (ws.ById.ContainsKey(history.Id)) return null;
        var def = new Primitive(history.Id, new AgentSpec(history.Class, history.Provider, history.Type),
            EquatableArray<AttributeSet>.Empty, EquatableArray<AttributeSet>.Empty, EquatableArray<Operation>.Empty);
        var orphan = new SchedPrimitive(history.Id, null, def, def.Agent!)
        {
            Orphan = true,
            // (A guest's connection names its container, itself an orphan read before it.)
            Container = history.Container is { } container ? ws.ById.GetValueOrDefault(container) as SchedPrimitive : null,
        };
        orphan.HeldStopped = true;
        ws.ById[orphan.Id] = orphan;
        ws.Resources.Add(orphan);
        return orphan;
    }

    /// <summary>
    /// The resource a history entry belongs to: the primitive with that id, or for a unique clone
    /// the instance it names ("rsc:2"), or for an anonymous clone the instance already active on
    /// this node, else the lowest-numbered one active nowhere.
    /// </summary>
    private SchedPrimitive? FindInstance(string historyId, SchedNode node)
    {
        // (An anonymous clone's orphan copy is not found by its id: its number was given by node.
        // Told by OrphanedFrom, not by searching the list of them: with a node lost there are
        // hundreds, and every one of a big cluster's histories passes here.)
        if (ws.ById.TryGetValue(historyId, out var exact) && exact is SchedPrimitive { EnclosingClone: null, OrphanedFrom: null } p)
            return p;
        // A bundle's container has an id of its own ("B-docker-1").
        if (exact is SchedPrimitive { Parent: SchedClone { Bundle: not null } } container) return container;
        var baseId = CloneBuilder.BaseId(historyId);
        if (!_instancesByBaseId.TryGetValue(baseId, out var candidates))
            return CopyOfEmptyClone(baseId, node) ?? exact as SchedPrimitive;
        var clone = candidates[0].EnclosingClone!;
        // Inside a bundle, the instance is the one of the guest node the history is on.
        if (clone.BundleContainers is not null)
            return candidates.FirstOrDefault(c => c.BundleNode == node) ?? AnonymousOrphan(candidates[0], clone);
        if (clone.GloballyUnique)
            return candidates.FirstOrDefault(c => c.Id == historyId);
        // Anonymous: the instance number in the history means nothing (Pacemaker renumbers): the
        // instance already seen on this node, else the lowest-numbered one not active anywhere.
        // A second active history of a primitive clone on one node (globally-unique was switched
        // off, say) is an orphan copy beyond clone-max: it is stopped.
        var seen = candidates.FirstOrDefault(c => c.ActiveOn.ContainsKey(node));
        if (seen is not null && _historyOf.TryGetValue((seen, node), out var first) && first != historyId)
            return AnonymousOrphan(seen, clone);
        // Every instance taken elsewhere (a node came back with a copy still running, more copies
        // than clone-max): this one is an orphan copy beyond clone-max, stopped if active.
        var instance = candidates.FirstOrDefault(c => c.ActiveOn.ContainsKey(node) || c.FailedOn.Contains(node))
                       ?? candidates.FirstOrDefault(c => c.ActiveOn.Count == 0 && c.FailedOn.Count == 0 && InstanceFreeOn(c, node));
        // A copy on a node that is gone or must be fenced does not take up one of the instance
        // numbers, unless the resource needs fencing before it can run elsewhere (or the clone
        // runs on every node): it may look active, but an instance should start elsewhere now.
        if (instance is not null && !ws.NeedsFencing(instance) && (!node.Online || node.Unclean) && clone.CloneMax != ws.Nodes.Count)
            instance = null;
        return instance ?? AnonymousOrphan(candidates[0], clone);
    }

    /// <summary>Which history made an instance active on a node (to tell a second copy from the first).</summary>
    private readonly Dictionary<(SchedPrimitive, SchedNode), string> _historyOf = new();
    /// <summary>
    /// An anonymous clone with clone-max=0 has no instances: every copy still running is an
    /// orphan, one per node (whatever instance number its history has), numbered in the order
    /// the nodes come in the status section, as Pacemaker numbers them.
    /// </summary>
    private SchedPrimitive? CopyOfEmptyClone(string baseId, SchedNode node)
    {
        var clone = ws.AllResources().OfType<SchedClone>().FirstOrDefault(c => !c.GloballyUnique && c.Definition.Child is Primitive p && p.Id == baseId);
        if (clone is null) return null;
        if (_emptyCloneCopies.TryGetValue((clone, node), out var copy)) return copy;
        var definition = (Primitive)clone.Definition.Child;
        return _emptyCloneCopies[(clone, node)] = AnonymousOrphan(new SchedPrimitive(baseId, null, definition, definition.Agent!), clone);
    }

    private readonly Dictionary<(SchedClone, SchedNode), SchedPrimitive> _emptyCloneCopies = new();
    private readonly Dictionary<(SchedClone, string), int> _orphanCount = new();
    private readonly List<SchedPrimitive> _anonymousOrphans = new();

    private SchedPrimitive AnonymousOrphan(SchedPrimitive like, SchedClone clone)
    {
        // Numbered per member: a cloned group's leftover copy is one instance number for all of
        // its members (apache2:2 and mysql-proxy:2), as Pacemaker numbers it.
        var baseId = CloneBuilder.BaseId(like.Id);
        var n = clone.Instances.Count() + _orphanCount.GetValueOrDefault((clone, baseId));
        _orphanCount[(clone, baseId)] = _orphanCount.GetValueOrDefault((clone, baseId)) + 1;
        var id = $"{baseId}:{n}";
        var orphan = new SchedPrimitive(id, null, like.Definition with { Id = id }, like.Agent) { Orphan = true, OrphanedFrom = clone };
        orphan.HeldStopped = true;
        ws.ById[orphan.Id] = orphan;
        ws.Resources.Add(orphan);
        _anonymousOrphans.Add(orphan);
        return orphan;
    }

    private static bool InstanceFreeOn(SchedPrimitive instance, SchedNode node)
    {
        // In a cloned group, members of one instance must stay together.
        if (instance.Parent is SchedGroup g)
            return g.Members.All(m => m.ActiveOn.Count == 0 || m.ActiveOn.ContainsKey(node));
        return true;
    }

    private (Role Role, bool Failed, bool StopFailed, string? OnFail) Replay(ResourceHistory history, SchedPrimitive rsc, SchedNode node)
    {
        var role = Role.Stopped;
        var failed = false;
        var stopFailed = false;
        string? onFail = null;
        // How severe the on-fail in force is: Pacemaker keeps the most severe one of the failures
        // replayed so far (a later, milder failure does not soften an on-fail=stop), -1 for none.
        var onFailSeverity = -1;
        // A failure: the resource is failed there, under the more severe of the on-fail values.
        void Fail(OperationRecord op)
        {
            failed = true;
            var value = OnFail(rsc, op);
            // A failure on-fail=ignore pretends to have succeeded, and Pacemaker then ignores
            // migration-threshold for the resource altogether.
            if (value == "ignore") rsc.FailuresIgnored = true;
            var severity = OnFailSeverity(value, op);
            if (severity > onFailSeverity) (onFail, onFailSeverity) = (value, severity);
        }
        // A completed start, stop, promote, probe or migration: past failures are over, except
        // those whose on-fail outlasts the resource (stop, standby, fence), as in Pacemaker.
        void ClearPastFailures()
        {
            if (failed && onFail is "stop" or "standby" or "fence") return;
            failed = false;
            onFail = null;
            onFailSeverity = -1;
        }
        var promotable = rsc.EnclosingClone is { Promotable: true };
        var ops = history.Operations.Where(o => o.OpStatus != 1 && o.Task is not ("notify" or "meta-data" or "validate-all"))
            .OrderBy(o => o.CallId < 0 ? int.MaxValue : o.CallId).ToList();
        foreach (var op in ops)
        {
            if (IsBlockFailure(rsc, op)) rsc.BlockFailureOn.Add(node);
            var expected = op.ExpectedRc;
            var pending = op.CallId < 0 || op.OpStatus is -1 or 7;
            // Degraded (190) and degraded-promoted (191) still run: success with a warning.
            var rc = op.RcCode switch { 190 => OcfSuccess, 191 => OcfRunningPromoted, var other => other };
            // An executor "error" status is judged again from the result (a probe that found the
            // resource stopped is no failure); timeouts and hard/fatal errors stay failures.
            var probe = op.Task == "monitor" && op.IntervalMs == 0;
            // Not what was expected (a probe may find the resource in any state).
            var unexpected = rc != expected && !(probe && rc is OcfNotRunning or OcfSuccess or OcfRunningPromoted);
            var opFailed = !pending && (op.OpStatus is 2 or 5 or 6 || (op.OpStatus == 4 && unexpected));
            // A failure older than failure-timeout, with no fail count left that is younger,
            // has expired: it is as if it never happened.
            if (!pending && (opFailed || (rc != expected && !probe)) && Expired(rsc, op, node))
            {
                // Even expired, "not running" from a resource the cluster does not manage says it
                // is stopped (Pacemaker reads that result before it looks at the expiry).
                if (rc == OcfNotRunning && !opFailed && !ManagedByConfiguration(rsc)) { role = Role.Stopped; ClearPastFailures(); }
                continue;
            }
            // Its state here is known once one operation counts (Pacemaker's known_on: a history
            // of expired failures alone leaves it unknown, and its promotion score does not apply).
            rsc.KnownOn.Add(node);
            RecordFailure(history, node, op, pending, opFailed || unexpected);
            // "Not running" when that is what was expected (the transition key says so) is no
            // failure, whatever the action: the resource is simply stopped there. Nor is it for a
            // resource the cluster does not manage: nobody is to recover it, so it is just stopped.
            if (rc == OcfNotRunning && !pending && !opFailed
                && (expected == OcfNotRunning && op.Task != "stop" || !ManagedByConfiguration(rsc)))
            {
                role = Role.Stopped;
                ClearPastFailures();
                continue;
            }
            switch (op.Task)
            {
                case "start":
                    if (pending) { role = Role.Started; break; }
                    if (rc == OcfSuccess && !opFailed) { role = promotable ? Role.Unpromoted : Role.Started; ClearPastFailures(); }
                    // A failed start may have left it running: in a promotable clone, as Unpromoted.
                    else { role = promotable ? Role.Unpromoted : Role.Started; Fail(op); }
                    break;
                case "stop":
                    if (pending) { role = Role.Started; break; }
                    if (rc == OcfSuccess && !opFailed)
                    {
                        role = Role.Stopped; stopFailed = false;
                        // Most failures are over once the resource stopped cleanly; a lost
                        // remote connection that must wait to reconnect is not.
                        if (!(failed && onFail == ResetRemote && rsc.ReconnectIntervalMs > 0)) ClearPastFailures();
                    }
                    else if (OnFail(rsc, op) == "ignore")
                    {
                        // on-fail=ignore: Pacemaker pretends the stop succeeded ("failure ignored").
                        role = Role.Stopped; stopFailed = false; ClearPastFailures();
                        rsc.FailuresIgnored = true;
                    }
                    else if (OnFail(rsc, op) == RestartContainer && rsc.Container is not null)
                    {
                        // Inside a container, a failed stop counts as done: restarting the
                        // container stops it for sure (Pacemaker's "failure ignored").
                        role = Role.Stopped; stopFailed = false; ClearPastFailures();
                        rsc.FailuresIgnored = true;
                        if (onFailSeverity <= OnFailSeverity("restart", op)) { failed = true; onFail = RestartContainer; onFailSeverity = OnFailSeverity(RestartContainer, op); }
                    }
                    else
                    {
                        // A stop that failed leaves it running.
                        stopFailed = true; Fail(op);
                        if (role == Role.Stopped) role = promotable ? Role.Unpromoted : Role.Started;
                    }
                    break;
                case "promote":
                    if (pending) { role = Role.Promoted; break; }
                    if (rc == OcfSuccess && !opFailed) { role = Role.Promoted; ClearPastFailures(); }
                    else { role = Role.Promoted; Fail(op); }
                    break;
                case "demote":
                    if (pending) break;
                    // A completed demote ends a past failure only under on-fail=demote (Pacemaker
                    // recovers it still otherwise).
                    if (rc == OcfSuccess && !opFailed)
                    {
                        role = Role.Unpromoted;
                        if (onFail == "demote") ClearPastFailures();
                    }
                    else
                    {
                        // A failed demote leaves it unpromoted (it is recovered by a stop, and
                        // any promotion waits for that), unless on-fail=block holds it promoted.
                        Fail(op);
                        role = OnFail(rsc, op) == "block" ? Role.Promoted : Role.Unpromoted;
                    }
                    break;
                case "migrate_to":
                    if (rc == OcfSuccess && !opFailed) role = Role.Started;
                    else if (!pending) { role = Role.Started; Fail(op); }
                    break;
                case "migrate_from":
                    if (rc == OcfSuccess && !opFailed) { role = Role.Started; ClearPastFailures(); }
                    else if (!pending) { role = Role.Started; Fail(op); }
                    break;
                case not ("monitor" or "reload" or "reload-agent" or "cancel") when !pending && (opFailed || rc != expected):
                    // Any other action that failed (an agent's own, asyncmon say): a failure of
                    // the resource where it runs.
                    Fail(op);
                    if (role == Role.Stopped) role = promotable ? Role.Unpromoted : Role.Started;
                    break;
                case "monitor":
                    if (pending) break;
                    switch (rc)
                    {
                        case OcfSuccess when !opFailed:
                            if (expected == OcfRunningPromoted && op.IntervalMs > 0) { Fail(op); role = Role.Unpromoted; }
                            else
                            {
                                role = promotable ? (role == Role.Promoted && op.IntervalMs > 0 ? Role.Promoted : Role.Unpromoted) : Role.Started;
                                if (op.IntervalMs == 0) ClearPastFailures();
                            }
                            break;
                        case OcfNotRunning:
                            if (op.IntervalMs > 0 && expected != OcfNotRunning)
                            {
                                // A recurring monitor found it gone: a failure; it is treated as
                                // still active there so that it is recovered (stopped, then started).
                                Fail(op);
                                if (role == Role.Stopped) role = promotable ? Role.Unpromoted : Role.Started;
                            }
                            else { ClearPastFailures(); role = Role.Stopped; }
                            break;
                        case OcfRunningPromoted:
                            role = Role.Promoted;
                            if (op.IntervalMs == 0) ClearPastFailures();
                            break;
                        case OcfFailedPromoted:
                            role = Role.Promoted; Fail(op);
                            break;
                        case OcfNotInstalled when op.IntervalMs == 0:
                            // A probe that found the agent missing: it does not run there (the
                            // node is ruled out for it; see Apply), and that is no failure.
                            role = Role.Stopped; ClearPastFailures();
                            break;
                        default:
                            Fail(op);
                            if (role == Role.Stopped) role = promotable ? Role.Unpromoted : Role.Started;
                            break;
                    }
                    break;
            }
        }
        return (role, failed, stopFailed, onFail);
    }

    /// <summary>
    /// How severe an on-fail value is, in Pacemaker's order: ignore, demote, restart,
    /// reset-remote, restart-container, block, stop, standby, fence. A stop's default is fence
    /// with fencing enabled, else block; any other operation's default is restart.
    /// </summary>
    private int OnFailSeverity(string? onFail, OperationRecord op) => onFail switch
    {
        "ignore" => 0,
        "demote" => 1,
        null when op.Task == "stop" => ws.StonithEnabled ? 9 : 6,
        null or "restart" => 2,
        ResetRemote => 3,
        RestartContainer => 4,
        "block" => 6,
        "stop" => 7,
        "standby" => 8,
        "fence" => 9,
        _ => 2,
    };

    /// <summary>Keeps a failed operation for status displays (degraded results too, as crm_mon lists them).</summary>
    private void RecordFailure(ResourceHistory history, SchedNode node, OperationRecord op, bool pending, bool failed)
    {
        if (pending || op.OpStatus == 1) return;
        if (!failed && op.RcCode is not (190 or 191)) return;
        // As crm_mon: failures are listed for nodes in the membership.
        if (!node.Online && !node.InMembership) return;
        if (ws.FailedOperations.Any(f => f.Node == node && f.Resource == history.Id && f.Operation.CallId == op.CallId && f.Operation.Task == op.Task)) return;
        ws.FailedOperations.Add(new FailedOperation(history.Id, node, op));
    }

    private bool Expired(SchedPrimitive rsc, OperationRecord op, SchedNode node)
    {
        var timeoutMs = rsc.FailureTimeoutMs;
        if (timeoutMs <= 0) return false;
        // failure-timeout conflicts with on-fail=block: a blocked failure waits for an operator.
        // Pacemaker drops the timeout (for good) when it counts a failure of the blocking
        // operation itself, while the resource has a fail count on the node.
        if (IsBlockFailure(rsc, op) && node.Failures(FailureNames(rsc)).Count > 0)
        {
            rsc.FailureTimeoutCancelled = true;
            return false;
        }
        // A lost remote connection waits for its node to have been fenced before its failure
        // may expire: reconnecting to a node in an unknown state could run things twice.
        if (rsc.ReconnectIntervalMs > 0 && ws.FindNode(rsc.Id) is { RemoteWasFenced: false }) return false;
        var changed = op.LastRcChange ?? op.LastRun;
        if (changed is null) return false;
        var expires = DateTimeOffset.FromUnixTimeSeconds(changed.Value).AddMilliseconds(timeoutMs);
        if (expires > ws.Now)
        {
            ws.RecheckNoLaterThan(expires);
            return false;
        }
        // A younger failure recorded in the node's attributes keeps the old one alive.
        var (_, lastFailure) = node.Failures(FailureNames(rsc));
        if (lastFailure == 0) return true;
        var youngerExpires = DateTimeOffset.FromUnixTimeSeconds(lastFailure).AddMilliseconds(timeoutMs);
        ws.RecheckNoLaterThan(youngerExpires);
        return youngerExpires <= ws.Now;
    }

    private static string[] FailureNames(SchedPrimitive rsc) => new[] { rsc.Id, rsc.ConfigId, CloneBuilder.BaseId(rsc.Id) }.Distinct().ToArray();

    /// <summary>
    /// A recorded failure of an operation configured with on-fail=block (the operation's own
    /// attribute, as Pacemaker looks for it): its last-failure entry, or its recurring entry
    /// with an unexpected result.
    /// </summary>
    private static bool IsBlockFailure(SchedPrimitive rsc, OperationRecord op)
    {
        if (!rsc.Definition.Operations.Any(d => d.OnFail == "block" && d.Name == op.Task && d.IntervalMilliseconds == op.IntervalMs)) return false;
        var baseId = CloneBuilder.BaseId(rsc.ConfigId);
        return op.Id == $"{baseId}_last_failure_0" || op.Id == $"{baseId}_{op.Task}_{op.IntervalMs}" && op.RcCode != op.ExpectedRc;
    }

    /// <summary>
    /// The op's on-fail, from its definition or op_defaults; for a resource inside a container
    /// "restart-container" by default; null for the default.
    /// </summary>
    private string? OnFail(SchedPrimitive rsc, OperationRecord op)
    {
        foreach (var def in rsc.Definition.Operations)
            if (def.Name == op.Task && def.IntervalMilliseconds == op.IntervalMs && def.OnFail is { } of)
                return of;
        if (ws.Config.OperationDefault("on-fail") is { } byDefault) return byDefault;
        if (rsc.Container is not null) return RestartContainer;
        var probeOrStart = op.Task == "start" || op is { Task: "monitor", IntervalMs: 0 };
        return rsc.IsRemoteConnection && !probeOrStart && ws.StonithEnabled && ManagedByConfiguration(rsc) ? ResetRemote : null;
    }

    /// <summary>
    /// is-managed, the resource's maintenance and maintenance-mode as the configuration sets them
    /// (the final word on management, <see cref="SchedResource.Managed"/>, comes with placement,
    /// after the history).
    /// </summary>
    private bool ManagedByConfiguration(SchedPrimitive rsc) =>
        (CibBoolean.TryParse(rsc.MetaValue("is-managed")) ?? true) && !CibBoolean.IsTrue(rsc.MetaValue("maintenance")) && !ws.MaintenanceMode;
}
