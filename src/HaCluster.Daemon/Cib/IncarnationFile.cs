using HaCluster.Core.Membership;
using Microsoft.Extensions.Logging;

namespace HaCluster.Daemon.Cib;

/// <summary>
/// The last incarnation this node used, kept in state_dir/incarnation (written durably before
/// the node says anything), so the next start's is higher even when the clock went back
/// (<see cref="Incarnation"/>).
/// </summary>
public static class IncarnationFile
{
    public static long Next(string stateDirectory, ILogger log)
    {
        var path = Path.Combine(stateDirectory, "incarnation");
        long? last = null;
        try
        {
            if (File.Exists(path) && long.TryParse(File.ReadAllText(path).Trim(), out var stored)) last = stored;
        }
        catch (IOException e)
        {
            log.LogWarning("cannot read {Path}: {Error}; the incarnation comes from the clock alone", path, e.Message);
        }
        var next = Incarnation.Next(DateTimeOffset.UtcNow, last);
        if (last is { } l && next == l + 1)
            log.LogWarning("the clock is behind this node's last start (incarnation {Last}): continuing from {Next}, not from the clock", l, next);
        try
        {
            Directory.CreateDirectory(stateDirectory);
            var temp = path + ".tmp";
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                stream.Write(System.Text.Encoding.ASCII.GetBytes(next + "\n"));
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            log.LogWarning("cannot keep the incarnation in {Path}: {Error}", path, e.Message);
        }
        return next;
    }
}
