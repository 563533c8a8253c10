using System.CommandLine;
using HaCluster.Agents.Metadata;
using HaCluster.Cli.Agents;
using HaCluster.Cli.Status;
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
        var configure = new Command("configure", "edit the running configuration (crm shell's configure level: interactive, batch from stdin, or one statement: hacrm configure primitive ...); check, convert, show, diff and load configuration files")
        {
            // `hacrm configure property X=Y`, `hacrm configure primitive ...`: one statement, committed.
            TreatUnmatchedTokensAsErrors = false,
        };
        var wait = Operate.LiveEdit.WaitOption();
        configure.Add(wait);
        configure.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            if (!Operate.LiveEdit.TryWait(parse, wait, error, "configure", out var timeout)) return ExitUsage;
            if (parse.UnmatchedTokens.Count > 0)
                return new ConfigureShell(parse.GetValue(socket)!, new StringReader(Statement(parse.UnmatchedTokens) + "\n"), output, error, interactive: false)
                    { Source = "<command line>", WaitAfterCommit = timeout }.Run();
            // No statement: the shell (interactive at a terminal; batch input is committed at its end).
            ConfigureShell? shell = null;
            shell = new ConfigureShell(parse.GetValue(socket)!, StandardInput.Reader, output, error, StandardInput.IsTerminal)
            {
                WaitAfterCommit = timeout,
                Editor = StandardInput.IsTerminal && !Console.IsOutputRedirected ? new LineEditor(before => shell!.Completions(before), LineEditor.DefaultHistoryFile()) : null,
            };
            return shell.Run();
        });
        configure.Add(LoadCommand.Build(socket));
        configure.Add(BuildVerify());
        configure.Add(BuildConvert());
        configure.Add(BuildShow(socket));
        configure.Add(BuildDiff(socket));
        configure.Add(BuildEdit(socket));
        return configure;
    }

    /// <summary>Command-line words as one crm statement: a word the shell unquoted gets its quotes back.</summary>
    internal static string Statement(IEnumerable<string> words) => string.Join(' ', words.Select(w =>
    {
        if (!w.Any(char.IsWhiteSpace) && !w.Contains('"')) return w;
        var eq = w.IndexOf('=');
        return eq > 0 && !w[..eq].Any(char.IsWhiteSpace) ? $"{w[..eq]}={CrmText.QuoteValue(w[(eq + 1)..])}" : CrmText.Quote(w);
    }));

    private static Command BuildDiff(Option<string> socket)
    {
        var file = new Argument<string>("FILE") { Description = "the configuration to compare with the running one (crm, xml or yaml; '-' for stdin)" };
        var format = FormatOption();
        var cmd = new Command("diff", "what loading FILE would change: the configuration's lines, and what the cluster would then start, stop, move (the DC's scheduler on its last status)") { file, format };
        cmd.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var path = parse.GetValue(file)!;
            var result = Load(path, parse.GetValue(format), error, out var exit);
            if (result is null) return exit;
            foreach (var d in result.Diagnostics) error.WriteLine(Describe(d, path));
            if (result.HasErrors) return ExitInvalid;
            var status = ApiClient.Call(parse.GetValue(socket)!, new Core.Api.ApiRequest("status"), out var problem);
            if (status?.Status is not { } current)
            {
                error.WriteLine($"hacrm configure diff: {problem ?? status?.Error}");
                return StatusCommand.ExitUnreachable;
            }
            ConfigurationPlan.Print(current.RunningConfiguration(), result.Config!, current.CibXml, output);
            return ExitOk;
        });
        return cmd;
    }

    private static Command BuildEdit(Option<string> socket)
    {
        var cmd = new Command("edit", "the running configuration in $EDITOR (crm syntax); committed when it changed and is valid, refused if the CIB changed meanwhile");
        cmd.SetAction(parse => new ConfigureShell(parse.GetValue(socket)!, TextReader.Null, parse.InvocationConfiguration.Output,
            parse.InvocationConfiguration.Error, StandardInput.IsTerminal).RunEdit());
        return cmd;
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

    private static Command BuildShow(Option<string> socket)
    {
        var what = new Argument<string[]>("WHAT") { Description = "nothing: the running configuration; xml or yaml: in that syntax; OBJ...: those objects; FILE (a file that exists, or '-'): that file", Arity = ArgumentArity.ZeroOrMore };
        var format = FormatOption();
        var cmd = new Command("show", "print the running configuration (like crm configure show), some of its objects, or a configuration file, in canonical syntax") { what, format };
        cmd.SetAction(parse =>
        {
            var args = parse.GetValue(what) ?? [];
            if (args is [var file] && (file == "-" || File.Exists(file))) return Print(parse, file, parse.GetValue(format), ConfigurationFormat.Crm);
            return new ConfigureShell(parse.GetValue(socket)!, new StringReader("show " + string.Join(' ', args) + "\n"),
                parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, interactive: false).Run();
        });
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
