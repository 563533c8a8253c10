using System.Diagnostics;
using HaCluster.Core.Membership;

namespace HaCluster.Cluster.Tests;

/// <summary>Runs alone: building the package compiles hacrm ahead of time, which would starve the timing-sensitive cluster tests.</summary>
[CollectionDefinition("package", DisableParallelization = true)]
public sealed class PackageCollection;

/// <summary>
/// packaging/build-deb.sh's .deb, as an operator gets it: lintian-clean (each exception
/// explained), installed with dpkg, hacrm and haclusterd run from the installed paths, man pages,
/// completion, group and directories in place; purged, nothing left.
/// </summary>
[Collection("package")]
public sealed class PackageTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("hacluster-deb-").FullName;

    public void Dispose()
    {
        Run("dpkg", ["--purge", "hacluster"]);
        Directory.Delete(dir, recursive: true);
    }

    private static (int Exit, string Output) Run(string program, string[] args, int timeoutSeconds = 120)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeoutSeconds * 1000))
        {
            p.Kill(entireProcessTree: true);
            return (-1, $"{program} timed out after {timeoutSeconds}s");
        }
        return (p.ExitCode, output.Result + error.Result);
    }

    [Fact]
    public void The_package_is_lintian_clean_installs_runs_and_purges_without_a_trace()
    {
        var build = Run("bash", [Path.Combine(TestCluster.RepoRoot(), "packaging", "build-deb.sh"), dir], timeoutSeconds: 900);
        Assert.True(build.Exit == 0, build.Output);
        var version = File.ReadAllText(Path.Combine(TestCluster.RepoRoot(), "packaging", "VERSION")).Trim();
        var deb = Path.Combine(dir, $"hacluster_{version}_amd64.deb");
        Assert.True(File.Exists(deb), build.Output);

        var lintian = Run("lintian", ["--fail-on", "error,warning", deb]);
        Assert.True(lintian.Exit == 0, "lintian: " + lintian.Output);

        var install = Run("dpkg", ["-i", deb]);
        Assert.True(install.Exit == 0, install.Output);
        Assert.StartsWith(version, Run("/usr/sbin/hacrm", ["--version"]).Output);
        Assert.Equal($"haclusterd {version}\n", Run("/usr/sbin/haclusterd", ["--version"]).Output);
        var key = Path.Combine(dir, "authkey");
        ClusterKey.WriteNew(key);
        var config = Path.Combine(dir, "cluster.yaml");
        File.WriteAllText(config, $"cluster_name: deb\nnodes:\n  - {{ name: node1, id: 1, addresses: [127.9.0.11] }}\n  - {{ name: node2, id: 2, addresses: [127.9.0.12] }}\nrings:\n  - unicast: {{ port: 5405 }}\nkey_file: {key}\n");
        var check = Run("/usr/sbin/haclusterd", ["--check", "--config", config, "--node", "node1"]);
        Assert.True(check.Exit == 0, check.Output);
        Assert.Equal(3, Run("/usr/sbin/hacrm", ["--socket", Path.Combine(dir, "none.sock"), "status"]).Exit);
        Assert.Equal(0, Run("getent", ["group", "haclient"]).Exit);
        foreach (var path in new[] { "/usr/share/man/man8/hacrm.8.gz", "/usr/share/man/man8/haclusterd.8.gz", "/usr/share/man/man5/cluster.yaml.5.gz",
                     "/usr/lib/systemd/system/haclusterd.service", "/usr/lib/sysusers.d/hacluster.conf", "/usr/lib/tmpfiles.d/hacluster.conf",
                     "/usr/share/doc/hacluster/getting-started.md", "/usr/share/doc/hacluster/samples/demo.crm" })
            Assert.True(File.Exists(path), $"{path} is not installed");
        Assert.Contains("ExecStart=/usr/sbin/haclusterd --config /etc/hacluster/cluster.yaml", File.ReadAllText("/usr/lib/systemd/system/haclusterd.service"));
        Assert.True(Directory.Exists("/var/lib/hacluster") && Directory.Exists("/etc/hacluster"));
        // Completion comes from the installed hacrm itself.
        var completion = Run("bash", ["-c", "source /usr/share/bash-completion/completions/hacrm; COMP_LINE='hacrm resource st'; COMP_POINT=${#COMP_LINE}; " +
                                            "COMP_WORDS=(hacrm resource st); COMP_CWORD=2; _hacrm; echo \"${COMPREPLY[@]}\""]);
        Assert.Equal("start status stop\n", completion.Output);

        var purge = Run("dpkg", ["--purge", "hacluster"]);
        Assert.True(purge.Exit == 0, purge.Output);
        foreach (var gone in new[] { "/usr/sbin/hacrm", "/usr/sbin/haclusterd", "/usr/lib/systemd/system/haclusterd.service" })
            Assert.False(File.Exists(gone), $"{gone} is still there after the purge");
        Assert.False(Directory.Exists("/usr/lib/hacluster"), "/usr/lib/hacluster is still there after the purge");
        Assert.False(Directory.Exists("/var/lib/hacluster"), "/var/lib/hacluster is still there after the purge");
        Assert.NotEqual(0, Run("dpkg", ["-s", "hacluster"]).Exit);
    }
}
