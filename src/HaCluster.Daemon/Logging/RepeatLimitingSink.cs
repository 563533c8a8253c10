using Serilog.Core;
using Serilog.Events;

namespace HaCluster.Daemon.Logging;

/// <summary>
/// Keeps a message that repeats from flooding the log: the same message (level and text) is
/// written at most <see cref="Burst"/> times per <see cref="Window"/>; the next one written after
/// that says how many were held back (" (N more like it in the last 10s)", in the
/// <see cref="Property"/> property the outputs print). Tracks at most <see cref="MaxTracked"/>
/// distinct messages (a bounded table; the oldest windows are forgotten first).
/// </summary>
public sealed class RepeatLimitingSink(ILogEventSink inner, TimeSpan? window = null, int burst = 5) : ILogEventSink, IDisposable
{
    public const string Property = "Repeated";
    public const int MaxTracked = 1024;
    public int Burst { get; } = burst;
    public TimeSpan Window { get; } = window ?? TimeSpan.FromSeconds(10);

    private readonly Dictionary<(LogEventLevel, string), Entry> seen = new();
    private readonly object gate = new();
    private static readonly LogEventProperty Nothing = new(Property, new ScalarValue(""));

    private sealed class Entry
    {
        public DateTimeOffset Start;
        public int Written;
        public int Held;
    }

    public void Emit(LogEvent e)
    {
        var key = (e.Level, e.RenderMessage());
        string note = "";
        lock (gate)
        {
            if (!seen.TryGetValue(key, out var entry) || e.Timestamp - entry.Start >= Window)
            {
                if (entry is { Held: > 0 }) note = $" ({entry.Held} more like it in the last {Window.TotalSeconds:0}s)";
                if (entry is null && seen.Count >= MaxTracked) Forget(e.Timestamp);
                seen[key] = entry = new Entry { Start = e.Timestamp };
            }
            if (entry.Written >= Burst)
            {
                entry.Held++;
                return;
            }
            entry.Written++;
        }
        e.AddOrUpdateProperty(note.Length == 0 ? Nothing : new LogEventProperty(Property, new ScalarValue(note)));
        inner.Emit(e);
    }

    /// <summary>Makes room: drops the entries whose window ended (all of them if none has).</summary>
    private void Forget(DateTimeOffset now)
    {
        foreach (var (key, entry) in seen.ToList())
            if (now - entry.Start >= Window) seen.Remove(key);
        if (seen.Count >= MaxTracked) seen.Clear();
    }

    public void Dispose() => (inner as IDisposable)?.Dispose();
}
