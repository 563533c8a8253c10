using HaCluster.Core.Import;
using HaCluster.Core.Membership;
using HaCluster.Core.Tests.Cli;
using Xunit;

namespace HaCluster.Core.Tests.Import;

/// <summary>hacrm import of corosync.conf (seed 003's two-ring corosync 1.x, and corosync 2/3 with a nodelist).</summary>
public sealed class CorosyncImportTests : ImportTest
{
    private (int Exit, string Out, string Err) Import(string conf, byte[]? authkey, params string[] extra)
    {
        var files = new List<string> { SeedDocuments.WriteAs(Dir, "corosync.conf", conf) };
        if (authkey is not null)
        {
            files.Add(Path.Combine(Dir, "authkey"));
            File.WriteAllBytes(files[^1], authkey);
        }
        return CliRunner.Run(["import", .. files, "--out", Out, .. extra]);
    }

    [Fact]
    public void Seed_003s_two_rings_on_one_port_token_timers_and_authkey_import_as_they_are()
    {
        var authkey = Enumerable.Range(0, 128).Select(i => (byte)(i * 7 + 3)).ToArray();
        var (exit, output, error) = Import(SeedDocuments.Seed003CorosyncConf(), authkey,
            "--node", "node1=192.168.42.82,10.0.42.100", "--node", "node2=192.168.42.87,10.0.42.254");
        Assert.True(exit == 0, error);
        var c = Membership();
        Assert.Equal([("239.255.42.1", 5405), ("239.255.42.2", 5405)], c.Rings.Select(r => (r.Group!.ToString(), r.Port)));
        Assert.Equal(TimeSpan.FromSeconds(10), c.Timers.Deadtime);
        Assert.Equal(TimeSpan.FromMilliseconds(900), c.Timers.Keepalive);
        Assert.Equal(new QuorumConfig(2, true, true), c.Quorum);
        // corosync-keygen's key is the cluster key, byte for byte.
        Assert.Equal(authkey, ClusterKey.Load(Path.Combine(Out, "authkey")).Bytes.ToArray());
        Assert.Contains("secauth on: every HaCluster packet is authenticated", output);
        Assert.Contains("not mapped: vsftype", output);
        Assert.Contains("service: Pacemaker as corosync's service", output);
    }

    [Fact]
    public void Seed_003s_corosync_conf_with_its_mysql_paste_runs_mysql_on_the_drbd_primary_and_fails_over()
    {
        // The guide configures no fence device; this operator turns fencing off for the trial
        // in a paste of their own (with fencing on and no device, nothing would start).
        var files = new List<string>
        {
            SeedDocuments.WriteAs(Dir, "corosync.conf", SeedDocuments.Seed003CorosyncConf()), SeedDocuments.WriteAs(Dir, "mysql.crm", SeedDocuments.Seed003MysqlPaste()),
            SeedDocuments.WriteAs(Dir, "trial.crm", "property stonith-enabled=false\n"),
        };
        var (exit, output, error) = CliRunner.Run(["import", .. files, "--out", Out, "--node", "node1=192.168.42.82,10.0.42.100", "--node", "node2=192.168.42.87,10.0.42.254"]);
        Assert.True(exit == 0, error);
        // The guide's paste lacks a '\' after additional_parameters: read as crm shell reads it, and said.
        Assert.Matches(@"mysql\.crm:22: not mapped: warning: this line continues the previous command", output);
        var cib = Path.Combine(Out, "cib.crm");
        var scores = new[] { "-A", "node1:master-p_drbd_mysql=100", "-A", "node2:master-p_drbd_mysql=50" };
        var (_, settled, _) = CliRunner.Run(["simulate", "--config", cib, "--settle", .. scores]);
        Assert.Contains("Promoted: [ node1 ]", settled);
        Assert.Matches(@"p_mysql\t\(ocf:heartbeat:mysql\):\t Started node1", settled);
        var (_, failed, _) = CliRunner.Run(["simulate", "--config", cib, "--settle", "-A", "node2:master-p_drbd_mysql=50", "-d", "node1"]);
        Assert.Contains("Promoted: [ node2 ]", failed);
        Assert.Matches(@"p_mysql\t\(ocf:heartbeat:mysql\):\t Started node2", failed);
    }

    [Fact]
    public void Without_a_nodelist_the_nodes_must_be_named_and_addresses_off_the_rings_network_are_noted()
    {
        var (exit, _, error) = Import(SeedDocuments.Seed003CorosyncConf(), null);
        Assert.Equal(1, exit);
        Assert.Contains("no nodelist (corosync finds its peers by multicast): name the nodes with --node NAME=ADDR,ADDR2", error);
        var (wrong, output, _) = Import(SeedDocuments.Seed003CorosyncConf(), null, "--node", "a=192.168.42.1,10.9.9.9", "--node", "b=192.168.42.2,10.0.42.2");
        Assert.Equal(0, wrong);
        Assert.Contains("--node a: 10.9.9.9 does not look like it is on ring 1's network 10.0.42.0", output);
        Assert.Contains("a new random key (corosync's authkey was not given", output);
    }

    private const string Corosync3 = """
        totem {
            version: 2
            cluster_name: pgcluster
            transport: knet
            crypto_cipher: aes256
            crypto_hash: sha256
            token: 3000
        }
        nodelist {
            node {
                ring0_addr: 10.0.0.11
                ring1_addr: 10.1.0.11
                name: pg1
                nodeid: 1
            }
            node {
                ring0_addr: 10.0.0.12
                ring1_addr: 10.1.0.12
                name: pg2
                nodeid: 2
            }
            node {
                ring0_addr: 10.0.0.13
                ring1_addr: 10.1.0.13
                name: pg3
                nodeid: 3
            }
        }
        quorum {
            provider: corosync_votequorum
            wait_for_all: 1
            last_man_standing: 1
        }
        logging {
            to_logfile: yes
            logfile: /var/log/cluster/corosync.log
            debug: on
        }
        """;

    [Fact]
    public void A_corosync_3_nodelist_gives_names_ids_and_one_address_per_link()
    {
        var (exit, output, error) = Import(Corosync3, null);
        Assert.True(exit == 0, error);
        var c = Membership();
        Assert.Equal("pgcluster", c.ClusterName);
        Assert.Equal(["pg1", "pg2", "pg3"], c.Nodes.Select(n => n.Name));
        Assert.Equal("10.1.0.13", c.FindNode(3)!.Addresses[1].ToString());
        Assert.All(c.Rings, r => Assert.Equal(RingKind.Unicast, r.Kind));
        Assert.Equal(2, c.Rings.Count);
        Assert.Equal(new QuorumConfig(3, false, true), c.Quorum);
        Assert.Equal(new LoggingSettings(LogVerbosity.Debug, "/var/log/cluster/corosync.log"), c.Logging);
        Assert.Equal(TimeSpan.FromSeconds(3), c.Timers.Deadtime);
        Assert.Contains("not mapped: last_man_standing", output);
        Assert.Equal("node pg1\nnode pg2\nnode pg3", string.Join("\n", File.ReadAllLines(Path.Combine(Out, "cib.crm")).Where(l => l.StartsWith("node ", StringComparison.Ordinal))));
    }

    [Fact]
    public void An_unclosed_section_is_an_error_at_its_line_and_nothing_is_written()
    {
        var (exit, _, error) = Import("totem {\n  version: 2\n  interface {\n    ringnumber: 0\n}\n", null, "--node", "a=10.0.0.1");
        Assert.Equal(1, exit);
        Assert.Contains("corosync.conf:1: section 'totem' is never closed", error);
        Assert.False(Directory.Exists(Out));
        Assert.Equal(SourceFormat.Corosync, SourceDetection.Detect([Corosync3]));
    }
}
