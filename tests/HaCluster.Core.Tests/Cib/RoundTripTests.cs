using HaCluster.Core.Cib;
using HaCluster.Core.Cib.Syntax;
using Xunit;
using Xunit.Abstractions;

namespace HaCluster.Core.Tests.Cib;

public class RoundTripTests(ITestOutputHelper log)
{
    public static IEnumerable<object[]> Seeds() => Enumerable.Range(1, 400).Select(i => new object[] { i });

    private static ClusterConfig Reparse(ClusterConfig model, ConfigurationFormat format, out string text)
    {
        text = ConfigurationFiles.Write(model, format);
        var r = ConfigurationFiles.Parse(text, "roundtrip", format);
        Assert.False(r.HasErrors, $"{format} output did not parse back:\n{string.Join("\n", r.Diagnostics)}\n---\n{text}");
        return r.Config!;
    }

    private void AssertRoundTrip(ClusterConfig model, ConfigurationFormat format)
    {
        var back = Reparse(model, format, out var text);
        if (back != model)
        {
            log.WriteLine(text);
            log.WriteLine("--- reprinted:");
            log.WriteLine(ConfigurationFiles.Write(back, format));
        }
        if (back != model) Assert.Fail(FirstDifference(model.ToString(), back.ToString()));
    }

    /// <summary>The models' text around the first character where they differ.</summary>
    internal static string FirstDifference(string expected, string actual)
    {
        var i = 0;
        while (i < expected.Length && i < actual.Length && expected[i] == actual[i]) i++;
        var from = Math.Max(0, i - 150);
        string Around(string s) => s.Substring(from, Math.Min(s.Length - from, 300));
        return $"models differ at character {i}:\nexpected: ...{Around(expected)}\nactual:   ...{Around(actual)}";
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Random_models_survive_crm_print_and_parse(int seed) => AssertRoundTrip(new RandomModels(seed).Next(), ConfigurationFormat.Crm);

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Random_models_survive_xml_write_and_read(int seed) => AssertRoundTrip(new RandomModels(seed).Next(), ConfigurationFormat.Xml);

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Random_models_survive_yaml_write_and_read(int seed) => AssertRoundTrip(new RandomModels(seed).Next(), ConfigurationFormat.Yaml);

    [Fact]
    public void Crm_printing_is_stable_canonical_text()
    {
        for (int seed = 1; seed <= 50; seed++)
        {
            var model = new RandomModels(seed).Next();
            var once = CrmPrinter.Print(model);
            var twice = CrmPrinter.Print(CrmParser.Parse(once).Config!);
            Assert.Equal(once, twice);
        }
    }
}
