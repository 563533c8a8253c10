using System.Globalization;
using System.Net;

using HaCluster.Core.Cib.Syntax;

namespace HaCluster.Core.Import;

/// <summary>
/// keepalived's <c>keepalived.conf</c>: each <c>vrrp_instance</c>'s virtual addresses into IPaddr2
/// resources (a group when there are several) preferred by priority, <c>nopreempt</c> into
/// stickiness, <c>vrrp_script</c> and <c>track_interface</c> into built-in health checks whose
/// weights become location rules, <c>advert_int</c> into timers, <c>smtp_alert</c> and
/// <c>notify_*</c> into alerts. keepalived names no nodes: they come from <c>--node</c>, and with
/// one file per node (in the same order) each node's own priorities.
/// </summary>
public static class KeepalivedImport
{
    /// <summary>One statement: its keyword, arguments, block (when it has one) and line.</summary>
    private sealed record Statement(string Key, List<string> Args, List<Statement>? Block, int Line)
    {
        public Statement? Find(string key) => Block?.LastOrDefault(s => s.Key == key);
        public string? Value(string key) => Find(key)?.Args.FirstOrDefault();
    }

    private sealed record Instance(string Name, Statement Source, string File, Dictionary<string, int> PriorityByNode);

    public static ImportedCluster Translate(IReadOnlyList<(string File, string Text)> files, IReadOnlyList<(string Name, IReadOnlyList<IPAddress> Addresses)> nodes)
    {
        var result = new ImportedCluster { ClusterName = "keepalived" };
        if (nodes.Count == 0)
        {
            result.Errors.Add("keepalived.conf names no nodes: give each with --node NAME=ADDR (in the order of the files when there is one per node)");
            return result;
        }
        if (files.Count > 1 && files.Count != nodes.Count)
        {
            result.Errors.Add($"{files.Count} keepalived.conf files for {nodes.Count} --node(s): give one file for all nodes, or one per node in --node order");
            return result;
        }
        var parsed = new List<(string File, List<Statement> Top)>();
        foreach (var (file, text) in files)
        {
            var top = Parse(text, file, out var problem);
            if (problem is not null) { result.Errors.Add(problem); return result; }
            parsed.Add((file, top));
        }
        for (var i = 0; i < nodes.Count; i++) result.Nodes.Add(new ImportedNode(nodes[i].Name, i + 1, nodes[i].Addresses));
        if (nodes.Count == 2) { result.TwoNode = true; result.ExpectedVotes = 2; }
        result.Crm.AddRange(nodes.Select(n => $"node {n.Name}"));
        result.Crm.Add("property stonith-enabled=false");
        result.NotMapped(files[0].File, 0, "keepalived has no fencing: stonith-enabled=false; configure a fence device before production");

        // The first file describes the instances; every file gives its own node's priorities.
        var (firstFile, first) = parsed[0];
        var scripts = first.Where(s => s.Key == "vrrp_script").ToDictionary(s => s.Args.FirstOrDefault() ?? "", s => s);
        var advert = 1.0;
        var interfaces = new List<string>();
        foreach (var vrrp in first.Where(s => s.Key == "vrrp_instance"))
        {
            var name = vrrp.Args.FirstOrDefault() ?? "vrrp";
            var priorities = new Dictionary<string, int>();
            for (var n = 0; n < nodes.Count; n++)
            {
                var source = parsed.Count == 1 ? vrrp : parsed[n].Top.FirstOrDefault(s => s.Key == "vrrp_instance" && s.Args.FirstOrDefault() == name);
                priorities[nodes[n].Name] = int.TryParse(source?.Value("priority"), out var p) ? p : source?.Value("state") == "MASTER" ? 255 : 100;
            }
            if (double.TryParse(vrrp.Value("advert_int"), NumberStyles.Float, CultureInfo.InvariantCulture, out var a)) advert = a;
            if (vrrp.Value("interface") is { } iface && !interfaces.Contains(iface)) interfaces.Add(iface);
            TranslateInstance(new Instance(name, vrrp, firstFile, priorities), scripts, first, result);
        }
        foreach (var script in scripts.Values) TranslateScript(script, firstFile, result);
        foreach (var s in first.Where(s => s.Key is not ("vrrp_instance" or "vrrp_script")))
            if (s.Key == "global_defs") ReportGlobalDefs(s, firstFile, result);
            else ReportUnsupported(s, firstFile, result, "not a keepalived feature HaCluster has (LVS virtual servers, sync groups)");
        foreach (var (file, _) in parsed.Skip(1)) result.Mapped(file, 0, "this node's priorities");

        // keepalived's master is declared dead after 3 adverts: deadtime; heartbeats five times as often.
        var advertMs = (int)(advert * 1000);
        result.Timers.AddRange([$"keepalive: {Math.Max(50, advertMs / 5)}ms", $"warntime: {advertMs * 2}ms", $"deadtime: {advertMs * 3}ms", "initdead: 10s"]);
        result.Rings.Add($"- unicast: {{ port: 5405{(interfaces.Count > 0 ? $", interface: {interfaces[0]}" : "")} }}");
        for (var i = 1; i < nodes.Min(n => n.Addresses.Count); i++) result.Rings.Add("- unicast: { port: 5405 }");
        result.CoverRemainingLines(firstFile, files[0].Text, line => line is "}" or "{" || line.EndsWith('{'));
        return result;
    }

    private static void TranslateInstance(Instance instance, Dictionary<string, Statement> scripts, List<Statement> top, ImportedCluster result)
    {
        var (name, vrrp, file) = (instance.Name, instance.Source, instance.File);
        var id = CrmWords.Id(name);
        result.Mapped(file, vrrp.Line, $"vrrp_instance {name}: the addresses below move together{(instance.PriorityByNode.Values.Distinct().Count() > 1 ? ", preferred by priority" : "")}");
        var members = new List<string>();
        var defaultDev = vrrp.Value("interface");
        foreach (var vip in vrrp.Find("virtual_ipaddress")?.Block ?? [])
        {
            var address = vip.Key.Split('/');
            if (!IPAddress.TryParse(address[0], out _))
            {
                result.NotMapped(file, vip.Line, $"{vip.Key}: not an address (a placeholder left in the file?)");
                continue;
            }
            var parameters = new List<string> { $"ip={address[0]}" };
            if (address.Length > 1) parameters.Add($"cidr_netmask={address[1]}");
            var dev = vip.Args.SkipWhile(a => a != "dev").Skip(1).FirstOrDefault() ?? defaultDev;
            if (dev is not null) parameters.Add($"nic={dev}");
            if (vip.Args.SkipWhile(a => a != "label").Skip(1).FirstOrDefault() is { } label) parameters.Add($"iflabel={CrmText.QuoteValue(label.Contains(':') ? label[(label.IndexOf(':') + 1)..] : label)}");
            var rid = CrmWords.Id($"vip_{address[0]}");
            result.Crm.Add($"primitive {rid} ocf:heartbeat:IPaddr2 \\\n    params {string.Join(" ", parameters)} \\\n    op monitor interval=5s");
            members.Add(rid);
            result.Mapped(file, vip.Line, $"{string.Join(" ", new[] { vip.Key }.Concat(vip.Args))}: primitive {rid} ocf:heartbeat:IPaddr2");
        }
        if (members.Count == 0)
        {
            result.NotMapped(file, vrrp.Line, $"vrrp_instance {name} has no usable virtual_ipaddress: nothing to run");
            ReportInstanceSettings(vrrp, file, top, id, instance.PriorityByNode, result);
            return;
        }
        var rsc = members.Count > 1 ? id : members[0];
        if (members.Count > 1) result.Crm.Add($"group {id} {string.Join(" ", members)}");
        // Priorities become location scores; the gap between them is what nopreempt must outweigh.
        var priorities = instance.PriorityByNode;
        if (priorities.Values.Distinct().Count() > 1)
            foreach (var (node, priority) in priorities) result.Crm.Add($"location l_{id}_{CrmWords.Id(node)} {rsc} {priority}: {node}");
        var weights = new List<int>();
        foreach (var track in vrrp.Find("track_script")?.Block ?? [])
        {
            var script = track.Key;
            var weight = track.Args.SkipWhile(a => a != "weight").Skip(1).FirstOrDefault() is { } w && int.TryParse(w, out var tw) ? tw
                : scripts.TryGetValue(script, out var s) && int.TryParse(s.Value("weight"), out var sw) ? sw : 0;
            var attribute = CrmWords.Id(script);
            weights.Add(Math.Abs(weight));
            result.Crm.Add(WeightRule($"l_{id}_{attribute}", rsc, attribute, weight));
            result.Mapped(file, track.Line, $"track_script {script}{(weight == 0 ? "" : $" weight {weight}")}: {WeightMeaning(attribute, weight)}");
        }
        foreach (var track in vrrp.Find("track_interface")?.Block ?? [])
        {
            var iface = track.Key;
            var weight = track.Args.SkipWhile(a => a != "weight").Skip(1).FirstOrDefault() is { } w && int.TryParse(w, out var tw) ? tw : 0;
            var check = CrmWords.Id($"link_{iface}");
            if (!result.Crm.Any(l => l.StartsWith($"health_check {check} ", StringComparison.Ordinal)))
                result.Crm.Add($"health_check {check} script=\"/bin/grep -qx up /sys/class/net/{iface}/operstate\" interval=1s fall=1 rise=1");
            weights.Add(Math.Abs(weight));
            result.Crm.Add(WeightRule($"l_{id}_{check}", rsc, check, weight));
            result.Mapped(file, track.Line, $"track_interface {iface}: health check {check} (the link's operstate), {WeightMeaning(check, weight)}");
        }
        var meta = new List<string>();
        var gap = priorities.Values.Max() - priorities.Values.Min() + weights.Sum();
        if (vrrp.Find("nopreempt") is { } nopreempt)
        {
            // The smallest stickiness whose sum over the addresses exceeds the gap.
            var stickiness = (gap + members.Count) / members.Count;
            meta.Add($"resource-stickiness={stickiness}");
            result.Mapped(file, nopreempt.Line, $"nopreempt: stickiness {stickiness} per address, above the priority and weight gap ({gap})");
        }
        else meta.Add("resource-stickiness=0");
        if (members.Count > 1) result.Crm[result.Crm.FindIndex(l => l.StartsWith($"group {id} ", StringComparison.Ordinal))] += " \\\n    meta " + string.Join(" ", meta);
        else result.Crm[result.Crm.FindIndex(l => l.StartsWith($"primitive {rsc} ", StringComparison.Ordinal))] += " \\\n    meta " + string.Join(" ", meta);
        ReportInstanceSettings(vrrp, file, top, id, instance.PriorityByNode, result);
    }

    private static string WeightRule(string id, string rsc, string attribute, int weight) => weight switch
    {
        0 => $"location {id} {rsc} rule -inf: {attribute} eq 0",
        > 0 => $"location {id} {rsc} rule {weight}: {attribute} eq 1",
        _ => $"location {id} {rsc} rule {weight}: {attribute} eq 0",
    };

    private static string WeightMeaning(string attribute, int weight) => weight switch
    {
        0 => $"a node failing {attribute} may not hold the addresses (keepalived's FAULT state)",
        > 0 => $"+{weight} where {attribute} passes",
        _ => $"{weight} where {attribute} fails",
    };

    private static void ReportInstanceSettings(Statement vrrp, string file, List<Statement> top, string id, Dictionary<string, int> priorities, ImportedCluster result)
    {
        foreach (var s in vrrp.Block ?? [])
        {
            switch (s.Key)
            {
                case "virtual_ipaddress" or "track_script" or "track_interface" or "nopreempt":
                    if (s.Block is not null) result.Mapped(file, s.Line, $"{s.Key}: below");
                    break;
                case "state":
                    result.Mapped(file, s.Line, $"state {string.Join(" ", s.Args)}: where it starts is the priorities' call (MASTER/BACKUP is only keepalived's initial state)");
                    break;
                case "priority":
                    result.Mapped(file, s.Line, priorities.Values.Distinct().Count() > 1
                        ? $"priority {string.Join(" ", s.Args)}: location scores ({string.Join(", ", priorities.Select(p => $"{p.Key} {p.Value}"))})"
                        : $"priority {string.Join(" ", s.Args)}: the same on every node, so no node is preferred");
                    break;
                case "interface":
                    result.Mapped(file, s.Line, $"interface {string.Join(" ", s.Args)}: the addresses' nic and the ring's interface");
                    break;
                case "advert_int":
                    result.Mapped(file, s.Line, $"advert_int {string.Join(" ", s.Args)}: timers (deadtime = 3 adverts, as keepalived's master-down interval)");
                    break;
                case "virtual_router_id" or "unicast_src_ip" or "unicast_peer":
                    result.Mapped(file, s.Line, $"{s.Key}: membership runs on the ring in cluster.yaml (the nodes' addresses)");
                    break;
                case "authentication":
                    result.Mapped(file, s.Line, "authentication: every packet is authenticated (HMAC-SHA256) with the cluster key, a new random one");
                    foreach (var inner in s.Block ?? []) result.Mapped(file, inner.Line, $"{inner.Key}: replaced by the cluster key");
                    break;
                case "smtp_alert":
                    var email = top.FirstOrDefault(t => t.Key == "global_defs")?.Find("notification_email")?.Block?.Select(b => b.Key).ToList() ?? [];
                    var from = top.FirstOrDefault(t => t.Key == "global_defs")?.Value("notification_email_from");
                    if (email.Count > 0 && !result.Crm.Any(l => l.StartsWith("alert smtp_alert ", StringComparison.Ordinal)))
                        result.Crm.Add("alert smtp_alert \"/usr/share/pacemaker/alerts/alert_smtp.sh.sample\"" + (from is null ? "" : $" \\\n    attributes email_sender={CrmText.QuoteValue(from)}") +
                                       string.Concat(email.Select(e => $" \\\n    to {CrmText.Quote(e)}")));
                    result.Mapped(file, s.Line, email.Count > 0
                        ? $"smtp_alert: alert smtp_alert to {string.Join(", ", email)} (Pacemaker's alert_smtp sample, by sendmail; haclusterd does not run alert agents yet, issue 25)"
                        : "smtp_alert: no notification_email in global_defs to send to");
                    break;
                case "notify_master" or "notify_backup" or "notify_fault" or "notify" or "notify_stop":
                    var path = HealthScript(s.Args.FirstOrDefault() ?? "");
                    var alertId = CrmWords.Id($"{id}_{s.Key}");
                    result.Crm.Add($"alert {alertId} {CrmText.Quote(path)}");
                    result.NotMapped(file, s.Line, $"{s.Key}: alert {alertId} runs the script on cluster events with CRM_alert_* variables, not keepalived's arguments: adapt it");
                    break;
                default:
                    result.NotMapped(file, s.Line, $"{s.Key} {string.Join(" ", s.Args)}: no counterpart");
                    break;
            }
        }
    }

    private static void TranslateScript(Statement script, string file, ImportedCluster result)
    {
        var name = script.Args.FirstOrDefault() ?? "check";
        var line = script.Value("script") ?? "";
        var parts = new List<string> { $"health_check {CrmWords.Id(name)}", $"script={CrmText.QuoteValue(HealthScript(line))}" };
        if (script.Value("interval") is { } interval) parts.Add($"interval={Seconds(interval)}");
        if (script.Value("timeout") is { } timeout) parts.Add($"timeout={Seconds(timeout)}");
        if (script.Value("fall") is { } fall) parts.Add($"fall={fall}");
        if (script.Value("rise") is { } rise) parts.Add($"rise={rise}");
        result.Crm.Add(string.Join(" ", parts));
        result.Mapped(file, script.Line, $"vrrp_script {name}: health_check {CrmWords.Id(name)} (node attribute {CrmWords.Id(name)}: 1 passing, 0 failing)");
        foreach (var s in script.Block ?? [])
            if (s.Key is "script" or "interval" or "timeout" or "fall" or "rise" or "weight")
                result.Mapped(file, s.Line, $"{s.Key} {string.Join(" ", s.Args)}: {(s.Key == "weight" ? "the location rule's score (see track_script)" : $"the health check's {s.Key}")}");
            else result.NotMapped(file, s.Line, $"{s.Key} {string.Join(" ", s.Args)}: no counterpart (checks run as root)");
    }

    /// <summary>keepalived finds a bare program name on PATH; HaCluster runs an absolute path without a shell: /usr/bin/env does the lookup.</summary>
    private static string HealthScript(string line) => line.TrimStart().StartsWith('/') ? line.Trim() : "/usr/bin/env " + line.Trim();

    private static string Seconds(string value) => value.EndsWith('s') ? value : value + "s";

    /// <summary>global_defs: the notification settings smtp_alert reads; the rest has no counterpart.</summary>
    private static void ReportGlobalDefs(Statement s, string file, ImportedCluster result)
    {
        result.Mapped(file, s.Line, "global_defs: the notification settings are read with smtp_alert");
        foreach (var inner in s.Block ?? [])
        {
            if (inner.Key is "notification_email" or "notification_email_from")
            {
                result.Mapped(file, inner.Line, $"{inner.Key}: smtp_alert's recipients and sender");
                foreach (var address in inner.Block ?? []) result.Mapped(file, address.Line, $"{address.Key}: a recipient");
            }
            else if (inner.Key is "smtp_server" or "smtp_connect_timeout") result.NotMapped(file, inner.Line, $"{inner.Key}: the alert agent uses the local sendmail");
            else ReportUnsupported(inner, file, result, "no counterpart");
        }
    }

    /// <summary>A statement HaCluster has no use for, and everything in it.</summary>
    private static void ReportUnsupported(Statement s, string file, ImportedCluster result, string why)
    {
        result.NotMapped(file, s.Line, $"{s.Key} {string.Join(" ", s.Args)}: {why}".Replace("  ", " "));
        foreach (var inner in s.Block ?? []) ReportUnsupported(inner, file, result, $"part of {s.Key}");
    }

    /// <summary>keepalived.conf's statements: words (quotes group), blocks in braces, comments from '#' or '!'.</summary>
    private static List<Statement> Parse(string text, string file, out string? problem)
    {
        problem = null;
        var root = new List<Statement>();
        var stack = new Stack<List<Statement>>();
        stack.Push(root);
        var lines = text.Replace("\r", "").Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var words = Words(lines[i]);
            while (words.Count > 0)
            {
                if (words[0] == "}")
                {
                    if (stack.Count == 1) { problem = $"{file}:{i + 1}: '}}' closes no block"; return root; }
                    stack.Pop();
                    words.RemoveAt(0);
                    continue;
                }
                var open = words.IndexOf("{");
                var close = words.IndexOf("}");
                var end = open >= 0 && (close < 0 || open < close) ? open : close >= 0 ? close : words.Count;
                var statement = new Statement(words[0], words[1..end], open >= 0 && end == open ? [] : null, i + 1);
                stack.Peek().Add(statement);
                if (statement.Block is not null && stack.Count > Cib.Syntax.InputLimits.MaxBlockDepth)
                {
                    problem = $"{file}:{i + 1}: blocks nested more than {Cib.Syntax.InputLimits.MaxBlockDepth} deep";
                    return root;
                }
                if (statement.Block is not null) stack.Push(statement.Block);
                words = words[(end < words.Count && words[end] == "{" ? end + 1 : end)..];
            }
        }
        if (stack.Count > 1) problem = $"{file}: a block is never closed ('}}' missing)";
        return root;
    }

    private static List<string> Words(string line)
    {
        var hash = line.IndexOfAny(['#', '!']);
        if (hash >= 0 && line[..hash].Count(c => c == '"') % 2 == 0) line = line[..hash];
        return Cib.HealthCheck.Words(line.Replace("{", " { ").Replace("}", " } "));
    }
}
