using System.Diagnostics;

namespace HaCluster.Daemon.LocalApi;

/// <summary>
/// At most one log line per key per interval: the first occurrence is logged at once, the
/// ones after it within the interval are counted and the count goes with the next line logged.
/// Bounded: past <see cref="MaxKeys"/> keys, the oldest are forgotten.
/// </summary>
public sealed class LogRateLimiter(TimeSpan interval)
{
    public const int MaxKeys = 256;
    private readonly Dictionary<string, (TimeSpan LastLogged, long Suppressed)> keys = new();
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly Lock gate = new();

    /// <summary>True when a line for <paramref name="key"/> may be logged now; <paramref name="suppressed"/> counts those held back since the last.</summary>
    public bool ShouldLog(string key, out long suppressed) => ShouldLog(key, clock.Elapsed, out suppressed);

    public bool ShouldLog(string key, TimeSpan now, out long suppressed)
    {
        lock (gate)
        {
            suppressed = 0;
            if (keys.TryGetValue(key, out var entry) && now - entry.LastLogged < interval)
            {
                keys[key] = entry with { Suppressed = entry.Suppressed + 1 };
                return false;
            }
            if (keys.Count >= MaxKeys && !keys.ContainsKey(key))
                keys.Remove(keys.MinBy(kv => kv.Value.LastLogged).Key);
            suppressed = entry.Suppressed;
            keys[key] = (now, 0);
            return true;
        }
    }
}
