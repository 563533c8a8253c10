using HaCluster.Core.Membership;

namespace HaCluster.Daemon;

/// <summary>haclusterd's command line: <c>--config FILE [--node NAME] [--state-dir DIR] [--socket PATH] [--log-level LEVEL] [--check]</c>.</summary>
/// <param name="Check">Only validate cluster.yaml, the node and its key file, then exit 0 (or 2 with the errors).</param>
/// <remarks>State directory, socket and log level default to cluster.yaml's <c>state_dir</c>, <c>socket</c> and <c>logging.level</c>; the options override them.</remarks>
public sealed record DaemonOptions(string ConfigPath, string? NodeName, string? StateDir, string? SocketPath, bool ShowVersion, LogVerbosity? LogLevel = null, bool Check = false)
{
    public const string DefaultConfig = "/etc/hacluster/cluster.yaml";
    public const string DefaultStateDir = "/var/lib/hacluster";
    public const string DefaultSocket = "/run/hacluster/api.sock";

    /// <summary>The options, for --help and the man page (haclusterd --man), so neither drifts from the parser.</summary>
    public static readonly (string Option, string? Value, string Description)[] Table =
    [
        ("--config", "FILE", $"cluster.yaml (default {DefaultConfig})"),
        ("--node", "NAME", "this node's name in cluster.yaml (default: the node with an address on this machine)"),
        ("--state-dir", "DIR", $"where the CIB, the transition history and the incarnation are kept (default: cluster.yaml's state_dir, else {DefaultStateDir})"),
        ("--socket", "PATH", $"the local API socket hacrm talks to (default: cluster.yaml's socket, else {DefaultSocket})"),
        ("--log-level", "LEVEL", "debug, info, warning or error (default: cluster.yaml's logging.level, else info)"),
        ("--check", null, "only validate cluster.yaml, the node, the key file and the http files; print a summary; exit 0, or 2 with the errors"),
        ("--version", null, "print the version"),
    ];

    public static string Usage => "usage: haclusterd " + string.Join(' ', Table.Select(o => o.Value is null ? $"[{o.Option}]" : $"[{o.Option} {o.Value}]"));

    /// <summary>haclusterd(8), from <see cref="Table"/>.</summary>
    public static string ManPage(string version, DateOnly date)
    {
        var page = new HaCluster.Core.Docs.ManPage("haclusterd", 8, version, "HaCluster Manual", date)
            .Section("name").Paragraph("haclusterd - the HaCluster cluster resource manager daemon (one per node)")
            .Section("synopsis").Code(Usage["usage: ".Length..])
            .Section("description")
            .Paragraph("haclusterd runs membership over the rings of cluster.yaml (heartbeats authenticated with the cluster key), replicates the configuration (CIB), probes and manages this node's resources through their agents and, on the designated coordinator, schedules and carries out transitions. It is run by systemd (haclusterd.service, Type=notify). On SIGTERM it first has the cluster move its resources away.")
            .Section("options");
        foreach (var (option, value, description) in Table) page.Item(value is null ? option : $"{option} {value}", description);
        return page.Section("exit status").Paragraph("0 after a clean stop (or a passing --check); 1 when its ring sockets are taken; 2 when the configuration, the node, the key or the http files are wrong (the reason on stderr).")
            .Section("files").Item("/etc/hacluster/cluster.yaml", "nodes, rings, timers, quorum (cluster.yaml(5))").Item("/etc/hacluster/authkey", "the cluster key, mode 0600 (hacrm keygen)")
            .Item(DefaultStateDir, "the CIB and the transition history").Item(DefaultSocket, "the local API socket")
            .Section("see also").Paragraph("hacrm(8), cluster.yaml(5), systemctl(1), journalctl(1)").ToString();
    }

    /// <summary>Null (after explaining why on <paramref name="error"/>) when the arguments are wrong.</summary>
    public static DaemonOptions? Parse(string[] args, TextWriter error)
    {
        string config = DefaultConfig;
        string? node = null, stateDir = null, socket = null;
        var version = false;
        var check = false;
        LogVerbosity? logLevel = null;
        for (int i = 0; i < args.Length; i++)
        {
            string? Value()
            {
                if (i + 1 < args.Length) return args[++i];
                error.WriteLine($"haclusterd: {args[i]} needs a value");
                return null;
            }
            switch (args[i])
            {
                case "--config": config = Value() ?? ""; break;
                case "--node": node = Value(); break;
                case "--state-dir": stateDir = Value() ?? ""; break;
                case "--socket": socket = Value() ?? ""; break;
                case "--version": version = true; break;
                case "--check": check = true; break;
                case "--log-level":
                    var text = Value();
                    if (text is null) return null;
                    logLevel = LoggingSettings.ParseLevel(text);
                    if (logLevel is null)
                    {
                        error.WriteLine($"haclusterd: --log-level '{text}' is not one of debug, info, warning, error");
                        return null;
                    }
                    break;
                case "-h" or "--help":
                    error.WriteLine(Usage);
                    foreach (var (option, value, description) in Table) error.WriteLine($"  {(value is null ? option : $"{option} {value}"),-20} {description}");
                    return null;

                default:
                    error.WriteLine($"haclusterd: unknown argument '{args[i]}' (try --help)");
                    return null;
            }
            if (config.Length == 0 || stateDir?.Length == 0 || socket?.Length == 0) return null;
        }
        return new DaemonOptions(config, node, stateDir, socket, version, logLevel, check);
    }
}
