using System.Text.RegularExpressions;
using HaCluster.Core.Cib.Syntax;
using HaCluster.Core.Policy;
using HaCluster.Core.Status;
using Xunit;

namespace HaCluster.Core.Tests.Policy;

/// <summary>
/// Pacemaker's scheduler regression corpus (shared/conformance/public), run in-process with the
/// conformance runner's comparison rules. conformance-passing.txt lists the cases that pass: each
/// must keep passing (a ratchet: add names as the scheduler learns more, never remove them).
/// </summary>
public class ConformanceTests
{
    private static readonly string PassingFile = Path.Combine(TestPaths.RepoRoot, "tests", "HaCluster.Core.Tests", "Policy", "conformance-passing.txt");

    public static IEnumerable<object[]> PassingCases() =>
        File.ReadAllLines(PassingFile).Where(l => l.Length > 0).Select(l => new object[] { l.Trim() });

    [Theory]
    [MemberData(nameof(PassingCases))]
    public void Case_that_passed_still_matches_pacemaker(string name)
    {
        var (missing, unexpected) = Run(name);
        Assert.True(missing.Count == 0 && unexpected.Count == 0,
            $"{name}:\n" + string.Join("\n", missing.Select(m => "  - " + m).Concat(unexpected.Select(u => "  + " + u))));
    }

    [Fact]
    public void The_ratchet_covers_a_meaningful_share_of_the_corpus()
    {
        var listed = PassingCases().Count();
        var all = Directory.GetFiles(TestPaths.ConformanceXml, "*.xml").Length;
        Assert.True(listed >= 332, $"only {listed} of {all} cases are pinned");
    }

    /// <summary>Runs one case; returns the expected entries we missed and the ones we added.</summary>
    internal static (List<string> Missing, List<string> Unexpected) Run(string name)
    {
        var xml = File.ReadAllText(Path.Combine(TestPaths.ConformanceXml, name + ".xml"));
        var parsed = CibXmlReader.Parse(xml, name);
        var expected = ExtractSummary(File.ReadAllText(Path.Combine(TestPaths.Shared, "conformance", "public", "summary", name + ".summary")));
        List<string> actual;
        if (parsed.Config is null) actual = new List<string>();
        else
        {
            var status = parsed.Status ?? ClusterStatus.Empty;
            var graph = Scheduler.Schedule(parsed.Config, status, status.ExecutionDate ?? DateTimeOffset.UtcNow);
            actual = graph.SummaryLines().Select(Normalise).ToList();
        }
        var missing = Subtract(expected, actual);
        var unexpected = Subtract(actual, expected);
        return (missing, unexpected);
    }

    private static List<string> Subtract(List<string> a, List<string> b)
    {
        var rest = new List<string>(b);
        var result = new List<string>();
        foreach (var x in a)
            if (!rest.Remove(x)) result.Add(x);
        return result;
    }

    /// <summary>The runner's normalisation: collapse blanks, trim inside parentheses, legacy role names.</summary>
    internal static string Normalise(string line)
    {
        var s = line.Trim();
        if (s.StartsWith("* ")) s = s[2..];
        s = Regex.Replace(s, @"\s+", " ");
        s = Regex.Replace(s, @"(^| )Master( |\[|\)|$)", "$1Promoted$2");
        s = Regex.Replace(s, @"(^| )Slave( |\)|$)", "$1Unpromoted$2");
        s = Regex.Replace(s, @"\(\s+", "(");
        s = Regex.Replace(s, @"\s+\)", ")");
        return s;
    }

    internal static List<string> ExtractSummaryFrom(string text) => ExtractSummary(text);

    private static List<string> ExtractSummary(string text)
    {
        var lines = text.Replace("\r\n", "\n").Split('\n');
        var result = new List<string>();
        var inSection = false;
        foreach (var line in lines)
        {
            if (!inSection) { inSection = line.Trim() == "Transition Summary:"; continue; }
            if (line.Length > 0 && !char.IsWhiteSpace(line[0]) && line.TrimEnd().EndsWith(':')) break;
            if (line.Trim().StartsWith("* ")) result.Add(Normalise(line));
        }
        return result;
    }
}
