namespace HaCluster.Simulation;

/// <summary>What a resource is doing on a machine: the ground truth the invariants are checked against.</summary>
public enum ResourceState { Started, Promoted }

/// <summary>
/// One machine of the simulated cluster, apart from its daemon: whether it has power, which
/// resources really run on it (agents are processes of their own: they go on when the daemon
/// crashes or is paused, and stop only when stopped or when the machine loses power), and its
/// wall clock's offset. The daemon on it comes and goes (<see cref="SimulatedNode"/>).
/// </summary>
public sealed class SimulatedMachine
{
    public bool PoweredOn { get; set; } = true;

    /// <summary>Resources running here, by history id (an anonymous clone's instance under its primitive's id).</summary>
    public Dictionary<string, ResourceState> Resources { get; } = new();

    /// <summary>How far this machine's wall clock is from true time (a clock jump moves it).</summary>
    public TimeSpan WallOffset { get; set; }

    /// <summary>Power lost (fenced, or a crash of the whole machine): nothing runs here any more.</summary>
    public void PowerOff()
    {
        PoweredOn = false;
        Resources.Clear();
    }
}
