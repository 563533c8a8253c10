using HaCluster.Agents.Processes;
using HaCluster.Core.Cib;

namespace HaCluster.Agents.Tests;

/// <summary>The real ClusterLabs agents from Debian's resource-agents and pacemaker packages.</summary>
public sealed class OcfAgentTests : IDisposable
{
    private readonly TestDirectory dir = new();
    private readonly AgentRunner runner;

    public OcfAgentTests() => runner = new AgentRunner(dir.Paths(), new ProcessRunner { KillGrace = TimeSpan.FromMilliseconds(300) });

    public void Dispose() => dir.Dispose();

    private AgentAction Action(string agent, string name, string rsc = "rsc1", Dictionary<string, string>? parameters = null, string? role = null, long intervalMs = 0) => new()
    {
        ResourceId = rsc,
        Agent = AgentSpec.TryParse(agent)!,
        Name = name,
        Parameters = parameters ?? new Dictionary<string, string> { ["state"] = dir[$"{rsc}.state"] },
        Role = role,
        Interval = TimeSpan.FromMilliseconds(intervalMs),
        Timeout = TimeSpan.FromSeconds(20),
        NodeName = "node1",
    };

    [Theory]
    [InlineData("ocf:heartbeat:Dummy")]
    [InlineData("ocf:pacemaker:Dummy")]
    public async Task Dummy_starts_monitors_and_stops(string agent)
    {
        Assert.Equal(OcfExitCode.NotRunning, (await runner.RunAsync(Action(agent, "monitor"))).Code);
        var start = await runner.RunAsync(Action(agent, "start"));
        Assert.Equal(OcfExitCode.Success, start.Code);
        Assert.Equal(0, start.RawExitCode);
        Assert.Equal(OcfExitCode.Success, (await runner.RunAsync(Action(agent, "monitor", intervalMs: 10000))).Code);
        Assert.Equal(OcfExitCode.Success, (await runner.RunAsync(Action(agent, "stop"))).Code);
        Assert.Equal(OcfExitCode.NotRunning, (await runner.RunAsync(Action(agent, "monitor"))).Code);
    }

    [Fact]
    public async Task Stateful_promotes_and_demotes_and_sets_its_promotion_score()
    {
        const string agent = "ocf:pacemaker:Stateful";
        var start = await runner.RunAsync(Action(agent, "start", "db:0"));
        Assert.Equal(OcfExitCode.Success, start.Code);
        // The promotion score is named after the clone, not the instance (master-db, not master-db:0).
        Assert.Contains(start.AttributeUpdates, u => u.Name == "master-db" && u.Value == "5" && u.Lifetime == "reboot");
        Assert.Equal(OcfExitCode.Success, (await runner.RunAsync(Action(agent, "monitor", "db:0", role: "Unpromoted", intervalMs: 11000))).Code);

        var promote = await runner.RunAsync(Action(agent, "promote", "db:0"));
        Assert.Equal(OcfExitCode.Success, promote.Code);
        Assert.Contains(promote.AttributeUpdates, u => u.Name == "master-db" && u.Value == "10");
        var promotedMonitor = Action(agent, "monitor", "db:0", role: "Promoted", intervalMs: 10000);
        var result = await runner.RunAsync(promotedMonitor);
        Assert.Equal(OcfExitCode.RunningPromoted, result.Code);
        Assert.Equal(FailureSeverity.None, OcfExitCodes.Classify(result.Code, "monitor", 10000, promotedMonitor.Expected));

        Assert.Equal(OcfExitCode.Success, (await runner.RunAsync(Action(agent, "demote", "db:0"))).Code);
        Assert.Equal(OcfExitCode.Success, (await runner.RunAsync(Action(agent, "monitor", "db:0"))).Code);
        var stop = await runner.RunAsync(Action(agent, "stop", "db:0"));
        Assert.Equal(OcfExitCode.Success, stop.Code);
        Assert.Contains(stop.AttributeUpdates, u => u.Name == "master-db" && u.IsDelete);
        Assert.Equal(OcfExitCode.NotRunning, (await runner.RunAsync(Action(agent, "monitor", "db:0"))).Code);
    }

    [Fact]
    public async Task Stateful_keeps_its_role_under_the_configured_HA_VARRUN()
    {
        // Nodes sharing one machine (tests, the demo) each need their own: the state file is
        // named after the clone, so instances on two nodes would otherwise share one file.
        var noState = new Dictionary<string, string>();
        Assert.Equal(OcfExitCode.Success, (await runner.RunAsync(Action("ocf:pacemaker:Stateful", "start", "db:1", noState))).Code);
        Assert.Equal(OcfExitCode.Success, (await runner.RunAsync(Action("ocf:pacemaker:Stateful", "promote", "db:1", noState))).Code);
        Assert.Equal("Promoted", File.ReadAllText(Path.Combine(dir["varrun"], "Stateful-db.state")).Trim());
    }

    [Fact]
    public async Task A_parameter_value_reaches_the_agent_literally_never_through_a_shell()
    {
        // Had any shell evaluated the value, $(id) and `id` would have been replaced and the
        // state file would carry another name. (No blanks: Dummy itself word-splits the value.)
        var state = dir["x$(id)`id`;id&&id|id"];
        var start = await runner.RunAsync(Action("ocf:heartbeat:Dummy", "start", parameters: new() { ["state"] = state }));
        Assert.Equal(OcfExitCode.Success, start.Code);
        Assert.True(File.Exists(state), "the state file was not created under its literal name");
        Assert.Single(Directory.GetFiles(dir.Root, "x*"));
    }

    [Fact]
    public async Task The_agent_sees_the_OCF_environment_Pacemaker_provides()
    {
        var ocf = dir.OcfRoot();
        dir.Script("ocf/resource.d/test/env", "#!/bin/sh\nenv\nexit 0\n");
        var local = new AgentRunner(dir.Paths(ocf));
        var action = Action("ocf:test:env", "monitor", "web:2", new() { ["ip"] = "10.0.0.1", ["OCF_CHECK_LEVEL"] = "10" }, role: "Promoted", intervalMs: 15000) with
        {
            Meta = new Dictionary<string, string> { ["clone-max"] = "3", ["notify"] = "true" },
            Timeout = TimeSpan.FromSeconds(45),
        };
        var env = (await local.RunAsync(action)).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        Assert.Equal(ocf, env["OCF_ROOT"]);
        Assert.Equal(Path.Combine(ocf, "lib", "heartbeat"), env["OCF_FUNCTIONS_DIR"]);
        Assert.Equal("web:2", env["OCF_RESOURCE_INSTANCE"]);
        Assert.Equal("env", env["OCF_RESOURCE_TYPE"]);
        Assert.Equal("test", env["OCF_RESOURCE_PROVIDER"]);
        Assert.Equal("10.0.0.1", env["OCF_RESKEY_ip"]);
        Assert.Equal("10", env["OCF_CHECK_LEVEL"]);
        Assert.Equal("45000", env["OCF_RESKEY_CRM_meta_timeout"]);
        Assert.Equal("15000", env["OCF_RESKEY_CRM_meta_interval"]);
        Assert.Equal("3", env["OCF_RESKEY_CRM_meta_clone_max"]);
        Assert.Equal("true", env["OCF_RESKEY_CRM_meta_notify"]);
        Assert.Equal("Promoted", env["OCF_RESKEY_CRM_meta_role"]);
        Assert.Equal("node1", env["OCF_RESKEY_CRM_meta_on_node"]);
        Assert.Equal(dir["rsctmp"], env["HA_RSCTMP"]);
        Assert.Equal(dir["tools"], env["HA_SBIN_DIR"]);
        Assert.DoesNotContain("HOME", env.Keys);
    }

    [Fact]
    public async Task An_agent_that_prints_garbage_and_exits_137_is_a_generic_error()
    {
        var ocf = dir.OcfRoot();
        dir.Script("ocf/resource.d/test/garbage", "#!/bin/sh\nhead -c 4096 /dev/urandom\nhead -c 512 /dev/urandom >&2\nexit 137\n");
        var result = await new AgentRunner(dir.Paths(ocf)).RunAsync(Action("ocf:test:garbage", "start"));
        Assert.Equal(ExecutionStatus.Done, result.Status);
        Assert.Equal(OcfExitCode.GenericError, result.Code);
        Assert.Equal(137, result.RawExitCode);
        Assert.Contains("137", result.ExitReason);
        Assert.Equal(FailureSeverity.Soft, OcfExitCodes.Classify(result.Code, "start", 0));
    }

    [Fact]
    public async Task The_exit_reason_is_the_agents_last_ocf_exit_reason_line()
    {
        var ocf = dir.OcfRoot();
        dir.Script("ocf/resource.d/test/fails", """
            #!/bin/sh
            . "$OCF_FUNCTIONS_DIR/ocf-shellfuncs"
            ocf_exit_reason "first try"
            ocf_exit_reason "Invalid IP address [$OCF_RESKEY_ip]"
            exit $OCF_ERR_CONFIGURED
            """);
        var result = await new AgentRunner(dir.Paths(ocf)).RunAsync(Action("ocf:test:fails", "start", parameters: new() { ["ip"] = "300.1.1.1" }));
        Assert.Equal(OcfExitCode.NotConfigured, result.Code);
        Assert.Equal("Invalid IP address [300.1.1.1]", result.ExitReason);
        Assert.Equal(FailureSeverity.Fatal, OcfExitCodes.Classify(result.Code, "start", 0));
    }

    [Fact]
    public async Task A_hanging_agent_times_out_and_leaves_no_process_behind()
    {
        var ocf = dir.OcfRoot();
        dir.Script("ocf/resource.d/test/hang", "#!/bin/sh\nsleep 1000 &\necho $! > \"$OCF_RESKEY_pidfile\"\nwhile true; do sleep 1; done\n");
        var action = Action("ocf:test:hang", "start", parameters: new() { ["pidfile"] = dir["child.pid"] }) with { Timeout = TimeSpan.FromMilliseconds(700) };
        var result = await new AgentRunner(dir.Paths(ocf), new ProcessRunner { KillGrace = TimeSpan.FromMilliseconds(300) }).RunAsync(action);
        Assert.Equal(ExecutionStatus.TimedOut, result.Status);
        Assert.True(result.TimedOut);
        Assert.Equal(OcfExitCode.GenericError, result.Code);
        Assert.Contains("timed out", result.Summary());
        var child = int.Parse(File.ReadAllText(dir["child.pid"]).Trim());
        for (var i = 0; i < 50 && File.Exists($"/proc/{child}"); i++) await Task.Delay(20);
        Assert.False(File.Exists($"/proc/{child}"), "the agent's child survived its timeout");
    }

    [Fact]
    public async Task A_missing_agent_is_not_installed()
    {
        var result = await runner.RunAsync(Action("ocf:heartbeat:NoSuchAgent", "start"));
        Assert.Equal(OcfExitCode.NotInstalled, result.Code);
        Assert.Equal(ExecutionStatus.NotInstalled, result.Status);
        Assert.Equal(FailureSeverity.Hard, OcfExitCodes.Classify(result.Code, "start", 0));
        var escape = await runner.RunAsync(Action("ocf:..:..", "start"));
        Assert.Equal(OcfExitCode.NotInstalled, escape.Code);
    }

    [Fact]
    public async Task Metadata_of_IPaddr2_says_ip_is_required()
    {
        var md = await runner.MetadataAsync(AgentSpec.TryParse("ocf:heartbeat:IPaddr2")!);
        Assert.NotNull(md);
        Assert.True(md.Parameter("ip")!.Required);
        Assert.False(md.Parameter("nic")!.Required);
        Assert.Equal(TimeSpan.FromSeconds(20), md.AdvisedTimeout("start", TimeSpan.Zero));
        Assert.Equal(TimeSpan.FromSeconds(10), md.Actions.First(a => a.Name == "monitor").Interval);
    }
}
