using System.Globalization;

namespace HaCluster.Cluster.Tests;

// Also compiled into HaCluster.Benchmarks (linked), whose fault campaign uses it.

/// <summary>
/// An observer outside the cluster (issue 22's fault campaign): every resource agent and the fence
/// agent are wrapped so that each start, stop, promote, demote, probe, monitor and fencing is
/// appended, with the wall-clock time it began and ended, to one log all namespaces share. From
/// that log alone, never from what the daemons say, it finds the moments a resource was active on
/// two nodes at once (or promoted on two).
/// </summary>
internal sealed class ActivityObserver
{
    /// <summary>The real agents the wrappers run, by provider and type.</summary>
    public static readonly (string Provider, string Type)[] Agents = [("heartbeat", "IPaddr2"), ("heartbeat", "Dummy"), ("pacemaker", "Stateful")];

    public string LogPath { get; }

    /// <summary>The OCF root to give the daemons: the wrappers, with the real library beside them.</summary>
    public string OcfRoot { get; }

    /// <param name="dir">Where the wrappers and the log go.</param>
    /// <param name="nsPrefix">Namespaces are nsPrefix + node name (the wrapper finds its node from its namespace).</param>
    public ActivityObserver(string dir, string nsPrefix)
    {
        LogPath = Path.Combine(dir, "observer.log");
        File.WriteAllText(LogPath, "");
        OcfRoot = Path.Combine(dir, "ocf");
        Directory.CreateDirectory(OcfRoot);
        File.CreateSymbolicLink(Path.Combine(OcfRoot, "lib"), "/usr/lib/ocf/lib");
        foreach (var (provider, type) in Agents)
        {
            var path = Path.Combine(Directory.CreateDirectory(Path.Combine(OcfRoot, "resource.d", provider)).FullName, type);
            File.WriteAllText(path, AgentWrapper($"/usr/lib/ocf/resource.d/{provider}/{type}", nsPrefix));
            File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
        }
    }

    /// <summary>
    /// An OCF agent that runs the real one and logs "BEGIN END NODE RESOURCE ACTION INTERVAL RC".
    /// </summary>
    private string AgentWrapper(string real, string nsPrefix) => $$"""
        #!/bin/sh
        now() { date +%s.%N; }
        begin=$(now)
        OCF_ROOT=/usr/lib/ocf; export OCF_ROOT
        {{real}} "$@"
        rc=$?
        case "$1" in
            start|stop|promote|demote|monitor|migrate_to|migrate_from)
                node=$(ip netns identify $$ 2>/dev/null); node=${node#{{nsPrefix}}}
                echo "$begin $(now) ${node:-?} $OCF_RESOURCE_INSTANCE $1 ${OCF_RESKEY_CRM_meta_interval:-0} $rc" >> {{LogPath}} ;;
        esac
        exit $rc

        """;

    /// <summary>
    /// Wraps the fence agent at <paramref name="path"/> (it moves to PATH.real): each fencing is
    /// logged as "BEGIN END - VICTIM fence-ACTION 0 RC".
    /// </summary>
    public void WrapFenceAgent(string path)
    {
        File.Move(path, path + ".real");
        File.WriteAllText(path, $$"""
            #!/bin/sh
            now() { date +%s.%N; }
            begin=$(now)
            input=$(cat)
            printf '%s\n' "$input" | {{path}}.real "$@"
            rc=$?
            action=$(printf '%s\n' "$input" | sed -n 's/^\(action\|option\)=//p' | tail -1)
            victim=$(printf '%s\n' "$input" | sed -n 's/^\(port\|plug\|nodename\)=//p' | head -1)
            case "$action" in
                off|reboot) echo "$begin $(now) - $victim fence-$action 0 $rc" >> {{LogPath}} ;;
            esac
            exit $rc

            """);
        File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
    }

    /// <summary>Notes what the campaign itself did to a node's resources (a power cycle clears them), in the log's form.</summary>
    public void Note(string node, string what)
    {
        var now = Now().ToString("0.000000000", CultureInfo.InvariantCulture);
        File.AppendAllText(LogPath, $"{now} {now} - {node} {what} 0 0\n");
    }

    public static double Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;

    /// <summary>One line of the log.</summary>
    public sealed record Entry(double Begin, double End, string Node, string Resource, string Action, long Interval, int Rc);

    public IReadOnlyList<Entry> Read() => Parse(File.ReadAllLines(LogPath));

    public static IReadOnlyList<Entry> Parse(IEnumerable<string> lines) => lines
        .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        .Where(f => f.Length == 7)
        .Select(f => new Entry(double.Parse(f[0], CultureInfo.InvariantCulture), double.Parse(f[1], CultureInfo.InvariantCulture), f[2], f[3], f[4],
            long.TryParse(f[5], out var i) ? i : 0, int.TryParse(f[6], out var rc) ? rc : 1))
        .ToList();

    /// <summary>A resource active (or promoted) on two nodes at once, from <see cref="From"/> to <see cref="To"/> (wall-clock seconds).</summary>
    public sealed record Overlap(string Resource, string Role, string[] Nodes, double From, double To)
    {
        public override string ToString() => $"{Resource} {Role} on {string.Join(" and ", Nodes)} for {(To - From) * 1000:0} ms from {DateTimeOffset.FromUnixTimeMilliseconds((long)(From * 1000)):HH:mm:ss.fff}";
    }

    /// <summary>
    /// Replays the log: a resource counts as active on a node from the moment a start (or
    /// migrate_from) that succeeded <em>began</em>, or a probe found it, until a stop that succeeded
    /// <em>ended</em>, a monitor found it gone, or its node was fenced or power-cycled (the end of
    /// that); promoted likewise between promote and demote or stop. Erring on the side of
    /// activity, it finds every overlap a client could have seen, and perhaps a little more.
    /// <paramref name="singles"/> are the resources that may run on one node only (clone
    /// instances may run on several, but be promoted on one).
    /// </summary>
    public static IReadOnlyList<Overlap> Overlaps(IReadOnlyList<Entry> entries, IReadOnlySet<string> singles)
    {
        // Events at a time: +1 active from then, -1 no longer.
        var changes = new List<(double At, string Node, string Resource, string Role, bool Active)>();
        foreach (var e in entries)
        {
            var resource = e.Resource.Split(':')[0];
            switch (e.Action)
            {
                case "start" or "migrate_from" when e.Rc == 0:
                    changes.Add((e.Begin, e.Node, resource, "active", true));
                    break;
                case "stop" when e.Rc == 0:
                    changes.Add((e.End, e.Node, resource, "active", false));
                    changes.Add((e.End, e.Node, resource, "promoted", false));
                    break;
                case "promote" when e.Rc == 0:
                    changes.Add((e.Begin, e.Node, resource, "promoted", true));
                    break;
                case "demote" when e.Rc == 0:
                    changes.Add((e.End, e.Node, resource, "promoted", false));
                    break;
                case "monitor" when e.Rc == 7:
                    changes.Add((e.End, e.Node, resource, "active", false));
                    changes.Add((e.End, e.Node, resource, "promoted", false));
                    break;
                case "monitor" when e.Interval == 0 && e.Rc is 0 or 8:
                    changes.Add((e.Begin, e.Node, resource, "active", true));
                    if (e.Rc == 8) changes.Add((e.Begin, e.Node, resource, "promoted", true));
                    break;
                case "fence-off" or "fence-reboot" when e.Rc == 0:
                case "power-cycle":
                    // e.Resource is the victim: everything on it ends.
                    changes.Add((e.End, e.Resource, "*", "*", false));
                    break;
            }
        }
        var state = new Dictionary<(string Resource, string Role), HashSet<string>>();
        var open = new Dictionary<(string Resource, string Role), (double From, string[] Nodes)>();
        var overlaps = new List<Overlap>();
        // Ends before beginnings at the same instant: a stop that ended as a start began is no overlap.
        foreach (var c in changes.OrderBy(c => c.At).ThenBy(c => c.Active))
        {
            var keys = c.Resource == "*" ? state.Keys.ToList() : [(c.Resource, c.Role)];
            foreach (var key in keys)
            {
                if (!state.TryGetValue(key, out var nodes)) state[key] = nodes = new HashSet<string>();
                if (c.Active) nodes.Add(c.Node);
                else nodes.Remove(c.Node);
                var limit = key.Role == "promoted" || singles.Contains(key.Resource) ? 1 : int.MaxValue;
                if (nodes.Count > limit && !open.ContainsKey(key)) open[key] = (c.At, nodes.Order().ToArray());
                else if (nodes.Count <= limit && open.Remove(key, out var o)) overlaps.Add(new Overlap(key.Resource, key.Role, o.Nodes, o.From, c.At));
            }
        }
        foreach (var (key, o) in open) overlaps.Add(new Overlap(key.Resource, key.Role, o.Nodes, o.From, double.PositiveInfinity));
        return overlaps;
    }
}
