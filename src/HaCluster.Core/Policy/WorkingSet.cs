using HaCluster.Core.Cib;
using HaCluster.Core.Status;

namespace HaCluster.Core.Policy;

/// <summary>
/// Everything one scheduling run works on: nodes with their state and attributes, the resource
/// tree with merged meta attributes, and the cluster options that matter.
/// </summary>
public sealed class WorkingSet
{
    public ClusterConfig Config { get; private set; } = ClusterConfig.Empty;
    public required ClusterStatus Status { get; init; }
    public required DateTimeOffset Now { get; init; }
    public List<SchedNode> Nodes { get; } = new();
    public List<SchedResource> Resources { get; } = new();

    /// <summary>
    /// Stopped leftover copies of anonymous clones (a probe's history on a node where no instance
    /// number was left): nothing to act on or show, but their failures still count against the
    /// clone's migration-threshold, as Pacemaker keeps them among the clone's children.
    /// </summary>
    public List<SchedPrimitive> StoppedCloneLeftovers { get; } = new();
    public Dictionary<string, SchedResource> ById { get; } = new();
    public List<SchedColocation> Colocations { get; } = new();
    /// <summary>Failed operations in the history that still count (crm_mon's "Failed Resource Actions"), in unpacking order.</summary>
    public List<FailedOperation> FailedOperations { get; } = new();
    /// <summary>Resources that may not be promoted anywhere (a Promoted-role rsc_ticket whose ticket is not usable).</summary>
    public HashSet<SchedResource> PromotionForbidden { get; } = new();

    public bool StonithEnabled { get; private set; }
    public bool SymmetricCluster { get; private set; }
    public bool HaveQuorum { get; private set; }

    /// <summary>
    /// The earliest time at which this input would be scheduled differently with nothing else
    /// changing (a failure's failure-timeout runs out): the controller runs the scheduler again
    /// then, however long cluster-recheck-interval is (Pacemaker 2's "recheck-by").
    /// </summary>
    public DateTimeOffset? RecheckBy { get; private set; }

    internal void RecheckNoLaterThan(DateTimeOffset at)
    {
        if (at > Now && (RecheckBy is null || at < RecheckBy)) RecheckBy = at;
    }
    public string NoQuorumPolicy { get; private set; } = "stop";
    public bool MaintenanceMode { get; private set; }
    public bool StopAllResources { get; private set; }
    public bool StartFailureIsFatal { get; private set; }
    public bool HaveStonithResource { get; private set; }
    public bool StopOrphanResources { get; private set; }
    /// <summary>A fencing device provides unfencing (meta provides=unfencing): nodes are unfenced before use.</summary>
    public bool UnfencingEnabled { get; private set; }

    public SchedNode? FindNode(string idOrName) =>
        Nodes.FirstOrDefault(n => n.Name == idOrName) ?? Nodes.FirstOrDefault(n => n.Id == idOrName);

    /// <summary>A remote or guest node's connection resource (null for a cluster node, or one not built).</summary>
    internal SchedPrimitive? ConnectionOf(SchedNode node) =>
        node.RemoteConnection is { } id ? ById.GetValueOrDefault(id) as SchedPrimitive : null;

    /// <summary>A guest node's container (null for any other node, or one not built).</summary>
    internal SchedPrimitive? ContainerOf(SchedNode node) =>
        node.GuestContainer is { } id ? ById.GetValueOrDefault(id) as SchedPrimitive : null;

    /// <summary>
    /// A node attribute as a resource sees it: with container-attribute-target=host, a guest
    /// node's attributes are those of the host its container runs on (where the agent inside
    /// the bundle sets them, as Pacemaker reads them).
    /// </summary>
    internal string? NodeAttributeFor(SchedResource r, SchedNode node, string name) =>
        node.IsGuest && string.Equals(r.MetaValue("container-attribute-target"), "host", StringComparison.OrdinalIgnoreCase)
            ? ContainerOf(node)?.CurrentNode?.Attribute(name)
            : node.Attribute(name);

    /// <summary>The node a status entry (node_state) is about: by name, else by id.</summary>
    public SchedNode? NodeOf(NodeState state) =>
        FindNode(state.Uname ?? state.Id) ?? Nodes.FirstOrDefault(n => n.Id == state.Id);

    public IEnumerable<SchedPrimitive> AllPrimitives() => Resources.SelectMany(r => r.Primitives());

    /// <summary>Every resource at every level: top-level ones, group members, clone instances.</summary>
    public IEnumerable<SchedResource> AllResources()
    {
        static IEnumerable<SchedResource> Walk(SchedResource r) => r.Children.SelectMany(Walk).Prepend(r);
        return Resources.SelectMany(Walk);
    }

    /// <summary>
    /// What a constraint's reference names: a resource, every resource of a tag, or every
    /// primitive built from a resource template.
    /// </summary>
    public IEnumerable<SchedResource> Resolve(string id)
    {
        if (ById.TryGetValue(id, out var r)) return new[] { r };
        var tag = Config.Tags.FirstOrDefault(t => t.Id == id);
        if (tag is not null) return tag.References.SelectMany(Resolve);
        if (Config.Templates.Any(t => t.Id == id))
            return AllPrimitives().Where(p => p.Definition.Template == id && p.EnclosingClone is null).Cast<SchedResource>()
                .Concat(AllResources().OfType<SchedClone>().Where(c => c.Instances.Any(i => i.Primitives().Any(p => p.Definition.Template == id))))
                .ToList();
        return Array.Empty<SchedResource>();
    }

    /// <summary>A cluster option: property sets by descending score, rules (dates) evaluated now, first value winning.</summary>
    internal string? Property(string name)
    {
        foreach (var set in Config.Properties.OrderByDescending(s => s.Score?.Value ?? 0))
        {
            if (set.Rule is not null && !RuleEvaluator.Matches(set.Rule, null, Now)) continue;
            if (set.Get(name) is { } value) return value;
        }
        return null;
    }
    /// <summary>
    /// Whether a resource needs its node fenced before it may start elsewhere (Pacemaker's "needs
    /// fencing"): requires=fencing (or unfencing), the default with fencing enabled for all but
    /// fencing devices. A copy of it on a node about to be fenced still counts as active.
    /// </summary>
    internal bool NeedsFencing(SchedPrimitive p) => StonithEnabled && Requires(p) is "fencing" or "unfencing";

    /// <summary>
    /// What a resource's start needs (its <c>requires</c>), with Pacemaker 2.1's default when it
    /// sets none: quorum for a fencing device, unfencing when a device unfences, fencing when
    /// fencing is enabled, nothing under no-quorum-policy=ignore, else quorum.
    /// </summary>
    internal string Requires(SchedPrimitive p) => p.MetaValue("requires") ?? (
        p.Agent.Class == "stonith" ? "quorum"
        : UnfencingEnabled ? "unfencing"
        : StonithEnabled ? "fencing"
        : NoQuorumPolicy == "ignore" ? "nothing"
        : "quorum");

    /// <summary>
    /// crm_simulate drops the reason it gave a start early (a definition change, being multiply
    /// active) when the start requires nothing: it resets the reason on finding that it needs
    /// neither quorum nor fencing.
    /// </summary>
    internal string EarlyStartReason(SchedPrimitive p, string reason) => Requires(p) == "nothing" ? "" : reason;

    internal bool BoolProperty(string name, bool fallback) => CibBoolean.TryParse(Property(name)) ?? fallback;

    public static WorkingSet Build(ClusterConfig config, ClusterStatus status, DateTimeOffset now)
    {
        var ws = new WorkingSet { Config = GuestNodes.Expand(Bundles.Expand(config)), Status = status, Now = now };
        ws.StonithEnabled = ws.BoolProperty("stonith-enabled", true);
        ws.SymmetricCluster = ws.BoolProperty("symmetric-cluster", true);
        ws.MaintenanceMode = ws.BoolProperty("maintenance-mode", false);
        ws.StopAllResources = ws.BoolProperty("stop-all-resources", false);
        ws.StartFailureIsFatal = ws.BoolProperty("start-failure-is-fatal", true);
        ws.StopOrphanResources = ws.BoolProperty("stop-orphan-resources", true);
        ws.NoQuorumPolicy = ws.Property("no-quorum-policy") ?? "stop";
        ws.HaveQuorum = status.HaveQuorum;
        ws.BuildNodes();
        ws.BuildResources();
        Bundles.Link(ws);
        ws.Config = ResourceContainers.Resolve(ws);
        // A watchdog (SBD) can fence too: the node resets itself, so fencing has a means.
        ws.HaveStonithResource = ws.AllPrimitives().Any(p => p.Agent.Class == "stonith") || ws.BoolProperty("have-watchdog", false);
        ws.UnfencingEnabled = ws.StonithEnabled && ws.AllPrimitives().Any(p => p.Agent.Class == "stonith" && p.MetaValue("provides") == "unfencing");
        return ws;
    }

    private void BuildNodes()
    {
        foreach (var def in Config.Nodes)
        {
            if (def.Type is "ping") continue;
            var remote = def.Type is "remote" || IsRemoteConnection(def.Uname);
            // A guest may be listed among the nodes too (for its attributes): it is still its container's guest.
            var guestContainer = remote ? GuestContainerOf(def.Uname) : null;
            var node = new SchedNode(def.Id, def.Uname) { GuestContainer = guestContainer };
            foreach (var set in def.Attributes.OrderByDescending(s => s.Score?.Value ?? 0))
                if (set.Rule is null || RuleEvaluator.Matches(set.Rule, node, Now))
                    foreach (var p in set.Pairs)
                        if (p.Value is not null) node.Attributes.TryAdd(p.Name, p.Value);
            var state = Status.Nodes.FirstOrDefault(s => s.Id == def.Id) ?? Status.Nodes.FirstOrDefault(s => s.Uname == def.Uname);
            if (state is not null)
            {
                foreach (var a in state.TransientAttributes)
                    if (a.Value is not null) node.Attributes[a.Name] = a.Value;
                ApplyState(node, state);
            }
            else if (StonithEnabled && BoolProperty("startup-fencing", true) && !remote)
            {
                // Never seen since start-up: its state is unknown, so it must be fenced first.
                node.Unclean = node.Lost = true;
                node.FenceReason = "node is unclean";
            }
            // Rules may place a resource on the DC (the node whose id the status names dc-uuid).
            SetBuiltIns(node, Status.DcUuid is { } dc && (dc == def.Id || dc == def.Uname),
                guestContainer is not null ? "container" : remote ? "remote" : "cluster");
            if (node.Attribute("shutdown") is { } sd && sd != "0") node.Shutdown = true;
            // The "terminate" node attribute (true, or a time) asks for the node to be fenced.
            if (StonithEnabled && node.Online && !node.Unclean && node.Attribute("terminate") is { } terminate
                && (CibBoolean.IsTrue(terminate) || terminate.Length > 0 && char.IsAsciiDigit(terminate[0]) && terminate[0] != '0'))
            {
                node.Unclean = true;
                node.FenceReason = "termination was requested";
            }
            if (remote)
            {
                node.RemoteConnection = def.Uname;
                node.RemoteWasFenced = WasFenced(state);
            }
            Nodes.Add(node);
        }
        AddRemoteNodes();
    }

    /// <summary>The container of a guest node: its connection (implicit, from meta remote-node) names it.</summary>
    private string? GuestContainerOf(string name) => (Config.FindResource(name) as Primitive)?.Meta("container");

    /// <summary>Whether a top-level primitive of this id is a Pacemaker Remote connection (ocf:pacemaker:remote).</summary>
    private bool IsRemoteConnection(string id) => Config.Resources.OfType<Primitive>().Any(p => p.Id == id && IsRemoteAgent(p.Agent));

    internal static bool IsRemoteAgent(AgentSpec? agent) =>
        agent is { Class: "ocf", Provider: "pacemaker", Type: "remote" };

    /// <summary>
    /// Pacemaker Remote and guest nodes not listed among the nodes: one per connection resource
    /// (guests' implicit ones included), named by its id; one per remote node the status knows
    /// whose connection (an ocf:pacemaker:remote history on a cluster node, not inside a
    /// container) has left the configuration; and one per guest whose connection's history names
    /// a container that left it. They are down until the history shows their connection running.
    /// </summary>
    private void AddRemoteNodes()
    {
        // (Guests' connections are in the configuration, GuestNodes.Expand adds them: a guest
        // with its container configured is never taken for an orphan.)
        var orphanConnections = Status.Nodes.Where(s => !s.RemoteNode).SelectMany(s => s.Resources)
            .Where(h => h is { Class: "ocf", Provider: "pacemaker", Type: "remote" } && Config.FindResource(h.Id) is null).ToList();
        var remoteHistories = orphanConnections.Where(h => h.Container is null).Select(h => h.Id).ToHashSet();
        var orphaned = Status.Nodes.Where(s => s.RemoteNode).Select(s => s.Uname ?? s.Id).Where(remoteHistories.Contains);
        var orphanedGuests = orphanConnections.Where(h => h.Container is not null)
            .GroupBy(h => h.Id).ToDictionary(g => g.Key, g => g.First().Container);
        var names = Config.Resources.OfType<Primitive>().Where(p => IsRemoteAgent(p.Agent)).Select(p => p.Id).Concat(orphaned).Concat(orphanedGuests.Keys);
        foreach (var name in names)
        {
            if (FindNode(name) is not null) continue;
            var guestContainer = GuestContainerOf(name) ?? orphanedGuests.GetValueOrDefault(name);
            var node = new SchedNode(name, name) { RemoteConnection = name, GuestContainer = guestContainer };
            var state = Status.Nodes.FirstOrDefault(s => (s.Uname ?? s.Id) == name);
            if (state is not null)
                foreach (var a in state.TransientAttributes)
                    if (a.Value is not null) node.Attributes[a.Name] = a.Value;
            node.RemoteWasFenced = WasFenced(state);
            SetBuiltIns(node, isDc: false, kind: guestContainer is null ? "remote" : "container");
            Nodes.Add(node);
        }
    }

    /// <summary>A remote node's state records a fencing (node_fenced, a time) since its connection was lost.</summary>
    private static bool WasFenced(NodeState? state) => state?.NodeFenced is { Length: > 0 } t && t != "0";

    /// <summary>
    /// The built-in attributes rules see (#uname, #id, #is_dc, #kind: "cluster", "remote" for a
    /// Pacemaker Remote node, "container" for a guest node), and standby and maintenance from
    /// the node's attributes.
    /// </summary>
    private static void SetBuiltIns(SchedNode node, bool isDc, string kind)
    {
        node.Attributes["#uname"] = node.Name;
        node.Attributes["#id"] = node.Id;
        node.Attributes["#is_dc"] = isDc ? "true" : "false";
        node.Attributes["#kind"] = kind;
        node.Standby = CibBoolean.IsTrue(node.Attribute("standby"));
        node.Maintenance = CibBoolean.IsTrue(node.Attribute("maintenance"));
    }

    /// <summary>
    /// Online when in the membership, its controller up and joined. A member that dropped out
    /// without shutting down is unclean: with fencing enabled it must be fenced first.
    /// </summary>
    private void ApplyState(SchedNode node, NodeState s)
    {
        // A remote node's state comes from its connection resource, read with the history.
        if (s.RemoteNode) return;
        var joined = s.Join is null or "member";
        node.Online = s.InMembership && s.ControllerOnline && joined;
        node.InMembership = s.InMembership;
        node.Pending = s.InMembership && s.ControllerOnline && s.Join == "pending";
        node.Shutdown = s.ShuttingDown;
        // Lost while expected up, and not shutting down: its resources may still run there, and
        // only fencing can make sure. Without fencing the cluster assumes the node is down and
        // that nothing runs there any more.
        // A shutdown request (node_state's, or the "shutdown" node attribute) means it left cleanly.
        var shutdownRequested = s.ShuttingDown || node.Attribute("shutdown") is { Length: > 0 } sd && sd != "0";
        if (node.Online || shutdownRequested || !StonithEnabled) return;
        if (!s.InMembership && s.Expected == "member")
            node.FenceReason = "peer is no longer part of the cluster";
        else if (s.InMembership && !s.ControllerOnline && (s.Join == "member" || s.Expected == "member"))
            node.FenceReason = "peer process is no longer available";
        node.Unclean = node.Lost = node.FenceReason is not null;
    }

    // ------------------------------------------------------------------ resources

    private Dictionary<string, string> BaseMeta()
    {
        var meta = new Dictionary<string, string>();
        foreach (var set in Config.ResourceDefaults)
            if (set.Rule is null)
                foreach (var p in set.Pairs)
                    if (p.Value is not null) meta.TryAdd(p.Name, p.Value);
        return meta;
    }

    /// <summary>
    /// One level of meta attributes over what is inherited: its sets by descending score, the
    /// first value of a name winning, sets whose rule does not hold now left out (Pacemaker's order).
    /// </summary>
    internal void AddMeta(Dictionary<string, string> meta, EquatableArray<AttributeSet> sets)
    {
        foreach (var (name, value) in sets.Evaluate(rule => RuleEvaluator.Matches(rule, null, Now))) meta[name] = value;
    }

    private void BuildResources()
    {
        var baseMeta = BaseMeta();
        foreach (var r in Config.Resources)
        {
            var built = Build(r, null, baseMeta);
            if (built is not null) Resources.Add(built);
        }
    }

    private SchedResource? Build(Resource r, SchedResource? parent, Dictionary<string, string> inherited)
    {
        switch (r)
        {
            case Primitive p:
            {
                var agent = Config.AgentOf(p);
                if (agent is null) return null;
                var prim = new SchedPrimitive(p.Id, parent, p, agent);
                foreach (var kv in inherited) prim.Meta[kv.Key] = kv.Value;
                var template = Config.TemplateOf(p);
                if (template is not null) AddMeta(prim.Meta, template.MetaAttributes);
                AddMeta(prim.Meta, p.MetaAttributes);
                // rsc_defaults with rules (rsc_expression: by agent) come after everything else.
                foreach (var set in Config.ResourceDefaults.Where(s => s.Rule is not null).OrderByDescending(s => s.Score?.Value ?? 0))
                    if (RuleEvaluator.MatchesResource(set.Rule!, agent, Now))
                        foreach (var pair in set.Pairs)
                            if (pair.Value is not null) prim.Meta.TryAdd(pair.Name, pair.Value);
                ById[prim.Id] = prim;
                return prim;
            }
            case Group g:
            {
                var group = new SchedGroup(g.Id, parent);
                foreach (var kv in inherited) group.Meta[kv.Key] = kv.Value;
                AddMeta(group.Meta, g.MetaAttributes);
                foreach (var m in g.Members)
                    if (Build(m, group, group.Meta) is { } child) group.Children.Add(child);
                ById[group.Id] = group;
                return group;
            }
            case Bundle b:
                return Bundles.BuildContainers(this, b, inherited, Build);
            default:
                // Clones are added by the clone support.
                return CloneBuilder.Build(this, (Clone)r, parent, inherited, Build);
        }
    }
}

/// <summary>A failed operation from a node's history: which resource (as the history names it), where, and the record.</summary>
public sealed record FailedOperation(string Resource, SchedNode Node, Status.OperationRecord Operation);
