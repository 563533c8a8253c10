using System.Diagnostics;
using HaCluster.Core.Membership;

namespace HaCluster.Cluster.Tests;

/// <summary>`haclusterd --check`: validate cluster.yaml, the node and its key file without starting anything.</summary>
public sealed class DaemonCheckTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("hacluster-check-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private (int Exit, string Out, string Err) Check(string yaml, string node)
    {
        var config = Path.Combine(dir, "cluster.yaml");
        File.WriteAllText(config, yaml);
        var psi = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "haclusterd"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "--check", "--config", config, "--node", node }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(30_000), "haclusterd --check did not exit");
        return (p.ExitCode, output.Result, error.Result);
    }

    private string Yaml(string key, string extra = "") => $"""
        cluster_name: check
        nodes:
          - {"{"} name: node1, id: 1, addresses: [127.3.0.11] {"}"}
          - {"{"} name: node2, id: 2, addresses: [127.3.0.12] {"}"}
        rings:
          - unicast: {"{"} port: 5405 {"}"}
        key_file: {key}
        {extra}
        """;

    [Fact]
    public void A_valid_configuration_passes_and_a_bad_one_exits_2_with_located_errors_and_nothing_started()
    {
        var key = Path.Combine(dir, "authkey");
        ClusterKey.WriteNew(key);
        var ok = Check(Yaml(key), "node2");
        Assert.True(ok.Exit == 0, ok.Err);
        Assert.Contains("is valid", ok.Out);
        Assert.Contains("node2 (id 2)", ok.Out);

        var badSize = Check(Yaml(key, "api_max_request: lots"), "node1");
        Assert.Equal(2, badSize.Exit);
        Assert.Matches(@"cluster\.yaml:\d+:\d+: .*api_max_request", badSize.Err);

        Assert.Equal(2, Check(Yaml(key), "node9").Exit);

        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        var open = Check(Yaml(key), "node1");
        Assert.Equal(2, open.Exit);
        Assert.Contains("chmod 600", open.Err);
    }

    [Fact]
    public void An_http_token_file_others_can_read_or_a_missing_one_stops_the_check_with_the_reason()
    {
        var key = Path.Combine(dir, "authkey");
        ClusterKey.WriteNew(key);
        var token = Path.Combine(dir, "http.token");
        var http = $"http: {{ port: 7630, token_file: {token} }}";
        var missing = Check(Yaml(key, http), "node1");
        Assert.Equal(2, missing.Exit);
        Assert.Contains("does not exist", missing.Err);

        File.WriteAllText(token, "0123456789abcdef0123456789abcdef\n");
        File.SetUnixFileMode(token, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        var open = Check(Yaml(key, http), "node1");
        Assert.Equal(2, open.Exit);
        Assert.Contains("readable or writable by others", open.Err);

        File.SetUnixFileMode(token, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        var ok = Check(Yaml(key, http), "node1");
        Assert.True(ok.Exit == 0, ok.Err);
    }
}
