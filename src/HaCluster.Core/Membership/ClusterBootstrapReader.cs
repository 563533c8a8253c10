using System.Globalization;
using System.Net;
using System.Net.Sockets;
using HaCluster.Core.Cib;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace HaCluster.Core.Membership;

/// <summary>
/// Reads and validates cluster.yaml. Every problem is reported as FILE:LINE:COL: message, and a
/// file with any error yields no configuration (the daemon refuses to start rather than guess).
/// </summary>
public static class ClusterBootstrapReader
{
    private static readonly string[] TopKeys = ["cluster_name", "nodes", "rings", "timers", "key_file", "quorum", "state_dir", "socket", "api_max_request", "agents", "watchdog", "logging", "http"];

    public sealed record Result(ClusterBootstrap? Config, IReadOnlyList<Diagnostic> Diagnostics)
    {
        public bool HasErrors => Config is null || Diagnostics.Any(d => d.IsError);
    }

    public static Result ReadFile(string path) => Parse(File.ReadAllText(path), path);

    public static Result Parse(string text, string file = "cluster.yaml")
    {
        var diags = new List<Diagnostic>();
        if (HaCluster.Core.Cib.Syntax.YamlNesting.TooDeep(text) is { } deep)
        {
            diags.Add(Diagnostic.Error($"collections nested more than {HaCluster.Core.Cib.Syntax.YamlNesting.MaxDepth} deep", new SourceLocation(file, deep.Line, deep.Column)));
            return new Result(null, diags);
        }
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            diags.Add(Diagnostic.Error(e.Message.Split('\n')[0], new SourceLocation(file, (int)e.Start.Line, (int)e.Start.Column)));
            return new Result(null, diags);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or IndexOutOfRangeException)
        {
            // YamlDotNet's scanner fails this way on some malformed input (control bytes): a syntax error all the same.
            diags.Add(Diagnostic.Error($"malformed YAML ({e.Message.Split('\n')[0]})", new SourceLocation(file, 1, 1)));
            return new Result(null, diags);
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            diags.Add(Diagnostic.Error("expected a mapping with cluster_name, nodes, rings, ...", new SourceLocation(file, 1, 1)));
            return new Result(null, diags);
        }
        var reader = new Reader(file, diags);
        var config = reader.Read(root);
        return new Result(diags.Any(d => d.IsError) ? null : config, diags);
    }

    private sealed class Reader(string file, List<Diagnostic> diags)
    {
        private SourceLocation At(YamlNode node) => new(file, (int)node.Start.Line, (int)node.Start.Column);
        private void Error(YamlNode node, string message) => diags.Add(Diagnostic.Error(message, At(node)));
        private void Warn(YamlNode node, string message) => diags.Add(Diagnostic.Warning(message, At(node)));

        private static YamlNode? Get(YamlMappingNode map, string key) =>
            map.Children.FirstOrDefault(kv => kv.Key is YamlScalarNode s && s.Value == key).Value;

        private void CheckKeys(YamlMappingNode map, string where, IReadOnlyCollection<string> allowed)
        {
            foreach (var key in map.Children.Keys)
            {
                var name = (key as YamlScalarNode)?.Value ?? "?";
                if (!allowed.Contains(name)) Error(key, $"{where}: unknown key '{name}' (known: {string.Join(", ", allowed)})");
            }
        }

        private string? Scalar(YamlNode? node, string what)
        {
            if (node is null) return null;
            if (node is YamlScalarNode s) return s.Value;
            Error(node, $"{what}: expected a single value");
            return null;
        }

        private int? Int(YamlNode? node, string what, int min, int max)
        {
            var text = Scalar(node, what);
            if (text is null) return null;
            if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max) return v;
            Error(node!, $"{what}: '{text}' is not a whole number from {min} to {max}");
            return null;
        }

        private bool? Bool(YamlNode? node, string what)
        {
            var text = Scalar(node, what);
            if (text is null) return null;
            if (CibBoolean.TryParse(text) is { } b) return b;
            Error(node!, $"{what}: '{text}' is not true or false");
            return null;
        }

        private IPAddress? Address(YamlNode node, string what)
        {
            var text = Scalar(node, what);
            if (text is null) return null;
            if (IPAddress.TryParse(text, out var ip)) return ip;
            Error(node, $"{what}: '{text}' is not an IP address");
            return null;
        }

        private TimeSpan? Time(YamlNode? node, string what)
        {
            var text = Scalar(node, what);
            if (text is null) return null;
            // A bare number is seconds, as in ha.cf.
            if (Duration.ParseMillisecondsOrNull(text) is { } ms && ms > 0) return TimeSpan.FromMilliseconds(ms);
            Error(node!, $"{what}: '{text}' is not a duration (e.g. 200ms, 1s, 2min)");
            return null;
        }

        public ClusterBootstrap? Read(YamlMappingNode root)
        {
            CheckKeys(root, "cluster.yaml", TopKeys);
            var name = Scalar(Get(root, "cluster_name"), "cluster_name");
            if (string.IsNullOrWhiteSpace(name)) Error(Get(root, "cluster_name") ?? root, "cluster_name is required");

            var rings = ReadRings(Get(root, "rings"), root);
            var nodes = ReadNodes(Get(root, "nodes"), root, rings.Count);
            CheckSharedUnicastPorts(rings, nodes, Get(root, "nodes") ?? root);
            var timers = ReadTimers(Get(root, "timers"));
            var quorum = ReadQuorum(Get(root, "quorum"), nodes.Count);
            var config = new ClusterBootstrap
            {
                ClusterName = name ?? "",
                Nodes = nodes,
                Rings = rings,
                Timers = timers,
                Quorum = quorum,
            };
            if (Scalar(Get(root, "key_file"), "key_file") is { } key) config = config with { KeyFile = key };
            if (Scalar(Get(root, "state_dir"), "state_dir") is { } state) config = config with { StateDirectory = state };
            if (Scalar(Get(root, "socket"), "socket") is { } socket) config = config with { Socket = socket };
            if (Get(root, "api_max_request") is { } maxNode && Scalar(maxNode, "api_max_request") is { } maxText)
            {
                if (ByteSize.TryParse(maxText) is { } max && max >= ClusterBootstrap.MinApiRequestBytes && max <= ClusterBootstrap.MaxApiRequestBytes)
                    config = config with { ApiMaxRequestBytes = max };
                else Error(maxNode, $"api_max_request: '{maxText}' is not a size from 64K to 2G (bytes, or with a suffix K, M or G)");
            }
            if (Get(root, "agents") is { } agents)
            {
                if (agents is YamlMappingNode a)
                {
                    CheckKeys(a, "agents", ["ocf_root", "rsctmp", "varrun", "systemctl", "initctl", "fence_agents"]);
                    config = config with
                    {
                        Agents = new AgentSettings(Scalar(Get(a, "ocf_root"), "agents.ocf_root"), Scalar(Get(a, "rsctmp"), "agents.rsctmp"),
                            Scalar(Get(a, "systemctl"), "agents.systemctl"), Scalar(Get(a, "initctl"), "agents.initctl"), Scalar(Get(a, "fence_agents"), "agents.fence_agents"),
                            Scalar(Get(a, "varrun"), "agents.varrun")),
                    };
                }
                else Error(agents, "agents: expected { ocf_root: ..., rsctmp: ..., varrun: ..., systemctl: ..., initctl: ..., fence_agents: ... }");
            }
            if (Get(root, "logging") is { } logging) config = config with { Logging = ReadLogging(logging) };
            if (Get(root, "watchdog") is { } watchdog) config = config with { Watchdog = ReadWatchdog(watchdog) };
            if (Get(root, "http") is { } http) config = config with { Http = ReadHttp(http) };
            return config;
        }

        private HttpSettings? ReadHttp(YamlNode node)
        {
            const string shape = "http: expected { port: 7630, listen: ADDRESS, certificate: PEM, key: PEM, token_file: PATH, read_without_token: false }";
            if (node is not YamlMappingNode map) { Error(node, shape); return null; }
            CheckKeys(map, "http", ["port", "listen", "certificate", "key", "token_file", "read_without_token"]);
            var portNode = Get(map, "port");
            if (portNode is null) { Error(node, "http.port is required (the section turns the HTTP server on)"); return null; }
            if (!int.TryParse(Scalar(portNode, "http.port"), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            {
                Error(portNode, "http.port: expected a port number (1-65535)");
                return null;
            }
            var settings = new HttpSettings(port);
            if (Get(map, "listen") is { } listenNode && Scalar(listenNode, "http.listen") is { } listen)
            {
                if (IPAddress.TryParse(listen, out _)) settings = settings with { Listen = listen };
                else Error(listenNode, $"http.listen: '{listen}' is not an IP address");
            }
            string? AbsolutePath(string key)
            {
                if (Get(map, key) is not { } n || Scalar(n, "http." + key) is not { } path) return null;
                if (Path.IsPathRooted(path)) return path;
                Error(n, $"http.{key}: '{path}' is not an absolute path");
                return null;
            }
            settings = settings with { Certificate = AbsolutePath("certificate"), Key = AbsolutePath("key"), TokenFile = AbsolutePath("token_file") };
            if ((Get(map, "certificate") is null) != (Get(map, "key") is null))
                Error(node, "http: certificate and key go together (TLS needs both)");
            if (Get(map, "read_without_token") is { } openNode)
            {
                var text = Scalar(openNode, "http.read_without_token");
                if (HaCluster.Core.Cib.CibBoolean.TryParse(text) is { } open) settings = settings with { ReadWithoutToken = open };
                else Error(openNode, $"http.read_without_token: '{text}' is not true or false");
            }
            if (settings.TokenFile is null && !settings.ReadWithoutToken && Get(map, "token_file") is null)
                Error(node, "http: token_file is required (or read_without_token: true for a read-only server on a trusted network)");
            return settings;
        }

        private WatchdogSettings ReadWatchdog(YamlNode node)
        {
            if (node is not YamlMappingNode map) { Error(node, "watchdog: expected { device: /dev/watchdog, timeout: 5s, self_fence: [PROGRAM, ARG...] }"); return new(); }
            CheckKeys(map, "watchdog", ["device", "timeout", "self_fence"]);
            var settings = new WatchdogSettings();
            if (Get(map, "device") is { } deviceNode && Scalar(deviceNode, "watchdog.device") is { } device)
            {
                if (Path.IsPathRooted(device)) settings = settings with { Device = device };
                else Error(deviceNode, $"watchdog.device: '{device}' is not an absolute path");
            }
            if (Get(map, "timeout") is { } timeoutNode && Scalar(timeoutNode, "watchdog.timeout") is { } timeoutText)
            {
                if (HaCluster.Core.Cib.Duration.TryParseMilliseconds(timeoutText, out var ms) && ms is >= 1000 and <= 60_000)
                    settings = settings with { Timeout = TimeSpan.FromMilliseconds(ms) };
                else Error(timeoutNode, $"watchdog.timeout: '{timeoutText}' is not a duration from 1s to 60s");
            }
            if (Get(map, "self_fence") is { } fenceNode)
            {
                var argv = fenceNode is YamlSequenceNode seq ? seq.Children.Select(c => Scalar(c, "watchdog.self_fence")).ToList()
                    : [Scalar(fenceNode, "watchdog.self_fence")];
                if (argv.Count > 0 && argv.All(a => a is not null) && Path.IsPathRooted(argv[0]!)) settings = settings with { SelfFence = argv.Select(a => a!).ToList() };
                else Error(fenceNode, "watchdog.self_fence: expected a program's absolute path, or [PROGRAM, ARG...] (run without a shell)");
            }
            return settings;
        }

        private LoggingSettings ReadLogging(YamlNode node)
        {
            if (node is not YamlMappingNode map) { Error(node, "logging: expected { level: debug|info|warning|error, file: /var/log/hacluster/haclusterd.log }"); return new(); }
            CheckKeys(map, "logging", ["level", "file", "format"]);
            var settings = new LoggingSettings();
            if (Get(map, "level") is { } levelNode && Scalar(levelNode, "logging.level") is { } text)
            {
                if (LoggingSettings.ParseLevel(text) is { } level) settings = settings with { Level = level };
                else Error(levelNode, $"logging.level: '{text}' is not one of debug, info, warning, error");
            }
            if (Get(map, "format") is { } formatNode && Scalar(formatNode, "logging.format") is { } format)
            {
                if (format is "text" or "json") settings = settings with { Format = format == "json" ? LogFormat.Json : LogFormat.Text };
                else Error(formatNode, $"logging.format: '{format}' is not text or json");
            }
            if (Get(map, "file") is { } fileNode && Scalar(fileNode, "logging.file") is { } file)
            {
                if (Path.IsPathRooted(file)) settings = settings with { File = file };
                else Error(fileNode, $"logging.file: '{file}' is not an absolute path");
            }
            return settings;
        }

        private List<RingConfig> ReadRings(YamlNode? node, YamlNode parent)
        {
            var rings = new List<RingConfig>();
            if (node is not YamlSequenceNode seq || seq.Children.Count == 0)
            {
                Error(node ?? parent, "rings: at least one ring is required (- multicast: {group, port} or - unicast: {port})");
                return rings;
            }
            var ports = new List<(int Port, RingKind Kind, IPAddress? Group)>();
            foreach (var item in seq.Children)
            {
                if (item is not YamlMappingNode map || map.Children.Count != 1)
                {
                    Error(item, "rings: each ring is '- multicast: {...}' or '- unicast: {...}'");
                    continue;
                }
                var (kindNode, body) = map.Children.First();
                var kind = (kindNode as YamlScalarNode)?.Value;
                if (kind is not ("multicast" or "unicast"))
                {
                    Error(kindNode, $"rings: '{kind}' is not a ring kind (multicast or unicast)");
                    continue;
                }
                if (body is not YamlMappingNode settings)
                {
                    Error(body, $"rings: {kind} needs settings, e.g. {{ port: 5405 }}");
                    continue;
                }
                var allowed = kind == "multicast" ? new[] { "group", "port", "ttl", "interface" } : new[] { "port", "bind", "interface" };
                CheckKeys(settings, $"{kind} ring", allowed);
                var port = Int(Get(settings, "port"), $"{kind} ring port", 1, 65535);
                if (port is null && Get(settings, "port") is null) Error(settings, $"{kind} ring: port is required");
                IPAddress? group = null;
                if (kind == "multicast")
                {
                    if (Get(settings, "group") is { } g)
                    {
                        group = Address(g, "multicast group");
                        if (group is not null && !IsMulticast(group)) { Error(g, $"multicast group: {group} is not a multicast address (224.0.0.0/4 or ff00::/8)"); group = null; }
                    }
                    else Error(settings, "multicast ring: group is required");
                }
                // Rings may share a port (corosync's redundant rings often do: 5405 on two
                // networks) when their sockets cannot take each other's traffic: multicast rings
                // on different groups, or unicast rings (each binds its own network's address;
                // the nodes' addresses are checked below). A multicast and a unicast ring cannot.
                if (port is { } p)
                {
                    var kindOnPort = kind == "multicast" ? RingKind.Multicast : RingKind.Unicast;
                    foreach (var (otherPort, otherKind, otherGroup) in ports.Where(x => x.Port == p))
                    {
                        if (otherKind != kindOnPort)
                            Error(Get(settings, "port")!, $"{kind} ring: port {p} is used by a {otherKind.ToString().ToLowerInvariant()} ring; a multicast and a unicast ring need different ports");
                        else if (group is not null && group.Equals(otherGroup))
                            Error(Get(settings, "port")!, $"multicast ring: group {group} port {p} is used by another ring");
                    }
                    ports.Add((p, kindOnPort, group));
                }
                var ttl = Int(Get(settings, "ttl"), "multicast ttl", 1, 255) ?? 1;
                var bind = Get(settings, "bind") is { } b ? Address(b, $"{kind} ring bind") : null;
                var iface = Scalar(Get(settings, "interface"), $"{kind} ring interface");
                rings.Add(new RingConfig(kind == "multicast" ? RingKind.Multicast : RingKind.Unicast, port ?? 0, group, ttl, bind, iface));
            }
            return rings;
        }

        /// <summary>Unicast rings on one port bind each node's address for the ring: those must differ.</summary>
        private void CheckSharedUnicastPorts(List<RingConfig> rings, List<NodeEntry> nodes, YamlNode at)
        {
            for (var a = 0; a < rings.Count; a++)
                for (var b = a + 1; b < rings.Count; b++)
                {
                    if (rings[a].Kind != RingKind.Unicast || rings[b].Kind != RingKind.Unicast || rings[a].Port != rings[b].Port) continue;
                    foreach (var n in nodes.Where(n => n.Addresses.Count == rings.Count && (rings[a].Bind ?? n.Addresses[a]).Equals(rings[b].Bind ?? n.Addresses[b])))
                        Error(at, $"node {n.Name}: rings {a} and {b} share port {rings[a].Port} and this node's address {n.Addresses[a]}: give them different ports or addresses");
                }
        }

        private static bool IsMulticast(IPAddress ip) =>
            ip.AddressFamily == AddressFamily.InterNetworkV6 ? ip.IsIPv6Multicast : (ip.GetAddressBytes()[0] & 0xF0) == 0xE0;

        private List<NodeEntry> ReadNodes(YamlNode? node, YamlNode parent, int ringCount)
        {
            var nodes = new List<NodeEntry>();
            if (node is not YamlSequenceNode seq || seq.Children.Count == 0)
            {
                Error(node ?? parent, "nodes: at least one node is required (- { name: node1, id: 1, addresses: [10.0.0.1] })");
                return nodes;
            }
            var names = new HashSet<string>();
            var ids = new HashSet<int>();
            var addresses = new HashSet<(int, IPAddress)>();
            foreach (var item in seq.Children)
            {
                if (item is not YamlMappingNode map)
                {
                    Error(item, "nodes: each node is { name: ..., id: ..., addresses: [...] }");
                    continue;
                }
                CheckKeys(map, "node", ["name", "id", "addresses"]);
                var name = Scalar(Get(map, "name"), "node name");
                if (string.IsNullOrWhiteSpace(name)) { Error(map, "node: name is required"); continue; }
                if (!names.Add(name)) Error(Get(map, "name")!, $"node {name}: the name is used twice");
                var id = Int(Get(map, "id"), $"node {name}: id", 1, 65535);
                if (id is null && Get(map, "id") is null) Error(map, $"node {name}: id is required (a number from 1 to 65535, unique)");
                if (id is { } i && !ids.Add(i)) Error(Get(map, "id")!, $"node {name}: id {i} is used by another node");
                var list = new List<IPAddress>();
                if (Get(map, "addresses") is YamlSequenceNode addrSeq)
                {
                    foreach (var a in addrSeq.Children)
                        if (Address(a, $"node {name}: address") is { } ip)
                        {
                            if (!addresses.Add((list.Count, ip))) Error(a, $"node {name}: address {ip} on ring {list.Count} belongs to another node");
                            list.Add(ip);
                        }
                }
                else Error(Get(map, "addresses") ?? map, $"node {name}: addresses is required, one per ring ([10.0.0.1, 10.1.0.1])");
                if (ringCount > 0 && list.Count != ringCount && Get(map, "addresses") is YamlSequenceNode given)
                    Error(given, $"node {name}: {list.Count} address(es) for {ringCount} ring(s): give one address per ring, in ring order");
                nodes.Add(new NodeEntry(name, id ?? 0, list));
            }
            return nodes;
        }

        private MembershipTimers ReadTimers(YamlNode? node)
        {
            var t = MembershipTimers.Default;
            if (node is null) return t;
            if (node is not YamlMappingNode map) { Error(node, "timers: expected { keepalive: 200ms, warntime: 600ms, deadtime: 1s, initdead: 10s }"); return t; }
            CheckKeys(map, "timers", ["keepalive", "warntime", "deadtime", "initdead"]);
            t = new MembershipTimers(
                Time(Get(map, "keepalive"), "timers.keepalive") ?? t.Keepalive,
                Time(Get(map, "warntime"), "timers.warntime") ?? t.Warntime,
                Time(Get(map, "deadtime"), "timers.deadtime") ?? t.Deadtime,
                Time(Get(map, "initdead"), "timers.initdead") ?? t.Initdead);
            if (t.Deadtime <= 2 * t.Keepalive)
                Error(Get(map, "deadtime") ?? map, $"timers: deadtime ({Show(t.Deadtime)}) must exceed 2 x keepalive ({Show(t.Keepalive)}), or one lost heartbeat kills a node");
            if (t.Warntime <= t.Keepalive || t.Warntime >= t.Deadtime)
                Error(Get(map, "warntime") ?? map, $"timers: warntime ({Show(t.Warntime)}) must lie between keepalive ({Show(t.Keepalive)}) and deadtime ({Show(t.Deadtime)})");
            if (t.Initdead < t.Deadtime)
                Error(Get(map, "initdead") ?? map, $"timers: initdead ({Show(t.Initdead)}) must be at least deadtime ({Show(t.Deadtime)})");
            if (t.Keepalive < TimeSpan.FromMilliseconds(10))
                Warn(Get(map, "keepalive") ?? map, $"timers: keepalive {Show(t.Keepalive)} is very short; heartbeats will cost CPU and bandwidth");
            return t;
        }

        private static string Show(TimeSpan t) => Duration.Format(t);

        private QuorumConfig ReadQuorum(YamlNode? node, int nodeCount)
        {
            var defaults = new QuorumConfig(nodeCount, nodeCount == 2, nodeCount == 2);
            if (node is null) return defaults;
            if (node is not YamlMappingNode map) { Error(node, "quorum: expected { expected_votes: N, two_node: true|false, wait_for_all: true|false }"); return defaults; }
            CheckKeys(map, "quorum", ["expected_votes", "two_node", "wait_for_all"]);
            var expected = Int(Get(map, "expected_votes"), "quorum.expected_votes", 1, 65535) ?? nodeCount;
            var twoNode = Bool(Get(map, "two_node"), "quorum.two_node") ?? false;
            // As votequorum: two_node turns wait_for_all on unless it is set explicitly.
            var waitForAll = Bool(Get(map, "wait_for_all"), "quorum.wait_for_all") ?? twoNode;
            // cman's <cman two_node="1" expected_votes="1"/> means the same as corosync's two_node: 1
            // (one vote is enough because there are two nodes): read it that way.
            if (twoNode && expected == 1 && nodeCount == 2) expected = 2;
            if (twoNode && expected != 2)
                Error(Get(map, "two_node")!, $"quorum.two_node needs exactly 2 expected votes (expected_votes is {expected})");
            if (expected < nodeCount)
                Warn(Get(map, "expected_votes") ?? map, $"quorum.expected_votes ({expected}) is less than the {nodeCount} nodes listed: two partitions could both be quorate");
            return new QuorumConfig(expected, twoNode, waitForAll);
        }
    }
}
