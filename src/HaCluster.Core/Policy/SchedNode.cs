namespace HaCluster.Core.Policy;

/// <summary>
/// A node as the scheduler sees it: whether it can run resources, and its attributes (permanent
/// ones from the configuration, transient ones from the status, and the built-in #uname/#id).
/// </summary>
public sealed class SchedNode(string id, string name)
{
    public string Id { get; } = id;
    public string Name { get; } = name;
    public bool Online { get; set; }
    /// <summary>In this partition's membership (in_ccm), whether or not its controller is up.</summary>
    public bool InMembership { get; set; }
    public bool Unclean { get; set; }
    /// <summary>Unclean because of its membership state (lost, never seen), not because of a failure on it.</summary>
    public bool Lost { get; set; }
    /// <summary>In the membership with its controller up, but not joined yet (join=pending): it runs nothing and cannot be probed yet.</summary>
    public bool Pending { get; set; }
    public bool Standby { get; set; }
    public bool Maintenance { get; set; }
    public bool Shutdown { get; set; }
    /// <summary>Why it must be fenced, in crm_simulate's words (when unclean).</summary>
    public string? FenceReason { get; set; }
    /// <summary>Why it must be unfenced ("Fence (on)") before resources probe or start there; null when it need not be.</summary>
    public string? UnfenceReason { get; set; }
    /// <summary>
    /// For a Pacemaker Remote node: the id of its connection resource (ocf:pacemaker:remote),
    /// which runs on a cluster node; the remote node is up while that resource is.
    /// </summary>
    public string? RemoteConnection { get; set; }
    public bool IsRemote => RemoteConnection is not null;
    /// <summary>For a guest node: the id of the resource (VM, container) it runs in.</summary>
    public string? GuestContainer { get; init; }
    public bool IsGuest => GuestContainer is not null;
    /// <summary>
    /// A guest node to be "fenced" by recovering its container (crm_simulate's "guest is
    /// unclean"). Unlike an unclean node it may run resources again in the same transition,
    /// once its container and connection are back.
    /// </summary>
    public bool GuestReset { get; set; }
    /// <summary>
    /// A Pacemaker Remote node the status says was fenced since its connection was last lost
    /// (node_fenced): no second fencing for the same loss, and its connection's failure may expire.
    /// </summary>
    public bool RemoteWasFenced { get; set; }
    public Dictionary<string, string> Attributes { get; } = new();
    /// <summary>How many resources assignment has put here so far (a tie-breaker).</summary>
    public int AssignedCount { get; set; }

    /// <summary>
    /// A Pacemaker Remote node that is down (cleanly, or never seen) but whose connection
    /// this transition starts: resources may be placed there, to start once it is up.
    /// </summary>
    public bool ComingUp { get; set; }
    /// <summary>A Pacemaker Remote node whose connection this transition stops (or cannot keep running): nothing new goes there.</summary>
    public bool GoingDown { get; set; }

    /// <summary>Online (or a remote node coming up), not going down, not shutting down, not unclean, not standby, not in maintenance.</summary>
    public bool CanRunResources => (Online || ComingUp) && !GoingDown && !Shutdown && !Unclean && !Standby && !Maintenance;

    public string? Attribute(string name) => Attributes.TryGetValue(name, out var v) ? v : null;

    /// <summary>Whether any fail-count or last-failure attribute is set here (most nodes have none: no need to look further).</summary>
    public bool HasFailureAttributes
    {
        get
        {
            foreach (var key in Attributes.Keys)
                if (key.StartsWith("fail-count-", StringComparison.Ordinal) || key.StartsWith("last-failure-", StringComparison.Ordinal)) return true;
            return false;
        }
    }

    /// <summary>
    /// A resource's failures recorded here under any of <paramref name="names"/>: the fail-count-NAME
    /// and fail-count-NAME#op_interval attributes summed (INFINITY at most), and the latest of the
    /// last-failure ones (epoch seconds; 0 when none).
    /// </summary>
    public (int Count, long LastFailure) Failures(IReadOnlyCollection<string> names, bool anyInstance = false)
    {
        long total = 0;
        long lastFailure = 0;
        foreach (var (key, value) in Attributes)
            foreach (var name in names)
            {
                if (Names(key, "fail-count-", name, anyInstance))
                    total += Cib.Score.TryParse(value, out var s) ? s.Value : 0;
                else if (Names(key, "last-failure-", name, anyInstance) && long.TryParse(value, out var t))
                    lastFailure = Math.Max(lastFailure, t);
            }
        return ((int)Math.Min(total, Cib.Score.InfinityValue), lastFailure);
    }

    /// <summary>The resources (as their attributes name them: clone instances with their number) with a fail count here.</summary>
    public IEnumerable<string> ResourcesWithFailCounts() =>
        Attributes.Keys.Where(k => k.StartsWith("fail-count-", StringComparison.Ordinal)).Select(k => k["fail-count-".Length..].Split('#')[0]).Distinct();

    /// <summary>The fail-count and last-failure attributes of a resource here (what `hacrm resource failcount RSC delete` removes).</summary>
    public IEnumerable<string> FailureAttributes(string resource) =>
        Attributes.Keys.Where(k => Names(k, "fail-count-", resource, false) || Names(k, "last-failure-", resource, false)).ToList();

    /// <summary>
    /// Whether an attribute is prefix+resource (with an optional "#op_interval"); with
    /// <paramref name="anyInstance"/> also prefix+resource+":N", for an anonymous clone, whose
    /// instances' failures all count together.
    /// </summary>
    private static bool Names(string key, string prefix, string resource, bool anyInstance)
    {
        if (!key.StartsWith(prefix + resource, StringComparison.Ordinal)) return false;
        var rest = key.AsSpan(prefix.Length + resource.Length);
        if (anyInstance && rest.Length > 1 && rest[0] == ':')
        {
            var digits = 1;
            while (digits < rest.Length && char.IsAsciiDigit(rest[digits])) digits++;
            if (digits == 1) return false;
            rest = rest[digits..];
        }
        return rest.Length == 0 || rest[0] == '#';
    }

    public override string ToString() => Name;
}
