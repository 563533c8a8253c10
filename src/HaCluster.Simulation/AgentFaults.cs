namespace HaCluster.Simulation;

/// <summary>
/// How the simulated agents misbehave, per operation (probabilities 0..1); all zero once the
/// schedule's faults end, so the cluster can converge.
/// </summary>
public sealed class AgentFaults
{
    public double StartFails { get; set; }
    public double PromoteFails { get; set; }
    /// <summary>A stop that hangs until its timeout and fails: the resource is still running (fencing must follow).</summary>
    public double StopHangs { get; set; }
    public double FencingFails { get; set; }

    public void Clear() => StartFails = PromoteFails = StopHangs = FencingFails = 0;
}
