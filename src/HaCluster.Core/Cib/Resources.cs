namespace HaCluster.Core.Cib;

/// <summary>Every resource has an id, meta attributes and an optional description.</summary>
public abstract record Resource(string Id)
{
    public abstract EquatableArray<AttributeSet> MetaAttributes { get; init; }
    public abstract string? Description { get; init; }

    public string? Meta(string name) => MetaAttributes.GetUnconditional(name);

    /// <summary>The primitives this resource is made of, in order.</summary>
    public abstract IEnumerable<Primitive> Primitives();
}

/// <summary>
/// The agent of a primitive: <c>class:provider:type</c> for OCF, <c>class:type</c> otherwise
/// (lsb, systemd, upstart, service, stonith, nagios).
/// </summary>
public sealed record AgentSpec(string Class, string? Provider, string Type)
{
    public static readonly IReadOnlySet<string> KnownClasses = new HashSet<string>
    {
        "ocf", "lsb", "systemd", "upstart", "service", "stonith", "nagios", "heartbeat", "alert",
    };

    public override string ToString() => Provider is null ? $"{Class}:{Type}" : $"{Class}:{Provider}:{Type}";

    /// <summary>Parses "ocf:heartbeat:IPaddr2", "lsb:foo", "stonith:fence_xvm"; null when malformed.</summary>
    public static AgentSpec? TryParse(string text)
    {
        var parts = text.Split(':');
        if (parts.Any(p => p.Length == 0)) return null;
        return parts.Length switch
        {
            3 => new AgentSpec(parts[0], parts[1], parts[2]),
            2 => new AgentSpec(parts[0], null, parts[1]),
            // A bare type means an OCF heartbeat agent, as crm shell assumes.
            1 => new AgentSpec("ocf", "heartbeat", parts[0]),
            _ => null,
        };
    }
}

/// <summary>A single resource run by one agent.</summary>
public sealed record Primitive(
    string Id,
    AgentSpec? Agent,
    EquatableArray<AttributeSet> InstanceAttributes,
    EquatableArray<AttributeSet> MetaAttributes,
    EquatableArray<Operation> Operations,
    string? Template = null,
    EquatableArray<AttributeSet> Utilization = default,
    string? Description = null,
    string? OperationsId = null) : Resource(Id)
{
    public override IEnumerable<Primitive> Primitives() { yield return this; }
    public string? Param(string name) => InstanceAttributes.GetUnconditional(name);
}

/// <summary>
/// A resource template (rsc_template): a primitive-shaped default that primitives refer to
/// with <c>@template</c>. Templates are not resources themselves.
/// </summary>
public sealed record ResourceTemplate(
    string Id,
    AgentSpec Agent,
    EquatableArray<AttributeSet> InstanceAttributes,
    EquatableArray<AttributeSet> MetaAttributes,
    EquatableArray<Operation> Operations,
    EquatableArray<AttributeSet> Utilization = default,
    string? Description = null);

/// <summary>An ordered, colocated list of primitives, started first to last.</summary>
public sealed record Group(
    string Id,
    EquatableArray<Primitive> Members,
    EquatableArray<AttributeSet> MetaAttributes,
    EquatableArray<AttributeSet> InstanceAttributes = default,
    string? Description = null) : Resource(Id)
{
    public override IEnumerable<Primitive> Primitives() => Members;
}

/// <summary>
/// A clone of a primitive or a group; promotable (master/slave) when meta <c>promotable=true</c>
/// or when declared with crm's <c>ms</c> / XML's legacy <c>&lt;master&gt;</c> (<see cref="LegacyMaster"/>).
/// </summary>
public sealed record Clone(
    string Id,
    Resource Child,
    EquatableArray<AttributeSet> MetaAttributes,
    bool LegacyMaster = false,
    EquatableArray<AttributeSet> InstanceAttributes = default,
    string? Description = null) : Resource(Id)
{
    public bool IsPromotable =>
        LegacyMaster || CibBoolean.IsTrue(Meta("promotable"));

    public override IEnumerable<Primitive> Primitives() => Child.Primitives();
}

/// <summary>
/// A bundle: a container image run as <see cref="Replicas"/> copies ("replicas") by docker,
/// podman or rkt, each copy optionally with its own IP address (ip-range-start) and, when the
/// bundle holds a primitive, a Pacemaker Remote connection through which the cluster runs one
/// instance of that primitive inside the container. The scheduler expands it into its implicit
/// resources (see Policy/Bundles.cs), named as Pacemaker names them.
/// </summary>
/// <param name="Runtime">"docker", "podman" or "rkt": the container element and the agent that runs it.</param>
/// <param name="RuntimeOptions">The container element's attributes (image, replicas, replicas-per-host,
/// promoted-max, run-command, options, network), in their written order.</param>
/// <param name="NetworkOptions">The network element's attributes (ip-range-start, host-interface,
/// host-netmask, control-port, add-host); empty with no port mappings when there is no network element.</param>
public sealed record Bundle(
    string Id,
    string Runtime,
    EquatableArray<NvPair> RuntimeOptions,
    EquatableArray<NvPair> NetworkOptions,
    EquatableArray<BundleMapping> PortMappings,
    EquatableArray<BundleMapping> StorageMappings,
    Primitive? Child,
    EquatableArray<AttributeSet> MetaAttributes,
    string? Description = null) : Resource(Id)
{
    public static readonly IReadOnlyList<string> Runtimes = ["docker", "podman", "rkt"];

    public override IEnumerable<Primitive> Primitives() => Child is null ? [] : [Child];

    public string? Option(string name) => RuntimeOptions.FirstOrDefault(p => p.Name == name)?.Value;
    public string? NetworkOption(string name) => NetworkOptions.FirstOrDefault(p => p.Name == name)?.Value;

    /// <summary>promoted-max (the legacy masters): 0 unless set; above 0 the primitive inside is promotable.</summary>
    public int PromotedMax => AtLeast(Option("promoted-max") ?? Option("masters"), 0, 0);
    /// <summary>replicas: promoted-max when only that is set, else 1 (at least 1).</summary>
    public int Replicas => Option("replicas") is null && PromotedMax > 0 ? PromotedMax : AtLeast(Option("replicas"), 1, 1);
    /// <summary>replicas-per-host (at least 1); a control port without an IP range allows only one.</summary>
    public int ReplicasPerHost => NetworkOption("ip-range-start") is null && NetworkOption("control-port") is not null
        ? 1 : AtLeast(Option("replicas-per-host"), 1, 1);

    /// <summary>Pacemaker reads these numbers leniently: missing or not a number gives the default, below the minimum the minimum.</summary>
    private static int AtLeast(string? text, int minimum, int fallback) =>
        int.TryParse(text, out var v) ? Math.Max(minimum, v) : fallback;
}

/// <summary>A bundle's port-mapping or storage-mapping: its id and attributes, in their written order.</summary>
public sealed record BundleMapping(string Id, EquatableArray<NvPair> Attributes)
{
    public string? Get(string name) => Attributes.FirstOrDefault(p => p.Name == name)?.Value;
}

/// <summary>Pacemaker's boolean spellings: true/false, yes/no, on/off, 1/0, y/n.</summary>
public static class CibBoolean
{
    public static bool? TryParse(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        "true" or "yes" or "on" or "1" or "y" or "t" => true,
        "false" or "no" or "off" or "0" or "n" or "f" => false,
        _ => null,
    };

    public static bool IsTrue(string? value) => TryParse(value) == true;
}
