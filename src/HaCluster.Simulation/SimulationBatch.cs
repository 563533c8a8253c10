namespace HaCluster.Simulation;

/// <summary>
/// Runs a range of seeds, in parallel (each schedule is independent and deterministic), and
/// hands results back in seed order. A crash of the controller or of the simulator is reported
/// like a violation (invariant "no crash").
/// </summary>
public static class SimulationBatch
{
    /// <param name="stopWhen">Stop once a result satisfies it (results after that seed may be missing).</param>
    public static IReadOnlyList<SimulationResult> Run(int from, int count, int? nodes = null, string? mutant = null, int? jobs = null,
        Func<SimulationResult, bool>? stopWhen = null, Action<SimulationResult>? inOrder = null, bool watchdog = false)
    {
        var results = new SimulationResult?[count];
        var printed = 0;
        var next = -1;
        var gate = new object();
        var stop = false;
        // Workers take seeds in order (not ranges), so the seeds run are always a prefix but for
        // the last few in flight: "caught at seed S" means the smallest such seed.
        void Work()
        {
            while (!Volatile.Read(ref stop))
            {
                var index = Interlocked.Increment(ref next);
                if (index >= count) return;
                var result = RunOne(from + index, nodes, mutant, watchdog: watchdog);
                // A clean schedule's story is not kept: a long run holds every result.
                if (result.Violation is null) result = result with { Trace = [] };
                lock (gate)
                {
                    results[index] = result;
                    if (stopWhen?.Invoke(result) == true) stop = true;
                    while (printed < count && results[printed] is { } r)
                    {
                        printed++;
                        inOrder?.Invoke(r);
                    }
                }
            }
        }
        var workers = Enumerable.Range(0, jobs ?? Environment.ProcessorCount).Select(_ => new Thread(Work) { IsBackground = true }).ToList();
        foreach (var w in workers) w.Start();
        foreach (var w in workers) w.Join();
        return results.Where(r => r is not null).Select(r => r!).ToList();
    }

    public static SimulationResult RunOne(int seed, int? nodes = null, string? mutant = null, bool debug = false, bool watchdog = false)
    {
        try
        {
            return new Simulation(new SimulationOptions(seed, nodes, mutant, debug, watchdog)).Run();
        }
        catch (Exception e)
        {
            return new SimulationResult(seed, nodes ?? 0, "?", false, new Violation("no crash", e.ToString(), TimeSpan.Zero), TimeSpan.Zero, null, 0, [],
                new FaultPlan([], [], TimeSpan.Zero));
        }
    }
}
