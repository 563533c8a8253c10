using HaCluster.Agents.Attributes;

namespace HaCluster.Agents.Tests;

public sealed class SpoolNamesTests
{
    private readonly SpoolNames names = new("/run/spool", "test");

    [Fact]
    public void A_resources_actions_reuse_one_spool_name()
    {
        var first = names.Acquire("db:1");
        names.Release(first);
        Assert.Equal(first, names.Acquire("db:1"));
        Assert.StartsWith("/run/spool/", first);
        Assert.EndsWith("-db:1.spool", first);
    }

    [Fact]
    public void Two_actions_of_one_resource_at_once_get_distinct_names()
    {
        var a = names.Acquire("db");
        var b = names.Acquire("db");
        Assert.NotEqual(a, b);
        Assert.NotEqual(a, names.Acquire("web"));
    }

    [Theory]
    [InlineData("../etc/passwd")]
    [InlineData(".hidden")]
    [InlineData("")]
    public void An_id_that_is_no_safe_file_name_gets_a_numbered_name(string id)
    {
        var path = names.Acquire(id);
        Assert.Equal("/run/spool", Path.GetDirectoryName(path));
        Assert.Matches(@"-#\d+\.spool$", path);
    }
}
