using System.CommandLine;
using System.Text.Json;
using HaCluster.Core.Api;
using HaCluster.Core.Cib;
using HaCluster.Core.Status.Views;

namespace HaCluster.Cli.Status;

/// <summary>
/// <c>hacrm [--socket PATH] status</c>: the live cluster as crm_mon -1 shows it (the daemon lays
/// it out: <see cref="LiveStatusView"/>), or a saved CIB with <c>--xml</c>. The plain live forms
/// skip this command tree altogether (<see cref="StatusFastPath"/>). Exit status: 0 healthy,
/// 1 degraded (a node offline, no quorum, a faulty ring), 3 daemon unreachable, 2 usage.
/// </summary>
public static class StatusCommand
{
    public const int ExitHealthy = LiveStatusView.ExitHealthy;
    public const int ExitDegraded = LiveStatusView.ExitDegraded;
    public const int ExitUnreachable = LiveStatusView.ExitUnreachable;

    public static Command Build(Option<string> socket)
    {
        var outputAs = new Option<string>("--output-as") { Description = "text, json, or xml (crm_mon --output-as=xml's layout)", DefaultValueFactory = _ => "text" };
        outputAs.AcceptOnlyFromAmong("text", "json", "xml");
        var xml = new Option<string?>("--xml", "-x") { Description = "show a saved CIB (with its status section) instead of the live cluster" };
        var filters = new StatusFilterOptions();
        var cmd = new Command("status", "show the live cluster: nodes, DC, quorum, resources, rings (like crm_mon -1)") { outputAs, xml };
        filters.AddTo(cmd);
        cmd.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var filter = filters.Read(parse);
            var format = parse.GetValue(outputAs);
            if (parse.GetValue(xml) is { } file) return Offline(file, output, error, filter, format);
            var path = parse.GetValue(socket)!;
            return format == "json" ? Json(path, output, error) : StatusViewClient.Show(path, format!, filter, output, error);
        });
        return cmd;
    }

    /// <summary>`--output-as json`: the daemon's raw status (membership, CIB with its status section), for programs.</summary>
    private static int Json(string path, TextWriter output, TextWriter error)
    {
        var reply = ApiClient.Call(path, new ApiRequest("status"), out var problem);
        if (reply is not { Ok: true, Status: { } status })
        {
            error.WriteLine($"hacrm status: {problem ?? reply?.Error}");
            return ExitUnreachable;
        }
        output.WriteLine(JsonSerializer.Serialize(status, ApiJson.Info<ClusterStatusReply>(new JsonSerializerOptions(ApiJson.Options) { WriteIndented = true })));
        return LiveStatusView.Exit(status, LiveStatusView.Picture(status, DateTimeOffset.UtcNow));
    }

    /// <summary>
    /// `hacrm status --xml CIB.xml`: the same picture from a saved CIB (a pe-input, a cibadmin -Q
    /// dump), with the same exit statuses (judged from the CIB's nodes, quorum and resources).
    /// </summary>
    private static int Offline(string file, TextWriter output, TextWriter error, StatusFilter filter, string? format)
    {
        var loaded = Configure.ConfigureCommands.Load(file, "xml", error, out var exit, validate: false);
        if (loaded is null) return exit;
        if (loaded.Config is null)
        {
            foreach (var d in loaded.Errors) error.WriteLine(Configure.ConfigureCommands.Describe(d, file));
            return Configure.ConfigureCommands.ExitInvalid;
        }
        var status = loaded.Status ?? HaCluster.Core.Status.ClusterStatus.Empty;
        var now = status.ExecutionDate ?? DateTimeOffset.UtcNow;
        var picture = HaCluster.Core.Policy.Scheduler.CurrentState(loaded.Config, status, now);
        switch (format)
        {
            case "xml":
                output.WriteLine(StatusXml.Build(picture, now));
                break;
            case "json":
                output.WriteLine(StatusJson.Serialize(StatusJson.Build(StatusJson.Offline(picture, file), picture, now), indented: true));
                break;
            default:
                output.WriteLine("Cluster Summary:");
                output.WriteLine($"  * Source: {file} (CIB {status.Version}{(status.DcUuid is { } dc ? $", DC {dc}" : "")}, {(status.HaveQuorum ? "with" : "WITHOUT")} quorum)");
                output.WriteLine($"  * {Configure.ConfigureCommands.Plural(picture.Nodes.Count, "node")} configured, {Configure.ConfigureCommands.Plural(StatusJson.ResourceInstances(picture), "resource instance")} configured");
                output.WriteLine();
                StatusPrinter.Print(picture, output, filter);
                break;
        }
        return LiveStatusView.Exit(picture);
    }
}
