#!/usr/bin/env bash
# Benchmark: the resource-agent executor (issue 6).
#   bench/executor.sh [ACTIONS] [RESOURCES] [DURATION_S]      (defaults 300, 1000, 60)
# 1. Per-action overhead: ocf:heartbeat:Dummy monitor run ACTIONS times by the executor and
#    ACTIONS times from a bare /bin/sh loop with the same agent, alternating over 5 rounds in one
#    process; reports the median round of each and the executor's overhead.
# 2. Load: RESOURCES Dummy resources on 10 s recurring monitors for DURATION_S seconds (bounded);
#    reports the executor's own CPU (agents excluded), the agents' CPU, and memory.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build tests/HaCluster.Benchmarks -c Release -nologo -v q >/dev/null
bench=tests/HaCluster.Benchmarks/bin/Release/net10.0/HaCluster.Benchmarks.dll
dotnet "$bench" executor-overhead "${1:-300}"
dotnet "$bench" executor-load "${2:-1000}" 10 "${3:-60}"
