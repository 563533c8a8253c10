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

    /// <summary>
    /// The role shown for a resource active somewhere (status XML and JSON, metrics): Promoted,
    /// Unpromoted, or else Started; "Stopped" when it is active nowhere.
    /// </summary>
    public static string ActiveName(IEnumerable<Role> activeRoles)
    {
        var roles = activeRoles.ToList();
        if (roles.Count == 0) return "Stopped";
        return roles.Max() switch
        {
            Role.Promoted => "Promoted",
            Role.Unpromoted => "Unpromoted",
            _ => "Started",
        };
    }

    public static string Name(Role r) => r switch
    {
        Role.Stopped => "Stopped",
        Role.Started => "Started",
        Role.Unpromoted => "Unpromoted",
        Role.Promoted => "Promoted",
        _ => "Unknown",
    };
}
