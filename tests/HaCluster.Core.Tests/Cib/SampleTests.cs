using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using HaCluster.Core.Cib;
using HaCluster.Core.Cib.Syntax;
using Xunit;

namespace HaCluster.Core.Tests.Cib;

/// <summary>The seed stacks in samples/, and the crm snippets of the seed documents themselves.</summary>
public class SampleTests
{
    public static IEnumerable<object[]> Samples() =>
        Directory.GetFiles(TestPaths.Samples, "*.crm").OrderBy(f => f, StringComparer.Ordinal).Select(f => new object[] { Path.GetFileName(f) });

    private static ParseResult Load(string name) =>
        ConfigurationFiles.ParseAndValidate(File.ReadAllText(Path.Combine(TestPaths.Samples, name)), name, ConfigurationFormat.Crm);

    [Fact]
    public void There_is_a_sample_for_every_seed_stack()
    {
        var names = Samples().Select(s => (string)s[0]).ToList();
        foreach (var expected in new[] { "uec-cloud-controller.crm", "openstack-mysql.crm", "openstack-rabbitmq.crm", "openstack-api.crm",
                     "opennebula-frontend.crm", "xen-vms-heartbeat.crm", "keepalived-gateway-vip.crm" })
            Assert.Contains(expected, names);
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Sample_settles_to_its_expected_status(string name)
    {
        // samples/expected/NAME.status: the simulate command on its first line, then what it prints
        // once the cluster has nothing left to do (regenerate with samples/expected/update.sh).
        var file = Path.Combine(TestPaths.Samples, "expected", Path.ChangeExtension(name, ".status"));
        Assert.True(File.Exists(file), $"{name} has no expected status ({file})");
        var lines = File.ReadAllLines(file);
        Assert.StartsWith("# hacrm simulate ", lines[0]);
        var args = lines[0]["# hacrm ".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(a => a.StartsWith("samples/", StringComparison.Ordinal) ? Path.Combine(TestPaths.Samples, a["samples/".Length..]) : a).ToArray();
        var (exit, output, error) = HaCluster.Core.Tests.Cli.CliRunner.Run(args);
        Assert.True(exit == 0, error);
        var settled = output[output.IndexOf("Settled Cluster Status", StringComparison.Ordinal)..].ReplaceLineEndings("\n").TrimEnd();
        Assert.Equal(string.Join("\n", lines.Skip(1)).TrimEnd(), settled);
        // Every sample comes up whole: nothing stopped that the sample means to run.
        Assert.DoesNotContain("Stopped", settled);
    }

    [Fact]
    public void The_opennebula_service_fails_back_to_one_server1_when_it_returns_as_nofailback_0_asks()
    {
        // Seed 004's failover domain: ordered, one-server1 priority 1, nofailback="0". Started on
        // one-server2 while one-server1 was away, the service moves back when one-server1 returns.
        var sample = Path.Combine(TestPaths.Samples, "opennebula-frontend.crm");
        var away = Path.Combine(Path.GetTempPath(), $"opennebula-away-{Guid.NewGuid():N}.xml");
        try
        {
            var (exit, _, error) = HaCluster.Core.Tests.Cli.CliRunner.Run("simulate", "--config", sample, "-d", "one-server1", "--settle", "--save-output", away);
            Assert.True(exit == 0, error);
            var (back, output, backError) = HaCluster.Core.Tests.Cli.CliRunner.Run("simulate", "--xml", away, "--node-up", "one-server1");
            Assert.True(back == 0, backError);
            foreach (var member in new[] { "p_ip_opennebula", "p_opennebula", "p_sunstone" })
                Assert.Matches($@"Move\s+{member}\s+\( one-server2 -> one-server1 \)", output);
        }
        finally { File.Delete(away); }
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Sample_verifies_without_errors(string name)
    {
        var r = Load(name);
        Assert.False(r.HasErrors, string.Join("\n", r.Diagnostics));
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Sample_converts_to_xml_and_yaml_and_back_unchanged(string name)
    {
        var model = Load(name).Config!;
        foreach (var format in new[] { ConfigurationFormat.Xml, ConfigurationFormat.Yaml, ConfigurationFormat.Crm })
        {
            var text = ConfigurationFiles.Write(model, format);
            var back = ConfigurationFiles.ParseAndValidate(text, name + "." + format, format);
            Assert.False(back.HasErrors, string.Join("\n", back.Diagnostics));
            Assert.Equal(model, back.Config);
        }
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Crm_shell_reads_our_canonical_output_as_we_do(string name)
    {
        // Health checks are HaCluster's own (crm shell has no such statement): left out of the comparison.
        var model = Load(name).Config! with { HealthChecks = EquatableArray<HealthCheck>.Empty };
        var crmFile = Path.Combine(Path.GetTempPath(), $"hacrm-oracle-{Guid.NewGuid():N}.crm");
        File.WriteAllText(crmFile, CrmPrinter.Print(model));
        try
        {
            var xml = RunCrmshOracle(crmFile);
            var theirs = CibXmlReader.Parse(xml, "crmsh:" + name);
            Assert.False(theirs.HasErrors, string.Join("\n", theirs.Diagnostics));
            Assert.Equal(Normalize(model), Normalize(theirs.Config!));
        }
        finally
        {
            File.Delete(crmFile);
        }
    }

    /// <summary>crmsh spells "order o inf: a b" as kind=Mandatory and "0:" as kind=Optional.</summary>
    private static ClusterConfig Normalize(ClusterConfig c) => c with
    {
        Constraints = c.Constraints.Select(x => x is OrderConstraint o && o.Score is { } s
            ? o with { Score = null, Kind = s.Value > 0 ? "Mandatory" : s.Value == 0 ? "Optional" : o.Kind }
            : x).ToEquatableArray(),
    };

    private static string RunCrmshOracle(string crmFile)
    {
        var script = Path.Combine(TestPaths.RepoRoot, "tests", "oracle", "crmsh-to-cib.py");
        var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(script);
        psi.ArgumentList.Add(crmFile);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(60_000), "crmsh oracle timed out");
        Assert.True(p.ExitCode == 0, $"crmsh oracle failed (is crmsh installed? the test command installs it):\n{stderr.Result}");
        return stdout.Result;
    }

    // ------------------------------------------------------------------ the seed documents verbatim

    /// <summary>
    /// The crm snippets of the OpenStack HA guide (seed 003): its &lt;screen&gt; blocks whose first
    /// word is a crm command, with the DocBook around them undone (entities, callout markers).
    /// </summary>
    private static List<(string Text, int Line)> OpenStackSnippets()
    {
        var path = Directory.GetFiles(TestPaths.Seeds, "003_*.txt").Single();
        // The stored document separates lines with "|" lines: drop them first.
        var lines = File.ReadAllLines(path).Where(l => l.Trim('|', ' ') != "").ToArray();
        var text = string.Join("\n", lines);
        var snippets = new List<(string, int)>();
        foreach (Match m in Regex.Matches(text, @"<screen>(.*?)</screen>", RegexOptions.Singleline))
        {
            var body = WebUtility.HtmlDecode(Regex.Replace(m.Groups[1].Value, @"<co [^>]*/>", ""));
            var first = body.TrimStart().Split(' ', '\n')[0];
            if (first is "primitive" or "group" or "ms" or "clone" or "colocation" or "order" or "location" or "property")
                snippets.Add((body, text[..m.Index].Count(ch => ch == '\n') + 1));
        }
        return snippets;
    }

    [Fact]
    public void Every_crm_snippet_of_the_openstack_guide_parses_verbatim()
    {
        var snippets = OpenStackSnippets();
        Assert.True(snippets.Count >= 12, $"found only {snippets.Count} snippets");
        foreach (var (text, line) in snippets)
        {
            // A snippet may name resources another snippet defines; anything else must parse.
            var r = CrmParser.Parse(text, $"seed003@{line}");
            var syntaxErrors = r.Errors.Where(e => !e.Message.Contains(": unknown resource '")).ToList();
            Assert.True(r.Config is not null && syntaxErrors.Count == 0, $"snippet at line {line}:\n{text}\n{string.Join("\n", syntaxErrors)}");
        }
    }

    [Fact]
    public void The_openstack_guide_taken_whole_shows_its_two_name_slips()
    {
        var all = string.Join("\n", OpenStackSnippets().Select(s => s.Text));
        var r = ConfigurationFiles.ParseAndValidate(all, "seed003", ConfigurationFormat.Crm);
        var errors = r.Errors.Select(e => e.Message).ToList();
        Assert.Contains("group g_rabbitmq: unknown resource 'p_ip_rabbitmq'", errors);
        Assert.Contains("group g_services_network: unknown resource 'p_neutron-metadata_agent'", errors);
        Assert.Contains("group g_services_api: unknown resource 'p_glance-registry'", errors);
    }

    [Fact]
    public void The_uec_guide_crm_batch_loads_verbatim()
    {
        var path = Directory.GetFiles(TestPaths.Seeds, "000_*.txt").Single();
        var text = File.ReadAllText(path);
        var start = text.IndexOf("and paste the following:\n", StringComparison.Ordinal) + "and paste the following:\n".Length;
        var end = text.IndexOf("6. Specify the Cloud IP", StringComparison.Ordinal);
        var batch = text[start..end];
        var r = ConfigurationFiles.ParseAndValidate(batch, "seed000", ConfigurationFormat.Crm);
        Assert.False(r.HasErrors, string.Join("\n", r.Diagnostics));
        var ms = r.Config!.Resources.OfType<Clone>().Single();
        Assert.True(ms.IsPromotable);
        Assert.Equal(5, r.Config.Resources.OfType<HaCluster.Core.Cib.Group>().Single().Members.Count);
    }
}
