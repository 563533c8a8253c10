using HaCluster.Core.Cib;

namespace HaCluster.Core.Policy;

/// <summary>
/// Compares where each resource is with where it will be, and says what changes: start, stop,
/// move, recover, promote, demote; and which nodes to fence first.
/// </summary>
internal sealed class ActionPlanner(WorkingSet ws)
{
    /// <summary>Without quorum (and no-quorum-policy other than ignore), what is allowed changes.</summary>
    private bool NoQuorum => !ws.HaveQuorum && ws.NoQuorumPolicy != "ignore";

    /// <summary>
    /// Whether a node may be fenced: with quorum, any; without it, only one still in this
    /// partition's membership (it cannot be running anything behind the partition's back).
    /// </summary>
    private bool CanFence(SchedNode n) => ws.StonithEnabled && (!NoQuorum || n.Online);

    /// <summary>Nodes in reverse order (remote and guest nodes, listed last, first): the order crm_simulate lists fencing in.</summary>
    private IEnumerable<SchedNode> NodesLastFirst => Enumerable.Reverse(ws.Nodes);

    /// <summary>A guest is fenced by recovering its container: possible where the container's node is up or can be fenced.</summary>
    private bool CanFenceGuest(SchedNode guest) =>
        ws.ContainerOf(guest) is SchedPrimitive container && container.ActiveOn.Keys.All(n => n.Online || CanFence(n));

    /// <summary>"reboot" when the container starts again (here or elsewhere), "off" when it only stops.</summary>
    private FenceAction GuestFencing(SchedNode guest)
    {
        var container = ws.ContainerOf(guest)!;
        return new FenceAction(guest.Name, container.AssignedTo is null ? "off" : "reboot", guest.FenceReason ?? "guest is unclean", container.Id);
    }

    public TransitionGraph Plan()
    {
        var fencing = new List<FenceAction>();
        if (NoQuorum && ws.NoQuorumPolicy == "suicide" && ws.StonithEnabled)
        {
            foreach (var n in NodesLastFirst.Where(n => n.Online))
                fencing.Add(new FenceAction(n.Name, "reboot", "cluster does not have quorum"));
            return new TransitionGraph(fencing, Array.Empty<ResourceChange>());
        }
        foreach (var n in NodesLastFirst)
        {
            if (n.GuestReset && CanFenceGuest(n))
                fencing.Add(GuestFencing(n));
            else if (n.Unclean && CanFence(n))
                fencing.Add(new FenceAction(n.Name, ws.Property("stonith-action") is "off" or "poweroff" ? "off" : "reboot",
                    n.FenceReason ?? "node is unclean"));
        }
        if (ws.StonithEnabled && !NoQuorum)
            foreach (var n in NodesLastFirst.Where(n => n.UnfenceReason is not null))
                fencing.Add(new FenceAction(n.Name, "on", n.UnfenceReason!));

        var changes = new List<ResourceChange>();
        foreach (var p in ws.AllPrimitives())
        {
            if (NoQuorum && NeedsQuorum(p))
            {
                if (ChangeWithoutQuorum(p) is { } change) changes.Add(change);
            }
            else changes.AddRange(Changes(p));
        }
        return new TransitionGraph(fencing, changes);
    }

    /// <summary>
    /// A primitive's change lines: one, except that a resource active on several nodes that is
    /// to run nowhere (multiple-active stop_start or stop_only) is stopped on each of them.
    /// </summary>
    private IEnumerable<ResourceChange> Changes(SchedPrimitive p)
    {
        if (p.Managed && p.ActiveOn.Count > 1 && p.AssignedTo is null
            && (p.MetaValue("multiple-active") ?? "stop_start") is "stop_start" or "stop_only")
            return p.ActiveOn.Select(kv => new ResourceChange("Stop", p.Id, Details(kv.Value, kv.Key, Role.Stopped, null), "due to node availability"));
        return Change(p) is { } change ? [change] : [];
    }

    private ResourceChange? Change(SchedPrimitive p)
    {
        if (!p.Managed) return null;
        var to = p.AssignedTo;
        // Active on several nodes (a failed migration, say): speak from the one it stays on.
        var from = to is not null && p.ActiveOn.ContainsKey(to) ? to : p.ActiveOn.Keys.FirstOrDefault();
        var current = p.CurrentRole;
        var next = to is null ? Role.Stopped : p.NextRole is Role.Unknown or Role.Stopped ? Role.Started : p.NextRole;
        // On a guest being fenced (its container recovered) it is stopped by that: if it stays
        // there, it is recovered, as after a failure.
        var failed = p.Failed || (from is { GuestReset: true } && p.ActiveOn.ContainsKey(from));

        if (from is null && to is null) return null;
        // A half-done live migration finishes where it was going.
        if (p.PartialMigration is var (source, target) && to == target && !failed && p.Managed)
            return new ResourceChange("Migrate", p.Id, Details(current, source, next, to));
        // Active on several nodes at once (a node that came back with it still running):
        // multiple-active=stop_start (the default) stops every copy and starts one where it belongs.
        // (A live-migratable resource active on two nodes with a migration under way is not this
        // case; one that merely runs twice is: the simulator found a VM left running on two
        // nodes for good, seed 9338 of a long run; crm_simulate restarts it.)
        if (p.ActiveOn.Count > 1 && p.Parent is not SchedClone && !(p.AllowMigrate && MigrationHistory(p)))
        {
            switch (p.MetaValue("multiple-active") ?? "stop_start")
            {
                case "block":
                    return null;
                // stop_only bans it everywhere (HistoryUnpacker): each copy stops, listed by
                // Changes; only an unmanaged one gets here, and nothing is done to it.
                case "stop_only":
                    return null;
                // stop_unexpected: the copies elsewhere stop; Pacemaker 2.1.5 restarts the one where it
                // belongs too, and reports it as that node's restart.
                case "stop_unexpected" when to is not null && p.ActiveOn.ContainsKey(to) && !failed:
                    return new ResourceChange("Restart", p.Id, Details(current, to, next, to));
                default:
                    if (to is null) return new ResourceChange("Stop", p.Id, Details(current, p.ActiveOn.Keys.First(), Role.Stopped, null), "due to node availability");
                    // The other copies are on nodes about to be fenced, which stops them: a resource
                    // that does not need fencing (a fencing device, requires=quorum or nothing)
                    // simply stays where it belongs, restarting there only if it must anyway (a
                    // changed definition). One that needs fencing counts those copies too
                    // (Pacemaker cannot tell what they did): it restarts, below.
                    var restartWhy = p.RestartReason is { Length: > 0 } because ? because : null;
                    if (!failed && p.ActiveOn.ContainsKey(to) && p.ActiveOn.Keys.All(n => n == to || n.Unclean) && !ws.NeedsFencing(p))
                        return p.RestartReason is null ? null : new ResourceChange("Restart", p.Id, Details(current, to, next, to), restartWhy);
                    // Failed and (also) active where it belongs: every copy stops, one starts there
                    // again. Pacemaker names the reason only under stop_unexpected (the stops of
                    // the unexpected copies carry it, so only when a failed copy is one of them).
                    // Shown from the node the status lists it on first, as crm_simulate shows it.
                    if (failed && p.ActiveOn.ContainsKey(to))
                    {
                        var listedFirst = p.ActiveOn.Keys.First();
                        // Under stop_unexpected the line carries "being multiply active" when the
                        // failure is on an unexpected copy (the one where it belongs is sound).
                        return new ResourceChange("Recover", p.Id, Details(current, listedFirst, next, to),
                            !p.FailedOn.Contains(to) && p.MetaValue("multiple-active") == "stop_unexpected" ? "due to being multiply active" : null);
                    }
                    // Reported from where the status lists it first: a restart when that is where it stays.
                    var first = p.ActiveOn.Keys.First();
                    if (!failed && first == to) return new ResourceChange("Restart", p.Id, Details(current, to, next, to), restartWhy);
                    var other = p.ActiveOn.Keys.First(n => n != to);
                    // Not active where it belongs: under stop_unexpected every copy's stop is "for
                    // being multiply active" (Pacemaker sets the reason when the resource is both
                    // restarting and stop_unexpected), and the line carries it.
                    return new ResourceChange(failed ? "Recover" : "Move", p.Id, Details(current, other, next, to),
                        !p.ActiveOn.ContainsKey(to) && p.MetaValue("multiple-active") == "stop_unexpected" ? "due to being multiply active" : null);
            }
        }
        // A group member whose stop waits for a later member's stop that cannot happen: that is
        // what crm_simulate names, whatever else made it stop.
        if (p.ForcedStopReason is not null && from is not null && p is { StopBlocked: true, StopBlockedBy: { } heldBy, StopBlockKind: StopBlock.GroupMember })
            return new ResourceChange("Stop", p.Id, Details(current, from, Role.Stopped, null), $"due to unrunnable {heldBy.Id} stop (blocked)");
        if (p.ForcedStopReason is not null && from is not null)
            return new ResourceChange("Stop", p.Id, Details(current, from, Role.Stopped, null), p.ForcedStopReason.Length == 0 ? null : p.ForcedStopReason);
        if (p.BlockedStartReason is not null && from is null && to is not null)
            return new ResourceChange(next == Role.Promoted ? "Promote" : "Start", p.Id, Details(Role.Stopped, null, next, to), p.BlockedStartReason);
        // Started and promoted in one transition: crm_simulate reports it as a promotion.
        if (from is null)
            return new ResourceChange(next == Role.Promoted ? "Promote" : "Start", p.Id, Details(Role.Stopped, null, next, to));
        // Moving or restarting, but its stop waits for one that cannot happen: it stays, and crm_simulate reports
        // the stop it wanted, blocked by that one (and no start elsewhere).
        // (Behind a clone's stop, whose pseudo action runs anyway, it moves as planned.)
        if (to is not null && (to != from || p.RestartReason is not null || p.FailedOn.Contains(from))
            && p is { StopBlocked: true, StopBlockedBy: { } blocker, StopBlockKind: not StopBlock.Other })
            return new ResourceChange("Stop", p.Id, Details(current, from, Role.Stopped, null),
                p.StopBlockKind == StopBlock.GroupMember ? $"due to unrunnable {blocker.Id} stop (blocked)" : "blocked");
        if (to is null)
        {
            var reason = p.StopBlocked ? "due to node availability (blocked)" : "due to node availability";
            return new ResourceChange("Stop", p.Id, Details(current, from, Role.Stopped, null), reason);
        }
        if (from == to)
        {
            // (A failed promoted instance kept as Unpromoted names the order that requires its start.)
            if (failed) return new ResourceChange("Recover", p.Id, Details(current, from, next, to),
                current == Role.Promoted && next != Role.Promoted && p.RestartReason is { Length: > 0 } inPlace ? inPlace : null);
            // A promoted instance that failed under on-fail=demote and must restart anyway (an
            // order requires it): failed and stopped, it is a recovery (crm_simulate names no reason).
            if (p.RestartReason is not null && p.RecoverByDemotionOn.Contains(from))
                return new ResourceChange("Recover", p.Id, Details(current, from, next, to));
            // Restarted, and promoted or demoted on the way: still a restart, with both roles shown.
            if (p.RestartReason is not null)
                return new ResourceChange("Restart", p.Id, Details(current, from, current == Role.Promoted && next == Role.Started ? Role.Unpromoted : next, to),
                    p.RestartReason.Length == 0 ? null : p.RestartReason);
            // A promoted instance that failed under on-fail=demote is demoted, then promoted again
            // where it is when it is still the one to be promoted.
            if (current == Role.Promoted && next == Role.Promoted && p.RecoverByDemotionOn.Contains(from))
                return new ResourceChange("Re-promote", p.Id, Details(current, from, next, to));
            if (current == next)
                return p.ReloadOn == from ? new ResourceChange("Reload", p.Id, Details(current, from, next, to)) : null;
            if (current == Role.Unpromoted && next == Role.Promoted) return new ResourceChange("Promote", p.Id, Details(current, from, next, to));
            if (current == Role.Promoted && next is Role.Unpromoted or Role.Started) return new ResourceChange("Demote", p.Id, Details(current, from, Role.Unpromoted, to));
            return null;
        }
        if (p.CanMigrateFrom(from))
            return FirstThatChanges(p) is { } first
                ? new ResourceChange("Move", p.Id, Details(current, from, next, to), $"due to unrunnable {first.Id} stop")
                : new ResourceChange("Migrate", p.Id, Details(current, from, next, to));
        return failed
            ? new ResourceChange("Recover", p.Id, Details(current, from, next, to), p.RestartReason is { Length: > 0 } why ? why : null)
            : new ResourceChange("Move", p.Id, Details(current, from, next, to));
    }

    /// <summary>
    /// A resource can migrate only if what it is ordered after (a mandatory order) is not itself
    /// stopped or started in this transition (migrating along is fine): Pacemaker's migration
    /// keeps the order by turning it into migrate_to/migrate_from orders, which a stop or start of
    /// the first cannot satisfy, so it moves with a stop and a start instead.
    /// </summary>
    private SchedResource? FirstThatChanges(SchedPrimitive p)
    {
        foreach (var o in ws.Config.Constraints.OfType<OrderConstraint>())
        {
            if (!o.IsMandatory) continue;
            foreach (var pair in OrderPairs.Of(ws, o))
            {
                if (pair.FirstAction != "start" || pair.ThenAction != "start" || !pair.Then.Primitives().Contains(p)) continue;
                if (pair.First.Primitives().Any(f => f != p && f.Managed && StartsOrStops(f))) return pair.First;
            }
        }
        return null;
    }

    /// <summary>It will be stopped or started (not migrated) by this transition.</summary>
    private static bool StartsOrStops(SchedPrimitive f)
    {
        var to = f.AssignedTo;
        if (f.ActiveOn.Count == 0) return to is not null;
        if (to is null || !f.ActiveOn.ContainsKey(to)) return !f.WillMigrate;
        return f.Failed || f.RestartReason is not null;
    }

    /// <summary>Only resources with requires=nothing run without quorum (fencing devices require quorum too).</summary>
    private bool NeedsQuorum(SchedPrimitive p) => ws.Requires(p) != "nothing";

    /// <summary>
    /// no-quorum-policy=stop: everything active stops (blocked where its node cannot be fenced),
    /// nothing starts; freeze: what runs keeps running, nothing starts.
    /// </summary>
    private ResourceChange? ChangeWithoutQuorum(SchedPrimitive p)
    {
        if (!p.Managed) return null;
        var from = p.ActiveOn.Keys.FirstOrDefault();
        var to = p.AssignedTo;
        // no-quorum-policy=demote: promoted instances are demoted, unpromoted ones keep running.
        if (ws.NoQuorumPolicy == "demote" && p.EnclosingClone is { Promotable: true })
        {
            if (from is null || from.Unclean) return null;
            return p.CurrentRole == Role.Promoted ? new ResourceChange("Demote", p.Id, Details(Role.Promoted, from, Role.Unpromoted, from)) : null;
        }
        var stop = ws.NoQuorumPolicy != "freeze";
        var why = stop ? "no quorum" : "quorum freeze";
        // On a node about to be fenced, the fencing stops it whatever quorum says.
        if (from is not null && from.Unclean && CanFence(from))
            return new ResourceChange("Stop", p.Id, Details(p.CurrentRole, from, Role.Stopped, null), "due to node availability");
        if (from is not null)
        {
            if (!stop && !from.Unclean) return null;
            var blocked = from.Unclean ? " (blocked)" : "";
            return new ResourceChange("Stop", p.Id, Details(p.CurrentRole, from, Role.Stopped, null), $"due to {why}{blocked}");
        }
        if (to is null) return null;
        var next = p.NextRole is Role.Unknown or Role.Stopped ? Role.Started : p.NextRole;
        // A start straight into the promoted role is reported as its promotion, blocked.
        if (next == Role.Promoted) return new ResourceChange("Promote", p.Id, Details(Role.Stopped, null, next, to), "blocked");
        return new ResourceChange("Start", p.Id, Details(Role.Stopped, null, next, to), $"due to {why} (blocked)");
    }

    /// <summary>The parenthesised part of a summary line, in crm_simulate's shapes.</summary>
    internal static string Details(Role current, SchedNode? from, Role next, SchedNode? to)
    {
        var roleMatters = current is Role.Unpromoted or Role.Promoted || next is Role.Promoted;
        string R(Role r) => Roles.Name(r);
        if (from is null) return roleMatters ? $"{R(Role.Stopped)} -> {R(next)} {to}" : $"{to}";
        if (to is null) return roleMatters ? $"{R(current)} {from}" : $"{from}";
        if (from == to)
            return current == next ? (roleMatters ? $"{R(current)} {from}" : $"{from}") : $"{R(current)} -> {R(next)} {from}";
        return current == next
            ? (roleMatters ? $"{from} -> {to} {R(current)}" : $"{from} -> {to}")
            : $"{R(current)} {from} -> {R(next)} {to}";
    }

    /// <summary>The resource migrated, or tried to, on some node: two active copies are then that migration's business.</summary>
    /// <summary>
    /// The resource is active on several nodes because of a live migration: one under way or
    /// left half done, or every node it is active on took part in a migration. A copy started
    /// elsewhere since (no migration there) makes it a plain multiple-active case: a VM migrated
    /// away, stopped on its target and started on a third node was migrated again from its old
    /// source while it ran on the third (simulator, seed 465822 of a long run; crm_simulate
    /// recovers it: stops every copy, starts one).
    /// </summary>
    private static bool MigrationHistory(SchedPrimitive p)
    {
        if (p.PartialMigration is not null || p.DanglingMigration || p.LeftByPartialMigration) return true;
        // The nodes a migration record names: where it ran, its source and its target.
        var ends = new HashSet<string>();
        foreach (var (node, history) in p.HistoryOn)
            foreach (var o in history.Operations.Where(o => o.Task is "migrate_to" or "migrate_from"))
            {
                ends.Add(node.Name);
                if (o.MigrateSource is { } source) ends.Add(source);
                if (o.MigrateTarget is { } target) ends.Add(target);
            }
        return ends.Count > 0 && p.ActiveOn.Keys.All(n => ends.Contains(n.Name));
    }
}
