using System.Globalization;
using System.Xml.Linq;
using HaCluster.Core.Api;
using HaCluster.Core.Cib;
using HaCluster.Core.Policy;
using HaCluster.Core.Status;

namespace HaCluster.Core.Status.Views;

/// <summary>
/// `hacrm status --output-as xml`: the cluster in the layout of `crm_mon --output-as=xml`
/// (pacemaker-result with summary, nodes, resources, failures, fence_history, status), so the
/// XPath that operators' scripts run on crm_mon's output (//resource[@id='vip']/node/@name,
/// //node[@online='false']) works on ours. Only the elements and attributes HaCluster knows are
/// written.
/// </summary>
public static class StatusXml
{
    public static XDocument Build(ClusterConfig config, ClusterStatus status, DateTimeOffset now, ClusterStatusReply? live = null) =>
        Build(Scheduler.CurrentState(config, status, now), now, live);

    /// <summary>The same from what runs where now (a <see cref="Scheduler.CurrentState"/>), for a caller that also judges it.</summary>
    public static XDocument Build(WorkingSet ws, DateTimeOffset now, ClusterStatusReply? live = null)
    {
        var config = ws.Config;
        var status = ws.Status;
        var dc = live?.Dc ?? status.DcUuid;
        var primitives = ws.AllPrimitives().ToList();
        var summary = new XElement("summary",
            new XElement("stack", new XAttribute("type", live?.Stack ?? "HaCluster")),
            new XElement("current_dc", new XAttribute("present", dc is not null ? "true" : "false"),
                dc is null ? null : new XAttribute("name", dc),
                new XAttribute("with_quorum", Bool(live?.Quorate ?? status.HaveQuorum))),
            new XElement("last_update", new XAttribute("time", Time(now))),
            new XElement("nodes_configured", new XAttribute("number", ws.Nodes.Count)),
            new XElement("resources_configured", new XAttribute("number", primitives.Count),
                new XAttribute("disabled", primitives.Count(p => p.Disabled)),
                new XAttribute("blocked", primitives.Count(p => p.Blocked))),
            new XElement("cluster_options",
                new XAttribute("stonith-enabled", Bool(ws.StonithEnabled)),
                new XAttribute("no-quorum-policy", config.Property("no-quorum-policy") ?? "stop"),
                new XAttribute("maintenance-mode", Bool(CibBoolean.IsTrue(config.Property("maintenance-mode"))))));

        var nodes = new XElement("nodes");
        foreach (var n in ws.Nodes)
        {
            // Live, membership is the truth about who is online; offline, the CIB's status section.
            var member = live?.Nodes.FirstOrDefault(m => m.Name == n.Name);
            var online = member is not null ? member.State is "online" or "suspect" : n.Online;
            nodes.Add(new XElement("node",
                new XAttribute("name", n.Name),
                new XAttribute("id", member?.Id.ToString(CultureInfo.InvariantCulture) ?? n.Id),
                new XAttribute("online", Bool(online)),
                new XAttribute("standby", Bool(n.Standby)),
                new XAttribute("maintenance", Bool(n.Maintenance)),
                new XAttribute("unclean", Bool(n.Unclean)),
                new XAttribute("shutdown", Bool(n.Shutdown)),
                new XAttribute("is_dc", Bool(dc == n.Name || dc == n.Id)),
                new XAttribute("resources_running", primitives.Count(p => p.ActiveOn.ContainsKey(n))),
                new XAttribute("type", "member")));
        }

        var resources = new XElement("resources", ws.Resources.Select(Resource));
        var failures = new XElement("failures", ws.FailedOperations.Select(f => new XElement("failure",
            new XAttribute("op_key", $"{f.Resource}_{f.Operation.Task}_{f.Operation.IntervalMs}"),
            new XAttribute("node", f.Node.Name),
            new XAttribute("exitstatus", StatusPrinter.RcName(f.Operation.RcCode)),
            new XAttribute("exitreason", f.Operation.ExitReason ?? ""),
            new XAttribute("exitcode", f.Operation.RcCode),
            new XAttribute("call", f.Operation.CallId),
            new XAttribute("status", f.Operation.OpStatus),
            new XAttribute("last-rc-change", f.Operation.LastRcChange is { } t and > 0 ? Time(DateTimeOffset.FromUnixTimeSeconds(t)) : ""),
            new XAttribute("interval", f.Operation.IntervalMs),
            new XAttribute("task", f.Operation.Task))));
        var fencing = new XElement("fence_history", (live?.FencingHistory ?? []).Reverse().Select(e => new XElement("fence_event",
            new XAttribute("action", e.Action),
            new XAttribute("target", e.Target),
            new XAttribute("client", "haclusterd"),
            new XAttribute("origin", e.Origin),
            new XAttribute("status", e.Ok ? "success" : "failed"),
            new XAttribute("delegate", e.Delegate),
            new XAttribute("device", e.Device),
            new XAttribute("completed", Time(DateTimeOffset.FromUnixTimeSeconds(e.Completed))),
            e.ExitReason is { Length: > 0 } reason ? new XAttribute("exit-reason", reason) : null)));

        return new XDocument(new XElement("pacemaker-result",
            new XAttribute("api-version", "2.25"), new XAttribute("request", "hacrm status --output-as xml"),
            summary, nodes, resources, failures, fencing,
            new XElement("status", new XAttribute("code", "0"), new XAttribute("message", "OK"))));
    }

    private static XElement Resource(SchedResource r) => r switch
    {
        SchedGroup g => new XElement("group", new XAttribute("id", g.Id), new XAttribute("number_resources", g.Members.Count()),
            new XAttribute("managed", Bool(g.Managed)), new XAttribute("disabled", Bool(g.Disabled)), g.Members.Select(Resource)),
        SchedClone c => new XElement("clone", new XAttribute("id", c.Id), new XAttribute("multi_state", Bool(c.Promotable)),
            new XAttribute("unique", Bool(c.GloballyUnique)), new XAttribute("managed", Bool(c.Managed)),
            new XAttribute("disabled", Bool(c.Disabled)),
            new XAttribute("failed", Bool(c.Primitives().Any(p => p.FailedOn.Count > 0))), c.Instances.Select(Resource)),
        SchedPrimitive p => Primitive(p),
        _ => new XElement("resource", new XAttribute("id", r.Id)),
    };

    private static XElement Primitive(SchedPrimitive p)
    {
        var role = Roles.ActiveName(p.ActiveOn.Values);
        var agent = StatusPrinter.AgentName(p.Agent);
        return new XElement("resource",
            new XAttribute("id", p.Id),
            new XAttribute("resource_agent", agent),
            new XAttribute("role", role),
            new XAttribute("target_role", Roles.Name(p.TargetRole)),
            new XAttribute("active", Bool(p.ActiveOn.Count > 0)),
            new XAttribute("orphaned", Bool(p.Orphan)),
            new XAttribute("blocked", Bool(p.Blocked)),
            new XAttribute("managed", Bool(p.Managed)),
            new XAttribute("failed", Bool(p.FailedOn.Count > 0)),
            new XAttribute("nodes_running_on", p.ActiveOn.Count),
            p.ActiveOn.Keys.Select(n => new XElement("node", new XAttribute("name", n.Name), new XAttribute("id", n.Id), new XAttribute("cached", "true"))));
    }

    private static string Bool(bool b) => b ? "true" : "false";

    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("ddd MMM d HH:mm:ss yyyy", CultureInfo.InvariantCulture);
}
