#!/usr/bin/env bash
# Differential testing at scale (issue 7): random clusters with clones, promotable clones and
# cloned groups, scheduled by hacrm and by crm_simulate; prints how many Transition Summaries
# agree. CI runs the first 60 seeds (CloneDifferentialTests); this runs CASES more after them.
#   bench/differential.sh [CASES]      (default 300; about 0.15 s per case)
set -euo pipefail
cd "$(dirname "$0")/.."
cases=${1:-300}
if ! command -v crm_simulate >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pacemaker-cli-utils >/dev/null
fi
HACLUSTER_CLONE_DIFF_REPORT_ONLY=1 HACLUSTER_CLONE_DIFF_FIRST=61 HACLUSTER_CLONE_DIFF_CASES="$cases" \
  dotnet test tests/HaCluster.Core.Tests -c Release -nologo -v q --filter "FullyQualifiedName~CloneDifferential" \
  --logger "console;verbosity=detailed" | grep "clone differential:"
