using System.Runtime.InteropServices;

namespace HaCluster.Agents.Processes;

/// <summary>The few POSIX calls .NET does not expose: signalling a whole process group.</summary>
internal static partial class Posix
{
    public const int SIGTERM = 15;
    public const int SIGKILL = 9;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    /// <summary>Sends <paramref name="signal"/> to every process of group <paramref name="pgid"/>; false when none is left.</summary>
    public static bool SignalGroup(int pgid, int signal) => pgid > 1 && Kill(-pgid, signal) == 0;

    /// <summary>True while any process of the group is alive (signal 0 probes without sending).</summary>
    public static bool GroupExists(int pgid) => pgid > 1 && Kill(-pgid, 0) == 0;
}
