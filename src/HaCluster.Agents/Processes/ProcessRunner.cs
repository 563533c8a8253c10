using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace HaCluster.Agents.Processes;

/// <summary>
/// Runs one program as its own process group and reports when the program exits, not when its
/// output pipes close: agents leave helpers behind that inherit stdout (IPaddr2's send_arp holds
/// it for about a second), and waiting for end-of-file would add that to every action.
/// On timeout the whole group gets SIGTERM, then SIGKILL after a grace period, so nothing the
/// agent started survives it.
/// </summary>
public sealed class ProcessRunner
{
    /// <summary>How long a timed-out agent's group has between SIGTERM and SIGKILL.</summary>
    public TimeSpan KillGrace { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>Bytes kept of each of stdout and stderr; the rest is read and dropped.</summary>
    public int OutputLimit { get; init; } = 64 * 1024;
    /// <summary>After exit, how long output still in the pipe may take to arrive.</summary>
    public TimeSpan DrainAfterExit { get; init; } = TimeSpan.FromMilliseconds(20);

    // setsid(1) makes the program a session and process-group leader before exec, with the same
    // pid (it only forks when already a group leader, which a child of ours never is).
    private static readonly string? Setsid = new[] { "/usr/bin/setsid", "/bin/setsid" }.FirstOrDefault(File.Exists);

    public async Task<ProcessOutcome> RunAsync(ProcessSpec spec, CancellationToken cancel = default)
    {
        var psi = new ProcessStartInfo
        {
            FileName = Setsid ?? spec.FileName,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = spec.WorkingDirectory,
        };
        if (Setsid is not null) psi.ArgumentList.Add(spec.FileName);
        foreach (var a in spec.Arguments) psi.ArgumentList.Add(a);
        psi.Environment.Clear();
        foreach (var (k, v) in spec.Environment) psi.Environment[k] = v;

        using var process = new Process { StartInfo = psi };
        var clock = Stopwatch.StartNew();
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            return new ProcessOutcome { StartError = $"cannot run {spec.FileName}: {e.Message}" };
        }
        var pid = process.Id;
        var stdout = new BoundedCapture(OutputLimit);
        var stderr = new BoundedCapture(OutputLimit);
        var readers = Task.WhenAll(
            stdout.ReadAllAsync(process.StandardOutput.BaseStream),
            stderr.ReadAllAsync(process.StandardError.BaseStream));
        await FeedStdinAsync(process, spec.StandardInput);

        var timedOut = false;
        using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancel))
        {
            deadline.CancelAfter(spec.Timeout);
            try
            {
                await process.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                timedOut = !cancel.IsCancellationRequested;
                await KillGroupAsync(process, pid);
            }
        }
        var duration = clock.Elapsed;
        // Output written before exit is already in the pipe; only helpers that inherited it can
        // keep it open, and they do not delay the result.
        await Task.WhenAny(readers, Task.Delay(DrainAfterExit, CancellationToken.None));
        if (timedOut || cancel.IsCancellationRequested) Posix.SignalGroup(pid, Posix.SIGKILL);
        return new ProcessOutcome
        {
            ExitCode = timedOut ? null : process.ExitCode,
            TimedOut = timedOut,
            Stdout = stdout.Text(),
            Stderr = stderr.Text(),
            Duration = duration,
            ProcessId = pid,
        };
    }

    private static async Task FeedStdinAsync(Process process, string? input)
    {
        try
        {
            if (input is not null) await process.StandardInput.WriteAsync(input);
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The program exited without reading its input; its exit status says what happened.
        }
    }

    private async Task KillGroupAsync(Process process, int pgid)
    {
        if (!Posix.SignalGroup(pgid, Posix.SIGTERM)) TryKill(process);
        using var grace = new CancellationTokenSource(KillGrace);
        try
        {
            await process.WaitForExitAsync(grace.Token);
        }
        catch (OperationCanceledException)
        {
        }
        if (!Posix.SignalGroup(pgid, Posix.SIGKILL)) TryKill(process);
        await process.WaitForExitAsync(CancellationToken.None);
    }

    private static void TryKill(Process process)
    {
        try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
    }

    /// <summary>Keeps the first <c>limit</c> bytes of a stream and reads (and drops) the rest.</summary>
    private sealed class BoundedCapture(int limit)
    {
        private readonly MemoryStream kept = new();
        private bool truncated;

        public async Task ReadAllAsync(Stream stream)
        {
            var buffer = new byte[8192];
            try
            {
                int n;
                while ((n = await stream.ReadAsync(buffer)) > 0)
                {
                    lock (kept)
                    {
                        var room = limit - (int)kept.Length;
                        if (room > 0) kept.Write(buffer, 0, Math.Min(room, n));
                        if (n > room) truncated = true;
                    }
                }
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                // The pipe went away with the process object; what we have is the output.
            }
        }

        public string Text()
        {
            lock (kept)
            {
                var text = Encoding.UTF8.GetString(kept.GetBuffer(), 0, (int)kept.Length);
                return truncated ? text + "\n[output truncated]" : text;
            }
        }
    }
}
