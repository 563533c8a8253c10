#!/usr/bin/env bash
# The real-process fault campaign of issue 22 (docs/reliability.md): RUNS seeded runs (default 100)
# of random faults on three haclusterd in network namespaces running seed 003's stack with fencing:
# kill -9, SIGSTOP/SIGCONT, partitions, one-way cuts, 20-30 % loss with delay, power loss, with
# commits meanwhile. Every agent run and fencing is logged by wrappers (an observer outside the
# cluster); each run checks no resource active twice, no acknowledged commit lost, convergence.
#   bench/campaign.sh [RUNS] [FIRST_SEED]        (needs root: network namespaces)
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build tests/HaCluster.Benchmarks -c Release -nologo -v q >/dev/null
# haclusterd as operators install it (README): a ReadyToRun publish.
daemon=$(mktemp -d)
trap 'rm -rf "$daemon"' EXIT
dotnet publish src/HaCluster.Daemon -c Release -r linux-x64 --self-contained false -nologo -v q -o "$daemon" >/dev/null
export HACLUSTER_DAEMON="$daemon/haclusterd"
exec dotnet tests/HaCluster.Benchmarks/bin/Release/net10.0/HaCluster.Benchmarks.dll campaign "${1:-100}" "${2:-1}"
