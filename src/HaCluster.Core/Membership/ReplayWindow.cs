namespace HaCluster.Core.Membership;

/// <summary>
/// Accepts each (incarnation, sequence) of one sender on one ring at most once, as IPsec does:
/// a newer incarnation resets the window, an older one is a replay, and sequences more than 64
/// behind the highest seen, or seen already, are replays. Duplicates the network makes are
/// dropped the same way, harmlessly.
/// </summary>
public struct ReplayWindow
{
    private const int Size = 64;
    private long incarnation;
    private long highest;
    private ulong seen; // bit i: highest - i was accepted

    public readonly long Incarnation => incarnation;

    public bool Accept(long packetIncarnation, long sequence)
    {
        if (sequence <= 0) return false;
        if (packetIncarnation < incarnation) return false;
        if (packetIncarnation > incarnation)
        {
            incarnation = packetIncarnation;
            highest = sequence;
            seen = 1;
            return true;
        }
        if (sequence > highest)
        {
            var shift = sequence - highest;
            seen = shift >= Size ? 1 : (seen << (int)shift) | 1;
            highest = sequence;
            return true;
        }
        var back = highest - sequence;
        if (back >= Size) return false;
        var bit = 1UL << (int)back;
        if ((seen & bit) != 0) return false;
        seen |= bit;
        return true;
    }
}
