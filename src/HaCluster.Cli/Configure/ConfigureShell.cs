using HaCluster.Cli.Status;
using HaCluster.Core.Api;
using HaCluster.Core.Cib;
using HaCluster.Core.Cib.Syntax;

namespace HaCluster.Cli.Configure;

/// <summary>
/// <c>hacrm configure</c> with no subcommand: crm shell's configure level, interactive on a
/// terminal or batch from stdin (<c>hacrm configure &lt; file</c>). It starts from the running
/// configuration and its version; statements (primitive, group, ms, location, order, property,
/// ...) edit a working copy, checked as they are entered (errors are <c>stdin:LINE:COL</c>, the
/// statement is dropped); <c>show</c>, <c>verify</c>, <c>delete ID</c>, <c>edit</c> (in $EDITOR),
/// <c>commit [force]</c>, <c>quit</c>. A commit is one new CIB version and is refused when the
/// CIB changed since this session read it (unless <c>commit force</c>). At a terminal, leaving with
/// changes not committed discards them (it asks to quit twice); batch input that ends with changes
/// commits them, as crm shell does, unless a statement failed.
/// </summary>
public sealed class ConfigureShell(string socket, TextReader input, TextWriter output, TextWriter error, bool interactive)
{
    /// <summary>At a terminal: line editing with history and Tab completion (<see cref="LineEditor"/>); null reads <c>input</c> as it is.</summary>
    public LineEditor? Editor { get; init; }

    /// <summary>What Tab offers: the shell's words first, then the ids of the working configuration.</summary>
    public IEnumerable<string> Completions(string before)
    {
        var words = before.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var first = words.Length == 0 || (words.Length == 1 && !before.EndsWith(' '));
        if (first) return Verbs;
        return _working.AllResources().Select(r => r.Id).Concat(_working.Constraints.Select(c => c.Id)).Concat(_working.Nodes.Select(n => n.Uname))
            .Concat(["params", "meta", "op", "monitor", "start", "stop", "inf:", "-inf:", "xml", "yaml", "force"]);
    }

    private static readonly string[] Verbs =
    [
        "primitive", "group", "clone", "ms", "location", "colocation", "order", "rsc_ticket", "property", "rsc_defaults", "op_defaults",
        "node", "tag", "rsc_template", "alert", "health_check", "fencing_topology", "show", "verify", "diff", "delete", "edit", "erase", "commit", "quit", "help",
    ];

    /// <summary>--wait: after each commit, wait this long at most for the cluster to carry it out.</summary>
    public TimeSpan? WaitAfterCommit { get; init; }

    /// <summary>Where statements come from, as error locations name it.</summary>
    public string Source { get; init; } = "stdin";
    private ClusterConfig _working = ClusterConfig.Empty;
    private ClusterConfig _committed = ClusterConfig.Empty;
    private string? _baseVersion;
    private bool _failed;
    private int _line;

    private bool Pending => CrmPrinter.Print(_working) != CrmPrinter.Print(_committed);

    /// <summary>Reads the running configuration and its version; the exit status when the daemon cannot be reached.</summary>
    private int? Load()
    {
        var status = ApiClient.Call(socket, new ApiRequest("status"), out var problem);
        if (status?.Status is not { } current)
        {
            error.WriteLine($"hacrm configure: {problem ?? status?.Error}");
            return StatusCommand.ExitUnreachable;
        }
        _committed = _working = current.RunningConfiguration();
        _baseVersion = current.CibVersion;
        _picture = current.CibXml;
        return null;
    }

    /// <summary>The DC's last status picture (CIB XML), for plans.</summary>
    private string? _picture;

    public int Run()
    {
        if (Load() is { } unreachable) return unreachable;
        if (interactive) output.WriteLine($"configuring the running cluster (CIB {_baseVersion ?? "empty"}); 'help' lists the commands");
        var quitAsked = false;
        while (ReadStatement() is { } statement)
        {
            var (text, startLine) = statement;
            var words = text.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            var verb = words[0];
            if (verb is "quit" or "exit" or "bye" or "end" or "up" or "q")
            {
                if (!Pending) return _failed ? ConfigureCommands.ExitInvalid : ConfigureCommands.ExitOk;
                if (!interactive) return CommitAtEnd(startLine);
                if (quitAsked) return ConfigureCommands.ExitOk;
                error.WriteLine("there are changes not committed: 'commit' them, or 'quit' again to discard them");
                quitAsked = true;
                continue;
            }
            quitAsked = false;
            switch (verb)
            {
                case "help" or "?":
                    Help();
                    break;
                case "show":
                    Show(words.Skip(1).ToList());
                    break;
                case "diff" or "plan":
                    Plan();
                    break;
                case "verify":
                    Verify(startLine);
                    break;
                case "commit":
                    Commit(force: words.Skip(1).Any(w => w is "force" or "--force"), startLine);
                    break;
                case "delete" or "rm":
                    Delete(words.Skip(1).ToList(), startLine);
                    break;
                case "edit":
                    Edit(startLine);
                    break;
                case "erase":
                    _working = _working with { Resources = EquatableArray<Resource>.Empty, Constraints = EquatableArray<Constraint>.Empty, Templates = EquatableArray<ResourceTemplate>.Empty, Tags = EquatableArray<Tag>.Empty };
                    break;
                default:
                    Add(text, startLine);
                    break;
            }
        }
        // End of input.
        if (Pending)
        {
            if (!interactive) return CommitAtEnd(_line);
            error.WriteLine($"{Source}:{_line}:1: error: end of input with changes not committed: discarded (end with 'commit')");
            return ConfigureCommands.ExitInvalid;
        }
        return _failed ? ConfigureCommands.ExitInvalid : ConfigureCommands.ExitOk;
    }

    /// <summary>
    /// Batch input that ends (or quits) with changes: committed, as crm shell commits when not
    /// interactive, unless a statement failed (then nothing is committed: half a batch is not what
    /// anyone asked for).
    /// </summary>
    private int CommitAtEnd(int line)
    {
        if (_failed)
        {
            error.WriteLine($"{Source}:{line}:1: error: not committed: a statement above failed; nothing was changed");
            return ConfigureCommands.ExitInvalid;
        }
        Commit(force: false, line);
        return _failed ? ConfigureCommands.ExitInvalid : ConfigureCommands.ExitOk;
    }

    /// <summary>`hacrm configure edit`: the running configuration in $EDITOR, then committed (based on the version read) if it changed and is valid.</summary>
    public int RunEdit()
    {
        if (Load() is { } unreachable) return unreachable;
        Edit(0, needTerminal: false);
        if (_failed) return ConfigureCommands.ExitInvalid;
        if (!Pending)
        {
            output.WriteLine("no change");
            return ConfigureCommands.ExitOk;
        }
        Commit(force: false, 0);
        return _failed ? ConfigureCommands.ExitInvalid : ConfigureCommands.ExitOk;
    }

    /// <summary>One statement: continuation lines (trailing backslash) joined, comments and blank lines skipped.</summary>
    private (string Text, int Line)? ReadStatement()
    {
        var text = new System.Text.StringBuilder();
        var start = 0;
        while (true)
        {
            var prompt = text.Length == 0 ? "hacrm(live)configure# " : "> ";
            string? line;
            if (Editor is { } editor) line = editor.ReadLine(prompt);
            else
            {
                if (interactive) output.Write(prompt);
                output.Flush();
                line = input.ReadLine();
            }
            if (line is null) return text.Length > 0 ? (text.ToString(), start) : null;
            _line++;
            var trimmed = line.Trim();
            if (text.Length == 0 && (trimmed.Length == 0 || trimmed.StartsWith('#'))) continue;
            if (text.Length == 0) start = _line;
            if (trimmed.EndsWith('\\'))
            {
                text.Append(trimmed[..^1]).Append(' ');
                continue;
            }
            text.Append(trimmed);
            return (text.ToString(), start);
        }
    }

    /// <summary>A configuration statement: checked together with the working copy, then added to it.</summary>
    private void Add(string statement, int line)
    {
        var before = CrmPrinter.Print(_working);
        var beforeLines = before.Split('\n').Length;
        var parsed = CrmParser.Parse(before + "\n" + statement + "\n", Source);
        var mine = parsed.Diagnostics.Where(d => d.Location is null || d.Location.Value.Line > beforeLines).ToList();
        foreach (var d in mine) error.WriteLine(Relocate(d, beforeLines, line));
        if (parsed.Config is null || mine.Any(d => d.IsError))
        {
            _failed = true;
            if (parsed.Diagnostics.Any(d => d.IsError && d.Message.Contains("duplicate id", StringComparison.Ordinal)))
                error.WriteLine($"{Source}:{line}:1: note: to change an object that exists, 'delete' it first or use 'edit'");
            return;
        }
        _working = parsed.Config;
    }

    /// <summary>A diagnostic found in the combined text, told in the input's own lines.</summary>
    private static string Relocate(Diagnostic d, int offset, int statementLine)
    {
        if (d.Location is not { } at) return d.ToString();
        return (d with { Location = at with { Line = statementLine + (at.Line - offset - 1) } }).ToString();
    }

    /// <summary>What committing the working copy would change: the configuration's lines, and what the cluster would then do.</summary>
    private void Plan() => ConfigurationPlan.Print(_committed, _working, _picture, output);

    private void Show(List<string> ids)
    {
        if (ids is ["xml" or "yaml"])
        {
            output.Write(ConfigurationFiles.Write(_working, ids[0] == "xml" ? ConfigurationFormat.Xml : ConfigurationFormat.Yaml));
            return;
        }
        var text = CrmPrinter.Print(_working);
        if (ids.Count == 0)
        {
            output.Write(text);
            return;
        }
        // The statements that define the named objects (a statement starts a line; continuation lines follow it).
        var statements = new List<List<string>>();
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0) continue;
            if (!char.IsWhiteSpace(line[0]) || statements.Count == 0) statements.Add([]);
            statements[^1].Add(line);
        }
        foreach (var s in statements)
        {
            var head = s[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (head.Length > 1 && ids.Contains(head[1].TrimEnd(':'))) output.WriteLine(string.Join('\n', s));
        }
    }

    private bool Verify(int line)
    {
        var check = CrmParser.Parse(CrmPrinter.Print(_working), Source);
        var problems = check.Diagnostics.ToList();
        foreach (var d in problems) error.WriteLine(d.Location is null ? $"{Source}:{line}:1: {d}" : d.ToString());
        if (check.HasErrors) { _failed = true; return false; }
        if (interactive || problems.Count == 0) output.WriteLine("configuration is valid" + (problems.Count > 0 ? $" ({ConfigureCommands.Plural(problems.Count, "warning")})" : ""));
        return true;
    }

    private void Commit(bool force, int line)
    {
        if (!Pending)
        {
            output.WriteLine("nothing to commit");
            return;
        }
        if (!Verify(line)) { error.WriteLine($"{Source}:{line}:1: error: not committed: fix the errors above"); return; }
        var reply = ApiClient.Call(socket, ApiRequest.Commit(_working, _baseVersion, force), out var problem, TimeSpan.FromSeconds(40));
        if (reply is null || !reply.Ok)
        {
            error.WriteLine($"{Source}:{line}:1: error: not committed: {problem ?? reply?.Error}" +
                            (Core.Control.StaleBase.Refused(reply?.Error) ? " ('commit force' overrides)" : ""));
            _failed = true;
            return;
        }
        output.WriteLine($"committed: CIB version {reply.Version}");
        if (WaitAfterCommit is { } timeout && Operate.Settle.Wait(socket, reply.Version, timeout, output, error, "configure") != 0) _failed = true;
        _committed = _working;
        _baseVersion = reply.Version;
    }

    private void Delete(List<string> ids, int line)
    {
        foreach (var id in ids)
        {
            var edited = ConfigurationEdits.Delete(_working, id);
            if (edited is null)
            {
                error.WriteLine($"{Source}:{line}:1: error: delete: no object '{id}'");
                _failed = true;
                continue;
            }
            _working = edited;
        }
    }

    /// <summary>The whole working copy in $EDITOR (a terminal only); what comes back replaces it if it is valid.</summary>
    private void Edit(int line, bool needTerminal = true)
    {
        var editor = Environment.GetEnvironmentVariable("VISUAL") ?? Environment.GetEnvironmentVariable("EDITOR");
        if ((needTerminal && !interactive) || string.IsNullOrEmpty(editor))
        {
            error.WriteLine($"{Source}:{line}:1: error: edit needs a terminal and $EDITOR; in batch input, 'delete' and re-add the object");
            _failed = true;
            return;
        }
        var file = Path.Combine(Path.GetTempPath(), $"hacrm-edit-{Environment.ProcessId}.crm");
        File.WriteAllText(file, CrmPrinter.Print(_working));
        try
        {
            // The editor gets the file name as its own argument (no shell in between).
            using (var p = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(editor) { ArgumentList = { file }, UseShellExecute = false }))
                p?.WaitForExit();
            var parsed = CrmParser.Parse(File.ReadAllText(file), file);
            foreach (var d in parsed.Diagnostics) error.WriteLine(d.ToString());
            if (parsed.HasErrors) { error.WriteLine("not changed: the edited configuration has errors"); return; }
            _working = parsed.Config!;
        }
        finally
        {
            File.Delete(file);
        }
    }

    private void Help() => output.WriteLine("""
        statements: primitive, group, clone, ms, location, colocation, order, rsc_ticket, property,
                    rsc_defaults, op_defaults, node, tag, template (crm shell syntax; '\' continues a line)
        show [ID...]    print the working configuration (or those objects); show xml, show yaml
        diff            what committing would change: the lines, and what the cluster would do
        verify          check the working configuration
        delete ID...    remove objects (a group's members stay, as top-level resources)
        edit            the whole working configuration in $EDITOR
        commit [force]  make it the running configuration (force: even if the CIB changed meanwhile)
        quit            leave (changes not committed are discarded)
        """);
}
