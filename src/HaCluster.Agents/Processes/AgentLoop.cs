using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace HaCluster.Agents.Processes;

/// <summary>
/// The executor's own thread. It sleeps in one poll(2) over the pidfds of our agent processes
/// (readable when a process exits) and until the earliest of its timers (recurring monitors'
/// intervals, actions' deadlines), and it runs what follows each event itself: it reaps the
/// process and completes its task, whose continuation (reading the output, mapping the result,
/// reporting it, scheduling the next monitor) runs inline; a timer's callback starts the next
/// monitor, whose spawn also happens here.
///
/// Why one thread: with 1,000 monitors every 10 s the executor's own CPU was dominated not by
/// the work but by handing it between threads (the runtime's timer thread woke a thread-pool
/// worker to spawn, the worker woke a reaper thread to learn of the exit: each wake-up is a
/// futex and a context switch). Here a monitor costs two wake-ups of this thread: its timer
/// and its exit. Work submitted from other threads goes through a queue and an eventfd.
///
/// waitpid(-1) is never used, so the runtime's own children (Process.Start elsewhere) are left
/// to it. Callbacks and continuations of actions must be short and never block: they delay
/// every other agent's exit and timer.
/// </summary>
internal static unsafe partial class AgentLoop
{
    /// <summary>A pending timer; <see cref="Cancel"/> keeps it from running (it is dropped when it reaches the front).</summary>
    public sealed class Timer
    {
        internal Timer(long due, Action callback)
        {
            Due = due;
            Callback = callback;
        }

        internal long Due { get; }
        internal Action Callback { get; }
        private volatile bool cancelled;
        internal bool Cancelled => cancelled;

        public void Cancel() => cancelled = true;
    }

    private static readonly ConcurrentQueue<object> Incoming = new();
    private static readonly int WakeFd = CreateWakeFd();
    // Owned by the loop thread only.
    private static readonly Dictionary<int, (int PidFd, TaskCompletionSource<int> Exited)> Watched = new();
    private static readonly PriorityQueue<Timer, long> Timers = new();
    private static readonly long TicksPerMillisecond = Stopwatch.Frequency / 1000;
    [ThreadStatic] private static bool onLoop;
    // Last: the thread starts running as soon as this is initialized, and uses every field above.
    private static readonly Thread Loop = StartLoop();

    /// <summary>Monotonic time in Stopwatch ticks (a fine clock: a coarse one would wake poll early and twice).</summary>
    private static long Now => Stopwatch.GetTimestamp();

    /// <summary>Completes <paramref name="exited"/> (on the loop thread) with the wait status when <paramref name="pid"/> exits.</summary>
    public static void Watch(int pid, TaskCompletionSource<int> exited)
    {
        var pidfd = (int)Syscall(SYS_pidfd_open, pid, 0);
        if (pidfd < 0)
        {
            // No pidfd (a kernel older than 5.3): wait on a thread of its own.
            new Thread(() => exited.TrySetResult(WaitBlocking(pid))) { IsBackground = true, Name = "agent wait" }.Start();
            return;
        }
        Submit(new WatchRequest(pid, pidfd, exited));
    }

    /// <summary>Runs <paramref name="callback"/> on the loop thread after <paramref name="delay"/>.</summary>
    public static Timer Schedule(TimeSpan delay, Action callback)
    {
        // Clamped to a century: a larger delay (an absurd op timeout) would overflow into the past and fire at once.
        var seconds = Math.Clamp(delay.TotalSeconds, 0, 100 * 365 * 86400.0);
        var timer = new Timer(Now + (long)(seconds * Stopwatch.Frequency), callback);
        Submit(timer);
        return timer;
    }

    /// <summary>
    /// Like Task.Delay, but completed on the loop thread, so what follows it (a monitor's next
    /// run) starts there without a hop.
    /// </summary>
    public static Task Delay(TimeSpan delay, CancellationToken cancel = default)
    {
        if (cancel.IsCancellationRequested) return Task.FromCanceled(cancel);
        var done = new TaskCompletionSource();
        var timer = Schedule(delay, () => done.TrySetResult());
        if (cancel.CanBeCanceled)
        {
            var registration = cancel.UnsafeRegister(_ =>
            {
                timer.Cancel();
                done.TrySetCanceled(cancel);
            }, null);
            done.Task.ContinueWith(static (_, r) => ((CancellationTokenRegistration)r!).Dispose(), registration, TaskContinuationOptions.ExecuteSynchronously);
        }
        return done.Task;
    }

    private sealed record WatchRequest(int Pid, int PidFd, TaskCompletionSource<int> Exited);

    private static void Submit(object work)
    {
        GC.KeepAlive(Loop);
        if (onLoop)
        {
            // The loop picks it up before it sleeps again: no wake-up needed.
            Accept(work);
            return;
        }
        Incoming.Enqueue(work);
        long one = 1;
        Write(WakeFd, &one, sizeof(long));
    }

    private static void Accept(object work)
    {
        switch (work)
        {
            case WatchRequest w: Watched[w.Pid] = (w.PidFd, w.Exited); break;
            case Timer t: Timers.Enqueue(t, t.Due); break;
        }
    }

    private static int CreateWakeFd()
    {
        var fd = EventFd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (fd < 0) throw new IOException($"eventfd failed: errno {Marshal.GetLastPInvokeError()}");
        return fd;
    }

    private static Thread StartLoop()
    {
        var thread = new Thread(Run) { IsBackground = true, Name = "agent loop" };
        thread.Start();
        return thread;
    }

    private static void Run()
    {
        onLoop = true;
        var fds = new PollFd[64];
        var pids = new int[64];
        while (true)
        {
            try
            {
                Iterate(ref fds, ref pids);
            }
            catch (Exception e)
            {
                // Nothing may end this thread: every agent's exit and every timer depend on it.
                Trace.TraceError($"agent loop: {e}");
                Thread.Sleep(10);
            }
        }
    }

    /// <summary>One round: take submitted work, run due timers, sleep in poll, reap what exited.</summary>
    private static void Iterate(ref PollFd[] fds, ref int[] pids)
    {
        while (Incoming.TryDequeue(out var work)) Accept(work);
        RunDueTimers();
        var count = Watched.Count + 1;
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
        int ready;
        fixed (PollFd* p = fds) ready = Poll(p, (ulong)count, SleepMilliseconds());
        if (ready <= 0) return;
        if ((fds[0].Revents & POLLIN) != 0)
        {
            long drained;
            Read(WakeFd, &drained, sizeof(long));
        }
        for (i = 1; i < count; i++)
        {
            if (fds[i].Revents == 0) continue;
            int status;
            int reaped;
            while ((reaped = WaitPid(pids[i], &status, WNOHANG)) < 0 && Marshal.GetLastPInvokeError() == EINTR)
            {
            }
            if (reaped == 0) continue;
            // Reaped by someone else (only if SIGCHLD were ignored): a failure, never a false success.
            if (reaped < 0) status = 255 << 8;
            if (!Watched.Remove(pids[i], out var watched)) continue;
            Close(watched.PidFd);
            try
            {
                watched.Exited.TrySetResult(status);
            }
            catch (Exception e)
            {
                Trace.TraceError($"agent loop: {e}");
            }
        }
    }

    private static void RunDueTimers()
    {
        // Timers due within the next millisecond run now rather than after one more short sleep.
        var now = Now + TicksPerMillisecond;
        while (Timers.TryPeek(out var timer, out var due) && (timer.Cancelled || due <= now))
        {
            Timers.Dequeue();
            if (timer.Cancelled) continue;
            try
            {
                timer.Callback();
            }
            catch (Exception e)
            {
                // What runs on the loop must not end it: report, and go on.
                Trace.TraceError($"agent loop: {e}");
            }
        }
    }

    /// <summary>How long poll may sleep: until the earliest live timer, or indefinitely (-1).</summary>
    private static int SleepMilliseconds()
    {
        while (Timers.TryPeek(out var timer, out var due))
        {
            if (timer.Cancelled)
            {
                Timers.Dequeue();
                continue;
            }
            var ticks = due - Now;
            return ticks <= 0 ? 0 : (int)Math.Min(int.MaxValue, (ticks + TicksPerMillisecond - 1) / TicksPerMillisecond);
        }
        return -1;
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
