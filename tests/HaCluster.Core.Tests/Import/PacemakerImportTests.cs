using System.Text.RegularExpressions;
using HaCluster.Core.Cib.Syntax;
using HaCluster.Core.Tests.Cli;
using Xunit;

namespace HaCluster.Core.Tests.Import;

/// <summary>hacrm import of a Pacemaker CIB or crm configure batch, alone or with the stack's membership files.</summary>
public sealed class PacemakerImportTests : ImportTest
{
    [Fact]
    public void Seed_000s_ha_cf_authkeys_and_crm_paste_import_together_and_clc1_runs_the_cloud_controller_until_it_fails()
    {
        var (exit, output, error) = Import([("ha.cf", SeedDocuments.Seed000HaCf()), ("authkeys", SeedDocuments.Seed000Authkeys()), ("uec.crm", SeedDocuments.Seed000CrmPaste())],
            "--node", "clc1=192.168.0.101", "--node", "clc2=192.168.0.102");
        Assert.True(exit == 0, error);
        Assert.Contains("of 23 source lines mapped (100%)", output);
        var cib = Path.Combine(Out, "cib.crm");
        var crm = File.ReadAllText(cib);
        Assert.Contains("colocation c_uec_on_drbd inf: rg_uec ms_drbd_uec:Master", crm);
        Assert.DoesNotContain("stonith-enabled=false", crm);   // the paste's own stonith-enabled=False stands
        // The DRBD agent's promotion scores, as the seed expects: clc1 becomes the primary.
        var (_, settled, _) = CliRunner.Run("simulate", "--config", cib, "-A", "clc1:master-res_drbd_uec-clc=100", "-A", "clc2:master-res_drbd_uec-clc=50", "--settle");
        Assert.Contains("Promoted: [ clc1 ]", settled);
        Assert.Matches(@"res_uec\t\(upstart:eucalyptus\):\t Started clc1", settled);
        var (_, failed, _) = CliRunner.Run("simulate", "--config", cib, "-A", "clc2:master-res_drbd_uec-clc=50", "-d", "clc1", "--settle");
        Assert.Contains("Promoted: [ clc2 ]", failed);
        Assert.Matches(@"res_uec\t\(upstart:eucalyptus\):\t Started clc2", failed);
    }

    [Fact]
    public void A_cib_passes_through_unchanged_with_addresses_from_the_command_line_and_its_status_left_behind()
    {
        var xml = File.ReadAllText(Path.Combine(TestPaths.ConformanceXml, "cloned-group.xml"));
        var original = CibXmlReader.Parse(xml, "cib.xml").Config!;
        var nodes = original.Nodes.SelectMany((n, i) => new[] { "--node", $"{n.Uname}=10.0.0.{i + 1}" }).ToArray();
        var (exit, output, error) = Import([("cib.xml", xml)], nodes);
        Assert.True(exit == 0, error);
        var imported = CrmParser.Parse(File.ReadAllText(Path.Combine(Out, "cib.crm")), "cib.crm").Config!;
        Assert.Equal(CrmPrinter.Print(original), CrmPrinter.Print(imported));
        Assert.Equal(original.Nodes.Select(n => n.Uname), Membership().Nodes.Select(n => n.Name));
        Assert.Contains("status: not imported (HaCluster probes every node for what runs where)", output);
        var (missing, _, missingError) = Import([("cib.xml", xml)]);
        Assert.Equal(1, missing);
        Assert.Matches("node \\S+ has no address in a CIB: give it with --node", missingError);
    }

    [Fact]
    public void Corosync_conf_gives_the_membership_and_the_cib_the_resources()
    {
        var xml = File.ReadAllText(Path.Combine(TestPaths.ConformanceXml, "cloned-group.xml"));
        var names = CibXmlReader.Parse(xml, "cib.xml").Config!.Nodes.Select(n => n.Uname).ToList();
        var nodelist = string.Join("\n", names.Select((n, i) => $"  node {{\n    ring0_addr: 10.9.0.{i + 1}\n    name: {n}\n    nodeid: {i + 1}\n  }}"));
        var corosync = $"totem {{\n  version: 2\n  cluster_name: imported\n  transport: knet\n}}\nnodelist {{\n{nodelist}\n}}\nquorum {{\n  provider: corosync_votequorum\n}}\n";
        var (exit, _, error) = Import([("corosync.conf", corosync), ("cib.xml", xml)]);
        Assert.True(exit == 0, error);
        Assert.Equal("imported", Membership().ClusterName);
        Assert.Equal("10.9.0.1", Membership().FindNode(names[0])!.Addresses[0].ToString());
        var crm = File.ReadAllText(Path.Combine(Out, "cib.crm"));
        Assert.Equal(names.Count, Regex.Matches(crm, "^node ", RegexOptions.Multiline).Count);
    }
}
