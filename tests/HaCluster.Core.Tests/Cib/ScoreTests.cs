using HaCluster.Core.Cib;
using Xunit;

namespace HaCluster.Core.Tests.Cib;

public class ScoreTests
{
    [Theory]
    [InlineData("inf", 1_000_000)]
    [InlineData("INFINITY", 1_000_000)]
    [InlineData("+inf", 1_000_000)]
    [InlineData("+INFINITY", 1_000_000)]
    [InlineData("-inf", -1_000_000)]
    [InlineData("-INFINITY", -1_000_000)]
    [InlineData("100", 100)]
    [InlineData("-5", -5)]
    [InlineData("+7", 7)]
    [InlineData("5000000", 1_000_000)]
    [InlineData("-99999999999999999999", -1_000_000)]
    public void Parses_pacemaker_spellings_and_clamps_to_infinity(string text, int expected)
    {
        Assert.True(Score.TryParse(text, out var s));
        Assert.Equal(expected, s.Value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("1.5")]
    [InlineData("--1")]
    [InlineData("infinite")]
    public void Rejects_non_scores(string text) => Assert.False(Score.TryParse(text, out _));

    [Fact]
    public void Minus_infinity_wins_over_plus_infinity() =>
        Assert.Equal(Score.MinusInfinity, Score.Infinity + Score.MinusInfinity);

    [Fact]
    public void Minus_infinity_wins_in_either_order() =>
        Assert.Equal(Score.MinusInfinity, Score.MinusInfinity + Score.Infinity);

    [Fact]
    public void Addition_saturates_at_infinity() =>
        Assert.Equal(Score.Infinity, new Score(999_999) + new Score(10));

    [Fact]
    public void Finite_scores_add_normally() => Assert.Equal(new Score(-3), new Score(7) + new Score(-10));

    [Fact]
    public void Prints_pacemaker_and_crm_spellings()
    {
        Assert.Equal("INFINITY", Score.Infinity.ToString());
        Assert.Equal("-INFINITY", Score.MinusInfinity.ToString());
        Assert.Equal("inf", Score.Infinity.ToCrmString());
        Assert.Equal("-inf", Score.MinusInfinity.ToCrmString());
        Assert.Equal("42", new Score(42).ToCrmString());
    }
}

public class DurationTests
{
    [Theory]
    [InlineData("30s", 30_000)]
    [InlineData("30", 30_000)]
    [InlineData("2min", 120_000)]
    [InlineData("2m", 120_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("1hr", 3_600_000)]
    [InlineData("500ms", 500)]
    [InlineData("500msec", 500)]
    [InlineData("0", 0)]
    [InlineData("PT30S", 30_000)]
    [InlineData("PT1M30S", 90_000)]
    [InlineData("P1D", 86_400_000)]
    [InlineData("P1DT2H", 93_600_000)]
    [InlineData(" 10s ", 10_000)]
    public void Parses_pacemaker_intervals(string text, long ms)
    {
        Assert.True(Duration.TryParseMilliseconds(text, out var got));
        Assert.Equal(ms, got);
    }

    [Theory]
    [InlineData("")]
    [InlineData("soon")]
    [InlineData("10 parsecs")]
    [InlineData("P")]
    [InlineData("PT")]
    [InlineData("-5s")]
    public void Rejects_non_durations(string text) => Assert.False(Duration.TryParseMilliseconds(text, out _));
}
