namespace HaCluster.Cluster.Tests;

/// <summary>
/// The commands a crmsh user types, on a real 2-node loopback cluster: one-shot configure
/// statements, a piped batch committed at its end, configure show/diff/edit on the live
/// configuration, resource status/locate/ban/unmove/failcount, node list/show/standby with the
/// local node by default, --wait, and the exit codes (0 ok, 1 refused, 2 usage, 3 unreachable).
/// </summary>
public sealed class CliParityTests : IDisposable
{
    private readonly TestCluster cluster = TestCluster.OnLoopback("cli", 2, 9);
    private static readonly string[] All = ["node1", "node2"];

    public void Dispose() => cluster.Dispose();

    private (int Exit, string Out, string Err) Hacrm(string node, string[] args, string? input = null)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = HaCluster.Cli.CliApp.Run(["--socket", cluster.Socket(node), .. args], output, error, input is null ? null : new StringReader(input));
        return (exit, output.ToString(), error.ToString());
    }

    private (int Exit, string Out, string Err) Ok(string node, params string[] args)
    {
        var r = Hacrm(node, args);
        Assert.True(r.Exit == 0, $"hacrm {string.Join(' ', args)} on {node}: exit {r.Exit}\n{r.Out}\n{r.Err}");
        return r;
    }

    /// <summary>Runs a command on a pseudo-terminal (util-linux script) with the keystrokes given, and returns what the terminal showed.</summary>
    private static string Terminal(string command, string keys, string home)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("script", ["-q", "-e", "-c", command, "/dev/null"])
            { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["TERM"] = "xterm";
        psi.Environment["HOME"] = home;
        using var p = System.Diagnostics.Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        _ = p.StandardError.ReadToEndAsync();
        // One statement at a time, as a person types: each is read once the shell has answered the last.
        foreach (var part in keys.Split('\r'))
        {
            if (part.Length == 0) continue;
            p.StandardInput.Write(part + "\r");
            p.StandardInput.Flush();
            Thread.Sleep(700);
        }
        p.StandardInput.Close();
        if (!p.WaitForExit(30_000)) p.Kill(entireProcessTree: true);
        return output.Result;
    }

    private string[] RunningOn(string rsc) =>
        All.Where(n => File.Exists(Path.Combine(cluster.Dir, $"{n}.rsctmp", $"Dummy-{rsc}.state"))).ToArray();

    [Fact]
    public async Task A_crmsh_users_everyday_commands_work_and_exit_as_documented()
    {
        cluster.StartAll();
        await cluster.WaitUntil("a DC", () => cluster.Status("node1") is { Dc: not null, Agreed: true } s && TestCluster.Online(s).Count() == 2, TimeSpan.FromSeconds(20));

        // One-shot statements, each committed.
        Ok("node1", "configure", "property", "stonith-enabled=false");
        Ok("node1", "configure", "primitive", "d", "ocf:heartbeat:Dummy", "op", "monitor", "interval=1s", "meta", "description=the first dummy");
        // A batch piped in without "commit" is committed at its end, as crmsh does.
        var batch = Hacrm("node2", ["configure"], "location prefer-d d 50: node1\nprimitive e ocf:heartbeat:Dummy\n");
        Assert.True(batch.Exit == 0, batch.Err);
        Assert.Contains("committed", batch.Out);
        // A batch with a broken statement commits nothing.
        var broken = Hacrm("node2", ["configure"], "primitive f ocf:heartbeat:Dummy\nlocation l f 100 node1\n");
        Assert.Equal(1, broken.Exit);
        Assert.Contains("not committed", broken.Err);

        var show = Ok("node2", "configure", "show").Out;
        Assert.Contains("primitive d ocf:heartbeat:Dummy", show);
        Assert.Contains("description=\"the first dummy\"", show);
        Assert.DoesNotContain("primitive f", show);
        Assert.Contains("<primitive id=\"e\"", Ok("node2", "configure", "show", "xml").Out);
        var onlyE = Ok("node2", "configure", "show", "e").Out;
        Assert.Contains("primitive e", onlyE);
        Assert.DoesNotContain("primitive d", onlyE);

        await cluster.WaitUntil("d runs on node1", () => RunningOn("d").SequenceEqual(["node1"]), TimeSpan.FromSeconds(20));
        await cluster.WaitUntil("status says so", () => Hacrm("node2", ["resource", "status", "d"]).Out.Contains("resource d is running on: node1"), TimeSpan.FromSeconds(10));
        Assert.Contains("resource e is running on:", Ok("node2", "resource", "status").Out);

        // ban without a node keeps it off where it runs; --wait returns once the cluster is settled.
        var ban = Ok("node2", "resource", "ban", "d", "--wait=30s");
        Assert.Contains("settled after", ban.Out);
        Assert.Equal(["node2"], RunningOn("d"));
        Assert.Equal("resource d is running on: node2\n", Ok("node1", "resource", "locate", "d").Out);
        Assert.Contains("location cli-ban-d-on-node1 d -inf: node1", Ok("node1", "configure", "show").Out);
        Ok("node1", "resource", "unmove", "d", "--wait");
        Assert.DoesNotContain("cli-ban-d-on-node1", Ok("node1", "configure", "show").Out);
        Assert.Contains("value=0", Ok("node1", "resource", "failcount", "d", "show", "node1").Out);
        // A fail count (as the executor records one: per operation), shown summed and deleted.
        Ok("node1", "attribute", "node2", "fail-count-d#monitor_1000", "2", "--wait=20s");
        Ok("node1", "attribute", "node2", "fail-count-d#start_0", "1", "--wait=20s");
        Assert.Contains("name=fail-count-d value=3", Ok("node1", "resource", "failcount", "d", "show", "node2").Out);
        Assert.Contains("fail count of d on node2 deleted", Ok("node1", "resource", "failcount", "d", "delete", "node2").Out);
        await cluster.WaitUntil("the fail count is gone", () => Hacrm("node1", ["resource", "failcount", "d", "show", "node2"]).Out.Contains("value=0"), TimeSpan.FromSeconds(10));

        // configure diff: the plan of a change, not committed.
        var stopped = Path.Combine(cluster.Dir, "stopped.crm");
        File.WriteAllText(stopped, Ok("node1", "configure", "show").Out.Replace("primitive e ocf:heartbeat:Dummy", "primitive e ocf:heartbeat:Dummy meta target-role=Stopped"));
        var diff = Ok("node1", "configure", "diff", stopped).Out;
        Assert.Contains("+ primitive e ocf:heartbeat:Dummy", diff);
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(diff, @"Stop\s+e\s+\("), diff);
        Assert.NotEmpty(RunningOn("e"));

        // configure edit: $EDITOR changes the running configuration; committed with the version check.
        var editor = Path.Combine(cluster.Dir, "editor.sh");
        File.WriteAllText(editor, "#!/bin/sh\nsed -i 's/description=\"the first dummy\"/description=\"edited\"/' \"$1\"\n");
        File.SetUnixFileMode(editor, (UnixFileMode)0b111_101_101);
        Environment.SetEnvironmentVariable("EDITOR", editor);
        try
        {
            Ok("node2", "configure", "edit");
        }
        finally
        {
            Environment.SetEnvironmentVariable("EDITOR", null);
        }
        Assert.Contains("description=edited", Ok("node1", "configure", "show", "d").Out);

        // --wait on a one-shot statement: back once the new resource runs.
        var waited = Ok("node1", "configure", "primitive", "w", "ocf:heartbeat:Dummy", "--wait=30s");
        Assert.Contains("settled after", waited.Out);
        Assert.Single(RunningOn("w"));

        // node commands default to this node (node2's socket: node2).
        Assert.Contains("node1(1): online", Ok("node2", "node", "list").Out);
        Ok("node2", "node", "standby", "--wait=30s");
        Assert.DoesNotContain("node2", RunningOn("d"));
        Assert.Contains("standby=on", Ok("node2", "node", "show").Out);
        Assert.Contains("node2(2): online, standby", Ok("node1", "node", "list").Out);
        Ok("node2", "node", "online", "--wait=30s");

        // The shell at a terminal (a pty, as `script` gives it): Tab completes, the history recalls.
        var home = Directory.CreateTempSubdirectory("hacrm-home-").FullName;
        var keys = "prim\tk ocf:heartbeat:Dummy\r" + "sh\tk\r" + "\u001b[A\u001b[A\r" + "comm\t\r" + "quit\r";
        var shell = Terminal($"{Path.Combine(AppContext.BaseDirectory, "hacrm")} --socket {cluster.Socket("node1")} configure", keys, home);
        Assert.Contains("primitive k ocf:heartbeat:Dummy", shell);           // typed as "prim<Tab>", shown by "sh<Tab>k"
        Assert.Contains("duplicate id", shell);                              // the recalled statement, entered again
        Assert.Contains("committed: CIB version", shell);                    // "comm<Tab>"
        Assert.Contains("primitive k ocf:heartbeat:Dummy", File.ReadAllText(Path.Combine(home, ".hacrm_history")));
        Assert.Contains("primitive k ocf:heartbeat:Dummy", Ok("node2", "configure", "show", "k").Out);

        // --wait on a transient attribute: back once the DC's picture shows it and nothing is left to do.
        Assert.Contains("settled after", Ok("node2", "attribute", "node1", "site", "east", "--wait=20s").Out);
        Assert.Contains("site=east (transient)", Ok("node1", "node", "show").Out);

        // Exit codes.
        Assert.Equal(1, Hacrm("node1", ["resource", "stop", "nosuch"]).Exit);
        Assert.Equal(2, Hacrm("node1", ["resource", "stop"]).Exit);
        Assert.Equal(2, Hacrm("node1", ["resource", "ban", "d", "--wait=soon"]).Exit);
        Assert.Equal(2, Hacrm("node1", ["property", "nonsense"]).Exit);
        var unreachable = new StringWriter();
        Assert.Equal(3, HaCluster.Cli.CliApp.Run(["--socket", Path.Combine(cluster.Dir, "nobody.sock"), "resource", "locate", "d"], unreachable, unreachable));
        var typo = Hacrm("node1", ["property", "no-quorum-polcy=ignore"]);
        Assert.Contains("did you mean no-quorum-policy?", typo.Err);
    }
}
