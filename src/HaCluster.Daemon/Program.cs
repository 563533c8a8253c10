using HaCluster.Daemon;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serilog;

// haclusterd: one per node. This is the host skeleton: configuration loading, logging and a
// clean shutdown on SIGTERM. Membership, the controller and the executor join it as their
// issues land (see docs/architecture.md).
var options = DaemonOptions.Parse(args, Console.Error);
if (options is null) return 2;
if (options.ShowVersion)
{
    Console.WriteLine($"haclusterd {typeof(DaemonOptions).Assembly.GetName().Version}");
    return 0;
}

Log.Logger = new LoggerConfiguration()
    .MinimumLevel.Information()
    .WriteTo.Console(outputTemplate: "{Level:u3} {SourceContext}: {Message:lj}{NewLine}{Exception}")
    .CreateLogger();

var builder = Host.CreateApplicationBuilder(Array.Empty<string>());
builder.Logging.ClearProviders();
builder.Logging.AddSerilog(Log.Logger, dispose: true);
builder.Services.AddSingleton(options);
builder.Services.AddHostedService<DaemonService>();
using var host = builder.Build();
await host.RunAsync();
return 0;
