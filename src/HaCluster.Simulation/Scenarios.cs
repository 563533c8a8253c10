using HaCluster.Core.Cib;
using HaCluster.Core.Cib.Syntax;

namespace HaCluster.Simulation;

/// <summary>
/// The configurations a schedule runs, drawn from the seeds' stacks: a DRBD-style promotable
/// clone with a filesystem, a VIP and a database following its primary (seeds 000 and 003), a
/// cloned service with a VIP group on top (003's API tier, 002's clones), and independent services
/// with home nodes (rgmanager's failover domains, seed 004; the first one live-migrates, as seed
/// 002's Xen domains do). Each with fencing on (a fence device
/// that reaches every node out of band, as IPMI does) or off; a client changes the configuration
/// now and then with the overlays below.
/// </summary>
public sealed record Scenario(string Name, string BaseCrm, string Movable, bool Fencing, int Nodes)
{
    /// <param name="watchdog">Fencing, where on, by watchdog (no fence device; stonith-watchdog-timeout=5s).</param>
    public static Scenario Pick(Random random, int nodes, bool watchdog = false)
    {
        var fencing = random.NextDouble() < 0.75;
        var properties = Properties(fencing, nodes, watchdog);
        var picked = random.Next(3) switch
        {
            0 => Database(nodes, fencing),
            1 => ClonedService(nodes, fencing),
            _ => Services(nodes, fencing),
        };
        return watchdog ? picked with { Name = picked.Name + (fencing ? ", watchdog" : ""), BaseCrm = properties + picked.BaseCrm[Properties(fencing, nodes).Length..] } : picked;
    }

    private static string Properties(bool fencing, int nodes, bool watchdog = false) =>
        (fencing && watchdog ? "property stonith-enabled=true stonith-watchdog-timeout=5s\n"
            : fencing ? "property stonith-enabled=true\nprimitive fence stonith:fence_sim op monitor interval=30s\n"
            : "property stonith-enabled=false\n") +
        $"property no-quorum-policy={(nodes == 2 ? "ignore" : "stop")}\n";

    public static Scenario Database(int nodes, bool fencing) => new("database", Properties(fencing, nodes) + $"""
        primitive drbd ocf:pacemaker:Stateful op monitor interval=9s role=Promoted op monitor interval=10s role=Unpromoted
        ms ms_drbd drbd meta promoted-max=1 clone-max={Math.Min(nodes, 3)} notify=true
        primitive fs ocf:heartbeat:Filesystem params device=/dev/drbd0 directory=/srv fstype=xfs op monitor interval=20s
        primitive vip ocf:heartbeat:IPaddr2 params ip=192.0.2.10 cidr_netmask=24 op monitor interval=10s
        primitive db ocf:heartbeat:Dummy params state=/run/db.state op monitor interval=15s
        group g_db fs vip db
        colocation db_on_primary inf: g_db ms_drbd:Promoted
        order primary_first inf: ms_drbd:promote g_db:start
        """, "g_db", fencing, nodes);

    public static Scenario ClonedService(int nodes, bool fencing) => new("cloned-service", Properties(fencing, nodes) + """
        primitive svc ocf:heartbeat:Dummy op monitor interval=10s
        clone cl_svc svc meta interleave=true
        primitive web_ip ocf:heartbeat:IPaddr2 params ip=192.0.2.20 cidr_netmask=24 op monitor interval=10s
        primitive web ocf:heartbeat:Dummy params state=/run/web.state op monitor interval=10s
        group g_web web_ip web
        colocation web_with_svc inf: g_web cl_svc
        order svc_first inf: cl_svc g_web
        """, "g_web", fencing, nodes);

    public static Scenario Services(int nodes, bool fencing) => new("services", Properties(fencing, nodes) + $"""
        primitive vm1 ocf:heartbeat:Dummy params state=/run/vm1.state op monitor interval=10s meta allow-migrate=true
        primitive vm2 ocf:heartbeat:Dummy params state=/run/vm2.state op monitor interval=10s
        primitive vm3 ocf:heartbeat:Dummy params state=/run/vm3.state op monitor interval=10s
        location vm1_home vm1 100: node1
        location vm2_home vm2 100: node2
        location vm3_home vm3 100: node{Math.Min(nodes, 3)}
        rsc_defaults resource-stickiness=50
        """, "vm1", fencing, nodes);

    /// <summary>The configuration a client commits: the base with some overlays (a move, a node in standby).</summary>
    public string Overlay(Random random)
    {
        var lines = new List<string>();
        if (random.NextDouble() < 0.6)
        {
            var score = random.Next(3) switch { 0 => "100", 1 => "500", _ => "inf" };
            lines.Add($"location sim_pref {Movable} {score}: node{random.Next(1, Nodes + 1)}");
        }
        // An operator puts a node in standby (its resources move away).
        if (random.NextDouble() < 0.2) lines.Add($"node node{random.Next(1, Nodes + 1)} attributes standby=on");
        return BaseCrm + "\n" + string.Join("\n", lines) + "\n";
    }

    /// <summary>Parses <paramref name="crm"/> (a scenario is always valid: a failure here is a bug of the simulator).</summary>
    public static ClusterConfig Parse(string crm)
    {
        var parsed = CrmParser.Parse(crm, "scenario.crm");
        if (parsed.Config is null || parsed.Diagnostics.Any(d => d.IsError))
            throw new InvalidOperationException("scenario does not parse: " + string.Join("; ", parsed.Diagnostics));
        return parsed.Config;
    }

    /// <summary>The CIB XML of <paramref name="crm"/> at <paramref name="version"/>.</summary>
    public static string ToXmlAt(string crm, HaCluster.Core.Status.CibVersion version) =>
        CibXmlWriter.Write(Parse(crm), version.Epoch, version.AdminEpoch, version.NumUpdates);

    /// <summary>Primitives that must never run on two nodes at once (not cloned).</summary>
    public static IReadOnlyList<string> SingleInstance(ClusterConfig config)
    {
        var cloned = config.AllResources().OfType<Clone>().SelectMany(c => c.Child.Primitives()).Select(p => p.Id).ToHashSet();
        return config.AllResources().OfType<Primitive>().Where(p => !cloned.Contains(p.Id) && config.AgentOf(p)?.Class != "stonith").Select(p => p.Id).ToList();
    }

    /// <summary>Each promotable clone's primitive and its promoted-max.</summary>
    public static IReadOnlyList<(string Primitive, int PromotedMax)> Promotable(ClusterConfig config) =>
        config.AllResources().OfType<Clone>().Where(c => c.IsPromotable)
            .SelectMany(c => c.Child.Primitives().Select(p => (p.Id,
                int.TryParse(c.MetaAttributes.GetUnconditional("promoted-max") ?? c.MetaAttributes.GetUnconditional("master-max"), out var max) ? max : 1)))
            .ToList();
}
