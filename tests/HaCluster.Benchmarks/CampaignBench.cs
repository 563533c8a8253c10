using HaCluster.Cluster.Tests;

namespace HaCluster.Benchmarks;

/// <summary>
/// The real-process fault campaign of issue 22 (<see cref="FaultCampaign"/>): RUNS seeded runs of
/// random faults on one three-node cluster in network namespaces, each checked from outside; a
/// line per run and a summary table. Exit status 1 when any run found a resource active twice, an
/// acknowledged commit lost, or a cluster that did not converge.
/// </summary>
public static class CampaignBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var runs = args.Length > 0 ? int.Parse(args[0]) : 100;
        var from = args.Length > 1 ? int.Parse(args[1]) : 1;
        using var campaign = new FaultCampaign();
        await campaign.StartAsync();
        var results = new List<CampaignRun>();
        for (var seed = from; seed < from + runs; seed++)
        {
            var run = await campaign.RunAsync(seed);
            results.Add(run);
            Console.WriteLine(run);
        }
        var converged = results.Where(r => r.Convergence is not null).Select(r => r.Convergence!.Value.TotalSeconds).Order().ToList();
        double Percentile(double p) => converged.Count == 0 ? double.NaN : converged[(int)Math.Min(converged.Count - 1, Math.Floor(p * converged.Count))];
        Console.WriteLine();
        Console.WriteLine("| runs | faults | by kind | fencings | commits acknowledged / tried | lost | runs with a resource active twice | not converged | convergence after heal: median / p95 / max |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
        var kinds = string.Join(", ", FaultCampaign.Kinds.Select(k => $"{k} {results.Sum(r => r.Faults.Count(f => f.Kind == k))}"));
        Console.WriteLine($"| {results.Count} | {results.Sum(r => r.Faults.Count)} | {kinds} | {results.Sum(r => r.Fenced.Count)} | {results.Sum(r => r.Acknowledged.Count)} / {results.Sum(r => r.CommitsTried)} | " +
            $"{results.Sum(r => r.Lost.Count)} | {results.Count(r => r.Overlaps.Count > 0)} | {results.Count(r => r.Convergence is null)} | " +
            $"{Percentile(0.5):0.0} / {Percentile(0.95):0.0} / {(converged.Count > 0 ? converged[^1] : double.NaN):0.0} s |");
        return results.All(r => r.Clean) ? 0 : 1;
    }
}
