using System.Text.Json;
using System.Text.Json.Serialization;
using HaCluster.Core.Api;
using HaCluster.Core.Cib;
using HaCluster.Core.Policy;

namespace HaCluster.Core.Status.Views;

/// <summary>
/// The live cluster as a JSON document (REST API /api/v1/status, the web page): the same facts
/// `hacrm status` prints, structured: summary, nodes (membership decides who is online),
/// resources as a tree (groups, clones and their instances) with the nodes and roles each runs
/// in, failed actions, fencing history, rings, dropped packets, and the text view itself.
/// </summary>
public static class StatusJson
{
    public static StatusDocument Build(ClusterStatusReply live, WorkingSet? ws, DateTimeOffset now)
    {
        var dc = live.Dc;
        var nodes = live.Nodes.Select(m =>
        {
            var n = ws?.Nodes.FirstOrDefault(x => x.Name == m.Name);
            var running = ws?.AllPrimitives().Count(p => p.ActiveOn.Keys.Any(k => k.Name == m.Name)) ?? 0;
            return new NodeJson(m.Name, m.Id, m.State, n?.Standby ?? false, n?.Maintenance ?? false, m.Name == dc, running, m.RingsUp, m.SecondsSinceHeard);
        }).ToList();
        var resources = ws?.Resources.Select(Resource).ToList() ?? [];
        var failures = ws?.FailedOperations.Select(f => new FailureJson(f.Resource, f.Node.Name, f.Operation.Task, f.Operation.IntervalMs, f.Operation.RcCode,
            StatusPrinter.RcName(f.Operation.RcCode), f.Operation.ExitReason, f.Operation.LastRcChange)).ToList() ?? [];
        var text = new StringWriter();
        LiveStatusView.PrintText(live, text, null, now, ws);
        var summary = new SummaryJson(live.ClusterName, live.ThisNode, dc, live.Quorate, live.Votes, live.ExpectedVotes, live.CibVersion, live.LastChange,
            live.Nodes.Count, ws is null ? 0 : ResourceInstances(ws), LiveStatusView.Exit(live, ws) == 0, now.ToUnixTimeSeconds());
        return new StatusDocument(summary, nodes, resources, failures, live.FencingHistory ?? [], live.Rings, live.DroppedPackets, text.ToString());
    }

    private static ResourceJson Resource(SchedResource r) => r switch
    {
        SchedGroup g => new ResourceJson(g.Id, "group", null, RoleOf(g.Primitives()), g.Managed, g.Primitives().Any(p => p.FailedOn.Count > 0),
            Placement(g.Primitives()), g.Members.Select(Resource).ToList()),
        SchedClone c => new ResourceJson(c.Id, c.Promotable ? "promotable clone" : "clone", null, RoleOf(c.Primitives()), c.Managed,
            c.Primitives().Any(p => p.FailedOn.Count > 0), Placement(c.Primitives()), c.Instances.Select(Resource).ToList()),
        SchedPrimitive p => new ResourceJson(p.Id, "primitive", StatusPrinter.AgentName(p.Agent), RoleOf([p]), p.Managed, p.FailedOn.Count > 0, Placement([p]), null),
        _ => new ResourceJson(r.Id, "resource", null, "Stopped", true, false, [], null),
    };

    /// <summary>Where the primitives run, with their roles (an instance of each counted once per node).</summary>
    private static List<ResourceNodeJson> Placement(IEnumerable<SchedPrimitive> primitives) =>
        ActiveNodes.Of(primitives).Select(a => new ResourceNodeJson(a.Node, Roles.ActiveName([a.Role]))).ToList();

    private static string RoleOf(IEnumerable<SchedPrimitive> primitives) => Roles.ActiveName(primitives.SelectMany(p => p.ActiveOn.Values));

    public static string Serialize(StatusDocument document, bool indented = false) =>
        JsonSerializer.Serialize(document, indented ? Indented.Value.StatusDocument : StatusJsonContext.Default.StatusDocument);

    /// <summary>Made on first use only: the text views (every `hacrm status`) never need it.</summary>
    private static readonly Lazy<StatusJsonContext> Indented = new(() => new(new JsonSerializerOptions(StatusJsonContext.Default.Options) { WriteIndented = true }));

    /// <summary>What crm_mon calls "resource instances configured": every primitive, each clone instance counted (the text, XML and JSON views agree).</summary>
    public static int ResourceInstances(WorkingSet ws) => ws.AllPrimitives().Count();

    /// <summary>
    /// A saved CIB judged as a live status would be (`hacrm status --xml F --output-as json`):
    /// its nodes online or offline as its status section says, its DC, its quorum.
    /// </summary>
    public static ClusterStatusReply Offline(WorkingSet ws, string source) => new(
        ClusterName: source, Stack: "HaCluster (saved CIB)", ThisNode: "", Dc: ws.Status.DcUuid is { } dc ? ws.FindNode(dc)?.Name ?? dc : null,
        Quorate: ws.HaveQuorum, Votes: ws.Nodes.Count(n => n.Online), ExpectedVotes: ws.Nodes.Count, Agreed: true, Settled: true, ViewEpoch: 0,
        Nodes: ws.Nodes.Select((n, i) => new NodeStatusReply(n.Name, i + 1, n.Online ? "online" : "offline", [], null)).ToList(),
        Rings: [], DroppedPackets: new Dictionary<string, long>(), HeartbeatsSent: 0)
    {
        CibVersion = ws.Status.Version.ToString(),
    };
}

public sealed record StatusDocument(SummaryJson Summary, IReadOnlyList<NodeJson> Nodes, IReadOnlyList<ResourceJson> Resources, IReadOnlyList<FailureJson> Failures,
    IReadOnlyList<FenceEventReply> Fencing, IReadOnlyList<RingStatusReply> Rings, IReadOnlyDictionary<string, long> DroppedPackets, string Text);

/// <param name="Healthy">What `hacrm status` exits 0 for: quorate, every node online, nothing failed or stopped that should run.</param>
public sealed record SummaryJson(string Cluster, string ThisNode, string? Dc, bool Quorate, int Votes, int ExpectedVotes, string? CibVersion, string? LastChange,
    int NodesConfigured, int ResourcesConfigured, bool Healthy, long Time);

public sealed record NodeJson(string Name, int Id, string State, bool Standby, bool Maintenance, bool IsDc, int ResourcesRunning, IReadOnlyList<bool> RingsUp, double? SecondsSinceHeard);

/// <param name="Kind">primitive, group, clone or promotable clone.</param>
/// <param name="Role">The highest role any of it has: Stopped, Started, Unpromoted or Promoted.</param>
public sealed record ResourceJson(string Id, string Kind, string? Agent, string Role, bool Managed, bool Failed, IReadOnlyList<ResourceNodeJson> Nodes, IReadOnlyList<ResourceJson>? Children);

public sealed record ResourceNodeJson(string Node, string Role);

public sealed record FailureJson(string Resource, string Node, string Task, long IntervalMs, int Rc, string Result, string? ExitReason, long? LastRcChange);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(StatusDocument))]
public sealed partial class StatusJsonContext : JsonSerializerContext;
