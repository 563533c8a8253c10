using System.Diagnostics;
using Microsoft.Win32.SafeHandles;

namespace HaCluster.Agents.Processes;

/// <summary>
/// Runs one program as its own process group and reports when the program exits, not when its
/// output closes: agents leave helpers behind that inherit stdout (IPaddr2's send_arp holds it
/// for about a second), and waiting for end-of-file would add that to every action.
/// On timeout the whole group gets SIGTERM, then SIGKILL after a grace period, so nothing the
/// agent started survives it.
/// </summary>
public sealed class ProcessRunner
{
    /// <summary>How long a timed-out agent's group has between SIGTERM and SIGKILL.</summary>
    public TimeSpan KillGrace { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>Bytes kept of each of stdout and stderr; the rest is dropped.</summary>
    public int OutputLimit { get; init; } = 64 * 1024;

    public async Task<ProcessOutcome> RunAsync(ProcessSpec spec, CancellationToken cancel = default)
    {
        var started = Stopwatch.GetTimestamp();
        ChildProcess child;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                child = ChildProcess.Start(spec.FileName, spec.Arguments, spec.Environment, spec.WorkingDirectory, spec.StandardInput);
                break;
            }
            catch (SpawnException e) when (e.Errno == SpawnException.TextFileBusy && attempt < 20)
            {
                // ETXTBSY: the agent file was just written and another child of this process,
                // between its fork and exec, still holds the write descriptor. Brief; retry.
                await Task.Delay(5 * attempt, cancel);
            }
            catch (IOException e)
            {
                return new ProcessOutcome { StartError = e.Message };
            }
        }
        using var stdout = child.StandardOutput;
        using var stderr = child.StandardError;
        var pid = child.Pid;

        // The deadline is a timer of the agent loop, the thread that learns of the exit: an
        // action that ends in time costs no other thread a wake-up.
        var ending = new Ending(child, KillGrace);
        var deadline = AgentLoop.Schedule(spec.Timeout, () => ending.Expire(timedOut: true));
        var registration = cancel.CanBeCanceled ? cancel.UnsafeRegister(static e => ((Ending)e!).Expire(timedOut: false), ending) : default;
        // After an early end the exit is the one the kill caused.
        var status = await child.Exited;
        deadline.Cancel();
        registration.Dispose();
        var timedOut = ending.TimedOut;
        var duration = Stopwatch.GetElapsedTime(started);
        if (ending.Expired) Posix.SignalGroup(pid, Posix.SIGKILL);
        return new ProcessOutcome
        {
            ExitCode = timedOut ? null : ChildProcess.ExitCode(status) ?? 128 + ChildProcess.TermSignal(status),
            TimedOut = timedOut,
            Stdout = ReadBounded(stdout),
            Stderr = ReadBounded(stderr),
            Duration = duration,
            ProcessId = pid,
        };
    }

    /// <summary>
    /// How a run ends early: its deadline passed (timed out) or its caller cancelled it. The
    /// first of the two starts <see cref="KillGroupAsync"/>; an exit that came first leaves it unused.
    /// </summary>
    private sealed class Ending(ChildProcess child, TimeSpan killGrace)
    {
        private const int Running = 0, DeadlinePassed = 1, Cancelled = 2;
        private int state;

        public bool Expired => Volatile.Read(ref state) != Running;
        public bool TimedOut => Volatile.Read(ref state) == DeadlinePassed;

        public void Expire(bool timedOut)
        {
            if (child.Exited.IsCompleted || Interlocked.CompareExchange(ref state, timedOut ? DeadlinePassed : Cancelled, Running) != Running) return;
            _ = KillGroupAsync(child, killGrace);
        }
    }

    /// <summary>The first <see cref="OutputLimit"/> bytes the program wrote to an output file.</summary>
    private string ReadBounded(SafeFileHandle file)
    {
        var text = Posix.ReadText(file, OutputLimit, out var truncated);
        return truncated ? text + "\n[output truncated]" : text;
    }

    /// <summary>SIGTERM to the group, SIGKILL after the grace period; returns the leader's wait status.</summary>
    private static async Task<int> KillGroupAsync(ChildProcess child, TimeSpan killGrace)
    {
        Posix.SignalGroup(child.Pid, Posix.SIGTERM);
        try
        {
            return await child.Exited.WaitAsync(killGrace);
        }
        catch (TimeoutException)
        {
        }
        Posix.SignalGroup(child.Pid, Posix.SIGKILL);
        return await child.Exited;
    }
}
