using System.Net;
using System.Text.RegularExpressions;
using HaCluster.Core.Cib;
using HaCluster.Core.Cib.Syntax;

namespace HaCluster.Core.Import;

/// <summary>
/// A Pacemaker CIB (<c>cibadmin -Q</c> output) passes through: its configuration is HaCluster's
/// own model, written back as crm syntax; the status section is left behind (HaCluster learns
/// what runs where by probing). Its nodes come with no addresses: from corosync.conf when it is
/// imported alongside, else from <c>--node</c>.
/// </summary>
public static class PacemakerImport
{
    public static bool IsCib(string text) => Regex.IsMatch(text.TrimStart('\uFEFF', ' ', '\t', '\r', '\n'), @"^(<\?xml[^>]*\?>\s*)?(<!--.*?-->\s*)*<cib[\s>]", RegexOptions.Singleline);

    /// <summary>
    /// Adds the CIB's resources and constraints to <paramref name="result"/> (whose membership
    /// may come from corosync.conf); with no membership yet, makes it from the CIB's nodes and
    /// <paramref name="given"/> addresses, on one unicast ring.
    /// </summary>
    public static ImportedCluster Translate(string text, string file, ImportedCluster? membership, IReadOnlyDictionary<string, IReadOnlyList<IPAddress>> given)
    {
        var parsed = CibXmlReader.Parse(text, file);
        var result = membership ?? new ImportedCluster { ClusterName = ClusterName(text) ?? "pacemaker" };
        foreach (var d in parsed.Diagnostics.Where(d => d.IsError)) result.Errors.Add(d.ToString());
        if (parsed.Config is not { } config) return result;
        foreach (var d in parsed.Diagnostics.Where(d => !d.IsError))
            result.NotMapped(file, d.Location?.Line ?? 0, d.Message);
        if (membership is null)
        {
            var id = 0;
            foreach (var node in config.Nodes.Where(n => n.Type is null or "member" or "normal"))
            {
                id++;
                var nodeId = int.TryParse(node.Id, out var n) && n is > 0 and <= 65535 ? n : id;
                if (!given.TryGetValue(node.Uname, out var addresses))
                {
                    result.Errors.Add($"{file}: node {node.Uname} has no address in a CIB: give it with --node {node.Uname}=ADDR (or import corosync.conf with it)");
                    continue;
                }
                result.Nodes.Add(new ImportedNode(node.Uname, nodeId, addresses));
            }
            var rings = result.Nodes.Count == 0 ? 1 : result.Nodes.Min(n => n.Addresses.Count);
            for (var i = 0; i < rings; i++) result.Rings.Add("- unicast: { port: 5405 }");
            if (result.Nodes.Count == 2) { result.TwoNode = true; result.ExpectedVotes = 2; }
        }
        else
        {
            // The nodes the membership names must be the CIB's.
            foreach (var node in config.Nodes.Where(n => n.Type is null or "member" or "normal" && result.Nodes.All(m => m.Name != n.Uname)))
                result.NotMapped(file, 0, $"node {node.Uname} is in the CIB but not in corosync.conf's nodes: it will not be a member");
            result.Crm.RemoveAll(l => l.StartsWith("node ", StringComparison.Ordinal));
        }
        result.Crm.RemoveAll(l => l.StartsWith("property stonith-enabled=", StringComparison.Ordinal));
        result.Crm.Add(CrmPrinter.Print(config).TrimEnd());
        // The configuration passes through whole; the status is learnt again by probing.
        var lines = text.Replace("\r", "").Split('\n');
        var reported = result.Report.Where(r => r.File == file).Select(r => r.Line).ToHashSet();
        var inStatus = false;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.StartsWith("<status", StringComparison.Ordinal)) inStatus = !line.EndsWith("/>", StringComparison.Ordinal);
            if (line.Length == 0 || reported.Contains(i + 1)) continue;
            if (inStatus || line.StartsWith("<status", StringComparison.Ordinal))
                result.NotMapped(file, i + 1, "status: not imported (HaCluster probes every node for what runs where)");
            else result.Mapped(file, i + 1, "passed through (cib.crm)");
            if (line.StartsWith("</status>", StringComparison.Ordinal)) inStatus = false;
        }
        return result;
    }

    /// <summary>
    /// A <c>crm configure</c> batch (seed 000's paste): it starts with a crm statement, and either
    /// defines a primitive or does not start with "node" (ha.cf's node lines look like crm's).
    /// </summary>
    public static bool IsCrmBatch(string text)
    {
        var statements = text.Replace("\r", "").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        return statements.Count > 0 && CrmStatement.IsMatch(statements[0])
               && (statements.Any(l => l.StartsWith("primitive ", StringComparison.Ordinal)) || !statements[0].StartsWith("node ", StringComparison.Ordinal));
    }

    private static readonly Regex CrmStatement = new(@"^(primitive|group|ms|clone|bundle|property|rsc_defaults|op_defaults|location|colocation|collocation|order|node|fencing_topology|tag|alert|rsc_ticket|rsc_template|template|commit|configure|end|up|verify)\b");

    /// <summary>A crm configure batch passes through as it is (it is crm syntax): every line reported as such.</summary>
    public static void AddCrmBatch(string text, string file, ImportedCluster result)
    {
        // Read on its own first, so that a mistake is reported at its place in this file.
        var parsed = CrmParser.Parse(text, file);
        if (parsed.HasErrors)
        {
            result.Errors.AddRange(parsed.Diagnostics.Where(d => d.IsError).Select(d => d.ToString()));
            return;
        }
        foreach (var warning in parsed.Diagnostics.Where(d => d.Location is not null))
            result.NotMapped(file, warning.Location!.Value.Line, $"warning: {warning.Message}");
        result.Crm.RemoveAll(l => l.StartsWith("property stonith-enabled=", StringComparison.Ordinal));
        var lines = text.Replace("\r", "").Split('\n');
        var kept = lines.Where(l => l.Trim() is not ("commit" or "configure" or "end" or "up" or "verify")).ToList();
        result.Crm.Add(string.Join("\n", kept).TrimEnd());
        for (var i = 0; i < lines.Length; i++)
            if (lines[i].Trim().Length > 0 && !lines[i].TrimStart().StartsWith('#'))
                result.Mapped(file, i + 1, lines[i].Trim() is "commit" or "configure" or "end" or "up" or "verify" ? "crm shell command (the file is loaded whole)" : "passed through (cib.crm)");
    }

    private static string? ClusterName(string text) =>
        Regex.Match(text, @"name=""cluster-name""\s+value=""([^""]+)""") is { Success: true } m ? m.Groups[1].Value : null;
}
