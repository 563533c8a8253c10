namespace HaCluster.Core.Cib;

/// <summary>
/// A check the daemon runs on every node (keepalived's <c>vrrp_script</c>, Pacemaker's ping and
/// HealthCPU agents as one concept): <see cref="Script"/> every <see cref="Interval"/>, given
/// <see cref="Timeout"/> to finish; exit 0 is a pass. After <see cref="Fall"/> failures in a row
/// the node attribute <see cref="AttributeName"/> becomes 0, after <see cref="Rise"/> passes in a
/// row 1; location rules read it (<c>rule -inf: chk eq 0</c>, or a weight: <c>rule 2: chk eq 1</c>).
/// Values are kept as written, so every syntax prints them back unchanged.
/// </summary>
public sealed record HealthCheck(
    string Id,
    string Script,
    string? Attribute = null,
    string? Interval = null,
    string? Timeout = null,
    int? Fall = null,
    int? Rise = null,
    string? Description = null)
{
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(5);

    public string AttributeName => Attribute ?? Id;
    public TimeSpan IntervalTime => Duration.TryParseMilliseconds(Interval, out var ms) && ms > 0 ? TimeSpan.FromMilliseconds(ms) : DefaultInterval;
    public TimeSpan TimeoutTime => Duration.TryParseMilliseconds(Timeout, out var ms) && ms > 0 ? TimeSpan.FromMilliseconds(ms) : IntervalTime;
    public int FallCount => Fall ?? 1;
    public int RiseCount => Rise ?? 1;

    /// <summary>The program and its arguments: words split on blanks, double or single quotes grouping (as keepalived splits a script line; no shell).</summary>
    public IReadOnlyList<string> Command => Words(Script);

    public static List<string> Words(string text)
    {
        var words = new List<string>();
        var current = new System.Text.StringBuilder();
        char? quote = null;
        var inWord = false;
        foreach (var c in text)
        {
            if (quote is { } q)
            {
                if (c == q) quote = null;
                else current.Append(c);
                continue;
            }
            if (c is '"' or '\'') { quote = c; inWord = true; continue; }
            if (char.IsWhiteSpace(c))
            {
                if (inWord) words.Add(current.ToString());
                current.Clear();
                inWord = false;
                continue;
            }
            current.Append(c);
            inWord = true;
        }
        if (inWord) words.Add(current.ToString());
        return words;
    }

    /// <summary>The attribute's value for a passing node, and for a failing one.</summary>
    public const string Passing = "1";
    public const string Failing = "0";
}
