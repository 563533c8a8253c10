using HaCluster.Core.Cib;

namespace HaCluster.Agents.Tests;

/// <summary>LSB init scripts, systemd and upstart (through look-alike systemctl/initctl), and service:.</summary>
public sealed class OtherClassTests : IDisposable
{
    private readonly TestDirectory dir = new();

    public void Dispose() => dir.Dispose();

    // An init script of our own, in the LSB style: a pid file, status codes 0 and 3.
    private const string InitScript = """
        #!/bin/sh
        ### BEGIN INIT INFO
        # Provides:          imgproxy
        # Short-Description: Image store proxy
        # Description:       Serves the image store
        #                    to the cloud controller.
        ### END INIT INFO
        STATE="$(dirname "$0")/../imgproxy.running"
        case "$1" in
          start) touch "$STATE"; exit 0 ;;
          stop) rm -f "$STATE"; exit 0 ;;
          status) [ -f "$STATE" ] && { echo running; exit 0; }; echo stopped; exit 3 ;;
          *) exit 3 ;;
        esac
        """;

    private static AgentAction Action(string agent, string name) =>
        new() { ResourceId = "svc", Agent = AgentSpec.TryParse(agent)!, Name = name, Timeout = TimeSpan.FromSeconds(10) };

    [Fact]
    public async Task An_LSB_script_starts_stops_and_reports_status_in_OCF_terms()
    {
        dir.Script("init.d/imgproxy", InitScript);
        var runner = new AgentRunner(dir.Paths());
        Assert.Equal(OcfExitCode.NotRunning, (await runner.RunAsync(Action("lsb:imgproxy", "monitor"))).Code);
        Assert.Equal(OcfExitCode.Success, (await runner.RunAsync(Action("lsb:imgproxy", "start"))).Code);
        Assert.Equal(OcfExitCode.Success, (await runner.RunAsync(Action("lsb:imgproxy", "monitor"))).Code);
        Assert.Equal(OcfExitCode.Success, (await runner.RunAsync(Action("lsb:imgproxy", "stop"))).Code);
        Assert.Equal(OcfExitCode.NotRunning, (await runner.RunAsync(Action("lsb:imgproxy", "monitor"))).Code);
        Assert.Equal(OcfExitCode.Unimplemented, (await runner.RunAsync(Action("lsb:imgproxy", "promote"))).Code);
        Assert.Contains("imgproxy", runner.List("lsb"));
        var md = await runner.MetadataAsync(AgentSpec.TryParse("lsb:imgproxy")!);
        Assert.Equal("Image store proxy", md!.ShortDescription);
        Assert.Equal("Serves the image store to the cloud controller.", md.LongDescription);
    }

    [Theory]
    [InlineData(0, OcfExitCode.Success)]
    [InlineData(1, OcfExitCode.NotRunning)]
    [InlineData(2, OcfExitCode.NotRunning)]
    [InlineData(3, OcfExitCode.NotRunning)]
    [InlineData(4, OcfExitCode.GenericError)]
    [InlineData(150, OcfExitCode.NotInstalled)]
    [InlineData(151, OcfExitCode.InsufficientPrivileges)]
    public async Task LSB_status_codes_map_to_OCF(int status, OcfExitCode expected)
    {
        dir.Script("init.d/fixed", $"#!/bin/sh\nexit {status}\n");
        var result = await new AgentRunner(dir.Paths()).RunAsync(Action("lsb:fixed", "monitor"));
        Assert.Equal(expected, result.Code);
        Assert.Equal(status, result.RawExitCode);
    }

    // Behaves like systemctl for one unit: start/stop/is-active, exit 5 for unknown units.
    private string FakeSystemctl() => dir.Script("bin/systemctl", $$"""
        #!/bin/sh
        state="{{dir.Root}}/unit-$2"
        case "$2" in web.service) ;; *) echo "Unit $2 not found." >&2; exit 5 ;; esac
        case "$1" in
          start) touch "$state"; exit 0 ;;
          stop) rm -f "$state"; exit 0 ;;
          is-active) if [ -f "$state" ]; then echo active; exit 0; else echo inactive; exit 3; fi ;;
        esac
        exit 1
        """);

    [Fact]
    public async Task A_systemd_unit_is_driven_through_systemctl()
    {
        var runner = new AgentRunner(dir.Paths() with { Systemctl = FakeSystemctl() });
        Assert.Equal(OcfExitCode.NotRunning, (await runner.RunAsync(Action("systemd:web", "monitor"))).Code);
        Assert.Equal(OcfExitCode.Success, (await runner.RunAsync(Action("systemd:web", "start"))).Code);
        Assert.True(File.Exists(dir["unit-web.service"]), "systemctl was not given web.service");
        Assert.Equal(OcfExitCode.Success, (await runner.RunAsync(Action("systemd:web", "monitor"))).Code);
        Assert.Equal(OcfExitCode.Success, (await runner.RunAsync(Action("systemd:web.service", "stop"))).Code);
        Assert.Equal(OcfExitCode.NotRunning, (await runner.RunAsync(Action("systemd:web", "monitor"))).Code);
        Assert.Equal(OcfExitCode.NotInstalled, (await runner.RunAsync(Action("systemd:nosuch", "start"))).Code);
        Assert.Equal(OcfExitCode.Success, (await runner.RunAsync(Action("systemd:nosuch", "stop"))).Code);
    }

    // Behaves like upstart's initctl: answers in words, errors for redundant start/stop.
    private string FakeInitctl() => dir.Script("bin/initctl", $$"""
        #!/bin/sh
        state="{{dir.Root}}/job-$2"
        [ -f "{{dir.Root}}/init/$2.conf" ] || { echo "initctl: Unknown job: $2" >&2; exit 1; }
        case "$1" in
          start) [ -f "$state" ] && { echo "initctl: Job is already running: $2" >&2; exit 1; }; touch "$state"; echo "$2 start/running, process 4242"; exit 0 ;;
          stop) [ -f "$state" ] || { echo "initctl: Unknown instance: " >&2; exit 1; }; rm -f "$state"; echo "$2 stop/waiting"; exit 0 ;;
          status) if [ -f "$state" ]; then echo "$2 start/running, process 4242"; else echo "$2 stop/waiting"; fi; exit 0 ;;
        esac
        exit 1
        """);

    [Fact]
    public async Task An_upstart_job_is_driven_through_initctl_and_its_words()
    {
        Directory.CreateDirectory(dir["init"]);
        File.WriteAllText(dir["init/eucalyptus.conf"], "exec /bin/true\n");
        var runner = new AgentRunner(dir.Paths() with { Initctl = FakeInitctl() });
        Assert.Equal(OcfExitCode.NotRunning, (await runner.RunAsync(Action("upstart:eucalyptus", "monitor"))).Code);
        Assert.Equal(OcfExitCode.Success, (await runner.RunAsync(Action("upstart:eucalyptus", "start"))).Code);
        Assert.Equal(OcfExitCode.Success, (await runner.RunAsync(Action("upstart:eucalyptus", "start"))).Code);
        Assert.Equal(OcfExitCode.Success, (await runner.RunAsync(Action("upstart:eucalyptus", "monitor"))).Code);
        Assert.Equal(OcfExitCode.Success, (await runner.RunAsync(Action("upstart:eucalyptus", "stop"))).Code);
        Assert.Equal(OcfExitCode.Success, (await runner.RunAsync(Action("upstart:eucalyptus", "stop"))).Code);
        Assert.Equal(OcfExitCode.NotInstalled, (await runner.RunAsync(Action("upstart:nosuch", "start"))).Code);
        Assert.Equal(["eucalyptus"], runner.List("upstart"));
    }

    [Fact]
    public async Task A_service_is_systemd_when_systemd_runs_else_upstart_else_lsb()
    {
        dir.Script("init.d/imgproxy", InitScript);
        Directory.CreateDirectory(dir["init"]);
        File.WriteAllText(dir["init/eucalyptus.conf"], "exec /bin/true\n");
        var noSystemd = new AgentRunner(dir.Paths() with { SystemdRunning = false, Initctl = FakeInitctl() });
        Assert.Equal(OcfExitCode.Success, (await noSystemd.RunAsync(Action("service:imgproxy", "start"))).Code);
        Assert.True(File.Exists(dir["imgproxy.running"]), "service: did not fall back to the init script");
        Assert.Equal(OcfExitCode.Success, (await noSystemd.RunAsync(Action("service:eucalyptus", "start"))).Code);
        Assert.True(File.Exists(dir["job-eucalyptus"]), "service: did not use the upstart job");

        var withSystemd = new AgentRunner(dir.Paths() with { SystemdRunning = true, Systemctl = FakeSystemctl() });
        Assert.Equal(OcfExitCode.Success, (await withSystemd.RunAsync(Action("service:web", "start"))).Code);
        Assert.True(File.Exists(dir["unit-web.service"]), "service: did not use systemd");
    }

    [Fact]
    public async Task An_unknown_class_is_not_installed_with_a_reason()
    {
        var result = await new AgentRunner(dir.Paths()).RunAsync(Action("nagios:check_http", "start"));
        Assert.Equal(OcfExitCode.NotInstalled, result.Code);
        Assert.Contains("not supported", result.ExitReason);
    }
}
