using HaCluster.Core.Policy;

namespace HaCluster.Core.Status.Views;

/// <summary>
/// What of the status to show: for clusters too big to read whole (64 nodes, 10,000 resources)
/// one node's resources (crm_mon --node), one resource (crm_mon --resource), only active or
/// failed ones, or a summary of counts instead of the list; and crm_mon's optional sections
/// (node attributes, fail counts, operation history).
/// </summary>
public sealed record StatusFilter
{
    /// <summary>Only resources active, failed or blocked on this node.</summary>
    public string? Node { get; init; }
    /// <summary>Only this resource: a primitive, group, clone, or a member of one (its top-level resource is shown).</summary>
    public string? Resource { get; init; }
    /// <summary>Hide resources stopped everywhere (crm_mon without --inactive).</summary>
    public bool ActiveOnly { get; init; }
    /// <summary>Counts per state and per node instead of the list.</summary>
    public bool Summary { get; init; }
    /// <summary>Also each node's attributes (crm_mon -A).</summary>
    public bool ShowNodeAttributes { get; init; }
    /// <summary>Also fail counts per node and resource (crm_mon -f, "Migration Summary").</summary>
    public bool ShowFailCounts { get; init; }
    /// <summary>Also each node's operation history (crm_mon -o).</summary>
    public bool ShowOperations { get; init; }

    public static readonly StatusFilter None = new();

    public bool IsEmpty => Node is null && Resource is null && !ActiveOnly && !Summary;

    /// <summary>Whether a top-level resource is shown.</summary>
    public bool Shows(SchedResource top)
    {
        var prims = top.Primitives().ToList();
        if (Resource is { } id && top.Id != id && !Descendants(top).Any(r => r.Id == id || BaseId(r.Id) == id)) return false;
        if (Node is { } node && !prims.Any(p => p.ActiveOn.Keys.Any(n => n.Name == node) || p.FailedOn.Any(n => n.Name == node))) return false;
        if (ActiveOnly && !prims.Any(p => p.ActiveOn.Count > 0 || p.FailedOn.Count > 0)) return false;
        return true;
    }

    private static string BaseId(string id) => id.Split(':')[0];

    private static IEnumerable<SchedResource> Descendants(SchedResource r) => r switch
    {
        SchedGroup g => g.Members.SelectMany(m => Descendants(m).Prepend(m)),
        SchedClone c => c.Instances.SelectMany(i => Descendants(i).Prepend(i)),
        _ => [],
    };
}
