using HaCluster.Core.Membership;
using HaCluster.Daemon.LocalApi;

namespace HaCluster.Cluster.Tests;

public sealed class LogRateLimiterTests
{
    [Fact]
    public void A_thousand_refusals_in_a_minute_are_one_line_and_the_next_line_counts_the_rest()
    {
        var limiter = new LogRateLimiter(TimeSpan.FromMinutes(1));
        var lines = 0;
        for (var i = 0; i < 1000; i++)
            if (limiter.ShouldLog("uid 1000", TimeSpan.FromMilliseconds(i), out _)) lines++;
        Assert.Equal(1, lines);
        Assert.True(limiter.ShouldLog("uid 1001", TimeSpan.FromSeconds(1), out var other));
        Assert.Equal(0, other);
        Assert.True(limiter.ShouldLog("uid 1000", TimeSpan.FromSeconds(61), out var suppressed));
        Assert.Equal(999, suppressed);
    }

    [Theory]
    [InlineData("65536", 65536L)]
    [InlineData("64K", 65536L)]
    [InlineData("256M", 268435456L)]
    [InlineData("1 GiB", 1073741824L)]
    [InlineData("2G", 2147483648L)]
    [InlineData("lots", null)]
    [InlineData("-1M", null)]
    [InlineData("12T", null)]
    public void Sizes_read_as_operators_write_them(string text, long? bytes) => Assert.Equal(bytes, ByteSize.TryParse(text));
}
