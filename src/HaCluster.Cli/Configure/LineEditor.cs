namespace HaCluster.Cli.Configure;

/// <summary>
/// The configure shell's line editing at a terminal: the arrow keys move in the line and through
/// the session's history (also kept in ~/.hacrm_history, bounded to <see cref="HistoryLimit"/>
/// lines), Home/End/Ctrl-A/Ctrl-E, Backspace/Delete, Ctrl-U, and Tab completes the word under the
/// cursor from <see cref="Complete"/> (statements, then the ids the configuration knows). Reads
/// keys with Console.ReadKey, which puts the terminal in raw mode and decodes its escape
/// sequences; used only when input is a terminal.
/// </summary>
public sealed class LineEditor(Func<string, IEnumerable<string>> complete, string? historyFile)
{
    public const int HistoryLimit = 1000;
    private readonly List<string> history = Load(historyFile);

    /// <summary>The words that may complete <paramref name="line"/>'s last word.</summary>
    public Func<string, IEnumerable<string>> Complete { get; } = complete;

    /// <summary>One line, or null at end of input (Ctrl-D on an empty line).</summary>
    public string? ReadLine(string prompt)
    {
        Console.Write(prompt);
        var text = new System.Text.StringBuilder();
        var cursor = 0;
        var browsing = history.Count;
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            switch (key.Key)
            {
                case ConsoleKey.Enter:
                    Console.WriteLine();
                    var line = text.ToString();
                    if (line.Trim().Length > 0 && (history.Count == 0 || history[^1] != line)) Remember(line);
                    return line;
                case ConsoleKey.Backspace when cursor > 0:
                    text.Remove(--cursor, 1);
                    break;
                case ConsoleKey.Delete when cursor < text.Length:
                    text.Remove(cursor, 1);
                    break;
                case ConsoleKey.LeftArrow when cursor > 0:
                    cursor--;
                    break;
                case ConsoleKey.RightArrow when cursor < text.Length:
                    cursor++;
                    break;
                case ConsoleKey.Home:
                case ConsoleKey.A when key.Modifiers == ConsoleModifiers.Control:
                    cursor = 0;
                    break;
                case ConsoleKey.End:
                case ConsoleKey.E when key.Modifiers == ConsoleModifiers.Control:
                    cursor = text.Length;
                    break;
                case ConsoleKey.U when key.Modifiers == ConsoleModifiers.Control:
                    text.Remove(0, cursor);
                    cursor = 0;
                    break;
                case ConsoleKey.D when key.Modifiers == ConsoleModifiers.Control:
                    if (text.Length == 0)
                    {
                        Console.WriteLine();
                        return null;
                    }
                    break;
                case ConsoleKey.UpArrow when browsing > 0:
                    browsing--;
                    Replace(text, history[browsing], ref cursor);
                    break;
                case ConsoleKey.DownArrow when browsing < history.Count:
                    browsing++;
                    Replace(text, browsing < history.Count ? history[browsing] : "", ref cursor);
                    break;
                case ConsoleKey.Tab:
                    CompleteWord(text, ref cursor);
                    break;
                default:
                    if (!char.IsControl(key.KeyChar)) text.Insert(cursor++, key.KeyChar);
                    break;
            }
            Redraw(prompt, text.ToString(), cursor);
        }
    }

    /// <summary>Completes the word before the cursor: alone, fully; several, as far as they agree (and they are listed).</summary>
    private void CompleteWord(System.Text.StringBuilder text, ref int cursor)
    {
        var before = text.ToString(0, cursor);
        var start = before.LastIndexOf(' ') + 1;
        var word = before[start..];
        var matches = Complete(before).Where(w => w.StartsWith(word, StringComparison.Ordinal)).Distinct().Order(StringComparer.Ordinal).ToList();
        if (matches.Count == 0) return;
        var common = matches.Aggregate((a, b) => a[..a.Zip(b).TakeWhile(p => p.First == p.Second).Count()]);
        if (matches.Count == 1) common += " ";
        else if (common.Length == word.Length)
        {
            Console.WriteLine();
            Console.WriteLine(string.Join("  ", matches));
        }
        text.Remove(start, word.Length).Insert(start, common);
        cursor = start + common.Length;
    }

    private static void Replace(System.Text.StringBuilder text, string with, ref int cursor)
    {
        text.Clear().Append(with);
        cursor = text.Length;
    }

    /// <summary>Rewrites the line in place: back to its start, prompt and text, erase the rest, cursor where it is.</summary>
    private static void Redraw(string prompt, string text, int cursor)
    {
        Console.Write("\r" + prompt + text + "\u001b[K");
        var back = text.Length - cursor;
        if (back > 0) Console.Write($"\u001b[{back}D");
    }

    private void Remember(string line)
    {
        history.Add(line);
        if (history.Count > HistoryLimit) history.RemoveAt(0);
        if (historyFile is null) return;
        try
        {
            File.WriteAllLines(historyFile, history);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { } // history is a convenience
    }

    private static List<string> Load(string? file)
    {
        try
        {
            return file is not null && File.Exists(file) ? File.ReadLines(file).TakeLast(HistoryLimit).ToList() : [];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>~/.hacrm_history, or null without a home.</summary>
    public static string? DefaultHistoryFile() =>
        Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } home ? Path.Combine(home, ".hacrm_history") : null;
}
