#!/usr/bin/env bash
# Fuzzing every reader of outside input (issue 22): N mutated inputs per syntax (crm, XML and
# YAML configurations with validation, cluster.yaml, controller messages) and 10 N packets into
# a membership engine, from seed SEED. Prints one line per target (inputs, crashes, slowest
# input) and ends with "N inputs, C crashes"; exit 1 on any crash.
#   bench/fuzz.sh [N] [SEED]      (default 100000 from seed 1: about 3 minutes on 2 cores)
# HASIM_FUZZ_DUMP=FILE writes the first crashing input of a target to FILE (base64 for bytes).
set -uo pipefail
cd "$(dirname "$0")/.."
dotnet build src/HaCluster.Simulation -c Release -nologo -v q >/dev/null || { echo "the simulator does not build"; exit 2; }
exec dotnet src/HaCluster.Simulation/bin/Release/net10.0/hasim.dll --fuzz "${1:-100000}" --from "${2:-1}"
