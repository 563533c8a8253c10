using System.CommandLine;
using HaCluster.Cli.Agents;
using HaCluster.Cli.Configure;
using HaCluster.Cli.Import;
using HaCluster.Cli.Keys;
using HaCluster.Cli.Operate;
using HaCluster.Cli.Status;
using HaCluster.Cli.Simulate;

namespace HaCluster.Cli;

/// <summary>
/// hacrm's command tree. Every command writes through the given writers, so tests run the
/// real CLI in-process and read what an operator would see.
/// </summary>
public static class CliApp
{
    public static RootCommand Build()
    {
        var root = new RootCommand("hacrm: configure, inspect and operate a HaCluster cluster");
        var socket = new Option<string>("--socket")
        {
            Description = "haclusterd's API socket",
            DefaultValueFactory = _ => ApiClient.DefaultSocket,
            Recursive = true,
        };
        root.Add(socket);
        root.Add(ConfigureCommands.Build(socket));
        root.Add(SimulateCommand.Build());
        root.Add(RaCommands.Build());
        root.Add(StatusCommand.Build(socket));
        root.Add(MonCommand.Build(socket));
        foreach (var c in OperateCommands.Build(socket)) root.Add(c);
        root.Add(KeygenCommand.Build());
        root.Add(ImportCommand.Build());
        root.Add(HaCluster.Cli.History.HistoryCommand.Build(socket));
        root.Add(HaCluster.Cli.Docs.ManPagesCommand.Build(Build));
        return root;
    }

    public static int Run(string[] args, TextWriter output, TextWriter error, TextReader? input = null)
    {
        if (StatusFastPath.TryRun(args, output, error, out var exit)) return exit;
        var config = new InvocationConfiguration { Output = output, Error = error };
        var previous = StandardInput.Override;
        StandardInput.Override = input;
        try
        {
            // A command line hacrm cannot parse is a usage error (exit 2), told apart from an
            // invalid configuration or a degraded cluster (exit 1).
            var parsed = Build().Parse(args);
            var code = parsed.Invoke(config);
            return parsed.Errors.Count > 0 && code == 1 ? 2 : code;
        }
        finally
        {
            StandardInput.Override = previous;
        }
    }
}

/// <summary>Where commands that read input (the configure shell) read it: stdin, or what a test passes to <see cref="CliApp.Run"/>.</summary>
public static class StandardInput
{
    [ThreadStatic] internal static TextReader? Override;

    public static TextReader Reader => Override ?? Console.In;

    /// <summary>A person at a terminal (prompts, confirmations), not a file or pipe.</summary>
    public static bool IsTerminal => Override is null && !Console.IsInputRedirected;
}
