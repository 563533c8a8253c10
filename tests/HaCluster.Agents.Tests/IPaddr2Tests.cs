using System.Diagnostics;
using HaCluster.Core.Cib;

namespace HaCluster.Agents.Tests;

/// <summary>
/// The real IPaddr2 adds and removes a VIP, inside a network namespace this test creates (so
/// nothing touches the machine's own interfaces) and removes again.
/// </summary>
public sealed class IPaddr2Tests : IDisposable
{
    private readonly TestDirectory dir = new();
    private readonly string ns = $"hacl-ag-{Environment.ProcessId}-{Random.Shared.Next(10000)}";

    public IPaddr2Tests()
    {
        Ip("netns", "add", ns);
        Ip("-n", ns, "link", "add", "vip0", "type", "veth", "peer", "name", "vip0peer");
        Ip("-n", ns, "link", "set", "vip0peer", "up");
        Ip("-n", ns, "addr", "add", "10.77.0.1/24", "dev", "vip0");
        Ip("-n", ns, "link", "set", "vip0", "up");
        Ip("-n", ns, "link", "set", "lo", "up");
    }

    public void Dispose()
    {
        Ip("netns", "del", ns);
        dir.Dispose();
    }

    private static string Ip(params string[] args)
    {
        var psi = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        return output;
    }

    [Fact]
    public async Task IPaddr2_adds_and_removes_a_VIP_in_a_namespace_without_waiting_for_send_arp()
    {
        // The real agent, entered into our namespace; the environment passes through ip netns exec.
        var ocf = dir.OcfRoot();
        dir.Script("ocf/resource.d/test/IPaddr2", $"#!/bin/sh\nexec ip netns exec {ns} /usr/lib/ocf/resource.d/heartbeat/IPaddr2 \"$@\"\n");
        var runner = new AgentRunner(dir.Paths(ocf));
        AgentAction Action(string name) => new()
        {
            ResourceId = "p_vip",
            Agent = AgentSpec.TryParse("ocf:test:IPaddr2")!,
            Name = name,
            Parameters = new Dictionary<string, string> { ["ip"] = "10.77.0.50", ["cidr_netmask"] = "24", ["nic"] = "vip0" },
            Timeout = TimeSpan.FromSeconds(20),
        };

        Assert.Equal(OcfExitCode.NotRunning, (await runner.RunAsync(Action("monitor"))).Code);
        var start = await runner.RunAsync(Action("start"));
        Assert.True(start.Code == OcfExitCode.Success, start.Summary() + "\n" + start.Stderr);
        Assert.Contains("10.77.0.50/24", Ip("-n", ns, "addr", "show", "dev", "vip0"));
        // send_arp keeps the agent's stdout open for about a second after the agent exits.
        Assert.True(start.Duration < TimeSpan.FromMilliseconds(900), $"start took {start.Duration.TotalMilliseconds:0} ms");
        Assert.Equal(OcfExitCode.Success, (await runner.RunAsync(Action("monitor"))).Code);

        Assert.Equal(OcfExitCode.Success, (await runner.RunAsync(Action("stop"))).Code);
        Assert.DoesNotContain("10.77.0.50", Ip("-n", ns, "addr", "show", "dev", "vip0"));
        Assert.Equal(OcfExitCode.NotRunning, (await runner.RunAsync(Action("monitor"))).Code);
    }
}
