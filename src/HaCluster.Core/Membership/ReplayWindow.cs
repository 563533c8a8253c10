using System.Runtime.CompilerServices;

namespace HaCluster.Core.Membership;

/// <summary>
/// Accepts each (incarnation, sequence) of one sender on one ring at most once, as IPsec does:
/// a newer incarnation resets the window, an older one is a replay, and sequences more than
/// <see cref="Size"/> behind the highest seen, or seen already, are replays. The window is wide
/// (1,024) because a burst of message fragments may arrive reordered; duplicates the network
/// makes are dropped the same way, harmlessly.
/// </summary>
public struct ReplayWindow
{
    public const int Size = 1024;
    private long incarnation;
    private long highest;
    private Bits seen; // bit (s % Size) set: sequence s (within Size of highest) was accepted

    [InlineArray(Size / 64)]
    private struct Bits
    {
        private ulong word;
    }

    public readonly long Incarnation => incarnation;

    public bool Accept(long packetIncarnation, long sequence)
    {
        if (sequence <= 0 || packetIncarnation < incarnation) return false;
        if (packetIncarnation > incarnation)
        {
            incarnation = packetIncarnation;
            highest = 0;
            ((Span<ulong>)seen).Clear();
        }
        if (sequence > highest)
        {
            // Forget the positions the window slides over.
            if (sequence - highest >= Size) ((Span<ulong>)seen).Clear();
            else
                for (var s = highest + 1; s < sequence; s++) Clear(s);
            highest = sequence;
            Set(sequence);
            return true;
        }
        if (highest - sequence >= Size || IsSet(sequence)) return false;
        Set(sequence);
        return true;
    }

    private void Set(long s) => seen[(int)(s % Size / 64)] |= 1UL << (int)(s % 64);
    private void Clear(long s) => seen[(int)(s % Size / 64)] &= ~(1UL << (int)(s % 64));
    private readonly bool IsSet(long s) => (seen[(int)(s % Size / 64)] & (1UL << (int)(s % 64))) != 0;
}
