using HaCluster.Daemon.Fencing;
using HaCluster.Core.Api;
using HaCluster.Core.Status.Views;
using HaCluster.Agents;
using HaCluster.Daemon.Cib;
using HaCluster.Core.Control;
using HaCluster.Daemon.Controller;
using HaCluster.Core.Membership;
using HaCluster.Daemon.Http;
using HaCluster.Daemon.LocalApi;
using HaCluster.Transport;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HaCluster.Daemon;

/// <summary>
/// The daemon's lifetime: membership on the rings, the local API, and a clean stop on SIGTERM.
/// The controller and executor join here with issue 4.
/// </summary>
public sealed class DaemonService(DaemonContext context, IHostApplicationLifetime lifetime, ILogger<DaemonService> log) : BackgroundService
{
    /// <summary>How long a stopping node waits for its resources to move (the unit's TimeoutStopSec is longer).</summary>
    private static readonly TimeSpan ShutdownPatience = TimeSpan.FromMinutes(4);

    private MembershipNode? node;
    private CibStore? store;
    private ControllerHost? controller;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var config = context.Config;
        log.LogInformation("haclusterd starting: cluster {Cluster}, node {Node} (id {Id}), {Rings} ring(s), config {Config}, state {State}, socket {Socket}",
            config.ClusterName, context.Self.Name, context.Self.Id, config.Rings.Count, context.ConfigPath, context.StateDirectory, context.SocketPath);
        Directory.CreateDirectory(context.StateDirectory);
        var store = new CibStore(context.StateDirectory);
        if (store.Load() is { } problem) log.LogWarning("{Problem}", problem);
        log.LogInformation("CIB version {Version} loaded from {Path}", store.Version, store.XmlPath);
        this.store = store;
        ControllerHost? controller = null;
        try
        {
            node = CreateNode();
        }
        catch (System.Net.Sockets.SocketException e)
        {
            log.LogCritical("cannot open the ring sockets on {Addresses}: {Error} (is another haclusterd running for this node, or the address not configured here?)",
                string.Join(", ", context.Self.Addresses), e.Message);
            Environment.ExitCode = 1;
            lifetime.StopApplication();
            return;
        }
        MembershipNode CreateNode() => new MembershipNode(config, context.Self, context.Key, IncarnationFile.Next(context.StateDirectory, log))
        {
            // A membership change wakes the controller at once (a lost node is acted on without
            // waiting for its periodic check).
            OnEvent = e =>
            {
                LogEvent(e);
                controller?.Wake();
            },
            // Every message is the controller's (CIB copies included).
            OnMessage = (from, message) => controller?.OnMessage(from, message),
            OnCallbackError = e => log.LogError(e, "membership delivery: {Error}", e.Message),
        };
        var agents = config.Agents;
        var defaults = new AgentPaths();
        var paths = defaults with
        {
            OcfRoot = agents.OcfRoot ?? defaults.OcfRoot,
            ResourceScratchDirectory = agents.Rsctmp ?? defaults.ResourceScratchDirectory,
            RunDirectory = agents.Varrun ?? defaults.RunDirectory,
            Systemctl = agents.Systemctl ?? defaults.Systemctl,
            Initctl = agents.Initctl ?? defaults.Initctl,
            FenceAgentDirectory = agents.FenceAgents ?? defaults.FenceAgentDirectory,
            ToolsDirectory = context.ToolsDirectory,
            SpoolDirectory = Path.Combine(context.StateDirectory, "spool"),
        };
        Directory.CreateDirectory(paths.ResourceScratchDirectory);
        await using var lrm = new LocalResourceManager(context.Self.Name, new AgentRunner(paths), log);
        // Disposed last, after a clean stop: the magic close disarms it (a crash leaves it armed).
        using var hardwareWatchdog = new HardwareWatchdog(config.Watchdog.Device, config.Watchdog.DeviceTimeout, log);
        var selfFencer = new SelfFencer(config.Watchdog, hardwareWatchdog, log);
        controller = new ControllerHost(context, node, store, lrm, log, hardwareWatchdog, selfFencer);
        this.controller = controller;
        node.Start();
        // This keeps running through a shutdown (the node hands its resources over first).
        using var running = new CancellationTokenSource();
        var controlling = controller.RunAsync(running.Token);
        await using var api = new LocalApiServer(context.SocketPath, Handle, log, config.ApiMaxRequestBytes);
        api.Start();
        log.LogInformation("listening for hacrm on {Socket}", context.SocketPath);
        await using var http = await StartHttpAsync(controller, stoppingToken);
        using var systemd = new SystemdNotifier();
        systemd.Notify($"READY=1\nSTATUS=member of {config.ClusterName} as {context.Self.Name}");
        try
        {
            var watchdog = SystemdNotifier.WatchdogInterval();
            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(watchdog ?? TimeSpan.FromSeconds(5), stoppingToken);
                if (watchdog is not null) systemd.Notify("WATCHDOG=1");
                var view = node.Snapshot().View;
                systemd.Notify($"STATUS={view.Members.Count} of {config.Nodes.Count} nodes, DC {(view.Dc is { } dc ? config.FindNode(dc)?.Name : "none")}, {(view.Quorate ? "quorate" : "no quorum")}");
            }
        }
        catch (OperationCanceledException)
        {
            log.LogInformation("haclusterd stopping: moving this node's resources away first");
            systemd.Notify("STOPPING=1");
            await controller.ShutdownAsync(ShutdownPatience);
        }
        await running.CancelAsync();
        await controlling;
        await node.DisposeAsync();
    }

    /// <summary>The status page, REST API and metrics, when cluster.yaml has an http: section; a failure to start is logged, not fatal.</summary>
    private async Task<HttpServer?> StartHttpAsync(ControllerHost host, CancellationToken cancel)
    {
        if (context.Config.Http is not { } settings) return null;
        var source = new StatusSource(withConfiguration => node is null ? null : StatusNow(withConfiguration));
        var metrics = new ClusterMetrics(source, () => host.AlertCounts);
        host.TransitionEndedHook = metrics.TransitionEnded;
        host.ViewChangedHook = metrics.ViewChanged;
        try
        {
            var server = await HttpServer.StartAsync(settings, context.Self.Addresses[0].ToString(), source, metrics, new HttpWrites(Handle), host.History.ToJson,
                host.History.ReadInput, log, cancel);
            log.LogInformation("serving the status page, API and metrics on {Url}", server.Url);
            return server;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogError("cannot serve HTTP on port {Port}: {Error}", settings.Port, e.Message);
            return null;
        }
    }

    private ApiReply Cleanup(string resource)
    {
        controller!.Cleanup(resource);
        return new ApiReply(true);
    }

    /// <summary>A transient node attribute: node and name, with value to set or without to delete.</summary>
    private ApiReply Attribute(ApiRequest request)
    {
        var args = request.Arguments ?? new Dictionary<string, string>();
        if (!args.TryGetValue("node", out var target) || !args.TryGetValue("name", out var name) || name.Length == 0)
            return new ApiReply(false, "attribute needs a node and a name");
        var change = new AttributeChange(target, name, args.GetValueOrDefault("value"));
        return controller!.SetAttribute(change) ? new ApiReply(true) : new ApiReply(false, $"node {target} is not a member of the cluster now");
    }

    private ApiReply Commit(ApiRequest request, ApiCaller caller)
    {
        var args = request.Arguments ?? new Dictionary<string, string>();
        if (!args.TryGetValue("configuration", out var xml)) return new ApiReply(false, "commit needs a configuration");
        var reply = controller!.CommitAsync(xml, args.GetValueOrDefault("base"), args.GetValueOrDefault("force") == "true", caller.UserName).GetAwaiter().GetResult();
        return reply.Ok ? new ApiReply(true, Version: reply.Version) : new ApiReply(false, reply.Error);
    }

    private void LogEvent(MembershipEvent e)
    {
        var level = e.Kind switch
        {
            MembershipEventKind.NodeLost or MembershipEventKind.RingFaulty or MembershipEventKind.QuorumLost => LogLevel.Warning,
            MembershipEventKind.NodeSuspected or MembershipEventKind.SelfStalled or MembershipEventKind.PacketsDropped => LogLevel.Warning,
            _ => LogLevel.Information,
        };
        log.Log(level, "membership: {Message}", e.Message);
    }

    private ApiReply Handle(ApiRequest request, ApiCaller caller) => request.Command switch
    {
        "commit" when controller is not null => Commit(request, caller),
        "cleanup" when controller is not null && request.Arguments?.GetValueOrDefault("resource") is { } rsc => Cleanup(rsc),
        "attribute" when controller is not null => Attribute(request),
        "status" when node is not null => Status(request),
        "status" => new ApiReply(false, "starting up"),
        "history" when controller is not null => new ApiReply(true, Text: controller.History.ToJson()),
        "history_input" when controller is not null => HistoryInput(request),
        _ => new ApiReply(false, $"unknown command '{request.Command}'"),
    };

    /// <summary>The live status: membership, the DC's last picture, fencing history, and (for programs) this node's own CIB.</summary>
    private ClusterStatusReply StatusNow(bool withConfiguration) => StatusReply.From(node!.Snapshot()) with
    {
        CibVersion = store?.Version.ToString(),
        CibXml = controller?.StatusPictureXml(),
        FencingHistory = controller?.FencingHistory,
        ConfigurationXml = store is null || !withConfiguration ? null : System.Text.Encoding.UTF8.GetString(store.Xml),
        LastChange = store is null ? null : HaCluster.Core.Cib.CibChange.Read(store.Xml)?.Describe(),
    };

    /// <summary>Transition N's scheduler input (argument "sequence"), for `hacrm history show N`.</summary>
    private ApiReply HistoryInput(ApiRequest request)
    {
        if (!long.TryParse(request.Arguments?.GetValueOrDefault("sequence"), out var sequence)) return new ApiReply(false, "history_input needs a sequence number");
        return controller!.History.ReadInput(sequence) is { } xml
            ? new ApiReply(true, Text: xml)
            : new ApiReply(false, $"transition {sequence}'s input is not kept on this node (pe-input-series-max, or another node was DC then)");
    }

    /// <summary>
    /// The live status: raw for `--output-as json` and programs, or laid out (a "view" argument)
    /// for `hacrm status` and `hacrm mon`, which then only print it.
    /// </summary>
    private ApiReply Status(ApiRequest request)
    {
        var (view, filter) = LiveStatusView.FromArguments(request.Arguments);
        if (view is not (null or "text" or "xml")) return new ApiReply(false, $"unknown status view '{view}' (text or xml)");
        // This node's own copy is for programs (and edits) only: a laid-out view does not show it.
        var status = StatusNow(withConfiguration: view is null);
        if (view is null) return new ApiReply(true, Status: status);
        var (text, exit) = LiveStatusView.Render(status, view, filter, DateTimeOffset.UtcNow);
        return new ApiReply(true, Text: text, Exit: exit);
    }
}
