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
                    error.WriteLine("usage: haclusterd [--config FILE] [--node NAME] [--state-dir DIR] [--socket PATH] [--log-level debug|info|warning|error] [--check] [--version]");
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
