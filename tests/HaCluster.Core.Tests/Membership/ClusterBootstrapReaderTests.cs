using HaCluster.Core.Membership;
using Xunit;

namespace HaCluster.Core.Tests.Membership;

public sealed class ClusterBootstrapReaderTests
{
    private const string IssueExample = """
        cluster_name: openstack
        nodes:
          - { name: node1, id: 1, addresses: [192.168.42.82, 10.0.42.100] }   # one address per ring
          - { name: node2, id: 2, addresses: [192.168.42.87, 10.0.42.254] }
        rings:
          - multicast: { group: 239.255.42.1, port: 5405 }
          - unicast: { port: 5407 }            # peers are the nodes' addresses for this ring
        timers: { keepalive: 200ms, warntime: 600ms, deadtime: 1s, initdead: 10s }
        key_file: /etc/hacluster/authkey
        quorum: { expected_votes: 2, two_node: true, wait_for_all: true }
        state_dir: /var/lib/hacluster
        socket: /run/hacluster/api.sock
        """;

    [Fact]
    public void The_documented_example_reads_completely()
    {
        var result = ClusterBootstrapReader.Parse(IssueExample);
        Assert.Empty(result.Diagnostics);
        var c = result.Config!;
        Assert.Equal("openstack", c.ClusterName);
        Assert.Equal(["node1", "node2"], c.Nodes.Select(n => n.Name));
        Assert.Equal("10.0.42.254", c.FindNode(2)!.Addresses[1].ToString());
        Assert.Equal(RingKind.Multicast, c.Rings[0].Kind);
        Assert.Equal("239.255.42.1", c.Rings[0].Group!.ToString());
        Assert.Equal(5407, c.Rings[1].Port);
        Assert.Equal(TimeSpan.FromMilliseconds(200), c.Timers.Keepalive);
        Assert.Equal(TimeSpan.FromSeconds(10), c.Timers.Initdead);
        Assert.Equal(new QuorumConfig(2, true, true), c.Quorum);
        Assert.Equal("/run/hacluster/api.sock", c.Socket);
    }

    [Fact]
    public void Defaults_are_safe_and_fast()
    {
        var c = ClusterBootstrapReader.Parse("cluster_name: c\nnodes:\n  - { name: a, id: 1, addresses: [127.0.0.11] }\n  - { name: b, id: 2, addresses: [127.0.0.12] }\n  - { name: c, id: 3, addresses: [127.0.0.13] }\nrings:\n  - unicast: { port: 5405 }\n").Config!;
        Assert.Equal(MembershipTimers.Default, c.Timers);
        Assert.Equal(new QuorumConfig(3, false, false), c.Quorum);
        Assert.Equal("/etc/hacluster/authkey", c.KeyFile);
    }

    [Theory]
    [InlineData("timers: { keepalive: 500ms, deadtime: 900ms }", "9:39", "deadtime (900ms) must exceed 2 x keepalive (500ms)")]
    [InlineData("timers: { keepalive: 200ms, warntime: 2s, deadtime: 1s }", "9:39", "warntime (2s) must lie between")]
    [InlineData("timers: { initdead: 500ms }", "9:21", "initdead (500ms) must be at least deadtime (600ms)")]
    [InlineData("timers: { keepalive: soon }", "9:22", "'soon' is not a duration")]
    [InlineData("quorum: { expected_votes: 3, two_node: true }", "9:40", "two_node needs exactly 2 expected votes")]
    [InlineData("colour: blue", "9:1", "unknown key 'colour'")]
    public void Bad_settings_are_errors_with_their_place(string extra, string at, string message)
    {
        var text = "cluster_name: c\nnodes:\n  - { name: a, id: 1, addresses: [10.0.0.1, 10.1.0.1] }\n  - { name: b, id: 2, addresses: [10.0.0.2, 10.1.0.2] }\n" +
                   "rings:\n  - multicast: { group: 239.1.1.1, port: 5405 }\n  - unicast: { port: 5407 }\nkey_file: /k\n" + extra + "\n";
        var result = ClusterBootstrapReader.Parse(text, "cluster.yaml");
        Assert.Null(result.Config);
        Assert.Contains(result.Diagnostics, d => d.IsError && d.ToString().StartsWith($"cluster.yaml:{at}: error:", StringComparison.Ordinal) && d.Message.Contains(message));
    }

    [Theory]
    [InlineData("  - { name: a, id: 1, addresses: [10.0.0.1] }\n  - { name: b, id: 2, addresses: [10.0.0.2] }\nrings:\n  - multicast: { group: 10.1.1.1, port: 5405 }", "is not a multicast address")]
    [InlineData("  - { name: a, id: 1, addresses: [10.0.0.1] }\n  - { name: a, id: 2, addresses: [10.0.0.2] }\nrings:\n  - unicast: { port: 5405 }", "the name is used twice")]
    [InlineData("  - { name: a, id: 1, addresses: [10.0.0.1] }\n  - { name: b, id: 1, addresses: [10.0.0.2] }\nrings:\n  - unicast: { port: 5405 }", "id 1 is used by another node")]
    [InlineData("  - { name: a, id: 1, addresses: [10.0.0.1] }\n  - { name: b, id: 2, addresses: [10.0.0.2] }\nrings:\n  - unicast: { port: 5405 }\n  - unicast: { port: 5406 }", "1 address(es) for 2 ring(s)")]
    [InlineData("  - { name: a, id: 1, addresses: [10.0.0.1] }\n  - { name: b, id: 2, addresses: [nowhere] }\nrings:\n  - unicast: { port: 5405 }", "'nowhere' is not an IP address")]
    [InlineData("  - { name: a, id: 1, addresses: [10.0.0.1] }\nrings:\n  - token_ring: { port: 5405 }", "'token_ring' is not a ring kind")]
    [InlineData("  - { name: a, id: 1, addresses: [10.0.0.1, 10.1.0.1] }\nrings:\n  - multicast: { group: 239.1.1.1, port: 5405 }\n  - multicast: { group: 239.1.1.1, port: 5405 }", "group 239.1.1.1 port 5405 is used by another ring")]
    [InlineData("  - { name: a, id: 1, addresses: [10.0.0.1, 10.1.0.1] }\nrings:\n  - multicast: { group: 239.1.1.1, port: 5405 }\n  - unicast: { port: 5405 }", "a multicast and a unicast ring need different ports")]
    [InlineData("  - { name: a, id: 1, addresses: [10.0.0.1, 10.0.0.1] }\nrings:\n  - unicast: { port: 5405 }\n  - unicast: { port: 5405 }", "rings 0 and 1 share port 5405 and this node's address")]
    public void Bad_nodes_and_rings_are_errors(string body, string message)
    {
        var result = ClusterBootstrapReader.Parse("cluster_name: c\nnodes:\n" + body + "\n");
        Assert.Null(result.Config);
        Assert.Contains(result.Diagnostics, d => d.IsError && d.Message.Contains(message));
    }

    [Fact]
    public void Corosyncs_redundant_rings_on_one_port_and_different_groups_or_networks_are_accepted()
    {
        // Seed 003: two rings, both on port 5405, on 239.255.42.1 and 239.255.42.2.
        var multicast = ClusterBootstrapReader.Parse("cluster_name: c\nnodes:\n  - { name: a, id: 1, addresses: [192.168.42.82, 10.0.42.100] }\n" +
            "  - { name: b, id: 2, addresses: [192.168.42.87, 10.0.42.254] }\nrings:\n  - multicast: { group: 239.255.42.1, port: 5405 }\n  - multicast: { group: 239.255.42.2, port: 5405 }\n");
        Assert.Empty(multicast.Diagnostics);
        Assert.Equal([5405, 5405], multicast.Config!.Rings.Select(r => r.Port));
        var unicast = ClusterBootstrapReader.Parse("cluster_name: c\nnodes:\n  - { name: a, id: 1, addresses: [192.168.42.82, 10.0.42.100] }\n" +
            "  - { name: b, id: 2, addresses: [192.168.42.87, 10.0.42.254] }\nrings:\n  - unicast: { port: 5405 }\n  - unicast: { port: 5405 }\n");
        Assert.Empty(unicast.Diagnostics);
    }

    [Fact]
    public void Cmans_two_node_with_one_expected_vote_reads_as_two_node_quorum()
    {
        // Seed 004: <cman expected_votes="1" two_node="1"/>.
        var result = ClusterBootstrapReader.Parse("cluster_name: c\nnodes:\n  - { name: a, id: 1, addresses: [10.0.0.1] }\n  - { name: b, id: 2, addresses: [10.0.0.2] }\n" +
            "rings:\n  - unicast: { port: 5405 }\nquorum: { expected_votes: 1, two_node: true }\n");
        Assert.Empty(result.Diagnostics);
        Assert.Equal(new QuorumConfig(2, true, true), result.Config!.Quorum);
    }

    [Fact]
    public void Broken_yaml_is_a_located_error()
    {
        var result = ClusterBootstrapReader.Parse("cluster_name: [unclosed\n", "c.yaml");
        Assert.Null(result.Config);
        Assert.StartsWith("c.yaml:", result.Diagnostics.Single().ToString());
    }

    [Fact]
    public void Logging_takes_a_level_and_an_absolute_file()
    {
        var result = ClusterBootstrapReader.Parse(IssueExample + "\nlogging: { level: debug, file: /var/log/hacluster/haclusterd.log }\n");
        Assert.Empty(result.Diagnostics);
        Assert.Equal(new LoggingSettings(LogVerbosity.Debug, "/var/log/hacluster/haclusterd.log"), result.Config!.Logging);
        Assert.Equal(new LoggingSettings(LogVerbosity.Info, null), ClusterBootstrapReader.Parse(IssueExample).Config!.Logging);
        Assert.Equal(LogFormat.Json, ClusterBootstrapReader.Parse(IssueExample + "\nlogging: { format: json }\n").Config!.Logging.Format);
        Assert.Contains(ClusterBootstrapReader.Parse(IssueExample + "\nlogging: { format: xml }\n").Diagnostics, d => d.Message.Contains("logging.format: 'xml' is not text or json"));
    }

    [Fact]
    public void Http_takes_a_port_an_address_tls_files_and_a_token_file()
    {
        var result = ClusterBootstrapReader.Parse(IssueExample + "\nhttp: { port: 7630, listen: 10.0.0.5, certificate: /etc/hacluster/http.pem, key: /etc/hacluster/http.key, token_file: /etc/hacluster/http.token }\n");
        Assert.False(result.HasErrors, string.Join("\n", result.Diagnostics));
        Assert.Equal(new HttpSettings(7630, "10.0.0.5", "/etc/hacluster/http.pem", "/etc/hacluster/http.key", "/etc/hacluster/http.token"), result.Config!.Http);
        Assert.Null(ClusterBootstrapReader.Parse(IssueExample).Config!.Http);
        var open = ClusterBootstrapReader.Parse(IssueExample + "\nhttp: { port: 9000, read_without_token: true }\n");
        Assert.Equal(new HttpSettings(9000, ReadWithoutToken: true), open.Config!.Http);
    }

    [Theory]
    [InlineData("http: { port: 70000, token_file: /t }", "http.port: expected a port number")]
    [InlineData("http: { token_file: /t }", "http.port is required")]
    [InlineData("http: { port: 80 }", "token_file is required")]
    [InlineData("http: { port: 80, token_file: token }", "http.token_file: 'token' is not an absolute path")]
    [InlineData("http: { port: 80, token_file: /t, listen: nowhere }", "http.listen: 'nowhere' is not an IP address")]
    [InlineData("http: { port: 80, token_file: /t, certificate: /c.pem }", "certificate and key go together")]
    [InlineData("http: { port: 80, token_file: /t, read_without_token: maybe }", "is not true or false")]
    [InlineData("http: { port: 80, token_file: /t, tls: yes }", "tls")]
    public void A_bad_http_section_is_an_error(string yaml, string fragment)
    {
        var result = ClusterBootstrapReader.Parse(IssueExample + "\n" + yaml + "\n");
        Assert.True(result.HasErrors);
        Assert.Contains(result.Diagnostics, d => d.Message.Contains(fragment) && d.Location is not null);
    }

    [Fact]
    public void A_bad_logging_level_or_a_relative_log_file_is_an_error_at_its_place()
    {
        var result = ClusterBootstrapReader.Parse(IssueExample + "\nlogging: { level: chatty, file: log.txt }\n");
        Assert.Null(result.Config);
        Assert.Contains(result.Diagnostics, d => d.Message.Contains("logging.level: 'chatty' is not one of debug, info, warning, error") && d.Location?.Line == 13);
        Assert.Contains(result.Diagnostics, d => d.Message.Contains("logging.file: 'log.txt' is not an absolute path"));
    }
}
