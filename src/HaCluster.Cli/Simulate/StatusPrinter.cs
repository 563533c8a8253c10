using HaCluster.Core.Cib;
using HaCluster.Core.Policy;
using HaCluster.Core.Status;

namespace HaCluster.Cli.Simulate;

/// <summary>A compact crm_mon-style view of nodes and resources (the full printer is issue 5's).</summary>
public static class StatusPrinter
{
    public static void Print(ClusterConfig config, ClusterStatus status, DateTimeOffset now, TextWriter output)
    {
        var ws = WorkingSet.Build(config, status, now);
        output.WriteLine("  * Node List:");
        var online = ws.Nodes.Where(n => n.Online && !n.Standby).Select(n => n.Name).ToList();
        var standby = ws.Nodes.Where(n => n.Online && n.Standby).Select(n => n.Name).ToList();
        var offline = ws.Nodes.Where(n => !n.Online && !n.Unclean).Select(n => n.Name).ToList();
        foreach (var n in ws.Nodes.Where(n => n.Unclean)) output.WriteLine($"    * Node {n.Name}: UNCLEAN (offline)");
        foreach (var n in standby) output.WriteLine($"    * Node {n}: standby");
        if (online.Count > 0) output.WriteLine($"    * Online: [ {string.Join(' ', online)} ]");
        if (offline.Count > 0) output.WriteLine($"    * OFFLINE: [ {string.Join(' ', offline)} ]");
        output.WriteLine();
        output.WriteLine("  * Full List of Resources:");
        foreach (var r in config.Resources)
            output.WriteLine($"    * {r.Id}\t({ConfigValidator.KindOf(r)})");
    }
}
