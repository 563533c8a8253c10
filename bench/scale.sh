#!/usr/bin/env bash
# A large site on one machine (issue 22): NODES haclusterd processes on loopback run RESOURCES
# real Dummy resources. Prints the start-up time (until every resource runs exactly once), each
# daemon's resident memory, and the recovery after kill -9 of the node running the most.
#   bench/scale.sh [RESOURCES] [NODES]      (default 1000 resources on 5 nodes)
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build tests/HaCluster.Benchmarks -c Release -nologo -v q >/dev/null
exec dotnet tests/HaCluster.Benchmarks/bin/Release/net10.0/HaCluster.Benchmarks.dll scale "${1:-1000}" "${2:-5}"
