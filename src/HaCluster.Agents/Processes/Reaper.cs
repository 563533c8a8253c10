using System.Runtime.InteropServices;

namespace HaCluster.Agents.Processes;

/// <summary>
/// Learns when our agent processes exit, for all of them with one long-lived thread: each child
/// is watched through a pidfd (readable when the process exits), the thread sleeps in poll(2)
/// over all of them, and reaps each by its own pid. Measured alternatives: a thread per child
/// blocked in waitpid (thread creation dominated the executor's CPU under load) and the runtime's
/// SIGCHLD dispatch (slower, several thread hops). waitpid(-1) is never used, so the runtime's own
/// children (Process.Start elsewhere) are left to it.
/// </summary>
internal static unsafe partial class Reaper
{
    private static readonly object Gate = new();
    private static readonly Dictionary<int, (int PidFd, TaskCompletionSource<int> Exited)> Watched = new();
    private static readonly int WakeFd = CreateWakeFd();
    private static readonly Thread Loop = StartLoop();

    /// <summary>Completes <paramref name="exited"/> with the wait status when <paramref name="pid"/> exits.</summary>
    public static void Watch(int pid, TaskCompletionSource<int> exited)
    {
        GC.KeepAlive(Loop);
        var pidfd = (int)Syscall(SYS_pidfd_open, pid, 0);
        if (pidfd < 0)
        {
            // No pidfd (a kernel older than 5.3): wait on a thread of its own.
            new Thread(() => exited.TrySetResult(WaitBlocking(pid))) { IsBackground = true, Name = "agent wait" }.Start();
            return;
        }
        lock (Gate) Watched[pid] = (pidfd, exited);
        long one = 1;
        Write(WakeFd, &one, sizeof(long));
    }

    private static int CreateWakeFd()
    {
        var fd = EventFd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (fd < 0) throw new IOException($"eventfd failed: errno {Marshal.GetLastPInvokeError()}");
        return fd;
    }

    private static Thread StartLoop()
    {
        var thread = new Thread(Run) { IsBackground = true, Name = "agent reaper" };
        thread.Start();
        return thread;
    }

    private static void Run()
    {
        var fds = new PollFd[64];
        var pids = new int[64];
        while (true)
        {
            int count;
            lock (Gate)
            {
                count = Watched.Count + 1;
                if (fds.Length < count)
                {
                    fds = new PollFd[count * 2];
                    pids = new int[count * 2];
                }
                fds[0] = new PollFd { Fd = WakeFd, Events = POLLIN };
                var i = 1;
                foreach (var (pid, w) in Watched)
                {
                    pids[i] = pid;
                    fds[i++] = new PollFd { Fd = w.PidFd, Events = POLLIN };
                }
            }
            int ready;
            fixed (PollFd* p = fds) ready = Poll(p, (ulong)count, -1);
            if (ready <= 0) continue;
            if ((fds[0].Revents & POLLIN) != 0)
            {
                long drained;
                Read(WakeFd, &drained, sizeof(long));
            }
            for (var i = 1; i < count; i++)
            {
                if (fds[i].Revents == 0) continue;
                int status;
                if (WaitPid(pids[i], &status, WNOHANG) == 0) continue;
                (int PidFd, TaskCompletionSource<int> Exited) watched;
                lock (Gate)
                {
                    if (!Watched.Remove(pids[i], out watched)) continue;
                }
                Close(watched.PidFd);
                watched.Exited.TrySetResult(status);
            }
        }
    }

    private static int WaitBlocking(int pid)
    {
        int status;
        while (true)
        {
            var r = WaitPid(pid, &status, 0);
            if (r == pid) return status;
            if (r < 0 && Marshal.GetLastPInvokeError() == EINTR) continue;
            // Reaped by someone else (only if SIGCHLD were ignored): a failure, never a hang.
            return 255 << 8;
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    private const long SYS_pidfd_open = 434; // the same number on x86_64 and aarch64
    private const short POLLIN = 1;
    private const int WNOHANG = 1;
    private const int EINTR = 4;
    private const int EFD_CLOEXEC = 0x80000;
    private const int EFD_NONBLOCK = 0x800;

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)] private static partial long Syscall(long number, long a1, long a2);
    [LibraryImport("libc", EntryPoint = "eventfd", SetLastError = true)] private static partial int EventFd(uint initial, int flags);
    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)] private static partial int Poll(PollFd* fds, ulong count, int timeout);
    [LibraryImport("libc", EntryPoint = "waitpid", SetLastError = true)] private static partial int WaitPid(int pid, int* status, int options);
    [LibraryImport("libc", EntryPoint = "read")] private static partial nint Read(int fd, void* buffer, nint count);
    [LibraryImport("libc", EntryPoint = "write")] private static partial nint Write(int fd, void* buffer, nint count);
    [LibraryImport("libc", EntryPoint = "close")] private static partial int Close(int fd);
}
