using HaCluster.Core.Cib.Syntax;
using HaCluster.Simulation.Fuzzing;
using Xunit;
using Xunit.Abstractions;

namespace HaCluster.Simulation.Tests;

/// <summary>
/// Every reader of outside input, fed mutated copies of valid inputs, answers with an error or a
/// drop and never throws (issue 22). CI runs a few thousand per syntax; bench/fuzz.sh runs
/// 100,000 per syntax and 1,000,000 packets.
/// </summary>
public sealed class InputFuzzingTests(ITestOutputHelper output)
{
    [Fact]
    public void Mutated_packets_messages_configurations_and_cluster_yaml_never_crash_a_reader()
    {
        var reports = InputFuzzer.All(perSyntax: 2_000, packets: 20_000, seed: 1, SampleConfigurations.Load()).ToList();
        foreach (var r in reports) output.WriteLine(r.ToString());
        Assert.All(reports, r => Assert.True(r.Crashes == 0, r.ToString()));
        Assert.True(SampleConfigurations.Load().Count > 5, "the repository's samples were not found");
    }

    /// <summary>Found by the fuzzer: an operation attribute with an empty name (a YAML key "name,") crashed hacrm configure verify.</summary>
    [Fact]
    public void An_operation_attribute_with_an_empty_name_is_an_error_not_a_crash()
    {
        const string yaml = "resources:\n- primitive: p\n  agent: ocf:heartbeat:Dummy\n  ops:\n  - {name,: stop, timeout: 300s}\n";
        var parsed = ConfigurationFiles.ParseAndValidate(yaml, "x.yaml", ConfigurationFormat.Yaml);
        Assert.Contains(parsed.Diagnostics, d => d.IsError && d.Message.Contains("not a valid attribute name"));
    }
}
