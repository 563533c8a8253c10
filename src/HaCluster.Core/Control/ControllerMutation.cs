namespace HaCluster.Core.Control;

/// <summary>
/// Deliberate bugs the whole-cluster simulator can switch on (internal: production code cannot),
/// each breaking one safety rule the simulator's invariants guard. A mutant that the simulator
/// does not catch shows a checker that cannot fail (see docs/reliability.md).
/// </summary>
[Flags]
internal enum ControllerMutation
{
    None = 0,
    /// <summary>The transition engine treats a stop as done as soon as it is sent: what is ordered after it starts at once.</summary>
    StartBeforeStopConfirmed = 1,
    /// <summary>Commits are accepted without quorum.</summary>
    CommitWithoutQuorum = 2,
    /// <summary>A node that was once DC keeps acting as DC after its view changes (two DCs after a heal).</summary>
    StickyDc = 4,
    /// <summary>The DC reads every promotable clone's promoted-max as 2: it promotes a second instance.</summary>
    PromotedMaxMisread = 8,
    /// <summary>Watchdog fencing without its self-fencing: a node cut off with a resource it cannot stop keeps it (checked with watchdog fencing on).</summary>
    NoSelfFence = 16,
}
