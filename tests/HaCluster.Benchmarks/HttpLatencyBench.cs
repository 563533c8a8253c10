using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Xml.Linq;
using HaCluster.Cluster.Tests;
using HaCluster.Core.Status;
using HaCluster.Daemon.Cib;

namespace HaCluster.Benchmarks;

/// <summary>
/// The HTTP side under a large configuration (issue 25): NODES haclusterd on loopback running
/// RESOURCES Dummy resources, each serving http:. Times, interleaved in one run, GET /metrics and
/// GET /api/v1/status (what a scraper and the status page fetch) against what the anchors do for
/// the same facts: `crm_mon --output-as xml` on the same picture (the DC's last scheduler input,
/// CIB_file), and ha_cluster_exporter's approach (that crm_mon run, then its XML parsed into
/// metrics). `http-latency [RUNS] [RESOURCES] [NODES]`.
/// </summary>
public static class HttpLatencyBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var runs = args.Length > 0 ? int.Parse(args[0]) : 20;
        var resources = args.Length > 1 ? int.Parse(args[1]) : 1000;
        var count = args.Length > 2 ? int.Parse(args[2]) : 3;
        var httpPort = TestCluster.RandomPort() + 3;
        var token = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));
        using var cluster = TestCluster.OnLoopback("httpbench", count, 7, c => $"http: {{ port: {httpPort}, token_file: {c.Dir}/http.token }}");
        var tokenFile = Path.Combine(cluster.Dir, "http.token");
        File.WriteAllText(tokenFile, token);
        File.SetUnixFileMode(tokenFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        new CibStore(Path.Combine(cluster.Dir, "node1.state")).Store(new CibVersion(0, 5, 0), Encoding.UTF8.GetBytes(ScaleBench.Cib(cluster.Names.ToArray(), resources)));
        cluster.StartAll();
        int Running() => cluster.Names.Sum(n => Directory.Exists(Path.Combine(cluster.Dir, $"{n}.rsctmp"))
            ? Directory.GetFiles(Path.Combine(cluster.Dir, $"{n}.rsctmp"), "Dummy-r*.state").Length : 0);
        await cluster.WaitUntil($"all {resources} resources run", () => Running() == resources, TimeSpan.FromMinutes(20));
        await Task.Delay(TimeSpan.FromSeconds(5)); // the last transition's picture reaches every member
        var dc = cluster.Status("node1")!.Dc!;
        var cib = Path.Combine(cluster.Dir, $"{dc}.state", "pe-input-last.xml");
        var asker = cluster.Names.First(n => n != dc);
        using var client = new HttpClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        string Url(string path) => $"http://{cluster.NodeAddresses[asker]}:{httpPort}{path}";

        async Task<double> Get(string path)
        {
            var clock = Stopwatch.StartNew();
            var body = await client.GetStringAsync(Url(path));
            if (body.Length == 0) throw new InvalidOperationException(path + " answered nothing");
            return clock.Elapsed.TotalMilliseconds;
        }
        double CrmMon(bool parse)
        {
            var psi = new ProcessStartInfo("crm_mon", ["--output-as", "xml"]) { RedirectStandardOutput = true, RedirectStandardError = true };
            psi.Environment["CIB_file"] = cib;
            var clock = Stopwatch.StartNew();
            using var p = Process.Start(psi)!;
            var xml = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            if (parse)
            {
                // What the exporter does with it: every resource's node and role, every node's state.
                var doc = XDocument.Parse(xml);
                var series = doc.Descendants("resource").SelectMany(r => r.Elements("node").Select(n => (r.Attribute("id")?.Value, n.Attribute("name")?.Value, r.Attribute("role")?.Value))).Count()
                    + doc.Descendants("node").Count();
                if (series == 0) throw new InvalidOperationException("crm_mon said nothing");
            }
            return clock.Elapsed.TotalMilliseconds;
        }

        await Get("/metrics");
        await Get("/api/v1/status");
        var times = new Dictionary<string, List<double>>
        {
            ["GET /metrics"] = [], ["GET /api/v1/status"] = [], ["GET / (page)"] = [],
            ["crm_mon --output-as xml"] = [], ["crm_mon --output-as xml + parse (ha_cluster_exporter)"] = [],
        };
        for (var i = 0; i < runs; i++)
        {
            times["GET /metrics"].Add(await Get("/metrics"));
            times["GET /api/v1/status"].Add(await Get("/api/v1/status"));
            times["GET / (page)"].Add(await Get("/"));
            times["crm_mon --output-as xml"].Add(CrmMon(parse: false));
            times["crm_mon --output-as xml + parse (ha_cluster_exporter)"].Add(CrmMon(parse: true));
        }
        var reference = Median(times["crm_mon --output-as xml + parse (ha_cluster_exporter)"]);
        Console.WriteLine($"http latency: {count} nodes, {resources} resources, {runs} runs each, interleaved, asked of {asker} (DC {dc}):");
        foreach (var (what, list) in times)
            Console.WriteLine($"  {what}: median {Median(list):0.0} ms, max {list.Max():0.0} ms, {Median(list) / reference:0.00}x the exporter's approach");
        var metrics = await client.GetStringAsync(Url("/metrics"));
        Console.WriteLine($"  /metrics: {metrics.Length / 1024.0:0} KiB, {metrics.Split('\n').Count(l => l.Length > 0 && l[0] != '#')} series");
        return 0;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.OrderBy(v => v).ToList();
        return sorted[sorted.Count / 2];
    }
}
