#!/usr/bin/env bash
# Benchmark: load + validate a large configuration, HaCluster vs crm shell, side by side.
#   bench/config-load.sh [NODES] [PRIMITIVES] [RUNS]      (default 16 10000 5)
# Generates a Pacemaker CIB with ../shared/peers/gen-cib.py, converts it to crm syntax with
# hacrm, then times, on the same crm file:
#   hacrm   : `hacrm configure verify FILE` (parse + full semantic validation), a whole process,
#             published with ReadyToRun as the README installs it
#   crmsh   : crm shell's own parser over every statement, assembled into a CIB
#             (tests/oracle/crmsh-to-cib.py; what `crm configure load` does before committing)
# and prints medians, the ratio and peak memory. Absolute times on shared machines are noise;
# the ratio, measured in one run, is the number.
set -euo pipefail
cd "$(dirname "$0")/.."
nodes=${1:-16}; prims=${2:-10000}; runs=${3:-5}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
# The installed form: published with ReadyToRun, as the README installs it.
dotnet publish src/HaCluster.Cli -c Release -r linux-x64 --self-contained false -nologo -v q -o "$work/bin" >/dev/null
hacrm=$work/bin/hacrm

python3 ../shared/peers/gen-cib.py "$nodes" "$prims" > "$work/cib.xml"
"$hacrm" configure convert "$work/cib.xml" --to crm > "$work/big.crm"
stmts=$(grep -cvE '^\s' "$work/big.crm")
echo "input: $nodes nodes, $prims primitives, $(wc -c < "$work/big.crm") bytes, $stmts crm statements"

# time_cmd LABEL CMD...: prints "seconds maxrss_kb" per run, keeps the median
measure() {
  local label=$1; shift
  local times=() mems=()
  for i in $(seq "$runs"); do
    /usr/bin/time -f "%e %M" -o "$work/t" "$@" >/dev/null 2>"$work/err" || { echo "$label failed:"; tail -5 "$work/err"; exit 1; }
    read -r t m < "$work/t"; times+=("$t"); mems+=("$m")
  done
  local med_t med_m
  med_t=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  med_m=$(printf '%s\n' "${mems[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  printf '%-7s median %6.2f s   peak RSS %7.1f MB   (runs: %s)\n' "$label" "$med_t" "$(echo "$med_m/1024" | bc -l)" "${times[*]}"
  echo "$med_t" > "$work/$label.median"
}

measure hacrm "$hacrm" configure verify --quiet "$work/big.crm"
measure crmsh /usr/bin/python3 tests/oracle/crmsh-to-cib.py "$work/big.crm"
printf 'ratio: crmsh / hacrm = %.1fx\n' "$(echo "$(cat "$work/crmsh.median") / $(cat "$work/hacrm.median")" | bc -l)"
