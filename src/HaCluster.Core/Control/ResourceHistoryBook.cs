using HaCluster.Core.Cib;
using HaCluster.Core.Status;

namespace HaCluster.Core.Control;

/// <summary>
/// One node's record of its resources, as Pacemaker's lrm history keeps it: per resource the last
/// non-recurring operation, each recurring monitor and the last failure; and the node's transient
/// attributes, fail counts among them. The DC schedules from these; it never guesses. Pure
/// bookkeeping, shared by the daemon's resource manager (real agents) and the simulator's
/// (modelled agents), so both report exactly alike. Thread-safe.
/// </summary>
public sealed class ResourceHistoryBook(string nodeName)
{
    private readonly object gate = new();
    private readonly Dictionary<string, HistoryDto> histories = new();
    private readonly Dictionary<string, string> attributes = new();
    private int callId;
    private long revision;

    public string NodeName => nodeName;

    /// <summary>The configuration version whose resources have all been probed here.</summary>
    public string? ProbedConfiguration { get; private set; }

    /// <summary>
    /// A probe pass for configuration <paramref name="version"/> ended. Passes can end out of order
    /// (a configuration replaced while its probes ran): an older one never replaces a newer mark,
    /// or the DC would wait forever for this node to probe the configuration in force (simulator, seed 5).
    /// </summary>
    public void MarkProbed(string version)
    {
        lock (gate)
        {
            if (ProbedConfiguration is { } current && CibVersion.TryParse(current, out var mine) && CibVersion.TryParse(version, out var theirs) && theirs < mine) return;
            ProbedConfiguration = version;
            revision++;
        }
    }

    /// <summary>Set on a shutdown: reported to the DC, which moves this node's resources away.</summary>
    public bool ShuttingDown
    {
        get { lock (gate) return shuttingDown; }
        set { lock (gate) { shuttingDown = value; revision++; } }
    }

    private bool shuttingDown;

    public NodeReport Report(long round)
    {
        lock (gate)
            return new NodeReport(nodeName, round, ProbedConfiguration is not null,
                histories.Values.Select(h => h with { Operations = h.Operations.ToList() }).ToList(),
                new Dictionary<string, string>(attributes), ProbedConfiguration, shuttingDown, Revision: revision);
    }

    /// <summary>Whether a resource has any history here (a probe is owed to those that have none).</summary>
    public bool Knows(string historyId)
    {
        lock (gate) return histories.ContainsKey(historyId);
    }

    /// <summary>
    /// Resources whose last operation left them running here: a start, promote, demote or
    /// migrate_from that succeeded, a probe or monitor that found them, or a stop that failed (it
    /// may still run, as Pacemaker assumes: without fencing it stays blocked here). A recurring
    /// monitor newer than the last operation counts: one that found the resource gone says it
    /// does not run (simulator, seed 37111 of a long run: a VM that died after its migration).
    /// </summary>
    public IReadOnlyList<string> ActiveResources()
    {
        lock (gate)
            return Active(histories.Values);
    }

    /// <summary><see cref="ActiveResources"/> of histories as a node reports them.</summary>
    public static IReadOnlyList<string> Active(IEnumerable<HistoryDto> histories) =>
        histories.Where(h => h.Operations.Where(o => o.IntervalMs > 0 || o.Key.EndsWith("_last_0", StringComparison.Ordinal))
                    .MaxBy(o => o.CallId) is { } last &&
                last.Task switch
                {
                    "start" or "promote" or "demote" or "migrate_from" => last.Rc == 0,
                    "monitor" => last.Rc is 0 or 8,
                    "stop" => last.Rc != 0,
                    _ => false,
                })
            .Select(h => h.Id).ToList();

    /// <summary>Resources whose last operation here is a stop that failed (blocked without fencing).</summary>
    public IReadOnlySet<string> FailedStops()
    {
        lock (gate)
            return histories.Values.Where(h => h.Operations.FirstOrDefault(o => o.Key.EndsWith("_last_0", StringComparison.Ordinal)) is { Task: "stop", Rc: not 0 })
                .Select(h => h.Id).ToHashSet();
    }

    /// <summary>
    /// Records one operation's outcome under <paramref name="historyId"/>: a failure also becomes
    /// the resource's last failure and raises its per-operation fail count
    /// (<c>fail-count-RSC#OP_INTERVAL</c>, with <c>last-failure-...</c> at <paramref name="at"/>).
    /// </summary>
    public void Record(AgentSpec agent, string historyId, string task, long intervalMs, int rc, int expected, bool ok, string? reason, string? digest, DateTimeOffset at,
        IReadOnlyDictionary<string, string>? meta = null)
    {
        var now = at.ToUnixTimeSeconds();
        lock (gate)
        {
            revision++;
            if (!histories.TryGetValue(historyId, out var h))
                histories[historyId] = h = new HistoryDto(historyId, agent.Class, agent.Provider, agent.Type, new List<OperationDto>());
            var recurring = task == "monitor" && intervalMs > 0;
            var key = recurring ? $"{historyId}_monitor_{intervalMs}" : $"{historyId}_last_0";
            var migration = task is "migrate_to" or "migrate_from";
            var op = new OperationDto(key, task, intervalMs, rc, expected, ok ? 0 : 4, ++callId, now, reason, digest,
                migration ? meta?.GetValueOrDefault("migrate_source") : null, migration ? meta?.GetValueOrDefault("migrate_target") : null);
            h.Operations.RemoveAll(o => o.Key == key);
            // A stop or demote ends the recurring monitors (the executor cancelled them).
            if (!recurring && task is "stop" or "demote" or "promote" or "start") h.Operations.RemoveAll(o => o.IntervalMs > 0);
            h.Operations.Add(op);
            if (!ok)
            {
                h.Operations.RemoveAll(o => o.Key == $"{historyId}_last_failure_0");
                h.Operations.Add(op with { Key = $"{historyId}_last_failure_0" });
                var failCount = $"fail-count-{BaseId(historyId)}#{task}_{intervalMs}";
                attributes[failCount] = ((int.TryParse(attributes.GetValueOrDefault(failCount), out var c) ? c : 0) + 1).ToString();
                attributes[$"last-failure-{BaseId(historyId)}#{task}_{intervalMs}"] = now.ToString();
            }
        }
    }

    /// <summary>Sets (or, with a null value, deletes) one of this node's transient attributes; true when its value changed.</summary>
    public bool SetAttribute(string name, string? value)
    {
        lock (gate)
        {
            revision++;
            var before = attributes.GetValueOrDefault(name);
            if (value is null) attributes.Remove(name);
            else attributes[name] = value;
            return before != value;
        }
    }

    /// <summary>This node's transient attributes.</summary>
    public IReadOnlyDictionary<string, string> Attributes()
    {
        lock (gate) return new Dictionary<string, string>(attributes);
    }

    /// <summary>
    /// `hacrm resource cleanup`: forgets the resource's history and fail counts here, so the next
    /// probe finds out afresh where it runs and bans from past failures are lifted.
    /// </summary>
    public int Forget(string resource)
    {
        var id = BaseId(resource);
        lock (gate)
        {
            var forgotten = histories.Keys.Where(k => BaseId(k) == id).ToList();
            foreach (var k in forgotten) histories.Remove(k);
            foreach (var a in attributes.Keys.Where(a => a.StartsWith($"fail-count-{id}#", StringComparison.Ordinal) || a.StartsWith($"last-failure-{id}#", StringComparison.Ordinal)).ToList())
                attributes.Remove(a);
            ProbedConfiguration = null;
            revision++;
            return forgotten.Count;
        }
    }

    /// <summary>
    /// The history id: anonymous clone instances are recorded under the primitive's id, as
    /// Pacemaker does, so a probe ("db") and the actions on an instance ("db:0") are one history.
    /// </summary>
    public static string HistoryId(ClusterConfig config, string instance)
    {
        if (!instance.Contains(':')) return instance;
        var clone = config.AllResources().OfType<Clone>().FirstOrDefault(c => c.Child.Primitives().Any(x => x.Id == BaseId(instance)));
        return clone is not null && CibBoolean.IsTrue(clone.MetaAttributes.GetUnconditional("globally-unique")) ? instance : BaseId(instance);
    }

    public static string BaseId(string rsc) => rsc.Split(':')[0];
}
