#!/usr/bin/env bash
# Benchmark: membership (issue 3), with real haclusterd processes on loopback addresses.
#   bench/membership.sh [RUNS] [SECONDS]         (defaults 20, 120)
# 1. Failure detection: kill -9 one of 3 nodes RUNS times, for the default timers and an
#    aggressive setting; time until both survivors declare it dead (median, p95, max).
# 2. False declarations: 3 nodes, 2 rings, 20% loss on ring 0 (a lossy UDP proxy in the
#    benchmark process) and busy loops on every core for SECONDS: no node may be declared dead.
# 3. Overhead: packets and bytes per second per node at 3, 16 and 32 nodes (simulated).
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build tests/HaCluster.Benchmarks -c Release -nologo -v q >/dev/null
bench=tests/HaCluster.Benchmarks/bin/Release/net10.0/HaCluster.Benchmarks.dll
dotnet "$bench" failure-detection "${1:-20}"
dotnet "$bench" false-declarations "${2:-120}" 0.2
dotnet "$bench" membership-overhead
# 4. Whole failover (issue 4): kill -9 of the node running a 2-resource Dummy group, 20 runs.
dotnet "$bench" failover 20
