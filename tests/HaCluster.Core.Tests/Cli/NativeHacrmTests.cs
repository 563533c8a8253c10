using Xunit;
using static HaCluster.Core.Tests.Cli.CliRunner;

namespace HaCluster.Core.Tests.Cli;

/// <summary>
/// The natively compiled hacrm (what the README installs: it starts in milliseconds) says exactly
/// what the JIT build says, for every kind of command that reads input: CIB XML, crm and YAML
/// configurations, agents' meta-data.
/// </summary>
public sealed class NativeHacrmTests
{
    private static string Cib(string name) => Path.Combine(TestPaths.ConformanceXml, name + ".xml");

    public static TheoryData<string[]> Commands()
    {
        var demo = Path.Combine(TestPaths.Samples, "demo.crm");
        var mysql = Path.Combine(TestPaths.Samples, "openstack-mysql.crm");
        return new TheoryData<string[]>
        {
            new[] { "status", "--xml", Cib("inc10") },
            // A CIB with its execution-date: the XML carries "now" (last_update), which must not
            // move between the two runs.
            new[] { "status", "--xml", Cib("dc-fence-ordering"), "--output-as", "xml" },
            new[] { "status", "--xml", Cib("clone-no-shuffle"), "-A", "-f", "-o" },
            new[] { "simulate", "--xml", Cib("anti-colocation-promoted") },
            new[] { "simulate", "--xml", Cib("clone-no-shuffle"), "--show-scores" },
            new[] { "simulate", "--xml", Cib("inc10"), "--run" },
            new[] { "configure", "verify", mysql },
            new[] { "configure", "convert", demo, "--to", "yaml" },
            new[] { "configure", "convert", demo, "--to", "xml" },
            new[] { "ra", "info", "ocf:heartbeat:Dummy" },
            new[] { "ra", "list", "ocf:pacemaker" },
            new[] { "configure", "verify", "/nonexistent/cluster.crm" },
        };
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public void The_native_build_prints_what_the_jit_build_prints(string[] args)
    {
        var jit = Run(args);
        var native = NativeHacrm.Run(args);
        Assert.Equal(jit.Exit, native.Exit);
        Assert.Equal(jit.Out, native.Out);
        Assert.Equal(jit.Err, native.Err);
    }

    [Fact]
    public void The_native_build_reads_a_yaml_configuration_it_wrote()
    {
        var yaml = Path.Combine(Path.GetTempPath(), $"hacluster-native-{Guid.NewGuid():N}.yaml");
        try
        {
            var converted = NativeHacrm.Run("configure", "convert", Path.Combine(TestPaths.Samples, "demo.crm"), "--to", "yaml");
            Assert.Equal(0, converted.Exit);
            File.WriteAllText(yaml, converted.Out);
            var verified = NativeHacrm.Run("configure", "verify", yaml);
            Assert.Equal(0, verified.Exit);
            Assert.Contains("4 primitives", verified.Out);
        }
        finally
        {
            File.Delete(yaml);
        }
    }
}
