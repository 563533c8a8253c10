using HaCluster.Core.Policy;
using Xunit;

namespace HaCluster.Core.Tests.Policy;

public class GlibHashOrderTests
{
    // Walk orders read from libglib-2.0 itself (a GHashTable with Pacemaker's traditional string
    // hash, keys inserted left to right), covering tables that never grow, grow once and grow twice.
    [Theory]
    [InlineData("1 2 3 4 5", "1 3 5 2 4")]
    [InlineData("node1 node2 node3 node4 node5 node6 node7 node8 node9 node10 node11 node12 node13 node14 node15 node16 node17 node18 node19",
                "node10 node13 node3 node16 node6 node19 node9 node11 node1 node14 node4 node17 node7 node12 node2 node15 node5 node18 node8")]
    [InlineData("1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32",
                "2 18 25 8 13 32 20 3 19 26 9 14 21 4 27 15 22 5 10 28 16 23 6 11 30 29 1 17 24 7 31 12")]
    [InlineData("c001n01 c001n02 c001n03 c001n04 c001n05 c001n06 c001n07 c001n08", "c001n02 c001n08 c001n01 c001n07 c001n06 c001n05 c001n04 c001n03")]
    [InlineData("remote-rsc node1 node2 pcmk-3", "node2 remote-rsc node1 pcmk-3")]
    public void A_node_table_is_walked_in_the_order_GLib_walks_it(string inserted, string walked)
    {
        Assert.Equal(walked.Split(' '), GlibHashOrder.Of(inserted.Split(' '), k => k));
    }
}
