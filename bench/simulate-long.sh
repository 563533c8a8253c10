#!/usr/bin/env bash
# A long run of the whole-cluster simulator (issue 21): SEEDS schedules from FROM (CI runs seeds
# 1-500 on every change; this starts after them by default), then every mutant over 300 seeds
# with the seed each was first caught at. Prints throughput (schedules/s, simulated-to-wall ratio).
#   bench/simulate-long.sh [SEEDS] [FROM]      (default 100000 from 501; about 25 schedules/s on 2 cores)
set -uo pipefail
cd "$(dirname "$0")/.."
seeds=${1:-100000}
from=${2:-501}
scripts/simulate.sh --seeds "$seeds" --from "$from" --quiet --progress
status=$?
for m in $(scripts/simulate.sh --list-mutants); do
  scripts/simulate.sh --seeds 300 --mutant "$m" --quiet | grep -E "^mutant"
done
exit $status
