#!/usr/bin/env bash
# The local demo: a real 3-node HaCluster on this machine, no root and nothing to configure.
# Three haclusterd processes on 127.0.0.11-13 (unicast), private state and agent directories,
# the project's own sample agents (samples/ocf) and a sample configuration (samples/demo.crm):
# a promotable "database", a VIP that follows its primary, a service group that follows the VIP.
# It shows the cluster, kills the node running the VIP (kill -9), shows the failover and its time,
# brings the node back, and stops everything. --keep leaves the cluster running to explore.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
keep=false
[ "${1:-}" = "--keep" ] && keep=true
command -v dotnet >/dev/null || { echo "the .NET 10 SDK (dotnet) is required (see README)"; exit 1; }

bold() { if [ -t 1 ]; then printf '\n\033[1m== %s\033[0m\n' "$*"; else printf '\n== %s\n' "$*"; fi; }
now_ms() { date +%s%3N; }

bold "Building hacrm and haclusterd"
dotnet build src/HaCluster.Daemon -c Release -nologo -v q >/dev/null
dotnet build src/HaCluster.Cli -c Release -nologo -v q >/dev/null
bin_d=src/HaCluster.Daemon/bin/Release/net10.0
bin_c=src/HaCluster.Cli/bin/Release/net10.0
hacrm() { dotnet "$repo/$bin_c/hacrm.dll" "$@"; }

work=$(mktemp -d /tmp/hacluster-demo.XXXXXX)
port=$(( (RANDOM % 20000) + 30000 ))
declare -A pid
cleanup() {
  for n in "${!pid[@]}"; do kill -TERM "${pid[$n]}" 2>/dev/null || true; done
  for n in "${!pid[@]}"; do wait "${pid[$n]}" 2>/dev/null || true; done
  rm -rf "$work"
}
if ! $keep; then trap cleanup EXIT; else trap 'echo' EXIT; fi
trap 'exit 130' INT TERM

hacrm keygen "$work/authkey" >/dev/null
for i in 1 2 3; do
  cat > "$work/node$i.yaml" <<YAML
cluster_name: demo
nodes:
  - { name: node1, id: 1, addresses: [127.0.0.11] }
  - { name: node2, id: 2, addresses: [127.0.0.12] }
  - { name: node3, id: 3, addresses: [127.0.0.13] }
rings:
  - unicast: { port: $port }
key_file: $work/authkey
agents: { ocf_root: $repo/samples/ocf, rsctmp: $work/node$i.rsctmp }
YAML
done

start_node() {
  local n=$1
  dotnet "$repo/$bin_d/haclusterd.dll" --config "$work/$n.yaml" --node "$n" --state-dir "$work/$n.state" \
    --socket "$work/$n.sock" >>"$work/$n.log" 2>&1 &
  pid[$n]=$!
}
wait_for() {  # wait_for SECONDS DESCRIPTION COMMAND...
  local until=$(( $(date +%s) + $1 )); local what=$2; shift 2
  until "$@" >/dev/null 2>&1; do
    if [ "$(date +%s)" -ge "$until" ]; then
      # The state directory goes with the demo: show what the nodes said before it does.
      echo "timed out waiting until $what; the end of each node's log:"
      for log in "$work"/node*.log; do echo "--- ${log##*/}"; tail -n 25 "$log"; done
      exit 1
    fi
    sleep 0.1
  done
}
status_of() { hacrm --socket "$work/$1.sock" status; }
all_online() { status_of "$1" | grep -q "Online: \[ node1 node2 node3 \]"; }
vip_node() { status_of "$1" 2>/dev/null | sed -n 's/.*vip\t(ocf:hacluster:Service):\t Started \(node[0-9]\).*/\1/p' | head -1; }
vip_runs() { [ -n "$(vip_node "$1")" ]; }

bold "Starting three haclusterd processes on 127.0.0.11-13 (port $port; state in $work)"
for n in node1 node2 node3; do start_node $n; done
wait_for 30 "the three nodes see each other" all_online node1
status_of node1 | sed -n '1,12p'

bold "Loading the sample configuration (samples/demo.crm) with hacrm configure load"
grep -v '^#' samples/demo.crm | sed '/^$/d'
hacrm --socket "$work/node1.sock" configure load replace samples/demo.crm
wait_for 60 "the database is promoted and the VIP runs" vip_runs node1
sleep 2
status_of node1 || true

victim=$(vip_node node1)
survivor=node1; [ "$victim" = node1 ] && survivor=node2
bold "Killing $victim (kill -9): it runs the database primary and the VIP"
t0=$(now_ms)
kill -KILL "${pid[$victim]}"; wait "${pid[$victim]}" 2>/dev/null || true
# A dead machine takes its services with it: forget what its agents had running.
rm -rf "$work/$victim.rsctmp"
unset "pid[$victim]"
moved() { local n; n=$(vip_node "$survivor"); [ -n "$n" ] && [ "$n" != "$victim" ]; }
wait_for 30 "the VIP runs on a survivor" moved
t1=$(now_ms)
status_of "$survivor" || true
echo
echo "Failover: the VIP and the service group run on $(vip_node "$survivor") $(( t1 - t0 )) ms after $victim died"
echo "(detection ~0.6 s with the default timers, then promote, VIP and group in order)"

bold "Bringing $victim back"
start_node "$victim"
wait_for 30 "$victim rejoins" all_online "$survivor"
sleep 3
status_of "$survivor" || true

if $keep; then
  bold "Left running. Explore with:"
  for n in node1 node2 node3; do echo "  dotnet $repo/$bin_c/hacrm.dll --socket $work/$n.sock status"; done
  echo "Stop with: kill ${pid[*]}   (state and logs in $work)"
else
  bold "Stopping the cluster (SIGTERM to every node)"
fi
