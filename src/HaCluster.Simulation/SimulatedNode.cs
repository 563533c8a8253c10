namespace HaCluster.Simulation;

/// <summary>
/// One node of the simulated cluster: its machine (power, the resources really running, its
/// clock), its disk (survives restarts) and the daemon running on it now, if any. A crash
/// replaces the daemon and keeps the machine; fencing powers the machine off.
/// </summary>
internal sealed class SimulatedNode(int id, string name, SimulatedDisk disk)
{
    public int Id { get; } = id;
    public string Name { get; } = name;
    public SimulatedMachine Machine { get; } = new();
    public SimulatedDisk Disk { get; } = disk;
    public SimulatedDaemon? Daemon { get; set; }

    /// <summary>Bumped at every loss of power: agent processes of an earlier boot do nothing any more.</summary>
    public int Boot { get; set; }

    /// <summary>
    /// When the daemon last fed the machine's hardware watchdog (watchdog fencing only; null:
    /// not armed, as after a power-on before the daemon opens the device).
    /// </summary>
    public TimeSpan? WatchdogFed { get; set; }

    /// <summary>The daemon runs and is not paused.</summary>
    public bool Running => Daemon is { Alive: true, Paused: false };
}
