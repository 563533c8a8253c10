using System.Diagnostics;
using Xunit;

namespace HaCluster.Core.Tests.Cli;

/// <summary>
/// `hacrm status --xml` lays resources out as crm_mon does: compared with Pacemaker's own crm_mon
/// (CIB_file=X crm_mon -1 -r) on the status sections of the public conformance suite.
/// </summary>
public sealed class StatusPrinterTests
{
    /// <summary>How many of the public CIBs print exactly crm_mon's resource list (a ratchet: raise it, never lower it).</summary>
    private const int MatchingFloor = 318;

    /// <summary>How many of the public CIBs list exactly crm_mon's "Failed Resource Actions" (a ratchet).</summary>
    private const int FailedActionsFloor = 422;

    /// <summary>A section's lines, trimmed and sorted: from its header to the first blank line.</summary>
    private static List<string> Section(string text, string header) =>
        text.Split('\n').SkipWhile(l => !l.Contains(header, StringComparison.Ordinal)).Skip(1)
            .TakeWhile(l => l.Trim().Length > 0).Select(l => l.Trim()).Order(StringComparer.Ordinal).ToList();

    private static string CrmMon(string file)
    {
        var psi = new ProcessStartInfo("/usr/sbin/crm_mon", ["-1", "-r"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["CIB_file"] = file;
        psi.Environment["LC_ALL"] = "C";
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        _ = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(20_000)) { p.Kill(true); return ""; }
        return output.Result;
    }

    /// <summary>crm_mon's and hacrm's output for every public CIB, produced once for all the comparisons.</summary>
    private static readonly Lazy<List<(string File, string Theirs, string Ours)>> Outputs = new(() =>
        Directory.GetFiles(TestPaths.ConformanceXml, "*.xml").Order(StringComparer.Ordinal)
            .Select(file => (file, CrmMon(file), CliRunner.Run("status", "--xml", file).Out)).ToList());

    /// <summary>
    /// "N resource instances configured": the text, the XML's resources_configured and the JSON's
    /// resources_configured say the same number, and it is crm_mon's (clone instances counted).
    /// </summary>
    [Fact]
    public void Text_xml_and_json_count_the_same_resource_instances_as_crm_mon()
    {
        Assert.True(File.Exists("/usr/sbin/crm_mon"), "crm_mon is missing: the test command installs pacemaker-cli-utils");
        var agree = 0;
        var differ = new List<string>();
        foreach (var (file, crmMon, hacrm) in Outputs.Value)
        {
            var ours = System.Text.RegularExpressions.Regex.Match(hacrm, @"(\d+) resource instances? configured");
            Assert.True(ours.Success, $"{Path.GetFileName(file)}: no count in\n{hacrm}");
            var xml = System.Xml.Linq.XDocument.Parse(CliRunner.Run("status", "--xml", file, "--output-as", "xml").Out);
            Assert.Equal(ours.Groups[1].Value, xml.Descendants("resources_configured").Single().Attribute("number")!.Value);
            using var json = System.Text.Json.JsonDocument.Parse(CliRunner.Run("status", "--xml", file, "--output-as", "json").Out);
            Assert.Equal(int.Parse(ours.Groups[1].Value), json.RootElement.GetProperty("summary").GetProperty("resources_configured").GetInt32());
            var theirs = System.Text.RegularExpressions.Regex.Match(crmMon, @"(\d+) resource instances? configured");
            if (!theirs.Success || theirs.Groups[1].Value == ours.Groups[1].Value) agree++;
            else differ.Add($"{Path.GetFileName(file)}: crm_mon {theirs.Groups[1].Value}, hacrm {ours.Groups[1].Value}");
        }
        // Measured 2026-12-06: 429 of 435; the rest count bundle, orphan and over-clone-max instances differently (listed on failure).
        Assert.True(agree >= Outputs.Value.Count * 98 / 100, $"{agree} of {Outputs.Value.Count} agree:\n{string.Join("\n", differ.Take(30))}");
    }

    private static void AssertSectionMatches(string header, int floor)
    {
        Assert.True(File.Exists("/usr/sbin/crm_mon"), "crm_mon is missing: the test command installs pacemaker-cli-utils");
        var matching = 0;
        var examples = new List<string>();
        foreach (var (file, crmMon, hacrm) in Outputs.Value)
        {
            var theirs = Section(crmMon, header);
            var ours = Section(hacrm, header);
            if (theirs.SequenceEqual(ours)) matching++;
            else if (examples.Count < 3) examples.Add($"{Path.GetFileName(file)}:\n  crm_mon: {string.Join(" | ", theirs)}\n  hacrm:   {string.Join(" | ", ours)}");
        }
        Assert.True(matching >= floor, $"{matching}/{Outputs.Value.Count} match crm_mon (floor {floor}); e.g.\n{string.Join("\n", examples)}");
    }

    [Fact]
    public void Resource_lists_match_crm_mon_on_the_public_conformance_cibs() =>
        AssertSectionMatches("Full List of Resources:", MatchingFloor);

    [Fact]
    public void Failed_resource_actions_match_crm_mon_on_the_public_conformance_cibs() =>
        AssertSectionMatches("Failed Resource Actions:", FailedActionsFloor);
}
