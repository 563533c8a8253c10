namespace HaCluster.Core.Cib;

public enum Severity { Warning, Error }

/// <summary>Where in an input file something was found (1-based line and column).</summary>
public readonly record struct SourceLocation(string File, int Line, int Column)
{
    public override string ToString() => $"{File}:{Line}:{Column}";
}

/// <summary>
/// One finding about a configuration: a syntax error with its place (<c>FILE:LINE:COL: message</c>),
/// or a semantic error/warning that names the object (<c>primitive p_ip: ...</c>).
/// </summary>
public sealed record Diagnostic(Severity Severity, string Message, SourceLocation? Location = null)
{
    public bool IsError => Severity == Severity.Error;

    public static Diagnostic Error(string message, SourceLocation? at = null) => new(Severity.Error, message, at);
    public static Diagnostic Warning(string message, SourceLocation? at = null) => new(Severity.Warning, message, at);

    public override string ToString()
    {
        var prefix = Location is { } l ? $"{l}: " : "";
        var level = IsError ? "error" : "warning";
        return $"{prefix}{level}: {Message}";
    }
}

/// <summary>The outcome of reading a configuration: the model (null if it could not be built) and findings.</summary>
public sealed record ParseResult(ClusterConfig? Config, IReadOnlyList<Diagnostic> Diagnostics)
{
    /// <summary>Where each object id was defined, when the syntax knows (for located semantic errors).</summary>
    public IReadOnlyDictionary<string, SourceLocation> SourceMap { get; init; } = new Dictionary<string, SourceLocation>();

    /// <summary>The status section, when the input was a whole CIB (XML only).</summary>
    public Status.ClusterStatus? Status { get; init; }

    public bool HasErrors => Config is null || Diagnostics.Any(d => d.IsError);
    public IEnumerable<Diagnostic> Errors => Diagnostics.Where(d => d.IsError);
}
