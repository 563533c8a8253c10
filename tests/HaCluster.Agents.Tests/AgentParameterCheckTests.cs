using HaCluster.Agents.Metadata;
using HaCluster.Core.Cib.Syntax;

namespace HaCluster.Agents.Tests;

public sealed class AgentParameterCheckTests : IDisposable
{
    private readonly TestDirectory dir = new();

    public void Dispose() => dir.Dispose();

    private async Task<List<string>> Check(string crm)
    {
        var parsed = CrmParser.Parse(crm, "test.crm");
        return (await AgentParameterCheck.CheckAsync(parsed, new AgentRunner(dir.Paths()), reportMissing: true)).Select(d => d.ToString()).ToList();
    }

    [Fact]
    public async Task A_missing_required_parameter_is_an_error_naming_the_primitive_and_the_agent()
    {
        var findings = await Check("primitive p_ip ocf:heartbeat:IPaddr2 params cidr_netmask=24\n");
        Assert.Contains("test.crm:1:11: error: primitive p_ip: ocf:heartbeat:IPaddr2 requires parameter ip", findings);
    }

    [Fact]
    public async Task An_unknown_parameter_is_a_warning_with_a_suggestion()
    {
        var findings = await Check("primitive p_ip ocf:heartbeat:IPaddr2 params ip=10.0.0.1 cidr_netmsk=24\n");
        Assert.Equal(["test.crm:1:11: warning: primitive p_ip: ocf:heartbeat:IPaddr2 has no parameter cidr_netmsk (did you mean cidr_netmask?)"], findings);
    }

    [Fact]
    public async Task A_complete_configuration_has_no_findings_and_missing_agents_are_reported_when_asked()
    {
        var findings = await Check("primitive p_ip ocf:heartbeat:IPaddr2 params ip=10.0.0.1 cidr_netmask=24\nprimitive ks ocf:openstack:keystone\n");
        Assert.Equal(["test.crm:2:11: warning: primitive ks: agent ocf:openstack:keystone is not installed on this machine (or gives no meta-data)"], findings);
    }
}
