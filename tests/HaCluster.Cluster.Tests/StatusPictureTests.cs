using HaCluster.Core.Status;
using HaCluster.Daemon.Controller;
using Xunit;

namespace HaCluster.Cluster.Tests;

public class StatusPictureTests
{
    private const string DcPicture = """
        <cib admin_epoch="0" epoch="6" num_updates="0"><configuration><nodes/></configuration><status><node_state id="n1" uname="n1"/></status></cib>
        """;
    private static byte[] Local(int epoch, string nodes) =>
        System.Text.Encoding.UTF8.GetBytes($"""<cib admin_epoch="0" epoch="{epoch}" num_updates="0"><configuration>{nodes}</configuration></cib>""");

    [Fact]
    public void A_configuration_this_node_already_holds_shows_before_the_DC_sends_its_next_picture()
    {
        var standby = """<nodes><node id="n2" uname="n2"><instance_attributes id="a"><nvpair id="s" name="standby" value="on"/></instance_attributes></node></nodes>""";
        var xml = new StatusPicture().Current(DcPicture, new CibVersion(0, 7, 0), () => Local(7, standby))!;
        Assert.Contains("name=\"standby\"", xml);
        Assert.Contains("epoch=\"7\"", xml);
        Assert.Contains("<node_state id=\"n1\"", xml); // the DC's status section stays
    }

    [Fact]
    public void The_DCs_picture_is_shown_as_it_came_when_it_is_as_new_as_this_nodes_copy()
    {
        var asked = false;
        var picture = new StatusPicture();
        Assert.Same(DcPicture, picture.Current(DcPicture, new CibVersion(0, 6, 0), () => { asked = true; return Local(6, ""); }));
        Assert.Same(DcPicture, picture.Current(DcPicture, new CibVersion(0, 5, 0), () => { asked = true; return Local(5, ""); }));
        Assert.False(asked);
        Assert.Null(picture.Current(null, new CibVersion(0, 9, 0), () => Local(9, "")));
    }
}
