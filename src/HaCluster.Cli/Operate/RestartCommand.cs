using System.CommandLine;
using HaCluster.Core.Cib;

namespace HaCluster.Cli.Operate;

/// <summary>
/// `hacrm resource restart RSC`: as crm resource restart does, two commits — target-role=Stopped,
/// then, once the cluster reports the resource stopped everywhere, its previous target-role back
/// (so everything ordered after it restarts too, in order).
/// </summary>
public static class RestartCommand
{
    public static Command Build(Option<string> socket)
    {
        var rsc = new Argument<string>("RESOURCE") { Description = "the resource id" };
        var timeout = new Option<string>("--timeout") { Description = "how long to wait for the stop", DefaultValueFactory = _ => "60s" };
        var cmd = new Command("restart", "stop the resource everywhere, wait until it is stopped, and start it again") { rsc, timeout };
        cmd.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var path = parse.GetValue(socket)!;
            var id = parse.GetValue(rsc)!;
            if (Duration.ParseMillisecondsOrNull(parse.GetValue(timeout)) is not { } ms || ms <= 0)
            {
                error.WriteLine($"hacrm resource restart: --timeout '{parse.GetValue(timeout)}' is not a duration");
                return 2;
            }
            string? previous = null;
            var stopped = LiveEdit.Commit(path, c =>
            {
                previous = c.FindResource(id)?.Meta("target-role");
                return ConfigurationEdits.SetResourceMeta(c, id, "target-role", "Stopped");
            }, false, output, error, "resource restart");
            if (stopped != LiveEdit.ExitOk) return stopped;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (!StoppedEverywhere(path, id))
            {
                if (clock.ElapsedMilliseconds > ms)
                {
                    error.WriteLine($"hacrm resource restart: {id} is not stopped after {parse.GetValue(timeout)}; it stays stopped (hacrm resource start {id} to start it)");
                    return LiveEdit.ExitRefused;
                }
                Thread.Sleep(200);
            }
            output.WriteLine($"{id} stopped everywhere; starting it again");
            return LiveEdit.Commit(path, c => ConfigurationEdits.SetResourceMeta(c, id, "target-role", previous is "Stopped" ? null : previous),
                false, output, error, "resource restart");
        });
        return cmd;
    }

    /// <summary>Whether the DC's latest picture shows no primitive of the resource active on any node.</summary>
    private static bool StoppedEverywhere(string socket, string id)
    {
        if (LiveState.Read(socket, TextWriter.Null, "resource restart") is not { PictureConfig: { } config } live) return false;
        // The picture must already hold the stop request: an older one still shows it wanted.
        if (config.FindResource(id) is not { } resource || resource.Meta("target-role") != "Stopped") return false;
        return live.PrimitivesOf(id).All(p => p.ActiveOn.Count == 0);
    }
}
