using HaCluster.Core.Membership;
using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace HaCluster.Daemon.Logging;

/// <summary>
/// The daemon's log: stdout always, in one of two shapes, plus an optional plain file.
/// Under systemd (stdout is the journal) each line starts with its syslog priority, <c>&lt;4&gt;</c>
/// for a warning, and carries no timestamp: journald stamps and filters by priority itself
/// (<c>journalctl -u haclusterd -p warning</c>). Anywhere else (a terminal, the tests, the demo)
/// a line is <c>HH:mm:ss.fff LVL node: message</c>. The file has full dates, for logs kept past a day.
/// </summary>
public static class DaemonLogging
{
    public static Logger Create(DaemonContext context, bool toJournal)
    {
        var node = context.Self.Name;
        var configuration = new LoggerConfiguration()
            .MinimumLevel.Is(ToSerilog(context.Logging.Level))
            // The generic host's own start-up chatter is not news to an operator.
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .Enrich.With<SyslogPriority>();
        configuration = toJournal
            ? configuration.WriteTo.Console(outputTemplate: "<{" + SyslogPriority.Property + "}>{Message:lj}{NewLine}{Exception}")
            : configuration.WriteTo.Console(outputTemplate: "{Timestamp:HH:mm:ss.fff} {Level:u3} " + node + ": {Message:lj}{NewLine}{Exception}");
        if (context.Logging.File is { } file)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            // Each line goes to the kernel as it is logged (no fsync): a crash loses nothing that
            // was logged, and logrotate's copytruncate works.
            configuration = configuration.WriteTo.File(file,
                outputTemplate: "{Timestamp:yyyy-MM-dd HH:mm:ss.fff} {Level:u3} " + node + ": {Message:lj}{NewLine}{Exception}");
        }
        return configuration.CreateLogger();
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

    private sealed class SyslogPriority : ILogEventEnricher
    {
        public const string Property = "SyslogPriority";
        private static readonly LogEventProperty[] ByLevel =
            Enum.GetValues<LogEventLevel>().Select(l => new LogEventProperty(Property, new ScalarValue(PriorityOf(l)))).ToArray();

        public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory) =>
            logEvent.AddPropertyIfAbsent(ByLevel[(int)logEvent.Level]);
    }
}
