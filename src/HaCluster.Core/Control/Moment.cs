namespace HaCluster.Core.Control;

/// <summary>
/// The time a controller step happens at: <paramref name="Elapsed"/> on a monotonic clock for every
/// timer (deadlines, recheck, resends: a wall-clock jump must not fire or stall them), and
/// <paramref name="Wall"/> for what the cluster records (the scheduler's "now", history and
/// fencing timestamps, the CIB's last-change).
/// </summary>
public readonly record struct Moment(TimeSpan Elapsed, DateTimeOffset Wall);
