using HaCluster.Cli;

namespace HaCluster.Core.Tests.Cli;

/// <summary>Runs hacrm in-process and returns what an operator would see.</summary>
internal static class CliRunner
{
    public static (int Exit, string Out, string Err) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = CliApp.Run(args, output, error);
        return (exit, output.ToString(), error.ToString());
    }
}
