using System.CommandLine;
using System.Net;
using HaCluster.Cli.Configure;
using HaCluster.Core.Cib.Syntax;
using HaCluster.Core.Import;
using HaCluster.Core.Membership;

namespace HaCluster.Cli.Import;

/// <summary>
/// <c>hacrm import FILE... --out DIR [--from FORMAT] [--node NAME=ADDR[,ADDR2]]...</c>: a legacy
/// stack's files into DIR/cluster.yaml, DIR/cib.crm and a new key, with a report of what every
/// source line became. Both outputs are read back by HaCluster's own readers before anything is
/// written: an import never leaves a file the daemon would refuse.
/// </summary>
public static class ImportCommand
{
    public static Command Build()
    {
        var files = new Argument<string[]>("FILE") { Description = "the legacy configuration files", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--out", "-o") { Description = "the directory to write cluster.yaml, cib.crm and authkey to", Required = true };
        var from = new Option<string?>("--from") { Description = "heartbeat, keepalived, corosync, rgmanager or pacemaker (default: told from the content)" };
        var nodes = new Option<string[]>("--node") { Description = "a node's addresses where the source has none: NAME=ADDR[,ADDR2] (repeatable)" };
        var cmd = new Command("import", "translate a Heartbeat, keepalived, Corosync, rgmanager or Pacemaker configuration") { files, output, from, nodes };
        cmd.SetAction(parse => Run(parse.GetValue(files)!, parse.GetValue(output)!, parse.GetValue(from), parse.GetValue(nodes) ?? [],
            parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error));
        return cmd;
    }

    private static int Run(string[] files, string outDir, string? from, string[] nodeOptions, TextWriter output, TextWriter error)
    {
        var addresses = new Dictionary<string, IReadOnlyList<IPAddress>>();
        var nodeList = new List<(string Name, IReadOnlyList<IPAddress> Addresses)>();
        foreach (var option in nodeOptions)
        {
            if (ParseNode(option) is not { } node)
            {
                error.WriteLine($"hacrm import: --node '{option}' is not NAME=ADDR[,ADDR2]");
                return ConfigureCommands.ExitUsage;
            }
            addresses[node.Name] = node.Addresses;
            nodeList.Add(node);
        }
        SourceFormat? format = null;
        if (from is not null)
        {
            if (!Enum.TryParse<SourceFormat>(from, ignoreCase: true, out var f))
            {
                error.WriteLine($"hacrm import: --from '{from}' is not one of heartbeat, keepalived, corosync, rgmanager, pacemaker");
                return ConfigureCommands.ExitUsage;
            }
            format = f;
        }
        var texts = new List<(string File, string Text)>();
        var binary = new List<(string File, byte[] Bytes)>();
        foreach (var file in files)
        {
            try
            {
                var bytes = File.ReadAllBytes(file);
                // A binary file among them is a key (corosync's authkey): not a configuration.
                if (CorosyncImport.IsAuthkey(bytes)) binary.Add((file, bytes));
                else texts.Add((file, System.Text.Encoding.UTF8.GetString(bytes).TrimStart('\uFEFF')));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                error.WriteLine($"hacrm import: cannot read {file}: {e.Message}");
                return ConfigureCommands.ExitInvalid;
            }
        }
        // A CIB or a crm configure batch carries the resources; the other files the membership.
        var cibs = texts.Where(t => PacemakerImport.IsCib(t.Text)).ToList();
        var batches = texts.Where(t => !PacemakerImport.IsCib(t.Text) && PacemakerImport.IsCrmBatch(t.Text)).ToList();
        texts = texts.Except(cibs).Except(batches).ToList();
        if (texts.Count == 0 && (cibs.Count > 0 || batches.Count > 0)) format ??= SourceFormat.Pacemaker;
        format ??= SourceDetection.Detect(texts.Select(t => t.Text));
        if (format is null)
        {
            error.WriteLine($"hacrm import: cannot tell what {string.Join(", ", files)} {(files.Length == 1 ? "is" : "are")}; say it with --from");
            return ConfigureCommands.ExitInvalid;
        }
        if (format == SourceFormat.Pacemaker && cibs.Count == 0)
        {
            error.WriteLine("hacrm import: --from pacemaker takes a CIB (cibadmin -Q output)");
            return ConfigureCommands.ExitInvalid;
        }
        var imported = format == SourceFormat.Pacemaker ? null : Membership(format.Value, texts, binary, addresses, nodeList, error);
        if (format != SourceFormat.Pacemaker && imported is null) return ConfigureCommands.ExitInvalid;
        foreach (var (file, text) in cibs) imported = PacemakerImport.Translate(text, file, imported, addresses);
        foreach (var (file, text) in batches) PacemakerImport.AddCrmBatch(text, file, imported!);
        return Write(imported!, outDir, string.Join(", ", files.Select(Path.GetFileName)), output, error);
    }

    /// <summary>The membership (and, for Heartbeat and rgmanager, the resources) from the stack's own files.</summary>
    private static ImportedCluster? Membership(SourceFormat format, List<(string File, string Text)> texts, List<(string File, byte[] Bytes)> binary,
        Dictionary<string, IReadOnlyList<IPAddress>> addresses, List<(string Name, IReadOnlyList<IPAddress> Addresses)> nodeList, TextWriter error)
    {
        if (texts.Count == 0)
        {
            error.WriteLine($"hacrm import: no {format.ToString().ToLowerInvariant()} configuration file among the files");
            return null;
        }
        var (file0, text0) = texts[0];
        ImportedCluster imported;
        switch (format)
        {
            case SourceFormat.Rgmanager:
                imported = RgmanagerImport.Translate(text0, file0, addresses);
                foreach (var extra in texts.Skip(1)) imported.NotMapped(extra.File, 0, "cluster.conf holds the whole configuration: this file was not read");
                break;
            case SourceFormat.Heartbeat:
                imported = HeartbeatImport.Translate(texts, addresses);
                break;
            case SourceFormat.Corosync:
                var key = binary.FirstOrDefault();
                imported = CorosyncImport.Translate(text0, file0, key.Bytes, key.File, addresses);
                foreach (var extra in texts.Skip(1)) imported.NotMapped(extra.File, 0, "corosync.conf holds the membership: this file was not read (a CIB is imported on its own, --from pacemaker)");
                break;
            case SourceFormat.Keepalived:
                imported = KeepalivedImport.Translate(texts, nodeList);
                break;
            default:
                error.WriteLine($"hacrm import: importing from {format.ToString().ToLowerInvariant()} takes a CIB (cibadmin -Q output)");
                return null;
        }
        // Only corosync's first authkey is read: any other binary file is said to be left out.
        foreach (var (file, _) in binary.Skip(format == SourceFormat.Corosync ? 1 : 0))
            imported.NotMapped(file, 0, "a binary file, not a configuration: not read");
        return imported;
    }

    /// <summary>Checks both outputs with HaCluster's own readers, then writes them, the key and the report.</summary>
    private static int Write(ImportedCluster imported, string outDir, string source, TextWriter output, TextWriter error)
    {
        foreach (var e in imported.Errors) error.WriteLine($"hacrm import: {e}");
        if (imported.Errors.Count > 0) return ConfigureCommands.ExitInvalid;
        var keyPath = Path.Combine(Path.GetFullPath(outDir), "authkey");
        var yaml = imported.ClusterYaml(keyPath);
        var crm = imported.CibCrm(source);
        var membership = ClusterBootstrapReader.Parse(yaml, "cluster.yaml");
        var cib = ConfigurationFiles.ParseAndValidate(crm, "cib.crm", ConfigurationFormat.Crm);
        if (membership.HasErrors || cib.HasErrors)
        {
            error.WriteLine("hacrm import: the translation is not a configuration HaCluster accepts (nothing written):");
            foreach (var d in membership.Diagnostics.Concat(cib.Diagnostics).Where(d => d.IsError)) error.WriteLine($"  {d}");
            return ConfigureCommands.ExitInvalid;
        }
        try
        {
            Directory.CreateDirectory(outDir);
            File.WriteAllText(Path.Combine(outDir, "cluster.yaml"), yaml);
            File.WriteAllText(Path.Combine(outDir, "cib.crm"), crm);
            if (File.Exists(keyPath)) imported.KeyNote = $"kept the key already at {keyPath}";
            else if (imported.Key is { } key)
            {
                // Created 0600, never readable by others even for a moment.
                using var stream = new FileStream(keyPath, new FileStreamOptions
                {
                    Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                });
                stream.Write(key);
            }
            else ClusterKey.WriteNew(keyPath);
            var report = string.Join("\n", imported.Report.OrderBy(r => r.File, StringComparer.Ordinal).ThenBy(r => r.Line).Select(r => r.ToString()));
            File.WriteAllText(Path.Combine(outDir, "import-report.txt"), report + "\n");
            output.WriteLine(report);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"hacrm import: cannot write to {outDir}: {e.Message}");
            return ConfigureCommands.ExitInvalid;
        }
        output.WriteLine();
        output.WriteLine($"wrote {Path.Combine(outDir, "cluster.yaml")}, {Path.Combine(outDir, "cib.crm")} and {keyPath} ({imported.KeyNote}; mode 0600, copy it to every node)");
        var (mapped, lines) = imported.Coverage;
        output.WriteLine($"{mapped} of {lines} source lines mapped ({(lines == 0 ? 0 : 100.0 * mapped / lines):0}%); {imported.Report.Count(r => !r.Mapped)} not mapped or noted (above)");
        return ConfigureCommands.ExitOk;
    }

    private static (string Name, IReadOnlyList<IPAddress> Addresses)? ParseNode(string option)
    {
        var eq = option.IndexOf('=');
        if (eq <= 0) return null;
        var list = new List<IPAddress>();
        foreach (var a in option[(eq + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!IPAddress.TryParse(a, out var ip)) return null;
            list.Add(ip);
        }
        return list.Count == 0 ? null : (option[..eq], list);
    }
}
