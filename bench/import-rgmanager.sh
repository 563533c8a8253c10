#!/usr/bin/env bash
# hacrm import on a large cluster.conf (issue 24's measure): N services (default 1,000), each an
# address, a filesystem and an init script in one of two ordered failover domains, on 4 nodes
# with IPMI fencing. Prints the import's wall time and what it mapped. There is no peer tool to
# compare with (nothing else imports cluster.conf), so this is an absolute figure: compare runs
# of the same machine only.
#   bench/import-rgmanager.sh [SERVICES]
set -euo pipefail
cd "$(dirname "$0")/.."
services=${1:-1000}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
dotnet build src/HaCluster.Cli -c Release -nologo -v q >/dev/null
python3 - "$services" > "$dir/cluster.conf" <<'PY'
import sys
n = int(sys.argv[1])
print('<?xml version="1.0"?>\n<cluster config_version="42" name="big">\n<clusternodes>')
for i in range(1, 5):
    print(f'<clusternode name="node{i}" nodeid="{i}"><fence><method name="1"><device name="ipmi{i}"/></method></fence></clusternode>')
print('</clusternodes>\n<cman expected_votes="4"/>\n<fencedevices>')
for i in range(1, 5):
    print(f'<fencedevice agent="fence_ipmilan" name="ipmi{i}" ipaddr="192.0.2.{i}" login="admin" passwd="secret"/>')
print('</fencedevices>\n<rm>\n<failoverdomains>')
for d, order in (("a", (1, 2, 3, 4)), ("b", (4, 3, 2, 1))):
    print(f'<failoverdomain name="{d}" ordered="1" restricted="0" nofailback="0">')
    for p, node in enumerate(order, 1):
        print(f'<failoverdomainnode name="node{node}" priority="{p}"/>')
    print('</failoverdomain>')
print('</failoverdomains>\n<resources/>')
for s in range(n):
    a, b = divmod(s, 250)
    print(f'<service name="svc{s}" domain="{"ab"[s % 2]}" recovery="relocate">')
    print(f'<ip address="10.{a}.{b}.10/16"><fs name="fs{s}" device="/dev/vg/lv{s}" mountpoint="/srv/svc{s}" fstype="xfs">')
    print(f'<script name="app{s}" file="/etc/init.d/app{s}"/></fs></ip>\n</service>')
print('</rm>\n</cluster>')
PY
hacrm=src/HaCluster.Cli/bin/Release/net10.0/hacrm
start=$(date +%s.%N)
$hacrm import "$dir/cluster.conf" --out "$dir/out" --node node1=10.9.0.1 --node node2=10.9.0.2 --node node3=10.9.0.3 --node node4=10.9.0.4 | tail -1
end=$(date +%s.%N)
printf 'import of %d services (%d lines of cluster.conf, %d of cib.crm): %.2f s\n' "$services" "$(wc -l < "$dir/cluster.conf")" "$(wc -l < "$dir/out/cib.crm")" "$(echo "$end - $start" | bc)"
