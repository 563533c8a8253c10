using HaCluster.Core.Api;
using HaCluster.Core.Cib;
using HaCluster.Core.Cib.Syntax;

namespace HaCluster.Core.Status.Views;

/// <summary>
/// A live node's status as `hacrm status` and `hacrm mon` show it: membership (DC, quorum, nodes,
/// rings, dropped packets), the resources as crm_mon lays them out, fencing history; as text or in
/// crm_mon's XML. The daemon lays it out itself (the "status" request with a "view" argument) so
/// that `hacrm status` is a socket round trip and a print: a new .NET process that parsed the CIB
/// and evaluated its status section paid ~250 ms of start-up work for it (docs/benchmarks.md).
/// </summary>
public static class LiveStatusView
{
    /// <summary>
    /// Exit statuses scripts can rely on: 0 healthy, 1 degraded (membership or resources), 3 daemon
    /// unreachable (2 is usage).
    /// </summary>
    public const int ExitHealthy = 0;
    public const int ExitDegraded = 1;
    public const int ExitUnreachable = 3;

    // The request's argument names, shared by the daemon and both of hacrm's ways of asking.
    public const string ViewArgument = "view";
    public const string NodeArgument = "node";
    public const string ResourceArgument = "resource";
    public const string ActiveOnlyArgument = "active_only";
    public const string SummaryArgument = "summary";
    public const string NodeAttributesArgument = "node_attributes";
    public const string FailCountsArgument = "fail_counts";
    public const string OperationsArgument = "operations";

    /// <summary>Healthy membership: quorum, every node online, every ring carrying every peer's heartbeats.</summary>
    public static bool Healthy(ClusterStatusReply s) =>
        s.Quorate && s.Nodes.All(n => n.State == "online") && s.Rings.All(r => r.Healthy);

    /// <summary>
    /// Healthy resources: no failed operation left in the history (a failure counts until
    /// `hacrm resource cleanup`, as crm_mon keeps listing it) and nothing failed or blocked now.
    /// </summary>
    public static bool ResourcesHealthy(Policy.WorkingSet ws) =>
        ws.FailedOperations.Count == 0
        && ws.AllResources().OfType<Policy.SchedPrimitive>().All(p => !p.Failed && !p.Blocked && !p.StopBlocked);

    /// <summary>
    /// A saved CIB's picture judged as the live one is: every cluster node online and clean, quorum,
    /// healthy resources (`hacrm status --xml`).
    /// </summary>
    public static int Exit(Policy.WorkingSet picture) =>
        picture.HaveQuorum && picture.Nodes.Where(n => !n.IsRemote).All(n => n.Online && !n.Unclean) && ResourcesHealthy(picture)
            ? ExitHealthy : ExitDegraded;

    /// <summary>The exit status for the live status: degraded if membership or any resource is.</summary>
    public static int Exit(ClusterStatusReply s, Policy.WorkingSet? picture) =>
        Healthy(s) && (picture is null || ResourcesHealthy(picture)) ? ExitHealthy : ExitDegraded;

    /// <summary>The DC's last picture of the cluster (configuration and status section) evaluated, or null before one came.</summary>
    public static Policy.WorkingSet? Picture(ClusterStatusReply s, DateTimeOffset now) => Picture(Parse(s), now);

    private static ParseResult? Parse(ClusterStatusReply s) => s.CibXml is { } xml ? CibXmlReader.Parse(xml, "status") : null;

    private static Policy.WorkingSet? Picture(ParseResult? parsed, DateTimeOffset now) =>
        parsed?.Config is { } config ? Policy.Scheduler.CurrentState(config, parsed.Status ?? ClusterStatus.Empty, now) : null;

    /// <summary>The request's arguments for a view ("text" or "xml") with a filter.</summary>
    public static Dictionary<string, string> Arguments(string view, StatusFilter filter)
    {
        var args = new Dictionary<string, string> { [ViewArgument] = view };
        if (filter.Node is { } node) args[NodeArgument] = node;
        if (filter.Resource is { } resource) args[ResourceArgument] = resource;
        if (filter.ActiveOnly) args[ActiveOnlyArgument] = "true";
        if (filter.Summary) args[SummaryArgument] = "true";
        if (filter.ShowNodeAttributes) args[NodeAttributesArgument] = "true";
        if (filter.ShowFailCounts) args[FailCountsArgument] = "true";
        if (filter.ShowOperations) args[OperationsArgument] = "true";
        return args;
    }

    /// <summary>The view and filter a request asks for; null view when it asks for the raw status.</summary>
    public static (string? View, StatusFilter Filter) FromArguments(IReadOnlyDictionary<string, string>? args)
    {
        if (args is null || !args.TryGetValue(ViewArgument, out var view)) return (null, StatusFilter.None);
        return (view, new StatusFilter
        {
            Node = args.GetValueOrDefault(NodeArgument),
            Resource = args.GetValueOrDefault(ResourceArgument),
            ActiveOnly = args.GetValueOrDefault(ActiveOnlyArgument) == "true",
            Summary = args.GetValueOrDefault(SummaryArgument) == "true",
            ShowNodeAttributes = args.GetValueOrDefault(NodeAttributesArgument) == "true",
            ShowFailCounts = args.GetValueOrDefault(FailCountsArgument) == "true",
            ShowOperations = args.GetValueOrDefault(OperationsArgument) == "true",
        });
    }

    /// <summary>The status laid out as <paramref name="view"/> asks ("text" or "xml"), and its exit status.</summary>
    public static (string Text, int Exit) Render(ClusterStatusReply s, string view, StatusFilter filter, DateTimeOffset now)
    {
        var output = new StringWriter { NewLine = "\n" };
        var parsed = Parse(s);
        var picture = Picture(parsed, now);
        if (view == "xml") output.WriteLine(Xml(s, now, parsed));
        else PrintText(s, output, filter, now, picture);
        return (output.ToString(), Exit(s, picture));
    }

    /// <summary>crm_mon --output-as=xml's layout of the live picture.</summary>
    private static string Xml(ClusterStatusReply s, DateTimeOffset now, ParseResult? parsed)
    {
        var config = parsed?.Config ?? ClusterConfig.Empty;
        // Every member is a node of the picture, even before the DC has sent one.
        var missing = s.Nodes.Where(n => config.Nodes.All(c => c.Uname != n.Name)).Select(n => new NodeDefinition(n.Name, n.Name));
        config = config with { Nodes = config.Nodes.Concat(missing).ToEquatableArray() };
        return StatusXml.Build(config, parsed?.Status ?? ClusterStatus.Empty, now, s).ToString();
    }

    public static void PrintText(ClusterStatusReply s, TextWriter output, StatusFilter? filter, DateTimeOffset now, Policy.WorkingSet? picture = null)
    {
        filter ??= StatusFilter.None;
        var ws = picture ?? Picture(s, now);
        output.WriteLine("Cluster Summary:");
        output.WriteLine($"  * Stack: {s.Stack}");
        var quorum = s.Quorate ? "partition with quorum" : "partition WITHOUT quorum";
        output.WriteLine(s.Dc is { } dc
            ? $"  * Current DC: {dc} - {quorum}"
            : $"  * Current DC: NONE ({(s.Settled ? "view not agreed yet" : "starting: waiting for nodes (initdead)")}) - {quorum}");
        output.WriteLine($"  * Last updated: {CibChange.FormatTime(now)} on {s.ThisNode}");
        if (s.LastChange is { } change) output.WriteLine($"  * Last change:  {change}");
        output.WriteLine($"  * Cluster: {s.ClusterName}, seen from {s.ThisNode}, view {s.ViewEpoch}{(s.Agreed ? "" : " (not agreed yet)")}");
        output.WriteLine($"  * {s.Nodes.Count} nodes configured, {s.Votes} of {s.ExpectedVotes} expected votes");
        if (ws is not null && StatusJson.ResourceInstances(ws) is var instances)
            output.WriteLine($"  * {instances} resource instance{(instances == 1 ? "" : "s")} configured");
        if (s.CibVersion is { } cib) output.WriteLine($"  * CIB version: {cib}");
        output.WriteLine();
        output.WriteLine("Node List:");
        // Membership says who is up; the configuration who is in standby or maintenance.
        var standby = ws?.Nodes.Where(n => n.Standby).Select(n => n.Name).ToHashSet() ?? [];
        var maintenance = ws?.Nodes.Where(n => n.Maintenance).Select(n => n.Name).ToHashSet() ?? [];
        foreach (var n in s.Nodes.Where(n => n.State is "online" or "suspect"))
        {
            if (standby.Contains(n.Name)) output.WriteLine($"  * Node {n.Name}: standby");
            else if (maintenance.Contains(n.Name)) output.WriteLine($"  * Node {n.Name}: maintenance");
        }
        void Line(string label, IEnumerable<NodeStatusReply> nodes)
        {
            var names = nodes.Select(n => n.Name).ToList();
            if (names.Count > 0) output.WriteLine($"  * {label}: [ {string.Join(' ', names)} ]");
        }
        bool Active(NodeStatusReply n) => !standby.Contains(n.Name) && !maintenance.Contains(n.Name);
        Line("Online", s.Nodes.Where(n => n.State == "online" && Active(n)));
        Line("Online, late (suspect)", s.Nodes.Where(n => n.State == "suspect" && Active(n)));
        Line("OFFLINE", s.Nodes.Where(n => n.State is "offline" or "unseen"));
        if (ws is not null)
        {
            output.WriteLine();
            StatusPrinter.PrintResources(ws, output, filter);
            StatusDetails.Print(ws, output, filter);
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

    /// <summary>One fencing operation in crm_mon's words ("reboot of node2 successful: delegate=node1, ...").</summary>
    public static string FencingLine(FenceEventReply e)
    {
        var when = DateTimeOffset.FromUnixTimeSeconds(e.Completed).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        return e.Ok
            ? $"  * {e.Action} of {e.Target} successful: delegate={e.Delegate}, client=haclusterd, origin={e.Origin}, device={e.Device}, completed='{when}'"
            : $"  * {e.Action} of {e.Target} failed: delegate={e.Delegate}, client=haclusterd, origin={e.Origin}, device={e.Device}, last-failed='{when}'"
              + (e.ExitReason is { Length: > 0 } reason ? $" ({reason})" : "");
    }
}
