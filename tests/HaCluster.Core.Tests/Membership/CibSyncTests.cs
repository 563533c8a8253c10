using HaCluster.Core.Membership;
using HaCluster.Core.Status;
using Xunit;

namespace HaCluster.Core.Tests.Membership;

public sealed class CibSyncTests
{
    private static MembershipView View(bool agreed, params int[] members) => new(1, members, agreed, true, members[0], true, members.Length, members.Length);
    private static readonly CibVersion Old = new(0, 3, 1);
    private static readonly CibVersion New = new(0, 5, 0);

    [Fact]
    public void The_holder_of_the_newest_version_sends_it_to_members_with_older_ones()
    {
        var versions = new Dictionary<int, CibVersion> { [2] = Old, [3] = New, [4] = default };
        // Node 3 has the same newest version but a higher id: node 1 is the source.
        Assert.Equal([2, 4], CibSync.Recipients(1, New, View(true, 1, 2, 3, 4), versions));
        Assert.Empty(CibSync.Recipients(3, New, View(true, 1, 2, 3, 4), new Dictionary<int, CibVersion> { [1] = New, [2] = Old, [4] = default }));
    }

    [Fact]
    public void Nothing_is_sent_by_an_older_holder_or_before_the_view_is_agreed()
    {
        var versions = new Dictionary<int, CibVersion> { [2] = New };
        Assert.Empty(CibSync.Recipients(1, Old, View(true, 1, 2), versions));
        Assert.Empty(CibSync.Recipients(2, New, View(false, 1, 2), new Dictionary<int, CibVersion> { [1] = Old }));
    }

    [Fact]
    public void Admin_epoch_outranks_epoch_and_epoch_outranks_num_updates()
    {
        Assert.True(new CibVersion(1, 0, 0) > new CibVersion(0, 99, 99));
        Assert.True(new CibVersion(0, 2, 0) > new CibVersion(0, 1, 500));
    }

    [Fact]
    public void A_copy_round_trips_with_its_version()
    {
        var message = CibSync.Encode(New, "<cib/>"u8);
        Assert.True(CibSync.TryDecode(message, out var v, out var xml));
        Assert.Equal(New, v);
        Assert.Equal("<cib/>"u8.ToArray(), xml.ToArray());
        Assert.False(CibSync.TryDecode([9, 1, 2], out _, out _));
    }
}
