namespace HaCluster.Simulation;

public enum FaultKind
{
    CrashDaemon, PowerLoss, Pause, Partition, OneWayPartition, FlappingPartition, Loss, Duplicate, DelaySpike,
    ClockJump, ResourceDies, StartFailures, StopHangs, PromoteFailures, FencingFails, CrashDuringCommit,
}

/// <summary>One fault of a schedule: what, on which nodes, from when, for how long.</summary>
public sealed record Fault(TimeSpan At, FaultKind Kind, IReadOnlyList<int> Nodes, TimeSpan Duration, double Amount = 0)
{
    public override string ToString() =>
        $"{Kind} on {(Nodes.Count == 0 ? "the network" : "node" + string.Join(",node", Nodes))} at {At.TotalSeconds:0.000}s for {Duration.TotalSeconds:0.0}s" +
        (Amount != 0 ? $" ({Amount:0.##})" : "");
}

/// <summary>
/// A schedule's faults, drawn from its seed: a few of every kind the issue names, in the fault
/// phase; the client's commits; then everything is healed at <see cref="HealAt"/> and the cluster
/// must converge.
/// </summary>
public sealed record FaultPlan(IReadOnlyList<Fault> Faults, IReadOnlyList<(TimeSpan At, int Node)> Commits, TimeSpan HealAt)
{
    public static readonly TimeSpan FaultsFrom = TimeSpan.FromSeconds(4), FaultsUntil = TimeSpan.FromSeconds(30);

    public static FaultPlan Draw(Random random, int nodes)
    {
        var faults = new List<Fault>();
        var count = random.Next(1, 6);
        var kinds = Enum.GetValues<FaultKind>();
        for (var i = 0; i < count; i++)
        {
            var kind = kinds[random.Next(kinds.Length)];
            var at = FaultsFrom + TimeSpan.FromMilliseconds(random.Next((int)(FaultsUntil - FaultsFrom).TotalMilliseconds));
            var duration = TimeSpan.FromMilliseconds(random.Next(200, 12_000));
            if (at + duration > FaultsUntil) duration = FaultsUntil - at;
            var node = random.Next(1, nodes + 1);
            var fault = kind switch
            {
                FaultKind.Partition or FaultKind.OneWayPartition or FaultKind.FlappingPartition => new Fault(at, kind, Side(random, nodes), duration),
                FaultKind.Loss => new Fault(at, kind, [], duration, 0.05 + random.NextDouble() * 0.45),
                FaultKind.Duplicate => new Fault(at, kind, [], duration, 0.05 + random.NextDouble() * 0.3),
                FaultKind.DelaySpike => new Fault(at, kind, [], duration, random.Next(50, 900)),
                FaultKind.ClockJump => new Fault(at, kind, [node], duration, random.Next(2) == 0 ? -3600 : 3600),
                FaultKind.StartFailures or FaultKind.StopHangs or FaultKind.PromoteFailures or FaultKind.FencingFails =>
                    new Fault(at, kind, [], duration, 0.1 + random.NextDouble() * 0.4),
                FaultKind.Pause => new Fault(at, kind, [node], TimeSpan.FromMilliseconds(random.Next(100, 4000))),
                _ => new Fault(at, kind, [node], duration),
            };
            faults.Add(fault);
        }
        var commits = new List<(TimeSpan, int)>();
        var commitCount = random.Next(0, 4);
        for (var i = 0; i < commitCount; i++)
            commits.Add((TimeSpan.FromMilliseconds(random.Next(3000, (int)FaultsUntil.TotalMilliseconds + 2000)), random.Next(1, nodes + 1)));
        // Operators commit during partitions too: once the membership has noticed, through a node
        // on either side.
        foreach (var p in faults.Where(f => f.Kind is FaultKind.Partition or FaultKind.OneWayPartition && f.Duration > TimeSpan.FromSeconds(1.5)))
        {
            var inside = p.Nodes[random.Next(p.Nodes.Count)];
            var outside = Enumerable.Range(1, nodes).Where(n => !p.Nodes.Contains(n)).ElementAt(random.Next(nodes - p.Nodes.Count));
            foreach (var node in new[] { inside, outside })
                commits.Add((p.At + TimeSpan.FromMilliseconds(1000 + random.Next((int)(p.Duration.TotalMilliseconds - 1000))), node));
        }
        return new FaultPlan(faults.OrderBy(f => f.At).ToList(), commits.OrderBy(c => c.Item1).ToList(), FaultsUntil + TimeSpan.FromSeconds(2));
    }

    /// <summary>One side of a partition: a minority, sometimes a single node, sometimes half.</summary>
    private static IReadOnlyList<int> Side(Random random, int nodes)
    {
        var size = random.Next(1, Math.Max(2, (nodes + 1) / 2 + 1));
        return Enumerable.Range(1, nodes).OrderBy(_ => random.Next()).Take(Math.Min(size, nodes - 1)).OrderBy(n => n).ToList();
    }
}
