namespace HaCluster.Core.Cib;

/// <summary>
/// The small edits operators make from the command line (`hacrm resource stop`, `hacrm node
/// standby`, `hacrm property`): each returns a new configuration, or throws
/// <see cref="ArgumentException"/> saying what is wrong.
/// </summary>
public static class ConfigurationEdits
{
    /// <summary>Sets (or, with a null value, removes) a meta attribute of a resource at any level.</summary>
    public static ClusterConfig SetResourceMeta(ClusterConfig config, string resource, string name, string? value)
    {
        if (config.FindResource(resource) is null) throw new ArgumentException($"no resource '{resource}' in the configuration");
        return config with { Resources = config.Resources.Select(r => Edit(r, resource, name, value)).ToEquatableArray() };
    }

    /// <summary>
    /// `resource promote|demote`: target-role Promoted or Unpromoted on a promotable clone or a
    /// resource inside one (crm's resource promote/demote set Master/Slave); anything else is
    /// refused, since the role would mean nothing there.
    /// </summary>
    public static ClusterConfig SetPromotableRole(ClusterConfig config, string resource, string role)
    {
        var promotable = config.Resources.OfType<Clone>().Where(c => c.IsPromotable).ToList();
        if (config.FindResource(resource) is null) throw new ArgumentException($"no resource '{resource}' in the configuration");
        if (!promotable.Any(c => c.Id == resource || c.Child.Id == resource || c.Child.Primitives().Any(p => p.Id == resource)))
            throw new ArgumentException($"'{resource}' is not a promotable clone nor part of one: only those can be promoted or demoted");
        return SetResourceMeta(config, resource, "target-role", role);
    }

    private static Resource Edit(Resource r, string id, string name, string? value) => r switch
    {
        _ when r.Id == id => r switch
        {
            Primitive p => p with { MetaAttributes = SetPair(p.MetaAttributes, name, value) },
            Group g => g with { MetaAttributes = SetPair(g.MetaAttributes, name, value) },
            Clone c => c with { MetaAttributes = SetPair(c.MetaAttributes, name, value) },
            Bundle b => b with { MetaAttributes = SetPair(b.MetaAttributes, name, value) },
            _ => r,
        },
        Group g => g with { Members = g.Members.Select(m => (Primitive)Edit(m, id, name, value)).ToEquatableArray() },
        Clone c => c with { Child = Edit(c.Child, id, name, value) },
        Bundle { Child: { } child } b => b with { Child = (Primitive)Edit(child, id, name, value) },
        _ => r,
    };

    /// <summary>Sets a value in the first rule-free set (creating one), removing it from the others.</summary>
    public static EquatableArray<AttributeSet> SetPair(EquatableArray<AttributeSet> sets, string name, string? value)
    {
        var list = sets.Select(s => s.Rule is null ? s with { Pairs = s.Pairs.Where(p => p.Name != name).ToEquatableArray() } : s).ToList();
        if (value is null) return list.ToEquatableArray();
        var first = list.FindIndex(s => s.Rule is null);
        if (first < 0) list.Insert(0, new AttributeSet(null, new[] { new NvPair(name, value) }.ToEquatableArray()));
        else list[first] = list[first] with { Pairs = list[first].Pairs.Add(new NvPair(name, value)) };
        return list.ToEquatableArray();
    }

    /// <summary>A cluster property (crm_config).</summary>
    public static ClusterConfig SetProperty(ClusterConfig config, string name, string? value) =>
        config with { Properties = SetPair(config.Properties.IsEmpty ? new[] { new AttributeSet(ClusterConfig.DefaultPropertySetId, EquatableArray<NvPair>.Empty) }.ToEquatableArray() : config.Properties, name, value) };

    /// <summary>A permanent node attribute (standby=on, maintenance=on), adding the node entry if needed.</summary>
    public static ClusterConfig SetNodeAttribute(ClusterConfig config, string node, string name, string? value)
    {
        var existing = config.Nodes.FirstOrDefault(n => n.Uname == node);
        var updated = (existing ?? new NodeDefinition(node, node)) is var n ? n with { Attributes = SetPair(n.Attributes, name, value) } : null!;
        var nodes = existing is null ? config.Nodes.Add(updated) : config.Nodes.Select(x => x.Uname == node ? updated : x).ToEquatableArray();
        return config with { Nodes = nodes };
    }

    /// <summary>`hacrm resource move RSC NODE`: a cli-prefer-RSC location of +INFINITY on NODE (as crm_resource --move).</summary>
    public static ClusterConfig Move(ClusterConfig config, string resource, string node)
    {
        if (config.FindResource(resource) is null) throw new ArgumentException($"no resource '{resource}' in the configuration");
        var cleared = Clear(config, resource);
        return cleared with { Constraints = cleared.Constraints.Add(new LocationConstraint($"cli-prefer-{resource}", resource, node, Score.Infinity)) };
    }

    /// <summary>
    /// The resource actions operators name (`hacrm resource ACTION`, POST /api/v1/resources/ID/ACTION)
    /// as the edits they are; null for a name that is not one (or move without a node).
    /// </summary>
    public static Func<ClusterConfig, ClusterConfig>? ResourceAction(string action, string resource, string? node = null) => action switch
    {
        "start" => c => SetResourceMeta(c, resource, "target-role", "Started"),
        "stop" => c => SetResourceMeta(c, resource, "target-role", "Stopped"),
        "promote" => c => SetPromotableRole(c, resource, "Promoted"),
        "demote" => c => SetPromotableRole(c, resource, "Unpromoted"),
        "move" when node is not null => c => Move(c, resource, node),
        "clear" => c => Clear(c, resource),
        _ => null,
    };

    /// <summary>The node actions (`hacrm node ACTION`, POST /api/v1/nodes/NAME/ACTION): standby and maintenance on or off.</summary>
    public static Func<ClusterConfig, ClusterConfig>? NodeAction(string action, string node) => action switch
    {
        "standby" => c => SetNodeAttribute(c, node, "standby", "on"),
        "online" => c => SetNodeAttribute(c, node, "standby", "off"),
        "maintenance" => c => SetNodeAttribute(c, node, "maintenance", "on"),
        "ready" => c => SetNodeAttribute(c, node, "maintenance", "off"),
        _ => null,
    };

    /// <summary>`hacrm resource ban RSC NODE`: a cli-ban-RSC-on-NODE location of -INFINITY (as crm_resource --ban); other bans stay.</summary>
    public static ClusterConfig Ban(ClusterConfig config, string resource, string node)
    {
        if (config.FindResource(resource) is null) throw new ArgumentException($"no resource '{resource}' in the configuration");
        var id = $"cli-ban-{resource}-on-{node}";
        return config with
        {
            Constraints = config.Constraints.Where(c => c.Id != id).Append(new LocationConstraint(id, resource, node, Score.MinusInfinity)).ToEquatableArray(),
        };
    }

    /// <summary>`hacrm resource clear RSC`: removes the constraints move and ban left behind.</summary>
    public static ClusterConfig Clear(ClusterConfig config, string resource) => config with
    {
        Constraints = config.Constraints.Where(c => c.Id != $"cli-prefer-{resource}" && !c.Id.StartsWith($"cli-ban-{resource}-on-", StringComparison.Ordinal)).ToEquatableArray(),
    };

    /// <summary>
    /// `delete ID` in the configure shell: a resource (a group's or clone's members are kept as
    /// top-level resources, as crm shell does), a constraint, template, tag, alert or health check. Constraints that
    /// only named a deleted primitive go with it. Null when nothing has that id.
    /// </summary>
    public static ClusterConfig? Delete(ClusterConfig config, string id)
    {
        if (config.Constraints.Any(c => c.Id == id))
            return config with { Constraints = config.Constraints.Where(c => c.Id != id).ToEquatableArray() };
        if (config.Templates.Any(t => t.Id == id))
            return config with { Templates = config.Templates.Where(t => t.Id != id).ToEquatableArray() };
        if (config.Tags.Any(t => t.Id == id))
            return config with { Tags = config.Tags.Where(t => t.Id != id).ToEquatableArray() };
        if (config.Alerts.Any(a => a.Id == id))
            return config with { Alerts = config.Alerts.Where(a => a.Id != id).ToEquatableArray() };
        if (config.HealthChecks.Any(h => h.Id == id))
            return config with { HealthChecks = config.HealthChecks.Where(h => h.Id != id).ToEquatableArray() };
        var target = config.FindResource(id);
        if (target is null) return null;
        var resources = new List<Resource>();
        foreach (var r in config.Resources)
        {
            if (r.Id == id)
            {
                // Containers go; what they contained stays.
                if (r is Group g) resources.AddRange(g.Members);
                else if (r is Clone c) resources.Add(c.Child);
                else if (r is Bundle { Child: { } inside }) resources.Add(inside);
                continue;
            }
            resources.Add(r switch
            {
                Group g => g with { Members = g.Members.Where(m => m.Id != id).ToEquatableArray() },
                Clone { Child: Group cg } c => c with { Child = cg with { Members = cg.Members.Where(m => m.Id != id).ToEquatableArray() } },
                // A bundle whose primitive is deleted runs its containers bare.
                Bundle { Child: { } inside } b when inside.Id == id => b with { Child = null },
                _ => r,
            });
        }
        // A group left empty, or a clone whose child was deleted, goes too.
        resources.RemoveAll(r => r is Group { Members.Count: 0 } || (r is Clone c && c.Child.Id == id));
        var gone = target is Primitive ? new HashSet<string> { id } : new HashSet<string>();
        var constraints = config.Constraints.Where(c => !gone.Contains(c switch
        {
            LocationConstraint l => l.Resource ?? "",
            ColocationConstraint co => co.Resource == id ? id : co.WithResource ?? "",
            OrderConstraint o => o.First == id ? id : o.Then ?? "",
            TicketConstraint t => t.Resource ?? "",
            _ => "",
        })).ToEquatableArray();
        return config with { Resources = resources.ToEquatableArray(), Constraints = constraints };
    }
}
