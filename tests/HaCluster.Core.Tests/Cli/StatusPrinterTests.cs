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
    private const int MatchingFloor = 269;

    private static List<string> ResourceLines(string text) =>
        text.Split('\n').SkipWhile(l => !l.Contains("Full List of Resources:", StringComparison.Ordinal)).Skip(1)
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

    [Fact]
    public void Resource_lists_match_crm_mon_on_the_public_conformance_cibs()
    {
        Assert.True(File.Exists("/usr/sbin/crm_mon"), "crm_mon is missing: the test command installs pacemaker-cli-utils");
        var files = Directory.GetFiles(TestPaths.ConformanceXml, "*.xml").Order(StringComparer.Ordinal).ToList();
        var matching = 0;
        var examples = new List<string>();
        foreach (var file in files)
        {
            var theirs = ResourceLines(CrmMon(file));
            var (_, output, _) = CliRunner.Run("status", "--xml", file);
            var ours = ResourceLines(output);
            if (theirs.SequenceEqual(ours)) matching++;
            else if (examples.Count < 3) examples.Add($"{Path.GetFileName(file)}:\n  crm_mon: {string.Join(" | ", theirs)}\n  hacrm:   {string.Join(" | ", ours)}");
        }
        Assert.True(matching >= MatchingFloor, $"{matching}/{files.Count} match crm_mon (floor {MatchingFloor}); e.g.\n{string.Join("\n", examples)}");
    }

    /// <summary>How many of the public CIBs list exactly crm_mon's "Failed Resource Actions" (a ratchet).</summary>
    private const int FailedActionsFloor = 418;

    private static List<string> FailedActionLines(string text) =>
        text.Split('\n').SkipWhile(l => !l.Contains("Failed Resource Actions:", StringComparison.Ordinal)).Skip(1)
            .TakeWhile(l => l.Trim().Length > 0).Select(l => l.Trim()).Order(StringComparer.Ordinal).ToList();

    [Fact]
    public void Failed_resource_actions_match_crm_mon_on_the_public_conformance_cibs()
    {
        Assert.True(File.Exists("/usr/sbin/crm_mon"), "crm_mon is missing: the test command installs pacemaker-cli-utils");
        var files = Directory.GetFiles(TestPaths.ConformanceXml, "*.xml").Order(StringComparer.Ordinal).ToList();
        var matching = 0;
        var examples = new List<string>();
        foreach (var file in files)
        {
            var theirs = FailedActionLines(CrmMon(file));
            var ours = FailedActionLines(CliRunner.Run("status", "--xml", file).Out);
            if (theirs.SequenceEqual(ours)) matching++;
            else if (examples.Count < 3) examples.Add($"{Path.GetFileName(file)}:\n  crm_mon: {string.Join(" | ", theirs)}\n  hacrm:   {string.Join(" | ", ours)}");
        }
        Assert.True(matching >= FailedActionsFloor, $"{matching}/{files.Count} match crm_mon (floor {FailedActionsFloor}); e.g.\n{string.Join("\n", examples)}");
    }
}
