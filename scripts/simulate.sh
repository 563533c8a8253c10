#!/usr/bin/env bash
# The whole cluster, simulated (docs/reliability.md): real membership engines and controllers on
# a simulated network, clock, disk and agents, under seeded faults, with invariants checked after
# every step. Builds the simulator (hasim) if needed, then passes every argument on:
#   scripts/simulate.sh [--seeds N] [--from S] [--nodes K] [--mutant NAME] [--jobs J] [--quiet] [--progress]
#   scripts/simulate.sh --replay SEED [--nodes K] [--mutant NAME] [--debug]
#   scripts/simulate.sh --list-mutants
# The last line is always "N schedules, V violations"; a violation prints its seed, the invariant,
# the last events and the command that replays it. Exit status 0 when no schedule broke anything.
set -uo pipefail
cd "$(dirname "$0")/.."
command -v dotnet >/dev/null || { echo "dotnet SDK 10 is required"; echo "0 schedules, 1 violations"; exit 2; }
if ! dotnet build src/HaCluster.Simulation -c Release -nologo -v q >/tmp/hasim-build.$$ 2>&1; then
  cat /tmp/hasim-build.$$; rm -f /tmp/hasim-build.$$
  echo "the simulator does not build"; echo "0 schedules, 1 violations"; exit 2
fi
rm -f /tmp/hasim-build.$$
exec dotnet src/HaCluster.Simulation/bin/Release/net10.0/hasim.dll "$@"
