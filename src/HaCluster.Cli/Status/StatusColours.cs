using System.Text.RegularExpressions;

namespace HaCluster.Cli.Status;

/// <summary>
/// Colour for `hacrm status` and `hacrm mon` at a terminal, as crm_mon does: what is wrong in red
/// (failed, unclean, offline, no quorum, a faulty ring), what is held back in yellow (stopped,
/// standby, maintenance, late), what runs in green. Only on a terminal, never in a pipe or a
/// file, and not when NO_COLOR is set (no-color.org) or TERM is dumb.
/// </summary>
public static partial class StatusColours
{
    private const string Red = "\x1b[31m", Yellow = "\x1b[33m", Green = "\x1b[32m", Reset = "\x1b[0m";

    /// <summary>Whether text written to <paramref name="output"/> may be coloured.</summary>
    public static bool Wanted(TextWriter output) =>
        ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected
        && Environment.GetEnvironmentVariable("NO_COLOR") is null or "" && Environment.GetEnvironmentVariable("TERM") != "dumb";

    /// <summary>The text as it should be written to <paramref name="output"/>: coloured only where <see cref="Wanted"/>.</summary>
    public static string For(TextWriter output, string text) => Wanted(output) ? Apply(text) : text;

    public static string Apply(string text) => Words().Replace(text, m => m.Groups["bad"].Success ? Red + m.Value + Reset
        : m.Groups["held"].Success ? Yellow + m.Value + Reset
        : Green + m.Value + Reset);

    [GeneratedRegex(@"(?<bad>\bFAILED\b|\bUNCLEAN\b|\bOFFLINE\b|\bWITHOUT quorum\b|\bFAULTY\b|\bFailed Resource Actions\b|\bfailed\b|\bNONE\b)"
        + @"|(?<held>\bStopped\b|\bstandby\b|\bmaintenance\b|\blate \(suspect\)|\bunmanaged\b|\bblocked\b)"
        + @"|(?<good>\bStarted\b|\bPromoted\b|\bUnpromoted\b|\bOnline\b|\bwith quorum\b|: ok$)", RegexOptions.Multiline)]
    private static partial Regex Words();
}
