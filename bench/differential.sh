#!/usr/bin/env bash
# Differential testing at scale (issues 7 and 23): random clusters scheduled by hacrm and by crm_simulate;
# prints how many Transition Summaries agree. Two generators: clones, promotable clones and cloned
# groups (CloneDifferentialTests), and primitives and groups with failures (CrmSimulateDifferentialTests).
# CI runs the first 60 seeds of each; this runs CASES more after them (seeds 61..60+CASES), and the
# failure generator's development and held-out ranges (below).
#   bench/differential.sh [CASES]      (default 300; about 0.15 s per case and generator)
set -euo pipefail
cd "$(dirname "$0")/.."
cases=${1:-300}
if ! command -v crm_simulate >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pacemaker-cli-utils >/dev/null
fi
dotnet build tests/HaCluster.Core.Tests -c Release -nologo -v q >/dev/null
HACLUSTER_CLONE_DIFF_REPORT_ONLY=1 HACLUSTER_CLONE_DIFF_FIRST=61 HACLUSTER_CLONE_DIFF_CASES="$cases" \
  dotnet test tests/HaCluster.Core.Tests -c Release --no-build -nologo -v q --filter "FullyQualifiedName~Agreement_with_crm_simulate_on_random_clusters_with_clones" \
  --logger "console;verbosity=detailed" | grep "clone differential:"
HACLUSTER_DIFF_FIRST=61 HACLUSTER_DIFF_CASES="$cases" \
  dotnet test tests/HaCluster.Core.Tests -c Release --no-build -nologo -v q --filter "FullyQualifiedName=HaCluster.Core.Tests.Policy.CrmSimulateDifferentialTests.Agreement_with_crm_simulate_on_random_clusters" \
  --logger "console;verbosity=detailed" 2>&1 | grep -m1 -o "agreement: .*" | sed 's/^/primitive differential: /' || true
# The failure generator (FailureScenarios, issue 23): its development range 1001.. (looked at while
# changing the scheduler) and its held-out range 900001.. (totals and per-feature figures only).
HACLUSTER_FAIL_DIFF_FIRST=1001 HACLUSTER_FAIL_DIFF_CASES="$cases" HACLUSTER_FAIL_DIFF_TOTALS_ONLY=1 \
  dotnet test tests/HaCluster.Core.Tests -c Release --no-build -nologo -v q --filter "FullyQualifiedName~Agreement_with_crm_simulate_on_recorded_failures" \
  --logger "console;verbosity=detailed" 2>&1 | grep -m1 -o "failure differential: .*" || true
HACLUSTER_FAIL_DIFF_FIRST=900001 HACLUSTER_FAIL_DIFF_CASES="$cases" HACLUSTER_FAIL_DIFF_TOTALS_ONLY=1 \
  dotnet test tests/HaCluster.Core.Tests -c Release --no-build -nologo -v q --filter "FullyQualifiedName~Agreement_with_crm_simulate_on_recorded_failures" \
  --logger "console;verbosity=detailed" 2>&1 | sed 's/^\[xUnit[^]]*\] *//' | grep -E "failure differential|: [0-9]+/[0-9]+ \(" | sed 's/^ *failure differential/held-out failure differential/' | sort -u || true
