namespace HaCluster.Core.Tests;

/// <summary>Finds the repository and the shared/ folder beside it, from the test binary's folder.</summary>
internal static class TestPaths
{
    public static string RepoRoot { get; } = FindUp(d => File.Exists(Path.Combine(d, "HaCluster.sln")))
        ?? throw new InvalidOperationException("cannot find the repository root (HaCluster.sln) above " + AppContext.BaseDirectory);

    /// <summary>../shared next to the repository, as in CI's clean clone.</summary>
    public static string Shared { get; } = FindShared();

    public static string Samples => Path.Combine(RepoRoot, "samples");
    public static string ConformanceXml => Path.Combine(Shared, "conformance", "public", "xml");
    public static string Seeds => Path.Combine(Shared, "seeds");

    private static string FindShared()
    {
        for (var d = RepoRoot; d is not null; d = Path.GetDirectoryName(d))
        {
            var candidate = Path.Combine(d, "shared");
            if (Directory.Exists(Path.Combine(candidate, "conformance"))) return candidate;
        }
        throw new InvalidOperationException("cannot find shared/conformance beside the repository; tests need it");
    }

    private static string? FindUp(Func<string, bool> match)
    {
        for (var d = AppContext.BaseDirectory; d is not null; d = Path.GetDirectoryName(d))
            if (match(d)) return d;
        return null;
    }
}
