using HaCluster.Core.Cib;
using HaCluster.Core.Cib.Syntax;
using Xunit;

namespace HaCluster.Core.Tests.Cib;

public class ConfigValidatorTests
{
    private static ParseResult Check(string crm, ConfigurationFormat format = ConfigurationFormat.Crm) =>
        ConfigurationFiles.ParseAndValidate(crm, "v.crm", format);

    private static List<string> ErrorMessages(string crm) => Check(crm).Errors.Select(e => e.Message).ToList();
    private static List<string> Warnings(string crm) => Check(crm).Diagnostics.Where(d => !d.IsError).Select(e => e.Message).ToList();

    private const string Base = "property stonith-enabled=false\n";

    [Fact]
    public void Role_names_are_read_in_any_case_as_Pacemaker_reads_them()
    {
        // Real CIBs carry target-role="started" (Pacemaker's own regression cases do).
        Assert.Empty(ErrorMessages("node n1\nproperty stonith-enabled=false\nprimitive a Dummy meta target-role=started\nprimitive s Stateful\nms m s meta target-role=MASTER\nlocation l m rule role=promoted 10: #uname eq n1"));
    }

    [Fact]
    public void A_clean_configuration_has_no_findings()
    {
        var r = Check(Base + """
            node node1
            node node2
            primitive d ocf:linbit:drbd params drbd_resource=r0 op monitor interval=30s role=Slave op monitor interval=29s role=Master
            ms ms_d d meta notify=true clone-max=2
            primitive ip ocf:heartbeat:IPaddr2 params ip=10.0.0.1
            group g ip
            colocation c inf: g ms_d:Master
            order o inf: ms_d:promote g:start
            location l g 100: node1
            """);
        Assert.Empty(r.Diagnostics);
    }

    [Fact]
    public void Unknown_references_in_constraints_are_errors_naming_the_constraint()
    {
        var errors = ErrorMessages(Base + "primitive a Dummy\ncolocation c inf: a ghost\norder o inf: phantom a\nlocation l nobody 10: n1");
        Assert.Contains("colocation c: unknown resource 'ghost'", errors);
        Assert.Contains("order o: unknown resource 'phantom'", errors);
        Assert.Contains("location l: unknown resource 'nobody'", errors);
    }

    [Fact]
    public void Unknown_references_in_resource_sets_and_tags_are_errors()
    {
        var errors = ErrorMessages(Base + "primitive a Dummy\norder o inf: a ( b c )\ntag t: a zz");
        Assert.Contains("order o: unknown resource 'b'", errors);
        Assert.Contains("tag t: unknown resource 'zz'", errors);
    }

    [Fact]
    public void Constraints_may_name_tags()
    {
        Assert.Empty(ErrorMessages(Base + "primitive a Dummy\nprimitive b Dummy\ntag both: a b\nlocation l both 10: n1"));
    }

    [Fact]
    public void Colocating_a_resource_with_itself_is_an_error()
    {
        Assert.Contains("colocation c: colocates a with itself", ErrorMessages(Base + "primitive a Dummy\ncolocation c inf: a a"));
    }

    [Fact]
    public void A_cycle_of_mandatory_orders_is_an_error_naming_its_constraints()
    {
        var errors = ErrorMessages(Base + "primitive a Dummy\nprimitive b Dummy\nprimitive c Dummy\norder o1 inf: a b\norder o2 inf: b c\norder o3 inf: c a");
        var cycle = Assert.Single(errors, e => e.StartsWith("order cycle"));
        Assert.Contains("o1", cycle);
        Assert.Contains("o2", cycle);
        Assert.Contains("o3", cycle);
    }

    [Fact]
    public void Optional_orders_do_not_form_cycles()
    {
        Assert.DoesNotContain(ErrorMessages(Base + "primitive a Dummy\nprimitive b Dummy\norder o1 inf: a b\norder o2 Optional: b a"),
            e => e.StartsWith("order cycle"));
        Assert.DoesNotContain(ErrorMessages(Base + "primitive a Dummy\nprimitive b Dummy\norder o1 inf: a b\norder o2 0: b a"),
            e => e.StartsWith("order cycle"));
    }

    [Fact]
    public void A_cycle_through_promote_after_start_is_found()
    {
        // b must start before a promotes, a promotes only after it starts, and a must start before b.
        var errors = ErrorMessages(Base + "primitive s Stateful\nms a s\nprimitive b Dummy\norder o1 inf: b:start a:promote\norder o2 inf: a:start b:start");
        Assert.DoesNotContain(errors, e => e.StartsWith("order cycle"));
        var errors2 = ErrorMessages(Base + "primitive s Stateful\nms a s\nprimitive b Dummy\norder o1 inf: a:promote b:start\norder o2 inf: b:start a:start");
        Assert.Contains(errors2, e => e.StartsWith("order cycle"));
    }

    [Fact]
    public void A_cycle_against_group_order_is_found()
    {
        var errors = ErrorMessages(Base + "primitive a Dummy\nprimitive b Dummy\ngroup g a b\norder o inf: b a");
        Assert.Contains(errors, e => e.StartsWith("order cycle") && e.Contains("group g order"));
    }

    [Fact]
    public void Ops_with_a_role_need_a_promotable_clone()
    {
        var errors = ErrorMessages(Base + "primitive a Dummy op monitor interval=10s role=Master");
        Assert.Contains("primitive a: op monitor: role Master only exists for promotable clones, and a is not in one", errors);
        Assert.Empty(ErrorMessages(Base + "primitive a Stateful op monitor interval=10s role=Master\nclone c a meta promotable=true"));
    }

    [Fact]
    public void Constraint_roles_need_a_promotable_clone()
    {
        var errors = ErrorMessages(Base + "primitive a Dummy\nprimitive b Dummy\ncolocation c inf: a b:Master");
        Assert.Contains("colocation c: role Master of 'b', which is not a promotable clone", errors);
        Assert.Contains("order o: promote of 'b', which is not a promotable clone",
            ErrorMessages(Base + "primitive a Dummy\nprimitive b Dummy\norder o inf: b:promote a:start"));
    }

    [Fact]
    public void Recurring_ops_need_distinct_intervals_even_across_roles()
    {
        var errors = ErrorMessages(Base + "primitive a Stateful op monitor interval=30s role=Slave op monitor interval=30s role=Master\nms m a");
        Assert.Contains(errors, e => e.Contains("two 'monitor' operations with interval 30s"));
    }

    [Theory]
    [InlineData("primitive a Dummy op monitor interval=soon", "interval 'soon' is not a duration")]
    [InlineData("primitive a Dummy op start timeout=fast", "timeout 'fast' is not a duration")]
    [InlineData("primitive a Dummy op monitor interval=10s on-fail=explode", "on-fail 'explode' is not one of")]
    [InlineData("primitive a Dummy meta resource-stickiness=lots", "meta resource-stickiness: 'lots' is not a score")]
    [InlineData("primitive a Dummy meta migration-threshold=x", "meta migration-threshold: 'x' is not a score")]
    [InlineData("primitive a Dummy meta failure-timeout=never", "'never' is not a duration")]
    [InlineData("primitive a Dummy meta target-role=Running", "'Running' is not a role")]
    [InlineData("primitive a Dummy meta is-managed=maybe", "'maybe' is not a boolean")]
    [InlineData("primitive a Dummy meta target-role=Master", "target-role Master needs a promotable clone")]
    [InlineData("primitive a weird:Dummy", "unknown agent class 'weird'")]
    [InlineData("primitive a ocf:Dummy", "ocf agents need a provider")]
    [InlineData("primitive a lsb:x:y", "only ocf agents have a provider")]
    [InlineData("primitive a @nothing", "unknown rsc_template 'nothing'")]
    [InlineData("rsc_defaults resource-stickiness=sticky", "rsc_defaults resource-stickiness: 'sticky' is not a score")]
    [InlineData("op_defaults timeout=long", "op_defaults timeout: 'long' is not a duration")]
    [InlineData("property no-quorum-policy=panic", "property no-quorum-policy: 'panic' is not one of ignore, stop, freeze, suicide, demote")]
    [InlineData("property cluster-recheck-interval=often", "property cluster-recheck-interval: 'often' is not a duration")]
    [InlineData("property symmetric-cluster=sometimes", "property symmetric-cluster: 'sometimes' is not a boolean")]
    [InlineData("primitive a Dummy\norder o inf: a:launch a:start", "'launch' is not an action")]
    [InlineData("primitive a Dummy\nprimitive b Dummy\norder o Whenever: a b", "is not a score")]
    [InlineData("primitive a Dummy\nlocation l a rule 1: x integer:gt many", "'many' is not a integer")]
    [InlineData("primitive a Dummy\nlocation l a rule 1: date gt yesterday", "'yesterday' is not a date")]
    [InlineData("primitive a Dummy\nlocation l a 1: n1 resource-discovery=sometimes", "resource-discovery 'sometimes'")]
    [InlineData("primitive a Dummy\nrsc_ticket t tk: a loss-policy=panic", "loss-policy 'panic'")]
    [InlineData("node n1 attributes standby=perhaps", "standby 'perhaps' is not a boolean")]
    [InlineData("primitive f stonith:fence_xvm\nfencing_topology n1: f,g", "unknown stonith device 'g'")]
    public void Bad_values_are_errors_that_name_the_object(string crm, string fragment)
    {
        var r = Check(Base + crm);
        Assert.True(r.HasErrors);
        Assert.Contains(r.Errors, e => e.Message.Contains(fragment));
    }

    [Fact]
    public void Semantic_errors_carry_the_place_the_object_was_defined()
    {
        var r = Check(Base + "primitive a Dummy\n\nprimitive b Dummy meta target-role=Bogus");
        var e = Assert.Single(r.Errors);
        Assert.Equal(4, e.Location!.Value.Line);
        Assert.StartsWith("v.crm:4:", e.ToString());
    }

    [Fact]
    public void No_quorum_policy_ignore_on_more_than_two_nodes_is_a_warning()
    {
        var w = Warnings("property stonith-enabled=false no-quorum-policy=ignore\nnode a\nnode b\nnode c");
        Assert.Contains(w, m => m.Contains("no-quorum-policy=ignore with 3 nodes"));
        Assert.DoesNotContain(Warnings("property stonith-enabled=false no-quorum-policy=ignore\nnode a\nnode b"),
            m => m.Contains("no-quorum-policy"));
    }

    [Fact]
    public void Remote_and_guest_nodes_warn_that_the_daemon_does_not_run_them()
    {
        var w = Warnings("property stonith-enabled=false\nprimitive r ocf:pacemaker:remote\nprimitive vm Dummy meta remote-node=guest1");
        Assert.Contains(w, m => m.StartsWith("primitive r: ocf:pacemaker:remote") && m.Contains("haclusterd does not run"));
        Assert.Contains(w, m => m.StartsWith("primitive vm: remote-node") && m.Contains("haclusterd does not run"));
        Assert.DoesNotContain(Warnings("property stonith-enabled=false\nprimitive a Dummy"), m => m.Contains("Pacemaker Remote"));
    }

    [Fact]
    public void Stonith_enabled_without_a_fencing_device_is_a_warning()
    {
        Assert.Contains(Warnings("primitive a Dummy"), m => m.Contains("no stonith resource"));
        Assert.DoesNotContain(Warnings("primitive a Dummy\nprimitive f stonith:fence_xvm"), m => m.Contains("no stonith resource"));
    }

    [Fact]
    public void Unknown_names_are_warnings_that_say_what_was_meant()
    {
        var w = Warnings(Base + "property stonith-enabld=false\nproperty wibble=1\nprimitive a Dummy meta resource-stickyness=10");
        Assert.Contains("property stonith-enabld: unknown cluster property (did you mean stonith-enabled?)", w);
        Assert.Contains("property wibble: unknown cluster property (typo?)", w);
        Assert.Contains("primitive a: unknown meta attribute 'resource-stickyness' (did you mean resource-stickiness?)", w);
    }

    [Fact]
    public void An_unknown_op_attribute_is_an_error_as_in_Pacemakers_schema()
    {
        Assert.Contains("primitive a: op start: unknown attribute 'timout' (did you mean timeout?)", ErrorMessages(Base + "primitive a Dummy op start timout=10s"));
        Assert.Contains("primitive a: op monitor: unknown attribute 'intervl' (did you mean interval?)", ErrorMessages(Base + "primitive a Dummy op monitor intervl=2s"));
    }

    [Fact]
    public void A_container_must_be_a_configured_resource()
    {
        Assert.Empty(ErrorMessages(Base + "primitive vm Dummy\nprimitive check Dummy meta container=vm"));
        Assert.Contains("primitive check: meta container: unknown resource 'vmm'", ErrorMessages(Base + "primitive vm Dummy\nprimitive check Dummy meta container=vmm"));
    }

    [Fact]
    public void Drbd_master_slave_without_notify_is_a_warning()
    {
        Assert.Contains(Warnings(Base + "primitive d ocf:linbit:drbd params drbd_resource=r0\nms m d"), m => m.Contains("needs meta notify=true"));
    }

    [Fact]
    public void Constraints_on_a_clone_child_are_a_warning()
    {
        Assert.Contains(Warnings(Base + "primitive a Dummy\nclone c a\nprimitive b Dummy\ncolocation x inf: b a"),
            m => m.Contains("is inside clone c; constraints should name c"));
    }

    [Fact]
    public void Duplicate_ids_across_kinds_are_errors_in_xml_too()
    {
        var xml = """
            <cib><configuration><crm_config/><nodes/>
              <resources><primitive id="x" class="ocf" provider="heartbeat" type="Dummy"/></resources>
              <constraints><rsc_location id="x" rsc="x" node="n1" score="1"/></constraints>
            </configuration></cib>
            """;
        var r = ConfigurationFiles.ParseAndValidate(xml, "d.xml", ConfigurationFormat.Xml);
        var e = Assert.Single(r.Errors);
        Assert.Contains("duplicate id 'x': used by primitive x and by location x", e.Message);
    }
}
