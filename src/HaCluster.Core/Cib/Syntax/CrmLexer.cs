using System.Text;

namespace HaCluster.Core.Cib.Syntax;

/// <summary>A word of crm shell input with where it started. Quotes are already removed.</summary>
public sealed record CrmToken(string Text, int Line, int Column, bool Quoted = false, bool HadQuotes = false)
{
    /// <summary>True for a bracket that groups a resource set: ( ) [ ] { }.</summary>
    public bool IsBracket => !Quoted && Text is "(" or ")" or "[" or "]" or "{" or "}";

    /// <summary>Splits <c>name=value</c>; null when the token is not of that form.</summary>
    /// <summary>
    /// The value of a pair, or null for a bare <c>name=</c> (an nvpair without a value, which
    /// unsets; <c>name=""</c> is the empty string).
    /// </summary>
    public string? PairValueOrNull() => AsPair() is { } p && (p.Value.Length > 0 || HadQuotes) ? p.Value : null;

    public (string Name, string Value)? AsPair()
    {
        if (Quoted) return null;
        var eq = Text.IndexOf('=');
        if (eq <= 0) return null;
        return (Text[..eq], Text[(eq + 1)..]);
    }

    public override string ToString() => Text;
}

/// <summary>One crm command (a logical line after joining continuations).</summary>
public sealed record CrmStatement(IReadOnlyList<CrmToken> Tokens, int Line);

/// <summary>
/// Splits crm shell input into statements and tokens the way crm shell's own reader does:
/// <c>#</c> starts a comment outside quotes, a trailing backslash continues the line, double
/// and single quotes group words (<c>ip="10.0.0.1"</c> is one token <c>ip=10.0.0.1</c>).
/// Lines that only continue the previous command's attribute list without the backslash
/// (a common slip, present in the OpenStack HA guide) are joined with a warning.
/// </summary>
public static class CrmLexer
{
    private static readonly HashSet<string> ContinuationKeywords = new() { "params", "meta", "op", "utilization", "attributes" };

    public static IReadOnlyList<CrmStatement> Split(string text, string file, List<Diagnostic> diagnostics)
    {
        var statements = new List<CrmStatement>();
        var current = new List<CrmToken>();
        var currentLine = 0;
        var continued = false;
        var lines = text.Replace("\r\n", "\n").Split('\n');

        for (int i = 0; i < lines.Length; i++)
        {
            var lineNo = i + 1;
            var (tokens, endsWithBackslash, unterminatedQuote) = TokenizeLine(lines[i], lineNo);
            if (unterminatedQuote is { } col)
            {
                diagnostics.Add(Diagnostic.Error("unterminated quoted string", new SourceLocation(file, lineNo, col)));
                tokens.Clear();
            }

            if (tokens.Count > 0 && !continued && current.Count > 0 && LooksLikeContinuation(tokens[0]))
            {
                diagnostics.Add(Diagnostic.Warning(
                    "this line continues the previous command, which did not end with '\\'",
                    new SourceLocation(file, lineNo, tokens[0].Column)));
                continued = true;
            }

            if (!continued && current.Count > 0)
            {
                statements.Add(new CrmStatement(current, currentLine));
                current = new List<CrmToken>();
            }
            if (current.Count == 0 && tokens.Count > 0) currentLine = lineNo;
            current.AddRange(tokens);
            continued = endsWithBackslash;
        }
        if (current.Count > 0) statements.Add(new CrmStatement(current, currentLine));
        return statements;
    }

    private static bool LooksLikeContinuation(CrmToken first) =>
        !first.Quoted && (first.AsPair() is not null || ContinuationKeywords.Contains(first.Text));

    /// <summary>
    /// Tokenizes one physical line. Returns whether it ends with a continuation backslash
    /// (possibly followed by a comment), and the column of an unterminated quote if any.
    /// </summary>
    internal static (List<CrmToken> Tokens, bool Continues, int? UnterminatedQuote) TokenizeLine(string line, int lineNo)
    {
        var tokens = new List<CrmToken>();
        var sb = new StringBuilder();
        int start = -1;
        bool quotedAll = false, anyQuote = false, continues = false;
        // True while the current word ends in a backslash typed outside quotes: only that one
        // continues the line ("value\"), not an escaped one inside quotes ("trailing\\").
        bool bareBackslashAtEnd = false, lastWordEndsWithBareBackslash = false;
        int i = 0;

        void Flush()
        {
            if (start < 0) return;
            lastWordEndsWithBareBackslash = bareBackslashAtEnd;
            bareBackslashAtEnd = false;
            var text = sb.ToString();
            // A bare word may carry grouping brackets glued to it: "(A" "B)".
            if (!anyQuote && text.Length > 1 && !text.Contains('=') && !text.StartsWith('/'))
            {
                int col = start + 1;
                while (text.Length > 1 && text[0] is '(' or '[' or '{')
                {
                    tokens.Add(new CrmToken(text[..1], lineNo, col));
                    text = text[1..];
                    col++;
                }
                var trailing = new List<CrmToken>();
                while (text.Length > 1 && text[^1] is ')' or ']' or '}')
                {
                    trailing.Insert(0, new CrmToken(text[^1..], lineNo, col + text.Length - 1));
                    text = text[..^1];
                }
                tokens.Add(new CrmToken(text, lineNo, col));
                tokens.AddRange(trailing);
            }
            else
            {
                tokens.Add(new CrmToken(text, lineNo, start + 1, quotedAll && anyQuote, anyQuote));
            }
            sb.Clear();
            start = -1;
            quotedAll = false;
            anyQuote = false;
        }

        while (i < line.Length)
        {
            var c = line[i];
            if (char.IsWhiteSpace(c)) { Flush(); i++; continue; }
            // '#' starts a comment at the beginning of a line or as a word of its own ("# note");
            // glued to a word it is part of it, as in the rule attribute #uname.
            if (c == '#' && start < 0 && (tokens.Count == 0 || i + 1 >= line.Length || char.IsWhiteSpace(line[i + 1])))
                break;
            if (c == '\\' && start < 0 && RestIsBlankOrComment(line, i + 1))
            {
                continues = true;
                break;
            }
            if (c is '"' or '\'')
            {
                if (start < 0) { start = i; quotedAll = true; }
                anyQuote = true;
                bareBackslashAtEnd = false;
                var quote = c;
                int qStart = i;
                i++;
                var closed = false;
                while (i < line.Length)
                {
                    var d = line[i];
                    bareBackslashAtEnd = false;
                    if (d == '\\' && quote == '"' && i + 1 < line.Length && line[i + 1] is '"' or '\\')
                    {
                        sb.Append(line[i + 1]);
                        i += 2;
                        continue;
                    }
                    if (d == quote) { closed = true; i++; break; }
                    sb.Append(d);
                    i++;
                }
                if (!closed) return (tokens, false, qStart + 1);
                // "abc"def: the token is only fully quoted when the quote spans it all.
                if (i < line.Length && !char.IsWhiteSpace(line[i])) quotedAll = false;
                continue;
            }
            if (start < 0) start = i;
            else if (anyQuote) quotedAll = false;
            bareBackslashAtEnd = c == '\\';
            sb.Append(c);
            i++;
        }
        Flush();
        // A trailing backslash glued to the last word ("value\") also continues the line.
        if (!continues && tokens.Count > 0 && lastWordEndsWithBareBackslash)
        {
            var last = tokens[^1];
            tokens[^1] = last with { Text = last.Text[..^1] };
            if (tokens[^1].Text.Length == 0) tokens.RemoveAt(tokens.Count - 1);
            continues = true;
        }
        return (tokens, continues, null);
    }

    private static bool RestIsBlankOrComment(string line, int from)
    {
        for (int j = from; j < line.Length; j++)
        {
            if (line[j] == '#') return j + 1 >= line.Length || char.IsWhiteSpace(line[j + 1]);
            if (!char.IsWhiteSpace(line[j])) return false;
        }
        return true;
    }
}
