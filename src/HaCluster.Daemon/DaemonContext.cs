using HaCluster.Core.Membership;

namespace HaCluster.Daemon;

/// <summary>Everything checked before the daemon starts: a valid configuration, this node, a safe key.</summary>
public sealed record DaemonContext(ClusterBootstrap Config, NodeEntry Self, ClusterKey Key, string StateDirectory, string SocketPath, string ConfigPath)
{
    /// <summary>cluster.yaml's <c>logging:</c>, with the level <c>--log-level</c> gives.</summary>
    public LoggingSettings Logging { get; init; } = Config.Logging;

    /// <summary>Where the executor installs its stand-ins for Pacemaker's tools (agents and alert agents find them first in PATH).</summary>
    public string ToolsDirectory => Path.Combine(StateDirectory, "tools");

    /// <summary>Null, after saying why on <paramref name="error"/>, when the daemon must not start.</summary>
    public static DaemonContext? Prepare(DaemonOptions options, TextWriter error)
    {
        if (!File.Exists(options.ConfigPath))
        {
            error.WriteLine($"haclusterd: configuration {options.ConfigPath} does not exist (see docs/getting-started.md)");
            return null;
        }
        var read = ClusterBootstrapReader.ReadFile(options.ConfigPath);
        foreach (var d in read.Diagnostics) error.WriteLine($"haclusterd: {d}");
        if (read.HasErrors)
        {
            error.WriteLine($"haclusterd: {options.ConfigPath} has errors; not starting");
            return null;
        }
        var config = read.Config!;
        NodeEntry? self;
        if (options.NodeName is { } name)
        {
            self = config.FindNode(name);
            if (self is null)
            {
                error.WriteLine($"haclusterd: node '{name}' is not in {options.ConfigPath} (nodes: {string.Join(", ", config.Nodes.Select(n => n.Name))})");
                return null;
            }
        }
        else
        {
            self = Transport.MembershipNode.FindLocalNode(config);
            if (self is null)
            {
                error.WriteLine($"haclusterd: none of the nodes in {options.ConfigPath} has an address on this machine; name it with --node");
                return null;
            }
        }
        ClusterKey key;
        try
        {
            key = ClusterKey.Load(config.KeyFile);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"haclusterd: {e.Message}; not starting");
            return null;
        }
        if (config.Http is { } http)
        {
            try
            {
                Http.HttpServer.CheckFiles(http);
            }
            catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
            {
                error.WriteLine($"haclusterd: {e.Message}; not starting");
                return null;
            }
        }
        return new DaemonContext(config, self, key, options.StateDir ?? config.StateDirectory, options.SocketPath ?? config.Socket, options.ConfigPath)
        {
            Logging = options.LogLevel is { } level ? config.Logging with { Level = level } : config.Logging,
        };
    }
}
