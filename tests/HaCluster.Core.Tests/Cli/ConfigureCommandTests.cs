using Xunit;

namespace HaCluster.Core.Tests.Cli;

/// <summary>hacrm configure verify/convert/show, run in-process as an operator would run them.</summary>
public sealed class ConfigureCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hacrm-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static (int Exit, string Out, string Err) Run(params string[] args) => CliRunner.Run(args);

    private static string Sample(string name) => Path.Combine(TestPaths.Samples, name);

    [Fact]
    public void Verify_accepts_a_valid_file_with_exit_0()
    {
        var (exit, output, error) = Run("configure", "verify", Sample("uec-cloud-controller.crm"));
        Assert.Equal(0, exit);
        Assert.Contains("ok (2 nodes, 6 primitives", output);
        Assert.Equal("", error);
    }

    [Fact]
    public void Verify_reports_errors_as_file_line_col_and_exits_1()
    {
        var path = Write("bad.crm", "property stonith-enabled=false\nprimitive a Dummy\ngroup g a missing\n");
        var (exit, output, error) = Run("configure", "verify", path);
        Assert.Equal(1, exit);
        Assert.Equal("", output);
        Assert.Equal($"{path}:3:11: error: group g: unknown resource 'missing'", error.Trim());
    }

    [Fact]
    public void Verify_names_the_file_for_errors_without_a_place()
    {
        var path = Write("x.xml", "<cib><configuration><crm_config/><nodes/><resources>" +
                                  "<primitive id='a' class='ocf' provider='heartbeat' type='Dummy'><meta_attributes id='m'><nvpair id='n' name='target-role' value='Up'/></meta_attributes></primitive>" +
                                  "</resources><constraints/></configuration></cib>");
        var (exit, _, error) = Run("configure", "verify", path);
        Assert.Equal(1, exit);
        Assert.Contains("primitive a: meta target-role: 'Up' is not a role", error);
        Assert.StartsWith(path + ":", error);
    }

    [Fact]
    public void Verify_prints_warnings_but_succeeds_unless_strict()
    {
        var path = Write("warn.crm", "primitive a Dummy\n");
        var (exit, _, error) = Run("configure", "verify", path);
        Assert.Equal(0, exit);
        Assert.Contains("warning: stonith-enabled is true", error);
        Assert.Equal(1, Run("configure", "verify", "--strict", path).Exit);
        Assert.Equal("", Run("configure", "verify", "--quiet", path).Err);
    }

    [Fact]
    public void Verify_checks_every_file_and_fails_if_any_fails()
    {
        var bad = Write("bad.crm", "primitive a ocf::x\n");
        var (exit, output, error) = Run("configure", "verify", Sample("openstack-rabbitmq.crm"), bad);
        Assert.Equal(1, exit);
        Assert.Contains("openstack-rabbitmq.crm: ok", output);
        Assert.Contains("bad.crm:1:13: error:", error);
    }

    [Fact]
    public void Verify_chooses_the_syntax_by_extension_or_format_option()
    {
        var yaml = Write("c.yaml", "properties: { stonith-enabled: \"false\" }\nresources:\n  - { primitive: a, agent: Dummy }\n");
        Assert.Equal(0, Run("configure", "verify", yaml).Exit);
        var unknown = Write("c.conf", "primitive a Dummy\nproperty stonith-enabled=false\n");
        var (exit, _, error) = Run("configure", "verify", unknown);
        Assert.Equal(2, exit);
        Assert.Contains("use --format", error);
        Assert.Equal(0, Run("configure", "verify", "--format", "crm", unknown).Exit);
    }

    [Fact]
    public void A_missing_file_is_an_error_not_a_crash()
    {
        var (exit, _, error) = Run("configure", "verify", Path.Combine(_dir, "nope.crm"));
        Assert.Equal(1, exit);
        Assert.Contains("nope.crm", error);
    }

    [Theory]
    [InlineData("xml", "<rsc_colocation id=\"c_mysql_on_drbd\" score=\"INFINITY\" rsc=\"g_mysql\" with-rsc=\"ms_drbd_mysql\" with-rsc-role=\"Master\"")]
    [InlineData("yaml", "with: ms_drbd_mysql:Master")]
    [InlineData("crm", "colocation c_mysql_on_drbd inf: g_mysql ms_drbd_mysql:Master")]
    public void Convert_prints_the_configuration_in_another_syntax(string to, string expected)
    {
        var (exit, output, _) = Run("configure", "convert", Sample("openstack-mysql.crm"), "--to", to);
        Assert.Equal(0, exit);
        Assert.Contains(expected, output);
    }

    [Fact]
    public void Convert_of_an_invalid_file_prints_nothing_and_exits_1()
    {
        var bad = Write("bad.crm", "primitive a Dummy\ncolocation c inf: a a\n");
        var (exit, output, error) = Run("configure", "convert", bad, "--to", "xml");
        Assert.Equal(1, exit);
        Assert.Equal("", output);
        Assert.Contains("colocates a with itself", error);
    }

    [Fact]
    public void Show_prints_canonical_crm_that_reads_back_the_same()
    {
        var (exit, output, _) = Run("configure", "show", Sample("openstack-mysql.crm"));
        Assert.Equal(0, exit);
        Assert.Contains("primitive p_mysql ocf:heartbeat:mysql \\\n    params additional_parameters=--bind-address=50.56.179.138 config=/etc/mysql/my.cnf", output);
        var again = Write("again.crm", output);
        Assert.Equal(output, Run("configure", "show", again).Out);
    }

    [Fact]
    public void Show_reads_xml_and_yaml_too()
    {
        var xml = Write("m.xml", Run("configure", "convert", Sample("openstack-mysql.crm"), "--to", "xml").Out);
        var yaml = Write("m.yaml", Run("configure", "convert", Sample("openstack-mysql.crm"), "--to", "yaml").Out);
        var fromCrm = Run("configure", "show", Sample("openstack-mysql.crm")).Out;
        Assert.Equal(fromCrm, Run("configure", "show", xml).Out);
        Assert.Equal(fromCrm, Run("configure", "show", yaml).Out);
    }

    [Fact]
    public void Unknown_options_are_usage_errors()
    {
        var (exit, _, error) = Run("configure", "convert", Sample("openstack-mysql.crm"), "--to", "json");
        Assert.NotEqual(0, exit);
        Assert.Contains("json", error);
    }
}
