using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace HaCluster.Agents.Processes;

/// <summary>
/// The few POSIX calls .NET does not expose or makes costly: signalling a whole process group,
/// opening and reading a file that usually does not exist without an exception.
/// </summary>
internal static unsafe partial class Posix
{
    public const int SIGTERM = 15;
    public const int SIGKILL = 9;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    /// <summary>Sends <paramref name="signal"/> to every process of group <paramref name="pgid"/>; false when none is left.</summary>
    public static bool SignalGroup(int pgid, int signal) => pgid > 1 && Kill(-pgid, signal) == 0;

    /// <summary>True while any process of the group is alive (signal 0 probes without sending).</summary>
    public static bool GroupExists(int pgid) => pgid > 1 && Kill(-pgid, 0) == 0;

    /// <summary>The whole (UTF-8) content of <paramref name="path"/>, which is then removed; null when there is no such file.</summary>
    public static string? TryReadAndDelete(string path)
    {
        var fd = OpenReadOnly(path);
        if (fd < 0) return null;
        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        var text = ReadText(handle, int.MaxValue, out _);
        Unlink(path);
        return text;
    }

    /// <summary>open(2) for reading, close-on-exec: a descriptor, or -1 with errno set (no exception).</summary>
    public static int OpenReadOnly(string path) => Open(path, O_RDONLY | O_CLOEXEC);

    /// <summary>The first <paramref name="limit"/> bytes of a file, from its start, as UTF-8; <paramref name="truncated"/> when there was more.</summary>
    public static string ReadText(SafeFileHandle file, int limit, out bool truncated)
    {
        var length = RandomAccess.GetLength(file);
        var buffer = new byte[(int)Math.Min(length, limit)];
        var read = 0;
        while (read < buffer.Length)
        {
            var n = RandomAccess.Read(file, buffer.AsSpan(read), read);
            if (n <= 0) break;
            read += n;
        }
        truncated = length > limit;
        return Encoding.UTF8.GetString(buffer, 0, read);
    }

    private const int O_RDONLY = 0;
    private const int O_CLOEXEC = 0x80000;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)] private static partial int Open(string path, int flags);
    [LibraryImport("libc", EntryPoint = "unlink", StringMarshalling = StringMarshalling.Utf8)] private static partial int Unlink(string path);
}
