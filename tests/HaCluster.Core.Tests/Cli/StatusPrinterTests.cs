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
