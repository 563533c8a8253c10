using HaCluster.Core.Api;
using HaCluster.Daemon.Cib;
using HaCluster.Core.Membership;
using HaCluster.Daemon.LocalApi;
using HaCluster.Transport;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HaCluster.Daemon;

/// <summary>
/// The daemon's lifetime: membership on the rings, the local API, and a clean stop on SIGTERM.
/// The controller and executor join here with issue 4.
/// </summary>
public sealed class DaemonService(DaemonContext context, ILogger<DaemonService> log) : BackgroundService
{
    private MembershipNode? node;
    private CibReplicator? replicator;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var config = context.Config;
        log.LogInformation("haclusterd starting: cluster {Cluster}, node {Node} (id {Id}), {Rings} ring(s), config {Config}, state {State}, socket {Socket}",
            config.ClusterName, context.Self.Name, context.Self.Id, config.Rings.Count, context.ConfigPath, context.StateDirectory, context.SocketPath);
        Directory.CreateDirectory(context.StateDirectory);
        var store = new CibStore(context.StateDirectory);
        if (store.Load() is { } problem) log.LogWarning("{Problem}", problem);
        log.LogInformation("CIB version {Version} loaded from {Path}", store.Version, store.XmlPath);
        replicator = new CibReplicator(store, log);
        node = new MembershipNode(config, context.Self, context.Key) { OnEvent = LogEvent, OnMessage = replicator.OnMessage };
        node.Start();
        var replication = replicator.RunAsync(node, id => config.FindNode(id)?.Name ?? id.ToString(), stoppingToken);
        await using var api = new LocalApiServer(context.SocketPath, Handle, log);
        api.Start();
        log.LogInformation("listening for hacrm on {Socket}", context.SocketPath);
        try
        {
            await Task.Delay(Timeout.Infinite, stoppingToken);
        }
        catch (OperationCanceledException)
        {
            log.LogInformation("haclusterd stopping");
        }
        await replication;
        await node.DisposeAsync();
    }

    private void LogEvent(MembershipEvent e)
    {
        var level = e.Kind switch
        {
            MembershipEventKind.NodeLost or MembershipEventKind.RingFaulty or MembershipEventKind.QuorumLost => LogLevel.Warning,
            MembershipEventKind.NodeSuspected => LogLevel.Warning,
            _ => LogLevel.Information,
        };
        log.Log(level, "membership: {Message}", e.Message);
    }

    private ApiReply Handle(ApiRequest request) => request.Command switch
    {
        "status" when node is not null => new ApiReply(true, Status: StatusReply.From(node.Snapshot()) with { CibVersion = replicator?.Store.Version.ToString() }),
        "status" => new ApiReply(false, "starting up"),
        _ => new ApiReply(false, $"unknown command '{request.Command}'"),
    };
}
