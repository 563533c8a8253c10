using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HaCluster.Daemon;

/// <summary>
/// The daemon's lifetime. For now it only says what it is and waits for SIGTERM; the
/// membership layer, controller and executor are wired in here by their issues.
/// </summary>
public sealed class DaemonService(DaemonOptions options, ILogger<DaemonService> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        log.LogInformation("haclusterd starting: config {Config}, node {Node}, state {StateDir}, socket {Socket}",
            options.ConfigPath, options.NodeName ?? "(by local address)", options.StateDir, options.SocketPath);
        log.LogWarning("this build has no membership or resource management yet: it only starts and stops cleanly");
        try
        {
            await Task.Delay(Timeout.Infinite, stoppingToken);
        }
        catch (OperationCanceledException)
        {
            log.LogInformation("haclusterd stopping");
        }
    }
}
