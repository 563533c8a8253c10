using System.CommandLine;
using HaCluster.Cli;
using Xunit;

namespace HaCluster.Core.Tests.Cli;

/// <summary>
/// The exit codes docs/cli.md promises, for every command: 2 for a command line hacrm cannot use
/// (each command's required arguments left out), 3 when the daemon cannot be reached.
/// </summary>
public sealed class ExitCodeTests
{
    /// <summary>Every visible command, as the words that name it ("resource ban").</summary>
    private static IEnumerable<(string[] Words, Command Command)> Commands(Command parent, string[] words)
    {
        foreach (var c in parent.Subcommands.Where(c => !c.Hidden))
        {
            string[] path = [.. words, c.Name];
            yield return (path, c);
            foreach (var sub in Commands(c, path)) yield return sub;
        }
    }

    [Fact]
    public void Every_command_missing_a_required_argument_exits_2()
    {
        var checkedCount = 0;
        foreach (var (words, command) in Commands(CliApp.Build(), []))
        {
            if (!command.Arguments.Any(a => a.Arity.MinimumNumberOfValues > 0)) continue;
            var (exit, _, err) = CliRunner.Run(["--socket", "/nonexistent/hacrm.sock", .. words]);
            Assert.True(exit == 2, $"hacrm {string.Join(' ', words)} with no arguments: exit {exit} ({err.Trim()})");
            checkedCount++;
        }
        Assert.True(checkedCount >= 20, $"only {checkedCount} commands take required arguments: the tree was not walked");
    }

    [Theory]
    [InlineData("status")]
    [InlineData("status --output-as json")]
    [InlineData("mon --count 1")]
    [InlineData("resource start d")]
    [InlineData("resource stop d --wait")]
    [InlineData("resource move d node1")]
    [InlineData("resource ban d")]
    [InlineData("resource clear d")]
    [InlineData("resource cleanup d")]
    [InlineData("resource status")]
    [InlineData("resource locate d")]
    [InlineData("resource failcount d show")]
    [InlineData("resource restart d")]
    [InlineData("node list")]
    [InlineData("node show")]
    [InlineData("node standby")]
    [InlineData("property stonith-enabled=false")]
    [InlineData("attribute node1 site east")]
    [InlineData("configure show")]
    [InlineData("configure property stonith-enabled=false")]
    [InlineData("history")]
    [InlineData("history show 1")]
    public void A_command_that_needs_the_daemon_exits_3_when_it_cannot_be_reached(string command)
    {
        var (exit, _, err) = CliRunner.Run(["--socket", "/nonexistent/hacrm.sock", .. command.Split(' ')]);
        Assert.True(exit == 3, $"hacrm {command}: exit {exit} ({err.Trim()})");
    }

    [Theory]
    [InlineData("resource ban d --wait=soon")]
    [InlineData("property nonsense")]
    [InlineData("status --output-as yaml")]
    [InlineData("resource failcount d reset")]
    [InlineData("frobnicate")]
    public void A_command_line_hacrm_cannot_use_exits_2(string command)
    {
        var (exit, _, err) = CliRunner.Run(["--socket", "/nonexistent/hacrm.sock", .. command.Split(' ')]);
        Assert.True(exit == 2, $"hacrm {command}: exit {exit} ({err.Trim()})");
    }
}
