using HaCluster.Daemon;
using HaCluster.Daemon.Logging;
using Serilog.Events;

namespace HaCluster.Cluster.Tests;

/// <summary>Where haclusterd's log goes and in which shape: the journal, a terminal, a file.</summary>
public sealed class DaemonLoggingTests : IDisposable
{
    private readonly int subnet = Random.Shared.Next(1, 250);
    private readonly int port = TestCluster.RandomPort();
    private readonly TestCluster cluster;
    private string logging = "";

    public DaemonLoggingTests() => cluster = new TestCluster(["node1", "node2"], _ => $$"""
        cluster_name: log{{subnet}}
        nodes:
          - { name: node1, id: 1, addresses: [127.0.{{subnet}}.21] }
          - { name: node2, id: 2, addresses: [127.0.{{subnet}}.22] }
        rings:
          - unicast: { port: {{port}} }
        timers: { keepalive: 200ms, warntime: 600ms, deadtime: 1s, initdead: 10s }
        key_file: {{cluster!.KeyFile}}
        {{logging}}
        """);

    public void Dispose() => cluster.Dispose();

    [Fact]
    public async Task Under_the_journal_lines_carry_their_syslog_priority_and_no_timestamp()
    {
        // What systemd does for a unit whose output goes to the journal: JOURNAL_STREAM names
        // the very stream stdout is (here the pipe to the test, found as the wrapper's fd 1).
        StartNode1With("JOURNAL_STREAM=$(stat -L -c %d:%i /proc/$$/fd/1)");
        await cluster.WaitForLog("node1", "<6>haclusterd starting");
        Assert.DoesNotMatch(@"(?m)^\d\d:\d\d:\d\d\.\d{3} ", cluster.Log("node1"));
    }

    [Fact]
    public async Task A_variable_inherited_without_the_stream_leaves_the_terminal_format()
    {
        // A child of a unit (a test run from a service, say) inherits JOURNAL_STREAM but its
        // stdout was redirected elsewhere: the variable must not count.
        StartNode1With("JOURNAL_STREAM=8:123456");
        await cluster.WaitForLog("node1", "INF node1: haclusterd starting");
        Assert.DoesNotContain("<6>", cluster.Log("node1"));
    }

    [Fact]
    public async Task A_log_file_at_debug_level_gets_dated_lines_including_the_DCs_debug_detail()
    {
        var file = Path.Combine(cluster.Dir, "var-log", "haclusterd.log");
        logging = $"logging: {{ level: debug, file: {file} }}";
        cluster.StartAll();
        // The DC logs each member's report at debug level.
        await cluster.WaitUntil("a debug line reaches the file", () => File.Exists(file) && ReadShared(file).Contains(" DBG "), TimeSpan.FromSeconds(20));
        Assert.Matches(@"(?m)^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} INF node\d: haclusterd starting", ReadShared(file));
    }

    [Fact]
    public async Task The_default_level_keeps_debug_lines_out()
    {
        cluster.StartAll();
        await cluster.WaitUntil("both nodes agree on a DC", () => cluster.Status("node1") is { Dc: not null, Agreed: true } s && TestCluster.Online(s).Count() == 2, TimeSpan.FromSeconds(20));
        await Task.Delay(500);
        Assert.DoesNotContain(" DBG ", cluster.Log("node1") + cluster.Log("node2"));
    }

    [Theory]
    [InlineData(LogEventLevel.Debug, 7)]
    [InlineData(LogEventLevel.Information, 6)]
    [InlineData(LogEventLevel.Warning, 4)]
    [InlineData(LogEventLevel.Error, 3)]
    [InlineData(LogEventLevel.Fatal, 2)]
    public void Levels_map_to_sd_daemon_priorities(LogEventLevel level, int priority) =>
        Assert.Equal(priority, DaemonLogging.PriorityOf(level));

    [Fact]
    public void The_journal_variable_counts_only_for_the_same_device_and_inode()
    {
        Assert.True(JournalStream.Matches("8:123", (8, 123)));
        Assert.False(JournalStream.Matches("8:124", (8, 123)));
        Assert.False(JournalStream.Matches("8:123", null));
        Assert.False(JournalStream.Matches("garbage", (8, 123)));
    }

    [Fact]
    public void Log_level_on_the_command_line_is_checked_and_overrides_the_file()
    {
        var error = new StringWriter();
        Assert.Equal(HaCluster.Core.Membership.LogVerbosity.Debug, DaemonOptions.Parse(["--log-level", "debug"], error)!.LogLevel);
        Assert.Null(DaemonOptions.Parse(["--log-level", "chatty"], error));
        Assert.Contains("--log-level 'chatty' is not one of debug, info, warning, error", error.ToString());
    }

    /// <summary>Starts node1 through a shell that sets <paramref name="assignment"/> in its environment.</summary>
    private void StartNode1With(string assignment)
    {
        var wrapper = Path.Combine(cluster.Dir, "wrapper");
        File.WriteAllText(wrapper, $"#!/bin/sh\n{assignment} exec \"$@\"\n");
        File.SetUnixFileMode(wrapper, (UnixFileMode)0b111_101_101);
        cluster.Wrapper = wrapper;
        cluster.Start("node1");
    }

    /// <summary>The daemon holds the file open for writing.</summary>
    private static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return new StreamReader(stream).ReadToEnd();
    }
}
