namespace HaCluster.Core.Cib;

public abstract record Constraint(string Id);

/// <summary>
/// A resource set inside a constraint: resources with a shared role/action; sequential sets
/// chain their members, non-sequential ones do not; require-all=false means "any one".
/// </summary>
public sealed record ResourceSet(
    string? Id,
    EquatableArray<string> Resources,
    string? Sequential = null,
    string? RequireAll = null,
    string? Ordering = null,
    string? Action = null,
    string? Role = null,
    Score? Score = null,
    string? Kind = null);

/// <summary>
/// rsc_location: a score for one node, or rules over node attributes; for a resource, a
/// regular expression over resource ids (rsc-pattern), or resource sets.
/// </summary>
public sealed record LocationConstraint(
    string Id,
    string? Resource,
    string? Node = null,
    Score? Score = null,
    EquatableArray<Rule> Rules = default,
    string? Role = null,
    string? ResourcePattern = null,
    string? ResourceDiscovery = null,
    EquatableArray<ResourceSet> Sets = default) : Constraint(Id)
{
    /// <summary>
    /// The ids this location names: its resource, its sets' resources, and the top-level
    /// resources its pattern matches (a leading '!' selects those it does not; an invalid pattern
    /// names none). An id may be a tag or a template, which the reader resolves.
    /// </summary>
    public IEnumerable<string> TargetIds(ClusterConfig config)
    {
        if (Resource is not null) yield return Resource;
        foreach (var set in Sets)
            foreach (var id in set.Resources) yield return id;
        if (ResourcePattern is null) yield break;
        var negate = ResourcePattern.StartsWith('!');
        System.Text.RegularExpressions.Regex pattern;
        try { pattern = new System.Text.RegularExpressions.Regex(negate ? ResourcePattern[1..] : ResourcePattern); }
        catch (ArgumentException) { yield break; }
        foreach (var r in config.Resources)
            if (pattern.IsMatch(r.Id) != negate) yield return r.Id;
    }
}

/// <summary>
/// rsc_colocation: place <see cref="Resource"/> relative to <see cref="WithResource"/>
/// (crm: <c>colocation id score: rsc[:role] with-rsc[:role]</c>), or sets.
/// </summary>
public sealed record ColocationConstraint(
    string Id,
    Score Score,
    string? Resource,
    string? WithResource,
    string? ResourceRole = null,
    string? WithResourceRole = null,
    string? NodeAttribute = null,
    EquatableArray<ResourceSet> Sets = default) : Constraint(Id);

/// <summary>
/// rsc_order: <see cref="First"/> then <see cref="Then"/>, by kind (Mandatory, Optional,
/// Serialize) or by score (&gt;0 is mandatory), symmetrical unless stated, or sets.
/// </summary>
public sealed record OrderConstraint(
    string Id,
    string? First,
    string? Then,
    string? FirstAction = null,
    string? ThenAction = null,
    string? Kind = null,
    Score? Score = null,
    string? Symmetrical = null,
    string? RequireAll = null,
    EquatableArray<ResourceSet> Sets = default) : Constraint(Id)
{
    /// <summary>Mandatory: kind=Mandatory, or no kind and a positive (or no) score, as Pacemaker reads it.</summary>
    public bool IsMandatory => Kind is "Mandatory" || (Kind is null && (Score is null || Score.Value.Value > 0));
}

/// <summary>rsc_ticket: resources that need a ticket, and what to do when it is lost.</summary>
public sealed record TicketConstraint(
    string Id,
    string Ticket,
    string? Resource,
    string? ResourceRole = null,
    string? LossPolicy = null,
    EquatableArray<ResourceSet> Sets = default) : Constraint(Id);
