using System.Net;
using System.Text;
using HaCluster.Core.Membership;

using HaCluster.Core.Cib;
using HaCluster.Core.Cib.Syntax;

namespace HaCluster.Core.Import;

/// <summary>
/// Heartbeat's <c>/etc/ha.d</c>: <c>ha.cf</c> (nodes, links, timers, auto_failback, watchdog)
/// into cluster.yaml; <c>authkeys</c> as the cluster key; <c>haresources</c> (one resource group
/// per line, the first word its home node) into groups with a preference for that node that
/// fails back or stays put as auto_failback says.
/// </summary>
public static class HeartbeatImport
{
    /// <summary>A source file and which of Heartbeat's three it is.</summary>
    public enum Kind { HaCf, Authkeys, Haresources }

    public static Kind Classify(string file, string text)
    {
        var name = Path.GetFileName(file);
        if (name == "ha.cf") return Kind.HaCf;
        if (name == "authkeys") return Kind.Authkeys;
        if (name == "haresources") return Kind.Haresources;
        var lines = Meaningful(text).Select(l => l.Text).ToList();
        if (lines.Any(l => l.StartsWith("auth", StringComparison.Ordinal) && l.Length <= 8)) return Kind.Authkeys;
        if (lines.Any(l => HaCfDirectives.Contains(l.Split(' ', '\t')[0]))) return Kind.HaCf;
        return Kind.Haresources;
    }

    private static readonly HashSet<string> HaCfDirectives =
    [
        "node", "ucast", "mcast", "bcast", "udpport", "keepalive", "deadtime", "warntime", "initdead", "auto_failback", "watchdog",
        "crm", "autojoin", "logfacility", "logfile", "debugfile", "use_logd", "debug", "respawn", "ping", "ping_group", "deadping",
        "apiauth", "baud", "serial", "compression", "compression_threshold", "traditional_compression", "realtime", "coredumps",
        "conn_logd_time", "hopfudge", "msgfmt", "pacemaker", "uuidfrom", "max_rexmit_delay", "keepalive_interval",
    ];

    /// <summary>Non-blank, non-comment lines with their numbers; backslash continuations joined.</summary>
    private static IEnumerable<(int Line, string Text)> Meaningful(string text)
    {
        var lines = text.Replace("\r", "").Split('\n');
        var joined = new StringBuilder();
        var start = 0;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            var hash = line.IndexOf('#');
            if (hash >= 0) line = line[..hash];
            if (joined.Length == 0) start = i + 1;
            if (line.TrimEnd().EndsWith('\\'))
            {
                joined.Append(line.TrimEnd()[..^1]).Append(' ');
                continue;
            }
            joined.Append(line);
            var full = joined.ToString().Trim();
            joined.Clear();
            if (full.Length > 0) yield return (start, string.Join(' ', full.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)));
        }
    }

    public static ImportedCluster Translate(IReadOnlyList<(string File, string Text)> files, IReadOnlyDictionary<string, IReadOnlyList<IPAddress>> given)
    {
        var result = new ImportedCluster { ClusterName = "heartbeat" };
        var haCf = files.FirstOrDefault(f => Classify(f.File, f.Text) == Kind.HaCf);
        if (haCf.File is null)
        {
            result.Errors.Add("no ha.cf among the files: it holds the nodes and the links (give /etc/ha.d/ha.cf)");
            return result;
        }
        var settings = ReadHaCf(haCf.File, haCf.Text, given, result);
        foreach (var (file, text) in files.Where(f => f.File != haCf.File))
        {
            if (Classify(file, text) == Kind.Authkeys) ReadAuthkeys(file, text, result);
            else ReadHaresources(file, text, settings, result);
        }
        if (settings.Crm && files.Any(f => Classify(f.File, f.Text) == Kind.Haresources))
            result.NotMapped(haCf.File, settings.CrmLine, "crm respawn with a haresources file: Heartbeat ignores haresources when the CRM runs; it was imported anyway");
        return result;
    }

    private sealed record HaCfSettings(bool AutoFailback, bool Crm, int CrmLine, List<string> Nodes);

    private static HaCfSettings ReadHaCf(string file, string text, IReadOnlyDictionary<string, IReadOnlyList<IPAddress>> given, ImportedCluster result)
    {
        var nodes = new List<string>();
        var udpPort = 694;
        var autoFailback = true;
        var autoFailbackSeen = false;
        var crm = false;
        var crmLine = 0;
        // The links, in order: each becomes a ring; unicast ones list addresses (of every node,
        // the local one included, so that one ha.cf serves all nodes).
        var links = new List<(string Kind, int Line, string? Interface, string? Group, int? Port, int Ttl, List<IPAddress> Addresses)>();
        var timers = new Dictionary<string, TimeSpan>();
        string? logFile = null;
        var debugLog = false;
        foreach (var (line, content) in Meaningful(text))
        {
            var words = content.Split(' ');
            var (key, args) = (words[0], words[1..]);
            switch (key)
            {
                case "node":
                    nodes.AddRange(args);
                    result.Mapped(file, line, $"node {string.Join(" ", args)}: cluster.yaml nodes, CIB node");
                    break;
                case "udpport" when args.Length == 1 && int.TryParse(args[0], out var p):
                    udpPort = p;
                    result.Mapped(file, line, $"udpport {p}: the port of the ucast/bcast rings");
                    break;
                case "ucast" when args.Length == 2 && IPAddress.TryParse(args[1], out var peer):
                    var ring = links.FindIndex(l => l.Kind == "ucast" && l.Interface == args[0]);
                    if (ring < 0) links.Add(("ucast", line, args[0], null, null, 1, [peer]));
                    else links[ring].Addresses.Add(peer);
                    result.Mapped(file, line, $"ucast {args[0]} {peer}: unicast ring on {args[0]}, address {peer}");
                    break;
                case "mcast" when args.Length >= 3 && IPAddress.TryParse(args[1], out var group) && int.TryParse(args[2], out var port):
                    var ttl = args.Length > 3 && int.TryParse(args[3], out var t) ? t : 1;
                    links.Add(("mcast", line, args[0], group.ToString(), port, ttl, []));
                    result.Mapped(file, line, $"mcast {args[0]} {group} {port}: multicast ring {{ group: {group}, port: {port}, ttl: {ttl}, interface: {args[0]} }}");
                    break;
                case "bcast":
                    foreach (var iface in args) links.Add(("bcast", line, iface, null, null, 1, []));
                    result.Mapped(file, line, $"bcast {string.Join(" ", args)}: a unicast ring per interface (HaCluster sends to each peer rather than broadcasting)");
                    break;
                case "keepalive" or "deadtime" or "warntime" or "initdead" when args.Length == 1 && Duration.ParseMillisecondsOrNull(args[0]) is { } ms:
                    // ha.cf times: bare numbers are seconds, "500ms" and "2s" forms too (as Pacemaker reads durations).
                    timers[key] = TimeSpan.FromMilliseconds(ms);
                    result.Mapped(file, line, $"{key} {args[0]}: timers.{key} {Duration.Format(timers[key])}");
                    break;
                case "auto_failback" when args.Length == 1:
                    autoFailbackSeen = true;
                    autoFailback = args[0] is "on" or "yes" or "true" or "1" or "legacy";
                    result.Mapped(file, line, $"auto_failback {args[0]}: haresources groups {(autoFailback ? "return to their home node (stickiness below the preference)" : "stay where they run (stickiness above the preference)")}");
                    break;
                case "watchdog" when args.Length == 1:
                    result.ExtraYaml.Add($"watchdog: {{ device: {args[0]} }}");
                    result.Mapped(file, line, $"watchdog {args[0]}: watchdog.device (haclusterd feeds it while it runs: a hung daemon resets the machine)");
                    break;
                case "crm" or "pacemaker":
                    crm = args.Length == 1 && args[0] is "respawn" or "on" or "yes" or "true";
                    crmLine = line;
                    result.Mapped(file, line, crm ? $"{key} {args[0]}: resources are managed by the CRM: they come from the CIB (import `cibadmin -Q` output, or load the crm configure file)" : $"{key} {string.Join(" ", args)}: haresources mode");
                    break;
                case "autojoin" when args is ["none"]:
                    result.Mapped(file, line, "autojoin none: membership is the node list (HaCluster's only mode)");
                    break;
                case "logfacility" or "use_logd":
                    result.Mapped(file, line, $"{content}: haclusterd logs to the journal, which syslog reads");
                    break;
                case "logfile" or "debugfile" when args.Length == 1:
                    logFile ??= args[0];
                    debugLog |= key == "debugfile";
                    result.Mapped(file, line, $"{content}: logging.file {logFile}{(key == "debugfile" ? ", logging.level debug" : "")} (one file for both)");
                    break;
                case "debug" when args.Length == 1:
                    debugLog |= args[0] != "0";
                    result.Mapped(file, line, $"{content}: logging.level {(args[0] != "0" ? "debug" : "info")}");
                    break;
                case "respawn" or "ping" or "ping_group" or "deadping":
                    result.NotMapped(file, line, $"{content}: use a health check (ocf:pacemaker:ping) and a location rule instead");
                    break;
                default:
                    result.NotMapped(file, line, $"{content}: {(HaCfDirectives.Contains(key) ? "no counterpart (serial links, compression and tuning of Heartbeat's own)" : "not a directive the importer knows")}");
                    break;
            }
        }
        if (!autoFailbackSeen) result.NotMapped(file, 0, "no auto_failback line: Heartbeat's default (legacy) is taken as on");
        foreach (var (name, value) in timers) result.Timers.Add($"{name}: {Duration.Format(value)}");
        if (logFile is not null || debugLog)
            result.ExtraYaml.Add($"logging: {{ level: {(debugLog ? "debug" : "info")}{(logFile is null ? "" : $", file: {logFile}")} }}");
        AddRings(file, links, udpPort, nodes, given, result);
        foreach (var n in nodes) result.Crm.Add($"node {n}");
        if (nodes.Count == 2) { result.TwoNode = true; result.ExpectedVotes = 2; }
        // (With the CRM, the CIB says whether fencing is on.)
        if (!crm)
        {
            result.Crm.Add("property stonith-enabled=false");
            result.NotMapped(file, 0, "Heartbeat v1 has no fencing: stonith-enabled=false; configure a fence device before production");
        }
        return new HaCfSettings(autoFailback, crm, crmLine, nodes);
    }

    private static void AddRings(string file, List<(string Kind, int Line, string? Interface, string? Group, int? Port, int Ttl, List<IPAddress> Addresses)> links,
        int udpPort, List<string> nodes, IReadOnlyDictionary<string, IReadOnlyList<IPAddress>> given, ImportedCluster result)
    {
        if (links.Count == 0) { result.Errors.Add($"{file}: no ucast, mcast or bcast line: the nodes have no way to talk"); return; }
        foreach (var l in links)
            result.Rings.Add(l.Kind == "mcast"
                ? $"- multicast: {{ group: {l.Group}, port: {l.Port}, ttl: {l.Ttl}, interface: {l.Interface} }}"
                : $"- unicast: {{ port: {udpPort}, interface: {l.Interface} }}");
        var id = 0;
        foreach (var node in nodes)
        {
            id++;
            if (given.TryGetValue(node, out var addresses))
            {
                if (addresses.Count != links.Count)
                {
                    result.Errors.Add($"--node {node}: {addresses.Count} address(es) for {links.Count} link(s) in ha.cf: give one per link, in ha.cf's order");
                    continue;
                }
                result.Nodes.Add(new ImportedNode(node, id, addresses));
                continue;
            }
            // A ucast link lists every node's address; Heartbeat does not say whose is whose:
            // taken in the order of the node lines (the report says so).
            var fromLinks = new List<IPAddress>();
            foreach (var l in links)
            {
                if (l.Kind == "ucast" && l.Addresses.Count == nodes.Count) fromLinks.Add(l.Addresses[id - 1]);
                else break;
            }
            if (fromLinks.Count == links.Count)
            {
                result.Nodes.Add(new ImportedNode(node, id, fromLinks));
                result.NotMapped(file, links[0].Line, $"node {node} taken to be {string.Join(", ", fromLinks)} (the ucast addresses in the order of the node lines): check it, or say it with --node {node}=ADDR");
                continue;
            }
            result.Errors.Add($"node {node} has no address for the {string.Join(", ", links.Select(l => $"{l.Kind} {l.Interface}"))} link(s): give it with --node {node}=ADDR{(links.Count > 1 ? "[,ADDR2...]" : "")}");
        }
    }

    private static void ReadAuthkeys(string file, string text, ImportedCluster result)
    {
        try
        {
            ClusterKey.Parse(Encoding.UTF8.GetBytes(text), file);
            result.Key = Encoding.UTF8.GetBytes(text);
            result.KeyNote = $"{Path.GetFileName(file)} as it is (HaCluster reads authkeys: the same secret on every node)";
            foreach (var (line, content) in Meaningful(text))
                result.Mapped(file, line, content.StartsWith("auth", StringComparison.Ordinal) ? $"{content}: the key in use" : $"{content.Split(' ')[0]} {content.Split(' ').ElementAtOrDefault(1)} ...: a key line");
        }
        catch (InvalidDataException e)
        {
            foreach (var (line, _) in Meaningful(text)) result.NotMapped(file, line, $"not usable as a key ({e.Message}): a new random key is written instead");
        }
    }

    /// <summary>
    /// haresources: "NODE RESOURCE..." per line. Resources start in the order listed and stop in
    /// reverse: a group. drbddisk::R is a DRBD resource HaCluster promotes (a promotable clone
    /// the group follows).
    /// </summary>
    private static void ReadHaresources(string file, string text, HaCfSettings settings, ImportedCluster result)
    {
        var index = 0;
        foreach (var (line, content) in Meaningful(text))
        {
            var words = content.Split(' ');
            var home = words[0];
            if (!settings.Nodes.Contains(home)) result.NotMapped(file, line, $"{home} is not a node in ha.cf; the group is still preferred there");
            index++;
            var members = new List<string>();
            var drbd = new List<string>();
            foreach (var spec in words[1..])
            {
                var (id, statement, note, drbdResource) = Resource(spec, home, index);
                if (statement is null) { result.NotMapped(file, line, $"{spec}: {note}"); continue; }
                if (drbdResource is not null) drbd.Add(id);
                else members.Add(id);
                result.Crm.Add(statement);
                result.Mapped(file, line, $"{spec}: {note}");
            }
            var group = members.Count > 1 ? CrmWords.Id($"grp_{home.Split('.')[0]}_{index}") : members.FirstOrDefault();
            if (group is null) continue;
            var gap = 100;
            var stickiness = settings.AutoFailback ? 0 : gap / members.Count + 1;
            if (members.Count > 1) result.Crm.Add($"group {group} {string.Join(" ", members)} \\\n    meta resource-stickiness={stickiness}");
            else result.Crm[^1] += $" \\\n    meta resource-stickiness={stickiness}";
            result.Crm.Add($"location l_{group}_home {group} {gap}: {home}");
            foreach (var ms in drbd)
            {
                result.Crm.Add($"colocation c_{group}_with_{ms} inf: {group} {ms}:Promoted");
                result.Crm.Add($"order o_{ms}_before_{group} Mandatory: {ms}:promote {group}:start");
            }
            result.Mapped(file, line, $"{home}: {(members.Count > 1 ? $"group {group}" : group)} preferred on {home} (100), stickiness {stickiness}" +
                                       (drbd.Count > 0 ? $", after and with the promoted {string.Join(", ", drbd)}" : ""));
        }
    }

    /// <summary>One haresources word: its id, crm statement(s), what it became, and the DRBD resource if it is drbddisk.</summary>
    private static (string Id, string? Statement, string Note, string? Drbd) Resource(string spec, string home, int index)
    {
        var parts = spec.Split("::");
        var (name, args) = (parts[0], parts[1..]);
        // A bare address is IPaddr's shorthand.
        if (parts.Length == 1 && IPAddress.TryParse(name.Split('/')[0], out _)) (name, args) = ("IPaddr", [spec]);
        switch (name)
        {
            case "IPaddr" or "IPaddr2" when args.Length >= 1:
            {
                var fields = args[0].Split('/');
                var id = CrmWords.Id($"ip_{fields[0]}");
                var p = new List<string> { $"ip={fields[0]}" };
                if (fields.Length > 1 && fields[1].Length > 0) p.Add($"cidr_netmask={fields[1]}");
                if (fields.Length > 2 && fields[2].Length > 0) p.Add($"nic={fields[2]}");
                if (fields.Length > 3 && fields[3].Length > 0) p.Add($"broadcast={fields[3]}");
                return (id, $"primitive {id} ocf:heartbeat:IPaddr2 \\\n    params {string.Join(" ", p)} \\\n    op monitor interval=10s", $"primitive {id} ocf:heartbeat:IPaddr2", null);
            }
            case "IPsrcaddr" when args.Length >= 1:
            {
                var id = CrmWords.Id($"srcaddr_{args[0]}");
                return (id, $"primitive {id} ocf:heartbeat:IPsrcaddr \\\n    params ipaddress={args[0]} \\\n    op monitor interval=10s", $"primitive {id} ocf:heartbeat:IPsrcaddr", null);
            }
            case "drbddisk":
            {
                var resource = args.Length > 0 ? args[0] : "all";
                var id = CrmWords.Id($"drbd_{resource}");
                var ms = CrmWords.Id($"ms_drbd_{resource}");
                var statement = $"primitive {id} ocf:linbit:drbd \\\n    params drbd_resource={resource} \\\n    op monitor interval=29s role=Promoted \\\n    op monitor interval=31s role=Unpromoted\n" +
                                $"ms {ms} {id} \\\n    meta promoted-max=1 promoted-node-max=1 clone-max=2 clone-node-max=1 notify=true";
                return (ms, statement, $"DRBD resource {resource}: ms {ms} (ocf:linbit:drbd), promoted where the group runs", resource);
            }
            case "Filesystem" when args.Length >= 2:
            {
                var id = CrmWords.Id($"fs_{args[1].Trim('/').Replace('/', '_')}");
                var p = new List<string> { $"device={args[0]}", $"directory={args[1]}" };
                if (args.Length > 2) p.Add($"fstype={args[2]}");
                if (args.Length > 3) p.Add($"options={CrmText.QuoteValue(args[3])}");
                return (id, $"primitive {id} ocf:heartbeat:Filesystem \\\n    params {string.Join(" ", p)} \\\n    op monitor interval=20s", $"primitive {id} ocf:heartbeat:Filesystem", null);
            }
            case "MailTo" when args.Length >= 1:
            {
                var id = CrmWords.Id($"mailto_{home.Split('.')[0]}_{index}");
                var p = $"email={CrmText.QuoteValue(args[0])}" + (args.Length > 1 ? $" subject={CrmText.QuoteValue(args[1])}" : "");
                return (id, $"primitive {id} ocf:heartbeat:MailTo \\\n    params {p}", $"primitive {id} ocf:heartbeat:MailTo", null);
            }
            case "Delay" when args.Length >= 1:
            {
                var id = CrmWords.Id($"delay_{home.Split('.')[0]}_{index}");
                return (id, $"primitive {id} ocf:heartbeat:Delay \\\n    params startdelay={args[0]}", $"primitive {id} ocf:heartbeat:Delay", null);
            }
            case "LVM" when args.Length >= 1:
            {
                var id = CrmWords.Id($"lvm_{args[0]}");
                return (id, $"primitive {id} ocf:heartbeat:LVM-activate \\\n    params vgname={args[0]} vg_access_mode=system_id \\\n    op monitor interval=30s", $"primitive {id} ocf:heartbeat:LVM-activate", null);
            }
        }
        if (parts.Length == 1)
        {
            // A plain name: an init script (Heartbeat looks in /etc/ha.d/resource.d, then /etc/init.d).
            var id = CrmWords.Id(name);
            return (id, $"primitive {id} lsb:{name} \\\n    op monitor interval=30s",
                $"primitive {id} lsb:{name} (an init script: HaCluster runs it from /etc/init.d; copy scripts kept in /etc/ha.d/resource.d there)", null);
        }
        return ("", null, $"resource.d script {name} with arguments: no known counterpart; configure its agent by hand", null);
    }


}
