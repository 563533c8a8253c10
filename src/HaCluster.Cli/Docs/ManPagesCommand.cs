using System.CommandLine;
using HaCluster.Core.Docs;

namespace HaCluster.Cli.Docs;

/// <summary>
/// `hacrm generate-man OUTDIR [--docs DIR]` (hidden; run by packaging/build-deb.sh): hacrm.8
/// from hacrm's own command tree, every command with its arguments and options as --help has
/// them, and, given the docs, cluster.yaml.5 from docs/membership.md's cluster.yaml reference.
/// </summary>
public static class ManPagesCommand
{
    public static Command Build(Func<RootCommand> root)
    {
        var outDir = new Argument<string>("OUTDIR") { Description = "where to write the pages" };
        var docs = new Option<string?>("--docs") { Description = "the docs directory (for cluster.yaml.5)" };
        var cmd = new Command("generate-man", "write the man pages (for packaging)") { outDir, docs };
        cmd.Hidden = true;
        cmd.SetAction(parse =>
        {
            var dir = parse.GetValue(outDir)!;
            Directory.CreateDirectory(dir);
            var version = Version();
            var date = DateOnly.FromDateTime(DateTime.UtcNow);
            File.WriteAllText(Path.Combine(dir, "hacrm.8"), Hacrm(root(), version, date));
            if (parse.GetValue(docs) is { } docsDir)
                File.WriteAllText(Path.Combine(dir, "cluster.yaml.5"), ClusterYaml(File.ReadAllText(Path.Combine(docsDir, "membership.md")), version, date));
            return 0;
        });
        return cmd;
    }

    private static string Version() => ProductVersion.Of(typeof(ManPagesCommand).Assembly);

    public static string Hacrm(RootCommand root, string version, DateOnly date)
    {
        var page = new ManPage("hacrm", 8, version, "HaCluster Manual", date)
            .Section("name").Paragraph("hacrm - configure, inspect and operate a HaCluster cluster")
            .Section("synopsis").Code("hacrm [--socket PATH] COMMAND [ARGS...]")
            .Section("description").Paragraph(root.Description ?? "")
            .Paragraph("Exit status: 0 done (or healthy), 1 refused, invalid or degraded (nothing changed), 2 usage error, 3 the daemon cannot be reached.")
            .Section("commands");
        foreach (var command in root.Subcommands.Where(c => !c.Hidden)) Describe(page, command, "hacrm");
        page.Section("options");
        foreach (var option in root.Options.Where(o => !o.Hidden)) page.Item(OptionTag(option), option.Description ?? "");
        page.Section("files").Item("/run/hacluster/api.sock", "haclusterd's local API socket (root and group haclient)")
            .Section("see also").Paragraph("haclusterd(8), cluster.yaml(5), crm(8), crm_mon(8)");
        return page.ToString();
    }

    private static void Describe(ManPage page, Command command, string prefix)
    {
        var name = $"{prefix} {command.Name}";
        var arguments = string.Concat(command.Arguments.Where(a => !a.Hidden).Select(a => a.Arity.MinimumNumberOfValues == 0 ? $" [{a.Name}]" : $" {a.Name}"));
        var options = command.Options.Any(o => !o.Hidden && o.Name is not ("--help" or "-h")) ? " [options]" : "";
        page.SubSection(name + arguments + options);
        page.Paragraph((command.Description ?? "") + (command.Aliases.Count > 0 ? $" (also: {string.Join(", ", command.Aliases)})" : ""));
        foreach (var a in command.Arguments.Where(a => !a.Hidden)) page.Item(a.Name, a.Description ?? "");
        foreach (var o in command.Options.Where(o => !o.Hidden && o.Name != "--help")) page.Item(OptionTag(o), o.Description ?? "");
        foreach (var sub in command.Subcommands.Where(c => !c.Hidden)) Describe(page, sub, name);
    }

    private static string OptionTag(Option o) => string.Join(", ", new[] { o.Name }.Concat(o.Aliases).OrderBy(n => n.Length));

    public static string ClusterYaml(string membershipDoc, string version, DateOnly date)
    {
        // The reference is docs/membership.md's "## cluster.yaml" section (up to the next "## ").
        var start = membershipDoc.IndexOf("## cluster.yaml", StringComparison.Ordinal);
        var end = membershipDoc.IndexOf("\n## ", start + 3, StringComparison.Ordinal);
        var section = membershipDoc[(membershipDoc.IndexOf('\n', start) + 1)..(end < 0 ? membershipDoc.Length : end)];
        return new ManPage("cluster.yaml", 5, version, "HaCluster Manual", date)
            .Section("name").Paragraph("cluster.yaml - HaCluster's bootstrap configuration: nodes, rings, timers, key, quorum, agents, logging, http")
            .Section("description").FromMarkdown(section)
            .Section("see also").Paragraph("haclusterd(8), hacrm(8)")
            .ToString();
    }
}
