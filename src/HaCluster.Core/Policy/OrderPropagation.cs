using HaCluster.Core.Cib;

namespace HaCluster.Core.Policy;

/// <summary>
/// What mandatory orders do to the placement result, as Pacemaker's order flags do:
/// "first then" makes the then-action unrunnable when the first-action is (a start that cannot
/// happen blocks the dependent's start, and stops it if it runs), and required when the first
/// is required (a dependent already running restarts after its first restarts or starts).
/// Groups chain their members the same way. Optional and serializing orders only order.
/// </summary>
internal sealed class OrderPropagation(WorkingSet ws)
{
    private sealed record Edge(string OrderId, SchedResource First, string FirstAction, SchedResource Then, string ThenAction, bool Symmetrical = true, OneOrMore? Relaxed = null);

    public void Run()
    {
        var edges = BuildEdges();
        BlockBundlesBesideUnstartablePrimaries();
        BlockWhatMustBeWithAPromotionThatCannotHappen();
        for (int round = 0; round < 50; round++)
        {
            var changed = false;
            // A start that becomes unrunnable blocks what is colocated with it at once, before
            // the orders after it are followed: "due to colocation with" wins, as in crm_simulate.
            foreach (var e in edges)
                foreach (var then in ThenTargets(e))
                    if (Apply(e, then))
                    {
                        changed = true;
                        ApplyColocations(eager: true, primary: then);
                    }
            changed |= ApplyColocations(eager: false);
            changed |= ApplyRestartType();
            if (!changed) break;
        }
        BlockStops(edges);
    }

    /// <summary>
    /// The deprecated restart-type=restart upgrades an optional order to one that restarts the
    /// dependent, as Pacemaker does ("recovery implies right"): a dependent that stays where it is
    /// restarts when something of the first resource starts or stops on its node.
    /// </summary>
    private bool ApplyRestartType()
    {
        var changed = false;
        foreach (var o in ws.Config.Constraints.OfType<OrderConstraint>())
        {
            if (o.Kind is not "Optional" && !(o.Kind is null && o.Score is { } score && score.Value <= 0)) continue;
            foreach (var pair in OrderPairs.Of(ws, o))
            {
                if (pair.Relaxed is not null) continue;
                if (pair.FirstAction == "stop" && pair.ThenAction == "stop")
                {
                    changed |= RestartForStop(pair.First, pair.Then);
                    continue;
                }
                if (pair.FirstAction is not ("start" or "promote") || pair.ThenAction != "start") continue;
                var role = pair.FirstAction == "promote" ? Role.Promoted : Role.Started;
                var firsts = pair.First.Primitives().ToList();
                // A group's first member restarts for it; the group chain restarts the rest.
                foreach (var then in Targets(pair.Then, asThen: true))
                {
                    if (!then.Managed || RestartType(then) != "restart" || !WillRun(then) || then.RestartReason is not null || then.Failed) continue;
                    var node = then.AssignedTo!;
                    if (!then.ActiveOn.ContainsKey(node)) continue;
                    // The first's start (or promotion) on this node comes or goes, or happens again.
                    bool ActiveHere(SchedPrimitive f) => f.ActiveOn.TryGetValue(node, out var now) && now >= role;
                    bool ActiveHereAfter(SchedPrimitive f) => f.AssignedTo == node && WillRun(f) && f.NextRole >= role;
                    bool ChangesHere(SchedPrimitive f) => ActiveHere(f) != ActiveHereAfter(f)
                                                          || (ActiveHere(f) && ActiveHereAfter(f) && (f.Failed || f.RestartReason is not null));
                    if (!firsts.Any(ChangesHere)) continue;
                    then.RestartReason = $"due to required {Describe(pair.First, pair.FirstAction)}";
                    changed = true;
                }
            }
        }
        return changed;
    }

    /// <summary>
    /// "first stop then stop" upgraded by restart-type=restart: when the first stops (anywhere),
    /// the dependent's stop is required too; one that stays where it is restarts. crm_simulate
    /// gives no reason for that restart.
    /// </summary>
    private static bool RestartForStop(SchedResource first, SchedResource thenResource)
    {
        static bool Stops(SchedPrimitive f) => f.Managed && f.ActiveOn.Count > 0
            && (!WillRun(f) || !f.ActiveOn.ContainsKey(f.AssignedTo!) || f.Failed || f.RestartReason is not null);
        if (!first.Primitives().Any(Stops)) return false;
        var changed = false;
        foreach (var then in thenResource.Primitives())
        {
            if (!then.Managed || RestartType(then) != "restart" || !WillRun(then) || then.RestartReason is not null || then.Failed) continue;
            if (!then.ActiveOn.ContainsKey(then.AssignedTo!)) continue;
            then.RestartReason = "";
            changed = true;
        }
        return changed;
    }

    /// <summary>A resource's restart-type, looked up through its group or clone.</summary>
    private static string? RestartType(SchedResource r)
    {
        for (SchedResource? x = r; x is not null; x = x.Parent)
            if (x.MetaValue("restart-type") is { } value) return value;
        return null;
    }

    /// <summary>
    /// A resource that must be with another (mandatory colocation) cannot run where that one's
    /// start cannot happen: it stops, or its start is blocked, "due to colocation with" it.
    /// Applied eagerly, right after an order makes a start unrunnable, this goes before the
    /// orders that follow, except behind a primary that was running and stops for an unrunnable
    /// first: its start only becomes required after that, and crm_simulate follows its orders
    /// ("due to required") before its colocations.
    /// </summary>
    private bool ApplyColocations(bool eager, SchedPrimitive? primary = null)
    {
        var changed = false;
        // Right after one start turned unrunnable, only the colocations with it (or its clone) can change.
        var colocations = primary is null ? ws.Colocations : ColocationsWith(primary).Concat(primary.EnclosingClone is { } enclosing ? ColocationsWith(enclosing) : []);
        foreach (var c in colocations)
        {
            if (c.Score < Score.InfinityValue || c.Dependent.Parent is SchedGroup && c.Dependent.Parent == c.Primary.Parent) continue;
            // A promotable clone's promoted role with a resource whose start cannot happen: the
            // instance to be promoted beside it is blocked too.
            if (c.Dependent is SchedClone { Promotable: true } clone && c.DependentRole == Role.Promoted
                && c.Primary is SchedPrimitive blockedPrimary && blockedPrimary.AssignedTo is { } where && !WillRun(blockedPrimary))
            {
                foreach (var instance in clone.Instances.OfType<SchedPrimitive>())
                    if (instance.Managed && instance.NextRole == Role.Promoted && instance.AssignedTo == where && !Active(instance)
                        && instance.BlockedStartReason is null)
                    {
                        instance.BlockedStartReason = $"due to colocation with {blockedPrimary.Id} (blocked)";
                        changed = true;
                    }
                continue;
            }
            if (c.Dependent is not SchedPrimitive dependent || !dependent.Managed || !WillRun(dependent)) continue;
            // With one member of a group: Pacemaker looks for what is colocated with the group
            // the member belongs to, never with the member itself, so nothing is blocked.
            if (c.NamedPrimary is SchedPrimitive { Parent: SchedGroup }) continue;
            if (eager && c.Primary.Primitives().Any(p => Active(p) && p.ForcedStopReason?.StartsWith("due to unrunnable") == true)) continue;
            // With a promotable clone's Promoted role: the instance to be promoted on the
            // dependent's node lost its start to an interleaved order, and none is promoted there.
            var primaryName = c.Primary.Id;
            if (c.Primary is SchedClone { Promotable: true } promotable && c.PrimaryRole == Role.Promoted)
            {
                var node = dependent.AssignedTo!;
                var withdrawn = promotable.Primitives().FirstOrDefault(p => p.PromotionWithdrawn && p.WithdrawnFrom == node);
                if (withdrawn is null || promotable.Primitives().Any(p => p.AssignedTo == node && WillRun(p) && p.NextRole == Role.Promoted)) continue;
                primaryName = withdrawn.Id;
            }
            else if (!PrimaryCannotRunBeside(c.Primary, dependent.AssignedTo!)) continue;
            // With a whole group: only when none of its members can start (one the cluster leaves
            // alone has no start to fail), as Pacemaker checks every member of the primary.
            else if (c.NamedPrimary is SchedGroup group && group.Children.Cast<SchedPrimitive>().Any(m => !m.Managed || WillRun(m))) continue;
            BlockForColocation(dependent, primaryName);
            changed = true;
        }
        return changed;
    }

    /// <summary>
    /// A bundle that must be with a resource none of whose starts can happen cannot start either,
    /// and Pacemaker blocks every part of it: the bundle's containers were given no node, but
    /// a guest's connection or the primitive's instance on it may have been, and their starts are
    /// blocked "due to colocation with" the primary. Pacemaker does this for starts that were unrunnable
    /// from the outset before it follows any order, so this reason comes before one an order
    /// would give (the guest's connection cannot start either). It names the primary's start
    /// created last: a bundle's last replica, its address if it has one, else its container.
    /// </summary>
    private void BlockBundlesBesideUnstartablePrimaries()
    {
        foreach (var c in ws.Colocations)
        {
            if (c.Score < Score.InfinityValue || c.DependentRole == Role.Promoted) continue;
            if (c.Dependent is not SchedClone { Bundle: not null } containers || c.Primary.Primitives().Any(WillRun)) continue;
            if (LastStartOf(c.Primary) is not { } primaryName) continue;
            foreach (var p in containers.Primitives().Concat(Bundles.ImplicitParts(ws, containers).SelectMany(r => r.Primitives())))
            {
                if (!p.Managed || !WillRun(p)) continue;
                BlockForColocation(p, primaryName);
            }
        }
    }

    /// <summary>
    /// What must be with a promotable clone's Promoted role, placed beside its promoted instance,
    /// when that instance failed and is blocked (frozen: its recovery, promote included, cannot
    /// run) and no other instance is promoted anew: no promotion can happen at all, and Pacemaker
    /// blocks the dependent "due to colocation with" the last instance whose promote it found
    /// unrunnable, before it follows any order.
    /// </summary>
    private void BlockWhatMustBeWithAPromotionThatCannotHappen()
    {
        foreach (var c in ws.Colocations)
        {
            if (c.Score < Score.InfinityValue || c.PrimaryRole != Role.Promoted || c.Primary is not SchedClone { Promotable: true } promotable) continue;
            if (c.Dependent is not SchedPrimitive { Managed: true } dependent || !WillRun(dependent)) continue;
            var node = dependent.AssignedTo!;
            if (!promotable.Primitives().Any(p => p.AssignedTo == node && p.Blocked && p.Failed && p.NextRole == Role.Promoted)) continue;
            if (promotable.Primitives().Any(p => p.Managed && WillRun(p) && p.NextRole == Role.Promoted)) continue;
            var primaryName = promotable.Instances.Last().Id;
            BlockForColocation(dependent, primaryName);
        }
    }

    /// <summary>A resource that cannot be where its primary was to be: it stops, or its start is blocked.</summary>
    private static void BlockForColocation(SchedPrimitive dependent, string primaryName)
    {
        if (Active(dependent)) dependent.ForcedStopReason = $"due to colocation with {primaryName}";
        else dependent.BlockedStartReason = $"due to colocation with {primaryName} (blocked)";
    }

    /// <summary>The resource whose start Pacemaker creates last among a primary's parts (see above).</summary>
    private static string? LastStartOf(SchedResource primary) => primary switch
    {
        SchedClone { Bundle: { } b } => Bundles.Replicas(b) is { Count: > 0 } replicas ? replicas[^1].IpId ?? replicas[^1].ContainerId : null,
        _ => primary.Primitives().LastOrDefault()?.Id,
    };

    private Dictionary<SchedResource, List<SchedColocation>>? _colocationsByPrimary;

    private List<SchedColocation> ColocationsWith(SchedResource primary)
    {
        _colocationsByPrimary ??= ws.Colocations.GroupBy(c => c.Primary).ToDictionary(g => g.Key, g => g.ToList());
        return _colocationsByPrimary.GetValueOrDefault(primary) ?? [];
    }

    /// <summary>
    /// Whether the primary of a mandatory colocation was placed on the dependent's node but will
    /// not run there after all (its start became unrunnable); for a clone, whether an instance
    /// was placed there and none will run there (a promotable clone's too, in whatever role:
    /// a colocation with its Promoted role is dealt with before this).
    /// </summary>
    private static bool PrimaryCannotRunBeside(SchedResource primary, SchedNode node) => primary switch
    {
        SchedPrimitive p => p.AssignedTo == node && !WillRun(p),
        SchedClone clone => clone.Primitives().Any(p => p.AssignedTo == node && !WillRun(p))
                                                  && !clone.Primitives().Any(p => p.AssignedTo == node && WillRun(p)),
        _ => false,
    };

    /// <summary>
    /// A stop ordered after a stop that cannot happen (its resource is active but unmanaged, say
    /// a failed stop without fencing) cannot happen either: it is reported "(blocked)". "A then B"
    /// orders B's stop before A's; "A stop then B stop" orders them as written.
    /// </summary>
    private void BlockStops(List<Edge> edges)
    {
        var after = new List<(SchedPrimitive Before, SchedPrimitive After, StopBlock Kind)>();
        foreach (var e in edges)
        {
            // Who names the blocked stop as crm_simulate does: a group's own chain names the
            // member waited for, an order between two primitives says only "blocked".
            var kind = e.First is SchedPrimitive { Parent: SchedGroup g } && e.OrderId == g.Id ? StopBlock.GroupMember
                : e.First is SchedPrimitive { EnclosingClone: null } && e.Then is SchedPrimitive { EnclosingClone: null } ? StopBlock.Order
                : StopBlock.Other;
            // (A clone's instances stop behind the clone's stop pseudo-action, which goes ahead
            // even when what is ordered before it cannot stop: their stops are not blocked.)
            // Nor does a stop that cannot happen hold up an order onto or from a group as a
            // whole: the group's own stop and stopped pseudo-actions stand between.
            if (e.First is SchedGroup || e.Then is SchedGroup) continue;
            if (e.FirstAction == "start" && e.ThenAction == "start" && e.Symmetrical && e.First is not SchedClone)
                foreach (var b in e.Then.Primitives()) foreach (var a in e.First.Primitives()) after.Add((b, a, kind));
            else if (e.FirstAction == "stop" && e.ThenAction == "stop")
                foreach (var b in e.First.Primitives()) foreach (var a in e.Then.Primitives()) after.Add((b, a, kind));
        }
        // Within a group any member the cluster leaves alone holds up the stops before it; across
        // an order only one blocked by a failure does (crm_simulate 2.1.5 recovers the first side
        // of an order onto a resource that is merely is-managed=false).
        static bool Unrunnable(SchedPrimitive p, StopBlock kind) =>
            (p.ActiveOn.Count > 0 && !p.Managed && (kind == StopBlock.GroupMember || p.Blocked)) || p.StopBlocked;
        // A stop on a lost node is done by its fencing: nothing can block it. (On a node that is
        // still a member and fenced for a failure, crm_simulate 2.1.5 still shows it blocked.)
        bool StoppedByFencing(SchedPrimitive p) => ws.StonithEnabled && p.ActiveOn.Keys.All(n => n.Unclean && n.Lost);
        for (var changed = true; changed;)
        {
            changed = false;
            foreach (var (before, later, kind) in after)
                if (before != later && !later.StopBlocked && later.Managed && later.ActiveOn.Count > 0 && !StoppedByFencing(later) && Unrunnable(before, kind))
                {
                    changed = later.StopBlocked = true;
                    later.StopBlockedBy = before;
                    later.StopBlockKind = kind;
                }
        }
    }

    private List<Edge> BuildEdges()
    {
        var edges = new List<Edge>();
        // Two orders between the same two actions are one to Pacemaker: the first listed (its
        // ordering of two actions drops a later one that shares a flag, and every order
        // constraint carries "optional"). An optional order listed first leaves a mandatory one
        // after it without effect.
        var ordered = new HashSet<(SchedResource, string, SchedResource, string)>();
        foreach (var o in ws.Config.Constraints.OfType<OrderConstraint>())
        {
            var symmetrical = CibBoolean.TryParse(o.Symmetrical) ?? true;
            foreach (var pair in OrderPairs.Of(ws, o))
            {
                if (!ordered.Add((pair.First, pair.FirstAction, pair.Then, pair.ThenAction)) || !o.IsMandatory) continue;
                edges.Add(new Edge(o.Id, pair.First, pair.FirstAction, pair.Then, pair.ThenAction, symmetrical, pair.Relaxed));
            }
        }
        // Groups chain their members after the configured orders: a member restarted for what
        // its group is ordered after names that, not its predecessor's recovery.
        foreach (var g in ws.AllResources().OfType<SchedGroup>())
            for (int i = 1; i < g.Children.Count; i++)
                edges.Add(new Edge(g.Id, g.Children[i - 1], "start", g.Children[i], "start"));
        return edges;
    }

    /// <summary>
    /// What an order's "then" side reaches. A start ordered onto a group as a whole reaches every
    /// member: Pacemaker orders the group's start pseudo-action before each member's start, so a
    /// member behind one the cluster leaves alone still hears the order's reason first (the
    /// group's chain comes after it).
    /// </summary>
    private static IEnumerable<SchedPrimitive> ThenTargets(Edge e) =>
        e.Then is SchedGroup g && e.OrderId != g.Id && e.ThenAction == "start" ? g.Children.Cast<SchedPrimitive>() : Targets(e.Then, asThen: true);

    /// <summary>The primitives an order endpoint stands for on its "then" side.</summary>
    private static IEnumerable<SchedPrimitive> Targets(SchedResource r, bool asThen) => r switch
    {
        SchedPrimitive p => new[] { p },
        // A group starts with its first member; the chain carries the rest.
        SchedGroup g => g.Children.Take(1).Cast<SchedPrimitive>(),
        SchedClone c => c.Instances.SelectMany(i => Targets(i, asThen)),
        _ => Array.Empty<SchedPrimitive>(),
    };

    private static bool Active(SchedPrimitive p) => p.ActiveOn.Count > 0;
    /// <summary>It will be active after the transition, and its start could run (a blocked resource's cannot).</summary>
    private static bool WillRun(SchedPrimitive p) =>
        p.AssignedTo is not null && !p.Blocked && p.BlockedStartReason is null && p.ForcedStopReason is null;

    /// <summary>
    /// An unmanaged group member that stays where it runs, after a member that starts (restarts,
    /// moves): the group's chain requires its start again, which cannot run since the cluster
    /// leaves it alone; the members after it are held up in turn. (An order onto the group as a
    /// whole does not do this: crm_simulate starts the later members then.)
    /// </summary>
    private static bool HoldUpStart(Edge e, SchedPrimitive then)
    {
        if (then.StartHeldUp || !Active(then) || e.FirstAction != "start" || e.ThenAction != "start" || e.Relaxed is not null) return false;
        if (then.Parent is not SchedGroup group || e.OrderId != group.Id) return false;
        if (then.AssignedTo is not { } node || !then.ActiveOn.ContainsKey(node)) return false;
        if (e.First is not SchedPrimitive first || !first.Managed || !Runnable(first, "start") || !Required(first, "start", node, false)) return false;
        then.StartHeldUp = true;
        return true;
    }

    /// <summary>
    /// It will run and its start can happen (not held up: see <see cref="SchedPrimitive.StartHeldUp"/>).
    /// An unmanaged resource stays on its node even when that node is offline, and a start there
    /// cannot run.
    /// </summary>
    private static bool CanStart(SchedPrimitive p) => WillRun(p) && !p.StartHeldUp && (p.Managed || p.AssignedTo!.Online);

    /// <summary>Whether the first side's action can happen (at least one instance, for a clone).</summary>
    private static bool Runnable(SchedResource r, string action) => action switch
    {
        "start" => r switch
        {
            SchedGroup g => g.Children.Cast<SchedPrimitive>().All(CanStart),
            // A clone of groups runs where one whole group instance can.
            SchedClone c => c.Instances.Any(i => Runnable(i, "start")),
            _ => r.Primitives().Any(CanStart),
        },
        "promote" => r.Primitives().Any(p => (WillRun(p) && p.NextRole == Role.Promoted) || p.PromotionWithdrawn),
        _ => true,
    };

    /// <summary>
    /// Whether the first side's action will actually be carried out (not just allowed). For a
    /// clone: an instance that was running on the dependent's node and restarts there (recovered,
    /// or for its own first) or had its start there withdrawn by an interleaved order, or one that
    /// starts there (anywhere, when the dependent is an instance of another clone). An instance
    /// that merely stops or moves away (banned, failed and not recovered there, or a better node)
    /// leaves the dependent running. One the cluster leaves alone is never started again.
    /// </summary>
    private static bool Required(SchedResource r, string action, SchedNode? thenNode, bool thenIsCloned) => r is SchedClone clone
        ? thenNode is not null && action switch
        {
            "start" => clone.Primitives().Any(p => p.ActiveOn.ContainsKey(thenNode) && p.Managed
                && (p.StartWithdrawn || (p.AssignedTo == thenNode && (p.Failed || p.RestartReason is not null))))
                // An instance starting (new, or restarting) on the dependent's node restarts the
                // dependent, colocated with the clone or not; one starting on another node does
                // not, unless the dependent is itself a clone's instance (clone after clone, not
                // interleaved): then an instance starting anywhere restarts every instance.
                || clone.Primitives().Any(p => Starts(p) && (p.AssignedTo == thenNode || thenIsCloned)),
            // The instance promoted beside the dependent is promoted anew: it restarts there, is
            // demoted and promoted again there (on-fail=demote), or another one takes the role there.
            "promote" => clone.Primitives().Any(p => p.Managed && WillRun(p) && p.AssignedTo == thenNode && p.NextRole == Role.Promoted
                && (p.CurrentRole != Role.Promoted || !p.ActiveOn.ContainsKey(thenNode) || p.Failed || p.RestartReason is not null
                    || p.RecoverByDemotionOn.Contains(thenNode))),
            _ => false,
        }
        : action switch
    {
        // A live migration is not a start its dependents restart for.
        "start" => r.Primitives().Any(p => WillRun(p) && p.Managed && !(p.WillMigrate && p.RestartReason is null) && (p.ActiveOn.Count == 0 || !p.ActiveOn.ContainsKey(p.AssignedTo!) || p.Failed || p.RestartReason is not null)),
        "promote" => r.Primitives().Any(p => WillRun(p) && p.NextRole == Role.Promoted &&
                                            (p.CurrentRole != Role.Promoted || p.RestartReason is not null || !p.ActiveOn.ContainsKey(p.AssignedTo!))),
        _ => false,
    };

    /// <summary>
    /// Whether the first side's start, though it cannot run, is still a required action: its
    /// resource is active and stops, which makes the start after that stop required (for a
    /// group, also: one of its members starts, which makes the group's "running" required). A dependent
    /// that would otherwise stay put then stops "due to required" that start, as crm_simulate
    /// words it; one whose start was required anyway (moving), or behind a first that was not
    /// active, stops "due to unrunnable" it. A collective's start exists only for instances
    /// or members that were given a node (a disabled clone's instances were not).
    /// </summary>
    private static bool FirstStartRequired(SchedResource first, string action) => action == "start" && first switch
    {
        SchedPrimitive p when p.EnclosingClone is null && p.Parent is not SchedGroup => p.Managed && Active(p) || p.StartHeldUp,
        // A group's "running" is required as soon as one member's start is (one that starts).
        SchedGroup { Parent: not SchedClone } g when g.Children.OfType<SchedPrimitive>().Any(Starts) => true,
        // A group member that was to start (placed, not active) had its start required from the
        // outset, before it became unrunnable.
        SchedPrimitive { Parent: SchedGroup { Parent: not SchedClone } } p when p.Managed && !Active(p) && p.AssignedTo is not null => true,
        _ => first.Primitives().Any(p => p.StartHeldUp || p.Managed && Active(p) && !WillRun(p) && (p.AssignedTo is not null || p.StartWithdrawn)),
    };

    /// <summary>
    /// The action named as required. Inside a cloned group, the member after the first is
    /// reached through the first member's stop (crm_simulate's processing order), later members
    /// through their predecessor's start.
    /// </summary>
    private static string RequiredWhat(Edge e, SchedResource first, SchedPrimitive then) =>
        e.OrderId == (then.Parent?.Id) && then.Parent is SchedGroup { Parent: SchedClone } g && g.Children.IndexOf(then) == 1
            ? $"{first.Id} stop"
            : Describe(first, e.FirstAction);

    /// <summary>How many of a "one or more" group can do the action (a clone counts its instances).</summary>
    private static int Count(OneOrMore group, string action) =>
        group.Members.SelectMany(m => m is SchedClone c ? c.Instances : [m]).Count(unit => action switch
        {
            "start" => unit is SchedGroup g ? g.Children.Cast<SchedPrimitive>().All(WillRun) : unit.Primitives().Any(WillRun),
            "promote" => unit.Primitives().Any(p => WillRun(p) && p.NextRole == Role.Promoted),
            _ => true,
        });

    /// <summary>
    /// How crm_simulate names the first side's action: a collective's completion pseudo-action
    /// ("running", "promoted"), or for a clone with notifications the confirmation of the
    /// notifications after it ("notified"), which is what its orders hang on.
    /// </summary>
    private static string Describe(SchedResource r, string action) => r switch
    {
        SchedClone c when CibBoolean.IsTrue(c.MetaValue("notify")) && action is "start" or "promote" => $"{r.Id} notified",
        SchedGroup or SchedClone => $"{r.Id} {(action == "start" ? "running" : action == "promote" ? "promoted" : action)}",
        _ => $"{r.Id} {action}",
    };

    /// <summary>It will start where it is placed: new there, moving, recovered or restarting.</summary>
    private static bool Starts(SchedPrimitive p) =>
        p.Managed && WillRun(p) && (!p.ActiveOn.ContainsKey(p.AssignedTo!) || p.Failed || p.RestartReason is not null);

    /// <summary>It stays where it runs, healthy and not yet restarting: a required start would restart it.</summary>
    private static bool Restartable(SchedPrimitive p) =>
        WillRun(p) && p.ActiveOn.ContainsKey(p.AssignedTo!) && !p.Failed && p.RestartReason is null && p.ActiveOn.Count == 1;

    /// <summary>Either side of an order sends notifications (which give crm_simulate's actions more reasons).</summary>
    private static bool Notifying(SchedResource first, SchedResource then) =>
        CibBoolean.IsTrue(first.MetaValue("notify")) || CibBoolean.IsTrue(then.MetaValue("notify"));

    /// <summary>
    /// An order onto a whole group whose first side cannot run reaches every member (see
    /// <see cref="ThenTargets"/>), but crm_simulate 2.1.5 names that order only up to the first
    /// member whose start changes rather than being required from the outset: a healthy member
    /// the cluster manages that was placed where it runs, or one it leaves alone (past the
    /// first). Each member after that is named through its predecessor, "due to unrunnable PRED
    /// start (blocked)" when it is not active, "due to required PRED start|stop" when it is; the
    /// action named alternates along a run of active members (checked on every pattern of a
    /// four-member group, and of unmanaged members in a three-member one). Null where the
    /// order's own reason applies.
    /// </summary>
    private static string? ReasonBehindFirstActiveMember(SchedGroup group, SchedPrimitive member)
    {
        var members = group.Children.Cast<SchedPrimitive>().ToList();
        var k = members.IndexOf(member);
        bool Unmanaged(int i) => !members[i].Managed && Active(members[i]);
        bool StaysHealthy(int i) => members[i] is { Managed: true, Failed: false, RestartReason: null, AssignedTo: { } node } m && m.ActiveOn.ContainsKey(node);
        var first = Enumerable.Range(0, members.Count).FirstOrDefault(i => StaysHealthy(i) || (i > 0 && Unmanaged(i)), -1);
        // (One placed nowhere has no start to name anything: it stops for node availability.)
        if (first < 0 || k <= first || member.AssignedTo is null) return null;
        // Which action of member i the next active member names.
        string Named(int i) => Unmanaged(i) ? "start"
            : i == first ? (members.Take(first).All(Active) ? "start" : "stop")
            : !Active(members[i]) ? "start"
            : Named(i - 1) == "start" ? "stop" : "start";
        var predecessor = members[k - 1];
        return Active(member) ? $"due to required {predecessor.Id} {Named(k - 1)}" : $"due to unrunnable {predecessor.Id} start (blocked)";
    }

    /// <summary>
    /// The first side cannot run: a running dependent stops (when the order is symmetrical, or it
    /// would have to start anyway), one to start is blocked. False when nothing changes.
    /// </summary>
    private static bool Unrunnable(Edge e, SchedResource first, SchedPrimitive then, string what, bool guestEdge)
    {
        if (!WillRun(then) && (then.BlockedStartReason is not null || then.ForcedStopReason is not null || then.AssignedTo is null))
            return false;
        // A running dependent must stop when the order is symmetrical (its stop is ordered before
        // the first's), or when it would have to start anyway (move, recovery); under an
        // asymmetrical order one that stays where it is keeps running.
        if (Active(then))
        {
            var staysPut = then.AssignedTo is not null && then.ActiveOn.ContainsKey(then.AssignedTo) && !then.Failed && then.RestartReason is null;
            if ((!e.Symmetrical && staysPut) || then.ForcedStopReason is not null) return false;
            // Its start is still optional when the order reaches it: it stays put, or it is
            // promoted now and must start again (moving, recovering): Pacemaker walks its roles
            // from Promoted straight to the next one, never through a required start.
            var startOptional = staysPut || then.CurrentRole == Role.Promoted;
            // A restart for a changed definition gave the start its reason first, and the stop
            // shows the start's reason (crm_simulate sets that one to overwrite, orders never do).
            then.ForcedStopReason = then.RestartReason == DefinitionChanges.Reason ? DefinitionChanges.Reason
                : startOptional && e.Relaxed is null && !guestEdge && FirstStartRequired(first, e.FirstAction)
                ? $"due to required {RequiredWhat(e, first, then)}"
                : $"due to unrunnable {what}";
        }
        else then.BlockedStartReason = $"due to unrunnable {what} (blocked)";
        return true;
    }

    private bool Apply(Edge e, SchedPrimitive then)
    {
        if (!then.Managed) return HoldUpStart(e, then);
        if (e.ThenAction != "start") return false;
        if (then == e.First) return false;
        if (e.FirstAction is not ("start" or "promote")) return false;

        // Interleaved clones: each instance depends only on the first clone's instance on its own node.
        var first = e.First;
        var interleaved = e.Relaxed is null && e.First is SchedClone firstClone && e.Then is SchedClone thenClone
                          && CibBoolean.IsTrue(thenClone.MetaValue("interleave"));
        if (interleaved)
        {
            var node = then.AssignedTo ?? then.CurrentNode;
            if (node is null) return false;
            var partner = ((SchedClone)e.First).Instances.FirstOrDefault(i => i.Primitives().All(p => p.AssignedTo == node));
            if (partner is null)
            {
                // Nothing of the first clone on this node: this instance cannot be active here.
                // crm_simulate gives its stop no reason of its own; it shows the one its start got,
                // which only notifications give (either clone notifying): required by the start of
                // the first clone's instance with the same number, or else of its first instance
                // that starts anywhere, if any does (read off crm_simulate 2.1.5's summaries).
                if (then.AssignedTo is null) return false;
                then.WithdrawnFrom = then.AssignedTo;
                then.AssignedTo = null;
                then.PromotionWithdrawn = then.NextRole == Role.Promoted;
                then.NextRole = Role.Stopped;
                var starts = ((SchedClone)e.First).Primitives().Where(Starts).ToList();
                var number = then.Id[then.Id.LastIndexOf(':')..];
                var starting = starts.FirstOrDefault(p => p.Id.EndsWith(number, StringComparison.Ordinal)) ?? starts.FirstOrDefault();
                if (Active(then))
                    then.ForcedStopReason ??= starting is null || !Notifying(e.First, e.Then) || e.FirstAction != "start" ? "" : $"due to required {starting.Id} start";
                return true;
            }
            first = partner;
        }
        var runnable = e.Relaxed is { } relaxed ? Count(relaxed, e.FirstAction) >= relaxed.Required : Runnable(first, e.FirstAction);
        var what = e.Relaxed?.Name ?? Describe(first, e.FirstAction);
        // A bundle's instance waits for its guest node: Pacemaker orders its start after both the
        // container's start and the connection's. A connection that is placed but cannot start
        // is held up by its container, which crm_simulate then names; one that is not placed
        // is named itself, and its start is unrunnable rather than required.
        var guestEdge = first is SchedPrimitive { IsBundleConnection: true } && then.BundleNode is not null;
        if (guestEdge && first is SchedPrimitive { AssignedTo: not null, Container: { AssignedTo: null } container })
            what = Describe(container, "start");
        if (!runnable)
        {
            if (e.Then is SchedGroup thenGroup && e.OrderId != thenGroup.Id && ReasonBehindFirstActiveMember(thenGroup, then) is { } chained)
            {
                if (then.BlockedStartReason is not null || then.ForcedStopReason is not null) return false;
                if (Active(then)) then.ForcedStopReason = chained;
                else then.BlockedStartReason = chained;
                return true;
            }
            return Unrunnable(e, first, then, what, guestEdge);
        }
        // Enough of a "one or more" first can run: the dependent may start; it is not restarted
        // for one of them starting.
        if (e.Relaxed is not null) return false;
        // Ordered after a whole group: crm_simulate requires each member's start from the first
        // in turn, and a member made to restart requires the next one's start at once; a member
        // already starting anyway (recovered) passes nothing on, so the one after it restarts
        // for the first itself.
        if (e.Then is SchedGroup group && group.Children.Count > 1 && group.Children[0] == then
            && Required(first, e.FirstAction, then.AssignedTo, then.EnclosingClone is not null))
        {
            var changed = false;
            SchedPrimitive? restartedBefore = null;
            foreach (var member in group.Children.Cast<SchedPrimitive>())
            {
                if (Restartable(member))
                {
                    member.RestartReason = restartedBefore is null
                        ? $"due to required {Describe(first, e.FirstAction)}"
                        : $"due to required {restartedBefore.Id} start";
                    restartedBefore = member;
                    changed = true;
                }
                else restartedBefore = null;
            }
            return changed;
        }
        if (Required(first, e.FirstAction, then.AssignedTo, then.EnclosingClone is not null) && Restartable(then))
        {
            then.RestartReason = $"due to required {Describe(first, e.FirstAction)}";
            return true;
        }
        // A failed promoted instance recovered as Unpromoted (in place or elsewhere): Pacemaker
        // walks its roles from Promoted straight down, so its start is optional until an order
        // requires it, and crm_simulate names that order's first. (An Unpromoted one's recovery
        // starts it for sure: no reason.)
        if (then is { Failed: true, CurrentRole: Role.Promoted, NextRole: not Role.Promoted, RestartReason: null } && WillRun(then)
            && Required(first, e.FirstAction, then.AssignedTo, then.EnclosingClone is not null))
        {
            then.RestartReason = $"due to required {Describe(first, e.FirstAction)}";
            return true;
        }
        return false;
    }
}
