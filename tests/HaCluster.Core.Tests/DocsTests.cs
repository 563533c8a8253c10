using System.Text.RegularExpressions;
using HaCluster.Core.Cib;
using HaCluster.Core.Cib.Syntax;
using Xunit;

namespace HaCluster.Core.Tests;

/// <summary>docs/configuration.md stays true: every known option is documented, every example parses.</summary>
public class DocsTests
{
    private static string ConfigurationDoc => File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "docs", "configuration.md"));

    [Fact]
    public void Every_known_property_and_meta_attribute_is_documented()
    {
        var doc = ConfigurationDoc;
        foreach (var name in KnownOptions.ClusterProperties.Keys.Concat(KnownOptions.ResourceMeta.Keys))
            Assert.Contains($"`{name}`", doc);
    }

    [Fact]
    public void Every_example_in_the_configuration_reference_parses()
    {
        var blocks = Regex.Matches(ConfigurationDoc, "```(\\w*)\\n(.*?)```", RegexOptions.Singleline);
        Assert.True(blocks.Count >= 6);
        foreach (Match b in blocks)
        {
            var format = b.Groups[1].Value == "yaml" ? ConfigurationFormat.Yaml : ConfigurationFormat.Crm;
            var r = ConfigurationFiles.Parse(b.Groups[2].Value, "doc", format);
            // Examples name resources they do not define; everything else must be right.
            var errors = r.Errors.Where(e => !e.Message.Contains("unknown resource")).ToList();
            Assert.True(errors.Count == 0, $"{b.Groups[2].Value}\n{string.Join("\n", errors)}");
        }
    }

    /// <summary>docs/getting-started.md: its cluster.yaml loads and its configuration examples parse.</summary>
    [Fact]
    public void The_getting_started_examples_are_valid()
    {
        var doc = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "docs", "getting-started.md"));
        var blocks = Regex.Matches(doc, "```(\\w*)\\n(.*?)```", RegexOptions.Singleline).Cast<Match>().ToList();
        var yaml = Assert.Single(blocks, b => b.Groups[1].Value == "yaml");
        var bootstrap = HaCluster.Core.Membership.ClusterBootstrapReader.Parse(yaml.Groups[2].Value);
        Assert.False(bootstrap.HasErrors, string.Join("\n", bootstrap.Diagnostics));
        var crm = blocks.Where(b => b.Groups[2].Value.StartsWith("primitive") || b.Groups[2].Value.StartsWith("property")).ToList();
        Assert.Equal(2, crm.Count);
        foreach (var b in crm)
        {
            var r = CrmParser.Parse(b.Groups[2].Value, "getting-started.md");
            Assert.False(r.HasErrors, string.Join("\n", r.Diagnostics));
        }
    }
}
