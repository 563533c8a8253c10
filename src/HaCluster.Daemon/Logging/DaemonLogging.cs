using HaCluster.Core.Membership;
using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace HaCluster.Daemon.Logging;

/// <summary>
/// The daemon's log. Under systemd (stdout is the journal) each event goes to the journal natively
/// (<see cref="JournalSink"/>: MESSAGE, PRIORITY and the event's fields, NODE, RESOURCE,
/// OPERATION, TRANSITION, ...), or, without the journal's socket, as a stdout line that starts with
/// its syslog priority (<c>&lt;4&gt;</c> a warning) and no timestamp. Anywhere else (a terminal,
/// the tests, the demo) a line is <c>HH:mm:ss.fff LVL node: message</c>, or with
/// <c>logging.format: json</c> a compact JSON object (CLEF) per line. The optional file has full
/// dates (or JSON). A message repeated in bursts is held back (<see cref="RepeatLimitingSink"/>).
/// </summary>
public static class DaemonLogging
{
    public static Logger Create(DaemonContext context, bool toJournal, string journalSocket = JournalSink.DefaultSocket)
    {
        var node = context.Self.Name;
        var json = context.Logging.Format == LogFormat.Json;
        var text = "{Message:lj}{" + RepeatLimitingSink.Property + "}{NewLine}{Exception}";
        var configuration = new LoggerConfiguration()
            .MinimumLevel.Is(ToSerilog(context.Logging.Level))
            // The generic host's own start-up chatter is not news to an operator.
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .Enrich.With<SyslogPriority>()
            .Enrich.WithProperty("Node", node);
        ILogEventSink output;
        if (toJournal && File.Exists(journalSocket))
            output = new JournalSink(node, journalSocket);
        else if (toJournal)
            output = Sink(c => c.WriteTo.Console(outputTemplate: "<{" + SyslogPriorityProperty + "}>" + text));
        else if (json)
            output = Sink(c => c.WriteTo.Console(new Serilog.Formatting.Compact.CompactJsonFormatter()));
        else
            output = Sink(c => c.WriteTo.Console(outputTemplate: "{Timestamp:HH:mm:ss.fff} {Level:u3} " + node + ": " + text));
        if (context.Logging.File is { } file)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            // Each line goes to the kernel as it is logged (no fsync): a crash loses nothing that
            // was logged, and logrotate's copytruncate works.
            var toFile = json
                ? Sink(c => c.WriteTo.File(new Serilog.Formatting.Compact.CompactJsonFormatter(), file))
                : Sink(c => c.WriteTo.File(file, outputTemplate: "{Timestamp:yyyy-MM-dd HH:mm:ss.fff} {Level:u3} " + node + ": " + text));
            output = new FanOut(output, toFile);
        }
        return configuration.WriteTo.Sink(new RepeatLimitingSink(output)).CreateLogger();
    }

    /// <summary>A sink Serilog's configuration builds (console, file), as a plain <see cref="ILogEventSink"/>.</summary>
    private static ILogEventSink Sink(Func<LoggerConfiguration, LoggerConfiguration> write) => write(new LoggerConfiguration().MinimumLevel.Verbose()).CreateLogger();

    private sealed class FanOut(params ILogEventSink[] sinks) : ILogEventSink, IDisposable
    {
        public void Emit(LogEvent logEvent)
        {
            foreach (var sink in sinks) sink.Emit(logEvent);
        }

        public void Dispose()
        {
            foreach (var sink in sinks) (sink as IDisposable)?.Dispose();
        }
    }

    public static LogEventLevel ToSerilog(LogVerbosity level) => level switch
    {
        LogVerbosity.Debug => LogEventLevel.Debug,
        LogVerbosity.Info => LogEventLevel.Information,
        LogVerbosity.Warning => LogEventLevel.Warning,
        _ => LogEventLevel.Error,
    };

    /// <summary>The sd-daemon(3) priority of a level: 7 debug, 6 info, 4 warning, 3 error, 2 critical.</summary>
    public static int PriorityOf(LogEventLevel level) => level switch
    {
        LogEventLevel.Verbose or LogEventLevel.Debug => 7,
        LogEventLevel.Information => 6,
        LogEventLevel.Warning => 4,
        LogEventLevel.Error => 3,
        _ => 2,
    };

    public const string SyslogPriorityProperty = "SyslogPriority";

    private sealed class SyslogPriority : ILogEventEnricher
    {
        public const string Property = SyslogPriorityProperty;
        private static readonly LogEventProperty[] ByLevel =
            Enum.GetValues<LogEventLevel>().Select(l => new LogEventProperty(Property, new ScalarValue(PriorityOf(l)))).ToArray();

        public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory) =>
            logEvent.AddPropertyIfAbsent(ByLevel[(int)logEvent.Level]);
    }
}
