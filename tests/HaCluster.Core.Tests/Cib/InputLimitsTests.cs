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

    /// <summary>(Reading XML that deep costs time quadratic in the depth — a minute at 100,000 — a limit on the document's depth is still to come: issue 22.)</summary>
    [Fact]
    public void An_xml_rule_nested_ten_thousand_deep_is_an_error()
    {
        const int n = 10_000;
        var xml = "<cib><configuration><crm_config/><nodes/><resources><primitive id=\"a\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/></resources>" +
                  "<constraints><rsc_location id=\"l\" rsc=\"a\"><rule id=\"r\" score=\"100\">" +
                  string.Concat(Enumerable.Range(0, n).Select(i => $"<rule id=\"r{i}\">")) + "<expression id=\"e\" attribute=\"x\" operation=\"eq\" value=\"1\"/>" +
                  string.Concat(Enumerable.Repeat("</rule>", n)) + "</rule></rsc_location></constraints></configuration></cib>";
        var parsed = CibXmlReader.Parse(xml, "deep.xml");
        Assert.Contains(parsed.Diagnostics, d => d.IsError && d.Message.Contains($"nested more than {InputLimits.MaxRuleDepth} deep"));
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
