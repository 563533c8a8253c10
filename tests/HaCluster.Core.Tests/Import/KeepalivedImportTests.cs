using System.Text.RegularExpressions;
using HaCluster.Core.Cib.Syntax;
using HaCluster.Core.Tests.Cli;
using Xunit;

namespace HaCluster.Core.Tests.Import;

/// <summary>hacrm import of keepalived.conf (seed 001, and per-node files with priorities, nopreempt and tracked links).</summary>
public sealed class KeepalivedImportTests : ImportTest
{
    [Fact]
    public void Seed_001s_vip_follows_the_enabled_cluster_controller_through_the_imported_health_check()
    {
        var (exit, output, error) = Import([("keepalived.conf", SeedDocuments.Seed001KeepalivedConf())], "--node", "cc1=192.168.1.11", "--node", "cc2=192.168.1.12");
        Assert.True(exit == 0, error);
        var crm = File.ReadAllText(Path.Combine(Out, "cib.crm"));
        Assert.Contains("health_check cc-enabled-check script=/usr/local/bin/CCclient-enabled-check.sh interval=5s fall=1 rise=1", crm);
        Assert.Contains("rule 2: cc-enabled-check eq 1", crm);   // weight 2
        Assert.Contains("params ip=192.168.1.50 cidr_netmask=32 nic=bond1", crm);
        Assert.Contains("alert smtp_alert", crm);
        Assert.Equal(TimeSpan.FromSeconds(3), Membership().Timers.Deadtime);   // advert_int 1: three adverts
        Assert.Matches(@"\d+ of \d+ source lines mapped", output);
        var cib = Path.Combine(Out, "cib.crm");
        // The VIP goes where the check passes, and follows it.
        var (_, onCc2, _) = CliRunner.Run("simulate", "--config", cib, "-A", "cc1:cc-enabled-check=0", "-A", "cc2:cc-enabled-check=1");
        Assert.Matches(@"Start\s+vip_192\.168\.1\.50\s+\( cc2 \)", onCc2);
        var (_, onCc1, _) = CliRunner.Run("simulate", "--config", cib, "-A", "cc1:cc-enabled-check=1", "-A", "cc2:cc-enabled-check=0");
        Assert.Matches(@"Start\s+vip_192\.168\.1\.50\s+\( cc1 \)", onCc1);
    }

    private const string Master = """
        vrrp_script chk_haproxy {
            script "killall -0 haproxy"
            interval 2
            weight -20
        }
        vrrp_instance VI_1 {
            state MASTER
            interface eth0
            virtual_router_id 51
            priority 150
            nopreempt
            virtual_ipaddress {
                10.0.0.100/24 dev eth0 label eth0:vip
                10.0.0.101/24
            }
            track_script {
                chk_haproxy
            }
            track_interface {
                eth1 weight -30
            }
            notify_master "/etc/keepalived/master.sh"
            garp_master_delay 5
        }
        """;

    [Fact]
    public void One_file_per_node_gives_each_its_priority_and_nopreempt_outweighs_the_gap_with_the_weights()
    {
        var backup = Master.Replace("state MASTER", "state BACKUP").Replace("priority 150", "priority 100");
        var (exit, output, error) = Import([("lb1.conf", Master), ("lb2.conf", backup)], "--node", "lb1=10.0.0.1", "--node", "lb2=10.0.0.2");
        Assert.True(exit == 0, error);
        var crm = File.ReadAllText(Path.Combine(Out, "cib.crm"));
        var config = CrmParser.Parse(crm, "cib.crm").Config!;
        var group = Assert.IsType<HaCluster.Core.Cib.Group>(config.FindResource("VI_1"));
        Assert.Equal(["vip_10.0.0.100", "vip_10.0.0.101"], group.Members.Select(m => m.Id));
        Assert.Contains("location l_VI_1_lb1 VI_1 150: lb1", crm);
        Assert.Contains("location l_VI_1_lb2 VI_1 100: lb2", crm);
        Assert.Contains("rule -20: chk_haproxy eq 0", crm);
        Assert.Contains("health_check chk_haproxy script=\"/usr/bin/env killall -0 haproxy\" interval=2s", crm);
        Assert.Contains("health_check link_eth1 script=\"/bin/grep -qx up /sys/class/net/eth1/operstate\"", crm);
        Assert.Contains("rule -30: link_eth1 eq 0", crm);
        Assert.Contains("iflabel=vip", crm);
        // Gap 50 plus weights 20 and 30: 100, so two addresses need 51 each to stay put.
        Assert.Contains("meta resource-stickiness=51", crm);
        Assert.Contains("not mapped: notify_master: alert VI_1_notify_master runs the script on cluster events with CRM_alert_* variables", output);
        Assert.Contains("not mapped: garp_master_delay 5: no counterpart", output);
        // lb1 is preferred; once running on lb2, nopreempt keeps it there.
        var cib = Path.Combine(Out, "cib.crm");
        var (_, start, _) = CliRunner.Run("simulate", "--config", cib, "-A", "lb1:chk_haproxy=1", "-A", "lb2:chk_haproxy=1", "-A", "lb1:link_eth1=1", "-A", "lb2:link_eth1=1");
        Assert.Matches(@"Start\s+vip_10\.0\.0\.100\s+\( lb1 \)", start);
        var away = Path.Combine(Dir, "away.xml");
        var (_, moved, _) = CliRunner.Run("simulate", "--config", cib, "-A", "lb2:chk_haproxy=1", "-A", "lb2:link_eth1=1", "-d", "lb1", "--settle", "--save-output", away);
        Assert.Matches(@"Start\s+vip_10\.0\.0\.100\s+\( lb2 \)", moved);
        var (_, back, _) = CliRunner.Run("simulate", "--xml", away, "--node-up", "lb1", "-A", "lb1:chk_haproxy=1", "-A", "lb1:link_eth1=1");
        Assert.DoesNotContain("Move", back);
    }

    [Fact]
    public void Without_nodes_or_with_a_file_count_that_matches_no_node_list_the_import_is_refused()
    {
        var (exit, _, error) = Import([("keepalived.conf", Master)]);
        Assert.Equal(1, exit);
        Assert.Contains("keepalived.conf names no nodes: give each with --node NAME=ADDR", error);
        var (three, _, threeError) = Import([("a.conf", Master), ("b.conf", Master)], "--node", "a=10.0.0.1", "--node", "b=10.0.0.2", "--node", "c=10.0.0.3");
        Assert.Equal(1, three);
        Assert.Contains("2 keepalived.conf files for 3 --node(s)", threeError);
        Assert.False(Directory.Exists(Out));
        var (unclosed, _, unclosedError) = Import([("keepalived.conf", "vrrp_instance X {\n  priority 1\n")], "--node", "a=10.0.0.1");
        Assert.Equal(1, unclosed);
        Assert.Contains("a block is never closed", unclosedError);
    }
}
