namespace HaCluster.Core.Membership;

/// <summary>
/// Dropped packets, summed per source for the log: the first drop from a source is reported at
/// once, later ones at most once per <see cref="Interval"/> per source, as one line with a count
/// per reason. A flood of forged packets (or 1,000 of anything) then costs one line a minute, and
/// an operator still learns at once that something sends wrong-key traffic, and from where.
/// The table is bounded: past <see cref="MaxSources"/> sources, the rest are summed as one.
/// </summary>
public sealed class DropSummaries
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(60);
    public const int MaxSources = 64;
    private const string OtherSources = "other sources";

    private readonly Dictionary<string, Source> sources = new();

    private sealed class Source
    {
        public readonly long[] Counts = new long[Enum.GetValues<DropReason>().Length];
        public TimeSpan? LastReported;
        public bool Pending;
    }

    /// <summary>Counts one drop from <paramref name="source"/> (an address, or a node a packet claims to be).</summary>
    public void Count(string source, DropReason reason)
    {
        if (!sources.TryGetValue(source, out var s))
        {
            if (sources.Count >= MaxSources) source = OtherSources;
            if (!sources.TryGetValue(source, out s)) sources[source] = s = new Source();
        }
        s.Counts[(int)reason]++;
        if (!s.Pending) pending++;
        s.Pending = true;
    }

    /// <summary>True when some source has drops not yet reported.</summary>
    public bool AnyPending => pending > 0;
    private int pending;

    /// <summary>The lines due at <paramref name="now"/>, one per source; their counts start again from zero.</summary>
    public IEnumerable<string> TakeDue(TimeSpan now)
    {
        foreach (var (name, s) in sources)
        {
            if (!s.Pending || (s.LastReported is { } last && now - last < Interval)) continue;
            var parts = Enum.GetValues<DropReason>().Where(r => s.Counts[(int)r] > 0).Select(r => $"{s.Counts[(int)r]} {Describe(r)}");
            var total = s.Counts.Sum();
            var since = s.LastReported is null ? "" : $" in the last {(now - s.LastReported.Value).TotalSeconds:0} s";
            yield return $"dropped {total} packet(s) from {name}{since}: {string.Join(", ", parts)}";
            Array.Clear(s.Counts);
            s.Pending = false;
            pending--;
            s.LastReported = now;
        }
    }

    /// <summary>A drop reason in words, for the log and the status.</summary>
    public static string Describe(DropReason reason) => reason switch
    {
        DropReason.Truncated => "too short",
        DropReason.BadMagic => "not a HaCluster packet",
        DropReason.BadVersion => "of another protocol version",
        DropReason.OtherCluster => "of another cluster",
        DropReason.BadLength => "with a wrong length",
        DropReason.Forged => "failing authentication (wrong key or forged)",
        DropReason.UnknownNode => "from a node id not in the configuration",
        DropReason.WrongRing => "on the wrong ring",
        DropReason.Replayed => "replayed or duplicated",
        DropReason.Malformed => "malformed",
        DropReason.FromSelf => "claiming to be this node",
        DropReason.WrongAddress => "from an address not the sender's",
        DropReason.Unconfirmed => "not yet confirmed fresh (join handshake)",
        _ => reason.ToString(),
    };
}
