using HaCluster.Core.Cib;
using HaCluster.Core.Cib.Syntax;
using HaCluster.Core.Policy;
using HaCluster.Core.Status;
using Xunit;

namespace HaCluster.Core.Tests.Policy;

/// <summary>
/// Parameter digests: a resource whose parameters changed since it started is restarted (or
/// reloaded when only reloadable parameters changed), computed byte for byte as Pacemaker does.
/// </summary>
public class DefinitionChangeTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

    [Fact]
    public void The_digest_is_pacemakers_md5_of_the_sorted_parameters()
    {
        // Values recorded by Pacemaker itself for ocf:pacemaker:Dummy with fake=foo passwd=whatever.
        var all = new Dictionary<string, string> { ["passwd"] = "whatever", ["fake"] = "foo" };
        Assert.Equal("457016173e548c394dcf3896e3066412", OperationDigest.Of(all));
        Assert.Equal("5de129d7fe42dbcfe537f2c63b1921b6", OperationDigest.Restart(new SortedDictionary<string, string>(all), "  envfile op_sleep passwd state  "));
        Assert.Equal("e989cbe4a0e9492305ffdc8c6391ffee", OperationDigest.Secure(new SortedDictionary<string, string>(all), "  passwd  ", fencingDevice: false));
    }

    [Fact]
    public void Recurring_operations_hash_their_timeout_too()
    {
        var config = Parse("primitive a Dummy params fake=1 op monitor interval=10s timeout=30s");
        var p = config.AllResources().OfType<Primitive>().Single();
        var parameters = OperationDigest.OperationParameters(config, p, "monitor", 10_000, _ => true);
        Assert.Equal("30000", parameters[OperationDigest.TimeoutKey]);
        Assert.DoesNotContain(OperationDigest.TimeoutKey, OperationDigest.OperationParameters(config, p, "start", 0, _ => true).Keys);
    }

    private static ClusterConfig Parse(string crm)
    {
        var parsed = CrmParser.Parse("node node1\nnode node2\nproperty stonith-enabled=false\n" + crm, "t.crm");
        Assert.False(parsed.HasErrors, string.Join("\n", parsed.Diagnostics));
        return parsed.Config!;
    }

    /// <summary>a started on node1 with the given digests recorded on its start.</summary>
    private static ClusterStatus StartedWith(string? digest, string? restartDigest = null, string? forceRestart = null)
    {
        var start = new OperationRecord("a_start_0", "start", 0, 0, 0, 2, TransitionKey: "1:1:0:x", OpDigest: digest,
            RestartDigest: restartDigest, ForceRestartParams: forceRestart);
        var monitor = new OperationRecord("a_monitor_10000", "monitor", 10_000, 0, 0, 3, TransitionKey: "1:1:0:x");
        var node1 = new NodeState("node1", "node1", "true", "online", "member", "member")
        {
            Resources = new[] { new ResourceHistory("a", "ocf", "heartbeat", "Dummy", new[] { start, monitor }.ToEquatableArray()) }.ToEquatableArray(),
        };
        var node2 = new NodeState("node2", "node2", "true", "online", "member", "member");
        return new ClusterStatus { Nodes = new[] { node1, node2 }.ToEquatableArray(), HaveQuorum = true };
    }

    private static List<string> Summary(ClusterConfig config, ClusterStatus status) =>
        Scheduler.Schedule(config, status, Now).SummaryLines().Select(ConformanceTests.Normalise).ToList();

    private static string DigestOf(params (string, string)[] pairs) => OperationDigest.Of(pairs.Select(p => KeyValuePair.Create(p.Item1, p.Item2)));

    [Fact]
    public void An_unchanged_definition_leaves_the_resource_alone()
    {
        var config = Parse("primitive a Dummy params fake=1 op monitor interval=10s");
        Assert.Empty(Summary(config, StartedWith(DigestOf(("fake", "1")))));
    }

    [Fact]
    public void A_changed_parameter_restarts_the_resource_where_it_runs()
    {
        var config = Parse("primitive a Dummy params fake=2 op monitor interval=10s");
        Assert.Equal(new[] { "Restart a (node1) due to resource definition change" }, Summary(config, StartedWith(DigestOf(("fake", "1")))));
    }

    [Fact]
    public void A_change_to_reloadable_parameters_only_is_a_reload()
    {
        // "state" needs a restart, "fake" does not: the restart digest over state still matches.
        var config = Parse("primitive a Dummy params fake=2 state=/s op monitor interval=10s");
        var status = StartedWith(DigestOf(("fake", "1"), ("state", "/s")), DigestOf(("state", "/s")), " state ");
        Assert.Equal(new[] { "Reload a (node1)" }, Summary(config, status));
    }

    [Fact]
    public void A_change_to_a_parameter_that_cannot_be_reloaded_restarts()
    {
        var config = Parse("primitive a Dummy params fake=1 state=/t op monitor interval=10s");
        var status = StartedWith(DigestOf(("fake", "1"), ("state", "/s")), DigestOf(("state", "/s")), " state ");
        Assert.Equal(new[] { "Restart a (node1) due to resource definition change" }, Summary(config, status));
    }

    [Fact]
    public void A_resource_ordered_after_a_restarted_one_restarts_too()
    {
        var config = Parse("primitive a Dummy params fake=2 op monitor interval=10s\nprimitive b Dummy\norder o inf: a b\ncolocation c inf: b a");
        var status = StartedWith(DigestOf(("fake", "1")));
        status = status with
        {
            Nodes = status.Nodes.SetItem(0, status.Nodes[0] with
            {
                Resources = status.Nodes[0].Resources.Add(new ResourceHistory("b", "ocf", "heartbeat", "Dummy",
                    new[] { new OperationRecord("b_start_0", "start", 0, 0, 0, 4, TransitionKey: "1:1:0:x", OpDigest: DigestOf()) }.ToEquatableArray())),
            }),
        };
        var summary = Summary(config, status);
        Assert.Contains("Restart a (node1) due to resource definition change", summary);
        Assert.Contains("Restart b (node1) due to required a start", summary);
    }
}
