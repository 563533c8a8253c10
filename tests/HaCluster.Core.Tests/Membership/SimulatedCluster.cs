using System.Net;
using HaCluster.Core.Membership;

namespace HaCluster.Core.Tests.Membership;

/// <summary>
/// A whole cluster of membership engines in one process: a simulated clock and a seeded network
/// that can drop, delay, duplicate and reorder packets, cut links per ring (partitions) and heal.
/// </summary>
internal sealed class SimulatedCluster
{
    public static readonly ClusterKey Key = ClusterKey.FromBytes(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

    public TimeSpan Now { get; private set; }
    public ClusterBootstrap Config { get; }
    public Dictionary<int, MembershipEngine> Engines { get; } = new();
    public List<(int Node, MembershipEvent Event)> Events { get; } = new();
    public Random Random { get; }

    /// <summary>Loss probability per ring (0..1).</summary>
    public double[] Loss { get; }
    public double Duplicate { get; set; }
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromMilliseconds(5);
    /// <summary>(ring, from, to) links that carry nothing.</summary>
    public HashSet<(int Ring, int From, int To)> Cut { get; } = new();
    public HashSet<int> Crashed { get; } = new();
    public long Delivered { get; private set; }
    /// <summary>When set, every datagram sent is recorded here too (a capture to replay later).</summary>
    public List<(int From, int Ring, byte[] Datagram)>? Capture { get; set; }
    public long BytesSent { get; private set; }

    private readonly PriorityQueue<(int Ring, int To, byte[] Datagram), TimeSpan> inFlight = new();
    private long incarnationClock = 1_000_000;

    public SimulatedCluster(int nodes, int rings, int seed, MembershipTimers? timers = null)
    {
        Random = new Random(seed);
        Loss = new double[rings];
        Config = new ClusterBootstrap
        {
            ClusterName = "sim",
            Nodes = Enumerable.Range(1, nodes).Select(i => new NodeEntry($"node{i}", i,
                Enumerable.Range(0, rings).Select(r => IPAddress.Parse($"10.{r}.0.{i}")).ToList())).ToList(),
            Rings = Enumerable.Range(0, rings).Select(r => new RingConfig(RingKind.Unicast, 5405 + r)).ToList(),
            Timers = timers ?? MembershipTimers.Default,
            Quorum = new QuorumConfig(nodes, nodes == 2, nodes == 2),
        };
        foreach (var n in Config.Nodes) Start(n.Id);
    }

    /// <summary>Starts (or restarts, with a new incarnation) a node.</summary>
    public void Start(int id)
    {
        Crashed.Remove(id);
        Engines[id] = new MembershipEngine(Config, id, Key, incarnationClock += 1000 + Random.Next(1000), Now);
    }

    public void Crash(int id) => Crashed.Add(id);

    /// <summary>Nodes not running for now (starved of CPU): they neither tick nor read; packets to them wait.</summary>
    public HashSet<int> Stalled { get; } = new();
    private readonly List<(int Ring, int To, byte[] Datagram)> held = new();

    /// <summary>A stalled node runs again and finds the packets that arrived meanwhile.</summary>
    public void Resume(int id)
    {
        Stalled.Remove(id);
        foreach (var p in held.Where(p => p.To == id).ToList())
        {
            inFlight.Enqueue(p, Now);
            held.Remove(p);
        }
    }

    /// <summary>Cuts every ring between two groups of nodes.</summary>
    public void Partition(IEnumerable<int> a, IEnumerable<int> b)
    {
        foreach (var x in a)
            foreach (var y in b)
                for (var r = 0; r < Config.Rings.Count; r++) { Cut.Add((r, x, y)); Cut.Add((r, y, x)); }
    }

    public void Heal()
    {
        Cut.Clear();
        Array.Clear(Loss);
        Duplicate = 0;
    }

    /// <summary>Injects a raw datagram at a node, as if received on a ring.</summary>
    public void Inject(int to, int ring, byte[] datagram) => inFlight.Enqueue((ring, to, datagram), Now);

    public void Run(TimeSpan duration, TimeSpan? step = null)
    {
        var tick = step ?? TimeSpan.FromMilliseconds(10);
        var end = Now + duration;
        while (Now < end)
        {
            Now += tick;
            while (inFlight.TryPeek(out var p, out var due) && due <= Now)
            {
                inFlight.Dequeue();
                if (Crashed.Contains(p.To)) continue;
                if (Stalled.Contains(p.To))
                {
                    held.Add(p);
                    continue;
                }
                Engines[p.To].Receive(due, p.Ring, p.Datagram, out _);
                Delivered++;
            }
            foreach (var (id, engine) in Engines)
            {
                if (Crashed.Contains(id) || Stalled.Contains(id)) continue;
                engine.Tick(Now, new Sink(this, id));
                foreach (var e in engine.TakeEvents()) Events.Add((id, e));
            }
        }
    }

    private sealed class Sink(SimulatedCluster sim, int from) : IPacketSink
    {
        public void Send(int ring, int? destination, ReadOnlySpan<byte> datagram)
        {
            sim.Capture?.Add((from, ring, datagram.ToArray()));
            foreach (var to in sim.Engines.Keys)
            {
                if (to == from || (destination is { } d && d != to)) continue;
                sim.BytesSent += datagram.Length;
                if (sim.Cut.Contains((ring, from, to)) || sim.Random.NextDouble() < sim.Loss[ring]) continue;
                var copies = sim.Random.NextDouble() < sim.Duplicate ? 2 : 1;
                for (var c = 0; c < copies; c++)
                {
                    var delay = TimeSpan.FromTicks((long)(sim.Random.NextDouble() * sim.MaxDelay.Ticks));
                    sim.inFlight.Enqueue((ring, to, datagram.ToArray()), sim.Now + delay);
                }
            }
        }
    }

    /// <summary>The running nodes' views.</summary>
    public IEnumerable<(int Id, MembershipView View)> Views() =>
        Engines.Where(e => !Crashed.Contains(e.Key)).Select(e => (e.Key, e.Value.View));
}
