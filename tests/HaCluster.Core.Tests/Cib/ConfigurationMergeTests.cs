using HaCluster.Core.Cib;
using HaCluster.Core.Cib.Syntax;
using Xunit;

namespace HaCluster.Core.Tests.Cib;

/// <summary>"configure load update": the file's objects replace those of the same id, wherever they are.</summary>
public class ConfigurationMergeTests
{
    private static ClusterConfig Parse(string crm)
    {
        var parsed = CrmParser.Parse(crm, "t.crm");
        Assert.False(parsed.HasErrors, string.Join("\n", parsed.Diagnostics));
        return parsed.Config!;
    }

    [Fact]
    public void An_updated_group_member_is_replaced_inside_its_group()
    {
        var current = Parse("primitive a Dummy\nprimitive b Dummy\ngroup g a b");
        var merged = ConfigurationMerge.Update(current, Parse("primitive b Dummy params fake=changed"));
        var group = Assert.IsType<Group>(Assert.Single(merged.Resources));
        Assert.Equal(new[] { "a", "b" }, group.Members.Select(m => m.Id));
        Assert.Equal("changed", group.Members[1].Param("fake"));
    }

    [Fact]
    public void An_updated_clone_child_is_replaced_inside_its_clone()
    {
        var current = Parse("primitive a Dummy\nclone c a");
        var merged = ConfigurationMerge.Update(current, Parse("primitive a Dummy params fake=x"));
        var clone = Assert.IsType<Clone>(Assert.Single(merged.Resources));
        Assert.Equal("x", Assert.IsType<Primitive>(clone.Child).Param("fake"));
    }

    [Fact]
    public void New_resources_are_added_after_the_existing_ones()
    {
        var merged = ConfigurationMerge.Update(Parse("primitive a Dummy"), Parse("primitive b Dummy"));
        Assert.Equal(new[] { "a", "b" }, merged.Resources.Select(r => r.Id));
    }
}
