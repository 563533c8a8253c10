using HaCluster.Core.Cib;
using HaCluster.Core.Cib.Syntax;
using Xunit;

namespace HaCluster.Core.Tests.Cib;

public class CrmParserTests
{
    internal static ClusterConfig ParseOk(string text)
    {
        var r = CrmParser.Parse(text, "test.crm");
        Assert.False(r.HasErrors, string.Join("\n", r.Diagnostics));
        return r.Config!;
    }

    internal static IReadOnlyList<Diagnostic> Errors(string text) =>
        CrmParser.Parse(text, "test.crm").Diagnostics.Where(d => d.IsError).ToList();

    [Fact]
    public void Reads_primitive_with_agent_params_meta_and_ops()
    {
        var c = ParseOk("""
            primitive p_drbd_mysql ocf:linbit:drbd \
                params drbd_resource="mysql" \
                meta target-role=Started \
                op start timeout="90s" \
                op monitor interval="30s" role="Slave" \
                op monitor interval="29s" role="Master"
            """);
        var p = Assert.IsType<Primitive>(Assert.Single(c.Resources));
        Assert.Equal(new AgentSpec("ocf", "linbit", "drbd"), p.Agent);
        Assert.Equal("mysql", p.Param("drbd_resource"));
        Assert.Equal("Started", p.Meta("target-role"));
        Assert.Equal(3, p.Operations.Count);
        Assert.Equal("0", p.Operations[0].Interval);
        Assert.Equal("90s", p.Operations[0].Timeout);
        Assert.Equal("Slave", p.Operations[1].Role);
        Assert.Equal("29s", p.Operations[2].Interval);
    }

    [Fact]
    public void Params_keyword_may_be_left_out()
    {
        var c = ParseOk("primitive ip IPaddr2 ip=10.0.0.1 cidr_netmask=24");
        var p = (Primitive)c.Resources[0];
        Assert.Equal(new AgentSpec("ocf", "heartbeat", "IPaddr2"), p.Agent);
        Assert.Equal("10.0.0.1", p.Param("ip"));
    }

    [Fact]
    public void Quoted_values_keep_spaces_and_equals_signs()
    {
        var c = ParseOk("""primitive m ocf:heartbeat:mysql params additional_parameters="--bind-address=1.2.3.4 --x" config='/etc/my cnf'""");
        var p = (Primitive)c.Resources[0];
        Assert.Equal("--bind-address=1.2.3.4 --x", p.Param("additional_parameters"));
        Assert.Equal("/etc/my cnf", p.Param("config"));
    }

    [Fact]
    public void Backslash_continuation_may_be_followed_by_a_comment()
    {
        var c = ParseOk("""
            property no-quorum-policy="ignore" \ # only for two nodes
            pe-warn-series-max="1000" \ # keep history
            cluster-recheck-interval="5min" # done
            """);
        Assert.Equal("ignore", c.Property("no-quorum-policy"));
        Assert.Equal("1000", c.Property("pe-warn-series-max"));
        Assert.Equal("5min", c.Property("cluster-recheck-interval"));
    }

    [Fact]
    public void A_line_of_params_without_the_preceding_backslash_continues_with_a_warning()
    {
        // Verbatim shape of the OpenStack HA guide's MySQL primitive.
        var r = CrmParser.Parse("""
            primitive p_mysql ocf:heartbeat:mysql \
            params additional_parameters="--bind-address=50.56.179.138"
            config="/etc/mysql/my.cnf" \
            pid="/var/run/mysqld/mysqld.pid" \
            op monitor interval="20s" timeout="10s"
            """, "guide.crm");
        Assert.False(r.HasErrors, string.Join("\n", r.Diagnostics));
        var w = Assert.Single(r.Diagnostics);
        Assert.Equal(Severity.Warning, w.Severity);
        Assert.Equal(3, w.Location!.Value.Line);
        var p = (Primitive)r.Config!.Resources[0];
        Assert.Equal("/etc/mysql/my.cnf", p.Param("config"));
        Assert.Equal("/var/run/mysqld/mysqld.pid", p.Param("pid"));
        Assert.Single(p.Operations);
    }

    [Fact]
    public void Comment_lines_are_ignored_but_hash_inside_rules_is_an_attribute()
    {
        var c = ParseOk("""
            # a comment
            primitive a Dummy
            location l a rule 100: #uname eq node1
            """);
        var l = Assert.IsType<LocationConstraint>(Assert.Single(c.Constraints));
        var e = Assert.IsType<AttributeExpression>(Assert.Single(l.Rules[0].Expressions));
        Assert.Equal("#uname", e.Attribute);
    }

    [Fact]
    public void Groups_collect_primitives_defined_later()
    {
        var c = ParseOk("""
            group g a b
            primitive a Dummy
            primitive b Dummy
            """);
        var g = Assert.IsType<Group>(Assert.Single(c.Resources));
        Assert.Equal(new[] { "a", "b" }, g.Members.Select(m => m.Id));
    }

    [Fact]
    public void Ms_makes_a_legacy_promotable_clone_and_clone_with_promotable_meta_is_promotable_too()
    {
        var c = ParseOk("""
            primitive d ocf:linbit:drbd params drbd_resource=r0
            ms ms_d d meta notify=true master-max=1 clone-max=2
            primitive s ocf:pacemaker:Stateful
            clone cs s meta promotable=true
            primitive x Dummy
            clone cx x
            """);
        var ms = (Clone)c.Resources[0];
        Assert.True(ms.LegacyMaster);
        Assert.True(ms.IsPromotable);
        Assert.Equal("2", ms.Meta("clone-max"));
        Assert.True(((Clone)c.Resources[1]).IsPromotable);
        Assert.False(((Clone)c.Resources[2]).IsPromotable);
    }

    [Fact]
    public void Colocation_simple_form_reads_rsc_then_with_rsc_and_roles()
    {
        var c = ParseOk("""
            primitive a Dummy
            primitive d Stateful
            ms m d
            colocation c_a_on_m inf: a m:Master
            """);
        var co = Assert.IsType<ColocationConstraint>(Assert.Single(c.Constraints));
        Assert.Equal(Score.Infinity, co.Score);
        Assert.Equal("a", co.Resource);
        Assert.Equal("m", co.WithResource);
        Assert.Null(co.ResourceRole);
        Assert.Equal("Master", co.WithResourceRole);
        Assert.True(co.Sets.IsEmpty);
    }

    [Fact]
    public void Order_reads_score_kind_actions_and_options()
    {
        var c = ParseOk("""
            primitive a Dummy
            primitive b Dummy
            order o1 inf: a:promote b:start
            order o2 Optional: a b symmetrical=false
            order o3 a b
            """);
        var o1 = (OrderConstraint)c.Constraints[0];
        Assert.Equal(("a", "promote", "b", "start"), (o1.First, o1.FirstAction, o1.Then, o1.ThenAction));
        Assert.Equal(Score.Infinity, o1.Score);
        var o2 = (OrderConstraint)c.Constraints[1];
        Assert.Equal("Optional", o2.Kind);
        Assert.Equal("false", o2.Symmetrical);
        var o3 = (OrderConstraint)c.Constraints[2];
        Assert.Null(o3.Score);
        Assert.Null(o3.Kind);
    }

    [Fact]
    public void More_than_two_resources_make_resource_sets()
    {
        var c = ParseOk("""
            primitive a Dummy
            primitive b Dummy
            primitive x Dummy
            primitive y Dummy
            order o inf: a b ( x y )
            colocation co inf: [ a b ] x
            """);
        var o = (OrderConstraint)c.Constraints[0];
        Assert.Equal(2, o.Sets.Count);
        Assert.Equal(new[] { "a", "b" }, o.Sets[0].Resources);
        Assert.Null(o.Sets[0].Sequential);
        Assert.Equal("false", o.Sets[1].Sequential);
        var co = (ColocationConstraint)c.Constraints[1];
        Assert.Equal("false", co.Sets[0].RequireAll);
        Assert.Equal("false", co.Sets[0].Sequential);
        Assert.Equal(new[] { "x" }, co.Sets[1].Resources);
    }

    [Fact]
    public void Location_with_score_node_role_and_rules()
    {
        var c = ParseOk("""
            primitive a Dummy
            location l1 a 100: node1
            location l2 a -inf: node2 resource-discovery=never
            location l3 a \
                rule $id=l3-r1 -inf: not_defined pingd or pingd number:lte 0 \
                rule 50: #uname eq node1 and date gt 2020-01-01
            location l4 /^db-/ 10: node1
            """);
        var l1 = (LocationConstraint)c.Constraints[0];
        Assert.Equal(("a", "node1", 100), (l1.Resource, l1.Node, l1.Score!.Value.Value));
        Assert.Equal("never", ((LocationConstraint)c.Constraints[1]).ResourceDiscovery);
        var l3 = (LocationConstraint)c.Constraints[2];
        Assert.Equal(2, l3.Rules.Count);
        Assert.Equal("l3-r1", l3.Rules[0].Id);
        Assert.Equal("or", l3.Rules[0].BooleanOp);
        Assert.Equal(Score.MinusInfinity, l3.Rules[0].Score);
        var lte = (AttributeExpression)l3.Rules[0].Expressions[1];
        Assert.Equal(("pingd", "lte", "0", "number"), (lte.Attribute, lte.Operation, lte.Value, lte.Type));
        Assert.IsType<DateExpression>(l3.Rules[1].Expressions[1]);
        Assert.Equal("^db-", ((LocationConstraint)c.Constraints[3]).ResourcePattern);
    }

    [Fact]
    public void Rule_score_may_name_an_attribute()
    {
        var c = ParseOk("primitive a Dummy\nlocation l a rule pingd: defined pingd");
        var rule = ((LocationConstraint)c.Constraints[0]).Rules[0];
        Assert.Equal("pingd", rule.ScoreAttribute);
        Assert.Null(rule.Score);
    }

    [Fact]
    public void Mixing_and_or_without_parentheses_is_an_error_but_parentheses_nest()
    {
        Assert.Contains(Errors("primitive a Dummy\nlocation l a rule 1: x eq 1 and y eq 2 or z eq 3"),
            d => d.Message.Contains("parentheses"));
        var c = ParseOk("primitive a Dummy\nlocation l a rule 1: ( x eq 1 or y eq 2 ) and z eq 3");
        var rule = ((LocationConstraint)c.Constraints[0]).Rules[0];
        var nested = Assert.IsType<Rule>(rule.Expressions[0]);
        Assert.Equal("or", nested.BooleanOp);
    }

    [Fact]
    public void Several_property_lines_merge_into_the_default_set()
    {
        var c = ParseOk("property stonith-enabled=false\nproperty no-quorum-policy=ignore\nproperty stonith-enabled=true");
        var set = Assert.Single(c.Properties);
        Assert.Null(set.Id);
        Assert.Equal("true", c.Property("stonith-enabled"));
        Assert.Equal(2, set.Pairs.Count);
    }

    [Fact]
    public void Property_set_may_be_named_in_either_crm_spelling()
    {
        var c = ParseOk("property cib-bootstrap-options: stonith-enabled=false\nproperty $id=extra batch-limit=10");
        Assert.Equal(2, c.Properties.Count);
        Assert.Null(c.Properties[0].Id);
        Assert.Equal("extra", c.Properties[1].Id);
    }

    [Fact]
    public void Nodes_with_ids_types_and_attributes()
    {
        var c = ParseOk("node node1 attributes standby=on\nnode $id=2 node2:member\nnode 3: node3 utilization cpu=4");
        Assert.Equal(("node1", "node1", "on"), (c.Nodes[0].Id, c.Nodes[0].Uname, c.Nodes[0].Attributes.GetUnconditional("standby")));
        Assert.Equal(("2", "node2", "member"), (c.Nodes[1].Id, c.Nodes[1].Uname, c.Nodes[1].Type));
        Assert.Equal(("3", "node3"), (c.Nodes[2].Id, c.Nodes[2].Uname));
        Assert.Equal("4", c.Nodes[2].Utilization.GetUnconditional("cpu"));
    }

    [Fact]
    public void Rsc_defaults_op_defaults_tags_tickets_templates_fencing_and_alerts()
    {
        var c = ParseOk("""
            rsc_template web ocf:heartbeat:apache params configfile=/etc/apache2.conf op monitor interval=10s
            primitive w1 @web params port=81
            primitive f1 stonith:fence_xvm params pcmk_host_list=node1
            primitive f2 stonith:fence_xvm params pcmk_host_list=node2
            rsc_defaults resource-stickiness=100 migration-threshold=3
            op_defaults timeout=60s
            tag webs: w1
            rsc_ticket t1 ticketA: w1 loss-policy=stop
            fencing_topology node1: f1 f2 node2: f2
            alert a1 /usr/share/pacemaker/alerts/alert_file.sh to /var/log/alerts.log
            """);
        Assert.Equal("web", c.Templates[0].Id);
        Assert.Equal("web", ((Primitive)c.Resources[0]).Template);
        Assert.Equal("100", c.ResourceDefault("resource-stickiness"));
        Assert.Equal("60s", c.OperationDefault("timeout"));
        Assert.Equal(new[] { "w1" }, c.Tags[0].References);
        var t = Assert.IsType<TicketConstraint>(Assert.Single(c.Constraints));
        Assert.Equal(("ticketA", "w1", "stop"), (t.Ticket, t.Resource, t.LossPolicy));
        Assert.Equal(3, c.FencingLevels.Count);
        Assert.Equal((2, "f2", "node1"), (c.FencingLevels[1].Index, c.FencingLevels[1].Devices, c.FencingLevels[1].Target));
        Assert.Equal("/var/log/alerts.log", c.Alerts[0].Recipients[0].Value);
    }

    [Theory]
    [InlineData("primitive", 1, 10, "expected")]
    [InlineData("primitive p", 1, 12, "expected")]
    [InlineData("primitive p ocf::Dummy", 1, 13, "not an agent")]
    [InlineData("primitive 1bad Dummy", 1, 11, "not a valid id")]
    [InlineData("primitive p Dummy params", 1, 19, "needs at least one")]
    [InlineData("primitive p Dummy bogus", 1, 19, "unexpected 'bogus'")]
    [InlineData("primitive p Dummy params ip=\"1.2.3.4", 1, 29, "unterminated")]
    [InlineData("frobnicate x", 1, 1, "unknown command")]
    [InlineData("primitive p Dummy\nlocation l p 100 node1", 2, 14, "expected 'SCORE: NODE'")]
    [InlineData("primitive p Dummy\ncolocation c p p2", 2, 14, "score")]
    [InlineData("primitive p Dummy\nlocation l p rule 1: x frob 2", 2, 24, "unknown operator")]
    public void Syntax_errors_have_line_column_and_a_message(string text, int line, int col, string fragment)
    {
        var e = Errors(text).First();
        Assert.Equal(line, e.Location!.Value.Line);
        Assert.Equal(col, e.Location!.Value.Column);
        Assert.Contains(fragment, e.Message);
        Assert.StartsWith($"test.crm:{line}:{col}: error: ", e.ToString());
    }

    [Fact]
    public void One_bad_statement_does_not_hide_errors_in_later_ones()
    {
        var errors = Errors("primitive p ocf::x\nprimitive q Dummy\nprimitive r ocf::y");
        Assert.Equal(new[] { 1, 3 }, errors.Select(e => e.Location!.Value.Line));
    }

    [Fact]
    public void Duplicate_ids_are_reported_at_the_second_definition()
    {
        var e = Assert.Single(Errors("primitive a Dummy\nprimitive a Dummy"));
        Assert.Equal(2, e.Location!.Value.Line);
        Assert.Contains("duplicate id 'a' (first defined at line 1)", e.Message);
    }

    [Fact]
    public void A_resource_in_two_groups_is_an_error_naming_both()
    {
        var e = Assert.Single(Errors("primitive a Dummy\ngroup g1 a\ngroup g2 a"));
        Assert.Contains("already in g1", e.Message);
        Assert.Contains("g2", e.Message);
        Assert.Equal(3, e.Location!.Value.Line);
    }

    [Fact]
    public void Unknown_group_member_is_reported_where_it_is_named()
    {
        var e = Assert.Single(Errors("primitive a Dummy\ngroup g a missing"));
        Assert.Equal((2, 11), (e.Location!.Value.Line, e.Location!.Value.Column));
        Assert.Contains("unknown resource 'missing'", e.Message);
    }

    [Fact]
    public void Groups_hold_primitives_only_and_clones_hold_primitives_or_groups()
    {
        Assert.Contains(Errors("primitive a Dummy\nclone c a\ngroup g c"), e => e.Message.Contains("groups hold primitives only"));
        Assert.Contains(Errors("primitive a Dummy\nclone c a\nclone c2 c"), e => e.Message.Contains("a clone holds a primitive or a group"));
    }
}
