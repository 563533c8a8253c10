#!/usr/bin/env bash
# Regenerates samples/expected/*.status: for each sample, what `hacrm status` shows once the
# cluster has loaded it and every agent has done its job. Each file's first line is the
# simulate command that produces the rest (with what the agents themselves would set: the DRBD
# agents' promotion scores, the health checks' attributes); tests check they still agree
# (tests/HaCluster.Core.Tests/Cib/SampleTests.cs).
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet build src/HaCluster.Cli -c Release -nologo -v q >/dev/null
hacrm() { dotnet src/HaCluster.Cli/bin/Release/net10.0/hacrm.dll "$@"; }
for file in samples/expected/*.status; do
  command=$(head -1 "$file")
  args=${command#\# hacrm }
  { echo "$command"; eval "hacrm $args" | sed -n '/^Settled Cluster Status/,$p'; } > "$file.new"
  mv "$file.new" "$file"
done
