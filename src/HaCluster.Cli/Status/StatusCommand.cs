using System.CommandLine;
using System.Text.Json;
using HaCluster.Core.Api;
using HaCluster.Core.Cib;

namespace HaCluster.Cli.Status;

/// <summary>
/// <c>hacrm [--socket PATH] status</c>: the live cluster as crm_mon -1 shows it. With this issue
/// it shows membership: nodes online and offline, the DC, quorum, ring health, dropped packets.
/// Exit status: 0 healthy, 1 degraded (a node offline, no quorum, a faulty ring), 3 daemon
/// unreachable, 2 usage.
/// </summary>
public static class StatusCommand
{
    public const int ExitHealthy = 0;
    public const int ExitDegraded = 1;
    public const int ExitUnreachable = 3;

    public static Command Build(Option<string> socket)
    {
        var outputAs = new Option<string>("--output-as") { Description = "text, json, or xml (crm_mon --output-as=xml's layout)", DefaultValueFactory = _ => "text" };
        outputAs.AcceptOnlyFromAmong("text", "json", "xml");
        var xml = new Option<string?>("--xml", "-x") { Description = "show a saved CIB (with its status section) instead of the live cluster" };
        var node = new Option<string?>("--node") { Description = "only the resources active or failed on this node" };
        var resource = new Option<string?>("--resource") { Description = "only this resource (a member shows its group or clone)" };
        var activeOnly = new Option<bool>("--active-only") { Description = "hide resources stopped everywhere" };
        var summary = new Option<bool>("--summary") { Description = "counts by state and per node instead of the resource list" };
        var cmd = new Command("status", "show the live cluster: nodes, DC, quorum, resources, rings (like crm_mon -1)") { outputAs, xml, node, resource, activeOnly, summary };
        cmd.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var filter = new HaCluster.Cli.Simulate.StatusFilter
            {
                Node = parse.GetValue(node), Resource = parse.GetValue(resource), ActiveOnly = parse.GetValue(activeOnly), Summary = parse.GetValue(summary),
            };
            var format = parse.GetValue(outputAs);
            if (parse.GetValue(xml) is { } file) return Offline(file, output, error, filter, format);
            var path = parse.GetValue(socket)!;
            var reply = ApiClient.Call(path, new ApiRequest("status"), out var problem);
            if (reply is null)
            {
                error.WriteLine($"hacrm status: {problem}");
                return ExitUnreachable;
            }
            if (!reply.Ok || reply.Status is null)
            {
                error.WriteLine($"hacrm status: {reply.Error}");
                return ExitUnreachable;
            }
            if (format == "json") output.WriteLine(JsonSerializer.Serialize(reply.Status, new JsonSerializerOptions(ApiJson.Options) { WriteIndented = true }));
            else if (format == "xml")
            {
                var parsed = reply.Status.CibXml is { } cib ? HaCluster.Core.Cib.Syntax.CibXmlReader.Parse(cib, "status") : null;
                var config = parsed?.Config ?? HaCluster.Core.Cib.ClusterConfig.Empty;
                // Every member is a node of the picture, even before the DC has sent one.
                var missing = reply.Status.Nodes.Where(n => config.Nodes.All(c => c.Uname != n.Name)).Select(n => new HaCluster.Core.Cib.NodeDefinition(n.Name, n.Name));
                config = config with { Nodes = config.Nodes.Concat(missing).ToEquatableArray() };
                output.WriteLine(StatusXml.Build(config, parsed?.Status ?? HaCluster.Core.Status.ClusterStatus.Empty, DateTimeOffset.UtcNow, reply.Status));
            }
            else Print(reply.Status, output, filter);
            return Healthy(reply.Status) ? ExitHealthy : ExitDegraded;
        });
        return cmd;
    }

    /// <summary>`hacrm status --xml CIB.xml`: the same picture from a saved CIB (a pe-input, a cibadmin -Q dump).</summary>
    private static int Offline(string file, TextWriter output, TextWriter error, HaCluster.Cli.Simulate.StatusFilter filter, string? format)
    {
        var loaded = Configure.ConfigureCommands.Load(file, "xml", error, out var exit, validate: false);
        if (loaded is null) return exit;
        if (loaded.Config is null)
        {
            foreach (var d in loaded.Errors) error.WriteLine(Configure.ConfigureCommands.Describe(d, file));
            return Configure.ConfigureCommands.ExitInvalid;
        }
        var status = loaded.Status ?? HaCluster.Core.Status.ClusterStatus.Empty;
        if (format == "xml")
        {
            output.WriteLine(StatusXml.Build(loaded.Config, status, status.ExecutionDate ?? DateTimeOffset.UtcNow));
            return ExitHealthy;
        }
        output.WriteLine("Cluster Summary:");
        output.WriteLine($"  * Source: {file} (CIB {status.Version}{(status.DcUuid is { } dc ? $", DC {dc}" : "")}, {(status.HaveQuorum ? "with" : "WITHOUT")} quorum)");
        output.WriteLine($"  * {loaded.Config.Nodes.Count} nodes configured, {loaded.Config.AllResources().OfType<HaCluster.Core.Cib.Primitive>().Count()} resource primitives configured");
        output.WriteLine();
        HaCluster.Cli.Simulate.StatusPrinter.Print(loaded.Config, status, status.ExecutionDate ?? DateTimeOffset.UtcNow, output, filter);
        return ExitHealthy;
    }

    /// <summary>One fencing operation in crm_mon's words ("reboot of node2 successful: delegate=node1, ...").</summary>
    public static string FencingLine(FenceEventReply e)
    {
        var when = DateTimeOffset.FromUnixTimeSeconds(e.Completed).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        return e.Ok
            ? $"  * {e.Action} of {e.Target} successful: delegate={e.Delegate}, client=haclusterd, origin={e.Origin}, device={e.Device}, completed='{when}'"
            : $"  * {e.Action} of {e.Target} failed: delegate={e.Delegate}, client=haclusterd, origin={e.Origin}, device={e.Device}, last-failed='{when}'"
              + (e.ExitReason is { Length: > 0 } reason ? $" ({reason})" : "");
    }

    public static bool Healthy(ClusterStatusReply s) =>
        s.Quorate && s.Nodes.All(n => n.State == "online") && s.Rings.All(r => r.Healthy);

    public static void Print(ClusterStatusReply s, TextWriter output, HaCluster.Cli.Simulate.StatusFilter? filter = null)
    {
        output.WriteLine("Cluster Summary:");
        output.WriteLine($"  * Stack: {s.Stack}");
        var quorum = s.Quorate ? "partition with quorum" : "partition WITHOUT quorum";
        output.WriteLine(s.Dc is { } dc
            ? $"  * Current DC: {dc} - {quorum}"
            : $"  * Current DC: NONE ({(s.Settled ? "view not agreed yet" : "starting: waiting for nodes (initdead)")}) - {quorum}");
        output.WriteLine($"  * Cluster: {s.ClusterName}, seen from {s.ThisNode}, view {s.ViewEpoch}{(s.Agreed ? "" : " (not agreed yet)")}");
        output.WriteLine($"  * {s.Nodes.Count} nodes configured, {s.Votes} of {s.ExpectedVotes} expected votes");
        if (s.CibVersion is { } cib) output.WriteLine($"  * CIB version: {cib}");
        output.WriteLine();
        output.WriteLine("Node List:");
        void Line(string label, IEnumerable<NodeStatusReply> nodes)
        {
            var names = nodes.Select(n => n.Name).ToList();
            if (names.Count > 0) output.WriteLine($"  * {label}: [ {string.Join(' ', names)} ]");
        }
        Line("Online", s.Nodes.Where(n => n.State == "online"));
        Line("Online, late (suspect)", s.Nodes.Where(n => n.State == "suspect"));
        Line("OFFLINE", s.Nodes.Where(n => n.State is "offline" or "unseen"));
        if (s.CibXml is { } xml && HaCluster.Core.Cib.Syntax.CibXmlReader.Parse(xml, "status") is { Config: { } config } parsed)
        {
            output.WriteLine();
            HaCluster.Cli.Simulate.StatusPrinter.PrintResources(config, parsed.Status ?? HaCluster.Core.Status.ClusterStatus.Empty, DateTimeOffset.UtcNow, output, filter);
        }
        if (s.FencingHistory is { Count: > 0 } fencing)
        {
            output.WriteLine();
            output.WriteLine("Fencing History:");
            // Newest first, as crm_mon lists it.
            foreach (var e in fencing.Reverse()) output.WriteLine(FencingLine(e));
        }
        output.WriteLine();
        output.WriteLine("Rings:");
        foreach (var r in s.Rings)
        {
            var health = r.Healthy ? "ok" : $"FAULTY: no heartbeats from {string.Join(", ", r.MissingPeers)} on this ring";
            output.WriteLine($"  * ring {r.Index} ({r.Kind} {r.Address}): {health}");
        }
        output.WriteLine();
        output.WriteLine(s.DroppedPackets.Count == 0
            ? "Dropped packets: none"
            : "Dropped packets: " + string.Join(", ", s.DroppedPackets.OrderBy(d => d.Key).Select(d => $"{d.Key} {d.Value}")));
    }
}
