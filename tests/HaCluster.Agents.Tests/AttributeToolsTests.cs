using HaCluster.Agents.Attributes;

namespace HaCluster.Agents.Tests;

public sealed class AttributeToolsTests
{
    private static AttributeUpdate? Parse(string tool, string args, string rsc = "db:1") =>
        AttributeTools.Parse(tool, args.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList(), rsc);

    [Theory]
    [InlineData("crm_attribute", "--promotion -v 10", "master-db", "10", "reboot")]
    [InlineData("crm_attribute", "--promotion=web -v 10", "master-web", "10", "reboot")]
    [InlineData("crm_master", "-l reboot -v 100", "master-db", "100", "reboot")]
    [InlineData("crm_master", "-Q -l forever -v 5", "master-db", "5", "forever")]
    [InlineData("crm_attribute", "-n fw -v ok -l forever", "fw", "ok", "forever")]
    [InlineData("crm_attribute", "-t nodes -N node2 -n site -v east", "site", "east", "forever")]
    [InlineData("crm_attribute", "--name=x --update=y", "x", "y", "reboot")]
    [InlineData("attrd_updater", "-n pingd -v 1000 -d 5s", "pingd", "1000", "reboot")]
    [InlineData("attrd_updater", "-n pingd -U 0", "pingd", "0", "reboot")]
    public void Updates_are_read_from_the_tools_arguments(string tool, string args, string name, string value, string lifetime)
    {
        var update = Parse(tool, args);
        Assert.NotNull(update);
        Assert.Equal(name, update.Name);
        Assert.Equal(value, update.Value);
        Assert.Equal(lifetime, update.Lifetime);
    }

    [Theory]
    [InlineData("crm_attribute", "--promotion -D", "master-db")]
    [InlineData("crm_master", "-l reboot -D", "master-db")]
    [InlineData("attrd_updater", "-n pingd -D", "pingd")]
    public void Deletes_are_updates_without_a_value(string tool, string args, string name)
    {
        var update = Parse(tool, args);
        Assert.True(update!.IsDelete);
        Assert.Equal(name, update.Name);
    }

    [Theory]
    [InlineData("crm_attribute", "-G -n fw -q")]
    [InlineData("crm_master", "-G -q")]
    [InlineData("attrd_updater", "-Q -n pingd")]
    [InlineData("crm_attribute", "-t crm_config -n stonith-enabled -v false")]
    public void Queries_and_cluster_options_are_not_updates(string tool, string args) => Assert.Null(Parse(tool, args));

    [Fact]
    public void A_spool_keeps_call_order_and_arguments_with_blanks()
    {
        var spool = "crm_attribute\0-n\0note\0-v\0two words\0\x1e" + "attrd_updater\0-n\0pingd\0-D\0\x1e";
        var updates = AttributeTools.ParseSpool(spool, "x");
        Assert.Equal([new AttributeUpdate("note", "two words"), new AttributeUpdate("pingd", null)], updates);
    }
}
