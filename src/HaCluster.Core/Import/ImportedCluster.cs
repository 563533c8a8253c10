using System.Net;
using System.Text;

namespace HaCluster.Core.Import;

/// <summary>The stacks <c>hacrm import</c> reads.</summary>
public enum SourceFormat { Heartbeat, Keepalived, Corosync, Rgmanager, Pacemaker }

/// <summary>What one source line became: mapped to something, or not mapped and why.</summary>
public sealed record ImportNote(string File, int Line, bool Mapped, string Text)
{
    /// <summary>Line 0: a note on the whole file, not on one of its lines.</summary>
    public override string ToString() => $"{File}:{(Line > 0 ? $"{Line}:" : "")} {(Mapped ? "" : Line > 0 ? "not mapped: " : "note: ")}{Text}";
}

/// <summary>A node as the source names it, and its addresses (one per ring) when known.</summary>
public sealed record ImportedNode(string Name, int Id, IReadOnlyList<IPAddress> Addresses);

/// <summary>
/// The result of translating a legacy stack: <c>cluster.yaml</c>'s membership, <c>cib.crm</c>'s
/// resources and constraints, and a report line per source line. Errors mean the input cannot
/// be used (nothing is written); warnings are in the report.
/// </summary>
public sealed class ImportedCluster
{
    public required string ClusterName { get; init; }
    public List<ImportedNode> Nodes { get; } = [];
    /// <summary>Rings as cluster.yaml lines ("- unicast: { port: 5405 }").</summary>
    public List<string> Rings { get; } = [];
    public List<string> Timers { get; } = [];
    /// <summary>Further cluster.yaml lines (watchdog: ...).</summary>
    public List<string> ExtraYaml { get; } = [];
    public int? ExpectedVotes { get; set; }
    public bool TwoNode { get; set; }
    public bool? WaitForAll { get; set; }
    /// <summary>The key to write beside cluster.yaml: converted from the source, or null for a new random one.</summary>
    public byte[]? Key { get; set; }
    public string KeyNote { get; set; } = "a new random key (the source has none HaCluster can use)";
    /// <summary>cib.crm's statements, in order.</summary>
    public List<string> Crm { get; } = [];
    public List<ImportNote> Report { get; } = [];
    public List<string> Errors { get; } = [];

    public void Mapped(string file, int line, string text) => Report.Add(new ImportNote(file, line, true, text));
    public void NotMapped(string file, int line, string why) => Report.Add(new ImportNote(file, line, false, why));

    /// <summary>cluster.yaml's text (the key file named as <paramref name="keyFile"/>).</summary>
    public string ClusterYaml(string keyFile)
    {
        var y = new StringBuilder();
        y.Append("# Written by hacrm import: membership only; resources are in cib.crm.\n");
        y.Append("cluster_name: ").Append(ClusterName).Append('\n');
        y.Append("nodes:\n");
        foreach (var n in Nodes)
            y.Append("  - { name: ").Append(n.Name).Append(", id: ").Append(n.Id).Append(", addresses: [")
             .Append(string.Join(", ", n.Addresses)).Append("] }\n");
        y.Append("rings:\n");
        foreach (var r in Rings) y.Append("  ").Append(r).Append('\n');
        if (Timers.Count > 0) y.Append("timers: { ").Append(string.Join(", ", Timers)).Append(" }\n");
        y.Append("key_file: ").Append(keyFile).Append('\n');
        var quorum = new List<string>();
        if (ExpectedVotes is { } votes) quorum.Add($"expected_votes: {votes}");
        if (TwoNode) quorum.Add("two_node: true");
        if (WaitForAll is { } wait) quorum.Add($"wait_for_all: {(wait ? "true" : "false")}");
        if (quorum.Count > 0) y.Append("quorum: { ").Append(string.Join(", ", quorum)).Append(" }\n");
        foreach (var line in ExtraYaml) y.Append(line).Append('\n');
        return y.ToString();
    }

    /// <summary>cib.crm's text.</summary>
    public string CibCrm(string source) =>
        $"# Written by hacrm import from {source}: load with hacrm configure load update cib.crm\n\n" + string.Join("\n", Crm) + "\n";

    /// <summary>
    /// Every source line is in the report: lines that only open or close a section are
    /// structure; any other line the translation did not read is listed as not mapped.
    /// </summary>
    public void CoverRemainingLines(string file, string text, Func<string, bool> isStructure)
    {
        var reported = Report.Where(r => r.File == file).Select(r => r.Line).ToHashSet();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#') || reported.Contains(i + 1)) continue;
            if (isStructure(line)) Mapped(file, i + 1, "structure");
            else NotMapped(file, i + 1, $"{(line.Length > 60 ? line[..60] + "..." : line)}: not read by the importer");
        }
    }

    /// <summary>The source lines the report speaks of, and how many of them were mapped (to something, warnings aside).</summary>
    public (int Mapped, int Lines) Coverage
    {
        get
        {
            var lines = Report.Where(r => r.Line > 0).GroupBy(r => (r.File, r.Line)).ToList();
            return (lines.Count(g => g.Any(r => r.Mapped)), lines.Count);
        }
    }
}
