using System.Diagnostics;
using System.Text;
using HaCluster.Cli.Status;
using HaCluster.Core.Api;
using HaCluster.Core.Membership;

namespace HaCluster.Cluster.Tests;

// Also compiled into HaCluster.Benchmarks (linked), which drives the same processes.

/// <summary>
/// Several real haclusterd processes for one test: writes their cluster.yaml (one per node, so a
/// test can route a node's view of a peer through a lossy proxy), a key, starts and kills them by
/// PID, asks their status over the real Unix socket, and removes everything afterwards.
/// </summary>
internal sealed class TestCluster : IDisposable
{
    public string Dir { get; } = Directory.CreateTempSubdirectory("hacluster-cluster-").FullName;
    public string KeyFile => Path.Combine(Dir, "authkey");
    public IReadOnlyList<string> Names { get; }
    private readonly Dictionary<string, Process> running = new();
    private readonly Func<string, string> configFor;
    private readonly Func<string, string?> namespaceOf;

    /// <summary>A last edit of every node's file before it is written (tests that build files before the key exists).</summary>
    public Func<string, string> ConfigRewrite { get; set; } = text => text;

    /// <summary>A program that runs the daemon (given as its first argument), e.g. a script that sets up its environment.</summary>
    public string? Wrapper { get; set; }

    /// <summary>
    /// The haclusterd to run: the one built beside the tests, or HACLUSTER_DAEMON (benchmarks
    /// point it at a ReadyToRun publish, the build operators install).
    /// </summary>
    private static string Daemon => Environment.GetEnvironmentVariable("HACLUSTER_DAEMON") is { Length: > 0 } published
        ? published : Path.Combine(AppContext.BaseDirectory, "haclusterd");

    /// <param name="configFor">The cluster.yaml node NAME runs with.</param>
    /// <param name="namespaceOf">The network namespace a node runs in, or null.</param>
    public TestCluster(IReadOnlyList<string> names, Func<string, string> configFor, Func<string, string?>? namespaceOf = null)
    {
        Names = names;
        this.configFor = configFor;
        this.namespaceOf = namespaceOf ?? (_ => null);
        ClusterKey.WriteNew(KeyFile);
    }

    /// <summary>
    /// The usual test cluster: nodes node1..nodeN on loopback addresses 127.OCTET.SUBNET.1N (a
    /// random subnet and port, so tests in parallel do not collide), one unicast ring, the test's
    /// key, each node's agents' state in DIR/NODE.rsctmp; <paramref name="extraYaml"/> adds top-level sections.
    /// </summary>
    public static TestCluster OnLoopback(string name, int nodes, int octet, Func<TestCluster, string>? extraYaml = null)
    {
        var subnet = Random.Shared.Next(1, 250);
        var port = RandomPort();
        var names = Enumerable.Range(1, nodes).Select(i => $"node{i}").ToArray();
        var addresses = names.Select((n, i) => (n, $"127.{octet}.{subnet}.{11 + i}")).ToDictionary(x => x.n, x => x.Item2);
        var members = string.Join("\n", names.Select((n, i) => $"  - {{ name: {n}, id: {i + 1}, addresses: [{addresses[n]}] }}"));
        TestCluster? cluster = null;
        cluster = new TestCluster(names, n => $$"""
            cluster_name: {{name}}{{subnet}}
            nodes:
            {{members}}
            rings:
              - unicast: { port: {{port}} }
            key_file: {{cluster!.KeyFile}}
            agents: { rsctmp: {{cluster.Dir}}/{{n}}.rsctmp }
            {{extraYaml?.Invoke(cluster) ?? ""}}
            """);
        cluster.NodeAddresses = addresses;
        return cluster;
    }

    /// <summary>Each node's address (clusters made by <see cref="OnLoopback"/>).</summary>
    public IReadOnlyDictionary<string, string> NodeAddresses { get; private set; } = new Dictionary<string, string>();

    /// <summary>The repository's root (where HaCluster.sln is), above the tests' binaries.</summary>
    public static string RepoRoot()
    {
        for (var d = AppContext.BaseDirectory; d is not null; d = Path.GetDirectoryName(d))
            if (File.Exists(Path.Combine(d, "HaCluster.sln"))) return d;
        throw new InvalidOperationException("repository root not found");
    }

    /// <summary>A random base port, so tests running in parallel do not collide.</summary>
    public static int RandomPort() => Random.Shared.Next(20000, 60000) & ~7;

    public string Socket(string node) => Path.Combine(Dir, node + ".sock");
    public string LogFile(string node) => Path.Combine(Dir, node + ".log");
    public int Pid(string node) => running[node].Id;

    /// <summary>Whether the node's daemon process runs (a fence agent or a kill may have ended it).</summary>
    public bool IsRunning(string node) => running.TryGetValue(node, out var p) && !p.HasExited;

    public void Start(string node)
    {
        var config = Path.Combine(Dir, node + ".yaml");
        File.WriteAllText(config, ConfigRewrite(configFor(node)));
        var ns = namespaceOf(node);
        var psi = new ProcessStartInfo(ns is null ? Wrapper ?? Daemon : "ip")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (ns is not null) foreach (var a in new[] { "netns", "exec", ns, Daemon }) psi.ArgumentList.Add(a);
        else if (Wrapper is not null) psi.ArgumentList.Add(Daemon);
        foreach (var a in new[] { "--config", config, "--node", node, "--state-dir", Path.Combine(Dir, node + ".state"), "--socket", Socket(node) })
            psi.ArgumentList.Add(a);
        var log = new StreamWriter(LogFile(node), append: true) { AutoFlush = true };
        var p = new Process { StartInfo = psi };
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        running[node] = p;
    }

    public void StartAll()
    {
        foreach (var n in Names) Start(n);
    }

    /// <summary>kill -9: the node vanishes without a word.</summary>
    public void Kill(string node)
    {
        var p = running[node];
        p.Kill();
        p.WaitForExit(5000);
    }

    /// <summary>SIGTERM, as systemd stops it; returns the exit code.</summary>
    public int Stop(string node)
    {
        var p = running[node];
        Process.Start("kill", ["-TERM", p.Id.ToString()])!.WaitForExit();
        if (!p.WaitForExit(10000)) throw new TimeoutException($"{node} did not stop within 10 s of SIGTERM");
        return p.ExitCode;
    }

    public ClusterStatusReply? Status(string node) =>
        ApiClient.Call(Socket(node), new ApiRequest("status"), out _, TimeSpan.FromSeconds(2))?.Status;

    public string Log(string node) => File.Exists(LogFile(node)) ? File.ReadAllText(LogFile(node)) : "";

    /// <summary>Waits until a node's log says <paramref name="text"/> (output reaches the file asynchronously).</summary>
    public Task<TimeSpan> WaitForLog(string node, string text, TimeSpan? timeout = null) =>
        WaitUntil($"{node}'s log says '{text}'", () => Log(node).Contains(text, StringComparison.Ordinal), timeout ?? TimeSpan.FromSeconds(10));

    public static IEnumerable<string> Online(ClusterStatusReply s) => s.Nodes.Where(n => n.State is "online" or "suspect").Select(n => n.Name);

    /// <summary>Polls until <paramref name="condition"/> holds; fails with the logs when it never does.</summary>
    /// <param name="observed">What the test last saw, said first when it times out.</param>
    public async Task<TimeSpan> WaitUntil(string what, Func<bool> condition, TimeSpan timeout, Func<string>? observed = null)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (condition()) return clock.Elapsed;
            await Task.Delay(25);
        }
        var logs = new StringBuilder();
        if (observed is not null) logs.AppendLine("--- last observed ---").AppendLine(observed());
        foreach (var n in Names) logs.AppendLine($"--- {n} ---").AppendLine(Log(n));
        throw new TimeoutException($"timed out after {timeout.TotalSeconds}s waiting until {what}\n{logs}");
    }

    public void Dispose()
    {
        foreach (var p in running.Values)
        {
            try { if (!p.HasExited) { p.Kill(); p.WaitForExit(5000); } } catch (InvalidOperationException) { }
            p.Dispose();
        }
        // HACLUSTER_KEEP_TEST_DIR=1 keeps the logs, configurations and state for a post-mortem.
        if (Environment.GetEnvironmentVariable("HACLUSTER_KEEP_TEST_DIR") == "1") Console.Error.WriteLine($"kept {Dir}");
        else try { Directory.Delete(Dir, true); } catch (IOException) { }
    }
}
