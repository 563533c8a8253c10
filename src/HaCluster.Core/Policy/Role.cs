namespace HaCluster.Core.Policy;

/// <summary>A resource's role, ordered as Pacemaker orders them (Stopped &lt; Started &lt; Unpromoted &lt; Promoted).</summary>
public enum Role { Unknown = 0, Stopped = 1, Started = 2, Unpromoted = 3, Promoted = 4 }

public static class Roles
{
    /// <summary>Reads every spelling: Started, Stopped, Master/Promoted, Slave/Unpromoted.</summary>
    // Case does not matter, as for Pacemaker ("stopped" in old CIBs).
    public static Role Parse(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        null or "" => Role.Unknown,
        "stopped" => Role.Stopped,
        "started" => Role.Started,
        "slave" or "unpromoted" => Role.Unpromoted,
        "master" or "promoted" => Role.Promoted,
        _ => Role.Unknown,
    };

    public static string Name(Role r) => r switch
    {
        Role.Stopped => "Stopped",
        Role.Started => "Started",
        Role.Unpromoted => "Unpromoted",
        Role.Promoted => "Promoted",
        _ => "Unknown",
    };
}
