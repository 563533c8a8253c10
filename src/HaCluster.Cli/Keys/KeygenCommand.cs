using System.CommandLine;
using HaCluster.Core.Membership;

namespace HaCluster.Cli.Keys;

/// <summary><c>hacrm keygen [FILE]</c>: writes a new random cluster key, mode 0600, never over an existing file.</summary>
public static class KeygenCommand
{
    public static Command Build()
    {
        var file = new Argument<string>("FILE") { Description = "where to write the key", DefaultValueFactory = _ => "/etc/hacluster/authkey" };
        var cmd = new Command("keygen", "write a new cluster key (mode 0600); copy the same file to every node") { file };
        cmd.SetAction(parse =>
        {
            var path = parse.GetValue(file)!;
            var error = parse.InvocationConfiguration.Error;
            try
            {
                if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } dir) Directory.CreateDirectory(dir);
                ClusterKey.WriteNew(path);
            }
            catch (IOException) when (File.Exists(path))
            {
                error.WriteLine($"hacrm keygen: {path} exists; not overwriting a cluster key (remove it first if you mean to replace it on every node)");
                return 1;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                error.WriteLine($"hacrm keygen: cannot write {path}: {e.Message}");
                return 1;
            }
            parse.InvocationConfiguration.Output.WriteLine($"wrote a {ClusterKey.GeneratedLength}-byte key to {path} (mode 0600); copy it to every node with the same mode");
            return 0;
        });
        return cmd;
    }
}
