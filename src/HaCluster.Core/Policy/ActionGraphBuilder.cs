using HaCluster.Core.Cib;

namespace HaCluster.Core.Policy;

/// <summary>
/// Turns the planner's changes into actions and the order they must run in:
/// <list type="bullet">
/// <item>per resource: demote before stop, every stop before the start elsewhere, start before
/// promote, monitors after the action that reaches their role;</item>
/// <item>fencing of a node before the (pseudo) stops it implies and before any start or promote;</item>
/// <item>groups: members start in order and stop in reverse;</item>
/// <item>order constraints (mandatory and optional, resource sets) between the actions present,
/// with the symmetrical inverse for stops and demotes;</item>
/// <item>promotable clones: every start and demote of an instance before any promote, so two
/// instances are never promoted at once.</item>
/// </list>
/// </summary>
internal sealed partial class ActionGraphBuilder(WorkingSet ws)
{
    private readonly List<Draft> actions = new();
    private readonly Dictionary<(string Rsc, string Task), List<Draft>> byResourceTask = new();

    private sealed class Draft(int id, string task, string? resource, string node, long interval, string? role, bool pseudo)
    {
        public int Id { get; } = id;
        public string Task { get; } = task;
        public string? Resource { get; } = resource;
        public string Node { get; } = node;
        public long Interval { get; } = interval;
        public string? Role { get; } = role;
        public bool Pseudo { get; } = pseudo;
        public SortedSet<int> Inputs { get; } = new();
        /// <summary>Extra meta attributes for the agent (a notification's variables).</summary>
        public IReadOnlyDictionary<string, string>? Meta { get; set; }
    }

    public IReadOnlyList<GraphAction> Build(TransitionGraph plan)
    {
        // A guest node's fencing is its container's recovery: a pseudo action, nothing to run.
        var fences = plan.Fencing.Select(f => Add(f.Action, null, f.Node, pseudo: f.GuestContainer is not null)).ToList();
        var fencedNodes = plan.Fencing.Select(f => f.Node).ToHashSet();
        var changes = plan.Changes.GroupBy(c => c.Resource).ToDictionary(g => g.Key, g => g.First());

        foreach (var p in ws.AllPrimitives())
            if (changes.TryGetValue(p.Id, out var change) && (change.Reason is null || !change.Reason.Contains("(blocked)")))
                AddResourceActions(p, change, fencedNodes);
            else if (!changes.ContainsKey(p.Id))
                AddMissingMonitors(p, fencedNodes);
        foreach (var p in ws.AllPrimitives())
            AddDanglingStop(p, fencedNodes);

        foreach (var a in actions.Where(a => a.Resource is not null))
        {
            // Nothing starts or promotes until every fencing is done; implied stops follow their fencing.
            if (a.Task is "start" or "promote" or "migrate_from" || (a.Pseudo && fencedNodes.Contains(a.Node)))
                foreach (var f in fences.Where(f => a.Task is not "stop" || f.Node == a.Node)) a.Inputs.Add(f.Id);
        }
        AddGroupOrder();
        AddOrderConstraints();
        AddPromotableOrder();
        AddNotifications(fencedNodes);
        return actions.Select(a => new GraphAction(a.Id, a.Task, a.Resource, a.Node, a.Interval, a.Role, a.Pseudo, a.Inputs.ToList()) { Meta = a.Meta }).ToList();
    }

    private Draft Add(string task, SchedPrimitive? p, string node, long interval = 0, string? role = null, bool pseudo = false, string? resource = null)
    {
        var d = new Draft(actions.Count + 1, task, p?.Id ?? resource, node, interval, role, pseudo);
        actions.Add(d);
        if (p is not null)
        {
            var key = (p.Id, task);
            if (!byResourceTask.TryGetValue(key, out var list)) byResourceTask[key] = list = new List<Draft>();
            list.Add(d);
        }
        return d;
    }

    private void AddResourceActions(SchedPrimitive p, ResourceChange change, HashSet<string> fenced)
    {
        var to = p.AssignedTo;
        var next = to is null ? Role.Stopped : p.NextRole is Role.Unknown or Role.Stopped ? Role.Started : p.NextRole;
        var stops = new List<Draft>();
        Draft? StopOn(SchedNode n)
        {
            var wasPromoted = p.ActiveOn.TryGetValue(n, out var r) && r == Role.Promoted;
            var pseudo = fenced.Contains(n.Name);
            Draft? demote = wasPromoted ? Add("demote", p, n.Name, pseudo: pseudo) : null;
            var stop = Add("stop", p, n.Name, pseudo: pseudo);
            if (demote is not null) stop.Inputs.Add(demote.Id);
            stops.Add(stop);
            return stop;
        }
        Draft StartOn(SchedNode n)
        {
            var start = Add("start", p, n.Name);
            foreach (var s in stops) start.Inputs.Add(s.Id);
            var last = start;
            if (next == Role.Promoted)
            {
                var promote = Add("promote", p, n.Name);
                promote.Inputs.Add(start.Id);
                last = promote;
            }
            AddMonitors(p, n, next, last);
            return start;
        }

        switch (change.Verb)
        {
            case "Start":
            case "Promote" when p.ActiveOn.Count == 0:
                if (to is not null) StartOn(to);
                break;
            case "Stop":
                foreach (var n in p.ActiveOn.Keys.ToList()) StopOn(n);
                break;
            case "Move" or "Recover" or "Restart":
                foreach (var n in p.ActiveOn.Keys.ToList()) StopOn(n);
                if (to is not null) StartOn(to);
                break;
            case "Reload":
                Add("reload", p, to!.Name);
                break;
            case "Promote":
            {
                var promote = Add("promote", p, to!.Name);
                AddMonitors(p, to, Role.Promoted, promote);
                break;
            }
            case "Demote":
            {
                var node = p.ActiveOn.Keys.First();
                var demote = Add("demote", p, node.Name);
                AddMonitors(p, node, Role.Unpromoted, demote);
                break;
            }
            case "Re-promote":
            {
                var demote = Add("demote", p, to!.Name);
                var promote = Add("promote", p, to.Name);
                promote.Inputs.Add(demote.Id);
                AddMonitors(p, to, Role.Promoted, promote);
                break;
            }
            case "Migrate":
            {
                // A migration left half done (migrate_to already succeeded) only needs finishing.
                var from = p.PartialMigration?.Source ?? p.ActiveOn.Keys.First();
                var migrateFrom = Add("migrate_from", p, to!.Name);
                // The agent learns where the resource goes and comes from (OCF_RESKEY_CRM_meta_migrate_*).
                migrateFrom.Meta = new Dictionary<string, string> { ["migrate_source"] = from.Name, ["migrate_target"] = to.Name };
                if (p.PartialMigration is null)
                {
                    var migrateTo = Add("migrate_to", p, from.Name);
                    migrateTo.Meta = migrateFrom.Meta;
                    migrateFrom.Inputs.Add(migrateTo.Id);
                }
                var stop = Add("stop", p, from.Name);
                stop.Inputs.Add(migrateFrom.Id);
                stops.Add(stop);
                AddMonitors(p, to, next, migrateFrom);
                break;
            }
        }
    }

    /// <summary>
    /// A migration finished on its target but never stopped on its source (the transition was cut
    /// short): the source is stopped now, before the resource starts or migrates anywhere else,
    /// or it could run twice (found by the whole-cluster simulator, seed 2509155). A source that
    /// is fenced is stopped by its fencing.
    /// </summary>
    private void AddDanglingStop(SchedPrimitive p, HashSet<string> fenced)
    {
        if (p.DanglingSource is not { } source || !p.Managed || fenced.Contains(source.Name) || !source.Online) return;
        var stop = Add("stop", p, source.Name);
        foreach (var task in new[] { "start", "migrate_to", "migrate_from" })
            foreach (var later in Of(p, task).ToList())
                if (later != stop) later.Inputs.Add(stop.Id);
    }

    /// <summary>
    /// A resource that stays where it runs, in the role it has, gets the recurring monitors its
    /// history there lacks, as Pacemaker schedules them: a transition given up between a start and
    /// its monitor (the view changed) would otherwise leave it unwatched for good, and its death
    /// unnoticed (found by the whole-cluster simulator, seed 217; checked against crm_simulate).
    /// </summary>
    private void AddMissingMonitors(SchedPrimitive p, HashSet<string> fenced)
    {
        if (!p.Managed || p.Blocked || p.Failed || p.ActiveOn.Count != 1) return;
        var (node, role) = p.ActiveOn.First();
        if (p.AssignedTo != node || fenced.Contains(node.Name) || !node.Online) return;
        if (p.NextRole is not (Role.Unknown or Role.Stopped) && p.NextRole != role && !(role == Role.Unpromoted && p.NextRole == Role.Started)) return;
        var known = p.HistoryOn.TryGetValue(node, out var history)
            ? history.Operations.Where(o => o.Task == "monitor" && o.IntervalMs > 0).Select(o => o.IntervalMs).ToHashSet()
            : [];
        AddMonitors(p, node, role, after: null, known);
    }

    /// <summary>Recurring monitors for the role the resource will have (ops with a role only for that role).</summary>
    private void AddMonitors(SchedPrimitive p, SchedNode node, Role role, Draft? after, IReadOnlySet<long>? alreadyRunning = null)
    {
        var template = ws.Config.TemplateOf(p.Definition);
        var ops = p.Definition.Operations.Concat(template?.Operations ?? default).Where(o => o.Name == "monitor" && o.IntervalMilliseconds > 0);
        foreach (var op in ops.GroupBy(o => (o.IntervalMilliseconds, o.Role)).Select(g => g.First()))
        {
            var opRole = Roles.Parse(op.Role);
            // An op without a role monitors started and unpromoted instances; a promoted one needs role=Promoted.
            var matches = opRole == Role.Unknown ? role is Role.Started or Role.Unpromoted
                : opRole == role || (opRole == Role.Started && role == Role.Unpromoted);
            if (!matches || alreadyRunning?.Contains(op.IntervalMilliseconds) == true) continue;
            var monitor = Add("monitor", p, node.Name, op.IntervalMilliseconds, opRole == Role.Unknown ? null : Roles.Name(opRole));
            if (after is not null) monitor.Inputs.Add(after.Id);
        }
    }

    private IEnumerable<Draft> Of(SchedPrimitive p, string task) => byResourceTask.TryGetValue((p.Id, task), out var l) ? l : [];

    private static IEnumerable<SchedPrimitive> PrimitivesOf(SchedResource r) => r.Primitives();

    private void Order(IEnumerable<SchedPrimitive> first, string firstTask, IEnumerable<SchedPrimitive> then, string thenTask)
    {
        var thenList = then.ToList();
        foreach (var f in first)
            foreach (var before in Of(f, firstTask))
                foreach (var t in thenList)
                    foreach (var after in Of(t, thenTask))
                        if (before != after) after.Inputs.Add(before.Id);
    }

    private static string Inverse(string task) => task switch
    {
        "start" => "stop",
        "stop" => "start",
        "promote" => "demote",
        "demote" => "promote",
        _ => task,
    };

    private void AddGroupOrder()
    {
        foreach (var g in ws.AllResources().OfType<SchedGroup>())
        {
            var members = g.Members.ToList();
            for (var i = 1; i < members.Count; i++)
            {
                Order([members[i - 1]], "start", [members[i]], "start");
                Order([members[i]], "stop", [members[i - 1]], "stop");
            }
        }
    }

    private void AddOrderConstraints()
    {
        foreach (var o in ws.Config.Constraints.OfType<OrderConstraint>())
        {
            var symmetrical = CibBoolean.TryParse(o.Symmetrical) ?? o.Kind != "Serialize";
            if (o.Kind == "Serialize") continue;
            void Pair(SchedResource first, string fa, SchedResource then, string ta)
            {
                Order(PrimitivesOf(first), fa, PrimitivesOf(then), ta);
                if (symmetrical) Order(PrimitivesOf(then), Inverse(ta), PrimitivesOf(first), Inverse(fa));
            }
            foreach (var pair in OrderPairs.Of(ws, o)) Pair(pair.First, pair.FirstAction, pair.Then, pair.ThenAction);
        }
    }

    private void AddPromotableOrder()
    {
        foreach (var c in ws.AllResources().OfType<SchedClone>().Where(c => c.Promotable))
        {
            var instances = c.Instances.SelectMany(i => i.Primitives()).ToList();
            Order(instances, "demote", instances, "promote");
            Order(instances, "start", instances, "promote");
        }
    }
}
