namespace HaCluster.Cluster.Tests;

/// <summary>
/// Seed 003's MySQL stack (<see cref="NetnsStack"/>: Stateful for DRBD, an IPaddr2 VIP, Dummy for
/// the filesystem and mysqld, fence_netns as the PDU) loses its active node two ways; the
/// survivors fence it, promote on a survivor and start the group there, and the client reaches
/// the VIP on the survivor's MAC.
/// </summary>
public sealed class NetnsStackTests : IDisposable
{
    private readonly NetnsStack stack = new();
    private TestCluster cluster => stack.Cluster;

    public void Dispose() => stack.Dispose();

    private async Task FailsOverFrom(string victim)
    {
        var survivors = NetnsStack.All.Where(n => n != victim).ToArray();
        var active = await stack.RunsSomewhere(survivors);
        // Powered off by the fence agent: nothing of the victim runs, its link is down.
        Assert.Empty(stack.Network.Pids(victim));
        Assert.DoesNotContain("state UP", stack.Network.Exec(victim, "ip", "-o", "link", "show", "ring0").Output);
        // The DC fenced the victim before the stand-in DRBD was promoted on the survivor (one
        // machine, one clock: the log lines' times compare).
        string Logs() => string.Join("\n", survivors.Select(cluster.Log));
        await cluster.WaitUntil("the logs say the victim was fenced", () => Logs().Contains($"{victim} fenced (off)"), TimeSpan.FromSeconds(10));
        await cluster.WaitForLog(active, "promote: ok");
        var fencedAt = LineTime(Logs(), $"{victim} fenced (off)");
        var promotedAt = LineTime(cluster.Log(active), "promote: ok", last: true);
        Assert.True(string.CompareOrdinal(fencedAt, promotedAt) <= 0, $"{victim} fenced at {fencedAt}, but promoted on {active} at {promotedAt}");
        // Every survivor shows the fencing in its status, whichever was DC.
        await cluster.WaitUntil("every survivor knows of the fencing", () => survivors.All(n =>
            cluster.Status(n)?.FencingHistory?.Any(e => e.Target == victim && e.Action == "off" && e.Ok && e.Device == "st_pdu") == true), TimeSpan.FromSeconds(5));
        foreach (var n in survivors)
        {
            var reply = cluster.Status(n)!;
            var printed = new StringWriter();
            HaCluster.Core.Status.Views.LiveStatusView.PrintText(reply, printed, null, DateTimeOffset.UtcNow);
            Assert.Contains($"* off of {victim} successful: delegate=", printed.ToString());
            // The same in crm_mon's XML layout, where scripts look for it.
            var xml = new StringWriter();
            // (Exit 1: degraded, the fenced node is offline.)
            Assert.Equal(1, HaCluster.Cli.CliApp.Run(["--socket", cluster.Socket(n), "status", "--output-as", "xml"], xml, new StringWriter()));
            var doc = System.Xml.Linq.XDocument.Parse(xml.ToString());
            Assert.Contains(doc.Root!.Element("fence_history")!.Elements("fence_event"),
                e => (string?)e.Attribute("target") == victim && (string?)e.Attribute("status") == "success");
            Assert.Equal(active, (string?)doc.Root.Element("resources")!.Descendants("resource")
                .Single(r => (string?)r.Attribute("id") == "p_ip_mysql").Element("node")!.Attribute("name"));
        }
        // The promotion ended the instance's unpromoted monitor (3 s), whatever number the
        // scheduler gave the instance before: nothing reports a failure once the stack runs.
        await Task.Delay(TimeSpan.FromSeconds(3.5));
        Assert.DoesNotContain("monitor failed", Logs());
    }

    /// <summary>The time stamp (HH:mm:ss.fff) of the first (or last) log line containing <paramref name="text"/>.</summary>
    private static string LineTime(string log, string text, bool last = false)
    {
        var lines = log.Split('\n').Where(l => l.Contains(text, StringComparison.Ordinal));
        var line = last ? lines.Last() : lines.First();
        return line[..line.IndexOf(' ')];
    }

    [Fact]
    public async Task After_kill_9_of_the_active_nodes_daemon_it_is_fenced_and_the_stack_moves_in_order_with_its_VIP()
    {
        var victim = await stack.StartAsync();
        cluster.Kill(victim);
        await FailsOverFrom(victim);
    }

    [Fact]
    public async Task When_the_active_node_loses_its_link_it_is_fenced_and_the_stack_moves_in_order_with_its_VIP()
    {
        var victim = await stack.StartAsync();
        stack.Network.Link(victim, 0, up: false);
        await FailsOverFrom(victim);
    }
}
