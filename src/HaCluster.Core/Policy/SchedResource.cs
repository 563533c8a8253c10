using HaCluster.Core.Cib;

namespace HaCluster.Core.Policy;

/// <summary>A colocation between two scheduler resources (after groups and sets are expanded).</summary>
/// <see cref="NamedDependent"/> and <see cref="NamedPrimary"/>: the resources the constraint names,
/// where <see cref="Dependent"/> and <see cref="Primary"/> are a group's first member standing for it.
public sealed record SchedColocation(string Id, SchedResource Dependent, SchedResource Primary, int Score,
    Role DependentRole, Role PrimaryRole, string? NodeAttribute, bool Influence = true,
    SchedResource? NamedDependent = null, SchedResource? NamedPrimary = null);

/// <summary>
/// A resource during scheduling: its merged meta attributes, allowed-node scores, where it is
/// now and where it will be. Mutable on purpose: one scheduling run owns it and throws it away.
/// </summary>
public abstract class SchedResource(string id, SchedResource? parent)
{
    public string Id { get; } = id;
    public SchedResource? Parent { get; } = parent;
    public List<SchedResource> Children { get; } = new();
    public Dictionary<string, string> Meta { get; } = new();
    /// <summary>Node scores; a node missing from the table may not run the resource.</summary>
    public Dictionary<SchedNode, int> Allowed { get; } = new();

    /// <summary>Replaces every node score with <paramref name="scores"/> (a merged table, or one kept to roll a step back).</summary>
    public void ReplaceAllowed(IReadOnlyDictionary<SchedNode, int> scores)
    {
        Allowed.Clear();
        foreach (var (node, score) in scores) Allowed[node] = score;
    }
    public List<SchedColocation> ThisWith { get; } = new();
    public List<SchedColocation> WithThis { get; } = new();

    /// <summary>Why the scores are what they are: each contribution, in the order applied (for --explain).</summary>
    public List<string> Explanation { get; } = new();

    public SchedNode? AssignedTo { get; set; }
    /// <summary>A clone instance's score on the node it was given, when it was given it.</summary>
    public int AssignedScore { get; set; }
    public bool Provisional { get; set; } = true;
    public bool Assigning { get; set; }
    public bool Merging { get; set; }
    public Role NextRole { get; set; } = Role.Unknown;
    public bool Managed { get; set; } = true;
    /// <summary>priority meta; like Pacemaker, "1.0" reads as 1 (the leading integer).</summary>
    public int Priority => LeadingInt(MetaValue("priority"));

    private static int LeadingInt(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return 0;
        var t = text.Trim();
        var end = 0;
        if (end < t.Length && t[end] is '-' or '+') end++;
        while (end < t.Length && char.IsAsciiDigit(t[end])) end++;
        return int.TryParse(t[..end], out var v) ? v : Score.TryParse(t, out var s) ? s.Value : 0;
    }

    public string? MetaValue(string name) => Meta.TryGetValue(name, out var v) ? v : null;

    /// <summary>What a constraint on this resource binds: a group is represented by its first member.</summary>
    public SchedResource Anchor => this is SchedGroup g && g.Children.Count > 0 ? g.Children[0] : this;

    /// <summary>The top-level resource it belongs to (itself when it is one): a group, a clone, or a primitive.</summary>
    public SchedResource TopLevel
    {
        get
        {
            var r = this;
            while (r.Parent is not null) r = r.Parent;
            return r;
        }
    }

    /// <summary>The clone this resource is an instance of (or a member of an instance of), if any.</summary>
    public SchedClone? EnclosingClone
    {
        get
        {
            for (var p = Parent; p is not null; p = p.Parent)
                if (p is SchedClone c) return c;
            return null;
        }
    }

    /// <summary>Its score on a node, or -INFINITY where it may not run or the node cannot run resources.</summary>
    public int Effective(SchedNode n) => (n.CanRunResources || KeepsBundleNode(n)) && Allowed.TryGetValue(n, out var s) ? s : -Score.InfinityValue;

    /// <summary>
    /// A bundle's instance keeps its guest node while that node is up, even when the guest is
    /// about to go down: Pacemaker places it there and then finds its start unrunnable (so it
    /// stops "due to unrunnable" connection or container start, not for node availability).
    /// </summary>
    private bool KeepsBundleNode(SchedNode n) => this is SchedPrimitive { BundleNode: { } own } && own == n && n is { Online: true, Unclean: false };

    /// <summary>The roles the configuration asks for (target-role), Started when unset.</summary>
    public Role TargetRole => HeldStopped ? Role.Stopped : Roles.Parse(MetaValue("target-role")) is var r && r != Role.Unknown ? r : Role.Started;

    /// <summary>
    /// Kept stopped by the cluster rather than by its configuration: a fatal error, on-fail=stop,
    /// a remote connection waiting out reconnect_interval, an orphan.
    /// </summary>
    public bool HeldStopped { get; set; }

    /// <summary>Its configuration says target-role=Stopped (crm_mon's "(disabled)").</summary>
    public bool Disabled => Roles.Parse(MetaValue("target-role")) == Role.Stopped;

    public abstract IEnumerable<SchedPrimitive> Primitives();

    /// <summary>Where it runs now, if on exactly one node (a group: its first active member's node).</summary>
    public abstract SchedNode? CurrentNode { get; }

    public override string ToString() => Id;
}

/// <summary>One primitive (or one clone instance of one): the thing an agent runs.</summary>
public sealed class SchedPrimitive(string id, SchedResource? parent, Primitive definition, AgentSpec agent)
    : SchedResource(id, parent)
{
    public Primitive Definition { get; } = definition;
    public AgentSpec Agent { get; } = agent;
    /// <summary>Id in the configuration (without a clone instance suffix).</summary>
    public string ConfigId => Definition.Id;
    public bool Orphan { get; init; }
    /// <summary>For a leftover copy of an anonymous clone beyond its instances: that clone (status displays list it there).</summary>
    public SchedClone? OrphanedFrom { get; init; }
    /// <summary>
    /// The resource it runs inside (meta attribute container, say a service inside a VM): it is
    /// placed with it, starts after it, and its failures restart the container.
    /// </summary>
    public SchedPrimitive? Container { get; set; }
    /// <summary>For instance i of a bundle's primitive: guest node i, the only node it may run on.</summary>
    public SchedNode? BundleNode { get; set; }
    /// <summary>The node it is kept for under shutdown-lock (banned from every other).</summary>
    public SchedNode? LockedTo { get; set; }

    /// <summary>Where the history says it is active, with the role there.</summary>
    public Dictionary<SchedNode, Role> ActiveOn { get; } = new();
    /// <summary>Its operation history on each node that has one.</summary>
    public Dictionary<SchedNode, Status.ResourceHistory> HistoryOn { get; } = new();
    /// <summary>Nodes where an operation of its history counts (not only expired failures): its state there is known.</summary>
    public HashSet<SchedNode> KnownOn { get; } = new();
    /// <summary>Where its parameters changed in a way the agent can reload without a restart.</summary>
    public SchedNode? ReloadOn { get; set; }
    /// <summary>
    /// Nodes where its fail count is being cleared because its definition changed since the
    /// failure: the failures no longer count against migration-threshold there.
    /// </summary>
    public HashSet<SchedNode> FailCountClearedOn { get; } = new();
    /// <summary>resource-discovery per node from location constraints ("never" or "exclusive"; absent: always).</summary>
    public Dictionary<SchedNode, string> DiscoveryOn { get; } = new();
    /// <summary>Some location gives it resource-discovery=exclusive: it is probed and runs only on those nodes.</summary>
    public bool ExclusiveDiscovery { get; set; }

    public HashSet<SchedNode> FailedOn { get; } = new();
    /// <summary>Nodes where its last operation was a promote that failed: it is recovered there Unpromoted, not promoted again in this transition.</summary>
    public HashSet<SchedNode> PromoteFailedOn { get; } = new();
    /// <summary>Nodes where a stop failed (and no fencing can clean it up): blocked.</summary>
    public HashSet<SchedNode> StopFailedOn { get; } = new();
    public bool Failed => FailedOn.Count > 0;
    /// <summary>
    /// Nodes where one of its operations configured on-fail=block has a recorded failure: once
    /// Pacemaker counts such a failure it drops failure-timeout for the resource for good
    /// ("conflicts with on-fail=block"), since a blocked failure waits for an operator.
    /// </summary>
    public HashSet<SchedNode> BlockFailureOn { get; } = new();
    /// <summary>
    /// Nodes where its promoted instance failed with on-fail=demote: it is recovered by demotion
    /// alone (no stop), and promoted again there if it is still the one to be promoted
    /// ("Re-promote").
    /// </summary>
    public HashSet<SchedNode> RecoverByDemotionOn { get; } = new();
    /// <summary>
    /// Its start is required but cannot run: the cluster leaves it alone (unmanaged, or blocked
    /// by a failure) while an order requires it to start again. What is ordered after it cannot
    /// start ("due to unrunnable X start"), and what runs after it stops ("due to required X
    /// start").
    /// </summary>
    public bool StartHeldUp { get; set; }
    /// <summary>A failure of it counted with on-fail=ignore: migration-threshold no longer applies to it.</summary>
    public bool FailuresIgnored { get; set; }
    /// <summary>failure-timeout no longer applies (see <see cref="BlockFailureOn"/>).</summary>
    public bool FailureTimeoutCancelled { get; set; }
    /// <summary>Nodes where a hard error (invalid arguments, no permission, not installed) rules it out.</summary>
    public HashSet<SchedNode> HardErrorOn { get; } = new();
    /// <summary>Where a probe found its agent not installed (shown "Stopped (not installed)").</summary>
    public HashSet<SchedNode> NotInstalledOn { get; } = new();
    public bool Blocked { get; set; }

    /// <summary>Set by order propagation: it cannot start because something it is ordered after cannot.</summary>
    public string? BlockedStartReason { get; set; }
    /// <summary>Set by order propagation: it must stop because something it is ordered after cannot run.</summary>
    public string? ForcedStopReason { get; set; }
    /// <summary>Set by order propagation: its stop waits for a stop that cannot happen.</summary>
    public bool StopBlocked { get; set; }
    /// <summary>The resource whose stop cannot happen and that its own stop waits for (with <see cref="StopBlocked"/>).</summary>
    public SchedPrimitive? StopBlockedBy { get; set; }
    /// <summary>What orders its stop after <see cref="StopBlockedBy"/>'s.</summary>
    public StopBlock StopBlockKind { get; set; }
    /// <summary>
    /// Set by order propagation: the node it had, which an interleaved order took away (nothing
    /// of the first clone runs there). Its start was planned, so it still counts as a required start.
    /// </summary>
    public SchedNode? WithdrawnFrom { get; set; }
    /// <summary>Its planned start was withdrawn by an interleaved order (<see cref="WithdrawnFrom"/>).</summary>
    public bool StartWithdrawn => WithdrawnFrom is not null;
    /// <summary>
    /// Set with <see cref="WithdrawnFrom"/> when it was to be promoted there: its clone's
    /// promotion still counts as runnable for what is ordered after it (crm_simulate decides the
    /// clone's promote from its instances' promote actions, which the withdrawal leaves alone).
    /// </summary>
    public bool PromotionWithdrawn { get; set; }
    /// <summary>Set by order propagation: it must restart because something it is ordered after (re)starts.</summary>
    public string? RestartReason { get; set; }

    public Role CurrentRole => ActiveOn.Count == 0 ? Role.Stopped : ActiveOn.Values.Max();

    /// <summary>
    /// Found on a node through a live migration left half-done (migrate_to recorded, no
    /// migrate_from): it is not migrated again from there, but stopped and started.
    /// </summary>
    public bool LeftByPartialMigration { get; set; }

    /// <summary>
    /// A live migration half done and still going (migrate_to succeeded, migrate_from not yet
    /// recorded, both nodes up): it counts as active on both; moving it to the target finishes
    /// the migration there (migrate_from, then the source's stop).
    /// </summary>
    public (SchedNode Source, SchedNode Target)? PartialMigration { get; set; }

    /// <summary>
    /// A finished migration whose source never recorded its stop (the transition was cut short
    /// after migrate_from): it counts as active on the target only, but the source may still run
    /// it, so the graph stops it there (Pacemaker's dangling migration) before it starts or
    /// migrates anywhere else; no new live migration starts before that stop.
    /// </summary>
    public SchedNode? DanglingSource { get; set; }
    public bool DanglingMigration => DanglingSource is not null;

    /// <summary>
    /// Whether its move from <paramref name="from"/> to where it is assigned can be a live
    /// migration (migrate_to, migrate_from) rather than a stop and a start: allow-migrate, an OCF
    /// agent, not a clone instance, not failed nor left by a half-done migration, the same role,
    /// from a node that is up. A migration caught half done can only be finished, from its source
    /// to its own target: a resource now placed elsewhere moves by stop and start (finishing the
    /// old migration on the new node ran it twice: whole-cluster simulator, seed 2509155).
    /// </summary>
    public bool CanMigrateFrom(SchedNode from) =>
        !Failed && !LeftByPartialMigration && !DanglingMigration && AllowMigrate && Agent.Class == "ocf" && Parent is not SchedClone
        && from is { Online: true, Unclean: false } && AssignedTo is { } to && to != from
        && (PartialMigration is not { } partial || (partial.Source == from && partial.Target == to))
        && CurrentRole == (NextRole is Role.Unknown or Role.Stopped ? Role.Started : NextRole);

    /// <summary>allow-migrate, which Pacemaker Remote connections have unless they say otherwise.</summary>
    public bool AllowMigrate => CibBoolean.TryParse(MetaValue("allow-migrate")) ?? IsRemoteConnection;

    /// <summary>It runs on one node and moves from it by live migration.</summary>
    public bool WillMigrate => ActiveOn.Count == 1 && CanMigrateFrom(ActiveOn.Keys.First());

    public override SchedNode? CurrentNode => ActiveOn.Count == 1 ? ActiveOn.Keys.First() : ActiveOn.Keys.FirstOrDefault();

    public override IEnumerable<SchedPrimitive> Primitives() { yield return this; }

    /// <summary>A Pacemaker Remote connection (ocf:pacemaker:remote): a remote node of the same name is up while it runs.</summary>
    public bool IsRemoteConnection => WorkingSet.IsRemoteAgent(Agent) && Container is null;
    /// <summary>The connection to a guest node (it runs inside the guest's container).</summary>
    public bool IsGuestConnection => WorkingSet.IsRemoteAgent(Agent) && Container is not null;
    /// <summary>The connection to one of a bundle's guest nodes (placed with its bundle, not first).</summary>
    public bool IsBundleConnection => IsGuestConnection && Container!.Parent is SchedClone { Bundle: not null };
    /// <summary>A connection to a remote or guest node: placed before everything else.</summary>
    public bool IsConnection => WorkingSet.IsRemoteAgent(Agent);

    /// <summary>
    /// A remote connection's reconnect_interval (milliseconds; 0 when none): after the connection
    /// fails it stays stopped this long before it is tried again.
    /// </summary>
    public long ReconnectIntervalMs =>
        IsRemoteConnection && Duration.TryParseMilliseconds(Definition.Param("reconnect_interval") ?? MetaValue("reconnect_interval"), out var ms) && ms > 0 ? ms : 0;

    /// <summary>
    /// How long until a failure is forgotten (milliseconds; 0: never): failure-timeout, which a
    /// remote connection's reconnect_interval replaces, since waiting for that expiry is how the
    /// connection waits before reconnecting.
    /// </summary>
    public long FailureTimeoutMs => FailureTimeoutCancelled ? 0 : ReconnectIntervalMs is > 0 and var reconnect ? reconnect
        : Duration.TryParseMilliseconds(MetaValue("failure-timeout"), out var ms) && ms > 0 ? ms : 0;
}

/// <summary>What orders a blocked stop after the stop that cannot happen.</summary>
public enum StopBlock { Other, GroupMember, Order }

/// <summary>A group: members placed together and started in order.</summary>
public sealed class SchedGroup(string id, SchedResource? parent) : SchedResource(id, parent)
{
    public IEnumerable<SchedPrimitive> Members => Children.Cast<SchedPrimitive>();
    public override SchedNode? CurrentNode => Members.Select(m => m.CurrentNode).FirstOrDefault(n => n is not null);
    public override IEnumerable<SchedPrimitive> Primitives() => Members;
}
