namespace HaCluster.Agents.Tests;

/// <summary>A private scratch directory per test (agents, state files, spools), removed afterwards.</summary>
public sealed class TestDirectory : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("hacluster-agents-").FullName;

    public string this[string relative] => Path.Combine(Root, relative);

    /// <summary>Writes an executable script (mode 0755), creating its directory.</summary>
    public string Script(string relative, string text)
    {
        var path = this[relative];
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text.Replace("\r\n", "\n"));
        File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
        return path;
    }

    /// <summary>A private OCF root for test agents, sharing the real one's shell function library.</summary>
    public string OcfRoot()
    {
        var root = this["ocf"];
        Directory.CreateDirectory(Path.Combine(root, "resource.d"));
        if (!Directory.Exists(Path.Combine(root, "lib"))) Directory.CreateSymbolicLink(Path.Combine(root, "lib"), "/usr/lib/ocf/lib");
        return root;
    }

    /// <summary>Agent paths whose OCF root is the real one (or a private one), with private tools and spool.</summary>
    public AgentPaths Paths(string? ocfRoot = null) => AgentPaths.Private(Root, ocfRoot) with
    {
        InitDirectory = this["init.d"],
        UpstartDirectory = this["init"],
        FenceAgentDirectory = this["sbin"],
    };

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
