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
}
