using System.CommandLine;
using HaCluster.Core.Api;
using HaCluster.Core.Cib;
using HaCluster.Core.Status.Views;

namespace HaCluster.Cli.Status;

/// <summary>
/// <c>hacrm mon [--interval 2s] [--count N] [status's filters and sections]</c>: `hacrm status`
/// refreshed in place, like crm_mon.
/// On a terminal the screen is redrawn; otherwise each refresh is printed after the last (for
/// logs). Ends on Ctrl-C, or after N refreshes.
/// </summary>
public static class MonCommand
{
    public static Command Build(Option<string> socket)
    {
        var interval = new Option<string>("--interval", "-i") { Description = "time between refreshes", DefaultValueFactory = _ => "2s" };
        var count = new Option<int>("--count", "-n") { Description = "stop after this many refreshes (0: until Ctrl-C)" };
        var filters = new StatusFilterOptions();
        var cmd = new Command("mon", "watch the live cluster, refreshed in place (like crm_mon)") { interval, count };
        filters.AddTo(cmd);
        cmd.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            if (Duration.ParseMillisecondsOrNull(parse.GetValue(interval)) is not { } ms || ms <= 0)
            {
                error.WriteLine($"hacrm mon: --interval '{parse.GetValue(interval)}' is not a duration");
                return 2;
            }
            var redraw = !Console.IsOutputRedirected && ReferenceEquals(output, Console.Out);
            using var stop = new CancellationTokenSource();
            ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; stop.Cancel(); };
            Console.CancelKeyPress += onCancel;
            try
            {
                var exit = StatusCommand.ExitHealthy;
                var filter = filters.Read(parse);
                for (var i = 0; !stop.IsCancellationRequested && (parse.GetValue(count) == 0 || i < parse.GetValue(count)); i++)
                {
                    var (text, code, problem) = StatusViewClient.Ask(parse.GetValue(socket)!, "text", filter);
                    if (redraw) output.Write("\x1b[H\x1b[2J");
                    else if (i > 0) output.WriteLine();
                    // The view's own "Last updated" line says when; this says how often.
                    output.WriteLine($"hacrm mon: every {parse.GetValue(interval)}, Ctrl-C to quit");
                    output.Write(text is null ? $"Last updated: {DateTimeOffset.Now:yyyy-MM-dd HH:mm:ss}\nhaclusterd unreachable: {problem}\n" : StatusColours.For(output, text));
                    exit = code;
                    if (parse.GetValue(count) != 0 && i + 1 >= parse.GetValue(count)) break;
                    stop.Token.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(ms));
                }
                return exit;
            }
            finally
            {
                Console.CancelKeyPress -= onCancel;
            }
        });
        return cmd;
    }
}
