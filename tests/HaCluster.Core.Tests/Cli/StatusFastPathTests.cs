using HaCluster.Cli.Status;
using HaCluster.Core.Status.Views;
using Xunit;
using static HaCluster.Core.Tests.Cli.CliRunner;

namespace HaCluster.Core.Tests.Cli;

/// <summary>
/// The plain live `hacrm status` forms skip the full command parser; everything else must still
/// reach it, so a form the fast path misreads would show the wrong thing without an error.
/// </summary>
public sealed class StatusFastPathTests
{
    [Theory]
    [InlineData("status", ApiClient.DefaultSocket, "text", null, null, false, false)]
    [InlineData("--socket /tmp/a.sock status", "/tmp/a.sock", "text", null, null, false, false)]
    [InlineData("status --socket=/tmp/b.sock", "/tmp/b.sock", "text", null, null, false, false)]
    [InlineData("status --node n2 --resource=g --active-only --summary", ApiClient.DefaultSocket, "text", "n2", "g", true, true)]
    [InlineData("status --output-as xml", ApiClient.DefaultSocket, "xml", null, null, false, false)]
    [InlineData("status --output-as=text --node=n1", ApiClient.DefaultSocket, "text", "n1", null, false, false)]
    public void The_plain_live_forms_are_read_as_the_full_parser_reads_them(
        string line, string socket, string view, string? node, string? resource, bool activeOnly, bool summary)
    {
        Assert.True(StatusFastPath.TryParse(Args(line), out var s, out var v, out var filter));
        Assert.Equal(socket, s);
        Assert.Equal(view, v);
        Assert.Equal(new StatusFilter { Node = node, Resource = resource, ActiveOnly = activeOnly, Summary = summary }, filter);
    }

    [Theory]
    [InlineData("status --help")]
    [InlineData("status -h")]
    [InlineData("status --xml cib.xml")]
    [InlineData("status --output-as json")]
    [InlineData("status --node")]
    [InlineData("status --node --summary")]
    [InlineData("status --nodes n1")]
    [InlineData("status status")]
    [InlineData("--active-only status")]
    [InlineData("mon")]
    [InlineData("--socket /tmp/a.sock")]
    [InlineData("")]
    public void Every_other_form_is_left_to_the_full_parser(string line) =>
        Assert.False(StatusFastPath.TryParse(Args(line), out _, out _, out _));

    private static string[] Args(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void An_unknown_option_still_gets_the_full_parsers_error()
    {
        var (exit, _, error) = Run("status", "--nodes", "n1");
        Assert.Equal(2, exit);   // a usage error
        Assert.Contains("--nodes", error);
    }

    [Fact]
    public void Without_a_daemon_status_says_so_and_exits_3()
    {
        var socket = Path.Combine(Path.GetTempPath(), $"hacrm-none-{Guid.NewGuid():N}.sock");
        var (exit, output, error) = Run("--socket", socket, "status", "--node", "n1");
        Assert.Equal(LiveStatusView.ExitUnreachable, exit);
        Assert.Equal("", output);
        Assert.Contains($"haclusterd is not running (nothing listens on {socket})", error);
    }
}
