#!/usr/bin/env bash
# Benchmark: the resource-agent executor (issue 6).
#   bench/executor.sh [ACTIONS] [RESOURCES] [DURATION_S] [--with-pacemaker]   (defaults 300, 1000, 60)
# 1. Per-action overhead: ocf:heartbeat:Dummy monitor run ACTIONS times by the executor and
#    ACTIONS times from a bare /bin/sh loop with the same agent, alternating over 5 rounds in one
#    process; reports the median round of each and the executor's overhead.
# 2. Load: RESOURCES Dummy resources on 10 s recurring monitors for DURATION_S seconds (bounded);
#    reports the executor's own CPU (agents excluded), the agents' CPU, and memory.
# 3. With --with-pacemaker, the same load on Pacemaker 2.1.5's pacemaker-execd in the peers'
#    Corosync+Pacemaker harness (bench/pacemaker-execd-load.py; installs the Debian packages,
#    starting 1,000 resources there takes about 3 minutes), and the ratio of the two.
set -euo pipefail
cd "$(dirname "$0")/.."
resources=${2:-1000}
seconds=${3:-60}
dotnet build tests/HaCluster.Benchmarks -c Release -nologo -v q >/dev/null
bench=tests/HaCluster.Benchmarks/bin/Release/net10.0/HaCluster.Benchmarks.dll
dotnet "$bench" executor-overhead "${1:-300}"
ours=$(dotnet "$bench" executor-load "$resources" 10 "$seconds")
echo "$ours"
[ "${4:-}" = "--with-pacemaker" ] || exit 0
if ! command -v pacemakerd >/dev/null || ! command -v corosync >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq corosync pacemaker pacemaker-cli-utils resource-agents >/dev/null
fi
theirs=$(bench/pacemaker-execd-load.py "$(cd ../shared/peers/pcmk-cluster && pwd)" "$resources" "$seconds")
echo "$theirs"
a=$(echo "$ours" | sed -n 's/.*executor (this process): \([0-9.]*\)%.*/\1/p')
b=$(echo "$theirs" | sed -n 's/.*pacemaker-execd (this process): \([0-9.]*\)%.*/\1/p')
echo "executor's own CPU: HaCluster ${a}%, pacemaker-execd ${b}% of one core: ratio $(python3 -c "print(f'{$a / $b:.3f}x')")"
