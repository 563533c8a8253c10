using HaCluster.Core.Cib;

namespace HaCluster.Core.Policy;

/// <summary>
/// Assigns resources to nodes, as Pacemaker's scheduler does: node scores from location
/// constraints, stickiness and failures; resources taken by priority and current score; each
/// one first places the resources it must be with, merges the preferences of the resources
/// that must be with it (attenuated by the colocation score), then takes its best node
/// (score, then fewest resources, then where it already runs, then node name).
/// </summary>
internal sealed class Placement(WorkingSet ws)
{
    internal Utilization Capacity { get; } = new(ws);

    private const int Inf = Score.InfinityValue;
    /// <summary>Pacemaker's marker for "must not become positive" during merges.</summary>
    private const int InfinityHack = Inf * 2;

    internal static string FormatScore(int v) => v >= Inf ? "+INFINITY" : v <= -Inf ? "-INFINITY" : v >= 0 ? "+" + v : v.ToString();

    public void Run()
    {
        ApplyManagement();
        InitialScores();
        ApplyLocations();
        ApplyNodeHealth();
        new TicketPolicy(ws).Apply();
        ApplyStickinessAndFailures();
        BuildColocations();
        SortColocations();
        foreach (var r in SortedForAssignment())
        {
            Assign(r);
            if (r is SchedPrimitive { IsConnection: true } connection) RemoteConnections.Placed(ws, connection);
            if (r is SchedClone { Bundle: not null } containers) ConnectThroughRemoteHosts(containers);
        }
        foreach (var p in ws.AllPrimitives())
            if (p.NextRole == Role.Unknown)
                p.NextRole = p.AssignedTo is null ? Role.Stopped : Role.Started;
    }

    // ------------------------------------------------------------------ scores

    private void ApplyManagement() => ApplyManagement(ws, withoutFencing: ws.StonithEnabled && !ws.HaveStonithResource);

    /// <summary>
    /// Which resources the cluster leaves alone: is-managed=false, maintenance (the resource's,
    /// the cluster's, or its node's), blocked by a failed stop; and, while placing, every one
    /// when fencing is enabled without a fencing device (<paramref name="withoutFencing"/>).
    /// Status displays apply it without that last rule, as crm_mon shows them.
    /// </summary>
    internal static void ApplyManagement(WorkingSet ws, bool withoutFencing)
    {
        // With fencing enabled but no fencing device, Pacemaker manages nothing: it cannot recover safely.
        foreach (var p in ws.AllPrimitives())
            if (withoutFencing || UnmanagedByOperator(ws, p)) p.Managed = false;
    }

    /// <summary>
    /// Unmanaged by is-managed=false, maintenance (the resource's, the cluster's, its node's) or
    /// a blocked failure: not merely because fencing is enabled without a device.
    /// </summary>
    private static bool UnmanagedByOperator(WorkingSet ws, SchedPrimitive p) =>
        ws.MaintenanceMode || p.Blocked || p.ActiveOn.Keys.Any(n => n.Maintenance)
        || !(CibBoolean.TryParse(p.MetaValue("is-managed")) ?? true) || CibBoolean.IsTrue(p.MetaValue("maintenance"));

    private void InitialScores()
    {
        foreach (var p in ws.AllResources())
            foreach (var n in ws.Nodes)
                if (ws.SymmetricCluster) p.Allowed[n] = 0;
        // A guest's connection opts in wherever its container may go (it is colocated with it).
        if (!ws.SymmetricCluster)
            foreach (var p in ws.AllPrimitives().Where(p => p.IsGuestConnection))
                foreach (var n in ws.Nodes.Where(n => !n.IsRemote))
                    p.Allowed[n] = 0;
        // Fencing devices, remote and guest connections and guests' containers run on cluster
        // nodes only (no guest inside a guest).
        // (A bundle's containers may run on Pacemaker Remote nodes: their connections then go
        // through that node's connection.)
        var containers = ws.Nodes.Where(n => n.IsGuest).Select(n => n.GuestContainer).ToHashSet();
        foreach (var p in ws.AllPrimitives().Where(p => p.Agent.Class == "stonith" || WorkingSet.IsRemoteAgent(p.Agent)
                     || containers.Contains(p.Id) && p.Parent is not SchedClone { Bundle: not null }))
            foreach (var n in ws.Nodes.Where(n => n.IsRemote))
                p.Allowed[n] = -Inf;
        RestrictBundleNodes();
    }

    /// <summary>
    /// A bundle's guest node runs its own instance of the bundle's primitive and nothing else:
    /// every other resource is banned there, and instance i may run only on guest node i.
    /// </summary>
    private void RestrictBundleNodes()
    {
        var bundleNodes = ws.Nodes.Where(n => Bundles.IsBundleNode(ws, n)).ToList();
        if (bundleNodes.Count == 0) return;
        foreach (var r in ws.AllResources())
        {
            if (r is SchedPrimitive { BundleNode: { } own })
            {
                r.Allowed.Clear();
                r.Allowed[own] = 0;
                continue;
            }
            var owner = (r as SchedClone ?? r.EnclosingClone)?.BundleContainers;
            foreach (var n in bundleNodes)
                r.Allowed[n] = owner is not null && ws.ContainerOf(n)?.Parent == owner ? 0 : -Inf;
        }
    }

    /// <summary>The primitives a constraint on <paramref name="r"/> reaches (a group's members, a clone's instances).</summary>
    private static IEnumerable<SchedResource> Leaves(SchedResource r) => r switch
    {
        SchedPrimitive p => new[] { p },
        _ => r.Children.SelectMany(Leaves).Prepend(r),
    };

    private void AddScore(SchedResource r, SchedNode n, int score, string? why = null)
    {
        if (why is not null) r.Explanation.Add($"{FormatScore(score)} on {n.Name}: {why}");
        if (r.Allowed.TryGetValue(n, out var s)) r.Allowed[n] = Score.Add(s, score);
        else r.Allowed[n] = Score.Add(0, score);
    }

    /// <summary>
    /// node-health-strategy: each node's "#health-*" attributes (red, yellow, green or a score)
    /// give it a health score, applied to every resource like a location constraint except to
    /// those with allow-unhealthy-nodes=true. migrate-on-red: red is -INFINITY; only-green: red
    /// and yellow are; progressive and custom: the colours score node-health-red/-yellow/-green
    /// (-INFINITY, 0, 0 by default), added to node-health-base.
    /// </summary>
    private void ApplyNodeHealth()
    {
        var strategy = ws.Property("node-health-strategy") ?? "none";
        if (strategy is not ("migrate-on-red" or "only-green" or "progressive" or "custom")) return;
        int Colour(string name, int fallback) => Score.TryParse(ws.Property(name), out var v) ? v.Value : fallback;
        var (red, yellow, green, baseScore) = strategy switch
        {
            "migrate-on-red" => (-Inf, 0, 0, 0),
            "only-green" => (-Inf, -Inf, 0, 0),
            _ => (Colour("node-health-red", -Inf), Colour("node-health-yellow", 0), Colour("node-health-green", 0), Colour("node-health-base", 0)),
        };
        foreach (var node in ws.Nodes)
        {
            var health = baseScore;
            foreach (var (name, value) in node.Attributes)
            {
                if (!name.StartsWith("#health", StringComparison.Ordinal)) continue;
                var score = value.ToLowerInvariant() switch
                {
                    "red" => red,
                    "yellow" => yellow,
                    "green" => green,
                    _ => strategy is "progressive" or "custom" && Score.TryParse(value, out var v) ? v.Value : 0,
                };
                health = Score.Add(health, score);
            }
            if (health == 0) continue;
            foreach (var top in ws.Resources.Where(r => r.Parent is null && !CibBoolean.IsTrue(r.MetaValue("allow-unhealthy-nodes"))))
                foreach (var r in Leaves(top))
                    AddScore(r, node, health, r == top ? $"node health ({strategy})" : null);
        }
    }

    private void ApplyLocations()
    {
        foreach (var l in ws.Config.Constraints.OfType<LocationConstraint>())
        {
            // Role-specific locations steer promotion, not placement.
            if (Roles.Parse(l.Role) is Role.Promoted or Role.Unpromoted) continue;
            foreach (var target in l.TargetIds(ws.Config).SelectMany(ws.Resolve))
            {
                if (l.Node is not null)
                {
                    var node = ws.FindNode(l.Node);
                    if (node is null) continue;
                    foreach (var (leaf, score, group) in LocationTargets(target, (l.Score ?? Score.Zero).Value))
                        AddScore(leaf, node, score, $"location {l.Id}{FirstMemberNote(group)}");
                    NoteDiscovery(l, target, node);
                    continue;
                }
                foreach (var rule in l.Rules)
                {
                    if (Roles.Parse(rule.Role) is Role.Promoted or Role.Unpromoted) continue;
                    foreach (var node in ws.Nodes)
                    {
                        // value-source=param/meta compares against the constrained resource's own
                        // attributes (parameters as they are on that node: sets may have rules).
                        string? Own(string name, string source) => target switch
                        {
                            SchedPrimitive p when source == "param" => ParameterOn(p, node, name),
                            _ when source == "meta" => target.MetaValue(name),
                            _ => null,
                        };
                        if (!RuleEvaluator.Matches(rule, node, ws.Now, Own)) continue;
                        int score;
                        if (rule.ScoreAttribute is not null)
                        {
                            if (!Score.TryParse(node.Attribute(rule.ScoreAttribute), out var s)) continue;
                            score = s.Value;
                        }
                        else score = (rule.Score ?? Score.Zero).Value;
                        foreach (var (leaf, share, group) in LocationTargets(target, score))
                            AddScore(leaf, node, share, $"location {l.Id} (rule {rule.Id ?? "matched"}){FirstMemberNote(group)}");
                        NoteDiscovery(l, target, node);
                    }
                }
            }
        }
        ApplyExclusiveDiscovery();
    }

    /// <summary>
    /// What a location on <paramref name="r"/> scores, resource by resource (Pacemaker 2.1.5):
    /// a clone passes it to every instance; a group (its members colocated, the default) to
    /// itself and its first member in full, and to the later members at 0 (they may run there,
    /// and follow the first member, whose scores already count theirs).
    /// </summary>
    private static IEnumerable<(SchedResource Leaf, int Score, SchedGroup? CountedOnFirstOf)> LocationTargets(SchedResource r, int score, SchedGroup? countedOnFirstOf = null)
    {
        yield return (r, score, countedOnFirstOf);
        var colocatedGroup = r is SchedGroup g && CibBoolean.TryParse(g.MetaValue("collocated")) != false ? g : null;
        for (var i = 0; i < r.Children.Count; i++)
        {
            var later = colocatedGroup is not null && i > 0;
            foreach (var target in LocationTargets(r.Children[i], later ? 0 : score, later ? colocatedGroup : countedOnFirstOf))
                yield return target;
        }
    }

    private static string FirstMemberNote(SchedGroup? group) => group is null ? "" : $" (it counts on {group.Id}'s first member)";

    /// <summary>
    /// A location's resource-discovery mode for the nodes it applies to: "never" (do not probe
    /// there) and "exclusive" (probe only, and run only, on such nodes) are kept per primitive
    /// and node, the strongest winning (exclusive over never over always).
    /// </summary>
    private void NoteDiscovery(LocationConstraint l, SchedResource target, SchedNode node)
    {
        if (l.ResourceDiscovery is not ("never" or "exclusive")) return;
        foreach (var leaf in target.Primitives())
        {
            if (l.ResourceDiscovery == "exclusive") leaf.ExclusiveDiscovery = true;
            if (leaf.DiscoveryOn.GetValueOrDefault(node) != "exclusive") leaf.DiscoveryOn[node] = l.ResourceDiscovery;
        }
    }

    /// <summary>A resource discovered exclusively somewhere may run only where it is discovered exclusively.</summary>
    private void ApplyExclusiveDiscovery()
    {
        foreach (var p in ws.AllPrimitives().Where(p => p.ExclusiveDiscovery))
            foreach (var node in ws.Nodes.Where(n => p.DiscoveryOn.GetValueOrDefault(n) != "exclusive"))
            {
                p.Allowed[node] = -Inf;
                p.Explanation.Add($"-INFINITY on {node.Name}: resource-discovery=exclusive elsewhere");
            }
    }

    private string? ParameterOn(SchedPrimitive p, SchedNode node, string name) =>
        OperationDigest.ResourceParameters(ws.Config, p.Definition, r => RuleEvaluator.Matches(r, node, ws.Now)).GetValueOrDefault(name);

    private void ApplyStickinessAndFailures()
    {
        // A hard error rules the node out for the whole top-level resource (every instance of a
        // clone, every member of a group), as Pacemaker bans the resource's top-level parent.
        var hardErrors = ws.AllPrimitives().SelectMany(p => p.HardErrorOn.Select(n => (p.TopLevel, n))).ToHashSet();
        // migration-threshold reached by an anonymous clone's instance bans the whole clone there.
        // A leftover copy beyond clone-max (a probe's history on a node where no instance number
        // was left) is checked like an instance, as Pacemaker keeps it among the clone's children:
        // its failures are not ignored even when every instance's are (on-fail=ignore).
        var cloneFailureBans = new HashSet<(SchedResource, SchedNode)>();
        foreach (var p in ws.AllPrimitives().Concat(ws.StoppedCloneLeftovers))
            if (AnonymousCloneOf(p) is { } anonymous)
                foreach (var node in ws.Nodes.Where(n => FailuresAtThreshold(p, n) > 0))
                    cloneFailureBans.Add((anonymous, node));
        foreach (var p in ws.AllPrimitives())
        {
            var stickiness = Score.TryParse(p.MetaValue("resource-stickiness") ?? ws.Property("default-resource-stickiness"), out var st) ? st.Value : 0;
            // Stickiness holds for a failed resource too: it is recovered in place unless its
            // failures ban the node (migration-threshold, below).
            if (stickiness != 0 && p.Managed && p.ActiveOn.Count == 1)
            {
                var node = p.ActiveOn.Keys.First();
                if (p.Allowed.ContainsKey(node) || ws.SymmetricCluster) AddScore(p, node, stickiness, "resource-stickiness (it runs there)");
            }
            // A resource the cluster leaves alone is where it runs, for sure: INFINITY there
            // (Pacemaker's "not_managed_default"), which its colocations pass on to others.
            if (!p.Managed && UnmanagedByOperator(ws, p))
                foreach (var node in p.ActiveOn.Keys)
                    AddScore(p, node, Inf, "unmanaged (it runs there)");
            if (p.LockedTo is { } lockNode)
            {
                foreach (var other in ws.Nodes.Where(n => n != lockNode)) p.Allowed[other] = -Inf;
                p.Explanation.Add($"-INFINITY everywhere but {lockNode.Name}: shutdown-lock (it is kept for the node that shut down)");
            }
            foreach (var node in ws.Nodes.Where(n => hardErrors.Contains((p.TopLevel, n))))
            {
                p.Allowed[node] = -Inf;
                p.Explanation.Add($"-INFINITY on {node.Name}: a hard error there (invalid arguments, no permission or not installed)");
            }
            // A stop that failed bans the node whatever the fail count (Pacemaker's __stop_fail__).
            foreach (var node in p.StopFailedOn)
            {
                p.Allowed[node] = -Inf;
                p.Explanation.Add($"-INFINITY on {node.Name}: its stop failed there");
            }
            foreach (var node in ws.Nodes)
            {
                var clone = p.EnclosingClone is { GloballyUnique: false } c && cloneFailureBans.Contains((c, node));
                var failures = clone ? 0 : FailuresAtThreshold(p, node);
                if (!clone && failures == 0) continue;
                p.Allowed[node] = -Inf;
                p.Explanation.Add(clone
                    ? $"-INFINITY on {node.Name}: its clone's failures there (all instances together) reached migration-threshold"
                    : $"-INFINITY on {node.Name}: {failures} failure(s) reached migration-threshold {p.MetaValue("migration-threshold") ?? "INFINITY"}");
            }
        }
        // Pacemaker bans an anonymous clone as a whole: its own scores too, which the order
        // resources are placed in compares.
        foreach (var (clone, node) in cloneFailureBans) clone.Allowed[node] = -Inf;
    }

    /// <summary>Its fail count on a node when that reaches migration-threshold; 0 when it does not.</summary>
    private int FailuresAtThreshold(SchedPrimitive p, SchedNode node)
    {
        if (p.FailCountClearedOn.Contains(node) || p.FailuresIgnored) return 0;
        var threshold = Score.TryParse(p.MetaValue("migration-threshold"), out var mt) ? mt.Value : Inf;
        // A container answers for what runs inside it (a guest's connection included).
        _fillers ??= ws.AllPrimitives().Where(f => f.Container is not null).ToLookup(f => f.Container!);
        var failures = FailCount(p, node) + _fillers[p].Sum(f => FailCount(f, node));
        return failures > 0 && threshold > 0 && failures >= threshold ? failures : 0;
    }

    /// <summary>The anonymous clone p is an instance of, or a leftover copy of.</summary>
    private static SchedClone? AnonymousCloneOf(SchedPrimitive p) =>
        (p.EnclosingClone ?? p.OrphanedFrom) is { GloballyUnique: false } clone ? clone : null;

    /// <summary>Its fail-count attributes on a node, summed, and the latest last-failure.</summary>
    private static (int Count, long LastFailure) RawFailures(SchedPrimitive p, SchedNode node) =>
        // An anonymous clone's failures count together, whichever instance number recorded them.
        // (A bundle's containers have ids of their own.)
        AnonymousCloneOf(p) is { Bundle: null }
            ? node.Failures([CloneBuilder.BaseId(p.Id)], anyInstance: true)
            : node.Failures(new[] { p.Id, p.ConfigId }.Distinct().ToArray());

    /// <summary>
    /// Whether failure-timeout no longer applies to p's fail count on a node because of a failure
    /// of an on-fail=block operation: Pacemaker checks migration-threshold node by node in name
    /// order and drops the timeout at the first node where such a failure counts, for that node
    /// and every one after it.
    /// </summary>
    private bool TimeoutDroppedBy(SchedPrimitive p, SchedNode node)
    {
        if (p.BlockFailureOn.Count == 0) return false;
        _timeoutDroppedFrom ??= ws.AllPrimitives().Where(b => b.BlockFailureOn.Count > 0)
            .Select(b => (b, From: ws.Nodes.OrderBy(n => n.Name, StringComparer.Ordinal)
                .FirstOrDefault(n => b.BlockFailureOn.Contains(n) && RawFailures(b, n).Count > 0)))
            .Where(x => x.From is not null).ToDictionary(x => x.b, x => x.From!);
        return _timeoutDroppedFrom.TryGetValue(p, out var from) && string.CompareOrdinal(node.Name, from.Name) >= 0;
    }
    private Dictionary<SchedPrimitive, SchedNode>? _timeoutDroppedFrom;

    /// <summary>Resources by the container they run in.</summary>
    private ILookup<SchedPrimitive, SchedPrimitive>? _fillers;

    /// <summary>Sum of the resource's fail-count attributes on a node, unless failure-timeout expired them.</summary>
    private int FailCount(SchedPrimitive p, SchedNode node)
    {
        if (!node.HasFailureAttributes) return 0;
        var (total, lastFailure) = RawFailures(p, node);
        if (total > 0 && p.FailureTimeoutMs is > 0 and var timeoutMs && lastFailure > 0 && !TimeoutDroppedBy(p, node))
        {
            var expires = DateTimeOffset.FromUnixTimeSeconds(lastFailure).AddMilliseconds(timeoutMs);
            if (ws.Now > expires) return 0;
        }
        return total;
    }

    /// <summary>
    /// A bundle container placed on a Pacemaker Remote node is reached through that node: its
    /// guest's connection must run where the remote node's connection runs (Pacemaker Remote
    /// takes one connection at a time), so it is colocated with it, INFINITY.
    /// </summary>
    private void ConnectThroughRemoteHosts(SchedClone containers)
    {
        var replicas = Bundles.Replicas(containers.Bundle!);
        for (var i = 0; i < containers.Children.Count && i < replicas.Count; i++)
        {
            if (containers.Children[i].AssignedTo is not { IsRemote: true } host || ws.ConnectionOf(host) is not { } hostConnection) continue;
            if (replicas[i].RemoteId is not { } id || ws.ById.GetValueOrDefault(id) is not SchedPrimitive { IsBundleConnection: true } guestConnection) continue;
            AddColocation($"{guestConnection.Id}-with-{hostConnection.Id}", guestConnection, hostConnection, Inf, Role.Unknown, Role.Unknown, null, influence: true);
        }
    }

    // ------------------------------------------------------------------ colocations

    private void AddColocation(string id, SchedResource dependent, SchedResource primary, int score, Role depRole, Role priRole, string? attr, bool influence,
        SchedResource? namedDependent = null, SchedResource? namedPrimary = null)
    {
        var c = new SchedColocation(id, dependent, primary, score, depRole, priRole, attr, influence, namedDependent ?? dependent, namedPrimary ?? primary);
        dependent.ThisWith.Add(c);
        primary.WithThis.Add(c);
        ws.Colocations.Add(c);
    }

    /// <summary>
    /// Each resource's colocations in the order Pacemaker 2.1.5 keeps them (and so applies
    /// them): by the other resource's priority, highest first; then clones before groups before
    /// primitives, promotable clones first; then by the other resource's id; else as configured.
    /// </summary>
    private void SortColocations()
    {
        static int Variant(SchedResource r) => r switch { SchedClone => 2, SchedGroup => 1, _ => 0 };
        static IEnumerable<SchedColocation> Sorted(List<SchedColocation> list, Func<SchedColocation, SchedResource> other) =>
            list.OrderByDescending(c => other(c).Priority)
                .ThenByDescending(c => Variant(other(c)))
                .ThenByDescending(c => other(c) is SchedClone { Promotable: true } ? 1 : 0)
                .ThenBy(c => other(c).Id, StringComparer.Ordinal)
                .ToList();
        foreach (var r in ws.AllResources())
        {
            if (r.ThisWith.Count > 1)
            {
                var sorted = Sorted(r.ThisWith, c => c.NamedPrimary!);
                r.ThisWith.Clear();
                r.ThisWith.AddRange(sorted);
            }
            if (r.WithThis.Count > 1)
            {
                var sorted = Sorted(r.WithThis, c => c.NamedDependent!);
                r.WithThis.Clear();
                r.WithThis.AddRange(sorted);
            }
        }
    }

    private void BuildColocations()
    {
        // Group members: each with the one before it, mandatory.
        foreach (var g in ws.AllResources().OfType<SchedGroup>())
            for (int i = 1; i < g.Children.Count; i++)
                AddColocation($"{g.Id}-member-{i}", g.Children[i], g.Children[i - 1], Inf, Role.Unknown, Role.Unknown, null, true);

        foreach (var c in ws.Config.Constraints.OfType<ColocationConstraint>())
        {
            if (c.Sets.IsEmpty)
            {
                if (c.Resource is null || c.WithResource is null) continue;
                foreach (var d in ws.Resolve(c.Resource))
                    foreach (var p in ws.Resolve(c.WithResource))
                        Colocate(c.Id, d, p, c.Score.Value, Roles.Parse(c.ResourceRole), Roles.Parse(c.WithResourceRole), c.NodeAttribute);
                continue;
            }
            // Sets: within a sequential set each member is with the one before it; each set is
            // with the previous set (its first member stands for it).
            List<SchedResource>? previousSet = null;
            var previousSequential = true;
            Role previousRole = Role.Unknown;
            foreach (var set in c.Sets)
            {
                var members = set.Resources.SelectMany(ws.Resolve).ToList();
                var role = Roles.Parse(set.Role);
                var score = set.Score?.Value ?? c.Score.Value;
                var sequential = CibBoolean.TryParse(set.Sequential) != false;
                // ordering="listed" reads the set the other way: each member with the next one.
                var listed = string.Equals(set.Ordering, "listed", StringComparison.OrdinalIgnoreCase);
                if (sequential)
                    for (int i = 1; i < members.Count; i++)
                        if (listed) Colocate(c.Id, members[i - 1], members[i], score, role, role, c.NodeAttribute);
                        else Colocate(c.Id, members[i], members[i - 1], score, role, role, c.NodeAttribute);
                if (previousSet is not null && previousSet.Count > 0 && members.Count > 0)
                {
                    // The earlier set is placed with the later one: a sequential earlier set through
                    // its first member (the rest follow it), a sequential later set through its
                    // last member (which follows the rest); an unordered set through every member.
                    var dependents = previousSequential ? previousSet.Take(1) : previousSet;
                    var primaries = sequential ? members.TakeLast(1) : members;
                    foreach (var d in dependents)
                        foreach (var m in primaries)
                            Colocate(c.Id, d, m, c.Score.Value, previousRole, role, c.NodeAttribute);
                }
                previousSet = members;
                previousSequential = sequential;
                previousRole = role;
            }
        }
        RepeatGroupRequirementsPastUnmanagedMembers();
    }

    /// <summary>
    /// A group's colocations sit on its first member, and the rest follow along the chain. An
    /// unmanaged member breaks that chain (it stays where it is whatever the group must be with),
    /// so, as Pacemaker does, each member after one holds the group's mandatory colocations itself.
    /// (Only on the member's side: what the group must be with still sees the group once.)
    /// </summary>
    private void RepeatGroupRequirementsPastUnmanagedMembers()
    {
        foreach (var g in ws.AllResources().OfType<SchedGroup>())
        {
            var firstUnmanaged = g.Children.FindIndex(m => !m.Managed);
            if (firstUnmanaged < 0 || firstUnmanaged == g.Children.Count - 1) continue;
            var mandatory = g.Children[0].ThisWith.Where(c => c.NamedDependent == g && c.Score >= Inf).ToList();
            foreach (var member in g.Children.Skip(firstUnmanaged + 1))
                foreach (var c in mandatory)
                    member.ThisWith.Add(c with { Dependent = member });
        }
    }

    private void Colocate(string id, SchedResource dependent, SchedResource primary, int score, Role depRole, Role priRole, string? attr)
    {
        if (dependent == primary || score == 0) return;
        // A Promoted or Unpromoted role named for a resource that is no promotable clone never
        // matches its role (Started), so the colocation never applies, as in Pacemaker.
        if ((priRole is Role.Promoted or Role.Unpromoted && !IsPromotable(primary))
            || (depRole is Role.Promoted or Role.Unpromoted && !IsPromotable(dependent))) return;
        var influence = CibBoolean.TryParse(primary.MetaValue("critical") ?? dependent.MetaValue("critical")) ?? true;
        AddColocation(id, dependent.Anchor, primary.Anchor, score, depRole, priRole, attr, influence, dependent, primary);
    }

    // ------------------------------------------------------------------ assignment order

    /// <summary>
    /// The order resources are assigned in, as Pacemaker 2.1.5 assigns them: Pacemaker Remote
    /// connections first (where a connection runs decides where a whole node's resources can);
    /// then by priority, highest first; with a utilization placement strategy, then the one with
    /// the higher score where it runs now (it keeps its place before others claim capacity), then
    /// the higher score node by node; else configuration order (a stable sort).
    /// </summary>
    private IEnumerable<SchedResource> SortedForAssignment()
    {
        var indexed = ws.Resources.Select((r, i) => (r, i)).ToList();
        // (A bundle's connections are not among them: Pacemaker places them with their bundle.)
        static bool PlacedFirst(SchedResource r) => r is SchedPrimitive { IsConnection: true, IsBundleConnection: false };
        var connections = indexed.Where(x => PlacedFirst(x.r))
            .OrderByDescending(x => x.r.Priority).ThenBy(x => x.i).Select(x => x.r).ToList();
        if (connections.Count > 0)
            indexed.RemoveAll(x => PlacedFirst(x.r));
        if (!Capacity.Enabled)
            return connections.Concat(indexed.OrderByDescending(x => x.r.Priority).ThenBy(x => x.i).Select(x => x.r)).ToList();
        // The nodes in Pacemaker's order for this comparison: nodes that can run resources first,
        // then (balanced) the most free capacity, then the name.
        var nodes = ws.Nodes.OrderBy(n => n.Name, StringComparer.Ordinal).ToList();
        nodes.Sort((a, b) =>
        {
            if (a.CanRunResources != b.CanRunResources) return a.CanRunResources ? -1 : 1;
            var free = Capacity.Strategy == "balanced" ? Capacity.CompareFree(a, b) : 0;
            return free != 0 ? free : string.CompareOrdinal(a.Name, b.Name);
        });
        // A resource's scores with those of what it must be with (followed as Pacemaker merges
        // them for this comparison), computed once per resource.
        var merged = new Dictionary<SchedResource, Dictionary<SchedNode, int>>();
        Dictionary<SchedNode, int> Merged(SchedResource r)
        {
            if (merged.TryGetValue(r, out var table)) return table;
            // A group starts from its last member, which is with the one before it and so on
            // back to the first (where the group's own colocations sit): each earlier member's
            // scores are merged in, and a node none of them can use now counts -INFINITY.
            var start = r is SchedGroup { Children.Count: > 0 } g ? g.Children[^1] : r.Anchor;
            table = new Dictionary<SchedNode, int>(start.Allowed);
            if (table.Keys.Any(n => n.CanRunResources && start.Effective(n) >= 0))
            {
                start.Merging = true;
                foreach (var c in start.ThisWith.ToList())
                    AddColocatedNodeScores(c.Primary, ref table, c.NodeAttribute, (float)c.Score / Inf, onlyPositive: false, towardsPrimaries: true);
                start.Merging = false;
            }
            return merged[r] = table;
        }
        // The score itself, even on a node that cannot run resources now (standby): Pacemaker
        // compares the resources' tables, not where they could go.
        int ScoreOn(SchedResource r, SchedNode? n) => n is null ? -Inf : Merged(r).TryGetValue(n, out var s) ? s : -Inf;
        int Compare((SchedResource r, int i) a, (SchedResource r, int i) b)
        {
            if (a.r.Priority != b.r.Priority) return b.r.Priority.CompareTo(a.r.Priority);
            var byCurrent = ScoreOn(b.r, b.r.Anchor.CurrentNode).CompareTo(ScoreOn(a.r, a.r.Anchor.CurrentNode));
            if (byCurrent != 0) return byCurrent;
            foreach (var n in nodes)
            {
                var byNode = ScoreOn(b.r, n).CompareTo(ScoreOn(a.r, n));
                if (byNode != 0) return byNode;
            }
            return a.i.CompareTo(b.i);
        }
        // A bundle is one resource to Pacemaker: its addresses, connections and the primitive's
        // clone are placed right after its containers, whatever their own scores.
        var bundleParts = indexed.Where(x => x.r is SchedClone { Bundle: not null }).Select(x => (SchedClone)x.r)
            .ToDictionary(b => b, b => Bundles.ImplicitParts(ws, b).ToList());
        var inBundles = bundleParts.Values.SelectMany(parts => parts).ToHashSet();
        indexed.RemoveAll(x => inBundles.Contains(x.r));
        indexed.Sort(Compare);
        return connections.Concat(indexed.SelectMany(x => x.r is SchedClone b && bundleParts.TryGetValue(b, out var parts) ? [x.r, .. parts] : new[] { x.r })).ToList();
    }

    // ------------------------------------------------------------------ assignment

    private SchedNode? Assign(SchedResource r)
    {
        switch (r)
        {
            case SchedGroup g:
                foreach (var m in g.Children) Assign(m);
                g.Provisional = false;
                g.AssignedTo = g.Children.Count > 0 ? g.Children[0].AssignedTo : null;
                return g.AssignedTo;
            case SchedClone c:
                return new CloneAssigner(ws, this).Assign(c);
        }
        var p = (SchedPrimitive)r;
        if (p.Parent is SchedGroup parentGroup && parentGroup.Provisional && !parentGroup.Assigning)
        {
            parentGroup.Assigning = true;
            Assign(parentGroup);
            parentGroup.Assigning = false;
            return p.AssignedTo;
        }
        if (!p.Provisional) return p.AssignedTo;
        if (p.Assigning) return null;
        p.Assigning = true;

        // Its own colocations first, then what must be with it (Pacemaker 2.1.5's order): a
        // dependent's ban is then rolled back when it would leave this resource nowhere to run,
        // so a group member that cannot run where its group is stops instead of pulling the
        // group against an anti-colocation.
        foreach (var c in p.ThisWith.ToList()) ApplyThisWith(c, p);
        foreach (var c in p.WithThis.ToList()) AddDependentScores(c, p);

        if (p.TargetRole == Role.Stopped) p.NextRole = Role.Stopped;

        if (!p.Managed)
        {
            p.AssignedTo = p.CurrentNode;
            p.NextRole = p.CurrentRole;
        }
        else if (ws.StopAllResources || p.NextRole == Role.Stopped || p.Orphan)
        {
            p.AssignedTo = null;
            p.NextRole = Role.Stopped;
        }
        else
        {
            AssignBestNode(p);
        }
        if (p.AssignedTo is not null)
        {
            p.AssignedTo.AssignedCount++;
            Capacity.Consume(p.AssignedTo, p);
        }
        p.Assigning = false;
        p.Provisional = false;
        return p.AssignedTo;
    }

    internal SchedNode? AssignPrimitive(SchedResource r) => Assign(r);

    private static bool IsMandatory(SchedColocation c) => c.Score >= Inf || c.Score <= -Inf;

    /// <summary>Nodes sorted for choosing: score, fewest assigned, the preferred node, name.</summary>
    internal List<SchedNode> SortNodes(SchedResource r, SchedNode? preferred)
    {
        var nodes = r.Allowed.Keys.ToList();
        nodes.Sort((a, b) =>
        {
            var c = r.Effective(b).CompareTo(r.Effective(a));
            if (c != 0) return c;
            // "minimal" packs: after the score only the name decides.
            if (Capacity.Strategy != "minimal")
            {
                if (Capacity.Strategy == "balanced" && (c = Capacity.CompareFree(a, b)) != 0) return c;
                if ((c = a.AssignedCount.CompareTo(b.AssignedCount)) != 0) return c;
                if (a == preferred || b == preferred) return a == preferred ? -1 : 1;
            }
            return string.CompareOrdinal(a.Name, b.Name);
        });
        return nodes;
    }

    private void AssignBestNode(SchedPrimitive p)
    {
        var mostCapable = Capacity.BanInsufficient(p);
        var current = p.CurrentNode;
        var nodes = SortNodes(p, current);
        var chosen = nodes.FirstOrDefault();
        // A remote connection caught mid-migration goes on to its target if it may run there
        // (Pacemaker places connections this way so that their nodes' resources stay put).
        if (p is { IsRemoteConnection: true, PartialMigration: var (_, target) } && p.Effective(target) >= 0)
            chosen = target;
        // With a placement strategy, the node with the most free capacity wins among the best.
        else if (chosen is not null && mostCapable is not null && p.Effective(mostCapable) >= p.Effective(chosen) && p.Effective(mostCapable) >= 0)
            chosen = mostCapable;
        else if (chosen is not null && p.Effective(chosen) > 0 && current is not null && current.CanRunResources)
        {
            var best = p.Effective(chosen);
            foreach (var n in nodes.Skip(1))
            {
                if (p.Effective(n) != best) break;
                if (n == current) chosen = n;
            }
        }
        if (chosen is null || p.Effective(chosen) < 0) { p.AssignedTo = null; p.NextRole = Role.Stopped; return; }
        p.AssignedTo = chosen;
        if (p.NextRole == Role.Unknown) p.NextRole = Role.Started;
    }

    private static bool IsPromotable(SchedResource r) => (r as SchedClone ?? r.EnclosingClone)?.Promotable == true;

    /// <summary>Where the primary of a colocation is (or will be), for the roles the colocation names.</summary>
    internal static HashSet<SchedNode> PrimaryNodes(SchedResource primary, Role role, int score = 0, bool interleaved = false)
    {
        var result = new HashSet<SchedNode>();
        foreach (var leaf in primary is SchedClone c ? c.Instances : new[] { primary })
        {
            // Being with a group itself (a plain group, or one group instance an interleaved
            // clone pairs with) means being with all of it when mandatory: its last member; else
            // with its first. A clone of groups as a whole is where its instances' members were
            // placed, even if only the first ones were (a disabled member stops those after it).
            var at = leaf switch
            {
                SchedGroup g when primary is not SchedClone || interleaved =>
                    (score >= Inf ? g.Children.LastOrDefault() : g.Children.FirstOrDefault())?.AssignedTo,
                SchedGroup g => g.Children.Select(m => m.AssignedTo).FirstOrDefault(n => n is not null),
                _ => leaf.AssignedTo,
            };
            if (at is null) continue;
            // A blocked instance (a failure left it frozen in place) is no partner for what must
            // be with the clone: that goes where a healthy instance runs. (What must be with the
            // Promoted role still goes where the frozen promoted instance is.)
            if (primary is SchedClone && score >= Inf && role is not Role.Promoted && leaf.Primitives().Any(x => x.Blocked)) continue;
            if (role is Role.Promoted && leaf.Primitives().Any(x => x.NextRole != Role.Promoted)) continue;
            if (role is Role.Unpromoted && leaf.Primitives().Any(x => x.NextRole == Role.Promoted)) continue;
            result.Add(at);
        }
        return result;
    }

    private void ApplyThisWith(SchedColocation c, SchedResource dependent)
    {
        var primary = c.Primary;
        if (primary.Provisional) Assign(primary is SchedPrimitive { Parent: SchedClone pc } ? pc : primary);
        // Still unplaced: the colocations loop back to this resource (a with b, b with a), and
        // Pacemaker leaves a colocation with a primary it could not place yet out of account.
        if (primary.Provisional)
        {
            dependent.Explanation.Add($"colocation {c.Id} left out: {primary.Id} is placed after it (the colocations loop)");
            return;
        }
        var withWhat = ColocatedWith(c);
        var targets = PrimaryNodes(withWhat, c.PrimaryRole, c.Score);
        dependent.Explanation.Add($"colocation {c.Id} ({FormatScore(c.Score)} with {withWhat.Id}{(c.PrimaryRole == Role.Unknown ? "" : ":" + Roles.Name(c.PrimaryRole))}" +
            $", which {(targets.Count == 0 ? "runs nowhere" : "goes to " + string.Join(", ", targets.Select(n => n.Name)))})");
        var archive = new Dictionary<SchedNode, int>(dependent.Allowed);
        var attr = c.NodeAttribute ?? "#uname";
        var values = targets.Select(n => n.Attribute(attr)).Where(v => v is not null).ToHashSet();
        if (targets.Count == 0 && c.Score < 0) return;
        // Mandatory with a promotable clone's promoted role: the dependent adds, on each node
        // where a promoted instance goes, that instance's score there (Pacemaker merges them).
        var promotedScores = c.Score >= Inf && c.PrimaryRole == Role.Promoted && primary is SchedClone { Promotable: true } promotable
            ? PromotedInstanceScores(promotable) : null;
        foreach (var n in dependent.Allowed.Keys.ToList())
        {
            if (targets.Count == 0)
                dependent.Allowed[n] = Score.Add(-c.Score, dependent.Allowed[n]);
            else if (values.Contains(n.Attribute(attr)))
            {
                if (c.Score < Inf) dependent.Allowed[n] = Score.Add(c.Score, dependent.Allowed[n]);
                else if (promotedScores is not null && promotedScores.TryGetValue(n, out var instanceScore))
                    dependent.Allowed[n] = Score.Add(instanceScore, dependent.Allowed[n]);
            }
            else if (c.Score >= Inf)
                dependent.Allowed[n] = -Inf;
        }
        var mandatory = IsMandatory(c);
        if (!mandatory && !dependent.Allowed.Keys.Any(n => dependent.Effective(n) >= 0))
        {
            dependent.ReplaceAllowed(archive);
        }
    }

    /// <summary>
    /// What a colocation places its dependent with. With a group: mandatory means with all of it,
    /// so with its last member; optional, with its first (Pacemaker hands the colocation to that
    /// member). Otherwise the primary itself.
    /// </summary>
    internal static SchedResource ColocatedWith(SchedColocation c) =>
        c.NamedPrimary is SchedGroup { Parent: not SchedClone } group && group.Children.Count > 1
            ? (c.Score >= Inf ? group.Children[^1] : group.Children[0])
            : c.Primary;

    /// <summary>Where a promotable clone's instances are promoted, and each one's score there when it was placed.</summary>
    private static Dictionary<SchedNode, int> PromotedInstanceScores(SchedClone clone)
    {
        var scores = new Dictionary<SchedNode, int>();
        foreach (var instance in clone.Instances)
            if (instance.AssignedTo is { } node && instance.Primitives().All(p => p.NextRole == Role.Promoted))
                scores.TryAdd(node, instance.AssignedScore);
        return scores;
    }

    /// <summary>
    /// Whether what must be with a resource pulls it (Pacemaker's colocation influence): the
    /// dependent is critical (influence=true, the default), or the primary is not active yet.
    /// </summary>
    internal static bool HasInfluence(SchedColocation c)
    {
        // A bundle's connection does not move a healthy container running on one node: moving a
        // connection costs nothing, moving a container interrupts the service (Pacemaker's rule).
        if (c.Dependent is SchedPrimitive { IsBundleConnection: true } && c.Primary is SchedPrimitive { Failed: false, ActiveOn.Count: 1 })
            return false;
        return c.Influence || c.Primary.Primitives().All(p => p.ActiveOn.Count == 0);
    }

    private void AddDependentScores(SchedColocation c, SchedResource rsc)
    {
        // A non-critical dependent (influence=false) still counts while the primary runs nowhere.
        if (!HasInfluence(c)) return;
        rsc.Explanation.Add($"preferences of {c.Dependent.Id}, which must be with it (colocation {c.Id}, {FormatScore(c.Score)})");
        var work = new Dictionary<SchedNode, int>(rsc.Allowed);
        AddColocatedNodeScores(c.Dependent, ref work, c.NodeAttribute, (float)c.Score / Inf, rsc is SchedClone, towardsPrimaries: false);
        rsc.ReplaceAllowed(work);
    }

    /// <summary>
    /// Adds <paramref name="rsc"/>'s node preferences, times <paramref name="factor"/>, to
    /// <paramref name="nodes"/>, then follows its own colocations the same way. Those count by
    /// their own score and the sign of <paramref name="factor"/>, not by the product along the
    /// chain (Pacemaker 2.1.5): a -500 anti-colocation hands the primary what must be with the
    /// dependent at full strength, negated. A step that would leave no node available is rolled back.
    /// </summary>
    internal void AddColocatedNodeScores(SchedResource rsc, ref Dictionary<SchedNode, int> nodes, string? attr, float factor,
        bool onlyPositive, bool towardsPrimaries)
    {
        if (rsc.Merging) return;
        rsc.Merging = true;
        var work = new Dictionary<SchedNode, int>(nodes);
        AddMatchingScores(work, rsc, attr ?? "#uname", factor, onlyPositive);
        if (work.Keys.Any(n => n.CanRunResources && work[n] >= 0 && work[n] != InfinityHack))
        {
            var colocations = towardsPrimaries ? rsc.ThisWith : rsc.WithThis;
            foreach (var c in colocations.ToList())
            {
                if (!towardsPrimaries && !HasInfluence(c)) continue;
                var other = towardsPrimaries ? c.Primary : c.Dependent;
                AddColocatedNodeScores(other, ref work, c.NodeAttribute, (factor < 0 ? -1f : 1f) * c.Score / Inf, onlyPositive, towardsPrimaries);
            }
        }
        else
        {
            rsc.Merging = false;
            return;
        }
        if (onlyPositive)
            foreach (var n in work.Keys.ToList())
                if (work[n] == InfinityHack) work[n] = 1;
        nodes = work;
        rsc.Merging = false;
    }

    private void AddMatchingScores(Dictionary<SchedNode, int> work, SchedResource rsc, string attr, float factor, bool onlyPositive)
    {
        foreach (var node in work.Keys.ToList())
        {
            var value = node.Attribute(attr);
            var best = -Inf;
            foreach (var (other, score) in rsc.Allowed)
                if (score > best && other.CanRunResources && other.Attribute(attr) == value)
                    best = score;
            if (factor < 0 && best < 0) continue;
            if (work[node] == InfinityHack) continue;
            var weightF = factor * best;
            var weight = (int)(weightF < 0 ? weightF - 0.5f : weightF + 0.5f);
            if (weight == 0 && best != 0) weight = factor > 0 ? 1 : factor < 0 ? -1 : 0;
            var updated = Score.Add(weight, work[node]);
            if (onlyPositive && updated < 0 && work[node] > 0) { work[node] = InfinityHack; continue; }
            if (onlyPositive && updated < 0 && work[node] == 0) continue;
            work[node] = updated;
        }
    }
}
