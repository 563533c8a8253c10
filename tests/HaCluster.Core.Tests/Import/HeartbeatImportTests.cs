using System.Text.RegularExpressions;
using HaCluster.Core.Cib.Syntax;
using HaCluster.Core.Membership;
using HaCluster.Core.Tests.Cli;
using Xunit;

namespace HaCluster.Core.Tests.Import;

/// <summary>hacrm import of Heartbeat's ha.cf, authkeys and haresources (seeds 000 and 002, and haresources' spellings).</summary>
public sealed class HeartbeatImportTests : ImportTest
{
    [Fact]
    public void Seed_000s_ha_cf_and_authkeys_import_as_they_are_with_the_multicast_link_timers_and_key()
    {
        var (exit, output, error) = Import([("ha.cf", SeedDocuments.Seed000HaCf()), ("authkeys", SeedDocuments.Seed000Authkeys())],
            "--node", "clc1=10.0.0.1", "--node", "clc2=10.0.0.2");
        Assert.True(exit == 0, error);
        var c = Membership();
        Assert.Equal(["clc1", "clc2"], c.Nodes.Select(n => n.Name));
        var ring = Assert.Single(c.Rings);
        Assert.Equal((RingKind.Multicast, "239.0.0.43", 649, "eth0"), (ring.Kind, ring.Group!.ToString(), ring.Port, ring.Interface));
        Assert.Equal(new MembershipTimers(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(60)), c.Timers);
        // The authkeys file ("auth1", "1 md5 password") is the key, as Heartbeat had it.
        Assert.Equal(ClusterKey.Parse("auth1\n1 md5 password\n"u8.ToArray()).Bytes.ToArray(), ClusterKey.Load(Path.Combine(Out, "authkey")).Bytes.ToArray());
        Assert.Contains("crm respawn: resources are managed by the CRM", output);
        Assert.Contains("11 of 11 source lines mapped (100%)", output);
    }

    [Fact]
    public void Seed_002s_three_files_import_and_each_vm_set_starts_at_home_moves_when_its_node_goes_and_fails_back()
    {
        var (exit, output, error) = Import([("ha.cf", SeedDocuments.Seed002HaCf()), ("authkeys", SeedDocuments.Seed002Authkeys()),
            ("haresources", SeedDocuments.Seed002Haresources())]);
        Assert.True(exit == 0, error);
        var c = Membership();
        // ucast eth0 lists both nodes' addresses; taken in node order, and the report says so.
        Assert.Equal("10.1.1.100", c.FindNode("ha1.domain.local")!.Addresses[0].ToString());
        Assert.Equal("10.1.1.101", c.FindNode("ha2.domain.local")!.Addresses[0].ToString());
        Assert.Contains("taken to be 10.1.1.100", output);
        Assert.Equal((RingKind.Unicast, 694, "eth0"), (c.Rings[0].Kind, c.Rings[0].Port, c.Rings[0].Interface));
        Assert.Equal(new MembershipTimers(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20)), c.Timers);
        Assert.Equal("/dev/watchdog", c.Watchdog.Device);
        var cib = Path.Combine(Out, "cib.crm");
        var (_, started, _) = CliRunner.Run("simulate", "--config", cib);
        Assert.Matches(@"Start\s+xendomainsHA1\s+\( ha1\.domain\.local \)", started);
        Assert.Matches(@"Start\s+xendomainsHA2\s+\( ha2\.domain\.local \)", started);
        var away = Path.Combine(Dir, "away.xml");
        var (_, moved, _) = CliRunner.Run("simulate", "--config", cib, "-d", "ha1.domain.local", "--settle", "--save-output", away);
        Assert.Matches(@"Start\s+xendomainsHA1\s+\( ha2\.domain\.local \)", moved);
        // auto_failback on: back home when ha1 returns.
        var (_, back, _) = CliRunner.Run("simulate", "--xml", away, "--node-up", "ha1.domain.local");
        Assert.Matches(@"Move\s+xendomainsHA1\s+\( ha2\.domain\.local -> ha1\.domain\.local \)", back);
    }

    private const string HaCf = "keepalive 500ms\ndeadtime 2\nwarntime 1\ninitdead 10\nucast eth0 10.0.0.1\nucast eth0 10.0.0.2\nbcast eth1\n" +
                                "auto_failback off\nnode n1 n2\nbaud 19200\nrespawn hacluster /usr/lib/heartbeat/ipfail\n";

    [Fact]
    public void Haresources_spellings_become_a_group_in_order_with_drbd_promoted_under_it_and_auto_failback_off_keeps_it()
    {
        const string haresources = "n1 IPaddr::10.0.0.10/24/eth0 drbddisk::r0 \\\n   Filesystem::/dev/drbd0::/data::ext3::noatime MailTo::ops@example.com::failover \\\n   10.0.0.11 mysql\n";
        var (exit, output, error) = Import([("ha.cf", HaCf), ("haresources", haresources)], "--node", "n1=10.0.0.1,10.1.0.1", "--node", "n2=10.0.0.2,10.1.0.2");
        Assert.True(exit == 0, error);
        var c = Membership();
        Assert.Equal(TimeSpan.FromMilliseconds(500), c.Timers.Keepalive);
        Assert.Equal(2, c.Rings.Count);   // ucast eth0, and bcast eth1 as a unicast ring
        var crm = File.ReadAllText(Path.Combine(Out, "cib.crm"));
        var config = CrmParser.Parse(crm, "cib.crm").Config!;
        var group = Assert.IsType<HaCluster.Core.Cib.Group>(config.FindResource("grp_n1_1"));
        Assert.Equal(["ip_10.0.0.10", "fs_data", "mailto_n1_1", "ip_10.0.0.11", "mysql"], group.Members.Select(m => m.Id));
        Assert.Contains("params ip=10.0.0.10 cidr_netmask=24 nic=eth0", crm);
        Assert.Contains("params device=/dev/drbd0 directory=/data fstype=ext3 options=noatime", crm);
        Assert.Contains("ms ms_drbd_r0 drbd_r0", crm);
        Assert.Contains("colocation c_grp_n1_1_with_ms_drbd_r0 inf: grp_n1_1 ms_drbd_r0:Promoted", crm);
        Assert.Contains("order o_ms_drbd_r0_before_grp_n1_1 Mandatory: ms_drbd_r0:promote grp_n1_1:start", crm);
        // auto_failback off: five members' stickiness (21 each) outweighs the 100-point home preference.
        Assert.Contains("meta resource-stickiness=21", crm);
        Assert.Contains("not mapped: baud 19200", output);
        Assert.Contains("not mapped: respawn hacluster /usr/lib/heartbeat/ipfail: use a health check", output);
        Assert.False(ConfigurationFiles.ParseAndValidate(crm, "cib.crm", ConfigurationFormat.Crm).HasErrors);
    }

    [Fact]
    public void Without_ha_cf_or_addresses_for_a_multicast_link_the_import_is_refused()
    {
        Assert.Equal(1, Import([("haresources", "n1 10.0.0.10\n")], "--from", "heartbeat").Exit);
        var (exit, _, error) = Import([("ha.cf", SeedDocuments.Seed000HaCf())]);
        Assert.Equal(1, exit);
        Assert.Contains("node clc1 has no address for the mcast eth0 link(s): give it with --node clc1=ADDR", error);
        Assert.False(Directory.Exists(Out));
    }
}
