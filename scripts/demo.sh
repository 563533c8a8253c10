#!/usr/bin/env bash
# The local demo. Until the daemon, membership and executor land (issues 3-6), this shows
# what exists today: hacrm checking and converting a real HA stack's configuration.
# The finished demo will start three haclusterd processes on 127.0.0.x, load a sample,
# kill the active node and show the failover and its time (see docs/cli.md, "demo").
set -euo pipefail
cd "$(dirname "$0")/.."
command -v dotnet >/dev/null || { echo "dotnet SDK 10 is required (see README)"; exit 1; }
dotnet build src/HaCluster.Cli -c Release -nologo -v q >/dev/null
hacrm=src/HaCluster.Cli/bin/Release/net10.0/hacrm

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "HaCluster demo (configuration toolchain; the live 3-node failover demo arrives with the daemon)"
echo "Sample: the OpenStack HA guide's MySQL-on-DRBD stack, pasted verbatim (samples/openstack-mysql.crm)."

step "hacrm configure verify samples/openstack-mysql.crm"
"$hacrm" configure verify samples/openstack-mysql.crm || true

step "hacrm configure show (canonical crm syntax)"
"$hacrm" configure show samples/openstack-mysql.crm | sed -n '1,40p'

step "hacrm configure convert --to yaml (configuration as code)"
"$hacrm" configure convert samples/openstack-mysql.crm --to yaml | sed -n '/^resources:/,/^constraints:/p' | head -30

step "A broken change is caught before it is committed"
broken=$(mktemp --suffix=.crm)
trap 'rm -f "$broken"' EXIT
sed 's/order o_drbd_before_mysql inf: ms_drbd_mysql:promote g_mysql:start/&\norder o_loop inf: g_mysql:start ms_drbd_mysql:promote/' samples/openstack-mysql.crm > "$broken"
echo "+ order o_loop inf: g_mysql:start ms_drbd_mysql:promote"
"$hacrm" configure verify --quiet "$broken" && echo "(unexpectedly accepted)" || echo "(rejected: exit $?)"

step "Done. Every seed stack is in samples/; try: $hacrm configure verify samples/*.crm"
