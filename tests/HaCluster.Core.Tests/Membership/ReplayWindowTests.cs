using HaCluster.Core.Membership;
using Xunit;

namespace HaCluster.Core.Tests.Membership;

public sealed class ReplayWindowTests
{
    [Fact]
    public void Each_sequence_is_accepted_once_within_the_window_and_late_ones_beyond_it_are_refused()
    {
        var w = new ReplayWindow();
        Assert.True(w.Accept(1, 10));
        Assert.False(w.Accept(1, 10));
        Assert.True(w.Accept(1, 8));   // reordered, still inside the window
        Assert.False(w.Accept(1, 8));
        Assert.True(w.Accept(1, 2000));
        Assert.False(w.Accept(1, 2000 - ReplayWindow.Size)); // a whole window behind
        Assert.True(w.Accept(1, 2001 - ReplayWindow.Size));
        Assert.False(w.Accept(1, 2001 - ReplayWindow.Size));
        Assert.True(w.Accept(1, 1999));
        Assert.False(w.Accept(1, 0));
    }

    [Fact]
    public void A_new_incarnation_resets_the_window_and_an_old_one_is_a_replay()
    {
        var w = new ReplayWindow();
        Assert.True(w.Accept(5, 1000));
        Assert.True(w.Accept(6, 1));
        Assert.False(w.Accept(5, 1001));
        Assert.Equal(6, w.Incarnation);
    }
}
