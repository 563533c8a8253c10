using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace HaCluster.Agents.Processes;

/// <summary>
/// Starts a program with posix_spawn(3) as the leader of a new session (so its whole process
/// group can be signalled); <see cref="AgentLoop"/> learns of its exit. This is what lets an action
/// cost what it costs from a shell loop: .NET's Process class cannot create a process group,
/// and an extra exec of setsid(1) doubled the cost of a 3 ms monitor. glibc's posix_spawn uses
/// vfork, so the daemon's size does not matter.
/// stdout and stderr are anonymous in-memory files (memfd), not pipes: nothing has to read
/// them while the agent runs (blocking pipe readers starved the thread pool, delaying the exit
/// notice by a second), a helper that inherits them cannot delay anything, and whatever the
/// agent wrote is there to read at exit. stdin is a memfd holding the input, or /dev/null.
/// </summary>
internal sealed unsafe partial class ChildProcess
{
    public int Pid { get; }
    /// <summary>What the program wrote so far to stdout and stderr (memfds; read them with pread).</summary>
    public SafeFileHandle StandardOutput { get; }
    public SafeFileHandle StandardError { get; }
    /// <summary>Completes with the raw wait status when the process exits (and is reaped).</summary>
    public Task<int> Exited { get; }

    private ChildProcess(int pid, SafeFileHandle stdout, SafeFileHandle stderr, Task<int> exited)
    {
        Pid = pid;
        StandardOutput = stdout;
        StandardError = stderr;
        Exited = exited;
    }

    /// <summary>The exit code of a normal exit, or null when a signal ended it.</summary>
    public static int? ExitCode(int status) => (status & 0x7f) == 0 ? (status >> 8) & 0xff : null;
    public static int TermSignal(int status) => status & 0x7f;

    public static ChildProcess Start(string program, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment, string workingDirectory, string? input)
    {
        // fds: 0 stdin, 1 stdout, 2 stderr (ours; the child gets copies as 0, 1, 2).
        var fds = stackalloc int[3];
        fds[0] = input is null ? DevNull : MemoryFile("hacluster-stdin", input);
        fds[1] = MemoryFile("hacluster-stdout", null);
        fds[2] = MemoryFile("hacluster-stderr", null);
        var actions = stackalloc byte[256];
        var attr = stackalloc byte[1024];
        var sigset = stackalloc byte[256];
        // argv, envp and the two paths in one native block: one allocation per action, not one per string.
        using var strings = new NativeStrings(2 + arguments.Count + environment.Count);
        var pathPtr = strings.Add(program);
        var dirPtr = strings.Add(workingDirectory);
        var argvArray = stackalloc IntPtr[arguments.Count + 2];
        argvArray[0] = strings.Add(program);
        for (var i = 0; i < arguments.Count; i++) argvArray[i + 1] = strings.Add(arguments[i]);
        argvArray[arguments.Count + 1] = IntPtr.Zero;
        var envArray = stackalloc IntPtr[environment.Count + 1];
        var e = 0;
        foreach (var (k, v) in environment) envArray[e++] = strings.Add(k, '=', v);
        envArray[e] = IntPtr.Zero;

        Check(FileActionsInit(actions), "posix_spawn_file_actions_init");
        Check(AttrInit(attr), "posix_spawnattr_init");
        try
        {
            Check(AddDup2(actions, fds[0], 0), "adddup2");
            Check(AddDup2(actions, fds[1], 1), "adddup2");
            Check(AddDup2(actions, fds[2], 2), "adddup2");
            Check(AddChdir(actions, (byte*)dirPtr), "addchdir");
            // Default dispositions for every signal and nothing blocked: the runtime's own
            // signal set-up must not leak into agents (a blocked SIGTERM would defeat timeouts).
            SigFillSet(sigset);
            Check(AttrSetSigDefault(attr, sigset), "setsigdefault");
            SigEmptySet(sigset);
            Check(AttrSetSigMask(attr, sigset), "setsigmask");
            Check(AttrSetFlags(attr, (short)(POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)), "setflags");
            int pid;
            var rc = Spawn(&pid, (byte*)pathPtr, actions, attr, argvArray, envArray);
            if (fds[0] != DevNull) Close(fds[0]);
            if (rc != 0)
            {
                Close(fds[1]);
                Close(fds[2]);
                throw new SpawnException(rc, $"cannot run {program}: {Marshal.GetPInvokeErrorMessage(rc)}");
            }
            // What follows an exit (reading the output, mapping the result, the executor's
            // bookkeeping) is short and runs on the agent loop's thread itself: a hop to the
            // thread pool per action cost more CPU than the work (docs/benchmarks.md). Callers
            // must not block in continuations of an action.
            var exited = new TaskCompletionSource<int>();
            AgentLoop.Watch(pid, exited);
            return new ChildProcess(pid, new SafeFileHandle(fds[1], ownsHandle: true), new SafeFileHandle(fds[2], ownsHandle: true), exited.Task);
        }
        finally
        {
            FileActionsDestroy(actions);
            AttrDestroy(attr);
        }
    }

    /// <summary>NUL-terminated UTF-8 strings packed into one native allocation, freed together.</summary>
    private sealed class NativeStrings : IDisposable
    {
        private byte* block;
        private int used;
        private int capacity;
        // Blocks filled before the current one; the pointers handed out still point into them.
        private List<IntPtr>? retired;

        public NativeStrings(int expectedStrings)
        {
            capacity = Math.Max(1024, expectedStrings * 64);
            block = (byte*)NativeMemory.Alloc((nuint)capacity);
        }

        public IntPtr Add(string text) => Add(text, '\0', null);

        /// <summary>Adds <paramref name="first"/>, then <paramref name="separator"/> and <paramref name="second"/> when given.</summary>
        public IntPtr Add(string first, char separator, string? second)
        {
            var length = System.Text.Encoding.UTF8.GetByteCount(first) + (second is null ? 0 : 1 + System.Text.Encoding.UTF8.GetByteCount(second)) + 1;
            if (used + length > capacity)
            {
                (retired ??= []).Add((IntPtr)block);
                capacity = Math.Max(capacity, length);
                block = (byte*)NativeMemory.Alloc((nuint)capacity);
                used = 0;
            }
            var start = block + used;
            var span = new Span<byte>(start, length);
            var n = System.Text.Encoding.UTF8.GetBytes(first, span);
            if (second is not null)
            {
                span[n++] = (byte)separator;
                n += System.Text.Encoding.UTF8.GetBytes(second, span[n..]);
            }
            span[n] = 0;
            used += length;
            return (IntPtr)start;
        }

        public void Dispose()
        {
            NativeMemory.Free(block);
            if (retired is not null)
                foreach (var b in retired) NativeMemory.Free((void*)b);
        }
    }

    /// <summary>An anonymous in-memory file, optionally holding <paramref name="content"/> (read from its start).</summary>
    private static int MemoryFile(string name, string? content)
    {
        var fd = MemfdCreate(name, MFD_CLOEXEC);
        if (fd < 0) throw new IOException($"memfd_create failed: errno {Marshal.GetLastPInvokeError()}");
        if (content is not null)
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(content);
            fixed (byte* p = bytes)
            {
                for (var done = 0; done < bytes.Length;)
                {
                    var n = Write(fd, p + done, bytes.Length - done);
                    if (n <= 0) { Close(fd); throw new IOException("cannot write an agent's input"); }
                    done += (int)n;
                }
            }
            LSeek(fd, 0, 0);
        }
        return fd;
    }

    /// <summary>/dev/null, opened once: every agent without input gets a copy of it as stdin.</summary>
    private static readonly int DevNull = OpenDevNull();

    private static int OpenDevNull()
    {
        var fd = Posix.OpenReadOnly("/dev/null");
        if (fd < 0) throw new IOException($"cannot open /dev/null: errno {Marshal.GetLastPInvokeError()}");
        return fd;
    }

    private static void Check(int rc, string what)
    {
        if (rc != 0) throw new IOException($"{what} failed: {Marshal.GetPInvokeErrorMessage(rc)}");
    }

    private const uint MFD_CLOEXEC = 1;
    private const int POSIX_SPAWN_SETSIGDEF = 0x04;
    private const int POSIX_SPAWN_SETSIGMASK = 0x08;
    private const int POSIX_SPAWN_SETSID = 0x80;

    [LibraryImport("libc", EntryPoint = "memfd_create", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)] private static partial int MemfdCreate(string name, uint flags);
    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)] private static partial nint Write(int fd, byte* buffer, nint count);
    [LibraryImport("libc", EntryPoint = "lseek", SetLastError = true)] private static partial long LSeek(int fd, long offset, int whence);
    [LibraryImport("libc", EntryPoint = "close")] private static partial int Close(int fd);
    [LibraryImport("libc", EntryPoint = "posix_spawn")] private static partial int Spawn(int* pid, byte* path, void* fileActions, void* attr, IntPtr* argv, IntPtr* envp);
    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_init")] private static partial int FileActionsInit(void* actions);
    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_destroy")] private static partial int FileActionsDestroy(void* actions);
    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_adddup2")] private static partial int AddDup2(void* actions, int fd, int newFd);
    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_addchdir_np")] private static partial int AddChdir(void* actions, byte* path);
    [LibraryImport("libc", EntryPoint = "posix_spawnattr_init")] private static partial int AttrInit(void* attr);
    [LibraryImport("libc", EntryPoint = "posix_spawnattr_destroy")] private static partial int AttrDestroy(void* attr);
    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setflags")] private static partial int AttrSetFlags(void* attr, short flags);
    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setsigdefault")] private static partial int AttrSetSigDefault(void* attr, void* sigset);
    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setsigmask")] private static partial int AttrSetSigMask(void* attr, void* sigset);
    [LibraryImport("libc", EntryPoint = "sigfillset")] private static partial int SigFillSet(void* sigset);
    [LibraryImport("libc", EntryPoint = "sigemptyset")] private static partial int SigEmptySet(void* sigset);
}

/// <summary>posix_spawn failed; <see cref="Errno"/> says why (ETXTBSY = 26 is worth a retry).</summary>
internal sealed class SpawnException(int errno, string message) : IOException(message)
{
    public const int TextFileBusy = 26;
    public int Errno { get; } = errno;
}
