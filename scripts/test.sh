#!/usr/bin/env bash
# Runs every test project, after installing what the tests need on a fresh machine
# (Debian: crmsh as an oracle for the crm parser, pacemaker-cli-utils for crm_simulate, the real
# resource agents (resource-agents: ocf:heartbeat:*, pacemaker-resource-agents: ocf:pacemaker:*),
# fence-agents (fence_dummy), iproute2 and ping (iputils-ping) for the network-namespace tests,
# gcc and zlib1g-dev to link the natively compiled hacrm, podman and runc for a bundle's container
# run by the real ocf:heartbeat:podman agent), and prometheus and chromium-headless-shell for the
# HTTP side (metrics, status page).
# Ends with one line "N passed, N failed[, N skipped]" totalled over all test projects.
set -uo pipefail
cd "$(dirname "$0")/.."

need_packages=(crmsh pacemaker-cli-utils resource-agents pacemaker-resource-agents fence-agents iproute2 iputils-ping gcc zlib1g-dev podman runc)
missing=()
for p in "${need_packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "installing: ${missing[*]}"
  $SUDO apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${missing[@]}" >/dev/null || { echo "apt-get install failed"; echo "0 passed, 1 failed"; exit 1; }
fi
# The HTTP side's checkers, without what they recommend (a node exporter, a full browser):
# prometheus (promtool, and a real server scraping a test cluster), chromium-headless-shell (the status page),
# msmtp-mta (the sendmail Pacemaker's sample SMTP alert agent calls; tests send only to a loopback sink).
# lintian checks the .deb packaging/build-deb.sh builds (PackageTests).
lean_packages=(prometheus chromium-headless-shell msmtp-mta lintian)
missing=()
for p in "${lean_packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "installing: ${missing[*]}"
  $SUDO apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null || { echo "apt-get install failed"; echo "0 passed, 1 failed"; exit 1; }
fi
command -v dotnet >/dev/null || { echo "dotnet SDK 10 is required"; echo "0 passed, 1 failed"; exit 1; }

log=$(mktemp)
native=$(mktemp -d)
trap 'rm -f "$log"; rm -rf "$native"' EXIT
if ! dotnet build HaCluster.sln -c Release -nologo -v q 2>&1 | tee -a "$log" | grep -E " error |rror\(s\)"; then :; fi
if grep -qE "[1-9][0-9]* Error\(s\)| error " "$log"; then
  echo "build failed"; echo "0 passed, 1 failed"; exit 1
fi

# hacrm as the README installs it, compiled ahead of time: the tests check it says what the JIT build says.
if ! dotnet publish src/HaCluster.Cli -c Release -r linux-x64 -p:PublishAot=true -nologo -v q -o "$native" >"$log" 2>&1; then
  cat "$log"; echo "native hacrm failed to build"; echo "0 passed, 1 failed"; exit 1
fi
export HACRM_NATIVE="$native/hacrm"

status=0
dotnet test HaCluster.sln -c Release --no-build -nologo 2>&1 | tee "$log" || status=$?

# "Passed!  - Failed:     0, Passed:  2238, Skipped:     0, Total: ..." one per test project.
read -r passed failed skipped < <(grep -E "(Passed|Failed)! +- Failed:" "$log" | sed -E 's/.*Failed: *([0-9]+), Passed: *([0-9]+), Skipped: *([0-9]+).*/\2 \1 \3/' |
  awk '{p+=$1; f+=$2; s+=$3} END {print p+0, f+0, s+0}')
projects=$(grep -cE "(Passed|Failed)! +- Failed:" "$log" || true)
if [ "$projects" -eq 0 ]; then failed=$((failed + 1)); status=1; fi
if [ "$skipped" -gt 0 ]; then echo "$passed passed, $failed failed, $skipped skipped"; else echo "$passed passed, $failed failed"; fi
[ "$failed" -eq 0 ] && [ "$status" -eq 0 ]
