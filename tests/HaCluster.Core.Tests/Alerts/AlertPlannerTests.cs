using Xunit;
using HaCluster.Core.Alerts;
using HaCluster.Core.Cib;
using HaCluster.Core.Cib.Syntax;

namespace HaCluster.Core.Tests.Alerts;

/// <summary>Who hears an event and with what environment, as Pacemaker's alert agents are called.</summary>
public sealed class AlertPlannerTests
{
    private static readonly DateTimeOffset At = new DateTimeOffset(2026, 12, 6, 14, 3, 7, 123, TimeSpan.Zero).AddTicks(4560);

    private static ClusterConfig Config(string crm)
    {
        var parsed = CrmParser.Parse("primitive d ocf:heartbeat:Dummy\n" + crm, "test.crm");
        Assert.Empty(parsed.Errors);
        return parsed.Config!;
    }

    private static AlertEvent Start(int rc = 0) =>
        AlertEvent.ResourceOperation("node1", "d", "start", 0, rc, 0, AlertEvent.ExecutionStatusDone, 42, At)!;

    [Fact]
    public void Each_recipient_gets_its_own_run_with_the_crm_alert_environment()
    {
        var cfg = Config("alert a1 /usr/lib/alert.sh to /var/log/one.log to /var/log/two.log");
        var plan = AlertPlanner.Plan(cfg, Start(), 7);
        Assert.Equal(["/var/log/one.log", "/var/log/two.log"], plan.Select(p => p.Recipient));
        var env = plan[0].Environment;
        Assert.Equal("resource", env["CRM_alert_kind"]);
        Assert.Equal("/var/log/one.log", env["CRM_alert_recipient"]);
        Assert.Equal("node1", env["CRM_alert_node"]);
        Assert.Equal("d", env["CRM_alert_rsc"]);
        Assert.Equal("start", env["CRM_alert_task"]);
        Assert.Equal("0", env["CRM_alert_interval"]);
        Assert.Equal("0", env["CRM_alert_rc"]);
        Assert.Equal("0", env["CRM_alert_target_rc"]);
        Assert.Equal("0", env["CRM_alert_status"]);
        Assert.Equal("ok", env["CRM_alert_desc"]);
        Assert.Equal("7", env["CRM_alert_node_sequence"]);
        Assert.Equal("14:03:07.123456", env["CRM_alert_timestamp"]);
        Assert.Equal(At.ToUnixTimeSeconds().ToString(), env["CRM_alert_timestamp_epoch"]);
        Assert.Equal("123456", env["CRM_alert_timestamp_usec"]);
        Assert.Equal(AlertPlanner.CompatibleVersion, env["CRM_alert_version"]);
        Assert.Equal("42", env["CRM_alert_exec_time"]);
        // Agents written for Pacemaker 1.1.14's notification scripts read CRM_notify_*.
        Assert.Equal("/var/log/one.log", env["CRM_notify_recipient"]);
        Assert.Equal("start", env["CRM_notify_task"]);
        Assert.False(env.ContainsKey("CRM_notify_exec_time"));
        Assert.Equal(AlertPlanner.DefaultTimeout, plan[0].Timeout);
    }

    [Fact]
    public void An_alert_without_recipients_runs_once_with_an_empty_recipient()
    {
        var plan = AlertPlanner.Plan(Config("alert a1 /usr/lib/alert.sh"), Start(), 1);
        Assert.Equal("", Assert.Single(plan).Environment["CRM_alert_recipient"]);
    }

    [Fact]
    public void A_recipients_meta_and_attributes_override_its_alerts()
    {
        var cfg = Config("""
            alert a1 /usr/lib/alert.sh attributes level=1 from=me meta timeout=15s timestamp-format="%Y-%m-%d %H:%M" \
              to { r1 attributes level=2 meta timestamp-format=%s } to { r2 meta timeout=0 }
            """);
        var plan = AlertPlanner.Plan(cfg, Start(), 1);
        Assert.Equal(("2", "me"), (plan[0].Environment["level"], plan[0].Environment["from"]));
        Assert.Equal(At.ToUnixTimeSeconds().ToString(), plan[0].Environment["CRM_alert_timestamp"]);
        Assert.Equal(TimeSpan.FromSeconds(15), plan[0].Timeout);
        Assert.Equal(("1", "2026-12-06 14:03"), (plan[1].Environment["level"], plan[1].Environment["CRM_alert_timestamp"]));
        Assert.Equal(AlertPlanner.DefaultTimeout, plan[1].Timeout); // 0 means the default, as in Pacemaker
    }

    [Fact]
    public void Enabled_false_turns_off_an_alert_or_one_recipient()
    {
        Assert.Empty(AlertPlanner.Plan(Config("alert a1 /x.sh meta enabled=false to r1"), Start(), 1));
        var plan = AlertPlanner.Plan(Config("alert a1 /x.sh to { r1 meta enabled=false } to r2"), Start(), 1);
        Assert.Equal("r2", Assert.Single(plan).Recipient);
    }

    [Fact]
    public void Without_select_an_alert_hears_nodes_fencing_and_resources_but_not_attributes()
    {
        var cfg = Config("alert a1 /x.sh");
        Assert.Single(AlertPlanner.Plan(cfg, AlertEvent.NodeChanged("node2", 2, false, At), 1));
        Assert.Single(AlertPlanner.Plan(cfg, AlertEvent.Fenced("node2", "reboot", true, "node1", "node3", null, At), 1));
        Assert.Single(AlertPlanner.Plan(cfg, Start(), 1));
        Assert.Empty(AlertPlanner.Plan(cfg, AlertEvent.AttributeChanged("node1", "pingd", "100", At), 1));
    }

    [Fact]
    public void Select_limits_the_kinds_and_attribute_names_an_alert_hears()
    {
        var cfg = Config("alert a1 /x.sh select fencing attributes { pingd standby } to r1");
        Assert.Empty(AlertPlanner.Plan(cfg, Start(), 1));
        Assert.Empty(AlertPlanner.Plan(cfg, AlertEvent.NodeChanged("node2", 2, true, At), 1));
        Assert.Empty(AlertPlanner.Plan(cfg, AlertEvent.AttributeChanged("node1", "other", "1", At), 1));
        var ping = Assert.Single(AlertPlanner.Plan(cfg, AlertEvent.AttributeChanged("node1", "pingd", "100", At), 1)).Environment;
        Assert.Equal(("attribute", "pingd", "100"), (ping["CRM_alert_kind"], ping["CRM_alert_attribute_name"], ping["CRM_alert_attribute_value"]));
        Assert.Equal("fencing,attribute", ping["CRM_alert_select_kind"]);
        Assert.Equal("pingd,standby", ping["CRM_alert_select_attribute_name"]);
        var fenced = Assert.Single(AlertPlanner.Plan(cfg, AlertEvent.Fenced("node2", "reboot", true, "node1", "node3", null, At), 1)).Environment;
        Assert.Equal(("fencing", "node2", "reboot", "0"), (fenced["CRM_alert_kind"], fenced["CRM_alert_node"], fenced["CRM_alert_task"], fenced["CRM_alert_rc"]));
        Assert.Equal("Operation reboot of node2 by node1 for haclusterd@node3: OK", fenced["CRM_alert_desc"]);
    }

    [Fact]
    public void A_node_event_says_member_or_lost_with_the_node_id()
    {
        var env = Assert.Single(AlertPlanner.Plan(Config("alert a1 /x.sh"), AlertEvent.NodeChanged("node2", 2, false, At), 1)).Environment;
        Assert.Equal(("node", "node2", "2", "lost"), (env["CRM_alert_kind"], env["CRM_alert_node"], env["CRM_alert_nodeid"], env["CRM_alert_desc"]));
        Assert.False(env.ContainsKey("CRM_alert_rsc"));
    }

    [Fact]
    public void A_probe_with_the_expected_result_sends_no_alert_but_an_unexpected_one_does()
    {
        Assert.Null(AlertEvent.ResourceOperation("node1", "d", "monitor", 0, 7, 7, AlertEvent.ExecutionStatusDone, 5, At));
        var found = AlertEvent.ResourceOperation("node1", "d", "monitor", 0, 0, 7, AlertEvent.ExecutionStatusDone, 5, At);
        Assert.Equal("ok", found!.Description);
        var failed = AlertEvent.ResourceOperation("node1", "d", "monitor", 10000, 7, 0, AlertEvent.ExecutionStatusDone, 5, At);
        Assert.Equal("not running", failed!.Description);
        var timedOut = AlertEvent.ResourceOperation("node1", "d", "start", 0, 1, 0, AlertEvent.ExecutionStatusTimedOut, 20000, At);
        Assert.Equal("Timed Out", timedOut!.Description);
    }

    [Theory]
    [InlineData("%H:%M:%S.%06N", "14:03:07.123456")]
    [InlineData("%Y-%m-%d %T", "2026-12-06 14:03:07")]
    [InlineData("%D %H:%M", "12/06/26 14:03")]
    [InlineData("%s.%3N", "1796565787.123")]
    [InlineData("%N", "123456000")]
    [InlineData("%c", "Sun Dec  6 14:03:07 2026")]
    [InlineData("100%% at %H %q", "100% at 14 %q")]
    [InlineData("trailing %", "trailing %")]
    public void Timestamps_follow_date_formats(string format, string expected) =>
        Assert.Equal(expected, AlertTimestamp.Format(format, At));

    [Theory]
    [InlineData("crm")]
    [InlineData("xml")]
    [InlineData("yaml")]
    public void Select_survives_every_syntax(string syntax)
    {
        var cfg = Config("alert a1 /x.sh select nodes attributes { pingd } to r1\nalert a2 /y.sh select resources");
        var text = syntax switch
        {
            "crm" => CrmPrinter.Print(cfg),
            "xml" => CibXmlWriter.Write(cfg),
            _ => CibYamlWriter.Write(cfg),
        };
        var back = (syntax switch
        {
            "crm" => CrmParser.Parse(text, "x"),
            "xml" => CibXmlReader.Parse(text, "x"),
            _ => CibYamlReader.Parse(text, "x"),
        }).Config!;
        Assert.Equal(cfg.Alerts, back.Alerts);
        Assert.Equal(new AlertSelect(true, false, false, true, new[] { "pingd" }.ToEquatableArray()), back.Alerts[0].Select);
    }

    [Theory]
    [InlineData("alert a1 /x.sh select to r1", "select needs at least one")]
    [InlineData("alert a1 /x.sh select attributes { } to r1", "names no attribute")]
    public void A_bad_select_is_an_error_at_its_place(string crm, string fragment)
    {
        var parsed = CrmParser.Parse(crm, "t.crm");
        Assert.Contains(parsed.Errors, e => e.Message.Contains(fragment) && e.Location is not null);
    }
}
