namespace HaCluster.Cluster.Tests;

/// <summary>
/// The partition trial of issue 22 with watchdog fencing and no fence device: three haclusterd in
/// network namespaces run a VIP (IPaddr2); the node running it loses its link. It has no quorum:
/// it stops the VIP, or resets itself (self_fence_netns) if it cannot; the survivors count it
/// fenced only once stonith-watchdog-timeout (6 s) has passed, and only then start the VIP.
/// </summary>
public sealed class WatchdogNetnsTests(Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    private readonly NetnsStack stack = new(vipOnly: true, watchdog: true);
    private TestCluster cluster => stack.Cluster;

    public void Dispose() => stack.Dispose();

    /// <summary>The time stamp (HH:mm:ss.fff) of the first log line containing <paramref name="text"/>, or null.</summary>
    private static string? LineTime(string log, string text) =>
        log.Split('\n').FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal)) is { } line ? line[..line.IndexOf(' ')] : null;

    [Fact]
    public async Task A_node_cut_off_gives_its_VIP_up_before_the_survivors_take_it_with_watchdog_fencing_and_no_device()
    {
        var victim = await stack.StartAsync();
        var survivors = NetnsStack.All.Where(n => n != victim).ToArray();
        stack.Network.Link(victim, 0, up: false);
        var active = await stack.RunsSomewhere(survivors);
        string Logs() => string.Join("\n", survivors.Select(cluster.Log));
        await cluster.WaitUntil("the survivors count the victim fenced", () => LineTime(Logs(), $"{victim} fenced (") is not null, TimeSpan.FromSeconds(10));
        var fencedAt = LineTime(Logs(), $"{victim} fenced (")!;
        // The victim's VIP was gone before: stopped for want of quorum, or the node reset itself.
        var victimLog = cluster.Log(victim);
        var gaveUpAt = new[] { LineTime(victimLog, "p_ip_mysql stop: ok"), LineTime(victimLog, "self-fencing this machine") }.Where(t => t is not null).Min();
        Assert.True(gaveUpAt is not null, $"the victim neither stopped its VIP nor reset itself:\n{victimLog}");
        Assert.True(string.CompareOrdinal(gaveUpAt, fencedAt) < 0, $"{victim} gave its VIP up at {gaveUpAt}, but the survivors counted it fenced at {fencedAt}");
        Assert.Contains("by its watchdog", Logs());
        output.WriteLine($"{victim} gave its VIP up at {gaveUpAt}; the survivors counted it fenced at {fencedAt}; the VIP runs on {active}");
        Assert.Equal([active], stack.VipOn(NetnsStack.All));
    }
}
