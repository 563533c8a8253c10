using HaCluster.Core.Cib;

namespace HaCluster.Core.Policy;

/// <summary>
/// Assigns a clone's instances: instances already active stay where they are if they may,
/// the rest go to the best nodes with room (clone-node-max), up to clone-max; for a promotable
/// clone the instances with the highest promotion scores are then promoted (promoted-max).
/// </summary>
internal sealed class CloneAssigner(WorkingSet ws, Placement placement)
{
    private const int Inf = Score.InfinityValue;

    public SchedNode? Assign(SchedClone clone)
    {
        if (!clone.Provisional || clone.Assigning) return clone.AssignedTo;
        clone.Assigning = true;

        // Where each instance runs, if it may still run there by its own scores (locations,
        // stickiness, failures), before the clone's colocations reach it: what Pacemaker's
        // ordering of instances looks at.
        var allowedWhereItRuns = clone.Instances.ToDictionary(i => i, i =>
            i.Anchor.CurrentNode is { } at && i.Primitives().All(p => p.Allowed.TryGetValue(at, out var score) && score >= 0) ? at : null);

        // Instances with a higher promotion priority are placed first (for a promotable clone).
        // An anonymous clone's instances of one resource, found once for the whole assignment.
        // (Worked out before the clone's colocations reach the instances, as Pacemaker does: a
        // node the clone must leave for a colocation still counts for the instance running there.)
        var siblings = clone.GloballyUnique ? null : Siblings(clone);
        var priority = clone.Promotable ? AddPromotionScores(clone, siblings) : new Dictionary<SchedResource, int>();

        // The clone's own colocations shape every instance's scores; those that name the clone's
        // role (Promoted/Unpromoted) choose which instance is promoted instead (SetRoles). When
        // every node available will get an instance anyway, a mere liking (above zero, below
        // INFINITY) is left out: Pacemaker hands the instances only bans and requirements then.
        // (Nodes the clone may use that can run resources now, whatever their score: Pacemaker's
        // test of whether every node gets an instance, read here, by the dependents' merge and by
        // the capacity check.)
        var availableNodes = clone.Allowed.Keys.Count(n => n.CanRunResources);
        var everyNodeGetsOne = clone.CloneMax >= availableNodes;
        foreach (var c in clone.ThisWith.ToList())
        {
            if (c.Primary.Provisional) placement.AssignPrimitive(c.Primary is SchedPrimitive { Parent: SchedClone pc } ? pc : c.Primary);
            if (c.DependentRole is Role.Promoted or Role.Unpromoted) continue;
            if (everyNodeGetsOne && c.Score is > 0 and < Inf) continue;
            foreach (var instance in clone.Instances) ApplyToInstance(c, instance);
        }

        var perNode = new Dictionary<SchedNode, int>();
        var assigned = 0;
        // A node where the clone itself scores below zero takes no instance, whatever the
        // instance's own score there (its stickiness, say): Pacemaker bans it for every instance.
        bool Room(SchedNode n) => perNode.GetValueOrDefault(n) < clone.CloneNodeMax && assigned < clone.CloneMax
                                  && !(clone.Allowed.TryGetValue(n, out var cloneScore) && cloneScore < 0);
        var dependents = new DependentsOfInstances(clone, placement, everyNodeGetsOne);
        // An instance the cluster cannot touch (blocked by a failed stop, unmanaged) stays where it
        // runs and takes its place there first: another instance started beside it would be a
        // second copy on that node, and the plan would repeat for ever (found by the whole-cluster
        // simulator, seeds 164 and 348: a stop that timed out without fencing).
        // (One whose node is now ruled out for it comes last, as Pacemaker sorts it: the others
        // may take that node's places first; but not, in an anonymous clone, when what rules it
        // out is its own failed stop there: the resource still runs there, and starting "another"
        // instance beside it would only start it again, for ever: found by the whole-cluster
        // simulator, seed 2506569.)
        foreach (var held in clone.Instances.Where(i => !i.Managed()
                     && (allowedWhereItRuns[i] is not null
                         || !clone.GloballyUnique && i.Primitives().Any(p => p.CurrentNode is { } at && p.StopFailedOn.Contains(at)))))
        {
            var at = held.Anchor.CurrentNode!;
            perNode[at] = perNode.GetValueOrDefault(at) + 1;
            assigned++;
        }

        // First: instances stay where they run, if that node still may host them, but no node
        // keeps more than its even share (clone-max over the nodes available to the clone, at
        // least one) in this pass: the rest are placed with the others, which may spread them.
        var evenShare = Math.Max(1, clone.CloneMax / Math.Max(1, availableNodes));
        // Instances in Pacemaker's order (pcmk__cmp_instance), for both passes.
        // (How much the clone's colocations favour a node is worked out once per node.)
        var colocationScores = new Dictionary<SchedNode, int>();
        int ColocationScore(SchedNode n) => colocationScores.TryGetValue(n, out var v) ? v : colocationScores[n] = ColocationScoreOn(clone, n);
        // (On how many nodes each is active, counted once, not in every comparison.)
        var activeCount = clone.Instances.ToDictionary(i => i, i => i.Primitives().SelectMany(p => p.ActiveOn.Keys).Distinct().Count());
        var order = clone.Instances.OrderBy(i => i, Comparer<SchedResource>.Create((a, b) => CompareInstances(priority, allowedWhereItRuns, activeCount, ColocationScore, a, b))).ToList();
        foreach (var instance in order)
        {
            var anchor = instance.Anchor;
            var current = anchor.CurrentNode;
            if (current is null || !current.CanRunResources || !Room(current) || !anchor.Managed()) continue;
            if (perNode.GetValueOrDefault(current) >= evenShare) continue;
            // A failed instance is placed with the rest: it may be recovered elsewhere (Pacemaker
            // flags the failed primitive only, so a cloned group whose member failed may stay).
            // (One to be recovered by demotion, on-fail=demote, is failed too, to Pacemaker.)
            if (instance is SchedPrimitive { Failed: true } or SchedPrimitive { RecoverByDemotionOn.Count: > 0 }) continue;
            dependents.Attempt(instance);
            if (anchor.Effective(current) < 0) continue;
            // Only where it runs is as good as anywhere, counting what must be with the clone
            // (a better node takes it in the next pass, and this attempt's merge is undone).
            var unmerged = dependents.Merge(instance, Room);
            // (Nodes already full do not count: Pacemaker bans them for the instance first.)
            if (anchor.Allowed.Keys.Any(n => Room(n) && anchor.Effective(n) > anchor.Effective(current)))
            {
                DependentsOfInstances.Undo(instance, unmerged);
                continue;
            }
            if (placement.Capacity.Enabled && !placement.Capacity.Fits(current, Demand(instance))) continue;
            // Disabled on the clone, or on the resource it clones (which every instance inherits).
            if (instance.TargetRole == Role.Stopped) continue;
            Place(instance, current);
            perNode[current] = perNode.GetValueOrDefault(current) + 1;
            assigned++;
        }
        // Then: the rest, each to the best node with room, in the same order (one active where it
        // is now ruled out comes last: it stops, and a fresh one starts; no shuffling).
        foreach (var instance in order.Where(i => i.AssignedTo is null && i.Provisional))
        {
            if (instance.TargetRole == Role.Stopped) continue;
            var anchor = instance.Anchor;
            if (!anchor.Managed()) continue;
            dependents.Attempt(instance);
            dependents.Merge(instance, Room);
            var demand = placement.Capacity.Enabled && !everyNodeGetsOne ? DemandWithDependents(clone, instance) : Demand(instance);
            var node = placement.SortNodes(anchor, null).FirstOrDefault(n => Room(n) && anchor.Effective(n) >= 0
                && (!placement.Capacity.Enabled || placement.Capacity.Fits(n, demand)));
            if (node is null) continue;
            Place(instance, node);
            perNode[node] = perNode.GetValueOrDefault(node) + 1;
            assigned++;
        }
        foreach (var instance in clone.Instances)
        {
            foreach (var p in instance.Primitives())
            {
                if (!p.Managed())
                {
                    // Left where it is, it counts there like any assignment (Pacemaker's
                    // tie-break between nodes counts the resources given to each).
                    p.AssignedTo = p.CurrentNode;
                    p.NextRole = p.CurrentRole;
                    if (p.AssignedTo is not null)
                    {
                        p.AssignedTo.AssignedCount++;
                        placement.Capacity.Consume(p.AssignedTo, p);
                    }
                }
                else if (p.AssignedTo is null) p.NextRole = Role.Stopped;
                p.Provisional = false;
            }
            instance.Provisional = false;
            if (instance is SchedGroup g) g.AssignedTo = g.Children.FirstOrDefault()?.AssignedTo;
        }

        if (clone.Promotable) SetRoles(clone, siblings);
        clone.Provisional = false;
        clone.Assigning = false;
        clone.AssignedTo = clone.Instances.Select(i => i.AssignedTo).FirstOrDefault(n => n is not null);
        return clone.AssignedTo;
    }

    /// <summary>
    /// What must be with a clone, as Pacemaker 2.1.5 hands it to each instance being assigned:
    /// every attempt to assign an instance (the "stay where you run" one, then the main one) gives
    /// the instance one more copy of the clone's "with this" colocations — all of them when the
    /// clone has fewer instances than there are nodes to run them, else only anti-colocations —
    /// and the instance's scores then add each dependent's preferences once per copy, whatever role
    /// the colocation names (an instance whose first attempt was undone counts them twice). A
    /// colocation counts if its dependent is critical (influence) or the instance runs nowhere.
    /// Primitive instances only: a cloned group's members keep their own colocations.
    /// </summary>
    private sealed class DependentsOfInstances(SchedClone clone, Placement placement, bool everyNodeGetsOne)
    {
        private bool all => !everyNodeGetsOne;
        private readonly Dictionary<SchedResource, int> copies = new();

        public void Attempt(SchedResource instance)
        {
            if (instance is SchedPrimitive) copies[instance] = copies.GetValueOrDefault(instance) + 1;
        }

        /// <summary>
        /// Adds the dependents' preferences to the instance's scores; returns the scores before.
        /// Nodes without room for another instance count as banned while merging (Pacemaker bans
        /// them first), so a merge that would leave the instance nowhere else is rolled back.
        /// </summary>
        public Dictionary<SchedNode, int>? Merge(SchedResource instance, Func<SchedNode, bool> room)
        {
            if (instance is not SchedPrimitive p || copies.GetValueOrDefault(instance) == 0) return null;
            var colocations = clone.WithThis.Where(c => (all || c.Score < 0) && (c.Influence || p.ActiveOn.Count == 0)).ToList();
            // What must be with this very instance (a bundle container's address and connection)
            // counts too, as it does for any primitive being placed.
            var own = p.WithThis.Where(Placement.HasInfluence).ToList();
            if (colocations.Count == 0 && own.Count == 0) return null;
            var before = new Dictionary<SchedNode, int>(p.Allowed);
            var work = p.Allowed.ToDictionary(kv => kv.Key, kv => room(kv.Key) ? kv.Value : -Score.InfinityValue);
            for (var i = 0; i < copies[instance]; i++)
                foreach (var c in colocations)
                    placement.AddColocatedNodeScores(c.Dependent, ref work, c.NodeAttribute, (float)c.Score / Score.InfinityValue, onlyPositive: false, towardsPrimaries: false);
            foreach (var c in own)
                placement.AddColocatedNodeScores(c.Dependent, ref work, c.NodeAttribute, (float)c.Score / Score.InfinityValue, onlyPositive: false, towardsPrimaries: false);
            // Full nodes keep their own scores: room is checked again where a node is chosen.
            p.ReplaceAllowed(work.ToDictionary(kv => kv.Key, kv => room(kv.Key) ? kv.Value : before[kv.Key]));
            return before;
        }

        public static void Undo(SchedResource instance, Dictionary<SchedNode, int>? before)
        {
            if (before is not null) instance.ReplaceAllowed(before);
        }
    }

    /// <summary>
    /// What an instance being placed needs with what must be with its clone and is not placed
    /// yet (not another clone), for a clone that does not put an instance on every node:
    /// Pacemaker hands those colocations to the instance and checks capacity for them all, if
    /// any node could hold them all; otherwise for the instance alone.
    /// </summary>
    private Dictionary<string, long> DemandWithDependents(SchedClone clone, SchedResource instance)
    {
        var alone = Demand(instance);
        var withDependents = new Dictionary<string, long>(alone);
        foreach (var c in clone.WithThis.Where(c => c.Score >= Inf && c.Dependent is SchedPrimitive { Provisional: true, Parent: not SchedClone }))
            foreach (var (k, v) in placement.Capacity.Of((SchedPrimitive)c.Dependent)) withDependents[k] = withDependents.GetValueOrDefault(k) + v;
        return clone.Allowed.Keys.Any(n => n.CanRunResources && placement.Capacity.Fits(n, withDependents)) ? withDependents : alone;
    }

    private Dictionary<string, long> Demand(SchedResource instance)
    {
        var total = new Dictionary<string, long>();
        foreach (var p in instance.Primitives())
            foreach (var (k, v) in placement.Capacity.Of(p)) total[k] = total.GetValueOrDefault(k) + v;
        return total;
    }

    /// <summary>
    /// Puts an instance on a node. An instance that is a group goes where its first member can
    /// run; a later member that may not run there (or is disabled) stays stopped, and so do the
    /// members after it.
    /// </summary>
    private void Place(SchedResource instance, SchedNode node)
    {
        instance.AssignedScore = instance.Anchor.Effective(node);
        var blocked = false;
        foreach (var p in instance.Primitives())
        {
            blocked |= p.Effective(node) < 0 || p.TargetRole == Role.Stopped;
            p.Provisional = false;
            if (blocked) continue;
            placement.Capacity.Consume(node, p);
            p.AssignedTo = node;
            p.NextRole = Role.Started;
            node.AssignedCount++;
        }
        instance.AssignedTo = node;
        instance.Provisional = false;
    }

    private static void ApplyToInstance(SchedColocation c, SchedResource instance)
    {
        // Where the primary will be, in the role the colocation names (with a promotable
        // clone's Promoted role: only where an instance will be promoted).
        // An interleaved clone pairs each instance with one instance of a clone it is colocated with.
        var interleaved = c.Primary is SchedClone && instance.Parent is SchedClone own && CibBoolean.IsTrue(own.MetaValue("interleave"));
        var targets = Placement.PrimaryNodes(Placement.ColocatedWith(c), c.PrimaryRole, c.Score, interleaved);
        foreach (var p in instance.Primitives())
            foreach (var n in p.Allowed.Keys.ToList())
            {
                if (targets.Contains(n)) { if (c.Score < Inf) p.Allowed[n] = Score.Add(p.Allowed[n], c.Score); }
                else if (c.Score >= Inf) p.Allowed[n] = -Inf;
            }
    }

    /// <summary>
    /// Promotion: score each assigned instance (the agent's promotion attribute master-RSC on its
    /// node, role=Promoted location rules), and promote the best, up to promoted-max.
    /// </summary>
    private void SetRoles(SchedClone clone, Dictionary<string, List<SchedPrimitive>>? siblings)
    {
        var candidates = new List<(SchedResource Instance, int Score)>();
        foreach (var instance in clone.Instances)
        {
            var node = instance.AssignedTo;
            var prims = instance.Primitives().ToList();
            if (node is null || prims.Any(p => p.AssignedTo is null))
                continue;
            foreach (var p in prims) p.NextRole = Role.Unpromoted;
            if (!prims.All(p => p.Managed())) { foreach (var p in prims) p.NextRole = p.CurrentRole; continue; }
            if (prims.Any(p => p.PromoteFailedOn.Contains(node))) continue;
            // On a guest node whose container will not run, it cannot be promoted (Pacemaker
            // checks the guest's container before promoting there).
            if (node.IsGuest && ws.ContainerOf(node) is { AssignedTo: null }) continue;
            var score = PromotionScore(clone, siblings, instance, node);
            candidates.Add((instance, score));
        }
        if (clone.TargetRole is Role.Unpromoted or Role.Started && clone.MetaValue("target-role") is "Slave" or "Unpromoted") return;
        if (ws.PromotionForbidden.Count > 0 && clone.Instances.SelectMany(i => i.Primitives()).Any(PromotionForbidden))
        {
            clone.Explanation.Add("no instance may be promoted: a ticket it needs for the Promoted role is not granted or in standby");
            return;
        }
        // The clone's own score for the node (its location constraints) and what the resources
        // that must be with the clone prefer order the candidates, as Pacemaker adds an
        // instance's promotion priority to the clone's node score; but an instance whose own
        // score (promotion score, the clone's own role colocations) is negative (no promotion
        // score recorded, say) is never promoted on account of them. Instances on one node share
        // its score: the one promoted now, then the one with the higher score of its own, wins.
        var own = candidates.ToDictionary(c => c.Instance, c => Score.Add(c.Score, OwnRoleColocationScore(clone, c.Instance.AssignedTo!)));
        candidates = PromotionOrder(clone, candidates.Select(c => (c.Instance, own[c.Instance])).ToList());
        var promotedPerNode = new Dictionary<SchedNode, int>();
        var promoted = 0;
        // An instance the cluster cannot touch (blocked, unmanaged) that stays promoted takes
        // one of the promoted slots: promoting another would make two.
        foreach (var held in clone.Instances.Where(i => !i.Managed() && i.Primitives().Any(p => p.NextRole == Role.Promoted)))
        {
            promoted++;
            if (held.Primitives().Select(p => p.CurrentNode).FirstOrDefault(n => n is not null) is { } heldOn)
                promotedPerNode[heldOn] = promotedPerNode.GetValueOrDefault(heldOn) + 1;
        }
        foreach (var (instance, score) in candidates
                     .OrderByDescending(c => c.Score)
                     // Then the higher role now (Promoted, Unpromoted, Started, Stopped), as Pacemaker sorts them.
                     .ThenByDescending(c => c.Instance.Primitives().Select(p => p.CurrentRole).DefaultIfEmpty(Role.Stopped).Max())
                     .ThenByDescending(c => own[c.Instance])
                     // Then Pacemaker's instance order, in which a failed instance comes after a healthy one.
                     .ThenBy(c => c.Instance.Primitives().Any(p => p.Failed) ? 1 : 0))
        {
            if (score < 0 || promoted >= clone.PromotedMax) break;
            var node = instance.AssignedTo!;
            if (promotedPerNode.GetValueOrDefault(node) >= clone.PromotedNodeMax) continue;
            foreach (var p in instance.Primitives()) p.NextRole = Role.Promoted;
            promotedPerNode[node] = promotedPerNode.GetValueOrDefault(node) + 1;
            promoted++;
        }
    }

    /// <summary>
    /// Before instances are placed, each one's promotion score on a node is added to its score
    /// there (Pacemaker's pcmk__add_promotion_scores): instances go first where they could be
    /// promoted, so the instance numbered first lands on the best node for promotion. A score
    /// counts only where the cluster knows the instance's state (see <see cref="PromotionScoreApplies"/>)
    /// and only on a node that can run resources.
    /// </summary>
    /// <returns>Each instance's promotion priority: its highest promotion score on any node, or its priority meta attribute if higher.</returns>
    private Dictionary<SchedResource, int> AddPromotionScores(SchedClone clone, Dictionary<string, List<SchedPrimitive>>? siblings)
    {
        var priorities = new Dictionary<SchedResource, int>();
        foreach (var instance in clone.Instances)
        {
            var anchor = instance.Anchor;
            var priority = instance.Priority;
            foreach (var node in anchor.Allowed.Keys.ToList())
            {
                if (!node.CanRunResources) continue;
                var score = 0;
                foreach (var p in instance.Primitives())
                    if (PromotionScoreApplies(siblings?[CloneBuilder.BaseId(p.Id)], p, node) && PromotionAttribute(p, node) is { } value) score = Score.Add(score, value);
                if (score > 0) anchor.Allowed[node] = Score.Add(anchor.Allowed[node], score);
                priority = Math.Max(priority, score);
            }
            priorities[instance] = priority;
        }
        return priorities;
    }

    /// <summary>
    /// How much the clone's colocations favour a node (Pacemaker compares instances by it, on
    /// their current nodes): what the clone must be with scores there, plus the liking of what
    /// must be with the clone (dislikes only down to zero).
    /// </summary>
    private int ColocationScoreOn(SchedClone clone, SchedNode node)
    {
        var table = new Dictionary<SchedNode, int> { [node] = 0 };
        foreach (var c in clone.ThisWith)
            placement.AddColocatedNodeScores(c.Primary, ref table, c.NodeAttribute, (float)c.Score / Inf, onlyPositive: false, towardsPrimaries: true);
        foreach (var c in clone.WithThis.Where(Placement.HasInfluence))
            placement.AddColocatedNodeScores(c.Dependent, ref table, c.NodeAttribute, (float)c.Score / Inf, onlyPositive: true, towardsPrimaries: false);
        return table.GetValueOrDefault(node);
    }

    /// <summary>
    /// Which instance is placed first, as Pacemaker 2.1.5 sorts them (pcmk__cmp_instance): of two
    /// active ones, the less multiply active; one active where it is now ruled out after any
    /// other (two such compare equal but for priority: where they run no longer counts); the
    /// higher (promotion) priority; active before inactive; on a node that can run resources;
    /// not failed before failed; the one whose node the clone's colocations favour more; else
    /// equal, which leaves them by number (the sort is stable).
    /// </summary>
    private static int CompareInstances(Dictionary<SchedResource, int> priority, Dictionary<SchedResource, SchedNode?> allowedWhereItRuns,
        Dictionary<SchedResource, int> activeCount, Func<SchedNode, int> colocationScore, SchedResource a, SchedResource b)
    {
        int c;
        var (countA, countB) = (activeCount[a], activeCount[b]);
        if (countA > 0 && countB > 0 && (c = countA.CompareTo(countB)) != 0) return c;
        var (nodeA, nodeB) = (allowedWhereItRuns[a], allowedWhereItRuns[b]);
        var ruledOutA = a.Anchor.CurrentNode is not null && nodeA is null;
        var ruledOutB = b.Anchor.CurrentNode is not null && nodeB is null;
        if (ruledOutA != ruledOutB) return ruledOutA ? 1 : -1;
        if ((c = priority.GetValueOrDefault(b).CompareTo(priority.GetValueOrDefault(a))) != 0) return c;
        if (nodeA is null && nodeB is null) return 0;
        if (nodeA is null || nodeB is null) return nodeA is null ? 1 : -1;
        if (nodeA.CanRunResources != nodeB.CanRunResources) return nodeA.CanRunResources ? -1 : 1;
        var (failedA, failedB) = (a.Primitives().Any(p => p.Failed), b.Primitives().Any(p => p.Failed));
        if (failedA != failedB) return failedA ? 1 : -1;
        return colocationScore(nodeB).CompareTo(colocationScore(nodeA));
    }

    /// <summary>An anonymous clone's instances, by the resource they are instances of.</summary>
    private static Dictionary<string, List<SchedPrimitive>> Siblings(SchedClone clone) =>
        clone.Primitives().GroupBy(x => CloneBuilder.BaseId(x.Id)).ToDictionary(g => g.Key, g => g.ToList());

    /// <summary>
    /// Whether an instance's promotion score on <paramref name="node"/> is worth counting: an
    /// anonymous instance active there, or (no instance active there) one whose resource was
    /// probed there; an instance known nowhere (cluster start-up) everywhere; otherwise only
    /// where this very instance is known. Never where the instance may not run.
    /// <paramref name="siblings"/>: for an anonymous clone, its instances of <paramref name="p"/>'s resource.
    /// </summary>
    private static bool PromotionScoreApplies(List<SchedPrimitive>? siblings, SchedPrimitive p, SchedNode node)
    {
        var allowed = p.Allowed.TryGetValue(node, out var weight) && weight >= 0;
        if (siblings is not null)
        {
            var active = siblings.FirstOrDefault(x => x.ActiveOn.ContainsKey(node));
            if (active == p) return allowed;
            if (active is null && siblings.Any(x => x.KnownOn.Contains(node))) return allowed;
        }
        if (p.ActiveOn.Count == 0 && p.KnownOn.Count == 0) return allowed;
        return (p.KnownOn.Contains(node) || p.ActiveOn.ContainsKey(node)) && allowed;
    }

    /// <summary>The promotion score attribute (master-RSC) an instance's agent set on a node, if any.</summary>
    private int? PromotionAttribute(SchedPrimitive p, SchedNode node)
    {
        string? Attribute(string name) => ws.NodeAttributeFor(p, node, name);
        // Named for the instance as its history knows it (the agent set it under that name),
        // which for an anonymous clone need not be this instance's number.
        var baseId = CloneBuilder.BaseId(p.Id);
        var known = p.ActiveOn.Keys.Select(n => p.HistoryOn.GetValueOrDefault(n)?.Id).FirstOrDefault(id => id is not null) ?? p.Id;
        var value = Attribute($"master-{known}") ?? Attribute($"master-{baseId}") ?? Attribute($"promotion-{baseId}");
        return value is not null && Score.TryParse(value, out var s) ? s.Value : null;
    }

    private bool PromotionForbidden(SchedResource r)
    {
        for (SchedResource? x = r; x is not null; x = x.Parent)
            if (ws.PromotionForbidden.Contains(x)) return true;
        return false;
    }

    /// <summary>
    /// What the clone's own role colocations add to promoting an instance on
    /// <paramref name="node"/>: "Promoted with X" +score where X is (a mandatory one forbids
    /// elsewhere); "Unpromoted with X" counts against.
    /// </summary>
    private static int OwnRoleColocationScore(SchedClone clone, SchedNode node)
    {
        var total = 0;
        foreach (var c in clone.ThisWith.Where(c => c.DependentRole is Role.Promoted or Role.Unpromoted))
        {
            var primaryNodes = new HashSet<SchedNode>();
            foreach (var leaf in c.Primary is SchedClone pc ? pc.Instances : new[] { c.Primary })
            {
                if (leaf.AssignedTo is null) continue;
                var role = leaf.Primitives().Select(p => p.NextRole).DefaultIfEmpty(Role.Stopped).Max();
                if (c.PrimaryRole is Role.Promoted && role != Role.Promoted) continue;
                if (c.PrimaryRole is Role.Unpromoted && role == Role.Promoted) continue;
                primaryNodes.Add(leaf.AssignedTo);
            }
            var sign = c.DependentRole == Role.Unpromoted ? -1 : 1;
            if (primaryNodes.Contains(node)) total = Score.Add(total, sign * c.Score);
            else if (c.Score >= Inf && c.DependentRole == Role.Promoted) total = -Inf;
        }
        return total;
    }

    /// <summary>
    /// What orders the instances for promotion, as Pacemaker 2.1.5 computes it: the clone's own
    /// node scores, with the preferences of what must be with the clone merged in as when the
    /// clone was placed (any role); each instance's own promotion score added on its node; then
    /// the preferences of what must be with the Promoted instance merged in again. Both merges
    /// keep what was not negative at zero or above (a DRBD master still goes where its
    /// filesystem prefers; a dislike only lowers), and one that would leave no node usable is
    /// rolled back (a dependent banned everywhere vetoes nothing). An instance whose own score
    /// is negative keeps it: it is not promoted on account of the others.
    /// </summary>
    private List<(SchedResource Instance, int Score)> PromotionOrder(SchedClone clone, List<(SchedResource Instance, int Own)> candidates)
    {
        var nodes = new Dictionary<SchedNode, int>(clone.Allowed);
        foreach (var c in clone.WithThis.Where(c => c.PrimaryRole is Role.Promoted or Role.Unknown or Role.Started && Placement.HasInfluence(c)))
            placement.AddColocatedNodeScores(c.Dependent, ref nodes, c.NodeAttribute, (float)c.Score / Inf, onlyPositive: true, towardsPrimaries: false);
        foreach (var (instance, own) in candidates)
            if (own >= 0 && nodes.ContainsKey(instance.AssignedTo!))
                nodes[instance.AssignedTo!] = Score.Add(nodes[instance.AssignedTo!], own);
        foreach (var c in clone.WithThis.Where(c => c.PrimaryRole is Role.Promoted && Placement.HasInfluence(c)))
            placement.AddColocatedNodeScores(c.Dependent, ref nodes, c.NodeAttribute, (float)c.Score / Inf, onlyPositive: true, towardsPrimaries: false);
        return candidates.Select(c => (c.Instance, c.Own < 0 ? c.Own : nodes.GetValueOrDefault(c.Instance.AssignedTo!, c.Own))).ToList();
    }

    private int PromotionScore(SchedClone clone, Dictionary<string, List<SchedPrimitive>>? siblings, SchedResource instance, SchedNode node)
    {
        var total = 0;
        var found = false;
        // Counted only where the cluster knows the instance's state, as before placement
        // (Pacemaker's promotion_score): an instance that moves to a node where its resource was
        // never seen does not bring that node's promotion score along.
        foreach (var p in instance.Primitives())
            if (PromotionScoreApplies(siblings?[CloneBuilder.BaseId(p.Id)], p, node) && PromotionAttribute(p, node) is { } value)
            { total = Score.Add(total, value); found = true; }
        // No promotion score: -1, so only a role=Promoted location or the clone's own role colocation can make it promotable.
        if (!found) total = -1;
        // role=Promoted location constraints on the clone.
        foreach (var l in ws.Config.Constraints.OfType<LocationConstraint>())
        {
            // (One on a bundle is on the clone of the primitive inside it.)
            if (l.Resource != clone.Id && l.Resource != clone.BundleContainers?.Id
                && !instance.Primitives().Any(p => CloneBuilder.BaseId(p.Id) == l.Resource)) continue;
            if (l.Node is not null && Roles.Parse(l.Role) == Role.Promoted && l.Node == node.Name)
                total = Score.Add(total, (l.Score ?? Score.Zero).Value);
            foreach (var rule in l.Rules)
                if (Roles.Parse(rule.Role ?? l.Role) == Role.Promoted && RuleEvaluator.Matches(rule, node, ws.Now))
                    total = Score.Add(total, (rule.Score ?? Score.Zero).Value);
        }
        return total;
    }
}

internal static class ManagedExtensions
{
    public static bool Managed(this SchedResource r) => r.Primitives().All(p => p.Managed);
}
