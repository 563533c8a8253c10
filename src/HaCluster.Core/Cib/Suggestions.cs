namespace HaCluster.Core.Cib;

/// <summary>"Did you mean ...?" for a name nobody knows: the known name within two edits of it (or equal ignoring case).</summary>
public static class Suggestions
{
    /// <summary>The closest known name, or null when none is close enough to be a likely typo.</summary>
    public static string? Closest(string name, IEnumerable<string> known) =>
        known.Select(k => (Name: k, Distance: Distance(k, name)))
            .Where(x => x.Distance <= 2 || string.Equals(x.Name, name, StringComparison.OrdinalIgnoreCase))
            .OrderBy(x => x.Distance).ThenBy(x => x.Name, StringComparer.Ordinal)
            .Select(x => x.Name).FirstOrDefault();

    /// <summary>" (did you mean X?)" or, with no close name, <paramref name="otherwise"/>.</summary>
    public static string Hint(string name, IEnumerable<string> known, string otherwise = " (typo?)") =>
        Closest(name, known) is { } close ? $" (did you mean {close}?)" : otherwise;

    /// <summary>Levenshtein distance, cut short past 3 (only small ones matter).</summary>
    public static int Distance(string a, string b)
    {
        if (Math.Abs(a.Length - b.Length) > 2) return 3;
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
            for (var j = 1; j <= b.Length; j++)
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
        return Math.Min(d[a.Length, b.Length], 3);
    }
}
