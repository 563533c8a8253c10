using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using HaCluster.Core.Status;
using HaCluster.Daemon.Cib;

namespace HaCluster.Cluster.Tests;

/// <summary>
/// haclusterd's HTTP side on a real 3-node loopback cluster, with real clients: the REST API
/// (status, configuration, history, changes with the token and the version check), the metrics
/// (checked by Prometheus' own promtool, and scraped by a real Prometheus), and the status page
/// loaded in headless Chromium.
/// </summary>
public sealed class HttpApiTests : IDisposable
{
    private readonly int httpPort = TestCluster.RandomPort() + 3;
    private readonly TestCluster cluster;
    private readonly string token = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));
    private static readonly string[] All = ["node1", "node2", "node3"];
    private readonly HttpClient client = new() { Timeout = TimeSpan.FromSeconds(30) };

    public HttpApiTests()
    {
        cluster = TestCluster.OnLoopback("http", 3, 6, c => $$"""
            http: { port: {{httpPort}}, token_file: {{c.Dir}}/http.token }
            """);
        var tokenFile = Path.Combine(cluster.Dir, "http.token");
        File.WriteAllText(tokenFile, token + "\n");
        File.SetUnixFileMode(tokenFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    public void Dispose()
    {
        client.Dispose();
        cluster.Dispose();
    }

    private const string Cib = """
        <cib admin_epoch="0" epoch="5" num_updates="0" validate-with="pacemaker-3.0">
          <configuration>
            <crm_config><cluster_property_set id="opts"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
            <nodes><node id="node1" uname="node1"/><node id="node2" uname="node2"/><node id="node3" uname="node3"/></nodes>
            <resources>
              <group id="g">
                <primitive id="d" class="ocf" provider="heartbeat" type="Dummy"><operations><op id="d-mon" name="monitor" interval="1s"/></operations></primitive>
                <primitive id="e" class="ocf" provider="heartbeat" type="Dummy"/>
              </group>
            </resources>
            <constraints><rsc_location id="prefer" rsc="g" node="node1" score="100"/></constraints>
          </configuration>
          <status/>
        </cib>
        """;

    private string Url(string node, string path) => $"http://{cluster.NodeAddresses[node]}:{httpPort}{path}";

    private async Task<HttpResponseMessage> Send(HttpMethod method, string node, string path, string? body = null, bool withToken = true)
    {
        var request = new HttpRequestMessage(method, Url(node, path));
        if (withToken) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        return await client.SendAsync(request);
    }

    private async Task<string> Get(string node, string path)
    {
        var response = await Send(HttpMethod.Get, node, path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path} on {node}: {(int)response.StatusCode} {text}");
        return text;
    }

    /// <summary>The nodes whose Dummy state file says RSC runs there (a killed node's file stays: leave it out).</summary>
    private string[] RunningOn(string rsc, string? killed = null) =>
        All.Where(n => n != killed && File.Exists(Path.Combine(cluster.Dir, $"{n}.rsctmp", $"Dummy-{rsc}.state"))).ToArray();

    private async Task StartCluster()
    {
        new CibStore(Path.Combine(cluster.Dir, "node1.state")).Store(new CibVersion(0, 5, 0), Encoding.UTF8.GetBytes(Cib));
        cluster.StartAll();
        await cluster.WaitUntil("g runs on node1", () => RunningOn("d").SequenceEqual(["node1"]) && RunningOn("e").SequenceEqual(["node1"]), TimeSpan.FromSeconds(30));
        await cluster.WaitForLog("node1", "serving the status page, API and metrics on http://");
    }

    private string Dc() => cluster.Status("node1")!.Dc!;

    [Fact]
    public async Task The_api_serves_status_config_and_history_and_carries_out_changes_with_the_token_and_the_version_check()
    {
        await StartCluster();

        // Without the token: nothing but the page shell.
        Assert.Equal(HttpStatusCode.Unauthorized, (await Send(HttpMethod.Get, "node2", "/api/v1/status", withToken: false)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Send(HttpMethod.Post, "node2", "/api/v1/resources/g/stop", withToken: false)).StatusCode);
        var wrong = new HttpRequestMessage(HttpMethod.Get, Url("node2", "/metrics"));
        wrong.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token[..^1] + (token[^1] == '0' ? '1' : '0'));
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(wrong)).StatusCode);
        Assert.Contains("<title>HaCluster</title>", await (await Send(HttpMethod.Get, "node2", "/", withToken: false)).Content.ReadAsStringAsync());

        // Any node answers for the whole cluster.
        using (var status = JsonDocument.Parse(await Get("node3", "/api/v1/status")))
        {
            var root = status.RootElement;
            Assert.Equal("node3", root.GetProperty("summary").GetProperty("this_node").GetString());
            Assert.True(root.GetProperty("summary").GetProperty("quorate").GetBoolean());
            Assert.Equal(3, root.GetProperty("nodes").EnumerateArray().Count(n => n.GetProperty("state").GetString() == "online"));
            var g = root.GetProperty("resources").EnumerateArray().Single(r => r.GetProperty("id").GetString() == "g");
            Assert.Equal("group", g.GetProperty("kind").GetString());
            Assert.Equal(["d", "e"], g.GetProperty("children").EnumerateArray().Select(c => c.GetProperty("id").GetString()));
            Assert.Equal("node1", g.GetProperty("nodes")[0].GetProperty("node").GetString());
            Assert.Contains("Full List of Resources", root.GetProperty("text").GetString());
        }
        var config = await Send(HttpMethod.Get, "node2", "/api/v1/config?format=crm");
        var crm = await config.Content.ReadAsStringAsync();
        Assert.Contains("primitive d ocf:heartbeat:Dummy", crm);
        var version = config.Headers.GetValues("X-Cib-Version").Single();
        Assert.Contains("<primitive id=\"d\"", await Get("node2", "/api/v1/config?format=xml"));
        Assert.Contains("resources:", await Get("node2", "/api/v1/config?format=yaml"));

        // A move through node2's API: committed like hacrm's, carried out by the DC.
        var moved = await Send(HttpMethod.Post, "node2", "/api/v1/resources/g/move?node=node3");
        Assert.True(moved.IsSuccessStatusCode, await moved.Content.ReadAsStringAsync());
        await cluster.WaitUntil("g moves to node3", () => RunningOn("d").SequenceEqual(["node3"]) && RunningOn("e").SequenceEqual(["node3"]), TimeSpan.FromSeconds(30));

        // A commit based on the version read before the move is refused: it would undo the move.
        var stale = await Send(HttpMethod.Post, "node1", "/api/v1/commit",
            JsonSerializer.Serialize(new { configuration = crm, format = "crm", @base = version }));
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        // A broken configuration is refused with its line and column; nothing changes.
        var broken = await Send(HttpMethod.Post, "node1", "/api/v1/commit",
            JsonSerializer.Serialize(new { configuration = "primitive x ocf:heartbeat:Dummy\nlocation l x 100 node1\n", format = "crm", @base = "0.0.0" }));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, broken.StatusCode);
        Assert.Contains("request:2:", await broken.Content.ReadAsStringAsync());
        Assert.Equal(["node3"], RunningOn("d"));

        var clear = await Send(HttpMethod.Post, "node3", "/api/v1/resources/g/clear");
        Assert.True(clear.IsSuccessStatusCode, await clear.Content.ReadAsStringAsync());
        await cluster.WaitUntil("g returns to node1", () => RunningOn("d").SequenceEqual(["node1"]), TimeSpan.FromSeconds(30));

        // The DC kept every transition with its input: the API lists them, hacrm replays one.
        var dc = Dc();
        JsonElement moveTransition = default;
        await cluster.WaitUntil("the DC's history has the move, complete", () =>
        {
            using var history = JsonDocument.Parse(Get(dc, "/api/v1/history").GetAwaiter().GetResult());
            var found = history.RootElement.GetProperty("transitions").EnumerateArray()
                .Where(t => t.GetProperty("summary").EnumerateArray().Any(l => l.GetString()!.Contains("Move") && l.GetString()!.Contains("node3"))
                            && t.GetProperty("result").GetString() == "complete" && t.TryGetProperty("input", out _)).ToList();
            if (found.Count == 0) return false;
            moveTransition = found[0].Clone();
            return true;
        }, TimeSpan.FromSeconds(10));
        var sequence = moveTransition.GetProperty("sequence").GetInt64();
        Assert.Contains(moveTransition.GetProperty("actions").EnumerateArray(), a => a.GetProperty("action").GetString()!.Contains("d_start_0 on node3") && a.GetProperty("outcome").GetString() == "ok");
        Assert.Contains("<cib", await Get(dc, $"/api/v1/history/{sequence}/input"));
        var output = new StringWriter();
        var rc = HaCluster.Cli.CliApp.Run(["--socket", cluster.Socket(dc), "history", "show", sequence.ToString()], output, output);
        Assert.True(rc == 0, output.ToString());
        Assert.Contains("Transition Summary:", output.ToString());
        Assert.Matches(@"Move\s+d\s+\( node1 -> node3 \)", output.ToString());
        output = new StringWriter();
        Assert.Equal(0, HaCluster.Cli.CliApp.Run(["--socket", cluster.Socket(dc), "history", "explain", sequence.ToString(), "d"], output, output));
        Assert.Contains("Why d is where it is:", output.ToString());
        output = new StringWriter();
        Assert.Equal(0, HaCluster.Cli.CliApp.Run(["--socket", cluster.Socket(dc), "history"], output, output));
        Assert.Contains($"transition ", output.ToString());
    }

    [Fact]
    public async Task The_metrics_pass_promtool_follow_a_failover_and_a_real_prometheus_scrapes_every_node()
    {
        await StartCluster();
        var metrics = await Get("node2", "/metrics");
        Assert.Contains("hacluster_node_online{node=\"node1\"} 1", metrics);
        Assert.Contains("hacluster_quorate 1", metrics);
        Assert.Contains("hacluster_resource_active{resource=\"d\",node=\"node1\",role=\"Started\"} 1", metrics);
        Assert.Contains("hacluster_cib_epoch ", metrics);
        await PromtoolAccepts(metrics);
        // A fail count set through the API (as the executor would record one) shows in the metrics, summed per resource.
        Assert.True((await Send(HttpMethod.Put, "node2", "/api/v1/nodes/node3/attributes/fail-count-e%23monitor_1000", "INFINITY")).IsSuccessStatusCode);
        await cluster.WaitUntil("the fail count is a metric", () =>
            Get("node2", "/metrics").GetAwaiter().GetResult().Contains("hacluster_resource_failcount{resource=\"e\",node=\"node3\"} 1000000"), TimeSpan.FromSeconds(10));
        // docs/api.md lists every metric served.
        var api = File.ReadAllText(Path.Combine(TestCluster.RepoRoot(), "docs", "api.md"));
        foreach (System.Text.RegularExpressions.Match type in System.Text.RegularExpressions.Regex.Matches(metrics, @"^# TYPE (\w+) ", System.Text.RegularExpressions.RegexOptions.Multiline))
        {
            var name = type.Groups[1].Value;
            Assert.True(api.Contains($"`{name}`") || api.Contains($"`{name}{{"), $"docs/api.md does not describe {name}");
        }

        // node1 (g's node) dies: the DC that survives times the failover and the metrics follow it.
        var killed = "node1";
        cluster.Kill(killed);
        await cluster.WaitUntil("g runs elsewhere", () => RunningOn("d", killed).Length == 1 && RunningOn("e", killed).SequenceEqual(RunningOn("d", killed)), TimeSpan.FromSeconds(30));
        var dc = cluster.Status("node2")!.Dc!;
        var where = RunningOn("d", killed)[0];
        string after = "";
        await cluster.WaitUntil("the DC's metrics show the failover", () =>
        {
            after = Get(dc, "/metrics").GetAwaiter().GetResult();
            return after.Contains("hacluster_node_online{node=\"node1\"} 0") && after.Contains($"hacluster_resource_active{{resource=\"d\",node=\"{where}\",role=\"Started\"}} 1")
                && System.Text.RegularExpressions.Regex.IsMatch(after, @"hacluster_failover_seconds_count [1-9]");
        }, TimeSpan.FromSeconds(10), () => after);
        Assert.DoesNotContain("hacluster_resource_active{resource=\"d\",node=\"node1\"", after);
        Assert.Matches(@"hacluster_transitions_total\{result=""complete""\} [1-9]", after);
        await PromtoolAccepts(after);

        // A real Prometheus scrapes the two nodes left, with the token, every second.
        if (!File.Exists("/usr/bin/prometheus")) Assert.Fail("prometheus is installed by scripts/test.sh");
        var promPort = TestCluster.RandomPort() + 5;
        var dir = Path.Combine(cluster.Dir, "prometheus");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "prometheus.yml"), $$"""
            global: { scrape_interval: 1s, evaluation_interval: 1s }
            scrape_configs:
              - job_name: hacluster
                authorization: { credentials_file: {{cluster.Dir}}/http.token }
                static_configs:
                  - targets: [{{string.Join(", ", All.Where(n => n != killed).Select(n => $"'{cluster.NodeAddresses[n]}:{httpPort}'"))}}]
            """);
        using var prometheus = Process.Start(new ProcessStartInfo("/usr/bin/prometheus",
            [$"--config.file={dir}/prometheus.yml", $"--storage.tsdb.path={dir}/data", $"--web.listen-address=127.0.0.1:{promPort}"])
            { RedirectStandardError = true, RedirectStandardOutput = true })!;
        try
        {
            prometheus.BeginErrorReadLine();
            prometheus.BeginOutputReadLine();
            await cluster.WaitUntil("prometheus has scraped both nodes, quorate", () =>
            {
                try
                {
                    var body = client.GetStringAsync($"http://127.0.0.1:{promPort}/api/v1/query?query=sum(hacluster_quorate)%20and%20sum(up)%20%3D%3D%202").GetAwaiter().GetResult();
                    using var answer = JsonDocument.Parse(body);
                    var result = answer.RootElement.GetProperty("data").GetProperty("result");
                    return result.GetArrayLength() == 1 && result[0].GetProperty("value")[1].GetString() == "2";
                }
                catch (HttpRequestException) { return false; }
            }, TimeSpan.FromSeconds(30));
            using var active = JsonDocument.Parse(await client.GetStringAsync($"http://127.0.0.1:{promPort}/api/v1/query?query=sum%20by%20(node)(hacluster_resource_active%7Bresource%3D%22d%22%7D)"));
            Assert.Contains(active.RootElement.GetProperty("data").GetProperty("result").EnumerateArray(), r => r.GetProperty("metric").GetProperty("node").GetString() == where);
        }
        finally
        {
            prometheus.Kill(entireProcessTree: true);
            prometheus.WaitForExit(5000);
        }
    }

    [Fact]
    public async Task The_page_in_headless_chromium_shows_the_cluster_and_follows_a_failover()
    {
        const string Chromium = "/usr/bin/chromium-headless-shell";
        Assert.True(File.Exists(Chromium), "chromium-headless-shell is installed by scripts/test.sh");
        await StartCluster();
        var dom = await Browse(Chromium, "node2", "--dump-dom");
        Assert.Contains("data-loaded=\"true\"", dom);
        Assert.Matches(@"data-resource=""d""><span class=""ok"">d \(ocf:heartbeat:Dummy\): Started on node1", dom);
        Assert.Contains("data-node=\"node3\"", dom);

        cluster.Kill("node1");
        await cluster.WaitUntil("g runs elsewhere", () => RunningOn("d", "node1").Length == 1, TimeSpan.FromSeconds(30));
        var where = RunningOn("d", "node1")[0];
        await cluster.WaitUntil("the page shows d on its new node and node1 offline", () =>
        {
            dom = Browse(Chromium, "node2", "--dump-dom").GetAwaiter().GetResult();
            return dom.Contains($"d (ocf:heartbeat:Dummy): Started on {where}") && System.Text.RegularExpressions.Regex.IsMatch(dom, @"data-node=""node1""><td>node1</td><td class=""bad"">offline");
        }, TimeSpan.FromSeconds(20));

        // A screenshot: a real PNG of the laid-out page, not a blank one.
        var png = Path.Combine(cluster.Dir, "page.png");
        await Browse(Chromium, "node2", $"--screenshot={png}", "--window-size=1000,1400");
        var bytes = File.ReadAllBytes(png);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);
        Assert.True(bytes.Length > 20_000, $"the screenshot is {bytes.Length} bytes: nearly blank");
    }

    /// <summary>Loads the page with the token, lets its scripts run (virtual time), and returns what Chromium printed.</summary>
    private async Task<string> Browse(string chromium, string node, params string[] what)
    {
        var start = new ProcessStartInfo(chromium) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "--no-sandbox", "--disable-gpu", "--virtual-time-budget=4000", $"--user-data-dir={cluster.Dir}/chromium" }.Concat(what)) start.ArgumentList.Add(a);
        start.ArgumentList.Add(Url(node, $"/?token={token}"));
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(cancel.Token);
        return await stdout;
    }

    private static async Task PromtoolAccepts(string metrics)
    {
        Assert.True(File.Exists("/usr/bin/promtool"), "promtool (prometheus) is installed by scripts/test.sh");
        var start = new ProcessStartInfo("/usr/bin/promtool", ["check", "metrics"]) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        using var promtool = Process.Start(start)!;
        await promtool.StandardInput.WriteAsync(metrics);
        promtool.StandardInput.Close();
        var said = await promtool.StandardOutput.ReadToEndAsync() + await promtool.StandardError.ReadToEndAsync();
        await promtool.WaitForExitAsync();
        Assert.True(promtool.ExitCode == 0, $"promtool check metrics: {said}");
    }

}
