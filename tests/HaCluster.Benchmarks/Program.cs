using HaCluster.Benchmarks;

// Side-by-side measurements that need real processes (the BenchmarkDotNet-style micro
// benchmarks do not fit: what is measured here is fork/exec and agents' own work).
return args.FirstOrDefault() switch
{
    "executor-overhead" => await ExecutorOverhead.RunAsync(args[1..]),
    "executor-load" => await ExecutorLoad.RunAsync(args[1..]),
    "executor-cpu" => await ExecutorCpu.RunAsync(args[1..]),
    "failure-detection" => await MembershipBench.FailureDetectionAsync(args[1..]),
    "false-declarations" => await MembershipBench.FalseDeclarationsAsync(args[1..]),
    "membership-overhead" => MembershipBench.Overhead(),
    "failover" => await FailoverBench.RunAsync(args[1..]),
    "failover-netns" => await FailoverNetnsBench.RunAsync(args[1..]),
    "daemon-idle" => await DaemonIdleBench.RunAsync(args[1..]),
    "status-latency" => await DaemonIdleBench.StatusLatencyAsync(args[1..]),
    "scale" => await ScaleBench.RunAsync(args[1..]),
    "http-latency" => await HttpLatencyBench.RunAsync(args[1..]),
    "campaign" => await CampaignBench.RunAsync(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: HaCluster.Benchmarks executor-overhead [ACTIONS] | executor-load [RESOURCES] [INTERVAL_S] [DURATION_S] | executor-cpu [ACTIONS] | failure-detection [RUNS] | false-declarations [SECONDS] [LOSS] | membership-overhead | failover [RUNS] | failover-netns RUNS stack|vip default|aggressive PEERS_KEEPALIVED_DIR | daemon-idle [SECONDS] | status-latency [RUNS] [HACRM...] | scale [RESOURCES] [NODES] | http-latency [RUNS] [RESOURCES] [NODES] | campaign [RUNS] [FIRST_SEED]");
    return 2;
}
