namespace HaCluster.Core.Tests.Import;

/// <summary>
/// The legacy configuration files as the seed documents (../shared/seeds) print them, cut out
/// verbatim: what an operator of each stack has on disk.
/// </summary>
internal static class SeedDocuments
{
    private static string[] Lines(string prefix) =>
        File.ReadAllLines(Directory.GetFiles(TestPaths.Seeds, prefix + "_*.txt").Single());

    /// <summary>The lines from the first matching <paramref name="first"/> to the next matching <paramref name="last"/>, both included.</summary>
    private static string Cut(string seed, Func<string, bool> first, Func<string, bool> last)
    {
        var lines = Lines(seed);
        var start = Array.FindIndex(lines, l => first(l));
        if (start < 0) throw new InvalidOperationException($"seed {seed}: start not found");
        var end = Array.FindIndex(lines, start, l => last(l));
        if (end < 0) throw new InvalidOperationException($"seed {seed}: end not found");
        return string.Join("\n", lines[start..(end + 1)]) + "\n";
    }

    /// <summary>Seed 004 (OpenNebula on rgmanager): /etc/cluster/cluster.conf.</summary>
    public static string Seed004ClusterConf() =>
        Cut("004", l => l.StartsWith("<?xml version=\"1.0\"?>", StringComparison.Ordinal), l => l.StartsWith("</cluster>", StringComparison.Ordinal));

    /// <summary>Writes <paramref name="text"/> as <paramref name="name"/> in a fresh directory, as the operator's file.</summary>
    public static string WriteAs(string directory, string name, string text)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, text);
        return path;
    }
}
