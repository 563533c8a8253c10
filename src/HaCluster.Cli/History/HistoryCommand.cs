using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using HaCluster.Cli.Status;
using HaCluster.Core.Api;

namespace HaCluster.Cli.History;

/// <summary>
/// `hacrm history [list]`, `hacrm history show N`, `hacrm history explain N RSC`: the transitions
/// this node ran as DC (Pacemaker's pe-input series, kept by haclusterd), each replayable: show
/// runs the scheduler again on the input the DC had (`hacrm simulate --xml` on it, with the
/// graph) beside what the DC recorded of each action; explain says why RSC went where it went.
/// </summary>
public static class HistoryCommand
{
    public static Command Build(Option<string> socket)
    {
        var cmd = new Command("history", "the transitions this node ran as DC, with their inputs: list, show N, explain N RSC");
        var list = new Command("list", "one line per transition kept (the default)");
        var last = new Option<int?>("--last", "-n") { Description = "only the last N transitions" };
        list.Add(last);
        list.SetAction(parse => List(parse.GetValue(socket)!, parse.GetValue(last), parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error));
        cmd.SetAction(parse => List(parse.GetValue(socket)!, null, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error));

        var number = new Argument<long>("N") { Description = "the transition's sequence number (from history list)" };
        var show = new Command("show", "what transition N was to do, what became of each action, and the scheduler's decision replayed on its input") { number };
        show.SetAction(parse => Show(parse.GetValue(socket)!, parse.GetValue(number), null, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error));

        var number2 = new Argument<long>("N") { Description = "the transition's sequence number" };
        var rsc = new Argument<string>("RSC") { Description = "the resource to explain" };
        var explain = new Command("explain", "why the scheduler put RSC where it did in transition N (replayed on its input)") { number2, rsc };
        explain.SetAction(parse => Show(parse.GetValue(socket)!, parse.GetValue(number2), parse.GetValue(rsc), parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error));

        cmd.Add(list);
        cmd.Add(show);
        cmd.Add(explain);
        return cmd;
    }

    private static HistoryDocument? Read(string socket, TextWriter error, out int exit)
    {
        exit = 0;
        var reply = ApiClient.Call(socket, new ApiRequest("history"), out var problem);
        if (reply is null)
        {
            error.WriteLine($"hacrm history: {problem}");
            exit = StatusCommand.ExitUnreachable;
            return null;
        }
        if (!reply.Ok || reply.Text is null)
        {
            error.WriteLine($"hacrm history: {reply.Error}");
            exit = 1;
            return null;
        }
        return JsonSerializer.Deserialize(reply.Text, HistoryJsonContext.Default.HistoryDocument);
    }

    private static int List(string socket, int? last, TextWriter output, TextWriter error)
    {
        if (Read(socket, error, out var exit) is not { } history) return exit;
        var records = history.Transitions;
        if (records.Count == 0)
        {
            output.WriteLine("no transitions kept on this node (only the DC runs them; pe-input-series-max=0 keeps none)");
            return 0;
        }
        foreach (var r in last is { } n ? records.TakeLast(Math.Max(n, 0)) : records)
        {
            var took = r.TookMs is { } ms ? $" in {ms / 1000.0:0.###}s" : "";
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Sequence,5}  {Time(r.Started)}  transition {r.Transition}: {r.Result}{took}, {r.Summary.Count} change(s){(r.Input is null ? " (input not kept)" : "")}"));
            foreach (var line in r.Summary.Take(5)) output.WriteLine("         " + line.Trim());
            if (r.Summary.Count > 5) output.WriteLine($"         ... and {r.Summary.Count - 5} more");
        }
        return 0;
    }

    private static int Show(string socket, long sequence, string? resource, TextWriter output, TextWriter error)
    {
        if (Read(socket, error, out var exit) is not { } history) return exit;
        if (history.Transitions.FirstOrDefault(r => r.Sequence == sequence) is not { } record)
        {
            error.WriteLine($"hacrm history: no transition {sequence} kept on this node (hacrm history list)");
            return 1;
        }
        if (resource is null)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Transition {record.Sequence} (the DC's transition {record.Transition}), started {Time(record.Started)}: {record.Result}{(record.TookMs is { } ms ? $" in {ms / 1000.0:0.###}s" : "")}"));
            output.WriteLine("Actions:");
            foreach (var a in record.Actions ?? []) output.WriteLine($"  * {a.Action}: {a.Outcome}");
            if (record.Actions is null) output.WriteLine("  (still running)");
            output.WriteLine();
        }
        var input = ApiClient.Call(socket, new ApiRequest("history_input", new Dictionary<string, string> { ["sequence"] = sequence.ToString(CultureInfo.InvariantCulture) }), out var problem);
        if (input is null || !input.Ok || input.Text is null)
        {
            error.WriteLine($"hacrm history: {problem ?? input?.Error}");
            return input is null ? StatusCommand.ExitUnreachable : 1;
        }
        // The decision replayed: the same scheduler on the same input gives the same transition.
        var file = Path.Combine(Path.GetTempPath(), $"hacrm-pe-input-{Environment.ProcessId}-{sequence}.xml");
        try
        {
            File.WriteAllText(file, input.Text);
            output.WriteLine($"Replayed on pe-input-{sequence}:");
            string[] args = resource is null ? ["simulate", "--xml", file, "--graph"] : ["simulate", "--xml", file, "--explain", resource];
            return CliApp.Run(args, output, error);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static string Time(long unix) => DateTimeOffset.FromUnixTimeSeconds(unix).ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}
