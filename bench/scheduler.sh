#!/usr/bin/env bash
# Benchmark: the scheduler, HaCluster vs Pacemaker's crm_simulate, side by side, on the same CIBs.
#   bench/scheduler.sh [PEER_TIMEOUT_SECONDS]        (default 600)
# Generates cold-start CIBs (every resource must be probed and placed) with
# ../shared/peers/gen-cib.py at 16x1,000, 32x5,000 and 64x10,000 (nodes x primitives); from each,
# a steady state (`hacrm simulate --settle -O`: every resource probed, placed, started and
# monitored, with Pacemaker's parameter digests, so crm_simulate too sees nothing to do) and a
# failure (that steady state with node7 lost: gen-cib.py --status-from STEADY --fail-node node7).
# For each input it times
#   hacrm : `hacrm simulate --xml CIB` (parse + schedule + print), published ReadyToRun
#   pcmk  : `crm_simulate -R -x CIB` (Pacemaker 2.1.5: compute the transition and its summary)
# reporting wall time and peak RSS for each, their ratio, and how many Transition Summary lines
# agree. crm_simulate is given PEER_TIMEOUT seconds per size (it takes minutes to hours at the
# larger sizes); a size it does not finish is reported as "> timeout".
set -uo pipefail
cd "$(dirname "$0")/.."
peer_timeout=${1:-600}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
dotnet publish src/HaCluster.Cli -c Release -r linux-x64 --self-contained false -nologo -v q -o "$work/bin" >/dev/null
hacrm=$work/bin/hacrm

summary() {  # normalised Transition Summary lines, sorted
  python3 - "$1" <<'PY'
import re, sys
on = False
for line in open(sys.argv[1], errors="replace"):
    if line.strip() == "Transition Summary:": on = True; continue
    if on:
        if line and not line[0].isspace() and line.rstrip().endswith(":"): break
        s = line.strip()
        if s.startswith("* "):
            s = re.sub(r"\s+", " ", s[2:]); s = re.sub(r"\(\s+", "(", s); s = re.sub(r"\s+\)", ")", s)
            s = re.sub(r"(^| )Master( |\[|\)|$)", r"\1Promoted\2", s); s = re.sub(r"(^| )Slave( |\)|$)", r"\1Unpromoted\2", s)
            print(s)
PY
}

printf '%-18s %-22s %-30s %-8s %s\n' input hacrm crm_simulate ratio agreement
compare() {  # LABEL CIB
  /usr/bin/time -f "%e %M" -o "$work/t.ours" "$hacrm" simulate --xml "$2" > "$work/ours.txt" 2>/dev/null
  read -r ours_s ours_kb < "$work/t.ours"
  if timeout "$peer_timeout" /usr/bin/time -f "%e %M" -o "$work/t.pcmk" crm_simulate -R -x "$2" > "$work/pcmk.txt" 2>/dev/null; then
    read -r pcmk_s pcmk_kb < "$work/t.pcmk"
    ratio=$(echo "$pcmk_s / $ours_s" | bc -l)
    total=$(summary "$work/pcmk.txt" | wc -l)
    ours_total=$(summary "$work/ours.txt" | wc -l)
    same=$(comm -12 <(summary "$work/pcmk.txt" | sort) <(summary "$work/ours.txt" | sort) | wc -l)
    printf '%-18s %6.2f s %7.0f MB     %8.2f s %8.0f MB     %7.1fx  %s/%s lines (ours %s)\n' "$1" "$ours_s" "$((ours_kb/1024))" "$pcmk_s" "$((pcmk_kb/1024))" "$ratio" "$same" "$total" "$ours_total"
  else
    printf '%-18s %6.2f s %7.0f MB     > %ss (not finished)\n' "$1" "$ours_s" "$((ours_kb/1024))" "$peer_timeout"
  fi
}
for spec in "16 1000" "32 5000" "64 10000"; do
  set -- $spec
  size=$1x$2
  python3 ../shared/peers/gen-cib.py "$1" "$2" > "$work/cold.xml" 2>/dev/null
  compare "cold $size" "$work/cold.xml"
  "$hacrm" simulate --xml "$work/cold.xml" --settle -O "$work/steady.xml" > /dev/null 2>&1
  compare "steady $size" "$work/steady.xml"
  python3 ../shared/peers/gen-cib.py "$1" "$2" --status-from "$work/steady.xml" --fail-node node7 > "$work/fail.xml" 2>/dev/null
  compare "node7 lost $size" "$work/fail.xml"
done
