using HaCluster.Cli.Status;

namespace HaCluster.Cli;

public static class Program
{
    // The plain `hacrm status` forms are answered before the command tree (and the
    // System.CommandLine assembly) is even loaded: see StatusFastPath.
    public static int Main(string[] args) =>
        StatusFastPath.TryRun(args, Console.Out, Console.Error, out var exit) ? exit : CliApp.Run(args, Console.Out, Console.Error);
}
