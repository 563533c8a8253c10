using System.Diagnostics;
using System.Text;
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
        var clock = Stopwatch.StartNew();
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

        var timedOut = false;
        int status;
        using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancel))
        {
            deadline.CancelAfter(spec.Timeout);
            try
            {
                status = await child.Exited.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                timedOut = !cancel.IsCancellationRequested;
                status = await KillGroupAsync(child);
            }
        }
        var duration = clock.Elapsed;
        if (timedOut || cancel.IsCancellationRequested) Posix.SignalGroup(pid, Posix.SIGKILL);
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

    /// <summary>The first <see cref="OutputLimit"/> bytes the program wrote to an output file.</summary>
    private string ReadBounded(SafeFileHandle file)
    {
        var length = RandomAccess.GetLength(file);
        var buffer = new byte[(int)Math.Min(length, OutputLimit)];
        var read = 0;
        while (read < buffer.Length)
        {
            var n = RandomAccess.Read(file, buffer.AsSpan(read), read);
            if (n <= 0) break;
            read += n;
        }
        var text = Encoding.UTF8.GetString(buffer, 0, read);
        return length > OutputLimit ? text + "\n[output truncated]" : text;
    }

    /// <summary>SIGTERM to the group, SIGKILL after the grace period; returns the leader's wait status.</summary>
    private async Task<int> KillGroupAsync(ChildProcess child)
    {
        Posix.SignalGroup(child.Pid, Posix.SIGTERM);
        try
        {
            return await child.Exited.WaitAsync(KillGrace);
        }
        catch (TimeoutException)
        {
        }
        Posix.SignalGroup(child.Pid, Posix.SIGKILL);
        return await child.Exited;
    }
}
