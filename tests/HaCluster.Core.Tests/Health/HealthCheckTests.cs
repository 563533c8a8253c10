using HaCluster.Core.Cib;
using HaCluster.Core.Cib.Syntax;
using HaCluster.Core.Health;
using Xunit;

namespace HaCluster.Core.Tests.Health;

/// <summary>Health checks: the fall/rise state machine, the three syntaxes and the validator.</summary>
public sealed class HealthCheckTests
{
    private static HealthCheck Check(int fall, int rise) => new("chk", "/bin/true", Fall: fall, Rise: rise);

    [Fact]
    public void The_first_result_decides_then_fall_failures_or_rise_passes_in_a_row_change_the_state()
    {
        var state = new HealthCheckState(Check(fall: 3, rise: 2));
        Assert.Equal("1", state.Record(true));
        Assert.Null(state.Record(false));
        Assert.Null(state.Record(false));
        Assert.Null(state.Record(true));      // a pass breaks the run of failures
        Assert.Null(state.Record(false));
        Assert.Null(state.Record(false));
        Assert.Equal("0", state.Record(false));
        Assert.Equal(false, state.Passing);
        Assert.Null(state.Record(true));
        Assert.Equal("1", state.Record(true));
        var failingFirst = new HealthCheckState(Check(fall: 3, rise: 2));
        Assert.Equal("0", failingFirst.Record(false));
    }

    [Fact]
    public void A_script_line_splits_into_program_and_arguments_as_keepalived_splits_it_without_a_shell()
    {
        Assert.Equal(["/usr/bin/check", "-x", "a b", "it's"], HealthCheck.Words("/usr/bin/check  -x 'a b' \"it's\""));
        Assert.Equal(TimeSpan.FromSeconds(5), Check(1, 1).IntervalTime);
        Assert.Equal(TimeSpan.FromMilliseconds(300), (Check(1, 1) with { Interval = "300ms" }).TimeoutTime);
        Assert.Equal("chk", Check(1, 1).AttributeName);
    }

    private const string Crm = "node n1\nproperty stonith-enabled=false\nprimitive vip Dummy\n" +
                               "location l vip rule -inf: cc-enabled eq 0\n" +
                               "health_check cc-check script=\"/usr/local/bin/check.sh --quiet\" attribute=cc-enabled interval=5s timeout=3s fall=2 rise=3 description=\"is the CC enabled\"\n";

    [Fact]
    public void A_health_check_reads_the_same_in_crm_xml_and_yaml_and_prints_back_unchanged()
    {
        var crm = CrmParser.Parse(Crm, "c.crm");
        Assert.False(crm.HasErrors, string.Join("\n", crm.Diagnostics));
        var check = Assert.Single(crm.Config!.HealthChecks);
        Assert.Equal(new HealthCheck("cc-check", "/usr/local/bin/check.sh --quiet", "cc-enabled", "5s", "3s", 2, 3, "is the CC enabled"), check);
        var xml = CibXmlReader.Parse(CibXmlWriter.Write(crm.Config), "c.xml");
        var yaml = CibYamlReader.Parse(CibYamlWriter.Write(crm.Config), "c.yaml");
        Assert.Equal(crm.Config.HealthChecks, xml.Config!.HealthChecks);
        Assert.Equal(crm.Config.HealthChecks, yaml.Config!.HealthChecks);
        Assert.Equal(crm.Config.HealthChecks, CrmParser.Parse(CrmPrinter.Print(crm.Config), "again.crm").Config!.HealthChecks);
        Assert.Null(ConfigurationEdits.Delete(crm.Config, "cc-check")!.HealthChecks.FirstOrDefault());
    }

    [Theory]
    [InlineData("health_check c interval=5s", "script=\"PROGRAM ARGS\" is required")]
    [InlineData("health_check c script=/bin/true weight=2", "unknown setting 'weight'")]
    [InlineData("health_check c script=/bin/true fall=many", "fall='many' is not a whole number")]
    public void Malformed_health_checks_are_errors_at_their_place(string line, string message)
    {
        var result = CrmParser.Parse("node n1\n" + line + "\n", "c.crm");
        var error = Assert.Single(result.Diagnostics, d => d.IsError);
        Assert.Contains(message, error.Message);
        Assert.Equal(2, error.Location!.Value.Line);
    }

    [Theory]
    [InlineData("health_check c script=check.sh attribute=c", "must start with the program's absolute path")]
    [InlineData("health_check c script=/bin/true attribute=c interval=soon", "interval 'soon' is not a duration")]
    [InlineData("health_check c script=/bin/true attribute=c fall=0", "fall must be from 1 to 1000")]
    [InlineData("health_check c script=/bin/true attribute=\"a b\"", "'a b' cannot be a node attribute's name")]
    public void Unusable_health_checks_are_refused_by_the_validator(string line, string message)
    {
        var result = ConfigurationFiles.ParseAndValidate("node n1\nproperty stonith-enabled=false\nprimitive vip Dummy\nlocation l vip rule -inf: c eq 0\n" + line + "\n", "c.crm", ConfigurationFormat.Crm);
        Assert.Contains(result.Diagnostics, d => d.IsError && d.Message.Contains(message));
    }

    [Fact]
    public void A_check_whose_attribute_no_rule_reads_is_a_warning()
    {
        var result = ConfigurationFiles.ParseAndValidate("node n1\nproperty stonith-enabled=false\nprimitive vip Dummy\nhealth_check c script=/bin/true attribute=cc-enabld\n", "c.crm", ConfigurationFormat.Crm);
        Assert.False(result.HasErrors);
        Assert.Contains(result.Diagnostics, d => !d.IsError && d.Message.Contains("no rule reads node attribute 'cc-enabld'"));
        var yaml = CibYamlReader.Parse("health_checks:\n  - health_check: c\n    script: /bin/true\n    fall: lots\n", "c.yaml");
        Assert.Contains(yaml.Diagnostics, d => d.IsError && d.Message.Contains("fall: 'lots' is not a whole number") && d.Location!.Value.Line == 4);
    }
}
