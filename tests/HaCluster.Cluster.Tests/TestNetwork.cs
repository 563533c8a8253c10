using System.Diagnostics;

namespace HaCluster.Cluster.Tests;

/// <summary>
/// Network namespaces for one test: a "switch" namespace with one bridge per ring, and hosts
/// (cluster nodes, a client) each in a namespace of its own with a veth <c>ringR</c> on every
/// bridge, addressed 10.NET.R.HOST/24. Names carry a random prefix, so tests in parallel never
/// meet; only these namespaces carry traffic, and all are removed on Dispose.
/// </summary>
internal sealed class TestNetwork : IDisposable
{
    private readonly List<string> namespaces = new();
    private readonly Dictionary<string, int> hosts = new();
    private readonly int bridges;

    public string Prefix { get; } = $"hcl{Environment.ProcessId % 1000}{Random.Shared.Next(100, 999)}";
    /// <summary>The second octet of every address here (10.NET.RING.HOST).</summary>
    public int Net { get; } = Random.Shared.Next(100, 200);

    public string Ns(string host) => $"{Prefix}-{host}";
    public string Address(int ring, int host) => $"10.{Net}.{ring}.{host}";
    private string Switch => $"{Prefix}-sw";

    public TestNetwork(int bridges)
    {
        this.bridges = bridges;
        Ip("netns", "add", Switch);
        namespaces.Add(Switch);
        for (var r = 0; r < bridges; r++)
        {
            Ip("-n", Switch, "link", "add", $"br{r}", "type", "bridge");
            Ip("-n", Switch, "link", "set", $"br{r}", "up");
        }
    }

    /// <summary>A host with a link <c>ringR</c> on every bridge; multicast goes out of ring <paramref name="multicastRing"/>.</summary>
    public void AddHost(string name, int host, int? multicastRing = null)
    {
        var ns = Ns(name);
        hosts[name] = host;
        Ip("netns", "add", ns);
        namespaces.Add(ns);
        Ip("-n", ns, "link", "set", "lo", "up");
        for (var r = 0; r < bridges; r++)
        {
            Ip("-n", ns, "link", "add", $"ring{r}", "type", "veth", "peer", "name", $"h{host}r{r}", "netns", Switch);
            Ip("-n", Switch, "link", "set", $"h{host}r{r}", "master", $"br{r}", "up");
            Ip("-n", ns, "addr", "add", Address(r, host) + "/24", "dev", $"ring{r}");
            Ip("-n", ns, "link", "set", $"ring{r}", "up");
        }
        if (multicastRing is { } m) Ip("-n", ns, "route", "add", "224.0.0.0/4", "dev", $"ring{m}");
    }

    /// <summary>Takes a host's link on one ring down or up (a cable pulled, a switch port dead).</summary>
    public void Link(string host, int ring, bool up) => Ip("-n", Ns(host), "link", "set", $"ring{ring}", up ? "up" : "down");

    /// <summary>The switch's side of a host's link (the port a dead machine's cable leaves dark).</summary>
    public void SwitchPort(string host, int ring, bool up) => Ip("-n", Switch, "link", "set", $"h{hosts[host]}r{ring}", up ? "up" : "down");

    /// <summary>Runs a command inside a host's namespace: its exit code and standard output.</summary>
    public (int Exit, string Output) Exec(string host, params string[] command) => Run("ip", ["netns", "exec", Ns(host), .. command]);

    /// <summary>A host's link-layer address on a ring.</summary>
    public string Mac(string host, int ring) =>
        Run("ip", ["-n", Ns(host), "-o", "link", "show", $"ring{ring}"]).Output.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .SkipWhile(w => w != "link/ether").Skip(1).FirstOrDefault() ?? "";

    /// <summary>SIGKILL to every process in a host's namespace (all started by this test): the machine dies.</summary>
    public void KillAll(string host) => KillAllIn(Ns(host));

    private static void KillAllIn(string ns)
    {
        foreach (var pid in Run("ip", ["netns", "pids", ns]).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            if (int.TryParse(pid, out var id)) try { Process.GetProcessById(id).Kill(); } catch (ArgumentException) { } catch (InvalidOperationException) { }
    }

    /// <summary>The processes living in a host's namespace.</summary>
    public string[] Pids(string host) =>
        Run("ip", ["netns", "pids", Ns(host)]).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public static void Ip(params string[] args)
    {
        var (exit, _, error) = RunFull("ip", args);
        if (exit != 0) throw new InvalidOperationException($"ip {string.Join(' ', args)}: {error}");
    }

    private static (int Exit, string Output) Run(string file, string[] args)
    {
        var (exit, output, _) = RunFull(file, args);
        return (exit, output);
    }

    private static (int Exit, string Output, string Error) RunFull(string file, string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var error = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output, error.Result);
    }

    public void Dispose()
    {
        // Deleting a namespace does not end the processes in it: end any left (ours, by PID) first.
        foreach (var ns in namespaces)
        {
            KillAllIn(ns);
            RunFull("ip", ["netns", "del", ns]);
        }
    }
}
