#!/usr/bin/env bash
# Builds the Debian package: packaging/build-deb.sh OUTDIR  ->  OUTDIR/hacluster_VERSION_amd64.deb
#   /usr/sbin/hacrm                      NativeAOT (no .NET needed to run it)
#   /usr/sbin/haclusterd -> /usr/lib/hacluster/haclusterd/haclusterd
#                                        self-contained ReadyToRun (.NET is not in Debian's archive here)
#   /usr/lib/systemd/system/haclusterd.service, /usr/lib/sysusers.d/hacluster.conf (group haclient),
#   /usr/lib/tmpfiles.d/hacluster.conf (/run/hacluster, /var/lib/hacluster),
#   man pages hacrm(8), haclusterd(8), cluster.yaml(5) generated from the programs themselves,
#   bash completion, /usr/share/doc/hacluster (README, docs, samples).
# The service is installed, not enabled: cluster.yaml and the key come first (docs/getting-started.md).
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(realpath -m "${1:?usage: packaging/build-deb.sh OUTDIR}")
version=$(cat packaging/VERSION)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root="$work/root"
mkdir -p "$root/DEBIAN" "$root/usr/sbin" "$root/usr/lib/hacluster" "$root/usr/lib/systemd/system" "$root/usr/lib/sysusers.d" \
  "$root/usr/lib/tmpfiles.d" "$root/usr/share/man/man8" "$root/usr/share/man/man5" "$root/usr/share/bash-completion/completions" \
  "$root/usr/share/doc/hacluster" "$root/etc/hacluster"

# (The version is given to the publish only: <Version> in Directory.Build.props trips NativeAOT's framework check.)
dotnet publish src/HaCluster.Cli -c Release -r linux-x64 -p:PublishAot=true -p:InformationalVersion="$version" -nologo -v q -o "$work/hacrm" >/dev/null
dotnet publish src/HaCluster.Daemon -c Release -r linux-x64 --self-contained -p:PublishReadyToRun=true -p:InformationalVersion="$version" -nologo -v q \
  -o "$root/usr/lib/hacluster/haclusterd" >/dev/null
install -m 0755 "$work/hacrm/hacrm" "$root/usr/sbin/hacrm"
rm -f "$root"/usr/lib/hacluster/haclusterd/*.pdb "$work"/hacrm/*.dbg
# The runtime's files are data to the loader: only the apphost and createdump are programs.
find "$root/usr/lib/hacluster" -type f -exec chmod 0644 {} +
chmod 0755 "$root/usr/lib/hacluster/haclusterd/haclusterd" "$root/usr/lib/hacluster/haclusterd/createdump"
ln -s ../lib/hacluster/haclusterd/haclusterd "$root/usr/sbin/haclusterd"
strip --strip-unneeded "$root/usr/sbin/hacrm" 2>/dev/null || true

install -m 0644 packaging/haclusterd.service "$root/usr/lib/systemd/system/haclusterd.service"
install -m 0644 packaging/sysusers.conf "$root/usr/lib/sysusers.d/hacluster.conf"
install -m 0644 packaging/tmpfiles.conf "$root/usr/lib/tmpfiles.d/hacluster.conf"
install -m 0644 packaging/hacrm.bash-completion "$root/usr/share/bash-completion/completions/hacrm"
install -D -m 0644 packaging/lintian-overrides "$root/usr/share/lintian/overrides/hacluster"

"$work/hacrm/hacrm" generate-man "$work/man" --docs docs
"$root/usr/sbin/haclusterd" --man > "$work/man/haclusterd.8"
gzip -9n -c "$work/man/hacrm.8" > "$root/usr/share/man/man8/hacrm.8.gz"
gzip -9n -c "$work/man/haclusterd.8" > "$root/usr/share/man/man8/haclusterd.8.gz"
gzip -9n -c "$work/man/cluster.yaml.5" > "$root/usr/share/man/man5/cluster.yaml.5.gz"

doc="$root/usr/share/doc/hacluster"
cp README.md docs/*.md "$doc/"
cp -r samples "$doc/samples"
{ echo "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/"; echo "Upstream-Name: hacluster"; echo;
  echo "Files: *"; echo "Copyright: 2026 HaCluster developers"; echo "License: Apache-2.0"; echo; echo "License: Apache-2.0"; echo " On Debian systems, the full text is in /usr/share/common-licenses/Apache-2.0."; } > "$doc/copyright"
{ echo "hacluster ($version) unstable; urgency=medium"; echo; echo "  * Built from $(git rev-parse --short HEAD 2>/dev/null || echo 'a source tree')."; echo;
  echo " -- HaCluster developers <hacluster@localhost>  $(date -R -u)"; } | gzip -9n > "$doc/changelog.gz"
find "$root/usr/share" -type f -exec chmod 0644 {} + ; find "$root/usr/share" -type d -exec chmod 0755 {} +

size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat > "$root/DEBIAN/control" <<CONTROL
Package: hacluster
Version: $version
Architecture: amd64
Maintainer: HaCluster developers <hacluster@localhost>
Installed-Size: $size
Depends: libc6 (>= 2.34), libgcc-s1, libstdc++6, zlib1g, libssl3, systemd | systemd-standalone-sysusers
Recommends: resource-agents, fence-agents
Suggests: pacemaker-resource-agents, pacemaker-cli-utils
Section: admin
Priority: optional
Homepage: https://github.com/hacluster/hacluster
Description: cluster resource manager (Pacemaker + Corosync class)
 haclusterd keeps services highly available on 2-32 nodes: membership over
 authenticated redundant rings, a Pacemaker-compatible policy engine, real OCF,
 LSB, systemd and fence agents, one replicated configuration edited with the
 crm-like hacrm.
CONTROL
install -m 0755 packaging/debian/postinst packaging/debian/prerm packaging/debian/postrm "$root/DEBIAN/"
(cd "$root" && find usr -type f -exec md5sum {} + > DEBIAN/md5sums)
mkdir -p "$out"
dpkg-deb --root-owner-group -Zxz --build "$root" "$out/hacluster_${version}_amd64.deb" >/dev/null
echo "$out/hacluster_${version}_amd64.deb"
