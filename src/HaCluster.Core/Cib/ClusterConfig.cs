namespace HaCluster.Core.Cib;

/// <summary>A cluster node as the configuration knows it, with its permanent attributes.</summary>
public sealed record NodeDefinition(
    string Id,
    string Uname,
    string? Type = null,
    EquatableArray<AttributeSet> Attributes = default,
    EquatableArray<AttributeSet> Utilization = default,
    string? Description = null);

/// <summary>A tag: a name for a list of resources, usable in constraints.</summary>
public sealed record Tag(string Id, EquatableArray<string> References);

/// <summary>
/// One level of a fencing topology: which devices fence a target, tried by index. Its XML id is
/// generated (fl-TARGET-INDEX): it means nothing, and crm syntax has no place for it.
/// </summary>
public sealed record FencingLevel(
    int Index,
    string Devices,
    string? Target = null,
    string? TargetPattern = null,
    string? TargetAttribute = null,
    string? TargetValue = null);

/// <summary>An alert agent and its recipients.</summary>
public sealed record Alert(
    string Id,
    string Path,
    EquatableArray<AlertRecipient> Recipients,
    EquatableArray<AttributeSet> InstanceAttributes = default,
    EquatableArray<AttributeSet> MetaAttributes = default,
    string? Description = null,
    AlertSelect? Select = null);

/// <summary>
/// Which kinds of event an alert agent hears (Pacemaker's <c>select</c>); an alert without one
/// hears node, fencing and resource events (attribute changes only when selected). With
/// <see cref="Attributes"/> and names, only changes of those attributes.
/// </summary>
public sealed record AlertSelect(bool Nodes, bool Fencing, bool Resources, bool Attributes, EquatableArray<string> AttributeNames = default)
{
    public static readonly AlertSelect Default = new(true, true, true, false);

    /// <summary>The kinds selected, in crm and Pacemaker's spelling (nodes, fencing, resources, attributes).</summary>
    public IEnumerable<string> KindNames()
    {
        if (Nodes) yield return "nodes";
        if (Fencing) yield return "fencing";
        if (Resources) yield return "resources";
        if (Attributes) yield return "attributes";
    }
}

/// <summary>Where an alert goes; its XML id is generated (ALERT-recipient-N).</summary>
public sealed record AlertRecipient(
    string Value,
    EquatableArray<AttributeSet> InstanceAttributes = default,
    EquatableArray<AttributeSet> MetaAttributes = default);

/// <summary>
/// The whole configuration section of a CIB, immutable: every change returns a new value,
/// so the scheduler reads a snapshot without locks.
/// </summary>
public sealed record ClusterConfig
{
    public EquatableArray<AttributeSet> Properties { get; init; } = EquatableArray<AttributeSet>.Empty;
    public EquatableArray<AttributeSet> ResourceDefaults { get; init; } = EquatableArray<AttributeSet>.Empty;
    public EquatableArray<AttributeSet> OperationDefaults { get; init; } = EquatableArray<AttributeSet>.Empty;
    public EquatableArray<NodeDefinition> Nodes { get; init; } = EquatableArray<NodeDefinition>.Empty;
    public EquatableArray<Resource> Resources { get; init; } = EquatableArray<Resource>.Empty;
    public EquatableArray<ResourceTemplate> Templates { get; init; } = EquatableArray<ResourceTemplate>.Empty;
    public EquatableArray<Constraint> Constraints { get; init; } = EquatableArray<Constraint>.Empty;
    public EquatableArray<Tag> Tags { get; init; } = EquatableArray<Tag>.Empty;
    public EquatableArray<FencingLevel> FencingLevels { get; init; } = EquatableArray<FencingLevel>.Empty;
    public EquatableArray<Alert> Alerts { get; init; } = EquatableArray<Alert>.Empty;
    public EquatableArray<HealthCheck> HealthChecks { get; init; } = EquatableArray<HealthCheck>.Empty;

    public static readonly ClusterConfig Empty = new();

    /// <summary>The default id crm shell and Pacemaker give the main property set.</summary>
    public const string DefaultPropertySetId = "cib-bootstrap-options";
    public const string DefaultResourceDefaultsId = "rsc-options";
    public const string DefaultOperationDefaultsId = "op-options";

    public string? Property(string name) => Properties.GetUnconditional(name);
    public string? ResourceDefault(string name) => ResourceDefaults.GetUnconditional(name);
    public string? OperationDefault(string name) => OperationDefaults.GetUnconditional(name);

    /// <summary>Every resource, at every level (clones, their children, group members).</summary>
    public IEnumerable<Resource> AllResources()
    {
        foreach (var r in Resources)
            foreach (var x in Flatten(r)) yield return x;
    }

    private static IEnumerable<Resource> Flatten(Resource r)
    {
        yield return r;
        switch (r)
        {
            case Group g:
                foreach (var m in g.Members) yield return m;
                break;
            case Clone c:
                foreach (var x in Flatten(c.Child)) yield return x;
                break;
            case Bundle { Child: { } child }:
                yield return child;
                break;
        }
    }

    public Resource? FindResource(string id) => AllResources().FirstOrDefault(r => r.Id == id);

    /// <summary>The rsc_template a primitive refers to (<c>@template</c>), if any.</summary>
    public ResourceTemplate? TemplateOf(Primitive p) => p.Template is { } t ? Templates.FirstOrDefault(x => x.Id == t) : null;

    /// <summary>The primitive's agent: its own, else its template's; null when it has neither.</summary>
    public AgentSpec? AgentOf(Primitive p) => p.Agent ?? TemplateOf(p)?.Agent;
}
