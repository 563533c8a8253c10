using System.Diagnostics;
using HaCluster.Core.Cib;
using HaCluster.Core.Cib.Syntax;
using HaCluster.Core.Policy;

namespace HaCluster.Agents.Tests;

/// <summary>
/// A bundle's container, as haclusterd's executor runs it: the definition the scheduler derives
/// from the bundle (image, run_opts, mounts), run by the real ocf:heartbeat:podman agent, which
/// drives the real podman. The image is built here from the host's own /bin/sh, sleep and true
/// (no registry is reached); the container is removed again.
/// </summary>
public sealed class BundleContainerTests : IDisposable
{
    private readonly TestDirectory dir = new();
    private readonly string bundle = $"hat{Environment.ProcessId}";
    private const string Image = "localhost/hacluster-test:1";

    public void Dispose()
    {
        Podman("rm", "-f", $"{bundle}-podman-0");
        dir.Dispose();
    }

    /// <summary>podman as this machine can run it: runc with cgroupfs (no systemd here) and modest limits.</summary>
    private string ContainersConf() => dir.Script("containers.conf",
        "[containers]\ndefault_ulimits = [\"nofile=1024:1024\", \"nproc=1024:1024\"]\n[engine]\nruntime = \"runc\"\ncgroup_manager = \"cgroupfs\"\n");

    private (int Code, string Output) Podman(params string[] args)
    {
        var psi = new ProcessStartInfo("podman") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["CONTAINERS_CONF"] = dir["containers.conf"];
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output);
    }

    /// <summary>An image of the host's sh, sleep and true with the libraries they load.</summary>
    private void BuildImage()
    {
        var rootfs = Directory.CreateDirectory(dir["rootfs"]).FullName;
        foreach (var binary in new[] { "/bin/sh", "/bin/sleep", "/bin/true" })
        {
            var ldd = Process.Start(new ProcessStartInfo("ldd", binary) { RedirectStandardOutput = true })!;
            var libraries = ldd.StandardOutput.ReadToEnd().Split([' ', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries).Where(w => w.StartsWith('/'));
            ldd.WaitForExit();
            foreach (var file in libraries.Prepend(binary))
            {
                var target = rootfs + file;
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(Path.GetFullPath(file), target, overwrite: true);
                File.SetUnixFileMode(target, File.GetUnixFileMode(file));
            }
        }
        var tar = Process.Start("tar", ["-C", rootfs, "-cf", dir["rootfs.tar"], "."])!;
        tar.WaitForExit();
        var (code, output) = Podman("import", dir["rootfs.tar"], Image);
        Assert.True(code == 0, "podman import: " + output);
    }

    [Fact]
    public async Task The_podman_agent_runs_a_bundle_replica_container_from_its_derived_definition()
    {
        Assert.True(File.Exists("/usr/bin/podman"), "podman is not installed (the test command installs it)");
        ContainersConf();
        BuildImage();
        var crm = $"property stonith-enabled=false\nbundle {bundle} podman image={Image} replicas=1 network=host run-command=\"/bin/sleep 600\"\n";
        var parsed = CrmParser.Parse(crm, "t.crm");
        Assert.False(parsed.HasErrors, string.Join("\n", parsed.Diagnostics));
        var config = Bundles.ForExecution(parsed.Config!);
        var container = config.Resources.OfType<Primitive>().Single();
        Assert.Equal($"{bundle}-podman-0", container.Id);

        // The real agent, with podman set up for this machine through the environment.
        var ocf = dir.OcfRoot();
        dir.Script("ocf/resource.d/test/podman",
            $"#!/bin/sh\nexport CONTAINERS_CONF={dir["containers.conf"]}\nexec /usr/lib/ocf/resource.d/heartbeat/podman \"$@\"\n");
        var runner = new AgentRunner(dir.Paths(ocf));
        AgentAction Action(string name) => ActionBuilder.For(config, container, name) with
        {
            Agent = AgentSpec.TryParse("ocf:test:podman")!,
            Timeout = TimeSpan.FromSeconds(60),
        };

        Assert.Equal(OcfExitCode.NotRunning, (await runner.RunAsync(Action("monitor"))).Code);
        var start = await runner.RunAsync(Action("start"));
        Assert.True(start.Code == OcfExitCode.Success, start.Summary() + "\n" + start.Stderr);
        Assert.Contains("/bin/sleep 600", Podman("ps", "--format", "{{.Names}} {{.Command}}", "--filter", $"name={container.Id}").Output);
        Assert.Equal(OcfExitCode.Success, (await runner.RunAsync(Action("monitor"))).Code);

        // The container dies behind the cluster's back: the monitor sees it.
        Podman("kill", container.Id);
        Assert.Equal(OcfExitCode.NotRunning, (await runner.RunAsync(Action("monitor"))).Code);

        Assert.Equal(OcfExitCode.Success, (await runner.RunAsync(Action("start"))).Code);
        Assert.Equal(OcfExitCode.Success, (await runner.RunAsync(Action("stop"))).Code);
        Assert.Equal(OcfExitCode.NotRunning, (await runner.RunAsync(Action("monitor"))).Code);
    }
}
