namespace HaCluster.Agents.Processes;

/// <summary>
/// A program to run: an executable path and its arguments as separate strings (never a shell
/// line), the complete environment it gets, and what it reads on stdin.
/// </summary>
public sealed record ProcessSpec(
    string FileName,
    IReadOnlyList<string> Arguments,
    IReadOnlyDictionary<string, string> Environment,
    TimeSpan Timeout)
{
    /// <summary>Written to the program's stdin, which is then closed (fence agents read key=value lines).</summary>
    public string? StandardInput { get; init; }
    public string WorkingDirectory { get; init; } = "/";
}

/// <summary>What happened to a process: its exit status or timeout, its (bounded) output, how long it took.</summary>
public sealed record ProcessOutcome
{
    public int? ExitCode { get; init; }
    public bool TimedOut { get; init; }
    /// <summary>Why the program could not be started at all (missing, not executable).</summary>
    public string? StartError { get; init; }
    public string Stdout { get; init; } = "";
    public string Stderr { get; init; } = "";
    public TimeSpan Duration { get; init; }
    /// <summary>The process id, which is also its process group id.</summary>
    public int ProcessId { get; init; }
}
