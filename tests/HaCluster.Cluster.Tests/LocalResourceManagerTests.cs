using HaCluster.Core.Control;
using HaCluster.Agents;
using HaCluster.Core.Cib.Syntax;
using HaCluster.Core.Policy;
using HaCluster.Daemon.Controller;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace HaCluster.Cluster.Tests;

/// <summary>The node-side resource manager on its own, with the real Dummy agent (no cluster).</summary>
public sealed class LocalResourceManagerTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("hacluster-lrm-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public async Task The_recorded_digest_sees_the_nodes_configured_attributes_as_the_scheduler_does()
    {
        // The state file is chosen by a rule on a node attribute set in the configuration: the
        // digest recorded with the start must be the one the DC computes, or every transition
        // would take the parameters for changed and restart the resource.
        var xml = $"""
            <cib admin_epoch="0" epoch="1" num_updates="0"><configuration><crm_config/>
              <nodes><node id="node1" uname="node1"><instance_attributes id="n1"><nvpair id="n1-site" name="site" value="lab"/></instance_attributes></node></nodes>
              <resources><primitive id="d" class="ocf" provider="heartbeat" type="Dummy">
                <instance_attributes id="d-lab" score="10"><rule id="d-lab-rule" score="0"><expression id="e" attribute="site" operation="eq" value="lab"/></rule>
                  <nvpair id="d-lab-state" name="state" value="{dir}/lab.state"/></instance_attributes>
                <instance_attributes id="d-default" score="0"><nvpair id="d-default-state" name="state" value="{dir}/default.state"/></instance_attributes>
              </primitive></resources><constraints/></configuration><status/></cib>
            """;
        var config = CibXmlReader.Parse(xml, "cib.xml").Config!;
        var primitive = config.AllResources().OfType<HaCluster.Core.Cib.Primitive>().Single();
        await using var lrm = new LocalResourceManager("node1", new AgentRunner(AgentPaths.Private(dir)), NullLogger.Instance);

        var result = await lrm.ExecuteAsync(config, new ExecuteRequest(1, 1, "d", "start", 0, null), CancellationToken.None);
        Assert.True(result.Ok, result.ExitReason);
        Assert.True(File.Exists(Path.Combine(dir, "lab.state")), "the rule on the configured attribute chose the parameters");

        var recorded = lrm.Report(-1).Histories.Single(h => h.Id == "d").Operations.Single(o => o.Task == "start").Digest;
        var atLab = new SchedNode("node1", "node1") { Attributes = { ["site"] = "lab", ["#uname"] = "node1" } };
        var expected = OperationDigest.For(config, primitive, "start", 0, rule => RuleEvaluator.Matches(rule, atLab, DateTimeOffset.UtcNow));
        var elsewhere = new SchedNode("node1", "node1") { Attributes = { ["#uname"] = "node1" } };
        Assert.NotEqual(expected, OperationDigest.For(config, primitive, "start", 0, rule => RuleEvaluator.Matches(rule, elsewhere, DateTimeOffset.UtcNow)));
        Assert.Equal(expected, recorded);
        await lrm.ExecuteAsync(config, new ExecuteRequest(1, 2, "d", "stop", 0, null), CancellationToken.None);
    }
    [Fact]
    public async Task A_recurring_monitor_is_answered_once_its_first_result_is_in_the_nodes_record()
    {
        var xml = $"""
            <cib admin_epoch="0" epoch="1" num_updates="0"><configuration><crm_config/><nodes><node id="node1" uname="node1"/></nodes>
              <resources><primitive id="d" class="ocf" provider="heartbeat" type="Dummy">
                <instance_attributes id="d-ia"><nvpair id="d-state" name="state" value="{dir}/d.state"/></instance_attributes>
                <operations><op id="d-mon" name="monitor" interval="10s"/></operations>
              </primitive></resources><constraints/></configuration><status/></cib>
            """;
        var config = CibXmlReader.Parse(xml, "cib.xml").Config!;
        await using var lrm = new LocalResourceManager("node1", new AgentRunner(AgentPaths.Private(dir)), NullLogger.Instance);
        Assert.True((await lrm.ExecuteAsync(config, new ExecuteRequest(1, 1, "d", "start", 0, null), CancellationToken.None)).Ok);
        var monitor = await lrm.ExecuteAsync(config, new ExecuteRequest(1, 2, "d", "monitor", 10_000, null), CancellationToken.None);
        Assert.True(monitor.Ok, monitor.ExitReason);
        Assert.Contains(lrm.Report(-1).Histories.Single(h => h.Id == "d").Operations, o => o.Task == "monitor" && o.IntervalMs == 10_000 && o.Rc == 0);

        // Its first run finding the resource gone is the action's result, as Pacemaker reports it.
        File.Delete(Path.Combine(dir, "d.state"));
        var failed = await lrm.ExecuteAsync(config, new ExecuteRequest(1, 3, "d", "monitor", 10_000, null), CancellationToken.None);
        Assert.False(failed.Ok);
        Assert.Equal(7, failed.Rc);
    }
}
