using HaCluster.Core.Cib;

namespace HaCluster.Core.Health;

/// <summary>
/// What one node's runs of a health check add up to, keepalived's way: the first result decides
/// at once; after that it takes <see cref="HealthCheck.FallCount"/> failures in a row to go from
/// passing to failing and <see cref="HealthCheck.RiseCount"/> passes in a row to come back, so
/// one slow run does not move a service. Pure: the runner feeds it results, it says when the
/// node attribute changes.
/// </summary>
public sealed class HealthCheckState(HealthCheck check)
{
    public HealthCheck Check { get; } = check;

    /// <summary>Null until the first result.</summary>
    public bool? Passing { get; private set; }

    /// <summary>How many results in a row agreed with the last one.</summary>
    public int Streak { get; private set; }

    private bool lastResult;

    /// <summary>Records one run: the attribute's new value when the state changed (or became known), else null.</summary>
    public string? Record(bool passed)
    {
        Streak = Streak > 0 && passed == lastResult ? Streak + 1 : 1;
        lastResult = passed;
        var next = Passing switch
        {
            null => passed,
            true when !passed && Streak >= Check.FallCount => false,
            false when passed && Streak >= Check.RiseCount => true,
            var same => same,
        };
        if (next == Passing) return null;
        Passing = next;
        return next == true ? HealthCheck.Passing : HealthCheck.Failing;
    }
}
