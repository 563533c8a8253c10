using HaCluster.Core.Cib;

namespace HaCluster.Agents.Tests;

/// <summary>A fence agent of our own speaking the fence-agents stdin protocol.</summary>
public sealed class FenceAgentTests : IDisposable
{
    private readonly TestDirectory dir = new();
    private readonly AgentRunner runner;

    public FenceAgentTests()
    {
        // Records what it was told; keeps each port's power state in a file.
        dir.Script("sbin/fence_test", $$"""
            #!/bin/sh
            log="{{dir.Root}}/fence.log"
            while IFS= read -r line; do
              echo "$line" >> "$log"
              case "$line" in
                action=*) action=${line#action=} ;;
                port=*) port=${line#port=} ;;
                plug=*) port=${line#plug=} ;;
              esac
            done
            echo "---" >> "$log"
            power="{{dir.Root}}/power-$port"
            case "$action" in
              metadata) cat <<'XML'
            <?xml version="1.0" ?>
            <resource-agent name="fence_test" shortdesc="Fence agent for tests">
            <longdesc>Powers test ports off and on.</longdesc>
            <parameters>
              <parameter name="ipaddr" unique="0" required="1"><content type="string"/><shortdesc lang="en">Device address</shortdesc></parameter>
              <parameter name="port" unique="0" required="0"><content type="string"/><shortdesc lang="en">Port</shortdesc></parameter>
            </parameters>
            <actions><action name="off"/><action name="on"/><action name="reboot"/><action name="status"/><action name="monitor"/><action name="metadata"/></actions>
            </resource-agent>
            XML
                exit 0 ;;
              monitor) exit 0 ;;
              off) echo off > "$power"; exit 0 ;;
              on) echo on > "$power"; exit 0 ;;
              reboot) echo on > "$power"; exit 0 ;;
              status) [ "$(cat "$power" 2>/dev/null)" = off ] && exit 2; exit 0 ;;
              list) echo "vm1,vm1"; echo "vm2,vm2"; exit 0 ;;
            esac
            exit 1
            """);
        runner = new AgentRunner(dir.Paths());
    }

    public void Dispose() => dir.Dispose();

    private static readonly Dictionary<string, string> Device = new()
    {
        ["ipaddr"] = "192.0.2.10",
        ["pcmk_host_map"] = "node1:vm1;node2:vm2",
        ["pcmk_host_list"] = "node1 node2",
    };

    private static AgentAction Fence(string action, string? target = null, Dictionary<string, string>? parameters = null) => new()
    {
        ResourceId = "st_xvm",
        Agent = AgentSpec.TryParse("stonith:fence_test")!,
        Name = action,
        Parameters = parameters ?? Device,
        Target = target,
        Timeout = TimeSpan.FromSeconds(10),
    };

    private string[] LastRequest() => File.ReadAllText(dir["fence.log"]).Split("---\n", StringSplitOptions.RemoveEmptyEntries)[^1].Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public async Task The_opennebula_samples_fence_xvm_device_is_asked_for_the_libvirt_domain_not_the_node_name()
    {
        // Seed 004: <fenceinst port="one1"/> for one-server1. fence_xvm knows domains, not nodes.
        var sample = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "samples", "opennebula-frontend.crm");
        var config = HaCluster.Core.Cib.Syntax.CrmParser.Parse(File.ReadAllText(sample), "opennebula-frontend.crm").Config!;
        var device = (Primitive)config.FindResource("p_fence_xvm")!;
        var parameters = device.InstanceAttributes.AllPairs().ToDictionary(p => p.Name, p => p.Value ?? "");
        parameters["ipaddr"] = "192.0.2.10";
        var result = await runner.RunAsync(Fence("off", "one-server1", parameters));
        Assert.Equal(OcfExitCode.Success, result.Code);
        Assert.Contains("port=one1", LastRequest());
        Assert.Contains("nodename=one-server1", LastRequest());
    }

    [Fact]
    public async Task Fencing_sends_the_action_the_mapped_port_and_the_node_name_on_stdin()
    {
        var result = await runner.RunAsync(Fence("off", "node2"));
        Assert.Equal(OcfExitCode.Success, result.Code);
        var request = LastRequest();
        Assert.Equal("action=off", request[0]);
        Assert.Contains("ipaddr=192.0.2.10", request);
        Assert.Contains("port=vm2", request);
        Assert.Contains("nodename=node2", request);
        Assert.DoesNotContain(request, l => l.StartsWith("pcmk_", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Status_reports_off_as_not_running_and_on_as_success()
    {
        Assert.Equal(OcfExitCode.Success, (await runner.RunAsync(Fence("off", "node1"))).Code);
        Assert.Equal(OcfExitCode.NotRunning, (await runner.RunAsync(Fence("status", "node1"))).Code);
        Assert.Equal(OcfExitCode.Success, (await runner.RunAsync(Fence("on", "node1"))).Code);
        Assert.Equal(OcfExitCode.Success, (await runner.RunAsync(Fence("status", "node1"))).Code);
    }

    [Fact]
    public async Task A_device_can_map_reboot_to_off_and_use_another_port_argument()
    {
        var parameters = new Dictionary<string, string>(Device) { ["pcmk_reboot_action"] = "off", ["pcmk_host_argument"] = "plug" };
        Assert.Equal(OcfExitCode.Success, (await runner.RunAsync(Fence("reboot", "node1", parameters))).Code);
        var request = LastRequest();
        Assert.Equal("action=off", request[0]);
        Assert.Contains("plug=vm1", request);
        Assert.Equal("off", File.ReadAllText(dir["power-vm1"]).Trim());
    }

    [Fact]
    public async Task As_a_resource_start_and_monitor_check_the_device_and_stop_runs_nothing()
    {
        Assert.Equal(OcfExitCode.Success, (await runner.RunAsync(Fence("start"))).Code);
        Assert.Equal("action=monitor", LastRequest()[0]);
        var lines = File.ReadAllLines(dir["fence.log"]).Length;
        Assert.Equal(OcfExitCode.Success, (await runner.RunAsync(Fence("stop"))).Code);
        Assert.Equal(lines, File.ReadAllLines(dir["fence.log"]).Length);
    }

    [Fact]
    public async Task A_value_with_a_newline_cannot_inject_another_stdin_line()
    {
        var parameters = new Dictionary<string, string>(Device) { ["ipaddr"] = "192.0.2.10\naction=on" };
        var result = await runner.RunAsync(Fence("off", "node1", parameters));
        Assert.Equal(OcfExitCode.InvalidArgument, result.Code);
        Assert.False(File.Exists(dir["fence.log"]), "the agent ran with an injected line");
    }

    [Fact]
    public async Task Metadata_and_listing_come_from_the_agent()
    {
        var md = await runner.MetadataAsync(AgentSpec.TryParse("stonith:fence_test")!);
        Assert.Equal("Fence agent for tests", md!.ShortDescription);
        Assert.True(md.Parameter("ipaddr")!.Required);
        Assert.Contains("fence_test", runner.List("stonith"));
        var list = await runner.RunAsync(Fence("list"));
        Assert.Contains("vm2,vm2", list.Stdout);
    }

    [Fact]
    public async Task The_real_fence_dummy_agent_powers_a_node_off_and_on()
    {
        var real = new AgentRunner(dir.Paths() with { FenceAgentDirectory = "/usr/sbin" });
        Assert.NotNull(real.Locate(AgentSpec.TryParse("stonith:fence_dummy")!));
        var parameters = new Dictionary<string, string> { ["type"] = "file", ["status_file"] = dir["power"], ["pcmk_host_argument"] = "none" };
        AgentAction Dummy(string action) => Fence(action, "node1", parameters) with { Agent = AgentSpec.TryParse("stonith:fence_dummy")! };
        Assert.Equal(OcfExitCode.Success, (await real.RunAsync(Dummy("on"))).Code);
        Assert.Equal(OcfExitCode.Success, (await real.RunAsync(Dummy("status"))).Code);
        Assert.Equal(OcfExitCode.Success, (await real.RunAsync(Dummy("off"))).Code);
        Assert.Equal(OcfExitCode.NotRunning, (await real.RunAsync(Dummy("status"))).Code);
        Assert.Equal(OcfExitCode.Success, (await real.RunAsync(Dummy("monitor"))).Code);
    }
}
