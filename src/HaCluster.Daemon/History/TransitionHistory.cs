using System.IO.Compression;
using System.Text.Json;
using System.Threading.Channels;
using HaCluster.Core.Api;
using HaCluster.Core.Cib;
using HaCluster.Core.Control;
using HaCluster.Core.Status;
using Microsoft.Extensions.Logging;

namespace HaCluster.Daemon.History;

/// <summary>
/// Every transition this node ran as DC, like Pacemaker's pe-input series: the scheduler's input
/// (state_dir/pe-inputs/pe-input-N.xml.gz: configuration and status, replayable with `hacrm
/// simulate --xml` or `hacrm history show N`), what the transition was to do, and what became of
/// each action. N counts on across restarts; the oldest go past the property
/// <c>pe-input-series-max</c> (default 4000; -1 keeps all, 0 none). Written by one worker, off
/// the controller's path; its queue is bounded (past <see cref="QueueLimit"/> inputs waiting,
/// an input is not kept, and the log says so).
/// </summary>
public sealed class TransitionHistory : IDisposable
{
    public const int QueueLimit = 64;
    public const int DefaultSeriesMax = 4000;
    /// <summary>Records held in memory (and listed) at most, whatever the series keeps on disk (-1 keeps every file).</summary>
    public const int MemoryLimit = 100_000;

    private readonly string directory;
    private readonly ILogger log;
    private readonly object gate = new();
    private readonly List<TransitionRecord> records = new();
    private readonly Dictionary<long, TransitionRecord> byTransition = new();
    private readonly Channel<Func<Task>> work = Channel.CreateBounded<Func<Task>>(new BoundedChannelOptions(QueueLimit) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource stop = new();
    private long lastSequence;
    private int seriesMax = DefaultSeriesMax;
    private int appendedSinceCompaction;

    private string IndexPath => Path.Combine(directory, "history.jsonl");
    public static string InputName(long sequence) => $"pe-input-{sequence}.xml.gz";

    public TransitionHistory(string stateDirectory, ILogger log)
    {
        directory = Path.Combine(stateDirectory, "pe-inputs");
        this.log = log;
        Directory.CreateDirectory(directory);
        Load();
        _ = Task.Run(WorkAsync);
    }

    /// <summary>The property pe-input-series-max of the configuration in force.</summary>
    public void Configure(ClusterConfig config)
    {
        var text = config.Property("pe-input-series-max");
        seriesMax = int.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : DefaultSeriesMax;
    }

    /// <summary>A transition started (on this node, the DC): it gets the next number.</summary>
    public void Started(TransitionStarted started)
    {
        TransitionRecord record;
        lock (gate)
        {
            record = new TransitionRecord { Sequence = ++lastSequence, Transition = started.Id, Started = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
                Summary = started.Graph.SummaryLines().ToList(), Result = "running" };
            records.Add(record);
            byTransition[started.Id] = record;
            Trim();
        }
        Enqueue(() => AppendAsync(record), "the start of transition " + started.Id);
    }

    /// <summary>The scheduler input a transition was computed from: compressed to pe-input-N.xml.gz.</summary>
    public void Input(RecordSchedulerInput input, string dcName)
    {
        if (input.Transition is not { } id || seriesMax == 0) return;
        TransitionRecord? record;
        lock (gate) record = byTransition.GetValueOrDefault(id);
        if (record is null) return;
        Enqueue(async () =>
        {
            var (cfg, status, now, version, _) = input;
            var xml = CibStatusWriter.WriteCib(cfg, status, now, version.AdminEpoch, version.Epoch, version.NumUpdates, dcUuid: dcName).ToString();
            var path = Path.Combine(directory, InputName(record.Sequence));
            await using (var file = File.Create(path + ".tmp"))
            await using (var gz = new GZipStream(file, CompressionLevel.Fastest))
            await using (var writer = new StreamWriter(gz))
                await writer.WriteAsync(xml);
            File.Move(path + ".tmp", path, overwrite: true);
            lock (gate) record.Input = InputName(record.Sequence);
        }, "the input of transition " + id);
    }

    /// <summary>A transition ended: its result and each action's outcome.</summary>
    public void Ended(TransitionEnded ended)
    {
        TransitionRecord? record;
        lock (gate)
        {
            if (!byTransition.Remove(ended.Id, out record)) return;
            record.Result = ended.Aborted ? "aborted" : "complete";
            record.TookMs = (long)ended.Took.TotalMilliseconds;
            record.Ended = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            record.Actions = ended.Outcomes.Select(o => new ActionRecord(o.Action, o.Outcome)).ToList();
        }
        Enqueue(() => AppendAsync(record), "the end of transition " + ended.Id);
    }

    /// <summary>The transitions kept, oldest first (copies: the caller may serialize them at leisure).</summary>
    public IReadOnlyList<TransitionRecord> List()
    {
        lock (gate) return records.Select(r => r with { }).ToList();
    }

    /// <summary>The history as the API serves it (JSON).</summary>
    public string ToJson() => JsonSerializer.Serialize(new HistoryDocument(List()), HistoryJsonContext.Default.HistoryDocument);

    /// <summary>Transition N's scheduler input (CIB XML), or null when it is not kept.</summary>
    public string? ReadInput(long sequence)
    {
        var path = Path.Combine(directory, InputName(sequence));
        if (!File.Exists(path)) return null;
        using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        return new StreamReader(gz).ReadToEnd();
    }

    private void Enqueue(Func<Task> job, string what)
    {
        if (!work.Writer.TryWrite(job)) log.LogWarning("transition history: {Limit} writes waiting; {What} is not kept", QueueLimit, what);
    }

    private async Task WorkAsync()
    {
        try
        {
            await foreach (var job in work.Reader.ReadAllAsync(stop.Token))
            {
                try { await job(); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    log.LogWarning("transition history: {Error}", e.Message);
                }
                catch (Exception e)
                {
                    log.LogError(e, "transition history: {Error}", e.Message);
                }
            }
        }
        catch (OperationCanceledException) { }
    }

    /// <summary>Drops the oldest records (and their inputs) past the series limit.</summary>
    private void Trim()
    {
        if (records.Count > MemoryLimit) records.RemoveRange(0, records.Count - MemoryLimit);
        if (seriesMax < 0) return;
        while (records.Count > Math.Max(seriesMax, 1) || (seriesMax == 0 && records.Count > 0 && records[0].Result != "running"))
        {
            var oldest = records[0];
            records.RemoveAt(0);
            var path = Path.Combine(directory, InputName(oldest.Sequence));
            Enqueue(() => { File.Delete(path); return Task.CompletedTask; }, "the removal of " + path);
        }
    }

    private async Task AppendAsync(TransitionRecord record)
    {
        string line;
        lock (gate) line = JsonSerializer.Serialize(record, HistoryJsonContext.Default.TransitionRecord);
        await File.AppendAllTextAsync(IndexPath, line + "\n");
        // The index holds a line per start and per end: rewritten once it is well past the series.
        if (++appendedSinceCompaction > 2 * Math.Max(seriesMax, 100)) await CompactAsync();
    }

    private async Task CompactAsync()
    {
        appendedSinceCompaction = 0;
        var lines = List().Select(r => JsonSerializer.Serialize(r, HistoryJsonContext.Default.TransitionRecord));
        await File.WriteAllLinesAsync(IndexPath + ".tmp", lines);
        File.Move(IndexPath + ".tmp", IndexPath, overwrite: true);
    }

    /// <summary>Reads the index back after a restart (the last line of a transition wins; a transition left running was cut off by the stop).</summary>
    private void Load()
    {
        if (!File.Exists(IndexPath)) return;
        var bySequence = new SortedDictionary<long, TransitionRecord>();
        foreach (var line in File.ReadLines(IndexPath))
        {
            try
            {
                if (JsonSerializer.Deserialize(line, HistoryJsonContext.Default.TransitionRecord) is { } r) bySequence[r.Sequence] = r;
            }
            catch (JsonException) { } // a line cut short by a crash
        }
        foreach (var r in bySequence.Values)
        {
            if (r.Result == "running") r.Result = "cut off (the daemon stopped)";
            r.Input = File.Exists(Path.Combine(directory, InputName(r.Sequence))) ? InputName(r.Sequence) : null;
            records.Add(r);
        }
        lastSequence = bySequence.Count > 0 ? bySequence.Keys.Max() : 0;
    }

    public void Dispose()
    {
        stop.Cancel();
        work.Writer.TryComplete();
    }
}
