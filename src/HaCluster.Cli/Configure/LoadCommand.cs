using System.CommandLine;
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
        var wait = Operate.LiveEdit.WaitOption();
        var cmd = new Command("load", "commit a configuration file to the running cluster") { mode, file, format, force, wait };
        cmd.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            if (!Operate.LiveEdit.TryWait(parse, wait, error, "configure load", out var timeout)) return ConfigureCommands.ExitUsage;
            var path = parse.GetValue(file)!;
            var loaded = ConfigureCommands.Load(path, parse.GetValue(format), error, out var exit);
            if (loaded is null) return exit;
            foreach (var d in loaded.Diagnostics) error.WriteLine(ConfigureCommands.Describe(d, path));
            if (loaded.HasErrors)
            {
                error.WriteLine("hacrm configure load: not committed: fix the errors above");
                return ConfigureCommands.ExitInvalid;
            }
            var config = loaded.Config!;
            var update = parse.GetValue(mode) == "update";
            return Operate.LiveEdit.Commit(parse.GetValue(socket)!, running => update ? ConfigurationMerge.Update(running, config) : config,
                parse.GetValue(force), output, error, "configure load", timeout);
        });
        return cmd;
    }
}
