using System.Diagnostics;
using HaCluster.Agents.Processes;

namespace HaCluster.Agents.Tests;

public sealed class ProcessRunnerTests : IDisposable
{
    private readonly TestDirectory dir = new();
    private static readonly Dictionary<string, string> Env = new() { ["PATH"] = "/usr/bin:/bin" };

    public void Dispose() => dir.Dispose();

    private static ProcessSpec Spec(string program, TimeSpan timeout, params string[] args) => new(program, args, Env, timeout);

    private static bool Alive(int pid) => File.Exists($"/proc/{pid}/stat") && !File.ReadAllText($"/proc/{pid}/stat").Split(") ")[1].StartsWith('Z');

    [Fact]
    public async Task Completes_when_the_program_exits_even_if_a_helper_keeps_stdout_open()
    {
        // Like IPaddr2's send_arp: a background helper inherits stdout and outlives the agent.
        var script = dir.Script("agent", "#!/bin/sh\necho started\nsleep 3 &\necho \"$!\" > \"$1\"\nexit 0\n");
        var clock = Stopwatch.StartNew();
        var outcome = await new ProcessRunner().RunAsync(Spec(script, TimeSpan.FromSeconds(10), dir["helper.pid"]));
        clock.Stop();
        Assert.Equal(0, outcome.ExitCode);
        Assert.Contains("started", outcome.Stdout);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1.5), $"took {clock.Elapsed.TotalMilliseconds:0} ms: waited for the helper's end of file");
        // The helper is legitimately left running (it is not a timeout); clean it up ourselves.
        var helper = int.Parse(File.ReadAllText(dir["helper.pid"]).Trim());
        Process.GetProcessById(helper).Kill();
    }

    [Fact]
    public async Task Runs_the_program_as_the_leader_of_its_own_process_group()
    {
        var script = dir.Script("agent", "#!/bin/sh\ncut -d' ' -f5 /proc/$$/stat\n");
        var outcome = await new ProcessRunner().RunAsync(Spec(script, TimeSpan.FromSeconds(10)));
        Assert.Equal(outcome.ProcessId.ToString(), outcome.Stdout.Trim());
    }

    [Fact]
    public async Task A_timeout_kills_the_whole_process_group_including_children_that_ignore_sigterm()
    {
        var script = dir.Script("hang", """
            #!/bin/sh
            # a child that ignores SIGTERM, and a plain one
            sh -c 'trap "" TERM; while true; do sleep 0.1; done' &
            echo $! > "$1"
            sleep 1000 &
            echo $! > "$2"
            while true; do sleep 0.1; done
            """);
        var runner = new ProcessRunner { KillGrace = TimeSpan.FromMilliseconds(300) };
        var clock = Stopwatch.StartNew();
        var outcome = await runner.RunAsync(Spec(script, TimeSpan.FromMilliseconds(500), dir["stubborn.pid"], dir["sleeper.pid"]));
        Assert.True(outcome.TimedOut);
        Assert.Null(outcome.ExitCode);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"took {clock.Elapsed}");
        var stubborn = int.Parse(File.ReadAllText(dir["stubborn.pid"]).Trim());
        var sleeper = int.Parse(File.ReadAllText(dir["sleeper.pid"]).Trim());
        for (var i = 0; i < 50 && (Alive(stubborn) || Alive(sleeper)); i++) await Task.Delay(20);
        Assert.False(Alive(stubborn), "the child ignoring SIGTERM survived");
        Assert.False(Alive(sleeper), "the sleeping child survived");
    }

    [Fact]
    public async Task Cancelling_a_run_kills_its_group_and_reports_no_timeout()
    {
        var script = dir.Script("hang", "#!/bin/sh\nsleep 1000 &\necho $! > \"$1\"\nwhile true; do sleep 0.1; done\n");
        using var cancel = new CancellationTokenSource();
        var run = new ProcessRunner { KillGrace = TimeSpan.FromMilliseconds(300) }.RunAsync(Spec(script, TimeSpan.FromSeconds(30), dir["sleeper.pid"]), cancel.Token);
        // Wait for the pid itself, not just the file: the shell creates it empty, then writes.
        for (var i = 0; i < 100 && !(File.Exists(dir["sleeper.pid"]) && File.ReadAllText(dir["sleeper.pid"]).EndsWith('\n')); i++) await Task.Delay(20);
        cancel.Cancel();
        var outcome = await run.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(outcome.TimedOut);
        Assert.Equal(128 + 15, outcome.ExitCode);
        var sleeper = int.Parse(File.ReadAllText(dir["sleeper.pid"]).Trim());
        for (var i = 0; i < 50 && Alive(sleeper); i++) await Task.Delay(20);
        Assert.False(Alive(sleeper), "the agent's child survived the cancellation");
    }

    [Fact]
    public async Task The_environment_is_exactly_the_one_given()
    {
        var env = new Dictionary<string, string> { ["PATH"] = "/usr/bin:/bin", ["ONLY"] = "this" };
        var outcome = await new ProcessRunner().RunAsync(new ProcessSpec("/usr/bin/env", [], env, TimeSpan.FromSeconds(5)));
        var names = outcome.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('=')[0]).Order().ToList();
        Assert.Equal(["ONLY", "PATH"], names);
    }

    [Fact]
    public async Task Output_is_bounded_but_the_program_is_not_blocked_by_a_full_pipe()
    {
        var script = dir.Script("chatty", "#!/bin/sh\nhead -c 3000000 /dev/zero | tr '\\0' x\necho done >&2\n");
        var outcome = await new ProcessRunner { OutputLimit = 1000 }.RunAsync(Spec(script, TimeSpan.FromSeconds(20)));
        Assert.Equal(0, outcome.ExitCode);
        Assert.StartsWith(new string('x', 1000), outcome.Stdout);
        Assert.EndsWith("[output truncated]", outcome.Stdout);
        Assert.Contains("done", outcome.Stderr);
    }

    [Fact]
    public async Task Stdin_is_fed_and_closed()
    {
        var outcome = await new ProcessRunner().RunAsync(new ProcessSpec("/bin/cat", [], Env, TimeSpan.FromSeconds(5)) { StandardInput = "a=1\nb=2\n" });
        Assert.Equal("a=1\nb=2\n", outcome.Stdout);
    }

    [Fact]
    public async Task A_missing_program_is_reported_not_thrown()
    {
        var outcome = await new ProcessRunner().RunAsync(Spec(dir["nope"], TimeSpan.FromSeconds(5)));
        Assert.True(outcome.StartError is not null || outcome.ExitCode is 126 or 127, $"exit {outcome.ExitCode}, error {outcome.StartError}");
    }
}
