using System.CommandLine;
using HaCluster.Cli.Status;
using HaCluster.Core.Api;
using HaCluster.Core.Cib;
using HaCluster.Core.Cib.Syntax;

namespace HaCluster.Cli.Configure;

/// <summary>
/// <c>hacrm configure load replace|update FILE [--force]</c>, as <c>crm configure load</c>: the file
/// is checked first (nothing is sent if it has errors), then committed to the running cluster as
/// one new CIB version. The commit is refused when the CIB changed since this command read it,
/// unless <c>--force</c>; the DC validates again and replication carries it to every node.
/// </summary>
public static class LoadCommand
{
    public static Command Build(Option<string> socket)
    {
        var mode = new Argument<string>("MODE") { Description = "replace (the file is the whole configuration) or update (its objects replace those with the same id)" };
        mode.AcceptOnlyFromAmong("replace", "update");
        var file = new Argument<string>("FILE") { Description = "crm, XML or YAML configuration ('-' for stdin, crm)" };
        var format = new Option<string?>("--format", "-f") { Description = "input syntax: crm, xml or yaml (default: by extension)" };
        var force = new Option<bool>("--force") { Description = "commit even if the CIB changed since it was read" };
        var cmd = new Command("load", "commit a configuration file to the running cluster") { mode, file, format, force };
        cmd.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var path = parse.GetValue(file)!;
            var loaded = ConfigureCommands.Load(path, parse.GetValue(format), error, out var exit);
            if (loaded is null) return exit;
            foreach (var d in loaded.Diagnostics) error.WriteLine(ConfigureCommands.Describe(d, path));
            if (loaded.HasErrors)
            {
                error.WriteLine("hacrm configure load: not committed: fix the errors above");
                return ConfigureCommands.ExitInvalid;
            }
            var sock = parse.GetValue(socket)!;
            var status = ApiClient.Call(sock, new ApiRequest("status"), out var problem);
            if (status?.Status is not { } current)
            {
                error.WriteLine($"hacrm configure load: {problem ?? status?.Error}");
                return StatusCommand.ExitUnreachable;
            }
            var config = loaded.Config!;
            if (parse.GetValue(mode) == "update")
            {
                var running = current.CibXml is { } xml ? CibXmlReader.Parse(xml, "running").Config : null;
                config = ConfigurationMerge.Update(running ?? ClusterConfig.Empty, config);
            }
            var arguments = new Dictionary<string, string>
            {
                ["configuration"] = new System.Xml.Linq.XElement("cib", CibXmlWriter.WriteConfiguration(config)).ToString(),
                ["force"] = parse.GetValue(force) ? "true" : "false",
            };
            if (current.CibVersion is { } version) arguments["base"] = version;
            var reply = ApiClient.Call(sock, new ApiRequest("commit", arguments), out problem, TimeSpan.FromSeconds(40));
            if (reply is null || !reply.Ok)
            {
                error.WriteLine($"hacrm configure load: not committed: {problem ?? reply?.Error}");
                return ConfigureCommands.ExitInvalid;
            }
            output.WriteLine($"committed: CIB version {reply.Version}");
            return ConfigureCommands.ExitOk;
        });
        return cmd;
    }
}
