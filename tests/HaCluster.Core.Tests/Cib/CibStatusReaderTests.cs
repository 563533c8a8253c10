using HaCluster.Core.Cib.Syntax;
using HaCluster.Core.Status;
using Xunit;

namespace HaCluster.Core.Tests.Cib;

public class CibStatusReaderTests
{
    [Fact]
    public void Reads_versions_quorum_nodes_attributes_history_and_tickets()
    {
        var r = CibXmlReader.Parse("""
            <cib admin_epoch="1" epoch="42" num_updates="7" have-quorum="false" dc-uuid="n1" execution-date="1648835858">
              <configuration><crm_config/><nodes/><resources/><constraints/></configuration>
              <status>
                <node_state id="n1" uname="node1" in_ccm="true" crmd="online" join="member" expected="member">
                  <transient_attributes id="n1"><instance_attributes id="status-n1">
                    <nvpair id="a" name="fail-count-rsc1#monitor_10000" value="3"/>
                    <nvpair id="b" name="master-rsc2" value="10"/>
                  </instance_attributes></transient_attributes>
                  <lrm id="n1"><lrm_resources>
                    <lrm_resource id="rsc1" class="ocf" provider="heartbeat" type="Dummy">
                      <lrm_rsc_op id="rsc1_last_0" operation="start" interval="0" rc-code="0" op-status="0" call-id="5"
                                  last-rc-change="1648835000" exec-time="12" exit-reason="" transition-key="1:2:0:abc"/>
                      <lrm_rsc_op id="rsc1_monitor_10000" operation="monitor" interval="10000" rc-code="7" op-status="0" call-id="6"/>
                    </lrm_resource>
                  </lrm_resources></lrm>
                </node_state>
                <node_state id="n2" uname="node2" in_ccm="1648830000" crmd="0" join="down" expected="down" shutdown="1648835800"/>
                <tickets><ticket_state id="ticketA" granted="true" last-granted="1648835000"/></tickets>
              </status>
            </cib>
            """, "s.xml");
        Assert.False(r.HasErrors, string.Join("\n", r.Diagnostics));
        var s = r.Status!;
        Assert.Equal(new CibVersion(1, 42, 7), s.Version);
        Assert.False(s.HaveQuorum);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1648835858), s.ExecutionDate);
        var n1 = s.FindNode("node1")!;
        Assert.True(n1.InMembership && n1.ControllerOnline);
        Assert.Equal("3", n1.Attribute("fail-count-rsc1#monitor_10000"));
        var ops = n1.Resources.Single().Operations;
        Assert.Equal(("start", 0, 5), (ops[0].Task, ops[0].RcCode, ops[0].CallId));
        Assert.Equal((10_000L, 7), (ops[1].IntervalMs, ops[1].RcCode));
        var n2 = s.FindNode("n2")!;
        Assert.True(n2.InMembership);
        Assert.False(n2.ControllerOnline);
        Assert.True(n2.ShuttingDown);
        Assert.True(s.Tickets.Single().Granted);
    }

    [Fact]
    public void Cib_versions_order_by_admin_epoch_then_epoch_then_updates()
    {
        Assert.True(new CibVersion(0, 5, 0) > new CibVersion(0, 4, 99));
        Assert.True(new CibVersion(1, 0, 0) > new CibVersion(0, 99, 99));
        Assert.True(new CibVersion(0, 5, 2) > new CibVersion(0, 5, 1));
    }

    [Theory]
    [MemberData(nameof(CibXmlImportTests.ConformanceFiles), MemberType = typeof(CibXmlImportTests))]
    public void Every_conformance_status_section_reads_without_errors(string name)
    {
        var r = CibXmlReader.Parse(File.ReadAllText(Path.Combine(TestPaths.ConformanceXml, name)), name);
        Assert.NotNull(r.Status);
        // Only configuration constructs (bundles) may be unsupported; every status section reads.
        Assert.All(r.Errors, e => Assert.StartsWith("unsupported: <bundle>", e.Message));
        Assert.All(r.Status!.Nodes, n => Assert.False(string.IsNullOrEmpty(n.Id)));
    }
}
