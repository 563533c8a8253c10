using System.Net;

namespace HaCluster.Core.Membership;

/// <summary>A cluster node as the bootstrap file names it: one address per ring.</summary>
public sealed record NodeEntry(string Name, int Id, IReadOnlyList<IPAddress> Addresses);

public enum RingKind { Multicast, Unicast }

/// <summary>
/// One redundant ring: a multicast group (every node sends to the group) or unicast (every node
/// sends to each peer's address for this ring, like ha.cf's <c>ucast</c>).
/// </summary>
public sealed record RingConfig(RingKind Kind, int Port, IPAddress? Group = null, int Ttl = 1, IPAddress? Bind = null, string? Interface = null);

/// <summary>
/// Heartbeat's timers: a heartbeat every <c>Keepalive</c> on every ring; a peer silent for
/// <c>Warntime</c> is suspected (logged), for <c>Deadtime</c> on all rings declared dead;
/// <c>Initdead</c> replaces deadtime for peers not yet heard since start-up (boot races).
/// Corosync's token timeout is deadtime's analogue, its consensus the view agreement.
/// </summary>
public sealed record MembershipTimers(TimeSpan Keepalive, TimeSpan Warntime, TimeSpan Deadtime, TimeSpan Initdead)
{
    /// <summary>
    /// Safe on a LAN and fast: failure detection in about half a second. A node is declared dead
    /// after six heartbeats in a row are lost on every ring (on one ring losing 20% of its
    /// packets, about one chance in 16,000 per heartbeat); a node's own stalls are excused.
    /// </summary>
    public static readonly MembershipTimers Default = new(
        TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(600), TimeSpan.FromSeconds(10));
}

/// <summary>votequorum's settings: votes needed is a majority of <c>ExpectedVotes</c>.</summary>
/// <param name="TwoNode">A 2-node cluster stays quorate with one node (fencing decides who survives).</param>
/// <param name="WaitForAll">Quorum is first granted only once all nodes have been seen together.</param>
public sealed record QuorumConfig(int ExpectedVotes, bool TwoNode, bool WaitForAll);

/// <summary>
/// The bootstrap configuration (<c>/etc/hacluster/cluster.yaml</c>): who is in the cluster and
/// how they talk. Everything else (resources, constraints, properties) is in the CIB.
/// </summary>
public sealed record ClusterBootstrap
{
    public required string ClusterName { get; init; }
    public required IReadOnlyList<NodeEntry> Nodes { get; init; }
    public required IReadOnlyList<RingConfig> Rings { get; init; }
    public MembershipTimers Timers { get; init; } = MembershipTimers.Default;
    public string KeyFile { get; init; } = "/etc/hacluster/authkey";
    public required QuorumConfig Quorum { get; init; }
    public string StateDirectory { get; init; } = "/var/lib/hacluster";
    public string Socket { get; init; } = "/run/hacluster/api.sock";
    /// <summary>The largest request the local API takes (<c>api_max_request</c>): a commit carries the whole configuration.</summary>
    public long ApiMaxRequestBytes { get; init; } = 256L * 1024 * 1024;
    public const long MinApiRequestBytes = 64 * 1024;
    public const long MaxApiRequestBytes = 2L * 1024 * 1024 * 1024;
    /// <summary>Where this node's agents and their scratch space are (the <c>agents:</c> section).</summary>
    public AgentSettings Agents { get; init; } = new();
    /// <summary>The <c>watchdog:</c> section (watchdog fencing).</summary>
    public WatchdogSettings Watchdog { get; init; } = new();
    /// <summary>How much the daemon logs and where besides stdout/the journal (the <c>logging:</c> section).</summary>
    public LoggingSettings Logging { get; init; } = new();
    /// <summary>The <c>http:</c> section (status page, REST API, metrics); null: no HTTP at all.</summary>
    public HttpSettings? Http { get; init; }

    public NodeEntry? FindNode(string name) => Nodes.FirstOrDefault(n => n.Name == name);
    public NodeEntry? FindNode(int id) => Nodes.FirstOrDefault(n => n.Id == id);
}

/// <summary>
/// The <c>agents:</c> section: where resource agents live and the scratch space they share.
/// Several nodes on one machine (tests, the demo) need a private <c>rsctmp</c> each, or they would
/// see each other's resources; agents that keep state under HA_VARRUN (ocf:pacemaker:Stateful)
/// need a private <c>varrun</c> too.
/// </summary>
/// <summary>
/// The <c>watchdog:</c> section, for watchdog fencing (the CIB's stonith-watchdog-timeout):
/// <paramref name="Device"/> is a hardware watchdog haclusterd feeds while its controller runs, so
/// a daemon that dies or hangs resets the machine after <paramref name="Timeout"/> (SBD's
/// watchdog); <paramref name="SelfFence"/> is the program (and arguments) run to reset this
/// machine when it lost quorum with resources it could not stop, by default the kernel's
/// immediate reboot (sysrq b).
/// </summary>
public sealed record WatchdogSettings(string? Device = null, TimeSpan? Timeout = null, IReadOnlyList<string>? SelfFence = null)
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);
    public TimeSpan DeviceTimeout => Timeout ?? DefaultTimeout;
}

public sealed record AgentSettings(string? OcfRoot = null, string? Rsctmp = null, string? Systemctl = null, string? Initctl = null, string? FenceAgents = null,
    string? Varrun = null);

/// <summary>How verbose a log is, from the most to the least.</summary>
public enum LogVerbosity { Debug, Info, Warning, Error }

/// <summary>
/// The <c>logging:</c> section. The daemon always logs to stdout, which systemd hands to the
/// journal; <c>File</c> adds a plain log file (like Pacemaker's /var/log/pacemaker/pacemaker.log).
/// </summary>
public sealed record LoggingSettings(LogVerbosity Level = LogVerbosity.Info, string? File = null, LogFormat Format = LogFormat.Text)
{
    /// <summary>The spellings cluster.yaml and <c>haclusterd --log-level</c> accept.</summary>
    public static LogVerbosity? ParseLevel(string text) => text.ToLowerInvariant() switch
    {
        "debug" => LogVerbosity.Debug,
        "info" or "information" => LogVerbosity.Info,
        "warning" or "warn" => LogVerbosity.Warning,
        "error" => LogVerbosity.Error,
        _ => null,
    };
}

/// <summary>How log lines look outside the journal: text (<c>HH:mm:ss.fff LVL node: message</c>) or compact JSON (CLEF), one object per line.</summary>
public enum LogFormat { Text, Json }

/// <summary>
/// The <c>http:</c> section: haclusterd serves its status page, REST API and Prometheus metrics on
/// <paramref name="Port"/> of <paramref name="Listen"/> (default: the node's first address), over
/// TLS when <paramref name="Certificate"/> and <paramref name="Key"/> (PEM) are given. Requests
/// carry <c>Authorization: Bearer TOKEN</c> with the token in <paramref name="TokenFile"/> (keep it
/// root:haclient, mode 0640: the group's members can read it, nobody else); reads need no token
/// only when <paramref name="ReadWithoutToken"/> says so (a trusted network); writes always do.
/// </summary>
public sealed record HttpSettings(int Port, string? Listen = null, string? Certificate = null, string? Key = null, string? TokenFile = null, bool ReadWithoutToken = false);
