using HaCluster.Core.Cib.Syntax;
using HaCluster.Core.Membership;
using Xunit;

namespace HaCluster.Core.Tests.Cib;

/// <summary>
/// Inputs nested far deeper than any configuration are refused with a located error; before
/// these limits each of them overflowed the stack and killed hacrm or haclusterd (issue 22).
/// </summary>
public sealed class InputLimitsTests
{
    [Fact]
    public void A_crm_rule_nested_ten_thousand_parentheses_deep_is_an_error_at_the_first_one_too_deep()
    {
        const int n = 10_000;
        var crm = "primitive a ocf:heartbeat:Dummy\nlocation l a rule 100: " + new string('(', n) + "x eq 1" + new string(')', n) + "\n";
        var parsed = CrmParser.Parse(crm, "deep.crm");
        var error = Assert.Single(parsed.Diagnostics, d => d.IsError);
        Assert.Contains($"nested more than {InputLimits.MaxRuleDepth} deep", error.Message);
        Assert.Equal(2, error.Location!.Value.Line);
    }

    private static string XmlRule(int depth) =>
        "<cib><configuration><crm_config/><nodes/><resources><primitive id=\"a\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/></resources>" +
        "<constraints><rsc_location id=\"l\" rsc=\"a\"><rule id=\"r\" score=\"100\">" +
        string.Concat(Enumerable.Range(0, depth).Select(i => $"<rule id=\"r{i}\">")) + "<expression id=\"e\" attribute=\"x\" operation=\"eq\" value=\"1\"/>" +
        string.Concat(Enumerable.Repeat("</rule>", depth)) + "</rule></rsc_location></constraints></configuration></cib>";

    [Fact]
    public void An_xml_rule_nested_deeper_than_the_rule_limit_is_an_error()
    {
        var parsed = CibXmlReader.Parse(XmlRule(InputLimits.MaxRuleDepth + 5), "deep.xml");
        Assert.Contains(parsed.Diagnostics, d => d.IsError && d.Message.Contains($"nested more than {InputLimits.MaxRuleDepth} deep"));
    }

    /// <summary>LINQ to XML checks each node added against its ancestors: 100,000 deep once took 48 s to read.</summary>
    [Theory]
    [InlineData(10_000)]
    [InlineData(100_000)]
    public void An_xml_document_nested_far_too_deep_is_refused_at_the_first_element_too_deep(int depth)
    {
        var parsed = CibXmlReader.Parse(XmlRule(depth), "deep.xml");
        var error = Assert.Single(parsed.Diagnostics, d => d.IsError);
        Assert.Contains($"elements nested more than {InputLimits.MaxXmlDepth} deep", error.Message);
        Assert.Equal(1, error.Location!.Value.Line);
    }

    [Fact]
    public void A_cluster_yaml_nesting_a_hundred_thousand_sequences_is_an_error_not_a_crash()
    {
        var yaml = "cluster_name: x\nnodes:\n" + string.Concat(Enumerable.Repeat("- ", 100_000)) + "a\n";
        var read = ClusterBootstrapReader.Parse(yaml, "cluster.yaml");
        Assert.True(read.HasErrors);
        Assert.Contains(read.Diagnostics, d => d.Message.Contains($"nested more than {YamlNesting.MaxDepth} deep") && d.Location!.Value.Line == 3);
    }

    [Fact]
    public void A_configuration_yaml_nesting_a_hundred_thousand_block_sequences_is_an_error_not_a_crash()
    {
        var yaml = "resources:\n  - " + string.Concat(Enumerable.Repeat("- ", 100_000)) + "a\n";
        var parsed = CibYamlReader.Parse(yaml, "cib.yaml");
        Assert.Contains(parsed.Diagnostics, d => d.IsError && d.Message.Contains("nested more than"));
    }

    [Fact]
    public void Control_bytes_in_cluster_yaml_are_a_located_error()
    {
        var read = ClusterBootstrapReader.Parse("cluster_name: x\0\u00ff\nnodes: []\n", "cluster.yaml");
        Assert.True(read.HasErrors);
        Assert.NotNull(read.Diagnostics.First(d => d.IsError).Location);
    }
}
