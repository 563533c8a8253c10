using Xunit;

namespace HaCluster.Core.Tests.Cli;

/// <summary>hacrm simulate, in-process, on Pacemaker's own scheduler inputs.</summary>
public class SimulateCommandTests
{
    private static (int Exit, string Out, string Err) Run(params string[] args) => CliRunner.Run(args);

    private static string Cib(string name) => Path.Combine(TestPaths.ConformanceXml, name + ".xml");

    [Fact]
    public void Prints_status_then_a_transition_summary_in_crm_simulate_format()
    {
        var (exit, output, _) = Run("simulate", "--xml", Cib("simple4"));
        Assert.Equal(0, exit);
        Assert.Contains("Current cluster status:", output);
        Assert.Contains("Transition Summary:\n  * Stop       rsc1            ( node1 )  due to node availability", output.Replace("\r\n", "\n"));
    }

    [Fact]
    public void Honours_the_cib_execution_date_and_says_so()
    {
        var (_, output, _) = Run("simulate", "--xml", Cib("anti-colocation-promoted"));
        Assert.Contains("Using the original execution date of: 2016-04-29", output);
    }

    [Fact]
    public void Show_scores_prints_allocation_scores_per_node()
    {
        var (_, output, _) = Run("simulate", "--xml", Cib("comments"), "--show-scores");
        Assert.Contains("pcmk__primitive_assign: rsc1 allocation score on node2: -INFINITY", output);
        Assert.Contains("pcmk__primitive_assign: rsc2 allocation score on node2: 0", output);
    }

    [Fact]
    public void Explain_names_the_constraints_that_decided()
    {
        var (_, output, _) = Run("simulate", "--xml", Cib("comments"), "--explain", "rsc1");
        Assert.Contains("rsc1 (ocf:heartbeat:apache): now stopped; next Started on node1", output);
        Assert.Contains("-INFINITY on node2: location run_rsc1", output);
    }

    [Fact]
    public void Without_input_it_is_a_usage_error()
    {
        var (exit, _, error) = Run("simulate");
        Assert.Equal(2, exit);
        Assert.Contains("--xml", error);
    }

    [Fact]
    public void Runs_on_a_configuration_file_without_status()
    {
        var (exit, output, _) = Run("simulate", "--config", Path.Combine(TestPaths.Samples, "openstack-mysql.crm"));
        Assert.Equal(0, exit);
        Assert.Contains("Transition Summary:", output);
    }
}
