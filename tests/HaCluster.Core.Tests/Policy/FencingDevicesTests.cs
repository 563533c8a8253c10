using HaCluster.Core.Cib.Syntax;
using HaCluster.Core.Policy;
using Xunit;

namespace HaCluster.Core.Tests.Policy;

/// <summary>Which device fences a node, from which member.</summary>
public class FencingDevicesTests
{
    private static HaCluster.Core.Cib.ClusterConfig Parse(string crm)
    {
        var parsed = CrmParser.Parse("node n1\nnode n2\nnode n3\n" + crm, "t.crm");
        Assert.False(parsed.HasErrors, string.Join("\n", parsed.Diagnostics));
        return parsed.Config!;
    }

    private static readonly string[] Members = ["n1", "n2", "n3"];

    [Fact]
    public void A_device_fences_only_the_hosts_its_host_list_names()
    {
        var config = Parse("primitive f1 stonith:fence_ipmilan params pcmk_host_list=n1\nprimitive f2 stonith:fence_ipmilan params pcmk_host_list=n2");
        Assert.Equal(("n1", "f2"), FencingDevices.Choose(config, "n2", Members, _ => false));
        Assert.Equal(("n2", "f1"), FencingDevices.Choose(config, "n1", Members, _ => false));
        Assert.Null(FencingDevices.Choose(config, "n3", Members, _ => false));
    }

    [Fact]
    public void A_host_map_counts_like_a_host_list()
    {
        var config = Parse("primitive f stonith:fence_xvm params pcmk_host_map=\"n1:vm1;n2:vm2\"");
        Assert.NotNull(FencingDevices.Choose(config, "n2", Members, _ => false));
        Assert.Null(FencingDevices.Choose(config, "n3", Members, _ => false));
    }

    [Fact]
    public void A_node_never_fences_itself_and_a_banned_member_does_not_run_the_device()
    {
        var config = Parse("primitive f stonith:fence_dummy\nlocation l f -inf: n2");
        // n1 is the victim, n2 is banned from the device: n3 fences.
        Assert.Equal(("n3", "f"), FencingDevices.Choose(config, "n1", ["n1", "n2", "n3"], _ => false));
    }

    [Fact]
    public void A_started_device_is_preferred()
    {
        var config = Parse("primitive f1 stonith:fence_dummy\nprimitive f2 stonith:fence_dummy");
        Assert.Equal(("n2", "f2"), FencingDevices.Choose(config, "n1", ["n2", "n3"], d => d == "f2"));
    }

    [Fact]
    public void A_fencing_topology_tries_its_levels_in_order()
    {
        var config = Parse("primitive ipmi stonith:fence_ipmilan\nprimitive pdu stonith:fence_apc\nfencing_topology n1: ipmi pdu");
        Assert.Equal(("n2", "ipmi"), FencingDevices.Choose(config, "n1", Members, _ => false));
        // The first level's device cannot run anywhere but the victim: the second level is used.
        var banned = Parse("primitive ipmi stonith:fence_ipmilan\nprimitive pdu stonith:fence_apc\nfencing_topology n1: ipmi pdu\n" +
                           "location b2 ipmi -inf: n2\nlocation b3 ipmi -inf: n3");
        Assert.Equal(("n2", "pdu"), FencingDevices.Choose(banned, "n1", Members, _ => false));
    }
}
