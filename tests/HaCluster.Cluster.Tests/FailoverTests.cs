using System.Diagnostics;
using HaCluster.Core.Status;
using HaCluster.Daemon.Cib;

namespace HaCluster.Cluster.Tests;

/// <summary>
/// End to end: three haclusterd processes on loopback run real ocf:heartbeat:Dummy resources,
/// and move them when the node running them is killed. Each node has its own HA_RSCTMP, so a
/// Dummy's state file says on which node it runs.
/// </summary>
public sealed class FailoverTests : IDisposable
{
    private readonly int subnet = Random.Shared.Next(1, 250);
    private readonly int port = TestCluster.RandomPort();
    private readonly TestCluster cluster;
    private static readonly string[] All = ["node1", "node2", "node3"];

    public FailoverTests()
    {
        cluster = new TestCluster(All, n => $$"""
            cluster_name: failover{{subnet}}
            nodes:
              - { name: node1, id: 1, addresses: [127.3.{{subnet}}.11] }
              - { name: node2, id: 2, addresses: [127.3.{{subnet}}.12] }
              - { name: node3, id: 3, addresses: [127.3.{{subnet}}.13] }
            rings:
              - unicast: { port: {{port}} }
            key_file: KEY
            agents: { rsctmp: RSCTMP/{{n}}.rsctmp }
            """);
        cluster.ConfigRewrite = text => text.Replace("KEY", cluster.KeyFile).Replace("RSCTMP", cluster.Dir);
    }

    public void Dispose() => cluster.Dispose();

    private const string Cib = """
        <cib admin_epoch="0" epoch="5" num_updates="0" validate-with="pacemaker-3.0">
          <configuration>
            <crm_config><cluster_property_set id="opts">
              <nvpair id="o1" name="stonith-enabled" value="false"/>
              <nvpair id="o2" name="cluster-recheck-interval" value="15s"/>
            </cluster_property_set></crm_config>
            <nodes><node id="node1" uname="node1"/><node id="node2" uname="node2"/><node id="node3" uname="node3"/></nodes>
            <resources>
              <group id="web">
                <primitive id="vip" class="ocf" provider="heartbeat" type="Dummy">
                  <operations><op id="vip-mon" name="monitor" interval="1s"/></operations>
                </primitive>
                <primitive id="app" class="ocf" provider="heartbeat" type="Dummy">
                  <operations><op id="app-mon" name="monitor" interval="1s"/></operations>
                </primitive>
              </group>
            </resources>
            <constraints><rsc_location id="prefer" rsc="web" node="node2" score="100"/></constraints>
          </configuration>
          <status/>
        </cib>
        """;

    /// <summary>The nodes whose Dummy state file for <paramref name="rsc"/> exists.</summary>
    private string[] RunningOn(string rsc, IEnumerable<string>? among = null) =>
        (among ?? All).Where(n => File.Exists(Path.Combine(cluster.Dir, $"{n}.rsctmp", $"Dummy-{rsc}.state"))).ToArray();

    [Fact]
    public async Task A_group_starts_where_it_is_preferred_and_fails_over_when_that_node_is_killed()
    {
        new CibStore(Path.Combine(cluster.Dir, "node1.state")).Store(new CibVersion(0, 5, 0), System.Text.Encoding.UTF8.GetBytes(Cib));
        cluster.StartAll();
        await cluster.WaitUntil("vip and app run on node2, exactly once", () =>
            RunningOn("vip").SequenceEqual(["node2"]) && RunningOn("app").SequenceEqual(["node2"]), TimeSpan.FromSeconds(30));

        // Any node's `hacrm status` shows where the resources run.
        await cluster.WaitUntil("node1's status shows the group on node2", () =>
        {
            var output = new StringWriter();
            HaCluster.Cli.CliApp.Run(["--socket", cluster.Socket("node1"), "status"], output, new StringWriter());
            return output.ToString().Contains("vip\t(ocf:heartbeat:Dummy):\t Started node2") && output.ToString().Contains("* Resource Group: web:");
        }, TimeSpan.FromSeconds(10));
        // The plain form skips hacrm's command tree; the full parser asks the daemon the same.
        string[] onNode2 = ["--socket", cluster.Socket("node1"), "status", "--node", "node2", "--active-only"];
        var fast = new StringWriter();
        Assert.Equal(0, HaCluster.Cli.CliApp.Run(onNode2, fast, new StringWriter()));
        var full = new StringWriter();
        Assert.Equal(0, HaCluster.Cli.CliApp.Build().Parse(onNode2).Invoke(new System.CommandLine.InvocationConfiguration { Output = full, Error = new StringWriter() }));
        Assert.Contains("app\t(ocf:heartbeat:Dummy):\t Started node2", fast.ToString());
        Assert.Equal(fast.ToString(), full.ToString());
        // The natively compiled hacrm (as installed) asks and prints the same.
        static string Undated(string text) => string.Join('\n', text.Split('\n').Where(l => !l.Contains("Last updated:")));
        var native = HaCluster.Core.Tests.Cli.NativeHacrm.Run(onNode2);
        Assert.Equal(0, native.Exit);
        Assert.Equal(Undated(fast.ToString()), Undated(native.Out));
        // hacrm mon refreshes the same picture (twice here).
        var mon = Hacrm("node3", "mon", "--interval", "100ms", "--count", "2");
        Assert.Equal(2, mon.Out.Split("Last updated:").Length - 1);
        Assert.Contains("Started node2", mon.Out);
        // ... with status's filters and sections: the summary instead of the list, and the node attributes.
        var monSummary = Hacrm("node3", "mon", "--interval", "100ms", "--count", "1", "--summary", "-A");
        Assert.Contains("primitive instances: 2 active", monSummary.Out);
        Assert.DoesNotContain("Resource Group: web", monSummary.Out);
        Assert.Contains("Node Attributes:", monSummary.Out);

        var clock = Stopwatch.StartNew();
        cluster.Kill("node2");
        string[] survivors = ["node1", "node3"];
        await cluster.WaitUntil("the group runs on one survivor", () =>
            RunningOn("vip", survivors).Length == 1 && RunningOn("app", survivors).SequenceEqual(RunningOn("vip", survivors)), TimeSpan.FromSeconds(30));
        var failover = clock.Elapsed;
        Assert.True(failover < TimeSpan.FromSeconds(20), $"failover took {failover.TotalSeconds:0.0}s");
        // Never two copies among the living.
        await Task.Delay(1500);
        Assert.Single(RunningOn("vip", survivors));
        Assert.Single(RunningOn("app", survivors));

        // node2 comes back still "running" the group (its state files survived, as processes of
        // a hung node might): the probe finds both copies and the cluster keeps exactly one, on
        // the preferred node.
        cluster.Start("node2");
        await cluster.WaitUntil("one copy of the group, back on node2", () =>
            RunningOn("vip").SequenceEqual(["node2"]) && RunningOn("app").SequenceEqual(["node2"]), TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_resource_that_fails_its_monitor_is_recovered_in_place()
    {
        new CibStore(Path.Combine(cluster.Dir, "node1.state")).Store(new CibVersion(0, 5, 0), System.Text.Encoding.UTF8.GetBytes(Cib));
        cluster.StartAll();
        await cluster.WaitUntil("the group runs on node2", () => RunningOn("app").SequenceEqual(["node2"]), TimeSpan.FromSeconds(30));
        // The service dies behind the cluster's back.
        File.Delete(Path.Combine(cluster.Dir, "node2.rsctmp", "Dummy-app.state"));
        await cluster.WaitUntil("app is running again", () => RunningOn("app").SequenceEqual(["node2"]), TimeSpan.FromSeconds(20));
        await cluster.WaitForLog("node2", "app monitor failed");
        await cluster.WaitUntil("the DC logged the recovery", () => All.Any(n => cluster.Log(n).Contains("Recover", StringComparison.Ordinal)), TimeSpan.FromSeconds(10));
    }

    private (int Exit, string Out, string Err) Hacrm(string node, params string[] args) => HacrmWithInput(node, "", args);

    [Fact]
    public async Task A_committed_configuration_is_validated_versioned_replicated_and_acted_on()
    {
        new CibStore(Path.Combine(cluster.Dir, "node1.state")).Store(new CibVersion(0, 5, 0), System.Text.Encoding.UTF8.GetBytes(Cib));
        cluster.StartAll();
        await cluster.WaitUntil("the group runs on node2", () => RunningOn("app").SequenceEqual(["node2"]), TimeSpan.FromSeconds(30));

        // A bad file changes nothing.
        var bad = Path.Combine(cluster.Dir, "bad.crm");
        File.WriteAllText(bad, "primitive extra Dummy\ngroup g2 extra missing\n");
        var rejected = Hacrm("node3", "configure", "load", "update", bad);
        Assert.Equal(1, rejected.Exit);
        Assert.Contains("missing", rejected.Err);
        Assert.All(All, n => Assert.Equal("0.5.0", cluster.Status(n)!.CibVersion));

        // A good one, committed through a node that is not necessarily the DC.
        var good = Path.Combine(cluster.Dir, "extra.crm");
        File.WriteAllText(good, "primitive extra Dummy op monitor interval=1s\nlocation lx extra 100: node3\n");
        var committed = Hacrm("node1", "configure", "load", "update", good);
        Assert.True(committed.Exit == 0, committed.Err);
        var version = System.Text.RegularExpressions.Regex.Match(committed.Out, @"committed: CIB version (0\.\d+\.\d+)").Groups[1].Value;
        Assert.True(version.Length > 0, committed.Out);
        // Every node's status says who changed it, how and where, as crm_mon's "Last change".
        await cluster.WaitUntil("node3's status names the change", () =>
            Hacrm("node3", "status").Out is var text && text.Contains("* Last change:  ") && text.Contains($" by {Environment.UserName} via hacrm on node1"), TimeSpan.FromSeconds(10));
        await cluster.WaitUntil($"every node has {version} and extra runs on node3", () =>
            All.All(n => cluster.Status(n)?.CibVersion == version) && RunningOn("extra").SequenceEqual(["node3"]), TimeSpan.FromSeconds(20));
        Assert.Equal(["node2"], RunningOn("app"));

        // An edit that started from an older version is refused, unless forced.
        var stale = HaCluster.Cli.Status.ApiClient.Call(cluster.Socket("node2"), new HaCluster.Core.Api.ApiRequest("commit", new Dictionary<string, string>
        {
            ["configuration"] = "<cib><configuration><crm_config/><nodes/><resources/><constraints/></configuration></cib>",
            ["base"] = "0.5.0",
        }), out _);
        Assert.False(stale!.Ok);
        Assert.Contains("changed since the edit began", stale.Error);
        Assert.All(All, n => Assert.Equal(version, cluster.Status(n)!.CibVersion));
    }

    [Fact]
    public async Task A_commit_made_as_the_DC_dies_is_either_kept_everywhere_or_reported_as_uncertain()
    {
        new CibStore(Path.Combine(cluster.Dir, "node1.state")).Store(new CibVersion(0, 5, 0), System.Text.Encoding.UTF8.GetBytes(Cib));
        cluster.StartAll();
        await cluster.WaitUntil("the group runs on node2", () => RunningOn("app").SequenceEqual(["node2"]), TimeSpan.FromSeconds(30));
        for (var round = 1; round <= 3; round++)
        {
            await cluster.WaitUntil("a DC every node agrees on", () =>
                All.Select(n => cluster.Status(n)?.Dc).Distinct().Count() == 1 && cluster.Status("node1")?.Dc is not null, TimeSpan.FromSeconds(30));
            var dc = cluster.Status("node1")!.Dc!;
            var through = All.First(n => n != dc);
            var survivors = All.Where(n => n != dc).ToArray();
            var edit = Path.Combine(cluster.Dir, $"round{round}.crm");
            File.WriteAllText(edit, $"primitive extra{round} Dummy op monitor interval=1s\n");

            Task<(int Exit, string Out, string Err)> commit;
            if (round % 2 == 1)
            {
                // The DC dies the moment it has stored the commit: before it has sent it on,
                // unless it sends it before answering.
                var logged = Count(cluster.Log(dc), "committed");
                commit = Task.Run(() => Hacrm(through, "configure", "load", "update", "--force", edit));
                var clock = Stopwatch.StartNew();
                while (Count(cluster.Log(dc), "committed") == logged && clock.Elapsed < TimeSpan.FromSeconds(10)) await Task.Delay(1);
                cluster.Kill(dc);
            }
            else
            {
                // The DC dies first; the commit is made during the failover.
                cluster.Kill(dc);
                await Task.Delay(Random.Shared.Next(0, 400));
                commit = Task.Run(() => Hacrm(through, "configure", "load", "update", "--force", edit));
            }
            var (exit, _, error) = await commit;
            if (exit == 0)
            {
                // Confirmed: it must survive the DC, reach every survivor and be acted on.
                await cluster.WaitUntil($"round {round}: every survivor holds extra{round} and runs it", () =>
                    survivors.All(n => cluster.Status(n)?.ConfigurationXml?.Contains($"id=\"extra{round}\"") == true)
                    && RunningOn($"extra{round}", survivors).Length == 1, TimeSpan.FromSeconds(30));
            }
            else
            {
                // Not confirmed: the operator is told that it is uncertain, never a false "ok".
                Assert.Matches("may or may not|may be lost|no DC|no longer the DC", error);
                // An operator commits again once a DC is back; that one must hold.
                await cluster.WaitUntil($"round {round}: the commit goes through on retry", () =>
                    Hacrm(through, "configure", "load", "update", "--force", edit).Exit == 0, TimeSpan.FromSeconds(30));
                await cluster.WaitUntil($"round {round}: every survivor holds extra{round} and runs it", () =>
                    survivors.All(n => cluster.Status(n)?.ConfigurationXml?.Contains($"id=\"extra{round}\"") == true)
                    && RunningOn($"extra{round}", survivors).Length == 1, TimeSpan.FromSeconds(30));
            }
            // The failover itself went on: the group runs once, on a survivor when node2 died.
            await cluster.WaitUntil($"round {round}: the group runs exactly once among the living", () =>
                RunningOn("app", survivors).Length == 1 && RunningOn("vip", survivors).SequenceEqual(RunningOn("app", survivors)), TimeSpan.FromSeconds(30));
            // The dead node comes back with its old copy and takes the newer one.
            Directory.Delete(Path.Combine(cluster.Dir, $"{dc}.rsctmp"), recursive: true);
            cluster.Start(dc);
            await cluster.WaitUntil($"round {round}: {dc} is back with extra{round}", () =>
                cluster.Status(dc)?.ConfigurationXml?.Contains($"id=\"extra{round}\"") == true, TimeSpan.FromSeconds(30));
        }
        // Nothing committed was lost along the way.
        var final = cluster.Status("node1")!.ConfigurationXml!;
        Assert.All(Enumerable.Range(1, 3), i => Assert.Contains($"id=\"extra{i}\"", final));
    }

    [Fact]
    public async Task Changing_a_resource_parameter_restarts_it_in_place_and_leaves_the_rest_alone()
    {
        new CibStore(Path.Combine(cluster.Dir, "node1.state")).Store(new CibVersion(0, 5, 0), System.Text.Encoding.UTF8.GetBytes(Cib));
        cluster.StartAll();
        await cluster.WaitUntil("the group runs on node2", () => RunningOn("app").SequenceEqual(["node2"]), TimeSpan.FromSeconds(30));
        await Task.Delay(1500);  // the first monitors have reported: the cluster is idle
        Assert.DoesNotContain("app stop", cluster.Log("node2"));

        var edit = Path.Combine(cluster.Dir, "param.crm");
        File.WriteAllText(edit, "primitive app ocf:heartbeat:Dummy params fake=changed op monitor interval=1s\n");
        var committed = Hacrm("node1", "configure", "load", "update", edit);
        Assert.True(committed.Exit == 0, committed.Err);

        // The recorded op-digest no longer matches the definition: stop, then start again, same node.
        await cluster.WaitForLog("node2", "app stop");
        await cluster.WaitUntil("app runs on node2 again", () => RunningOn("app").SequenceEqual(["node2"]) &&
            cluster.Log("node2").LastIndexOf("app start", StringComparison.Ordinal) > cluster.Log("node2").LastIndexOf("app stop", StringComparison.Ordinal), TimeSpan.FromSeconds(15));
        Assert.DoesNotContain("vip stop", cluster.Log("node2"));
        // And once restarted with the new parameters it stays up: no restart loop.
        var restarts = Count(cluster.Log("node2"), "app stop");
        await Task.Delay(3000);
        Assert.Equal(restarts, Count(cluster.Log("node2"), "app stop"));
    }

    [Fact]
    public async Task A_group_follows_a_health_attribute_that_a_check_script_sets()
    {
        // Seed 001's pattern (keepalived's vrrp_script): a check marks a node unhealthy and the
        // service leaves it. The "script" here is what an operator's check runs: hacrm attribute.
        var cib = Cib.Replace("</constraints>", """
            <rsc_location id="health" rsc="web"><rule id="health-rule" score="-INFINITY">
              <expression id="health-expr" attribute="healthy" operation="eq" value="0"/></rule></rsc_location></constraints>
            """);
        new CibStore(Path.Combine(cluster.Dir, "node1.state")).Store(new CibVersion(0, 5, 0), System.Text.Encoding.UTF8.GetBytes(cib));
        cluster.StartAll();
        await cluster.WaitUntil("the group runs on node2", () => RunningOn("app").SequenceEqual(["node2"]), TimeSpan.FromSeconds(30));

        // Set from another node: the attribute belongs to node2, which reports it to the DC.
        var set = Hacrm("node1", "attribute", "node2", "healthy", "0");
        Assert.True(set.Exit == 0, set.Err);
        await cluster.WaitUntil("the group leaves the unhealthy node", () =>
            RunningOn("app").Length == 1 && RunningOn("app")[0] != "node2" && RunningOn("vip").SequenceEqual(RunningOn("app")), TimeSpan.FromSeconds(15));
        await cluster.WaitUntil("the attribute is visible", () => Hacrm("node3", "attribute", "node2", "healthy").Out.Trim() == "healthy=0", TimeSpan.FromSeconds(10));

        Assert.Equal(0, Hacrm("node2", "attribute", "node2", "healthy", "--delete").Exit);
        await cluster.WaitUntil("healthy again, the group returns to its preferred node", () =>
            RunningOn("app").SequenceEqual(["node2"]) && RunningOn("vip").SequenceEqual(["node2"]), TimeSpan.FromSeconds(15));

        var unknown = Hacrm("node1", "attribute", "nosuch", "healthy", "1");
        Assert.NotEqual(0, unknown.Exit);
        Assert.Contains("not a member", unknown.Err);
    }

    private (int Exit, string Out, string Err) HacrmWithInput(string node, string input, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = HaCluster.Cli.CliApp.Run(["--socket", cluster.Socket(node), .. args], output, error, new StringReader(input));
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task The_configure_shell_edits_the_running_configuration_in_batch()
    {
        new CibStore(Path.Combine(cluster.Dir, "node1.state")).Store(new CibVersion(0, 5, 0), System.Text.Encoding.UTF8.GetBytes(Cib));
        cluster.StartAll();
        await cluster.WaitUntil("the group runs on node2", () => RunningOn("app").SequenceEqual(["node2"]), TimeSpan.FromSeconds(30));

        // Errors are located in the input and nothing is committed.
        var bad = HacrmWithInput("node1", "primitive extra Dummy\ngroup g2 extra missing\n", "configure");
        Assert.Equal(1, bad.Exit);
        Assert.Contains("stdin:2:", bad.Err);
        Assert.Contains("not committed", bad.Err);
        Assert.All(All, n => Assert.Equal("0.5.0", cluster.Status(n)!.CibVersion));

        // crm configure's batch input: statements (with continuation lines), show, commit.
        var script = """
            # a comment
            primitive extra ocf:heartbeat:Dummy \
                op monitor interval=1s
            location lx extra 100: node3
            show extra
            commit
            quit
            """;
        var good = HacrmWithInput("node3", script, "configure");
        Assert.True(good.Exit == 0, good.Err);
        Assert.Contains("primitive extra", good.Out);
        Assert.Matches(@"committed: CIB version 0\.\d+\.\d+", good.Out);
        await cluster.WaitUntil("extra runs on node3", () => RunningOn("extra").SequenceEqual(["node3"]), TimeSpan.FromSeconds(20));

        // Redefining an object that exists is refused (delete it first); delete + re-add works.
        var redefine = HacrmWithInput("node1", "primitive extra Dummy\n", "configure");
        Assert.Equal(1, redefine.Exit);
        Assert.Contains("delete", redefine.Err);
        var moved = HacrmWithInput("node1", "delete lx\nlocation lx extra 100: node1\ncommit\n", "configure");
        Assert.True(moved.Exit == 0, moved.Err);
        await cluster.WaitUntil("extra moves to node1", () => RunningOn("extra").SequenceEqual(["node1"]), TimeSpan.FromSeconds(20));
    }

    private static int Count(string text, string what)
    {
        int n = 0;
        for (var i = text.IndexOf(what, StringComparison.Ordinal); i >= 0; i = text.IndexOf(what, i + what.Length, StringComparison.Ordinal)) n++;
        return n;
    }

    /// <summary>Runs a committing command and waits until every node holds the version it made.</summary>
    private async Task Commit(string node, params string[] args)
    {
        var (exit, output, error) = Hacrm(node, args);
        Assert.True(exit == 0, $"hacrm {string.Join(' ', args)}: {error}");
        var version = output.Trim().Split(' ')[^1];
        await cluster.WaitUntil($"every node holds {version}", () => All.All(n => cluster.Status(n)?.CibVersion == version), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Operators_stop_and_start_resources_put_nodes_in_standby_and_move_resources()
    {
        new CibStore(Path.Combine(cluster.Dir, "node1.state")).Store(new CibVersion(0, 5, 0), System.Text.Encoding.UTF8.GetBytes(Cib));
        cluster.StartAll();
        await cluster.WaitUntil("the group runs on node2", () => RunningOn("app").SequenceEqual(["node2"]), TimeSpan.FromSeconds(30));

        await Commit("node1", "resource", "stop", "app");
        await cluster.WaitUntil("app stops, vip stays", () => RunningOn("app").Length == 0 && RunningOn("vip").SequenceEqual(["node2"]), TimeSpan.FromSeconds(15));
        await Commit("node3", "resource", "start", "app");
        await cluster.WaitUntil("app runs again", () => RunningOn("app").SequenceEqual(["node2"]), TimeSpan.FromSeconds(15));

        await Commit("node2", "node", "standby", "node2");
        await cluster.WaitUntil("the group leaves node2", () => RunningOn("app").Length == 1 && RunningOn("app")[0] != "node2" && RunningOn("vip").SequenceEqual(RunningOn("app")), TimeSpan.FromSeconds(15));
        await Commit("node2", "node", "online", "node2");

        await Commit("node1", "resource", "move", "web", "node3");
        await cluster.WaitUntil("the group runs on node3", () => RunningOn("app").SequenceEqual(["node3"]) && RunningOn("vip").SequenceEqual(["node3"]), TimeSpan.FromSeconds(15));
        await Commit("node1", "resource", "clear", "web");

        var missing = Hacrm("node1", "resource", "stop", "nosuch");
        Assert.Equal(1, missing.Exit);
        Assert.Contains("no resource 'nosuch'", missing.Err);
        await Commit("node1", "property", "cluster-recheck-interval=30s");
    }

    [Fact]
    public async Task After_a_whole_cluster_restart_the_committed_configuration_and_stickiness_still_hold()
    {
        new CibStore(Path.Combine(cluster.Dir, "node1.state")).Store(new CibVersion(0, 5, 0), System.Text.Encoding.UTF8.GetBytes(Cib));
        cluster.StartAll();
        await cluster.WaitUntil("the group runs on node2", () => RunningOn("app").SequenceEqual(["node2"]), TimeSpan.FromSeconds(30));
        // Stickiness 200 outweighs the group's preference for node2 (100) once it runs elsewhere.
        var edit = Path.Combine(cluster.Dir, "sticky.crm");
        File.WriteAllText(edit, "rsc_defaults resource-stickiness=200\nprimitive extra Dummy op monitor interval=1s\n");
        Assert.Equal(0, Hacrm("node1", "configure", "load", "update", edit).Exit);
        await Commit("node1", "resource", "move", "web", "node3");
        await cluster.WaitUntil("the group runs on node3", () => RunningOn("app").SequenceEqual(["node3"]) && RunningOn("vip").SequenceEqual(["node3"]), TimeSpan.FromSeconds(15));
        await Commit("node1", "resource", "clear", "web");
        await cluster.WaitUntil("extra runs once", () => RunningOn("extra").Length == 1, TimeSpan.FromSeconds(15));
        var version = cluster.Status("node1")!.CibVersion;
        var extraOn = RunningOn("extra");
        var probesBefore = All.ToDictionary(n => n, n => Count(cluster.Log(n), "probed "));

        // Every daemon dies at once (the services keep running, as after a crash of the whole
        // cluster stack), then every node starts again from its state directory.
        foreach (var n in All) cluster.Kill(n);
        cluster.StartAll();
        await cluster.WaitUntil("all three are members again with the committed version", () =>
            All.All(n => cluster.Status(n) is { } s && s.Agreed && TestCluster.Online(s).Count() == 3 && s.CibVersion == version), TimeSpan.FromSeconds(30));
        await cluster.WaitUntil("every node has probed again", () => All.All(n => Count(cluster.Log(n), "probed ") > probesBefore[n]), TimeSpan.FromSeconds(30));
        // The probes found everything where it was; stickiness keeps it there.
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal(["node3"], RunningOn("app"));
        Assert.Equal(["node3"], RunningOn("vip"));
        Assert.Equal(extraOn, RunningOn("extra"));
    }

    /// <summary>
    /// Puts the test agent ocf:test:Notified (tests/HaCluster.Cluster.Tests/agents/Notified) under
    /// a private OCF root for every node; it writes each action and notification it gets into its
    /// node's HA_RSCTMP (<see cref="NotifiedLog"/>). The other agents are not under that root.
    /// </summary>
    private void InstallNotifiedAgent()
    {
        var ocf = Directory.CreateDirectory(Path.Combine(cluster.Dir, "ocf", "resource.d", "test")).FullName;
        File.Copy(Path.Combine(AppContext.BaseDirectory, "agents", "Notified"), Path.Combine(ocf, "Notified"));
        File.SetUnixFileMode(Path.Combine(ocf, "Notified"), (UnixFileMode)0b111_101_101);
        var previous = cluster.ConfigRewrite;
        cluster.ConfigRewrite = text => previous(text).Replace("agents: {", $"agents: {{ ocf_root: {Path.Combine(cluster.Dir, "ocf")},");
    }

    private string NotifiedLog(string node) => File.Exists(Path.Combine(cluster.Dir, $"{node}.rsctmp", "Notified.log"))
        ? File.ReadAllText(Path.Combine(cluster.Dir, $"{node}.rsctmp", "Notified.log")) : "";

    /// <summary>The CIB's group "web", to swap for other resources.</summary>
    private static string WebGroup => Cib[Cib.IndexOf("<group id=\"web\">", StringComparison.Ordinal)..(Cib.IndexOf("</group>", StringComparison.Ordinal) + "</group>".Length)];

    [Fact]
    public async Task A_clone_with_notify_tells_its_instances_before_and_after_each_start_and_stop()
    {
        InstallNotifiedAgent();
        // Only the test agent's clone: the other agents are not under this OCF root.
        var cib = Cib.Replace("""<constraints><rsc_location id="prefer" rsc="web" node="node2" score="100"/></constraints>""", "<constraints/>")
            .Replace(WebGroup, "")
            .Replace("<resources>", """
                <resources>
                  <clone id="watchers">
                    <meta_attributes id="w-meta"><nvpair id="w-notify" name="notify" value="true"/></meta_attributes>
                    <primitive id="watcher" class="ocf" provider="test" type="Notified"/>
                  </clone>
                """);
        new CibStore(Path.Combine(cluster.Dir, "node1.state")).Store(new CibVersion(0, 5, 0), System.Text.Encoding.UTF8.GetBytes(cib));
        string Log(string node) => NotifiedLog(node);
        cluster.StartAll();
        await cluster.WaitUntil("every instance has started and heard so", () => All.All(n => Log(n).Contains("notify post-start")), TimeSpan.FromSeconds(30));
        foreach (var n in All)
        {
            var lines = Log(n).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var started = Array.FindIndex(lines, l => l.StartsWith("start watcher", StringComparison.Ordinal));
            var heard = Array.FindIndex(lines, l => l.StartsWith("notify post-start", StringComparison.Ordinal));
            Assert.True(started >= 0 && heard > started, $"{n}: {string.Join(" | ", lines)}");
            Assert.Contains(n, lines[heard][lines[heard].IndexOf("start=[", StringComparison.Ordinal)..lines[heard].IndexOf("] stop", StringComparison.Ordinal)]);
            Assert.DoesNotContain("notify pre-start", Log(n)); // nothing ran before, so nobody to tell
        }

        // node3 goes to standby: every instance hears of the stop before it, the two left after it.
        await Commit("node1", "node", "standby", "node3");
        await cluster.WaitUntil("node1 and node2 heard of node3's stop after it", () =>
            Log("node1").Contains("notify post-stop start=[ ] stop=[node3]") && Log("node2").Contains("notify post-stop start=[ ] stop=[node3]"), TimeSpan.FromSeconds(20));
        var node3 = Log("node3").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var preStop = Array.FindIndex(node3, l => l.StartsWith("notify pre-stop start=[ ] stop=[node3]", StringComparison.Ordinal));
        var stop = Array.FindIndex(node3, l => l.StartsWith("stop watcher", StringComparison.Ordinal));
        Assert.True(preStop >= 0 && stop > preStop, string.Join(" | ", node3));
        Assert.DoesNotContain("post-stop", Log("node3"));
        Assert.Contains("notify pre-stop start=[ ] stop=[node3] active=[node1 node2 node3]", Log("node1"));
    }

    [Fact]
    public async Task Resource_restart_stops_a_group_in_reverse_order_and_starts_it_again_in_place()
    {
        new CibStore(Path.Combine(cluster.Dir, "node1.state")).Store(new CibVersion(0, 5, 0), System.Text.Encoding.UTF8.GetBytes(Cib));
        cluster.StartAll();
        await cluster.WaitUntil("the group runs on node2", () => RunningOn("app").SequenceEqual(["node2"]), TimeSpan.FromSeconds(30));
        var restart = Hacrm("node3", "resource", "restart", "web");
        Assert.True(restart.Exit == 0, restart.Err);
        Assert.Contains("web stopped everywhere; starting it again", restart.Out);
        await cluster.WaitUntil("the group runs on node2 again", () =>
            RunningOn("app").SequenceEqual(["node2"]) && cluster.Log("node2").Contains("app start") && Count(cluster.Log("node2"), "app start") == 2, TimeSpan.FromSeconds(20));
        var log = cluster.Log("node2");
        int At(string what, bool last = false) => last ? log.LastIndexOf(what, StringComparison.Ordinal) : log.IndexOf(what, StringComparison.Ordinal);
        Assert.True(At("app stop") < At("vip stop") && At("vip stop") < At("vip start", last: true) && At("vip start", last: true) < At("app start", last: true), log);
        // Its target-role is back as it was (none), so nothing keeps it stopped.
        Assert.DoesNotContain("target-role", cluster.Status("node1")!.ConfigurationXml!);

        // crm's spelling of move.
        var migrate = Hacrm("node1", "resource", "migrate", "web", "node3");
        Assert.True(migrate.Exit == 0, migrate.Err);
        await cluster.WaitUntil("the group runs on node3", () => RunningOn("app").SequenceEqual(["node3"]) && RunningOn("vip").SequenceEqual(["node3"]), TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task A_resource_that_allows_migration_moves_live_with_migrate_to_and_migrate_from()
    {
        // Seed 002's Xen VMs (allow-migrate=true): a VM leaving a node in standby is migrated,
        // not stopped and started. The test agent writes down what it is asked and with which
        // migrate_source/migrate_target.
        InstallNotifiedAgent();
        var cib = Cib.Replace(WebGroup, """
            <primitive id="vm" class="ocf" provider="test" type="Notified">
              <meta_attributes id="vm-meta"><nvpair id="vm-migrate" name="allow-migrate" value="true"/></meta_attributes>
              <operations><op id="vm-mon" name="monitor" interval="1s"/></operations>
            </primitive>
            """).Replace("rsc=\"web\"", "rsc=\"vm\"");
        new CibStore(Path.Combine(cluster.Dir, "node1.state")).Store(new CibVersion(0, 5, 0), System.Text.Encoding.UTF8.GetBytes(cib));
        string Log(string node) => NotifiedLog(node);
        bool Runs(string node) => File.Exists(Path.Combine(cluster.Dir, $"{node}.rsctmp", "Notified.state"));
        cluster.StartAll();
        await cluster.WaitUntil("vm runs on node2", () => Runs("node2") && Log("node2").Contains("start vm"), TimeSpan.FromSeconds(30));
        await Task.Delay(1500); // its monitor runs

        await Commit("node1", "node", "standby", "node2");
        Assert.Contains("  * Node node2: standby", Hacrm("node3", "status").Out);
        string[] others = ["node1", "node3"];
        await cluster.WaitUntil("vm migrated to node1 or node3", () => others.Count(Runs) == 1 && !Runs("node2")
            && Log("node2").Contains("stop vm"), TimeSpan.FromSeconds(20));
        var target = others.Single(Runs);
        Assert.Contains($"migrate_to vm source=node2 target={target}", Log("node2"));
        Assert.Contains($"migrate_from vm source=node2 target={target}", Log(target));
        Assert.DoesNotContain("start vm", Log(target));
        // migrate_to, then migrate_from on the target, then the stop that ends it on the source.
        var source = Log("node2");
        Assert.True(source.IndexOf("migrate_to vm", StringComparison.Ordinal) < source.LastIndexOf("stop vm", StringComparison.Ordinal), source);
        // The source's monitor was cancelled before the resource left; the target's runs.
        await Task.Delay(2500);
        Assert.All(All, n => Assert.DoesNotContain("vm monitor failed", cluster.Log(n)));
        Assert.True(Runs(target));
        Assert.Contains($"vm\t(ocf:test:Notified):\t Started {target}", Hacrm("node1", "status").Out);
    }

    /// <summary>
    /// Stores the test CIB with fencing enabled and a fence_dummy device whose "power" is a file;
    /// returns that file's path.
    /// </summary>
    private string StoreCibWithFencing()
    {
        var power = Path.Combine(cluster.Dir, "power");
        var cib = Cib.Replace("""<nvpair id="o1" name="stonith-enabled" value="false"/>""", """<nvpair id="o1" name="stonith-enabled" value="true"/>""")
            .Replace("<resources>", $$"""
                <resources>
                  <primitive id="st" class="stonith" type="fence_dummy">
                    <instance_attributes id="st-ia">
                      <nvpair id="st-type" name="type" value="file"/>
                      <nvpair id="st-file" name="status_file" value="{{power}}"/>
                      <nvpair id="st-arg" name="pcmk_host_argument" value="none"/>
                    </instance_attributes>
                  </primitive>
                """);
        new CibStore(Path.Combine(cluster.Dir, "node1.state")).Store(new CibVersion(0, 5, 0), System.Text.Encoding.UTF8.GetBytes(cib));
        return power;
    }

    [Fact]
    public async Task With_fencing_enabled_a_lost_node_is_fenced_before_its_resources_start_elsewhere()
    {
        var power = StoreCibWithFencing();
        cluster.StartAll();
        await cluster.WaitUntil("the group runs on node2", () => RunningOn("app").SequenceEqual(["node2"]), TimeSpan.FromSeconds(30));
        cluster.Kill("node2");
        string[] survivors = ["node1", "node3"];
        await cluster.WaitUntil("the group runs on a survivor", () =>
            RunningOn("app", survivors).Length == 1 && RunningOn("vip", survivors).SequenceEqual(RunningOn("app", survivors)), TimeSpan.FromSeconds(30));
        // (The daemons' output reaches their log files asynchronously.)
        string Logs() => string.Join("\n", survivors.Select(cluster.Log));
        await cluster.WaitUntil("the logs say node2 was fenced", () => Logs().Contains("node2 fenced (reboot)"), TimeSpan.FromSeconds(10));
        Assert.Contains("fencing node2 (reboot) with st: ok", Logs());
        var fencedAt = Logs().IndexOf("fencing node2 (reboot) with st: ok", StringComparison.Ordinal);
        Assert.True(fencedAt >= 0);
        // fence_dummy's power file: the reboot switched the "machine" back on.
        Assert.Equal("on", File.ReadAllText(power).Trim());
    }

    [Fact]
    public async Task A_node_stopped_with_SIGTERM_hands_its_resources_over_before_it_exits()
    {
        new CibStore(Path.Combine(cluster.Dir, "node1.state")).Store(new CibVersion(0, 5, 0), System.Text.Encoding.UTF8.GetBytes(Cib));
        cluster.StartAll();
        await cluster.WaitUntil("the group runs on node2", () => RunningOn("app").SequenceEqual(["node2"]) && RunningOn("vip").SequenceEqual(["node2"]), TimeSpan.FromSeconds(30));
        Assert.Equal(0, cluster.Stop("node2"));
        // By the time node2 has exited, its copies are stopped and the group runs on a survivor.
        Assert.Empty(RunningOn("app", ["node2"]));
        Assert.Empty(RunningOn("vip", ["node2"]));
        await cluster.WaitUntil("the group runs once on a survivor", () =>
            RunningOn("app").Length == 1 && RunningOn("vip").SequenceEqual(RunningOn("app")), TimeSpan.FromSeconds(15));
        await cluster.WaitForLog("node2", "no resources active here any more");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Under_shutdown_lock_a_node_stopped_cleanly_keeps_its_resources_until_it_returns(bool theDcStops)
    {
        var cib = Cib.Replace("""<nvpair id="o1" name="stonith-enabled" value="false"/>""",
            """<nvpair id="o1" name="stonith-enabled" value="false"/><nvpair id="o3" name="shutdown-lock" value="true"/>""");
        new CibStore(Path.Combine(cluster.Dir, "node1.state")).Store(new CibVersion(0, 5, 0), System.Text.Encoding.UTF8.GetBytes(cib));
        cluster.StartAll();
        await cluster.WaitUntil("the group runs on node2", () => RunningOn("app").SequenceEqual(["node2"]) && RunningOn("vip").SequenceEqual(["node2"]), TimeSpan.FromSeconds(30));
        await cluster.WaitUntil("every node agrees on the DC", () => All.Select(n => cluster.Status(n)?.Dc).Distinct().Count() == 1 && cluster.Status("node1")?.Dc is not null, TimeSpan.FromSeconds(30));
        var dc = cluster.Status("node1")!.Dc!;
        // The group goes to the node that will stop: the DC (whose successor must learn of the
        // lock from its last picture) or another node.
        var leaving = theDcStops ? dc : All.First(n => n != dc);
        if (leaving != "node2")
        {
            await Commit("node1", "resource", "move", "web", leaving);
            await cluster.WaitUntil($"the group runs on {leaving}", () => RunningOn("app").SequenceEqual([leaving]) && RunningOn("vip").SequenceEqual([leaving]), TimeSpan.FromSeconds(20));
        }
        Assert.Equal(0, cluster.Stop(leaving));
        Assert.True(RunningOn("app").Length == 0, string.Join("\n", All.Select(cluster.Log)));
        // The survivors leave it stopped, and say for whom.
        var survivor = All.First(n => n != leaving);
        await cluster.WaitUntil("a survivor shows the lock", () => Hacrm(survivor, "status").Out.Contains($"Stopped {leaving} (LOCKED)"), TimeSpan.FromSeconds(15));
        await Task.Delay(3000);
        Assert.True(RunningOn("vip").Length == 0 && RunningOn("app").Length == 0, string.Join("\n", All.Select(cluster.Log)));
        cluster.Start(leaving);
        await cluster.WaitUntil($"the group runs on {leaving} again", () => RunningOn("app").SequenceEqual([leaving]) && RunningOn("vip").SequenceEqual([leaving]), TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_DC_stopped_cleanly_with_fencing_enabled_is_not_fenced_by_its_successor()
    {
        // The successor learns from the old DC's last picture that it was shutting down: it left
        // cleanly, nothing of it is in doubt.
        StoreCibWithFencing();
        cluster.StartAll();
        await cluster.WaitUntil("the group runs on node2", () => RunningOn("app").SequenceEqual(["node2"]), TimeSpan.FromSeconds(30));
        await cluster.WaitUntil("every node agrees on the DC", () => All.Select(n => cluster.Status(n)?.Dc).Distinct().Count() == 1 && cluster.Status("node1")?.Dc is not null, TimeSpan.FromSeconds(30));
        var dc = cluster.Status("node1")!.Dc!;
        Assert.Equal(0, cluster.Stop(dc));
        string[] survivors = All.Where(n => n != dc).ToArray();
        await cluster.WaitUntil("the group runs once on a survivor", () =>
            RunningOn("app", survivors).Length == 1 && RunningOn("vip", survivors).SequenceEqual(RunningOn("app", survivors)), TimeSpan.FromSeconds(20));
        await Task.Delay(2000);
        var logs = string.Join("\n", survivors.Select(cluster.Log));
        Assert.DoesNotContain($"fencing {dc}", logs);
        Assert.Contains($"{dc} had shut down cleanly under the previous DC", logs);
    }

    [Fact]
    public async Task A_resource_banned_by_its_failures_returns_after_a_cleanup()
    {
        var cib = Cib.Replace("""<primitive id="app" class="ocf" provider="heartbeat" type="Dummy">""",
            """<primitive id="app" class="ocf" provider="heartbeat" type="Dummy"><meta_attributes id="app-meta"><nvpair id="app-mt" name="migration-threshold" value="1"/></meta_attributes>""");
        new CibStore(Path.Combine(cluster.Dir, "node1.state")).Store(new CibVersion(0, 5, 0), System.Text.Encoding.UTF8.GetBytes(cib));
        cluster.StartAll();
        await cluster.WaitUntil("the group runs on node2", () => RunningOn("app").SequenceEqual(["node2"]), TimeSpan.FromSeconds(30));
        File.Delete(Path.Combine(cluster.Dir, "node2.rsctmp", "Dummy-app.state"));
        await cluster.WaitUntil("one failure (migration-threshold=1) moves the group off node2", () =>
            RunningOn("app").Length == 1 && RunningOn("app")[0] != "node2" && RunningOn("vip").SequenceEqual(RunningOn("app")), TimeSpan.FromSeconds(20));

        var (exit, output, error) = Hacrm("node3", "resource", "cleanup", "app");
        Assert.True(exit == 0, error);
        Assert.Contains("cleaning up app", output);
        await cluster.WaitUntil("the group is back on its preferred node", () =>
            RunningOn("app").SequenceEqual(["node2"]) && RunningOn("vip").SequenceEqual(["node2"]), TimeSpan.FromSeconds(20));
    }
}
