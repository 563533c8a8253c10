using HaCluster.Daemon;
using HaCluster.Daemon.Logging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serilog;

// haclusterd: one per node. Checks its configuration, node identity and key before anything
// starts (exit 2 with the reason), then runs membership and the local API until SIGTERM.
if (args is ["--man"])
{
    // For packaging (build-deb.sh): haclusterd(8), from the option table --help prints.
    Console.Out.Write(DaemonOptions.ManPage(HaCluster.Core.Docs.ProductVersion.Of(typeof(DaemonOptions).Assembly), DateOnly.FromDateTime(DateTime.UtcNow)));
    return 0;
}
var options = DaemonOptions.Parse(args, Console.Error);
if (options is null) return 2;
if (options.ShowVersion)
{
    Console.WriteLine($"haclusterd {HaCluster.Core.Docs.ProductVersion.Of(typeof(DaemonOptions).Assembly)}");
    return 0;
}
var context = DaemonContext.Prepare(options, Console.Error);
if (context is null) return 2;
if (options.Check)
{
    // What a package's post-install or an operator's edit wants to know before a restart.
    var c = context.Config;
    Console.WriteLine($"haclusterd: {context.ConfigPath} is valid: cluster {c.ClusterName}, {c.Nodes.Count} node(s), {c.Rings.Count} ring(s); " +
        $"this node {context.Self.Name} (id {context.Self.Id}); key {c.KeyFile} usable");
    return 0;
}

// HACLUSTER_JOURNAL_SOCKET points the native journal writer elsewhere (tests listen there).
Log.Logger = DaemonLogging.Create(context, toJournal: JournalStream.IsStandardOutput(),
    Environment.GetEnvironmentVariable("HACLUSTER_JOURNAL_SOCKET") is { Length: > 0 } journal ? journal : JournalSink.DefaultSocket);

var builder = Host.CreateApplicationBuilder(Array.Empty<string>());
builder.Logging.ClearProviders();
builder.Logging.AddSerilog(Log.Logger, dispose: true);
builder.Services.AddSingleton(context);
// A stopping node first hands its resources over (up to 4 minutes); the host must wait for it.
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromMinutes(5));
builder.Services.AddHostedService<DaemonService>();
using var host = builder.Build();
await host.RunAsync();
// The service sets a non-zero exit code when it had to stop (e.g. its ring sockets were taken).
return Environment.ExitCode;
