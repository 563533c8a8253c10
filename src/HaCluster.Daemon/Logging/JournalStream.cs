using System.Runtime.InteropServices;

namespace HaCluster.Daemon.Logging;

/// <summary>
/// Whether stdout is connected to the systemd journal. systemd sets <c>JOURNAL_STREAM=DEV:INODE</c>
/// for a service whose output goes to the journal; as systemd.exec(5) advises, the variable only
/// counts when stdout is still that very stream (a child whose output was redirected, such as a
/// test harness started from a unit, inherits the variable but not the stream).
/// </summary>
public static partial class JournalStream
{
    public static bool IsStandardOutput() =>
        Environment.GetEnvironmentVariable("JOURNAL_STREAM") is { } value && Matches(value, StandardOutputIdentity());

    /// <summary>Whether <paramref name="variable"/> (DEV:INODE, decimal) names <paramref name="identity"/>.</summary>
    public static bool Matches(string variable, (ulong Device, ulong Inode)? identity)
    {
        var parts = variable.Split(':');
        return identity is { } id && parts.Length == 2
            && ulong.TryParse(parts[0], out var device) && ulong.TryParse(parts[1], out var inode)
            && device == id.Device && inode == id.Inode;
    }

    /// <summary>fstat(1)'s device and inode; null if stdout is closed.</summary>
    public static unsafe (ulong Device, ulong Inode)? StandardOutputIdentity()
    {
        // struct stat begins with st_dev and st_ino (both 64-bit) on x86_64 and aarch64 Linux.
        var buffer = stackalloc ulong[32];
        if (FStat(1, buffer) != 0) return null;
        return (buffer[0], buffer[1]);
    }

    [LibraryImport("libc", EntryPoint = "fstat")] private static unsafe partial int FStat(int fd, ulong* buffer);
}
