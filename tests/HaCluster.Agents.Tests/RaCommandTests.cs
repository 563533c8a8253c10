using HaCluster.Cli;

namespace HaCluster.Agents.Tests;

/// <summary>hacrm ra, run in-process as an operator would.</summary>
public sealed class RaCommandTests : IDisposable
{
    private readonly TestDirectory dir = new();

    public void Dispose() => dir.Dispose();

    private static (int Exit, string Out, string Err) Hacrm(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = CliApp.Run(args, output, error);
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public void Classes_lists_every_class_and_the_OCF_providers()
    {
        var (exit, output, _) = Hacrm("ra", "classes");
        Assert.Equal(0, exit);
        Assert.Equal(["ocf / heartbeat pacemaker", "lsb", "service", "systemd", "upstart", "stonith"], output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void List_shows_a_providers_agents()
    {
        var (exit, output, _) = Hacrm("ra", "list", "ocf:heartbeat");
        Assert.Equal(0, exit);
        Assert.Contains("heartbeat:IPaddr2", output.Split('\n'));
        Assert.DoesNotContain("pacemaker:Stateful", output);
        Assert.Equal(2, Hacrm("ra", "list", "nosuchclass").Exit);
    }

    [Fact]
    public void Info_shows_required_parameters_and_advised_timeouts()
    {
        var (exit, output, _) = Hacrm("ra", "info", "ocf:heartbeat:IPaddr2");
        Assert.Equal(0, exit);
        Assert.Contains("ip* (string): IPv4 or IPv6 address", output);
        Assert.Contains("start            timeout=20s", output);
        Assert.Contains("monitor          timeout=20s interval=10s", output);
        Assert.Equal(1, Hacrm("ra", "info", "ocf:heartbeat:NoSuch").Exit);
    }

    [Fact]
    public void Exec_exits_with_the_agents_own_status()
    {
        var state = dir["exec.state"];
        var start = Hacrm("ra", "exec", "ocf:heartbeat:Dummy", "start", $"state={state}");
        Assert.Equal(0, start.Exit);
        Assert.StartsWith("ocf:heartbeat:Dummy start: ok (rc=0) in ", start.Out);
        Assert.Equal(0, Hacrm("ra", "exec", "ocf:heartbeat:Dummy", "monitor", $"state={state}").Exit);
        Assert.Equal(0, Hacrm("ra", "exec", "ocf:heartbeat:Dummy", "stop", $"state={state}").Exit);
        var monitor = Hacrm("ra", "exec", "ocf:heartbeat:Dummy", "monitor", $"state={state}");
        Assert.Equal(7, monitor.Exit);
        Assert.Contains("not running (rc=7)", monitor.Out);
    }

    [Fact]
    public void Exec_of_a_hanging_agent_times_out_with_status_124_and_says_so()
    {
        var ocf = dir.OcfRoot();
        dir.Script("ocf/resource.d/test/hang", "#!/bin/sh\nsleep 30\n");
        var (exit, output, _) = Hacrm("ra", "exec", "ocf:test:hang", "start", "--timeout", "300ms", "--ocf-root", ocf);
        Assert.Equal(124, exit);
        Assert.Contains("timed out after", output);
    }

    [Fact]
    public void Exec_rejects_a_malformed_agent_or_parameter()
    {
        Assert.Equal(2, Hacrm("ra", "exec", "ocf:Dummy", "start").Exit);
        Assert.Equal(2, Hacrm("ra", "exec", "ocf:heartbeat:Dummy", "start", "novalue").Exit);
        Assert.Equal(2, Hacrm("ra", "exec", "ocf:heartbeat:Dummy", "start", "--timeout", "soon").Exit);
    }

    [Fact]
    public void Verify_checks_parameters_against_the_installed_agents()
    {
        var file = Path.Combine(dir.Root, "c.crm");
        File.WriteAllText(file, "primitive p_ip ocf:heartbeat:IPaddr2 params cidr_netmask=24\n");
        var (exit, _, error) = Hacrm("configure", "verify", file);
        Assert.Equal(1, exit);
        Assert.Contains("primitive p_ip: ocf:heartbeat:IPaddr2 requires parameter ip", error);
        Assert.Equal(0, Hacrm("configure", "verify", "--no-agents", file).Exit);
    }
}
