using System.Text;

namespace HaCluster.Core.Docs;

/// <summary>
/// A man page in roff (man(7) macros), built from what the programs themselves define (hacrm's
/// command tree, haclusterd's option table, the cluster.yaml reference in docs/membership.md),
/// so the pages cannot drift from the programs.
/// </summary>
public sealed class ManPage
{
    private readonly StringBuilder text = new();

    public ManPage(string name, int section, string version, string manual, DateOnly date)
    {
        text.Append($".TH {name.ToUpperInvariant()} {section} \"{date:yyyy-MM-dd}\" \"HaCluster {Escape(version)}\" \"{Escape(manual)}\"\n");
    }

    public ManPage Section(string heading) => Line($".SH {heading.ToUpperInvariant()}");
    public ManPage SubSection(string heading) => Line($".SS {Escape(heading)}");
    public ManPage Paragraph(string words) => Line(".PP").Line(Escape(words));

    /// <summary>A tagged item (an option, a key) in bold, its description indented below.</summary>
    public ManPage Item(string tag, string description) => Line(".TP").Line($".B {Escape(tag)}").Line(Escape(description));

    /// <summary>Lines shown as they are (examples, synopses).</summary>
    public ManPage Code(string lines)
    {
        Line(".nf").Line(".RS 4");
        foreach (var l in lines.TrimEnd('\n').Split('\n')) Line(Escape(l));
        return Line(".RE").Line(".fi");
    }

    /// <summary>
    /// A part of a Markdown document: paragraphs, fenced code, and tables whose first column is
    /// the item (`key`) and the others its description. Inline markup (backticks, bold) is dropped.
    /// </summary>
    public ManPage FromMarkdown(string markdown)
    {
        var paragraph = new List<string>();
        var inCode = false;
        var code = new StringBuilder();
        void Flush()
        {
            if (paragraph.Count > 0) Paragraph(Plain(string.Join(' ', paragraph)));
            paragraph.Clear();
        }
        foreach (var raw in markdown.Split('\n'))
        {
            var line = raw.TrimEnd();
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                if (inCode) { Code(code.ToString()); code.Clear(); }
                else Flush();
                inCode = !inCode;
                continue;
            }
            if (inCode) { code.Append(line).Append('\n'); continue; }
            if (line.StartsWith('|'))
            {
                Flush();
                if (line.Trim('|', '-', ':', ' ').Length == 0) continue; // the header's rule
                var cells = line.Trim('|').Split(" | ").Select(c => Plain(c.Trim())).ToList();
                if (cells[0] is "key" or "command" or "option") continue;
                var rest = cells.Skip(1).Where(c => c.Length > 0).ToList();
                Item(cells[0], rest.Count == 2 ? $"{rest[0]} (default: {rest[1]})" : string.Join("; ", rest));
                continue;
            }
            if (line.Length == 0) { Flush(); continue; }
            if (line.StartsWith('#')) { Flush(); SubSection(Plain(line.TrimStart('#', ' '))); continue; }
            paragraph.Add(line);
        }
        Flush();
        return this;
    }

    public override string ToString() => text.ToString();

    private ManPage Line(string line)
    {
        text.Append(line).Append('\n');
        return this;
    }

    /// <summary>Markdown's inline markup dropped: `code`, **bold**, [text](link) as text.</summary>
    private static string Plain(string s) =>
        System.Text.RegularExpressions.Regex.Replace(s.Replace("`", "").Replace("**", "").Replace("\\|", "|"), @"\[([^\]]+)\]\([^)]+\)", "$1");

    /// <summary>roff escaping: backslashes, hyphens as minus signs, a line that would start a request.</summary>
    public static string Escape(string s)
    {
        var escaped = s.Replace("\\", "\\e").Replace("-", "\\-");
        return escaped.StartsWith('.') || escaped.StartsWith('\'') ? "\\&" + escaped : escaped;
    }
}
