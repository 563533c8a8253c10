using HaCluster.Core.Cib.Syntax;
using HaCluster.Core.Policy;
using Xunit;

namespace HaCluster.Core.Tests.Policy;

/// <summary>rsc_ticket: a resource runs only while its ticket is granted; loss-policy says what losing it does.</summary>
public class TicketTests
{
    private static List<string> Summary(string crm, StatusBuilder status) => SchedulerTests.Summary(crm, status).Order().ToList();

    private const string Nodes = "node node1\nnode node2\n";
    private const string NoFencing = Nodes + "property stonith-enabled=false\n";
    private const string WithFencing = Nodes + "property stonith-enabled=true\nprimitive fence stonith:fence_dummy\n";

    [Fact]
    public void A_resource_whose_ticket_was_never_granted_does_not_start()
    {
        var crm = NoFencing + "primitive a Dummy\nrsc_ticket t ticketA: a";
        Assert.Empty(Summary(crm, new StatusBuilder().Online("node1", "node2")));
    }

    [Fact]
    public void A_granted_ticket_lets_the_resource_start()
    {
        var crm = NoFencing + "primitive a Dummy\nrsc_ticket t ticketA: a";
        Assert.Equal(new[] { "Start a (node1)" }, Summary(crm, new StatusBuilder().Online("node1", "node2").Ticket("ticketA", granted: true)));
    }

    [Fact]
    public void Revoking_the_ticket_stops_the_resource_with_the_default_loss_policy()
    {
        var crm = NoFencing + "primitive a Dummy\nrsc_ticket t ticketA: a";
        var status = new StatusBuilder().Online("node1", "node2").Running("node1", "a").Ticket("ticketA", granted: false);
        Assert.Equal(new[] { "Stop a (node1) due to node availability" }, Summary(crm, status));
    }

    [Fact]
    public void A_ticket_in_standby_stops_the_resource_even_though_it_is_granted()
    {
        var crm = NoFencing + "primitive a Dummy\nrsc_ticket t ticketA: a";
        var status = new StatusBuilder().Online("node1", "node2").Running("node1", "a").Ticket("ticketA", granted: true, standby: true);
        Assert.Equal(new[] { "Stop a (node1) due to node availability" }, Summary(crm, status));
    }

    [Fact]
    public void Loss_policy_freeze_leaves_a_running_resource_where_it_is()
    {
        var crm = NoFencing + "primitive a Dummy\nrsc_ticket t ticketA: a loss-policy=freeze";
        var status = new StatusBuilder().Online("node1", "node2").Running("node1", "a").Ticket("ticketA", granted: false);
        Assert.Empty(Summary(crm, status));
    }

    [Fact]
    public void Loss_policy_fence_fences_the_node_that_runs_the_resource()
    {
        var crm = WithFencing + "primitive a Dummy\nrsc_ticket t ticketA: a loss-policy=fence";
        var status = new StatusBuilder().Online("node1", "node2").Running("node2", "fence", "stonith:fence_dummy")
            .Running("node1", "a").Ticket("ticketA", granted: false);
        Assert.Contains("Fence (reboot) node1 'deadman ticket was lost'", Summary(crm, status));
    }

    [Fact]
    public void Loss_policy_fence_without_fencing_enabled_falls_back_to_stop()
    {
        var crm = NoFencing + "primitive a Dummy\nrsc_ticket t ticketA: a loss-policy=fence";
        var status = new StatusBuilder().Online("node1", "node2").Running("node1", "a").Ticket("ticketA", granted: false);
        Assert.Equal(new[] { "Stop a (node1) due to node availability" }, Summary(crm, status));
    }

    [Fact]
    public void A_ticket_for_the_promoted_role_only_demotes_when_it_is_lost()
    {
        var crm = NoFencing + "primitive s ocf:pacemaker:Stateful\nms ms1 s\nrsc_ticket t ticketA: ms1:Master";
        var status = new StatusBuilder().Online("node1", "node2")
            .History("node1", "s", "ocf:pacemaker:Stateful", ("start", 0, 0), ("promote", 0, 0))
            .History("node2", "s", "ocf:pacemaker:Stateful", ("start", 0, 0))
            .Attribute("node1", "master-s", "10").Attribute("node2", "master-s", "5")
            .Ticket("ticketA", granted: false);
        Assert.Equal(new[] { "Demote s:0 (Promoted -> Unpromoted node1)" }, Summary(crm, status));
    }
}
