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
    public async Task Under_the_journal_each_event_goes_to_its_socket_with_structured_fields()
    {
        // A journal of our own: a datagram socket where journald's would be.
        var path = Path.Combine(cluster.Dir, "journal.socket");
        using var journal = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Unspecified);
        journal.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(path));
        var entries = new List<Dictionary<string, string>>();
        var reading = Task.Run(() =>
        {
            var buffer = new byte[128 * 1024];
            journal.ReceiveTimeout = 30_000;
            try
            {
                while (true)
                {
                    var n = journal.Receive(buffer);
                    var entry = ParseJournalDatagram(buffer.AsSpan(0, n));
                    lock (entries) entries.Add(entry);
                    if (entry.GetValueOrDefault("RESOURCE") == "d" && entry.GetValueOrDefault("OPERATION") == "start") return;
                }
            }
            catch (System.Net.Sockets.SocketException) { }
        });
        StartNode1With($"HACLUSTER_JOURNAL_SOCKET={path} JOURNAL_STREAM=$(stat -L -c %d:%i /proc/$$/fd/1)");
        cluster.Start("node2");
        await cluster.WaitUntil("node1 is up", () => cluster.Status("node1") is { Dc: not null }, TimeSpan.FromSeconds(20));
        var commit = new StringWriter();
        var crm = Path.Combine(cluster.Dir, "d.crm");
        File.WriteAllText(crm, "property stonith-enabled=false\nprimitive d ocf:heartbeat:Dummy\nlocation l d 100: node1\n");
        Assert.True(0 == HaCluster.Cli.CliApp.Run(["--socket", cluster.Socket("node1"), "configure", "load", "replace", crm], commit, commit), commit.ToString());
        try
        {
            await reading.WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            lock (entries) Assert.Fail("no start of d in the journal; it got:\n" + string.Join("\n", entries.Select(e => string.Join(" ", e.Select(kv => $"{kv.Key}={kv.Value}")))));
        }
        lock (entries)
        {
            Assert.Contains(entries, e => e["MESSAGE"].StartsWith("haclusterd starting") && e["PRIORITY"] == "6" && e["SYSLOG_IDENTIFIER"] == "haclusterd" && e["NODE"] == "node1");
            Assert.Contains(entries, e => e.GetValueOrDefault("RESOURCE") == "d" && e.GetValueOrDefault("OPERATION") == "start" && e["MESSAGE"].StartsWith("d start: ok"));
            Assert.Contains(entries, e => e.ContainsKey("TRANSITION") && e["MESSAGE"].StartsWith("transition " + e["TRANSITION"]));
        }
        Assert.DoesNotContain("haclusterd starting", cluster.Log("node1"));
    }

    /// <summary>journald's datagram format: NAME=VALUE lines, or NAME, newline, 64-bit little-endian length, VALUE, newline.</summary>
    private static Dictionary<string, string> ParseJournalDatagram(ReadOnlySpan<byte> data)
    {
        var fields = new Dictionary<string, string>();
        while (data.Length > 0)
        {
            var end = data.IndexOf((byte)'\n');
            var line = data[..end];
            var eq = line.IndexOf((byte)'=');
            if (eq >= 0)
            {
                fields[System.Text.Encoding.ASCII.GetString(line[..eq])] = System.Text.Encoding.UTF8.GetString(line[(eq + 1)..]);
                data = data[(end + 1)..];
                continue;
            }
            var length = (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(data[(end + 1)..]);
            fields[System.Text.Encoding.ASCII.GetString(line)] = System.Text.Encoding.UTF8.GetString(data.Slice(end + 9, length));
            Assert.Equal((byte)'\n', data[end + 9 + length]);
            data = data[(end + 10 + length)..];
        }
        return fields;
    }

    [Fact]
    public async Task Under_the_journal_without_its_socket_lines_carry_their_syslog_priority_and_no_timestamp()
    {
        // What systemd does for a unit whose output goes to the journal: JOURNAL_STREAM names
        // the very stream stdout is (here the pipe to the test, found as the wrapper's fd 1).
        StartNode1With($"HACLUSTER_JOURNAL_SOCKET={cluster.Dir}/no-journal-here JOURNAL_STREAM=$(stat -L -c %d:%i /proc/$$/fd/1)");
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
    public async Task Logging_format_json_writes_one_compact_json_object_per_line()
    {
        logging = "logging: { format: json }";
        cluster.Start("node1");
        await cluster.WaitForLog("node1", "haclusterd starting");
        var line = cluster.Log("node1").Split('\n').First(l => l.Contains("haclusterd starting"));
        using var json = System.Text.Json.JsonDocument.Parse(line);
        Assert.True(json.RootElement.TryGetProperty("@t", out _));
        Assert.StartsWith("haclusterd starting", json.RootElement.GetProperty("@mt").GetString());
        Assert.Equal("node1", json.RootElement.GetProperty("Node").GetString());
    }

    [Fact]
    public void A_message_repeated_in_a_burst_is_held_back_and_counted_on_its_next_appearance()
    {
        var written = new List<LogEvent>();
        var sink = new RepeatLimitingSink(new CollectingSink(written), TimeSpan.FromSeconds(10), burst: 3);
        var start = DateTimeOffset.UtcNow;
        LogEvent At(double seconds, string text) => new(start.AddSeconds(seconds), LogEventLevel.Warning, null,
            new Serilog.Parsing.MessageTemplateParser().Parse(text), []);
        for (var i = 0; i < 10; i++) sink.Emit(At(i * 0.1, "ring 1 is faulty"));
        sink.Emit(At(1, "something else"));
        Assert.Equal(4, written.Count);
        sink.Emit(At(11, "ring 1 is faulty"));
        Assert.Equal(5, written.Count);
        Assert.Equal(" (7 more like it in the last 10s)", ((ScalarValue)written[^1].Properties[RepeatLimitingSink.Property]).Value);
    }

    private sealed class CollectingSink(List<LogEvent> events) : Serilog.Core.ILogEventSink
    {
        public void Emit(LogEvent logEvent) => events.Add(logEvent);
    }

    [Fact]
    public void Property_names_become_journal_field_names()
    {
        Assert.Equal("RESOURCE", JournalSink.FieldName("Resource"));
        Assert.Equal("OPERATION", JournalSink.FieldName("Task"));
        Assert.Equal("EXIT_CODE", JournalSink.FieldName("ExitCode"));
        Assert.Equal("TRANSITION", JournalSink.FieldName("Transition"));
        Assert.Null(JournalSink.FieldName("_"));
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
