namespace HaCluster.Agents;

/// <summary>
/// Where this node's agents and the tools they need live. Every path can be overridden (the
/// daemon's configuration, tests pointing systemctl/initctl at look-alike scripts).
/// </summary>
public sealed record AgentPaths
{
    /// <summary>OCF_ROOT: agents are OCF_ROOT/resource.d/PROVIDER/TYPE.</summary>
    public string OcfRoot { get; init; } = Environment.GetEnvironmentVariable("OCF_ROOT") is { Length: > 0 } root ? root : "/usr/lib/ocf";
    /// <summary>LSB init scripts.</summary>
    public string InitDirectory { get; init; } = "/etc/init.d";
    /// <summary>Upstart job definitions (JOB.conf), used to tell upstart jobs from LSB scripts.</summary>
    public string UpstartDirectory { get; init; } = "/etc/init";
    public string Systemctl { get; init; } = "/usr/bin/systemctl";
    public string Initctl { get; init; } = "/sbin/initctl";
    /// <summary>Whether systemd manages this machine; service: agents then mean systemd units. Null: detect (/run/systemd/system).</summary>
    public bool? SystemdRunning { get; init; }
    /// <summary>Fence agents (fence_xvm, fence_ipmilan, ...).</summary>
    public string FenceAgentDirectory { get; init; } = "/usr/sbin";
    /// <summary>HA_RSCTMP: agents' scratch space for state and lock files.</summary>
    public string ResourceScratchDirectory { get; init; } = "/run/resource-agents";
    /// <summary>
    /// HA_VARRUN, where some agents keep their state (ocf:pacemaker:Stateful). Null: not set, and
    /// ocf-directories' own default (/var/run/) applies, as under Pacemaker.
    /// </summary>
    public string? RunDirectory { get; init; }
    /// <summary>The stand-in crm_attribute/crm_master/attrd_updater (HA_SBIN_DIR for agents).</summary>
    public string ToolsDirectory { get; init; } = "/var/lib/hacluster/tools";
    /// <summary>Per-action spool and snapshot files for the stand-in tools.</summary>
    public string SpoolDirectory { get; init; } = "/run/hacluster/spool";

    public string OcfFunctionsDirectory => Path.Combine(OcfRoot, "lib", "heartbeat");

    /// <summary>Paths under one private directory, for tests, the demo and `hacrm ra exec` run by a non-root user.</summary>
    public static AgentPaths Private(string root, string? ocfRoot = null) => new()
    {
        OcfRoot = ocfRoot ?? new AgentPaths().OcfRoot,
        ResourceScratchDirectory = Path.Combine(root, "rsctmp"),
        RunDirectory = Path.Combine(root, "varrun"),
        ToolsDirectory = Path.Combine(root, "tools"),
        SpoolDirectory = Path.Combine(root, "spool"),
    };

    public bool IsSystemdRunning => SystemdRunning ?? (Directory.Exists("/run/systemd/system") && File.Exists(Systemctl));

    /// <summary>A regular file with an execute bit (FileInfo: one stat for both questions; this runs before every action).</summary>
    internal static bool IsExecutable(string path)
    {
        var file = new FileInfo(path);
        return file.Exists && (file.UnixFileMode & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;
    }
}
