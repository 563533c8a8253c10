using HaCluster.Core.Cib;
using HaCluster.Core.Cib.Syntax;
using Xunit;

namespace HaCluster.Core.Tests.Cib;

public class YamlSyntaxTests
{
    private static ParseResult Parse(string yaml) => CibYamlReader.Parse(yaml, "c.yaml");

    [Fact]
    public void Reads_the_documented_shape()
    {
        var r = Parse("""
            properties:
              stonith-enabled: "false"
            rsc_defaults: { resource-stickiness: 100 }
            nodes:
              - { name: node1, attributes: { standby: "off" } }
            resources:
              - primitive: p_drbd
                agent: ocf:linbit:drbd
                params: { drbd_resource: mysql }
                ops:
                  - { name: monitor, interval: 30s, role: Slave }
              - ms: ms_drbd
                resource: { primitive: d2, agent: "ocf:pacemaker:Stateful" }
                meta: { notify: "true" }
              - group: g
                members:
                  - { primitive: ip, agent: "ocf:heartbeat:IPaddr2", params: { ip: 10.0.0.1 } }
            constraints:
              - { colocation: c, score: inf, resource: g, with: "ms_drbd:Master" }
              - { order: o, score: inf, first: "ms_drbd:promote", then: "g:start" }
              - location: l
                resource: g
                rules: ["-inf: not_defined pingd or pingd lte 0"]
            """);
        Assert.False(r.HasErrors, string.Join("\n", r.Diagnostics));
        var c = r.Config!;
        Assert.Equal("false", c.Property("stonith-enabled"));
        Assert.Equal("Slave", ((Primitive)c.Resources[0]).Operations[0].Role);
        Assert.True(((Clone)c.Resources[1]).LegacyMaster);
        var co = (ColocationConstraint)c.Constraints[0];
        Assert.Equal(("g", "ms_drbd", "Master"), (co.Resource, co.WithResource, co.WithResourceRole));
        var rule = ((LocationConstraint)c.Constraints[2]).Rules[0];
        Assert.Equal("or", rule.BooleanOp);
        Assert.Equal(Score.MinusInfinity, rule.Score);
    }

    [Theory]
    [InlineData("resources:\n  - primitive: a\n    agnt: Dummy\n", 3, 5, "unknown key 'agnt' in primitive a")]
    [InlineData("bogus: 1\n", 1, 1, "unknown section 'bogus'")]
    [InlineData("resources:\n  - primitive: a\n", 2, 5, "primitive a needs an agent")]
    [InlineData("constraints:\n  - { colocation: c, score: lots, resource: a, with: b }\n", 2, 29, "'lots' is not a score")]
    [InlineData("constraints:\n  - location: l\n    resource: a\n    rules: [\"10: x frob 1\"]\n", 4, 13, "unknown operator 'frob'")]
    [InlineData("resources: {a: 1}\n", 1, 12, "resources must be a list")]
    [InlineData("resources:\n  - primitive: a\n    agent: Dummy\n  - primitive: a\n    agent: Dummy\n", 4, 16, "duplicate id 'a'")]
    [InlineData("nodes: [\n", 2, 1, "")]
    [InlineData("a: b: c\n", 1, 5, "")]
    public void Errors_have_line_column_and_a_message(string yaml, int line, int col, string fragment)
    {
        var r = Parse(yaml);
        Assert.True(r.HasErrors);
        var e = r.Errors.First();
        Assert.Equal((line, col), (e.Location!.Value.Line, e.Location!.Value.Column));
        Assert.Contains(fragment, e.Message);
    }

    [Fact]
    public void One_bad_resource_does_not_hide_the_next()
    {
        var r = Parse("resources:\n  - primitive: a\n  - primitive: b\n    agent: ocf::x\n  - primitive: c\n    agent: Dummy\n");
        Assert.Equal(2, r.Errors.Count());
    }

    [Fact]
    public void Values_yaml_would_read_as_booleans_or_null_survive_as_text()
    {
        var model = CrmParserTests.ParseOk("primitive a Dummy params x=true y=null z=\"\" w= n=~ k=010");
        var yaml = CibYamlWriter.Write(model);
        var back = Parse(yaml).Config!;
        Assert.Equal(model, back);
        var p = (Primitive)back.Resources[0];
        Assert.Equal("null", p.Param("y"));
        Assert.Equal("", p.Param("z"));
        Assert.Null(p.InstanceAttributes[0].Pairs.Single(x => x.Name == "w").Value);
        Assert.Equal("010", p.Param("k"));
    }

    [Fact]
    public void Collections_nested_absurdly_deep_are_refused_where_they_go_too_deep_and_brackets_in_quotes_do_not_count()
    {
        var r = Parse("resources:\n  - " + new string('[', 150));
        var e = Assert.Single(r.Errors);
        Assert.Equal("collections nested more than 100 deep", e.Message);
        Assert.Equal(2, e.Location!.Value.Line);
        Assert.Equal(105, e.Location.Value.Column);
        // The same brackets inside a quoted value are text.
        var quoted = Parse("properties:\n  description: '" + new string('[', 150) + "'\n");
        Assert.DoesNotContain(quoted.Errors, d => d.Message.Contains("nested"));
    }
}
