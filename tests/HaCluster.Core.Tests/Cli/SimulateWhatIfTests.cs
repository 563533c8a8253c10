using System.Xml.Linq;
using Xunit;

namespace HaCluster.Core.Tests.Cli;

/// <summary>hacrm simulate's what-if options and its transition graph.</summary>
public sealed class SimulateWhatIfTests : IDisposable
{
    private readonly string file = Path.Combine(Path.GetTempPath(), $"whatif-{Guid.NewGuid():N}.crm");

    public SimulateWhatIfTests() => File.WriteAllText(file, """
        node node1
        node node2
        property stonith-enabled=false
        primitive vip IPaddr2 params ip=10.0.0.5 op monitor interval=10s
        primitive web Dummy op monitor interval=20s
        group g vip web
        location pref g 100: node1
        """);

    public void Dispose() => File.Delete(file);

    [Fact]
    public void A_configuration_alone_starts_on_its_nodes_and_the_graph_orders_the_group()
    {
        var (exit, output, _) = CliRunner.Run("simulate", "--config", file, "--graph");
        Assert.Equal(0, exit);
        Assert.Contains("Start      vip             ( node1 )", output);
        var graph = output[output.IndexOf("Transition Graph:", StringComparison.Ordinal)..].Split('\n').Select(l => l.Trim()).ToList();
        Assert.Contains("[1] vip_start_0 on node1", graph);
        Assert.Contains(graph, l => l.StartsWith("[3] web_start_0 on node1  after 1", StringComparison.Ordinal));
        Assert.Contains(graph, l => l.StartsWith("[4] web_monitor_20000 on node1  after 3", StringComparison.Ordinal));
    }

    [Fact]
    public void Short_d_takes_a_node_down_and_short_t_sets_the_time_as_in_crm_simulate()
    {
        // -d NODE was once also --date's short option, and "node1" was silently read as a date.
        var (exit, output, _) = CliRunner.Run("simulate", "--config", file, "-d", "node1");
        Assert.Equal(0, exit);
        Assert.Contains("Start      vip             ( node2 )", output);
        var (dated, _, error) = CliRunner.Run("simulate", "--config", file, "-t", "2024-01-31T12:00:00Z");
        Assert.True(dated == 0, error);
        Assert.NotEqual(0, CliRunner.Run("simulate", "--config", file, "-t", "node1").Exit);
    }

    [Fact]
    public void A_node_taken_down_sends_the_group_to_the_other_node()
    {
        var (exit, output, _) = CliRunner.Run("simulate", "--config", file, "--node-down", "node1");
        Assert.Equal(0, exit);
        Assert.Contains("Start      vip             ( node2 )", output);
        Assert.Contains("Start      web             ( node2 )", output);
    }

    [Fact]
    public async Task Save_output_after_settling_writes_a_steady_state_neither_scheduler_acts_on()
    {
        // A cold start carried out and saved (crm_simulate -S -O's job) is how large steady-state
        // inputs are made: probes that found nothing, starts and recurring monitors are recorded
        // with Pacemaker's parameter digests, so crm_simulate itself has nothing left to do.
        var saved = file + ".steady.xml";
        try
        {
            var (exit, _, _) = CliRunner.Run("simulate", "--config", file, "--settle", "--save-output", saved);
            Assert.Equal(0, exit);
            var xml = XDocument.Load(saved);
            var ops = xml.Descendants("node_state").Where(n => (string?)n.Attribute("uname") == "node2")
                .Descendants("lrm_rsc_op").Select(o => $"{o.Parent!.Attribute("id")!.Value} {o.Attribute("operation")!.Value} {o.Attribute("interval")!.Value} {o.Attribute("rc-code")!.Value}").ToList();
            Assert.Equal(new[] { "vip monitor 0 7", "web monitor 0 7" }, ops);
            var (again, output, _) = CliRunner.Run("simulate", "--xml", saved);
            Assert.Equal(0, again);
            Assert.EndsWith("Transition Summary:", output.Replace("\r\n", "\n").TrimEnd());

            Assert.True(File.Exists(HaCluster.Core.Tests.Policy.CrmSimulateDifferentialTests.CrmSimulate), "crm_simulate is missing: the test command installs pacemaker-cli-utils");
            var psi = new System.Diagnostics.ProcessStartInfo(HaCluster.Core.Tests.Policy.CrmSimulateDifferentialTests.CrmSimulate, ["-S", "-x", saved]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var pcmk = System.Diagnostics.Process.Start(psi)!;
            _ = pcmk.StandardError.ReadToEndAsync();
            var pcmkOutput = await pcmk.StandardOutput.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(60));
            await pcmk.WaitForExitAsync();
            Assert.DoesNotContain("Resource action", pcmkOutput);
            Assert.Contains("Started node1", pcmkOutput);
        }
        finally
        {
            File.Delete(saved);
        }
    }

    [Fact]
    public void A_malformed_operation_injection_is_a_usage_error()
    {
        var (exit, _, error) = CliRunner.Run("simulate", "--config", file, "--op-fail", "web-monitor=7");
        Assert.Equal(2, exit);
        Assert.Contains("RSC_TASK_INTERVAL@NODE=RC", error);
        Assert.Equal(2, CliRunner.Run("simulate", "--config", file, "--op-fail", "nosuch_monitor_10000@node1=7").Exit);
    }

    [Fact]
    public void Run_carries_the_transition_out_and_prints_the_revised_status()
    {
        var (exit, output, _) = CliRunner.Run("simulate", "--config", file, "--run");
        Assert.Equal(0, exit);
        var revised = output[output.IndexOf("Revised Cluster Status:", StringComparison.Ordinal)..];
        Assert.Contains("vip\t(ocf:heartbeat:IPaddr2):\t Started node1", revised);
        Assert.Contains("web\t(ocf:heartbeat:Dummy):\t Started node1", revised);
        // What runs after the transition needs nothing more: simulating again from it is quiet.
        Assert.DoesNotContain("Stopped", revised);
    }
}
