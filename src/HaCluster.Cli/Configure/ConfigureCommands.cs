using System.CommandLine;
using HaCluster.Agents.Metadata;
using HaCluster.Cli.Agents;
using HaCluster.Core.Cib;
using HaCluster.Core.Cib.Syntax;

namespace HaCluster.Cli.Configure;

/// <summary>
/// <c>hacrm configure verify|convert|show</c>: offline checks and conversions of configuration
/// files, how operators check a change before committing it.
/// </summary>
public static class ConfigureCommands
{
    public const int ExitOk = 0;
    public const int ExitInvalid = 1;
    public const int ExitUsage = 2;

    /// <summary>"1 warning", "2 warnings".</summary>
    internal static string Plural(int count, string noun) => count == 1 ? $"1 {noun}" : $"{count} {noun}s";

    public static Command Build(Option<string> socket)
    {
        var configure = new Command("configure", "edit the running configuration (crm shell's configure level: interactive, or batch from stdin); check, convert, show and load configuration files");
        // No subcommand: the shell, on the running cluster.
        configure.SetAction(parse => new ConfigureShell(parse.GetValue(socket)!, StandardInput.Reader,
            parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, StandardInput.IsTerminal).Run());
        configure.Add(LoadCommand.Build(socket));
        configure.Add(BuildVerify());
        configure.Add(BuildConvert());
        configure.Add(BuildShow());
        return configure;
    }

    private static Option<string?> FormatOption() => new("--format", "-f")
    {
        Description = "input syntax: crm, xml or yaml (default: by file extension; crm for stdin)",
    };

    private static Command BuildVerify()
    {
        var files = new Argument<string[]>("FILE") { Description = "configuration files ('-' for stdin)", Arity = ArgumentArity.OneOrMore };
        var format = FormatOption();
        var strict = new Option<bool>("--strict") { Description = "treat warnings as errors" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "print errors only, not warnings" };
        var agents = new Option<bool>("--agents") { Description = "also warn about agents not installed on this machine (installed agents' parameters are always checked)" };
        var noAgents = new Option<bool>("--no-agents") { Description = "do not check parameters against the agents installed here" };
        var cmd = new Command("verify", "check configuration files; exit 0 if valid, 1 with errors on stderr") { files, format, strict, quiet, agents, noAgents };
        cmd.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var worst = ExitOk;
            foreach (var file in parse.GetValue(files)!)
            {
                var result = Load(file, parse.GetValue(format), error, out var exit);
                if (result is null) { worst = Math.Max(worst, exit); continue; }
                if (!parse.GetValue(noAgents) && result.Config is not null)
                {
                    // Like crm verify: parameters are checked against the agents' own meta-data.
                    var findings = AgentParameterCheck.CheckAsync(result, RaCommands.Runner(null), parse.GetValue(agents)).GetAwaiter().GetResult();
                    result = result with { Diagnostics = [.. result.Diagnostics, .. findings] };
                }
                var failed = result.HasErrors || (parse.GetValue(strict) && result.Diagnostics.Any());
                foreach (var d in result.Diagnostics)
                    if (d.IsError || !parse.GetValue(quiet)) error.WriteLine(Describe(d, file));
                if (failed) worst = Math.Max(worst, ExitInvalid);
                else
                {
                    var c = result.Config!;
                    output.WriteLine($"{file}: ok ({Plural(c.Nodes.Count, "node")}, {Plural(c.AllResources().OfType<Primitive>().Count(), "primitive")}, " +
                                     $"{Plural(c.Resources.Count, "top-level resource")}, {Plural(c.Constraints.Count, "constraint")}" +
                                     (result.Diagnostics.Count > 0 ? $", {Plural(result.Diagnostics.Count, "warning")}" : "") + ")");
                }
            }
            return worst;
        });
        return cmd;
    }

    private static Command BuildConvert()
    {
        var file = new Argument<string>("FILE") { Description = "configuration file ('-' for stdin)" };
        var format = FormatOption();
        var to = new Option<string>("--to", "-t") { Description = "output syntax: crm, xml or yaml", Required = true };
        to.AcceptOnlyFromAmong("crm", "xml", "yaml");
        var cmd = new Command("convert", "print a configuration in another syntax") { file, format, to };
        cmd.SetAction(parse => Print(parse, parse.GetValue(file)!, parse.GetValue(format), ConfigurationFiles.ParseFormatName(parse.GetValue(to)!)!.Value));
        return cmd;
    }

    private static Command BuildShow()
    {
        var file = new Argument<string>("FILE") { Description = "configuration file ('-' for stdin)" };
        var format = FormatOption();
        var cmd = new Command("show", "print a configuration in canonical crm syntax") { file, format };
        cmd.SetAction(parse => Print(parse, parse.GetValue(file)!, parse.GetValue(format), ConfigurationFormat.Crm));
        return cmd;
    }

    private static int Print(System.CommandLine.ParseResult parse, string file, string? formatName, ConfigurationFormat target)
    {
        var error = parse.InvocationConfiguration.Error;
        var result = Load(file, formatName, error, out var exit);
        if (result is null) return exit;
        foreach (var d in result.Diagnostics) error.WriteLine(Describe(d, file));
        if (result.HasErrors) return ExitInvalid;
        parse.InvocationConfiguration.Output.Write(ConfigurationFiles.Write(result.Config!, target));
        return ExitOk;
    }

    /// <summary>Reads and validates one file; null (with an exit code) when it cannot even be read.</summary>
    internal static Core.Cib.ParseResult? Load(string file, string? formatName, TextWriter error, out int exit, bool validate = true)
    {
        exit = ExitOk;
        ConfigurationFormat? format = formatName is null ? null : ConfigurationFiles.ParseFormatName(formatName);
        if (formatName is not null && format is null)
        {
            error.WriteLine($"hacrm: unknown format '{formatName}' (crm, xml, yaml)");
            exit = ExitUsage;
            return null;
        }
        format ??= file == "-" ? ConfigurationFormat.Crm : ConfigurationFiles.FormatFromExtension(file);
        if (format is null)
        {
            error.WriteLine($"{file}: cannot tell the syntax from the extension; use --format crm|xml|yaml");
            exit = ExitUsage;
            return null;
        }
        // Read as it comes: a CIB with the status of a large cluster is hundreds of megabytes.
        // Opening and reading fail alike (FILE: message).
        var name = file == "-" ? "<stdin>" : file;
        TextReader? input = null;
        try
        {
            input = file == "-" ? Console.In : File.OpenText(file);
            return validate ? ConfigurationFiles.ParseAndValidate(input, name, format.Value) : ConfigurationFiles.Parse(input, name, format.Value);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"{file}: {e.Message}");
            exit = ExitInvalid;
            return null;
        }
        finally
        {
            if (file != "-") input?.Dispose();
        }
    }

    /// <summary>FILE:LINE:COL: error: message, or FILE: error: message when the place is unknown.</summary>
    internal static string Describe(Diagnostic d, string file) =>
        d.Location is null ? $"{(file == "-" ? "<stdin>" : file)}: {d}" : d.ToString();
}
