using HaCluster.Core.Cib;
using HaCluster.Core.Cib.Syntax;
using Xunit;

namespace HaCluster.Core.Tests.Cib;

/// <summary>
/// Edits behind hacrm's commands: the configure shell's delete (containers go and keep their
/// members, constraints on a deleted primitive go with it) and resource promote/demote.
/// </summary>
public class ConfigurationEditsTests
{
    private static ClusterConfig Parse(string crm) => CrmParser.Parse(crm, "t.crm").Config!;

    private const string Bundled = "primitive httpd Dummy\nbundle web podman image=img network control-port=3121 primitive httpd\n";

    [Fact]
    public void Stopping_a_bundle_or_the_primitive_inside_it_sets_their_meta_attributes()
    {
        var stopped = ConfigurationEdits.SetResourceMeta(Parse(Bundled), "web", "target-role", "Stopped");
        Assert.Equal("Stopped", Assert.IsType<Bundle>(Assert.Single(stopped.Resources)).Meta("target-role"));
        var inside = ConfigurationEdits.SetResourceMeta(Parse(Bundled), "httpd", "is-managed", "false");
        Assert.Equal("false", Assert.IsType<Bundle>(Assert.Single(inside.Resources)).Child!.Meta("is-managed"));
    }

    [Fact]
    public void Deleting_a_bundle_keeps_its_primitive_and_deleting_the_primitive_leaves_the_containers()
    {
        var withoutBundle = ConfigurationEdits.Delete(Parse(Bundled), "web")!;
        Assert.Equal("httpd", Assert.IsType<Primitive>(Assert.Single(withoutBundle.Resources)).Id);
        var bare = ConfigurationEdits.Delete(Parse(Bundled), "httpd")!;
        Assert.Null(Assert.IsType<Bundle>(Assert.Single(bare.Resources)).Child);
    }

    [Fact]
    public void Deleting_a_group_keeps_its_members_as_top_level_resources()
    {
        var edited = ConfigurationEdits.Delete(Parse("primitive a Dummy\nprimitive b Dummy\ngroup g a b"), "g")!;
        Assert.Equal(new[] { "a", "b" }, edited.Resources.Select(r => r.Id));
    }

    [Fact]
    public void Deleting_a_primitive_removes_the_constraints_that_name_it()
    {
        var edited = ConfigurationEdits.Delete(Parse("primitive a Dummy\nprimitive b Dummy\nlocation l a 100: n1\ncolocation c inf: b a\norder o inf: b a"), "a")!;
        Assert.Equal(new[] { "b" }, edited.Resources.Select(r => r.Id));
        Assert.Empty(edited.Constraints);
    }

    [Fact]
    public void Deleting_a_group_member_leaves_the_rest_of_the_group()
    {
        var edited = ConfigurationEdits.Delete(Parse("primitive a Dummy\nprimitive b Dummy\ngroup g a b"), "a")!;
        Assert.Equal(new[] { "b" }, Assert.IsType<Group>(Assert.Single(edited.Resources)).Members.Select(m => m.Id));
    }

    [Fact]
    public void Deleting_what_does_not_exist_says_so()
    {
        Assert.Null(ConfigurationEdits.Delete(Parse("primitive a Dummy"), "nosuch"));
    }

    [Theory]
    [InlineData("ms_db")]
    [InlineData("db")]
    public void Promote_and_demote_set_the_target_role_of_a_promotable_clone_or_its_resource(string id)
    {
        var config = Parse("primitive db ocf:pacemaker:Stateful\nms ms_db db\nprimitive web Dummy");
        var demoted = ConfigurationEdits.SetPromotableRole(config, id, "Unpromoted");
        Assert.Equal("Unpromoted", demoted.FindResource(id)!.Meta("target-role"));
        var promoted = ConfigurationEdits.SetPromotableRole(demoted, id, "Promoted");
        Assert.Equal("Promoted", promoted.FindResource(id)!.Meta("target-role"));
    }

    [Fact]
    public void Promote_refuses_a_resource_that_has_no_promoted_role()
    {
        var config = Parse("primitive db ocf:pacemaker:Stateful\nms ms_db db\nprimitive web Dummy");
        var e = Assert.Throws<ArgumentException>(() => ConfigurationEdits.SetPromotableRole(config, "web", "Promoted"));
        Assert.Contains("'web' is not a promotable clone", e.Message);
        Assert.Throws<ArgumentException>(() => ConfigurationEdits.SetPromotableRole(config, "nope", "Promoted"));
    }
}
