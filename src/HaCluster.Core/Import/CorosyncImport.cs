using System.Net;
using System.Net.Sockets;
using HaCluster.Core.Cib;
using HaCluster.Core.Membership;

namespace HaCluster.Core.Import;

/// <summary>
/// Corosync's <c>corosync.conf</c> (1.x with the Pacemaker plugin, 2.x/3.x with votequorum):
/// totem's interfaces (or links) into rings, its token timeout into HaCluster's timers, the
/// nodelist into nodes, the quorum section into quorum; with <c>secauth</c> the corosync
/// authkey (when given) becomes the cluster key. Resources live in the CIB: a Pacemaker CIB is
/// imported on its own (<c>--from pacemaker</c>).
/// </summary>
public static class CorosyncImport
{
    /// <summary>One <c>name { ... }</c> section: its settings and subsections, with line numbers.</summary>
    private sealed class Section(string name, int line)
    {
        public string Name { get; } = name;
        public int Line { get; } = line;
        public List<(string Key, string Value, int Line)> Settings { get; } = [];
        public List<Section> Children { get; } = [];
        public string? Get(string key) => Settings.LastOrDefault(s => s.Key == key).Value;
        public int LineOf(string key) => Settings.LastOrDefault(s => s.Key == key).Line;
        public IEnumerable<Section> All(string name) => Children.Where(c => c.Name == name);
    }

    /// <summary>Whether a file is a corosync authkey (binary) rather than corosync.conf.</summary>
    public static bool IsAuthkey(byte[] content) => content.Any(b => b < 0x09 || b is > 0x0d and < 0x20);

    public static ImportedCluster Translate(string text, string file, byte[]? authkey, string? authkeyFile,
        IReadOnlyDictionary<string, IReadOnlyList<IPAddress>> given)
    {
        var root = Parse(text, file, out var problem);
        var totem = root.All("totem").LastOrDefault();
        var result = new ImportedCluster { ClusterName = totem?.Get("cluster_name") ?? "corosync" };
        if (problem is not null) { result.Errors.Add(problem); return result; }
        if (totem is null) { result.Errors.Add($"{file}: no totem section: not a corosync.conf"); return result; }
        result.Mapped(file, totem.Line, "totem: rings and timers");
        if (totem.Get("cluster_name") is { } name) result.Mapped(file, totem.LineOf("cluster_name"), $"cluster_name {name}: cluster_name");

        var rings = ReadInterfaces(totem, root, file, result);
        ReadTimers(totem, file, result);
        ReadKey(totem, file, authkey, authkeyFile, result);
        ReadNodes(root, file, rings, given, result);
        ReadQuorum(root, file, result);
        foreach (var (key, _, line) in totem.Settings.Where(s => s.Key is "version" or "vsftype" or "threads" or "rrp_mode" or "link_mode" or "transport" or "ip_version" or "netmtu" or "nodeid" or "join" or "max_messages" or "send_join" or "window_size" or "fail_recv_const" or "downcheck" or "merge" or "seqno_unchanged_const" or "clear_node_high_bit"))
        {
            if (key is "rrp_mode" or "link_mode") result.Mapped(file, line, $"{key} {totem.Get(key)}: heartbeats always go on every ring (active)");
            else if (key == "transport") result.Mapped(file, line, $"transport {totem.Get(key)}: {(totem.Get(key) is "udpu" or "knet" ? "unicast rings" : "multicast rings where a group is given")}");
            else if (key == "version") result.Mapped(file, line, "version: (syntax)");
            else result.NotMapped(file, line, $"{key}: totem tuning with no counterpart in HaCluster's heartbeat membership");
        }
        foreach (var section in root.Children.Where(s => s.Name is not ("nodelist" or "quorum" or "totem" or "logging")))
            ReportOther(section, file, result);
        foreach (var logging in root.All("logging")) ReadLogging(logging, file, result);
        result.Crm.AddRange(result.Nodes.Select(n => $"node {n.Name}"));
        result.CoverRemainingLines(file, text, line => line.TrimEnd().EndsWith('{') || line.Trim() == "}");
        return result;
    }

    /// <summary>logging: the journal takes syslog's and stderr's place; debug and logfile carry over.</summary>
    private static void ReadLogging(Section logging, string file, ImportedCluster result)
    {
        result.Mapped(file, logging.Line, "logging: cluster.yaml logging");
        var debug = logging.Get("debug") is "on" or "yes" or "trace";
        var logfile = logging.Get("to_logfile") is "yes" or "on" ? logging.Get("logfile") : null;
        foreach (var (key, value, line) in logging.Settings)
        {
            string? mapped = key switch
            {
                "to_syslog" or "syslog_facility" or "syslog_priority" => "haclusterd logs to the journal, which syslog reads",
                "to_stderr" => "haclusterd writes to stdout, which systemd hands to the journal",
                "debug" => $"logging.level {(debug ? "debug" : "info")}",
                "to_logfile" => logfile is null ? "no log file besides the journal" : "logging.file",
                "logfile" => logfile is null ? "unused (to_logfile is off)" : $"logging.file {logfile}",
                "timestamp" => "every journal entry is timestamped",
                _ => null,
            };
            if (mapped is null) result.NotMapped(file, line, $"{key}: {value}: no counterpart (one log, one level)");
            else result.Mapped(file, line, $"{key}: {value}: {mapped}");
        }
        foreach (var sub in logging.Children)
        {
            result.NotMapped(file, sub.Line, $"{sub.Name}: per-subsystem logging: haclusterd has one level");
            foreach (var (key, value, line) in sub.Settings) result.NotMapped(file, line, $"{key}: {value} (part of {sub.Name})");
        }
        if (debug || logfile is not null)
            result.ExtraYaml.Add($"logging: {{ level: {(debug ? "debug" : "info")}{(logfile is null ? "" : $", file: {logfile}")} }}");
    }

    /// <summary>A section HaCluster has no use for: it and every line in it, with why.</summary>
    private static void ReportOther(Section section, string file, ImportedCluster result)
    {
        var (mapped, why) = section.Name switch
        {
            "service" when section.Get("name") == "pacemaker" =>
                (true, "Pacemaker as corosync's service: HaCluster is the resource manager (resources come from the CIB: import `cibadmin -Q` output with --from pacemaker)"),
            "amf" or "aisexec" or "resources" or "system" => (false, "corosync's own process settings, not needed"),
            _ => (false, "not a section the importer knows"),
        };
        void Report(Section s)
        {
            if (mapped) result.Mapped(file, s.Line, $"{s.Name}: {why}");
            else result.NotMapped(file, s.Line, $"{s.Name}: {why}");
            foreach (var (key, value, line) in s.Settings)
                if (mapped) result.Mapped(file, line, $"{key}: {value} (part of {section.Name})");
                else result.NotMapped(file, line, $"{key}: {value} (part of {section.Name})");
            foreach (var child in s.Children) Report(child);
        }
        Report(section);
    }

    private sealed record Ring(bool Multicast, IPAddress? Group, int Port, IPAddress? Network, int Number);

    private static List<Ring> ReadInterfaces(Section totem, Section root, string file, ImportedCluster result)
    {
        var transport = totem.Get("transport") ?? "udp";
        var rings = new List<Ring>();
        foreach (var i in totem.All("interface"))
        {
            var number = int.TryParse(i.Get("ringnumber") ?? i.Get("linknumber"), out var n) ? n : rings.Count;
            var port = int.TryParse(i.Get("mcastport"), out var p) ? p : 5405;
            var group = IPAddress.TryParse(i.Get("mcastaddr") ?? "", out var g) ? g : null;
            var network = IPAddress.TryParse(i.Get("bindnetaddr") ?? "", out var b) ? b : null;
            var multicast = group is not null && transport == "udp";
            rings.Add(new Ring(multicast, group, port, network, number));
            result.Mapped(file, i.Line, $"interface {number}: ring {rings.Count - 1}, " + (multicast ? $"multicast {{ group: {group}, port: {port} }}" : $"unicast {{ port: {port} }}"));
            foreach (var (key, value, line) in i.Settings)
            {
                var what = key switch
                {
                    "ringnumber" or "linknumber" => "the ring's number (rings are in this order)",
                    "bindnetaddr" => $"each node's address for this ring is on {value} (--node or the nodelist)",
                    "mcastaddr" => multicast ? "the ring's group" : "no multicast with this transport",
                    "mcastport" => "the ring's port (several rings may share it)",
                    "ttl" => "multicast ttl",
                    _ => null,
                };
                if (what is null) result.NotMapped(file, line, $"{key}: no counterpart");
                else result.Mapped(file, line, $"{key} {value}: {what}");
            }
        }
        // Corosync 2+ with a nodelist and no interface sections: one unicast ring per ringX_addr.
        if (rings.Count == 0)
        {
            var links = root.All("nodelist").SelectMany(l => l.All("node"))
                .Select(n => n.Settings.Count(x => x.Key.StartsWith("ring", StringComparison.Ordinal) && x.Key.EndsWith("_addr", StringComparison.Ordinal)))
                .DefaultIfEmpty(1).Max();
            for (var i = 0; i < Math.Max(1, links); i++) rings.Add(new Ring(false, null, 5405, null, i));
        }
        rings = rings.OrderBy(r => r.Number).ToList();
        foreach (var r in rings)
            result.Rings.Add(r.Multicast ? $"- multicast: {{ group: {r.Group}, port: {r.Port} }}" : $"- unicast: {{ port: {r.Port} }}");
        return rings;
    }

    /// <summary>
    /// Corosync declares a node lost when the token has not come back within <c>token</c> ms:
    /// that is deadtime. Heartbeats go out often enough for that many retransmits to fit.
    /// </summary>
    private static void ReadTimers(Section totem, string file, ImportedCluster result)
    {
        if (!int.TryParse(totem.Get("token"), out var token)) return;
        var retransmits = int.TryParse(totem.Get("token_retransmits_before_loss_const"), out var r) ? r : 4;
        var deadtime = TimeSpan.FromMilliseconds(token);
        var keepalive = TimeSpan.FromMilliseconds(Math.Max(50, token / (retransmits + 1) / 10 * 10));
        var warntime = TimeSpan.FromMilliseconds(Math.Max(keepalive.TotalMilliseconds * 1.5, token / 2.0));
        var initdead = deadtime > TimeSpan.FromSeconds(10) ? deadtime : TimeSpan.FromSeconds(10);
        result.Timers.AddRange([$"keepalive: {Duration.Format(keepalive)}", $"warntime: {Duration.Format(warntime)}", $"deadtime: {Duration.Format(deadtime)}", $"initdead: {Duration.Format(initdead)}"]);
        result.Mapped(file, totem.LineOf("token"), $"token {token}: timers.deadtime {Duration.Format(deadtime)} (HaCluster's default, 600ms, is why it fails over in under a second)");
        if (totem.Get("token_retransmits_before_loss_const") is not null)
            result.Mapped(file, totem.LineOf("token_retransmits_before_loss_const"), $"token_retransmits_before_loss_const {retransmits}: timers.keepalive {Duration.Format(keepalive)} ({retransmits + 1} heartbeats per deadtime)");
        if (totem.Get("consensus") is { } consensus)
            result.NotMapped(file, totem.LineOf("consensus"), $"consensus {consensus}: HaCluster agrees on a view within one keepalive after deadtime");
    }

    private static void ReadKey(Section totem, string file, byte[]? authkey, string? authkeyFile, ImportedCluster result)
    {
        var secauth = totem.Get("secauth") is "on" or "yes" || totem.Get("crypto_cipher") is { } c && c != "none";
        foreach (var key in new[] { "secauth", "crypto_cipher", "crypto_hash", "keyfile" })
            if (totem.Get(key) is { } value)
                result.Mapped(file, totem.LineOf(key), $"{key} {value}: every HaCluster packet is authenticated (HMAC-SHA256) with the cluster key, always");
        if (authkey is not null)
        {
            try
            {
                ClusterKey.Parse(authkey, authkeyFile ?? "authkey");
                result.Key = authkey;
                result.KeyNote = $"corosync's {Path.GetFileName(authkeyFile)} as it is";
            }
            catch (InvalidDataException e) { result.NotMapped(authkeyFile ?? "authkey", 0, $"not usable as a key ({e.Message}): a new random key is written"); }
        }
        else if (secauth) result.KeyNote = "a new random key (corosync's authkey was not given: pass /etc/corosync/authkey to keep it)";
    }

    private static void ReadNodes(Section root, string file, List<Ring> rings, IReadOnlyDictionary<string, IReadOnlyList<IPAddress>> given, ImportedCluster result)
    {
        var listed = root.All("nodelist").SelectMany(l => l.All("node")).ToList();
        var id = 0;
        if (listed.Count > 0)
        {
            foreach (var node in listed)
            {
                id++;
                var addresses = Enumerable.Range(0, rings.Count)
                    .Select(i => node.Get($"ring{i}_addr") ?? (i == 0 ? node.Get("ring0_addr") : null))
                    .Select(a => IPAddress.TryParse(a ?? "", out var ip) ? ip : null).ToList();
                var name = node.Get("name") ?? node.Get("ring0_addr") ?? $"node{id}";
                var nodeId = int.TryParse(node.Get("nodeid"), out var n) ? n : id;
                if (given.TryGetValue(name, out var over)) addresses = over.Select(a => (IPAddress?)a).ToList();
                if (addresses.Count != rings.Count || addresses.Any(a => a is null))
                {
                    result.Errors.Add($"{file}:{node.Line}: node {name} needs an address on each of the {rings.Count} ring(s) (ringX_addr, or --node {name}=ADDR[,ADDR2])");
                    continue;
                }
                result.Nodes.Add(new ImportedNode(name, nodeId, addresses!));
                result.Mapped(file, node.Line, $"node {name} (id {nodeId}, {string.Join(", ", addresses)}): cluster.yaml nodes, CIB node");
            }
            foreach (var l in root.All("nodelist")) result.Mapped(file, l.Line, "nodelist: the nodes");
            return;
        }
        // Corosync 1.x finds its peers on the network: the nodes come from --node.
        if (given.Count == 0)
        {
            result.Errors.Add($"{file}: no nodelist (corosync finds its peers by multicast): name the nodes with --node NAME=ADDR{(rings.Count > 1 ? ",ADDR2" : "")}, one per node");
            return;
        }
        foreach (var (name, addresses) in given)
        {
            id++;
            if (addresses.Count != rings.Count)
            {
                result.Errors.Add($"--node {name}: {addresses.Count} address(es) for {rings.Count} ring(s): give one per interface, in ringnumber order");
                continue;
            }
            for (var i = 0; i < rings.Count; i++)
                if (rings[i].Network is { } network && !SameNetwork(addresses[i], network))
                    result.NotMapped(file, 0, $"--node {name}: {addresses[i]} does not look like it is on ring {i}'s network {network} (bindnetaddr)");
            result.Nodes.Add(new ImportedNode(name, id, addresses));
        }
    }

    /// <summary>bindnetaddr is a network address: an address is on it when it agrees up to the network's trailing zero bytes.</summary>
    private static bool SameNetwork(IPAddress address, IPAddress network)
    {
        if (address.AddressFamily != network.AddressFamily) return false;
        var a = address.GetAddressBytes();
        var n = network.GetAddressBytes();
        var significant = n.Length;
        while (significant > 0 && n[significant - 1] == 0) significant--;
        return a.Take(significant).SequenceEqual(n.Take(significant)) || network.AddressFamily != AddressFamily.InterNetwork;
    }

    private static void ReadQuorum(Section root, string file, ImportedCluster result)
    {
        var quorum = root.All("quorum").LastOrDefault();
        if (quorum is null)
        {
            if (result.Nodes.Count == 2) { result.TwoNode = true; result.ExpectedVotes = 2; }
            return;
        }
        result.Mapped(file, quorum.Line, "quorum: quorum");
        foreach (var (key, value, line) in quorum.Settings)
        {
            switch (key)
            {
                case "provider":
                    result.Mapped(file, line, $"provider {value}: HaCluster's quorum is votequorum's (a majority of expected votes)");
                    break;
                case "two_node":
                    result.TwoNode = value == "1";
                    if (result.TwoNode) result.ExpectedVotes = 2;
                    result.Mapped(file, line, $"two_node {value}: quorum.two_node");
                    break;
                case "expected_votes" when int.TryParse(value, out var votes):
                    if (!result.TwoNode) result.ExpectedVotes = votes;
                    result.Mapped(file, line, $"expected_votes {votes}: quorum.expected_votes");
                    break;
                case "wait_for_all":
                    result.WaitForAll = value == "1";
                    result.Mapped(file, line, $"wait_for_all {value}: quorum.wait_for_all");
                    break;
                default:
                    result.NotMapped(file, line, $"{key}: no counterpart (last_man_standing, auto_tie_breaker and qdevice are not built)");
                    break;
            }
        }
    }

    /// <summary>Reads corosync.conf's nested sections; a brace out of place is an error with its line.</summary>
    private static Section Parse(string text, string file, out string? problem)
    {
        problem = null;
        var root = new Section("", 0);
        var stack = new Stack<Section>();
        stack.Push(root);
        var lines = text.Replace("\r", "").Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            var hash = line.IndexOf('#');
            if (hash >= 0) line = line[..hash];
            line = line.Trim();
            while (line.Length > 0)
            {
                if (line.StartsWith('}'))
                {
                    if (stack.Count == 1) { problem = $"{file}:{i + 1}: '}}' closes no section"; return root; }
                    stack.Pop();
                    line = line[1..].Trim();
                    continue;
                }
                var brace = line.IndexOf('{');
                var colon = line.IndexOf(':');
                if (brace > 0 && (colon < 0 || brace < colon))
                {
                    if (stack.Count > Cib.Syntax.InputLimits.MaxBlockDepth) { problem = $"{file}:{i + 1}: sections nested more than {Cib.Syntax.InputLimits.MaxBlockDepth} deep"; return root; }
                    var section = new Section(line[..brace].Trim(), i + 1);
                    stack.Peek().Children.Add(section);
                    stack.Push(section);
                    line = line[(brace + 1)..].Trim();
                    continue;
                }
                if (colon > 0)
                {
                    var end = line.IndexOf('}');
                    var value = (end > colon ? line[(colon + 1)..end] : line[(colon + 1)..]).Trim();
                    stack.Peek().Settings.Add((line[..colon].Trim(), value, i + 1));
                    line = end > colon ? line[end..] : "";
                    continue;
                }
                problem = $"{file}:{i + 1}: expected 'key: value', 'section {{' or '}}', found '{line}'";
                return root;
            }
        }
        if (stack.Count > 1) problem = $"{file}:{stack.Peek().Line}: section '{stack.Peek().Name}' is never closed";
        return root;
    }
}
