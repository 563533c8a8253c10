namespace HaCluster.Core.Membership;

/// <summary>
/// A node's incarnation: a number that grows with every start, which peers use to tell a restart
/// from a replay (a packet of an incarnation older than one seen is dropped). Taken from the
/// wall clock (microseconds) but never below the last one used plus one, which the node keeps in
/// its state directory: a node restarted with its clock set back (by an hour, say) would otherwise
/// start below its own last incarnation, and every peer would drop its packets as replays and
/// lock it out (found by the simulator; issue 22).
/// </summary>
public static class Incarnation
{
    public static long Next(DateTimeOffset wall, long? lastUsed)
    {
        var fromClock = wall.ToUnixTimeMilliseconds() * 1000;
        return lastUsed is { } last && last >= fromClock ? last + 1 : fromClock;
    }
}
