using HaCluster.Core.Cib;

namespace HaCluster.Core.Policy;

/// <summary>
/// Bundles, expanded as Pacemaker expands them. Replica i of bundle B is made of:
/// <list type="bullet">
/// <item>a container <c>B-docker-i</c> (or <c>-podman-</c>, <c>-rkt-</c>): ocf:heartbeat:docker running the image;</item>
/// <item>with ip-range-start, an address <c>B-ip-ADDR</c> (ocf:heartbeat:IPaddr2), the range's i-th
/// address, colocated with the container and started before it;</item>
/// <item>with a primitive inside (and an IP range or a control port), a Pacemaker Remote connection
/// <c>B-i</c> whose container is the replica's container: the guest node <c>B-i</c>;</item>
/// <item>instance i of the primitive, in the clone <c>B-clone</c> (<c>B-master</c> when promoted-max
/// is set), pinned to the guest node <c>B-i</c>.</item>
/// </list>
/// The containers are assigned like a clone's instances (replicas-per-host at most on a node), so
/// the working set holds them as a clone named after the bundle: a constraint on the bundle reaches
/// its containers; one with a role (Promoted, Unpromoted) reaches the primitive's clone.
/// </summary>
public static class Bundles
{
    /// <summary>Pacemaker Remote's default port: the connection's port when no control-port is set.</summary>
    public const string DefaultRemotePort = "3121";

    /// <summary>One replica's resources: its container, its address (if any) and its connection (if any).</summary>
    public sealed record Replica(int Index, string ContainerId, string? Address, string? IpId, string? RemoteId);

    /// <summary>The replicas, numbered from 0, with the addresses counted up from ip-range-start.</summary>
    public static IReadOnlyList<Replica> Replicas(Bundle b)
    {
        var replicas = new List<Replica>();
        var address = b.NetworkOption("ip-range-start");
        for (var i = 0; i < b.Replicas; i++)
        {
            if (i > 0 && address is not null) address = NextAddress(address);
            var remote = ManagesChild(b) ? $"{b.Id}-{i}" : null;
            replicas.Add(new Replica(i, Ids.Valid($"{b.Id}-{b.Runtime}-{i}"), address,
                address is null ? null : Ids.Valid($"{b.Id}-ip-{address}"), remote));
        }
        return replicas;
    }

    /// <summary>
    /// The next address of the range, as Pacemaker counts: the last octet up to 254, then the
    /// third octet up and the last back to 1; null past x.x.254.254 or for what is not IPv4
    /// (that replica gets no address).
    /// </summary>
    internal static string? NextAddress(string last)
    {
        var parts = last.Split('.');
        if (parts.Length != 4 || !parts.All(p => uint.TryParse(p, out _))) return null;
        var o = parts.Select(uint.Parse).ToArray();
        if (o[2] > 253) return null;
        if (o[3] > 253) { o[2]++; o[3] = 1; }
        else o[3]++;
        return string.Join('.', o);
    }

    /// <summary>The cluster runs the primitive inside only when it can reach it: an IP range or a control port.</summary>
    public static bool ManagesChild(Bundle b) =>
        b.Child is not null && (b.NetworkOption("ip-range-start") is not null || b.NetworkOption("control-port") is not null);

    /// <summary>The clone of the primitive inside: "B-clone", or "B-master" when it is promotable (Pacemaker's legacy name).</summary>
    public static string ChildCloneId(Bundle b) => $"{b.Id}-{(b.PromotedMax > 0 ? "master" : "clone")}";

    /// <summary>
    /// The configuration with each bundle's implicit resources added beside it: addresses,
    /// connections, the primitive's clone, and the constraints that tie an address to its
    /// container and order instance i after its guest's connection. The bundle itself stays: the
    /// working set builds its containers from it.
    /// </summary>
    internal static ClusterConfig Expand(ClusterConfig config)
    {
        if (!config.Resources.Any(r => r is Bundle)) return config;
        var resources = new List<Resource>();
        var constraints = new List<Constraint>();
        foreach (var r in config.Resources)
        {
            resources.Add(r);
            if (r is not Bundle b) continue;
            var replicas = Replicas(b);
            foreach (var replica in replicas)
            {
                if (replica.IpId is not null)
                {
                    resources.Add(AddressDefinition(b, replica));
                    constraints.Add(new ColocationConstraint($"{replica.IpId}-with-{replica.ContainerId}", Score.Infinity, replica.IpId, replica.ContainerId));
                    constraints.Add(new OrderConstraint($"{replica.IpId}-before-{replica.ContainerId}", replica.IpId, replica.ContainerId, "start", "start", "Mandatory"));
                }
                if (replica.RemoteId is not null && config.FindResource(replica.RemoteId) is null)
                    resources.Add(ConnectionDefinition(b, replica));
            }
            if (ManagesChild(b))
            {
                resources.Add(ChildClone(b));
                // Instance i starts once guest node i is up: after its connection starts.
                foreach (var replica in replicas)
                    constraints.Add(new OrderConstraint($"{replica.RemoteId}-before-{b.Child!.Id}-{replica.Index}", replica.RemoteId,
                        $"{b.Child!.Id}:{replica.Index}", "start", "start", "Mandatory"));
            }
        }
        return config with
        {
            Resources = resources.ToEquatableArray(),
            Constraints = config.Constraints.Concat(constraints).ToEquatableArray(),
        };
    }

    /// <summary>
    /// The configuration as a node's executor runs it: each bundle replaced by its replicas'
    /// containers and addresses (primitives with the bundle's meta attributes), which the
    /// runtime's OCF agent (ocf:heartbeat:docker, podman, rkt) and IPaddr2 run. The primitive
    /// inside a bundle and its connection are left out: they need Pacemaker Remote inside the
    /// container, which haclusterd does not provide (the validator says so).
    /// </summary>
    /// <remarks>Worked out once per configuration object: the executor asks for every action it runs.</remarks>
    public static ClusterConfig ForExecution(ClusterConfig config) => ExecutionViews.GetValue(config, BuildExecutionView);

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<ClusterConfig, ClusterConfig> ExecutionViews = new();

    private static ClusterConfig BuildExecutionView(ClusterConfig config)
    {
        if (!config.Resources.Any(r => r is Bundle)) return config;
        var resources = new List<Resource>();
        foreach (var r in config.Resources)
        {
            if (r is not Bundle b) { resources.Add(r); continue; }
            var replicas = Replicas(b);
            foreach (var replica in replicas)
            {
                var container = ContainerDefinition(b, replicas, replica.Index);
                resources.Add(container with { MetaAttributes = b.MetaAttributes });
                if (replica.IpId is not null) resources.Add(AddressDefinition(b, replica));
            }
        }
        return config with { Resources = resources.ToEquatableArray() };
    }

    /// <summary>Marks a resource the cluster made: hidden where crm_mon hides it, listed under its bundle.</summary>
    private static AttributeSet Internal(params (string Name, string Value)[] more) =>
        AttributeSet.Of(more.Prepend((GuestNodes.InternalMeta, "true")).ToArray());

    /// <summary>An implicit resource's meta attributes: its own, then the bundle's (which it inherits, its own winning).</summary>
    private static EquatableArray<AttributeSet> WithBundleMeta(Bundle b, AttributeSet own) =>
        b.MetaAttributes.Prepend(own).ToEquatableArray();

    private static Operation Monitor(string interval, string? timeout = null) =>
        new(null, "monitor", interval, timeout is null ? EquatableArray<NvPair>.Empty : new[] { new NvPair("timeout", timeout) }.ToEquatableArray());

    private static Primitive AddressDefinition(Bundle b, Replica r)
    {
        var parameters = new List<(string, string)> { ("ip", r.Address!) };
        if (b.NetworkOption("host-interface") is { } nic) parameters.Add(("nic", nic));
        parameters.Add(("cidr_netmask", b.NetworkOption("host-netmask") ?? "32"));
        return new Primitive(r.IpId!, new AgentSpec("ocf", "heartbeat", "IPaddr2"),
            new[] { AttributeSet.Of(parameters.ToArray()) }.ToEquatableArray(),
            WithBundleMeta(b, Internal()), new[] { Monitor("60s") }.ToEquatableArray());
    }

    private static Primitive ConnectionDefinition(Bundle b, Replica r)
    {
        // Without an address of its own the connection goes to the container's host: Pacemaker
        // writes "#uname" and puts the host's name in when it starts it.
        var parameters = AttributeSet.Of(("addr", r.Address ?? "#uname"), ("port", b.NetworkOption("control-port") ?? DefaultRemotePort));
        return new Primitive(r.RemoteId!, new AgentSpec("ocf", "pacemaker", "remote"),
            new[] { parameters }.ToEquatableArray(),
            WithBundleMeta(b, Internal(("container", r.ContainerId))),
            new[] { Monitor("30s", "30s") }.ToEquatableArray());
    }

    /// <summary>The clone of the primitive inside, as Pacemaker writes it for itself.</summary>
    public static Clone ChildClone(Bundle b)
    {
        var meta = new List<(string, string)>
        {
            (GuestNodes.InternalMeta, "true"),
            ("ordered", "true"),
            ("clone-max", b.Replicas.ToString()),
            ("clone-node-max", b.ReplicasPerHost.ToString()),
            ("globally-unique", b.ReplicasPerHost > 1 ? "true" : "false"),
        };
        if (b.PromotedMax > 0)
        {
            meta.Add(("promotable", "true"));
            meta.Add(("promoted-max", b.PromotedMax.ToString()));
        }
        return new Clone(ChildCloneId(b), b.Child!, WithBundleMeta(b, AttributeSet.Of(meta.ToArray())));
    }

    /// <summary>
    /// Replica <paramref name="index"/>'s container: the runtime's agent with the image and the
    /// options Pacemaker builds (run_opts: hostname, environment, network, volumes, ports, and
    /// every replica's address under its name, from <paramref name="replicas"/>).
    /// </summary>
    public static Primitive ContainerDefinition(Bundle b, IReadOnlyList<Replica> replicas, int index)
    {
        var r = replicas[index];
        var rkt = b.Runtime == "rkt";
        var (hostnameOption, environmentOption) = rkt ? ("--hostname=", "--environment=") : ("-h ", "-e ");
        var options = new System.Text.StringBuilder();
        if (b.Runtime == "docker") options.Append(" --restart=no");
        if (b.NetworkOption("ip-range-start") is not null) options.Append($" {hostnameOption}{b.Id}-{r.Index}");
        options.Append($" {environmentOption}PCMK_stderr=1");
        if (b.Option("network") is { } network) options.Append($" --net={network}");
        options.Append($" {environmentOption}PCMK_remote_port={b.NetworkOption("control-port") ?? DefaultRemotePort}");
        var mounts = new List<string>();
        var volume = 0;
        foreach (var (source, target, mountOptions, perReplica) in Mounts(b))
        {
            var path = perReplica ? $"{source}/{b.Id}-{r.Index}" : source;
            if (perReplica) mounts.Add(path);
            if (rkt)
            {
                options.Append($" --volume vol{volume},kind=host,source={path}{(mountOptions is null ? "" : "," + mountOptions)} --mount volume=vol{volume},target={target}");
                volume++;
            }
            else options.Append($" -v {path}:{target}{(mountOptions is null ? "" : ":" + mountOptions)}");
        }
        foreach (var (port, inside) in Ports(b))
        {
            if (rkt) options.Append(r.Address is null ? $" --port={inside}:{port}" : $" --port={inside}:{r.Address}:{port}");
            else if (r.Address is not null) options.Append($" -p {r.Address}:{port}:{inside}");
            else if (b.Option("network") != "host") options.Append($" -p {port}:{inside}");
        }
        if (b.Option("options") is { } extra) options.Append(' ').Append(extra);
        // --add-host (or --hosts-entry) for every replica's address, so replicas find each other.
        var hosts = new System.Text.StringBuilder();
        var addHost = CibBoolean.TryParse(b.NetworkOption("add-host")) ?? true;
        foreach (var other in replicas.Where(x => x.Address is not null))
            hosts.Append(!rkt && addHost ? $" --add-host={b.Id}-{other.Index}:{other.Address}" : $" --hosts-entry={other.Address}={b.Id}-{other.Index}");
        // (Appended even when empty, as Pacemaker does: the trailing space is part of the digest.)
        options.Append(' ').Append(hosts);

        var parameters = new List<(string, string)>
        {
            ("image", b.Option("image") ?? ""),
            ("allow_pull", "true"),
            ("force_kill", "false"),
            ("reuse", "false"),
            ("run_opts", options.ToString()),
            ("mount_points", string.Join(',', mounts)),
        };
        if (ManagesChild(b)) parameters.Add(("run_cmd", b.Option("run-command") ?? "/usr/sbin/pacemaker-remoted"));
        else if (b.Option("run-command") is { } command) parameters.Add(("run_cmd", command));
        parameters.Add(("monitor_cmd", "/bin/true"));
        return new Primitive(r.ContainerId, new AgentSpec("ocf", "heartbeat", b.Runtime),
            new[] { AttributeSet.Of(parameters.ToArray()) }.ToEquatableArray(),
            EquatableArray<AttributeSet>.Empty, new[] { Monitor("60s") }.ToEquatableArray());
    }

    /// <summary>
    /// The storage mappings, then what Pacemaker mounts itself when it runs the primitive inside:
    /// the Pacemaker Remote key, and a per-replica log directory unless /var/log is mapped.
    /// </summary>
    private static IEnumerable<(string Source, string Target, string? Options, bool PerReplica)> Mounts(Bundle b)
    {
        var mounts = new List<(string, string, string?, bool)>();
        foreach (var m in b.StorageMappings)
        {
            var source = m.Get("source-dir");
            var perReplica = source is null;
            source ??= m.Get("source-dir-root");
            if (source is not null && m.Get("target-dir") is { } target) mounts.Add((source, target, m.Get("options"), perReplica));
        }
        if (ManagesChild(b))
        {
            mounts.Add(("/etc/pacemaker/authkey", "/etc/pacemaker/authkey", null, false));
            if (mounts.All(m => m.Item2 != "/var/log")) mounts.Add(("/var/log/pacemaker/bundles", "/var/log", null, true));
        }
        return mounts;
    }

    /// <summary>The port mappings (a range maps to itself), then the control port when the primitive inside is run.</summary>
    private static IEnumerable<(string Port, string Inside)> Ports(Bundle b)
    {
        foreach (var m in b.PortMappings)
        {
            var port = m.Get("port");
            var inside = port is null ? null : m.Get("internal-port");
            port ??= m.Get("range");
            if (port is { Length: > 0 }) yield return (port, inside ?? port);
        }
        if (ManagesChild(b))
        {
            var control = b.NetworkOption("control-port") ?? DefaultRemotePort;
            yield return (control, control);
        }
    }

    /// <summary>
    /// The containers of a bundle as the working set holds them: a clone named after the
    /// bundle whose instances are the replicas' containers, at most replicas-per-host on a node.
    /// </summary>
    internal static SchedClone BuildContainers(WorkingSet ws, Bundle b, Dictionary<string, string> inherited,
        Func<Resource, SchedResource?, Dictionary<string, string>, SchedResource?> build)
    {
        var replicas = Replicas(b);
        var definition = new Clone(b.Id, ContainerDefinition(b, replicas, 0), b.MetaAttributes);
        var containers = new SchedClone(b.Id, null, definition) { Bundle = b };
        foreach (var kv in inherited) containers.Meta[kv.Key] = kv.Value;
        ws.AddMeta(containers.Meta, b.MetaAttributes);
        containers.Meta["clone-node-max"] = b.ReplicasPerHost.ToString();
        containers.CloneMax = b.Replicas;
        ws.ById[b.Id] = containers;
        foreach (var replica in replicas)
            if (build(ContainerDefinition(b, replicas, replica.Index), containers, containers.Meta) is { } container)
                containers.Children.Add(container);
        return containers;
    }

    /// <summary>
    /// Ties each bundle's parts together once every resource is built: the containers know the
    /// primitive's clone, and instance i of that clone may run only on guest node i.
    /// </summary>
    internal static void Link(WorkingSet ws)
    {
        foreach (var containers in ws.Resources.OfType<SchedClone>().Where(c => c.Bundle is not null))
        {
            var b = containers.Bundle!;
            if (!ManagesChild(b) || ws.ById.GetValueOrDefault(ChildCloneId(b)) is not SchedClone child) continue;
            containers.BundleChild = child;
            child.BundleContainers = containers;
            var replicas = Replicas(b);
            for (var i = 0; i < child.Children.Count && i < replicas.Count; i++)
                foreach (var p in child.Children[i].Primitives())
                    p.BundleNode = ws.FindNode(replicas[i].RemoteId!);
        }
    }

    /// <summary>
    /// What the cluster made for a bundle besides its containers, as the working set holds it:
    /// each replica's address and guest connection, in replica order, then the primitive's clone.
    /// </summary>
    internal static IEnumerable<SchedResource> ImplicitParts(WorkingSet ws, SchedClone containers)
    {
        foreach (var r in Replicas(containers.Bundle!))
            foreach (var id in new[] { r.IpId, r.RemoteId })
                if (id is not null && ws.ById.GetValueOrDefault(id) is SchedPrimitive part) yield return part;
        if (containers.BundleChild is { } inside) yield return inside;
    }

    /// <summary>Whether a node is one of a bundle's guest nodes (nothing but the bundle's own instance runs there).</summary>
    internal static bool IsBundleNode(WorkingSet ws, SchedNode n) => ws.ContainerOf(n) is { Parent: SchedClone { Bundle: not null } };
}
