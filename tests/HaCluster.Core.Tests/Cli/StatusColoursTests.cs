using HaCluster.Cli.Status;
using Xunit;

namespace HaCluster.Core.Tests.Cli;

/// <summary>Colour at a terminal only, and on the words that say what is wrong, held back or running.</summary>
public sealed class StatusColoursTests
{
    [Fact]
    public void What_is_wrong_is_red_what_is_held_back_yellow_what_runs_green()
    {
        var text = "  * Current DC: node1 - partition with quorum\n  * OFFLINE: [ node3 ]\n    * vip\t(ocf:heartbeat:IPaddr2):\t Started node1\n"
                   + "    * web\t(ocf:heartbeat:Dummy):\t Stopped\n  * ring 0 (unicast 10.0.0.1:5405): ok\n";
        var coloured = StatusColours.Apply(text);
        Assert.Contains("\x1b[31mOFFLINE\x1b[0m", coloured);
        Assert.Contains("\x1b[33mStopped\x1b[0m", coloured);
        Assert.Contains("\x1b[32mStarted\x1b[0m node1", coloured);
        Assert.Contains("\x1b[32mwith quorum\x1b[0m", coloured);
        Assert.Contains("\x1b[32m: ok\x1b[0m", coloured);
        // Nothing else changes: without the escapes it is the same text.
        Assert.Equal(text, System.Text.RegularExpressions.Regex.Replace(coloured, "\x1b\\[[0-9]+m", ""));
    }

    [Fact]
    public void Output_that_is_not_the_terminal_is_never_coloured() =>
        Assert.False(StatusColours.Wanted(new StringWriter()));
}
