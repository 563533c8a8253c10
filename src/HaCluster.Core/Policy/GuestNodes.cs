using HaCluster.Core.Cib;

namespace HaCluster.Core.Policy;

/// <summary>
/// Guest nodes: a resource (a VM or container) with the meta attribute <c>remote-node=NAME</c>
/// runs Pacemaker Remote inside, and becomes the node NAME while it runs. As Pacemaker does,
/// the scheduler adds an implicit connection resource NAME (ocf:pacemaker:remote) that lives
/// inside the container (meta container: placed with it, started after it). The guest node
/// is up while both run; it is "fenced" by recovering its container.
/// </summary>
internal static class GuestNodes
{
    /// <summary>Marks the implicit connection resources (hidden from status displays, as crm_mon hides them).</summary>
    public const string InternalMeta = "internal_rsc";

    /// <summary>The configuration with one connection resource per guest node (unless one of that id exists already).</summary>
    public static ClusterConfig Expand(ClusterConfig config)
    {
        var added = new List<Resource>();
        foreach (var container in config.AllResources().OfType<Primitive>())
        {
            if (container.Meta("remote-node") is not { Length: > 0 } name || config.FindResource(name) is not null) continue;
            var parameters = new List<(string, string)>();
            if (container.Meta("remote-addr") is { Length: > 0 } addr) parameters.Add(("server", addr));
            if (container.Meta("remote-port") is { Length: > 0 } port) parameters.Add(("port", port));
            var meta = new List<(string, string)> { ("container", container.Id), (InternalMeta, "true") };
            if (container.Meta("remote-allow-migrate") is { Length: > 0 } migrate) meta.Add(("allow-migrate", migrate));
            if (container.Meta("is-managed") is { Length: > 0 } managed) meta.Add(("is-managed", managed));
            var operations = new List<Operation> { new(null, "monitor", "30s", EquatableArray<NvPair>.Empty) };
            if (container.Meta("remote-connect-timeout") is { Length: > 0 } timeout)
                operations.Add(new Operation(null, "start", "0", new[] { new NvPair("timeout", timeout) }.ToEquatableArray()));
            added.Add(new Primitive(name, new AgentSpec("ocf", "pacemaker", "remote"),
                parameters.Count == 0 ? EquatableArray<AttributeSet>.Empty : new[] { AttributeSet.Of(parameters.ToArray()) }.ToEquatableArray(),
                new[] { AttributeSet.Of(meta.ToArray()) }.ToEquatableArray(), operations.ToEquatableArray()));
        }
        return added.Count == 0 ? config : config with { Resources = config.Resources.Concat(added).ToEquatableArray() };
    }

    /// <summary>Whether a primitive is a connection the scheduler added for a guest node.</summary>
    public static bool IsImplicit(SchedResource r) => CibBoolean.IsTrue(r.MetaValue(InternalMeta));
}
