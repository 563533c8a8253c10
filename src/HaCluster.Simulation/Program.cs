using System.Diagnostics;
using HaCluster.Simulation;

// hasim: runs whole-cluster schedules (see docs/reliability.md); scripts/simulate.sh calls it.
// The last line is always "N schedules, V violations".
var seeds = 100;
var from = 1;
int? nodes = null;
string? mutant = null;
int? replay = null;
var jobs = Environment.ProcessorCount;
var quiet = false;
var debug = false;
var progress = false;
int? fuzz = null;
var watchdog = false;
for (var i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
    switch (args[i])
    {
        case "--seeds": seeds = int.Parse(Next()); break;
        case "--from": from = int.Parse(Next()); break;
        case "--nodes": nodes = int.Parse(Next()); break;
        case "--mutant": mutant = Next(); break;
        case "--replay": replay = int.Parse(Next()); break;
        case "--jobs": jobs = Math.Max(1, int.Parse(Next())); break;
        case "--quiet": quiet = true; break;
        case "--debug": debug = true; break;
        case "--progress": progress = true; break;
        case "--fuzz": fuzz = int.Parse(Next()); break;
        case "--watchdog": watchdog = true; break;
        case "--list-mutants":
            foreach (var name in Simulation.MutantNames) Console.WriteLine(name);
            return 0;
        case "--help" or "-h":
            Console.WriteLine("usage: hasim [--seeds N] [--from S] [--nodes K] [--mutant NAME] [--replay SEED] [--jobs J] [--quiet] [--debug] [--progress] [--watchdog] | --list-mutants | --fuzz N [--from SEED]");
            return 0;
        default:
            Console.Error.WriteLine($"hasim: unknown argument '{args[i]}' (see --help)");
            return 2;
    }
}
if (mutant is not null && !Simulation.MutantNames.Contains(mutant))
{
    Console.Error.WriteLine($"hasim: unknown mutant '{mutant}' (--list-mutants)");
    return 2;
}
if (nodes is < 2 or > 7)
{
    Console.Error.WriteLine("hasim: --nodes takes 2 to 7");
    return 2;
}
if (watchdog && nodes == 2)
{
    // Both halves of a two_node split have quorum: watchdog fencing alone cannot decide (SBD needs a disk or a quorum device there).
    Console.Error.WriteLine("hasim: --watchdog needs 3 nodes or more");
    return 2;
}

if (fuzz is { } perSyntax)
{
    // Every reader of outside input, N mutated inputs per syntax and 10 N packets (issue 22).
    // The last line is "N inputs, C crashes"; exit 1 on any crash.
    var samples = HaCluster.Simulation.Fuzzing.SampleConfigurations.Load();
    long inputs = 0, crashes = 0;
    foreach (var report in HaCluster.Simulation.Fuzzing.InputFuzzer.All(perSyntax, perSyntax * 10, from, samples))
    {
        Console.WriteLine(report);
        inputs += report.Inputs;
        crashes += report.Crashes;
    }
    Console.WriteLine($"{inputs} inputs, {crashes} crashes");
    return crashes == 0 ? 0 : 1;
}

string ReplayCommand(int seed) => $"scripts/simulate.sh --replay {seed}" + (nodes is { } k ? $" --nodes {k}" : "") + (mutant is { } m ? $" --mutant {m}" : "") + (watchdog ? " --watchdog" : "");

if (replay is { } one)
{
    var result = SimulationBatch.RunOne(one, nodes, mutant, debug, watchdog);
    foreach (var line in result.Trace) Console.WriteLine(line);
    Console.WriteLine(result.Violation is { } v ? $"seed {one}: VIOLATION of '{v.Invariant}' at {v.At.TotalSeconds:0.000} s: {v.Detail}" : $"seed {one}: clean, converged {result.ConvergedAfterHeal?.TotalSeconds:0.0} s after the faults ended");
    Console.WriteLine($"1 schedules, {(result.Violation is null ? 0 : 1)} violations");
    return result.Violation is null ? 0 : 1;
}

var clock = Stopwatch.StartNew();
var simulated = TimeSpan.Zero;
var done = 0;
var results = SimulationBatch.Run(from, seeds, nodes, mutant, jobs, watchdog: watchdog, inOrder: r =>
{
    simulated += r.Simulated;
    if (++done % 1000 == 0 && progress) Console.WriteLine($"  {done} schedules, {clock.Elapsed.TotalSeconds:0} s");
    if (r.Violation is not { } v) return;
    Console.WriteLine($"seed {r.Seed}: VIOLATION of '{v.Invariant}' at {v.At.TotalSeconds:0.000} s ({r.Nodes} nodes, {r.Scenario}, fencing {(r.Fencing ? "on" : "off")}): {v.Detail}");
    if (!quiet)
        foreach (var line in r.Trace.TakeLast(40)) Console.WriteLine("    " + line);
    Console.WriteLine($"  replay: {ReplayCommand(r.Seed)}");
});
var wall = clock.Elapsed;
var violations = results.Count(r => r.Violation is not null);
var convergence = results.Where(r => r.ConvergedAfterHeal is not null).Select(r => r.ConvergedAfterHeal!.Value.TotalSeconds).OrderBy(x => x).ToList();
Console.WriteLine($"seeds {from}-{from + seeds - 1}{(mutant is null ? "" : ", mutant " + mutant)}: {wall.TotalSeconds:0.0} s wall, {seeds / wall.TotalSeconds:0.0} schedules/s, " +
    $"{simulated.TotalSeconds:0} s simulated ({simulated / wall:0}x real time, {jobs} job(s))" +
    (convergence.Count > 0 ? $"; converged after the faults in median {convergence[convergence.Count / 2]:0.0} s, max {convergence[^1]:0.0} s" : ""));
if (mutant is not null)
{
    var first = results.FirstOrDefault(r => r.Violation is not null);
    Console.WriteLine(first is null ? $"mutant {mutant}: NOT caught in {seeds} seeds" : $"mutant {mutant}: caught first at seed {first.Seed} ({first.Seed - from + 1} seed(s) in), by '{first.Violation!.Invariant}'");
}
Console.WriteLine($"{seeds} schedules, {violations} violations");
return violations == 0 ? 0 : 1;
