using System.Net;
using System.Xml;
using System.Xml.Linq;

using HaCluster.Core.Cib.Syntax;

namespace HaCluster.Core.Import;

/// <summary>
/// Red Hat Cluster Suite's <c>/etc/cluster/cluster.conf</c> (cman + rgmanager) into HaCluster:
/// <c>clusternodes</c> and <c>cman</c> into cluster.yaml; fence devices with each node's fence
/// methods into stonith primitives (pcmk_host_map, fencing levels); failover domains into
/// location preferences; each service into a group of its resources in rgmanager's start order
/// (a parent before its children), with recovery, autostart and nofailback carried over.
/// </summary>
public static class RgmanagerImport
{
    /// <summary>rgmanager's resource types and the agent each becomes, with how attributes map.</summary>
    private static readonly Dictionary<string, (string Agent, Dictionary<string, string> Params)> Agents = new()
    {
        ["ip"] = ("ocf:heartbeat:IPaddr2", new() { ["address"] = "ip" }),
        ["fs"] = ("ocf:heartbeat:Filesystem", new() { ["device"] = "device", ["mountpoint"] = "directory", ["fstype"] = "fstype", ["options"] = "options" }),
        ["clusterfs"] = ("ocf:heartbeat:Filesystem", new() { ["device"] = "device", ["mountpoint"] = "directory", ["fstype"] = "fstype", ["options"] = "options" }),
        ["netfs"] = ("ocf:heartbeat:Filesystem", new() { ["host"] = "", ["export"] = "", ["mountpoint"] = "directory", ["fstype"] = "fstype", ["options"] = "options" }),
        ["nfsclient"] = ("ocf:heartbeat:exportfs", new() { ["target"] = "clientspec", ["options"] = "options" }),
        ["mysql"] = ("ocf:heartbeat:mysql", new() { ["config_file"] = "config", ["listen_address"] = "", ["mysqld_options"] = "additional_parameters" }),
        ["apache"] = ("ocf:heartbeat:apache", new() { ["config_file"] = "configfile", ["httpd_options"] = "options" }),
        ["postgres-8"] = ("ocf:heartbeat:pgsql", new() { ["config_file"] = "config", ["postmaster_user"] = "pgdba" }),
        ["vm"] = ("ocf:heartbeat:VirtualDomain", new() { ["path"] = "", ["hypervisor_uri"] = "hypervisor" }),
        ["lvm"] = ("ocf:heartbeat:LVM-activate", new() { ["vg_name"] = "vgname", ["lv_name"] = "lvname" }),
    };

    /// <summary>Attributes of rgmanager's that have no counterpart, with why.</summary>
    private static readonly Dictionary<string, string> Ignored = new()
    {
        ["sleeptime"] = "HaCluster's IPaddr2 announces the address at once",
        ["monitor_link"] = "IPaddr2 checks the link by itself",
        ["force_unmount"] = "Filesystem always kills processes holding the mount on stop (force_unmount=true is its default)",
        ["self_fence"] = "use on-fail=fence on the stop operation if wanted",
        ["__independent_subtree"] = "a failed child restarts the whole group in HaCluster",
    };

    public static ImportedCluster Translate(string text, string file, IReadOnlyDictionary<string, IReadOnlyList<IPAddress>> given)
    {
        XDocument doc;
        try
        {
            // Read as the CIB's XML is: no DTD fetched, nothing deeper than InputLimits.MaxXmlDepth.
            using var xml = new DepthLimitedXmlReader(XmlReader.Create(new StringReader(text),
                new XmlReaderSettings { DtdProcessing = DtdProcessing.Parse, XmlResolver = null, MaxCharactersFromEntities = 10_000_000 }));
            doc = XDocument.Load(xml, LoadOptions.SetLineInfo);
        }
        catch (XmlException e)
        {
            var failed = new ImportedCluster { ClusterName = "cluster" };
            failed.Errors.Add($"{file}:{e.LineNumber}:{e.LinePosition}: not well-formed XML: {e.Message.Split(" Line ")[0]}");
            return failed;
        }
        var root = doc.Root!;
        var result = new ImportedCluster { ClusterName = (string?)root.Attribute("name") ?? "cluster" };
        if (root.Name.LocalName != "cluster")
        {
            result.Errors.Add($"{file}:{Line(root)}: expected <cluster> (cluster.conf), found <{root.Name.LocalName}>");
            return result;
        }
        result.Mapped(file, Line(root), $"cluster {result.ClusterName}: cluster_name");

        ReadNodes(root, file, given, result);
        ReadCman(root, file, result);
        ReadFencing(root, file, result);
        ReadServices(root, file, result);
        foreach (var other in root.Elements().Where(e => e.Name.LocalName is "fence_daemon" or "totem" or "logging" or "dlm" or "gfs_controld"))
            result.NotMapped(file, Line(other), $"<{other.Name.LocalName}>: cman's daemons' tuning; HaCluster's own defaults apply (timers in cluster.yaml)");
        result.CoverRemainingLines(file, text, line => Structure.IsMatch(line));
        return result;
    }

    private static void ReadNodes(XElement root, string file, IReadOnlyDictionary<string, IReadOnlyList<IPAddress>> given, ImportedCluster result)
    {
        var nodes = root.Element("clusternodes")?.Elements("clusternode").ToList() ?? [];
        if (nodes.Count == 0) { result.Errors.Add($"{file}:{Line(root)}: no <clusternodes>: there is no cluster to import"); return; }
        var nextId = 1;
        foreach (var n in nodes)
        {
            var name = (string?)n.Attribute("name");
            if (string.IsNullOrEmpty(name)) { result.Errors.Add($"{file}:{Line(n)}: <clusternode> without a name"); continue; }
            var id = int.TryParse((string?)n.Attribute("nodeid"), out var i) ? i : nextId;
            nextId = Math.Max(nextId, id) + 1;
            // cman finds a node's address by resolving its name; HaCluster needs it written down.
            if (!given.TryGetValue(name, out var addresses))
            {
                result.Errors.Add($"{file}:{Line(n)}: node {name} has no address in cluster.conf (cman resolves the name): give it with --node {name}=ADDRESS");
                continue;
            }
            result.Nodes.Add(new ImportedNode(name, id, addresses));
            result.Crm.Add($"node {name}");
            result.Mapped(file, Line(n), $"node {name} (id {id}, {string.Join(", ", addresses)}): cluster.yaml nodes, CIB node");
            if (n.Attribute("votes") is { } votes && votes.Value != "1")
                result.NotMapped(file, Line(n), $"votes=\"{votes.Value}\": every node has one vote in HaCluster");
        }
    }

    private static void ReadCman(XElement root, string file, ImportedCluster result)
    {
        var rings = result.Nodes.Count == 0 ? 1 : result.Nodes.Min(n => n.Addresses.Count);
        var cman = root.Element("cman");
        var multicast = cman?.Element("multicast")?.Attribute("addr")?.Value;
        var port = int.TryParse((string?)cman?.Attribute("port"), out var p) ? p : 5405;
        // cman's default transport is multicast on a group derived from the cluster id; the
        // group is given here when cluster.conf names one, else unicast (udpu) to each node.
        if (multicast is not null) result.Rings.Add($"- multicast: {{ group: {multicast}, port: {port} }}");
        else result.Rings.Add($"- unicast: {{ port: {port} }}");
        for (var extra = 1; extra < rings; extra++) result.Rings.Add($"- unicast: {{ port: {port} }}");
        if (cman is null) return;
        if (cman.Attribute("two_node")?.Value == "1")
        {
            result.TwoNode = true;
            result.ExpectedVotes = 2;
        }
        else if (int.TryParse((string?)cman.Attribute("expected_votes"), out var votes)) result.ExpectedVotes = votes;
        result.Mapped(file, Line(cman), $"cman: quorum {{ {(result.TwoNode ? "two_node: true" : $"expected_votes: {result.ExpectedVotes}")} }}, {result.Rings[0].TrimStart('-', ' ')}");
    }

    private static void ReadFencing(XElement root, string file, ImportedCluster result)
    {
        var devices = root.Element("fencedevices")?.Elements("fencedevice").ToList() ?? [];
        // Which port of which device fences each node, per method (a method is a fencing level).
        var ports = new Dictionary<string, List<(string Node, string? Port)>>();
        var levels = new List<string>();
        foreach (var n in root.Element("clusternodes")?.Elements("clusternode") ?? [])
        {
            var name = (string)n.Attribute("name")!;
            var level = 0;
            foreach (var method in n.Element("fence")?.Elements("method") ?? [])
            {
                level++;
                var used = new List<string>();
                foreach (var device in method.Elements("device"))
                {
                    var deviceName = (string?)device.Attribute("name") ?? "";
                    var port = (string?)device.Attribute("port") ?? (string?)device.Attribute("domain") ?? (string?)device.Attribute("plug");
                    if (!ports.TryGetValue(deviceName, out var list)) ports[deviceName] = list = [];
                    list.Add((name, port));
                    used.Add(StonithId(deviceName));
                    result.Mapped(file, Line(device), $"node {name} fenced by {deviceName}{(port is null ? "" : $" port {port}")}: pcmk_host_map of {StonithId(deviceName)}, level {level}");
                }
                if (used.Count > 0) levels.Add($"{name}: {string.Join(",", used)}");
            }
        }
        foreach (var d in devices)
        {
            var name = (string?)d.Attribute("name") ?? "fence";
            var agent = (string?)d.Attribute("agent");
            if (agent is null) { result.NotMapped(file, Line(d), $"fencedevice {name} names no agent"); continue; }
            var parameters = d.Attributes().Where(a => a.Name.LocalName is not ("name" or "agent"))
                .Select(a => $"{a.Name.LocalName}={CrmText.QuoteValue(a.Value)}").ToList();
            var hosts = ports.GetValueOrDefault(name) ?? [];
            if (hosts.Count > 0)
            {
                parameters.Add($"pcmk_host_list={CrmText.QuoteValue(string.Join(" ", hosts.Select(h => h.Node).Distinct()))}");
                if (hosts.Any(h => h.Port is not null && h.Port != h.Node))
                    parameters.Add($"pcmk_host_map={CrmText.QuoteValue(string.Join(";", hosts.Where(h => h.Port is not null).Select(h => $"{h.Node}:{h.Port}")))}");
            }
            result.Crm.Add($"primitive {StonithId(name)} stonith:{agent} \\\n    params {string.Join(" ", parameters)} \\\n    op monitor interval=60s");
            result.Mapped(file, Line(d), $"fencedevice {name}: primitive {StonithId(name)} stonith:{agent}");
        }
        // Fencing levels only say something when a node has more than one way to be fenced.
        if (levels.Count > 0 && root.Element("clusternodes")!.Elements("clusternode").Any(n => n.Element("fence")?.Elements("method").Count() > 1))
            result.Crm.Add("fencing_topology \\\n    " + string.Join(" \\\n    ", LevelsByNode(root)));
        foreach (var n in root.Element("clusternodes")?.Elements("clusternode") ?? [])
            if (devices.Count > 0 && n.Element("fence")?.Elements("method").Any() != true)
                result.NotMapped(file, Line(n), $"node {(string?)n.Attribute("name")} has no fence method: no device can fence it (add it to a device's pcmk_host_list)");
        if (devices.Count == 0)
        {
            result.Crm.Add("property stonith-enabled=false");
            var at = root.Element("fencedevices") ?? root;
            result.NotMapped(file, Line(at), "no fence devices: fencing is off (stonith-enabled=false); rgmanager would not recover a lost node without fencing either: add a device before production");
        }
        else result.Crm.Add("property stonith-enabled=true");
    }

    /// <summary>fencing_topology's "node: level1 level2" from each node's methods in order.</summary>
    private static IEnumerable<string> LevelsByNode(XElement root) =>
        root.Element("clusternodes")!.Elements("clusternode")
            .Where(n => n.Element("fence")?.Elements("method").Any() == true)
            .Select(n => $"{(string)n.Attribute("name")!}: " + string.Join(" ", n.Element("fence")!.Elements("method")
                .Select(m => string.Join(",", m.Elements("device").Select(d => StonithId((string?)d.Attribute("name") ?? "")).Distinct()))
                .Where(l => l.Length > 0)));

    private static string StonithId(string device) => "st_" + CrmWords.Id(device);

    private static void ReadServices(XElement root, string file, ImportedCluster result)
    {
        var rm = root.Element("rm");
        if (rm is null) { result.NotMapped(file, Line(root), "no <rm>: no services to run"); return; }
        var shared = new Dictionary<(string Type, string Key), XElement>();
        foreach (var r in rm.Element("resources")?.Elements() ?? [])
        {
            var key = (string?)r.Attribute("name") ?? (string?)r.Attribute("address") ?? "";
            shared[(r.Name.LocalName, key)] = r;
            result.Mapped(file, Line(r), $"<{r.Name.LocalName}> {key}: defined here, placed where a service uses it");
        }
        var domains = rm.Element("failoverdomains")?.Elements("failoverdomain").ToDictionary(d => (string?)d.Attribute("name") ?? "", d => d) ?? [];
        var used = new HashSet<string>();
        foreach (var service in rm.Elements().Where(e => e.Name.LocalName is "service" or "vm"))
        {
            var name = (string?)service.Attribute("name") ?? "service";
            var groupId = CrmWords.Id(name);
            var members = new List<string>();
            if (service.Name.LocalName == "vm") members.Add(Primitive(service, null, groupId, file, result, shared, used, null));
            else foreach (var child in service.Elements()) AddTree(child, null, groupId, file, result, shared, used, members);
            if (members.Count == 0) { result.NotMapped(file, Line(service), $"service {name} has no resources"); continue; }
            var meta = new List<string>();
            var recovery = (string?)service.Attribute("recovery") ?? "restart";
            if (recovery == "relocate") meta.Add("migration-threshold=1");
            else if (recovery == "disable") meta.Add("migration-threshold=1");
            if (int.TryParse((string?)service.Attribute("max_restarts"), out var restarts) && restarts > 0) meta.Add($"migration-threshold={restarts + 1}");
            if ((string?)service.Attribute("restart_expire_time") is { } expire && expire != "0") meta.Add($"failure-timeout={expire}s");
            if ((string?)service.Attribute("autostart") == "0") meta.Add("target-role=Stopped");
            var domain = (string?)service.Attribute("domain") is { } d && domains.TryGetValue(d, out var de) ? de : null;
            var locations = domain is null ? [] : DomainLocations(domain, groupId, result.Nodes.Select(n => n.Name).ToList(), members.Count, meta);
            var rscId = members.Count == 1 ? members[0] : groupId;
            if (members.Count > 1)
                result.Crm.Add($"group {groupId} {string.Join(" ", members)}{(meta.Count > 0 ? " \\\n    meta " + string.Join(" ", meta.Distinct()) : "")}");
            else if (meta.Count > 0) result.Crm[^1] += " \\\n    meta " + string.Join(" ", meta.Distinct());
            foreach (var l in locations) result.Crm.Add(l.Replace("{rsc}", rscId));
            var recoveryText = recovery switch
            {
                "relocate" => "recovery=relocate: migration-threshold=1 (moves on its first failure)",
                "disable" => "recovery=disable: migration-threshold=1 (a failure moves it; HaCluster does not leave a service disabled by itself)",
                _ => "recovery=restart: restarted in place (Pacemaker's default)",
            };
            result.Mapped(file, Line(service), $"service {name}: {(members.Count > 1 ? $"group {groupId} ({string.Join(", ", members)})" : $"primitive {rscId}")}; {recoveryText}" +
                                                 (domain is null ? "" : $"; domain {(string?)domain.Attribute("name")}: {locations.Count} location(s)"));
            if (service.Attribute("exclusive")?.Value == "1")
                result.NotMapped(file, Line(service), $"service {name} exclusive=1: add -inf colocations with the other services if they must never share a node");
        }
        foreach (var (key, element) in shared.Where(s => !used.Contains(s.Key.Type + ":" + s.Key.Key)))
            result.NotMapped(file, Line(element), $"<{key.Type}> {key.Key} is used by no service");
        foreach (var domain in domains.Values)
        {
            var failback = domain.Attribute("nofailback")?.Value == "1" ? "stays where it runs (stickiness above the preference gap)" : "fails back (stickiness below the preference gap)";
            result.Mapped(file, Line(domain), $"failover domain {(string?)domain.Attribute("name")}: {(domain.Attribute("ordered")?.Value == "1" ? "ordered (priority 1 scores highest)" : "unordered (all members alike)")}, " +
                                              $"{(domain.Attribute("restricted")?.Value == "1" ? "restricted (-inf elsewhere)" : "unrestricted")}, {failback}");
        }
        foreach (var domain in domains.Values)
            foreach (var node in domain.Elements("failoverdomainnode"))
                result.Mapped(file, Line(node), $"failover domain {(string?)domain.Attribute("name")} node {(string?)node.Attribute("name")} priority {(string?)node.Attribute("priority") ?? "1"}: location score");
    }

    /// <summary>A resource and its children in rgmanager's start order: the parent first (<paramref name="parent"/>: the filesystem it is in, if any).</summary>
    private static void AddTree(XElement element, XElement? parent, string service, string file, ImportedCluster result,
        Dictionary<(string, string), XElement> shared, HashSet<string> used, List<string> members)
    {
        var id = Primitive(element, parent, service, file, result, shared, used, members);
        if (id.Length > 0) members.Add(id);
        // Children see the nearest filesystem above them (an nfsclient exports its mountpoint).
        var definition = Resolve(element, shared) ?? element;
        var mount = definition.Attribute("mountpoint") is not null ? definition : parent;
        foreach (var child in element.Elements()) AddTree(child, mount, service, file, result, shared, used, members);
    }

    private static XElement? Resolve(XElement element, Dictionary<(string, string), XElement> shared) =>
        (string?)element.Attribute("ref") is { } r && shared.TryGetValue((element.Name.LocalName, r), out var def) ? def : null;

    /// <summary>One rgmanager resource as a primitive (added to cib.crm); its id, or "" when it has no counterpart.</summary>
    private static string Primitive(XElement element, XElement? parent, string service, string file, ImportedCluster result,
        Dictionary<(string, string), XElement> shared, HashSet<string> used, List<string>? members)
    {
        var type = element.Name.LocalName;
        var definition = element;
        if ((string?)element.Attribute("ref") is { } reference)
        {
            if (Resolve(element, shared) is not { } def)
            {
                result.NotMapped(file, Line(element), $"<{type} ref=\"{reference}\"> names no resource in <resources>");
                return "";
            }
            definition = def;
            used.Add(type + ":" + reference);
        }
        var attrs = definition.Attributes().Where(a => a.Name.LocalName != "ref").ToDictionary(a => a.Name.LocalName, a => a.Value);
        string agent;
        var parameters = new List<string>();
        var label = attrs.GetValueOrDefault("name") ?? attrs.GetValueOrDefault("address") ?? type;
        if (type == "script")
        {
            if (!attrs.TryGetValue("file", out var script)) { result.NotMapped(file, Line(element), "<script> without file="); return ""; }
            agent = script.StartsWith("/etc/init.d/", StringComparison.Ordinal) ? "lsb:" + script["/etc/init.d/".Length..] : "lsb:" + Path.GetFileName(script);
        }
        else if (type == "vm")
        {
            agent = "ocf:heartbeat:VirtualDomain";
            var dir = attrs.GetValueOrDefault("path") ?? "/etc/libvirt/qemu";
            parameters.Add($"config={CrmText.QuoteValue(Path.Combine(dir.Split(':')[0], label + ".xml"))}");
        }
        else if (Agents.TryGetValue(type, out var mapping))
        {
            agent = mapping.Agent;
            foreach (var (name, value) in attrs)
            {
                if (name == "name" && type != "nfsclient") continue;
                if (mapping.Params.TryGetValue(name, out var target))
                {
                    if (target.Length == 0) continue;
                    if (type == "ip" && name == "address" && value.Split('/') is [var ip, var prefix])
                        parameters.Add($"ip={ip} cidr_netmask={prefix}");
                    else parameters.Add($"{target}={CrmText.QuoteValue(value)}");
                }
                else if (Ignored.TryGetValue(name, out var why)) result.NotMapped(file, Line(definition), $"{type} {name}=\"{value}\": {why}");
                else if (name is not ("name" or "address")) result.NotMapped(file, Line(definition), $"{type} {name}=\"{value}\": no counterpart in {agent}");
            }
            if (type == "netfs" && attrs.TryGetValue("host", out var host) && attrs.TryGetValue("export", out var export))
                parameters.Insert(0, $"device={CrmText.QuoteValue(host + ":" + export)}");
            if (type == "nfsclient" && parent is not null && parent.Attribute("mountpoint")?.Value is { } exported)
                parameters.Add($"directory={CrmText.QuoteValue(exported)} fsid={Math.Abs(StableHash(exported)) % 65535 + 1}");
        }
        else if (type == "nfsexport")
        {
            result.Mapped(file, Line(element), $"<nfsexport> {label}: its <nfsclient>s become exportfs resources");
            return "";
        }
        else
        {
            result.NotMapped(file, Line(element), $"<{type}> {label}: no HaCluster counterpart known; configure its agent by hand");
            return "";
        }
        var id = CrmWords.Id(type == "ip" ? $"{service}_ip_{label.Split('/')[0]}" : $"{service}_{label}");
        // The same resource used twice in one service: the second gets a number.
        if (members is not null && members.Contains(id)) id += "_" + (members.Count(m => m.StartsWith(id, StringComparison.Ordinal)) + 1);
        var monitor = type switch { "ip" => "10s", "script" => "30s", "vm" => "30s", _ => "20s" };
        result.Crm.Add($"primitive {id} {agent}{(parameters.Count > 0 ? " \\\n    params " + string.Join(" ", parameters) : "")} \\\n    op monitor interval={monitor}");
        result.Mapped(file, Line(element), $"<{type}> {label}: primitive {id} {agent}");
        return id;
    }

    /// <summary>
    /// A failover domain as location scores: ordered domains prefer lower priorities (priority 1
    /// scores highest, 100 apart), unordered ones all members alike; restricted ones forbid other
    /// nodes. nofailback="1" sets stickiness above the preference gap, "0" below it (the group
    /// sums its members' stickiness).
    /// </summary>
    private static List<string> DomainLocations(XElement domain, string service, List<string> allNodes, int members, List<string> meta)
    {
        var ordered = domain.Attribute("ordered")?.Value == "1";
        var restricted = domain.Attribute("restricted")?.Value == "1";
        var noFailback = domain.Attribute("nofailback")?.Value == "1";
        var nodes = domain.Elements("failoverdomainnode")
            .Select(n => (Name: (string?)n.Attribute("name") ?? "", Priority: int.TryParse((string?)n.Attribute("priority"), out var p) ? p : 1)).ToList();
        var worst = nodes.Count == 0 ? 1 : nodes.Max(n => n.Priority);
        var lines = new List<string>();
        foreach (var (node, priority) in nodes)
            lines.Add($"location l_{service}_{CrmWords.Id(node)} {{rsc}} {(ordered ? 100 * (worst - priority + 1) : 100)}: {node}");
        if (restricted)
            foreach (var other in allNodes.Where(n => nodes.All(d => d.Name != n)))
                lines.Add($"location l_{service}_not_{CrmWords.Id(other)} {{rsc}} -inf: {other}");
        // Every member carries the stickiness, and a group's is their sum: above the gap between
        // the most and least preferred node it stays put, below it it fails back.
        var gap = ordered && nodes.Count > 1 ? 100 * (worst - nodes.Min(n => n.Priority)) : 0;
        var count = Math.Max(1, members);
        if (noFailback) meta.Add($"resource-stickiness={gap / count + 1}");
        else if (gap > 0) meta.Add($"resource-stickiness={Math.Min(30, (gap - 1) / count)}");
        return lines;
    }



    private static int StableHash(string s)
    {
        var h = 17;
        foreach (var c in s) h = unchecked(h * 31 + c);
        return h == int.MinValue ? 0 : h;
    }

    private static int Line(XObject x) => ((IXmlLineInfo)x).LineNumber;

    /// <summary>Lines that only open or close a section: the XML declaration, &lt;rm&gt;, &lt;/service&gt;...</summary>
    private static readonly System.Text.RegularExpressions.Regex Structure = new(
        @"^(<\?xml[^>]*\?>|<!--.*-->|(</[\w-]+>\s*)+|<(clusternodes|rm|failoverdomains|resources|fencedevices|fence|method|cman|service|failoverdomain|clusternode)(\s[^>]*)?>)$");
}
