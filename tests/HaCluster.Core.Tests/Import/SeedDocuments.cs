using HaCluster.Core.Membership;

namespace HaCluster.Core.Tests.Import;

/// <summary>
/// The legacy configuration files as the seed documents (../shared/seeds) print them, cut out
/// verbatim: what an operator of each stack has on disk.
/// </summary>
public static class SeedDocuments
{
    private static string[] Lines(string prefix) =>
        File.ReadAllLines(Directory.GetFiles(TestPaths.Seeds, prefix + "_*.txt").Single());

    /// <summary>The lines from the first matching <paramref name="first"/> to the next matching <paramref name="last"/>, both included.</summary>
    private static string Cut(string seed, Func<string, bool> first, Func<string, bool> last)
    {
        var lines = Lines(seed);
        var start = Array.FindIndex(lines, l => first(l));
        if (start < 0) throw new InvalidOperationException($"seed {seed}: start not found");
        var end = Array.FindIndex(lines, start, l => last(l));
        if (end < 0) throw new InvalidOperationException($"seed {seed}: end not found");
        return string.Join("\n", lines[start..(end + 1)]) + "\n";
    }

    /// <summary>Seed 004 (OpenNebula on rgmanager): /etc/cluster/cluster.conf.</summary>
    public static string Seed004ClusterConf() =>
        Cut("004", l => l.StartsWith("<?xml version=\"1.0\"?>", StringComparison.Ordinal), l => l.StartsWith("</cluster>", StringComparison.Ordinal));

    private static string Between(string seed, string first, string last) =>
        Cut(seed, l => l.TrimEnd() == first, l => l.TrimEnd() == last);

    /// <summary>Seed 000 (UEC cloud controller on Heartbeat + Pacemaker): /etc/ha.d/ha.cf.</summary>
    public static string Seed000HaCf() => Between("000", "autojoin none", "crm respawn");

    /// <summary>Seed 000: /etc/ha.d/authkeys ("auth1", run together).</summary>
    public static string Seed000Authkeys() => Between("000", "auth1", "1 md5 password");

    /// <summary>Seed 000: what the operator pastes into <c>crm configure</c> (resources, constraints, properties).</summary>
    public static string Seed000CrmPaste() => Between("000", "primitive res_fs_clc ocf:heartbeat:Filesystem params device=/dev/drbd/by-res/uec-clc directory=/mnt/uecdata fstype=ext4 options=noatime", "property no-quorum-policy=ignore");

    /// <summary>Seed 002 (Xen on DRBD with Heartbeat v1): /etc/ha.d/ha.cf.</summary>
    public static string Seed002HaCf() => Between("002", "logfacility local0", "node ha2.domain.local");

    /// <summary>Seed 002: /etc/ha.d/authkeys.</summary>
    public static string Seed002Authkeys() => Between("002", "auth 1", "1 sha1 SecretKey123!!!");

    /// <summary>Seed 002: /etc/ha.d/haresources.</summary>
    public static string Seed002Haresources() => Between("002", "ha1.domain.local xendomainsHA1", "ha2.domain.local xendomainsHA2");

    /// <summary>
    /// Seed 003 (OpenStack HA guide, DocBook): /etc/corosync/corosync.conf, the guide's
    /// &lt;screen&gt; with the document's rendering taken off (its "|" spacer lines, the
    /// &lt;screen&gt; tags and the callout marks in comments), nothing else changed.
    /// </summary>
    public static string Seed003CorosyncConf()
    {
        var screen = Cut("003", l => l.StartsWith("<screen>totem {", StringComparison.Ordinal), l => l.EndsWith("</screen>", StringComparison.Ordinal));
        var lines = screen.Split('\n').Where(l => l.Trim('|').Length > 0 || l.Length == 0)
            .Select(l => System.Text.RegularExpressions.Regex.Replace(l.Replace("<screen>", "").Replace("</screen>", ""), @"\s*<co xml:id=""[^""]*""/>", ""));
        return string.Join("\n", lines);
    }

    /// <summary>
    /// Seed 001 (keepalived gateway VIP): /etc/keepalived/keepalived.conf with the article's
    /// placeholders filled in with its own examples, as it tells the operator to.
    /// </summary>
    public static string Seed001KeepalivedConf()
    {
        var lines = Lines("001");
        var start = Array.FindIndex(lines, l => l.TrimEnd() == "global_defs {");
        var instance = Array.FindIndex(lines, start, l => l.StartsWith("vrrp_instance ", StringComparison.Ordinal));
        var end = Array.FindIndex(lines, instance, l => l.TrimEnd() == "}");
        return string.Join("\n", lines[start..(end + 1)]).Replace("<SERVER_HOSTNAME>", "cc1.cloud.mycompany.com")
            .Replace("<VIP_ADDRESS>", "192.168.1.50/32").Replace("<PRIV_DEV>", "bond1").Replace("<RANDOM-PASSWORD>", "s3cr3t") + "\n";
    }

    /// <summary>Seed 003: the MySQL resources' crm paste (DocBook rendering taken off as for corosync.conf; its missing '\' kept).</summary>
    public static string Seed003MysqlPaste()
    {
        var screen = Cut("003", l => l.StartsWith("<screen>primitive p_ip_mysql", StringComparison.Ordinal), l => l.EndsWith("</screen>", StringComparison.Ordinal));
        return string.Join("\n", screen.Split('\n').Where(l => l.Trim('|').Length > 0 || l.Length == 0).Select(l => l.Replace("<screen>", "").Replace("</screen>", "")));
    }

    /// <summary>Writes <paramref name="text"/> as <paramref name="name"/> in a fresh directory, as the operator's file.</summary>
    public static string WriteAs(string directory, string name, string text)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, text);
        return path;
    }
}

/// <summary>A scratch directory for one import test: the source files, and the output under <see cref="Out"/>.</summary>
public abstract class ImportTest : IDisposable
{
    protected string Dir { get; } = Path.Combine(Path.GetTempPath(), $"import-{Guid.NewGuid():N}");

    protected string Out => Path.Combine(Dir, "out");

    /// <summary>Writes the files into the scratch directory and runs hacrm import on them, in that order.</summary>
    protected (int Exit, string Out, string Err) Import(IEnumerable<(string Name, string Text)> files, params string[] extra) =>
        HaCluster.Core.Tests.Cli.CliRunner.Run(["import", .. files.Select(f => SeedDocuments.WriteAs(Dir, f.Name, f.Text)), "--out", Out, .. extra]);

    /// <summary>The imported cluster.yaml, read as the daemon reads it: it must have no errors.</summary>
    protected ClusterBootstrap Membership()
    {
        var result = ClusterBootstrapReader.ReadFile(Path.Combine(Out, "cluster.yaml"));
        Xunit.Assert.False(result.HasErrors, string.Join("\n", result.Diagnostics));
        return result.Config!;
    }

    public void Dispose()
    {
        if (Directory.Exists(Dir)) Directory.Delete(Dir, recursive: true);
        GC.SuppressFinalize(this);
    }
}
