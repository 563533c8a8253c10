using System.Diagnostics;

namespace HaCluster.Cluster.Tests;

/// <summary>
/// The README's first command must work: scripts/demo.sh runs a real 3-node cluster with a
/// promotable database, a VIP and a service group, kills the node running the VIP and shows the
/// failover, brings it back and stops cleanly.
/// </summary>
public sealed class DemoTests
{
    private static string RepoRoot() => TestCluster.RepoRoot();

    [Fact]
    public async Task The_demo_fails_over_the_database_primary_vip_and_group_and_stops_cleanly()
    {
        var psi = new ProcessStartInfo("bash", [Path.Combine(RepoRoot(), "scripts", "demo.sh")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepoRoot(),
        };
        using var demo = Process.Start(psi)!;
        var output = demo.StandardOutput.ReadToEndAsync();
        var errors = demo.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        try
        {
            await demo.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            demo.Kill(entireProcessTree: true);
            throw;
        }
        var text = await output + await errors;
        Assert.True(demo.ExitCode == 0, text);
        Assert.Contains("Promoted: [", text);
        Assert.Matches(@"Failover: the VIP and the service group run on node\d \d+ ms after node\d died", text);
        Assert.Contains("== Stopping the cluster", text);
        // Every node it started is gone.
        Assert.DoesNotContain(Process.GetProcesses(), p =>
        {
            try { return File.ReadAllText($"/proc/{p.Id}/cmdline").Contains("hacluster-demo."); }
            catch (IOException) { return false; }
        });
    }
}
