namespace HaCluster.Simulation;

/// <summary>
/// The simulated network between nodes: every datagram gets a delay (base latency plus jitter,
/// which reorders), may be lost or duplicated, and is dropped on a cut link. Links are cut per
/// direction (a one-way partition cuts one direction only). All randomness comes from the
/// simulation's seeded generator, so a schedule replays exactly.
/// </summary>
public sealed class SimulatedNetwork(Random random, int rings)
{
    public int Rings => rings;

    /// <summary>
    /// Directed links (from, to) that carry nothing, on every ring, with how many partitions cut
    /// each (partitions may overlap: one ending must not reconnect what another still cuts).
    /// </summary>
    private readonly Dictionary<(int From, int To), int> cuts = new();

    public bool IsCut(int from, int to) => cuts.ContainsKey((from, to));

    public double Loss { get; set; }
    public double Duplicate { get; set; }
    public TimeSpan Latency { get; set; } = TimeSpan.FromMilliseconds(0.2);
    public TimeSpan Jitter { get; set; } = TimeSpan.FromMilliseconds(0.5);
    /// <summary>While set, some datagrams take this much longer (a delay spike).</summary>
    public TimeSpan Spike { get; set; }

    /// <summary>The datagram's delivery delays: none when cut or lost, two when duplicated.</summary>
    public IEnumerable<TimeSpan> Deliveries(int from, int to)
    {
        if (IsCut(from, to)) yield break;
        if (Loss > 0 && random.NextDouble() < Loss) yield break;
        var copies = Duplicate > 0 && random.NextDouble() < Duplicate ? 2 : 1;
        for (var c = 0; c < copies; c++)
        {
            var delay = Latency + TimeSpan.FromTicks((long)(random.NextDouble() * Jitter.Ticks));
            if (Spike > TimeSpan.Zero && random.NextDouble() < 0.3) delay += TimeSpan.FromTicks((long)(random.NextDouble() * Spike.Ticks));
            yield return delay;
        }
    }

    /// <summary>Both directions between <paramref name="a"/> and <paramref name="b"/> work.</summary>
    public bool Connected(int a, int b) => !IsCut(a, b) && !IsCut(b, a);

    /// <summary>Cuts <paramref name="side"/> from the rest (one way: only what <paramref name="side"/> sends), or takes such a cut back.</summary>
    public void Partition(IReadOnlyCollection<int> side, IEnumerable<int> all, bool oneWay, bool undo = false)
    {
        foreach (var x in side)
            foreach (var y in all.Where(y => !side.Contains(y)))
            {
                Change((x, y), undo);
                if (!oneWay) Change((y, x), undo);
            }
    }

    private void Change((int, int) link, bool undo)
    {
        var n = cuts.GetValueOrDefault(link) + (undo ? -1 : 1);
        if (n > 0) cuts[link] = n;
        else cuts.Remove(link);
    }

    public void Heal()
    {
        cuts.Clear();
        Loss = 0;
        Duplicate = 0;
        Spike = TimeSpan.Zero;
    }

}
