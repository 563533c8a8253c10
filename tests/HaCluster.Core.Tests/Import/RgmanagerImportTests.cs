using System.Text.RegularExpressions;
using HaCluster.Core.Cib.Syntax;
using HaCluster.Core.Import;
using HaCluster.Core.Membership;
using HaCluster.Core.Tests.Cli;
using Xunit;

namespace HaCluster.Core.Tests.Import;

/// <summary>hacrm import of Red Hat Cluster Suite's cluster.conf (seed 004 and the rest of rgmanager's spellings).</summary>
public sealed class RgmanagerImportTests : ImportTest
{
    private (int Exit, string Out, string Err) Import(string clusterConf, params string[] extra)
    {
        var file = SeedDocuments.WriteAs(Dir, "cluster.conf", clusterConf);
        return CliRunner.Run(["import", file, "--out", Out, .. extra]);
    }

    private static readonly string[] Seed004Nodes = ["--node", "one-server1=10.10.11.1", "--node", "one-server2=10.10.11.2"];

    [Fact]
    public void Seed_004s_cluster_conf_imports_as_it_is_into_files_HaCluster_accepts_with_every_line_reported()
    {
        var conf = SeedDocuments.Seed004ClusterConf();
        var (exit, output, error) = Import(conf, Seed004Nodes);
        Assert.True(exit == 0, error);
        var membership = ClusterBootstrapReader.ReadFile(Path.Combine(Out, "cluster.yaml"));
        Assert.False(membership.HasErrors, string.Join("\n", membership.Diagnostics));
        Assert.Equal("opennebula", membership.Config!.ClusterName);
        Assert.Equal(new QuorumConfig(2, true, true), membership.Config.Quorum);
        Assert.Equal(["one-server1", "one-server2"], membership.Config.Nodes.Select(n => n.Name));
        var cib = ConfigurationFiles.ParseAndValidate(File.ReadAllText(Path.Combine(Out, "cib.crm")), "cib.crm", ConfigurationFormat.Crm);
        Assert.False(cib.HasErrors, string.Join("\n", cib.Diagnostics));
        // The key is new (cluster.conf has none), private, and one the daemon loads.
        var key = Path.Combine(Out, "authkey");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
        ClusterKey.Load(key);
        // Every non-blank line of the source is in the report, mapped or not and why.
        var reported = Regex.Matches(output, @"cluster\.conf:(\d+): ").Select(m => int.Parse(m.Groups[1].Value)).ToHashSet();
        var lines = conf.Split('\n');
        for (var i = 0; i < lines.Length; i++)
            if (lines[i].Trim().Length > 0) Assert.Contains(i + 1, reported);
        Assert.Contains("not mapped: ip sleeptime=\"10\"", output);
        Assert.Contains("not mapped: no fence devices: fencing is off", output);
    }

    [Fact]
    public void The_imported_opennebula_service_starts_on_one_server1_moves_when_it_goes_and_fails_back_as_nofailback_0_asks()
    {
        var (exit, _, error) = Import(SeedDocuments.Seed004ClusterConf(), Seed004Nodes);
        Assert.True(exit == 0, error);
        var cib = Path.Combine(Out, "cib.crm");
        // The seed's order: the address, then oned, then sunstone, on one-server1 (priority 1).
        var (_, started, _) = CliRunner.Run("simulate", "--config", cib, "--graph");
        Assert.Matches(@"Start\s+opennebula_ip_10\.10\.11\.12\s+\( one-server1 \)", started);
        Assert.Matches(@"Start\s+opennebula_sunstone\s+\( one-server1 \)", started);
        Assert.Matches(@"opennebula_opennebula_start_0 on one-server1  after \d+", started);
        // one-server1 fails: everything runs on one-server2 ...
        var away = Path.Combine(Dir, "away.xml");
        var (down, moved, downError) = CliRunner.Run("simulate", "--config", cib, "-d", "one-server1", "--settle", "--save-output", away);
        Assert.True(down == 0, downError);
        Assert.Matches(@"Start\s+opennebula_sunstone\s+\( one-server2 \)", moved);
        // ... and comes back to one-server1 when it returns.
        var (_, back, _) = CliRunner.Run("simulate", "--xml", away, "--node-up", "one-server1");
        foreach (var member in new[] { "opennebula_ip_10.10.11.12", "opennebula_opennebula", "opennebula_sunstone" })
            Assert.Matches($@"Move\s+{Regex.Escape(member)}\s+\( one-server2 -> one-server1 \)", back);
    }

    private const string Full = """
        <?xml version="1.0"?>
        <cluster config_version="3" name="web">
          <clusternodes>
            <clusternode name="n1" nodeid="1">
              <fence>
                <method name="ipmi"><device name="ipmi-n1"/></method>
                <method name="pdu"><device name="apc" port="3"/></method>
              </fence>
            </clusternode>
            <clusternode name="n2" nodeid="2">
              <fence>
                <method name="pdu"><device name="apc" port="4"/></method>
              </fence>
            </clusternode>
            <clusternode name="n3" nodeid="3"/>
          </clusternodes>
          <cman expected_votes="3"/>
          <fencedevices>
            <fencedevice agent="fence_ipmilan" name="ipmi-n1" ipaddr="192.0.2.11" login="admin" passwd="secret"/>
            <fencedevice agent="fence_apc" name="apc" ipaddr="192.0.2.20" login="apc" passwd="apc"/>
          </fencedevices>
          <rm>
            <failoverdomains>
              <failoverdomain name="web-nodes" ordered="0" restricted="1" nofailback="1">
                <failoverdomainnode name="n1"/>
                <failoverdomainnode name="n2"/>
              </failoverdomain>
            </failoverdomains>
            <resources>
              <fs name="data" device="/dev/vg0/data" mountpoint="/srv/data" fstype="ext4" force_unmount="1"/>
            </resources>
            <service name="nfs" domain="web-nodes" recovery="relocate" autostart="0">
              <fs ref="data">
                <nfsexport name="exports">
                  <nfsclient name="lan" target="192.0.2.0/24" options="rw,sync"/>
                </nfsexport>
              </fs>
              <ip address="192.0.2.100/24"/>
              <samba name="smb"/>
            </service>
          </rm>
        </cluster>
        """;

    [Fact]
    public void Fence_methods_become_devices_with_host_maps_and_fencing_levels()
    {
        var (exit, _, error) = Import(Full, "--node", "n1=10.0.0.1", "--node", "n2=10.0.0.2", "--node", "n3=10.0.0.3");
        Assert.True(exit == 0, error);
        var crm = File.ReadAllText(Path.Combine(Out, "cib.crm"));
        Assert.Contains("primitive st_apc stonith:fence_apc", crm);
        Assert.Contains("pcmk_host_map=n1:3;n2:4", crm.Replace("\"", ""));
        Assert.Contains("pcmk_host_list=\"n1 n2\"", crm);
        Assert.Contains("property stonith-enabled=true", crm);
        var config = CrmParser.Parse(crm, "cib.crm").Config!;
        var levels = config.FencingLevels.Where(l => l.Target == "n1").OrderBy(l => l.Index).Select(l => l.Devices).ToList();
        Assert.Equal(["st_ipmi-n1", "st_apc"], levels);
    }

    [Fact]
    public void A_service_is_a_group_in_rgmanagers_start_order_with_its_domain_recovery_and_autostart()
    {
        var (exit, output, error) = Import(Full, "--node", "n1=10.0.0.1", "--node", "n2=10.0.0.2", "--node", "n3=10.0.0.3");
        Assert.True(exit == 0, error);
        var config = CrmParser.Parse(File.ReadAllText(Path.Combine(Out, "cib.crm")), "cib.crm").Config!;
        var group = Assert.IsType<HaCluster.Core.Cib.Group>(config.FindResource("nfs"));
        // The filesystem before what it holds (its export), then the address; samba is not known.
        Assert.Equal(["nfs_data", "nfs_lan", "nfs_ip_192.0.2.100"], group.Members.Select(m => m.Id));
        var export = (HaCluster.Core.Cib.Primitive)config.FindResource("nfs_lan")!;
        Assert.Equal("ocf:heartbeat:exportfs", export.Agent!.ToString());
        Assert.Equal("/srv/data", export.InstanceAttributes.SelectMany(a => a.Pairs).Single(p => p.Name == "directory").Value);
        Assert.Contains(export.InstanceAttributes.SelectMany(a => a.Pairs), p => p.Name == "fsid");
        Assert.Contains("cidr_netmask=24", File.ReadAllText(Path.Combine(Out, "cib.crm")));
        var meta = group.MetaAttributes.SelectMany(s => s.Pairs).ToDictionary(p => p.Name, p => p.Value);
        Assert.Equal("1", meta["migration-threshold"]);     // recovery=relocate
        Assert.Equal("Stopped", meta["target-role"]);       // autostart=0
        Assert.Equal("1", meta["resource-stickiness"]);     // nofailback=1 on an unordered domain: no gap to beat
        var crm = File.ReadAllText(Path.Combine(Out, "cib.crm"));
        Assert.Contains("location l_nfs_not_n3 nfs -inf: n3", crm);   // restricted
        Assert.Contains("location l_nfs_n1 nfs 100: n1", crm);        // unordered: alike
        Assert.Contains("not mapped: <samba> smb: no HaCluster counterpart known", output);
        Assert.Contains("not mapped: fs force_unmount=\"1\"", output);
        Assert.Contains("not mapped: node n3 has no fence method", output);
    }

    [Fact]
    public void Nodes_without_addresses_broken_xml_and_bad_options_are_refused_and_nothing_is_written()
    {
        var (noNodes, _, missing) = Import(Full);
        Assert.Equal(1, noNodes);
        Assert.Contains("node n1 has no address in cluster.conf (cman resolves the name): give it with --node n1=ADDRESS", missing);
        Assert.False(Directory.Exists(Out));
        var (broken, _, brokenError) = Import("<cluster name=\"x\">\n  <clusternodes>\n</cluster>\n");
        Assert.Equal(1, broken);
        Assert.Matches(@"cluster\.conf:3:\d+: not well-formed XML", brokenError);
        Assert.Equal(2, Import(Full, "--from", "openais").Exit);
        Assert.Equal(2, Import(Full, "--node", "n1").Exit);
        Assert.Equal(2, CliRunner.Run("import", Path.Combine(Dir, "cluster.conf")).Exit);   // --out is required
        Assert.False(Directory.Exists(Out));
    }

    [Fact]
    public void The_format_is_told_from_the_content()
    {
        Assert.Equal(SourceFormat.Rgmanager, SourceDetection.Detect([SeedDocuments.Seed004ClusterConf()]));
        Assert.Equal(SourceFormat.Corosync, SourceDetection.Detect(["totem {\n version: 2\n}\n"]));
        Assert.Equal(SourceFormat.Keepalived, SourceDetection.Detect(["vrrp_instance VI_1 {\n state MASTER\n}\n"]));
        Assert.Equal(SourceFormat.Heartbeat, SourceDetection.Detect(["keepalive 2\ndeadtime 15\nnode a\n"]));
        Assert.Equal(SourceFormat.Pacemaker, SourceDetection.Detect(["<cib epoch=\"1\"><configuration/></cib>"]));
        Assert.Null(SourceDetection.Detect(["hello"]));
    }
}
