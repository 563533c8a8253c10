#!/usr/bin/env bash
# Benchmark: whole failover as a client sees it (issue 4), HaCluster side by side with keepalived
# (and, with --with-pacemaker, Corosync+Pacemaker), in network namespaces, in one run.
#   bench/failover-netns.sh [RUNS] [--with-pacemaker]        (default 10 runs per setting)
# Every system is timed the same way: node death (the active node's bridge port down and its
# processes SIGKILLed) at a random point of the heartbeat cycle, then the time until a UDP echo
# server on a survivor answers the client on the VIP (../shared/peers' prober.py, a probe every
# 2 ms). HaCluster runs 3 nodes with fencing on (fence_netns), the VIP alone and seed 003's stack
# (Stateful promoted, then IPaddr2 VIP, Dummy fs, Dummy mysqld, in order).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
pacemaker=${2:-}
peers=$(cd ../shared/peers && pwd)
if ! command -v keepalived >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq keepalived >/dev/null
fi
dotnet build tests/HaCluster.Benchmarks -c Release -nologo -v q >/dev/null
bench=tests/HaCluster.Benchmarks/bin/Release/net10.0/HaCluster.Benchmarks.dll
results=$(mktemp)
# haclusterd as operators install it (README): a ReadyToRun publish, no JIT in a failover.
daemon=$(mktemp -d)
trap 'rm -rf "$results" "$daemon"' EXIT
dotnet publish src/HaCluster.Daemon -c Release -r linux-x64 --self-contained false -nologo -v q -o "$daemon" >/dev/null
export HACLUSTER_DAEMON="$daemon/haclusterd"

median() { sed -n 's/.*median \([0-9.]*\).*/\1/p' | head -1; }

for timers in default aggressive; do
  for what in vip stack; do
    out=$(dotnet "$bench" failover-netns "$runs" "$what" "$timers" "$peers/keepalived")
    echo "$out"
    echo "HaCluster $what, $timers timers|$(echo "$out" | grep 'takeover' | median)" >> "$results"
  done
done

(
  cd "$peers/keepalived"
  ./netns-down.sh >/dev/null 2>&1 || true
  ./netns-up.sh >/dev/null
  trap './netns-down.sh >/dev/null 2>&1 || true' EXIT
  for setting in "2 1" "3 0.1"; do
    out=$(./bench.py $setting nodefail "$runs" | grep -A2 SUMMARY)
    echo "$out"
    echo "keepalived VRRPv${setting% *} advert_int ${setting#* }|$(echo "$out" | grep 'takeover' | median)" >> "$results"
  done
)

if [ "$pacemaker" = "--with-pacemaker" ]; then
  (
    cd "$peers/pcmk-cluster"
    ./netns-down.sh >/dev/null 2>&1 || true
    ./netns-up.sh >/dev/null
    trap './netns-down.sh >/dev/null 2>&1 || true' EXIT
    out=$(./bench.py default "$runs" | grep -A3 SUMMARY)
    echo "$out"
    echo "Corosync+Pacemaker, default token|$(echo "$out" | median)" >> "$results"
  )
fi

echo
echo "Median failover (node death -> VIP answers from a survivor), $runs runs each:"
base=$(grep '^keepalived VRRPv2' "$results" | cut -d'|' -f2)
while IFS='|' read -r name ms; do
  printf '  %-45s %6.0f ms   %5.2fx keepalived advert_int 1\n' "$name" "$ms" "$(echo "$ms / $base" | bc -l)"
done < "$results"
