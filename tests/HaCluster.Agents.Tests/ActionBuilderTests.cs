using HaCluster.Core.Cib;
using HaCluster.Core.Cib.Syntax;

namespace HaCluster.Agents.Tests;

public sealed class ActionBuilderTests
{
    private static (ClusterConfig Config, Primitive P) Parse(string resources)
    {
        var config = CibXmlReader.Parse($"""
            <cib admin_epoch="0" epoch="1" num_updates="0"><configuration><crm_config/><nodes/>
              <resources>{resources}</resources><constraints/></configuration><status/></cib>
            """, "cib.xml").Config!;
        return (config, config.AllResources().OfType<Primitive>().Single(p => p.Id == "d"));
    }

    [Fact]
    public void A_rule_guarded_parameter_set_applies_where_its_rule_holds_and_the_higher_score_wins()
    {
        var (config, d) = Parse("""
            <primitive id="d" class="ocf" provider="heartbeat" type="Dummy">
              <instance_attributes id="plain" score="0"><nvpair id="p1" name="state" value="/default"/><nvpair id="p2" name="fake" value="x"/></instance_attributes>
              <instance_attributes id="lab" score="10"><rule id="r" score="0"><expression id="e" attribute="site" operation="eq" value="lab"/></rule>
                <nvpair id="l1" name="state" value="/lab"/></instance_attributes>
            </primitive>
            """);
        var atLab = ActionBuilder.For(config, d, "start", ruleMatches: _ => true);
        Assert.Equal("/lab", atLab.Parameters["state"]);
        Assert.Equal("x", atLab.Parameters["fake"]);
        // No node to evaluate the rule against (or it does not hold): the unconditional set.
        Assert.Equal("/default", ActionBuilder.For(config, d, "start").Parameters["state"]);
        Assert.Equal("/default", ActionBuilder.For(config, d, "start", ruleMatches: _ => false).Parameters["state"]);
    }

    [Fact]
    public void A_clones_instance_attributes_reach_its_primitive_unless_the_primitive_sets_them()
    {
        var (config, d) = Parse("""
            <clone id="c"><instance_attributes id="ci"><nvpair id="c1" name="state" value="/from-clone"/><nvpair id="c2" name="fake" value="clone"/></instance_attributes>
              <primitive id="d" class="ocf" provider="heartbeat" type="Dummy">
                <instance_attributes id="di"><nvpair id="d1" name="fake" value="own"/></instance_attributes>
              </primitive></clone>
            """);
        var start = ActionBuilder.For(config, d, "start");
        Assert.Equal("/from-clone", start.Parameters["state"]);
        Assert.Equal("own", start.Parameters["fake"]);
    }
}
