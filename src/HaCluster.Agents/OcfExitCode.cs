namespace HaCluster.Agents;

/// <summary>
/// The result of an agent action in OCF terms. Every agent class (LSB, systemd, upstart,
/// fence agents) maps its own exit codes onto these, so the rest of the cluster speaks one
/// language.
/// </summary>
public enum OcfExitCode
{
    Success = 0,
    GenericError = 1,
    InvalidArgument = 2,
    Unimplemented = 3,
    InsufficientPrivileges = 4,
    NotInstalled = 5,
    NotConfigured = 6,
    NotRunning = 7,
    RunningPromoted = 8,
    FailedPromoted = 9,
    Degraded = 190,
    DegradedPromoted = 191,
}

/// <summary>How bad a failed result is, as Pacemaker classifies it.</summary>
public enum FailureSeverity
{
    /// <summary>Not a failure for the action that returned it.</summary>
    None,
    /// <summary>Recover in place (restart on the same node, counting toward migration-threshold).</summary>
    Soft,
    /// <summary>The resource cannot run on this node: ban it from the node (rc 2, 4, 5).</summary>
    Hard,
    /// <summary>The configuration is wrong everywhere: stop the resource on every node (rc 6).</summary>
    Fatal,
}

public static class OcfExitCodes
{
    /// <summary>
    /// Maps a raw OCF exit status onto the defined codes: anything outside 0-9 and 190/191
    /// (a crashed shell, "exit 137", a negative status) is a generic error, as Pacemaker does.
    /// </summary>
    public static OcfExitCode FromOcf(int status) => status switch
    {
        >= 0 and <= 9 => (OcfExitCode)status,
        190 => OcfExitCode.Degraded,
        191 => OcfExitCode.DegradedPromoted,
        _ => OcfExitCode.GenericError,
    };

    /// <summary>The name Pacemaker prints for a code ("not running", "promoted", ...).</summary>
    public static string Describe(this OcfExitCode code) => code switch
    {
        OcfExitCode.Success => "ok",
        OcfExitCode.GenericError => "error",
        OcfExitCode.InvalidArgument => "invalid parameter",
        OcfExitCode.Unimplemented => "unimplemented feature",
        OcfExitCode.InsufficientPrivileges => "insufficient privileges",
        OcfExitCode.NotInstalled => "not installed",
        OcfExitCode.NotConfigured => "not configured",
        OcfExitCode.NotRunning => "not running",
        OcfExitCode.RunningPromoted => "promoted",
        OcfExitCode.FailedPromoted => "promoted (failed)",
        OcfExitCode.Degraded => "degraded",
        OcfExitCode.DegradedPromoted => "promoted (degraded)",
        _ => "unknown",
    };

    /// <summary>
    /// Whether <paramref name="code"/> is what <paramref name="action"/> was expected to return,
    /// and if not, how severe the failure is. A probe (monitor, interval 0) expects any state;
    /// "not running" from a stop-like probe is success; a recurring monitor expects the role it
    /// runs for (8 for Promoted). Degraded results count as running.
    /// </summary>
    public static FailureSeverity Classify(OcfExitCode code, string action, long intervalMs, OcfExitCode expected = OcfExitCode.Success)
    {
        var isProbe = action == "monitor" && intervalMs == 0;
        var normalized = code switch
        {
            OcfExitCode.Degraded => OcfExitCode.Success,
            OcfExitCode.DegradedPromoted => OcfExitCode.RunningPromoted,
            _ => code,
        };
        if (normalized == expected) return FailureSeverity.None;
        if (isProbe && normalized is OcfExitCode.Success or OcfExitCode.NotRunning or OcfExitCode.RunningPromoted)
            return FailureSeverity.None;
        if (action == "stop" && normalized == OcfExitCode.NotRunning) return FailureSeverity.None;
        return code switch
        {
            OcfExitCode.InvalidArgument or OcfExitCode.InsufficientPrivileges or OcfExitCode.NotInstalled => FailureSeverity.Hard,
            OcfExitCode.NotConfigured => FailureSeverity.Fatal,
            // An unimplemented recurring action is logged but triggers no recovery.
            OcfExitCode.Unimplemented when intervalMs > 0 => FailureSeverity.None,
            _ => FailureSeverity.Soft,
        };
    }
}
