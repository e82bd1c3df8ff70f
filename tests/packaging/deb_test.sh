#!/usr/bin/env bash
# The Debian package as an operator meets it: cpack builds the .deb, apt installs it on a bare
# Debian 12 root (debootstrap minbase: every dependency must come from Debian's archive through
# the package's Depends), and the installed files are checked there: the binary answers
# --version, the man page and the unit are where man and systemd look, the postinst enabled
# nothing in a chroot and enables the unit where systemd runs, `systemd-analyze verify` is clean
# and `systemd-analyze security` rates the installed unit at most 2.0 (printed). Remove and purge
# leave no file of the package behind but the one conffile until purge.
#
#   deb_test.sh BUILD_DIR        (needs root: debootstrap, chroot; exits 77 without it)
#
# The bare root is debootstrapped once and kept as a tarball in BUILD_DIR/packaging/, with apt's
# downloaded packages, so a rerun unpacks it in seconds (not in CI, whose build directory is new
# every time). Nothing is mounted: apt, dpkg and
# systemd-analyze run in the chroot without /proc, /sys or /dev mounts (debootstrap makes the
# device nodes dpkg needs), so there is nothing to unmount and the cleanup is one rm -rf.
set -euo pipefail

build_dir=$(cd "${1:?usage: deb_test.sh BUILD_DIR}" && pwd)
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root (debootstrap, chroot)"; exit 77; }
for tool in debootstrap cpack dpkg-deb dpkg-shlibdeps; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool is missing (scripts/packages, group test)"; exit 1; }
done

suite=bookworm
unit=arp_health_exporter.service
cache=$build_dir/packaging
mkdir -p "$cache/archives"
root=$(mktemp -d "$cache/root.XXXXXX")

fail() { echo "FAIL: $*" >&2; exit 1; }
step() { printf '==> [%3ds] %s\n' "$SECONDS" "$*"; }

# Never rm -rf through a mount: refuse if anything is mounted below the root (nothing should be).
cleanup() {
  local status=$?
  if awk -v r="$root" 'index($5, r "/") == 1 || $5 == r { found = 1 } END { exit !found }' /proc/self/mountinfo; then
    umount -R -l "$root" 2>/dev/null || true
  fi
  if awk -v r="$root" 'index($5, r "/") == 1 || $5 == r { found = 1 } END { exit !found }' /proc/self/mountinfo; then
    echo "error: mounts remain under $root; left it in place" >&2
  else
    rm -rf "$root"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

in_root() {
  chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"
}

# Debian's archive as this machine's apt reaches it (the same rule as .ci/run).
mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null | grep -v '^[[:space:]]*#' |
  grep -oE 'https?://[^ ]+/debian/?( |$)' | head -1 | tr -d ' ' || true)
mirror=${mirror:-http://deb.debian.org/debian}
mirror=${mirror%/}
security=${mirror%/debian}/debian-security

step "cpack"
(cd "$build_dir" && cpack -G DEB >"$cache/cpack.log" 2>&1) || { cat "$cache/cpack.log" >&2; fail "cpack failed"; }
deb=$(ls -t "$build_dir"/arp-health-exporter_*.deb | head -1)
[ -f "$deb" ] || fail "cpack wrote no arp-health-exporter_*.deb"
echo "$(basename "$deb"): $(dpkg-deb -f "$deb" Depends)"
dpkg-deb -f "$deb" Depends | grep -qw ieee-data || fail "ieee-data is not in Depends"
dpkg-deb -f "$deb" Depends | grep -qw libpcap0.8 || fail "dpkg-shlibdeps found no libpcap0.8"

tarball=$cache/$suite-minbase.tar
if [ ! -f "$tarball" ]; then
  step "debootstrap --variant=minbase $suite from $mirror (once per build directory)"
  if ! debootstrap --variant=minbase "$suite" "$root" "$mirror" >"$cache/debootstrap.log" 2>&1; then
    tail -30 "$cache/debootstrap.log" >&2
    fail "debootstrap failed"
  fi
  cat >"$root/etc/apt/sources.list" <<EOF
deb $mirror $suite main
deb $mirror $suite-updates main
deb $security $suite-security main
EOF
  in_root apt-get clean
  # CI's build directory is new every run: a tarball there would only cost time.
  if [ "${CI:-}" != true ]; then tar -C "$root" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"; fi
else
  step "unpacking the cached bare root"
  tar -C "$root" -xf "$tarball"
fi
cp -L /etc/resolv.conf "$root/etc/resolv.conf"
# What apt downloaded in earlier runs, so that only new versions come from the network.
cp "$cache/archives/"*.deb "$root/var/cache/apt/archives/" 2>/dev/null || true
keep_downloads() { cp "$root/var/cache/apt/archives/"*.deb "$cache/archives/" 2>/dev/null || true; }

step "apt-get install ./$(basename "$deb") on the bare root"
cp "$deb" "$root/tmp/"
in_root apt-get update -qq >"$cache/apt.log" 2>&1 || { cat "$cache/apt.log" >&2; fail "apt-get update failed"; }
if ! in_root apt-get install -y -q --no-install-recommends "/tmp/$(basename "$deb")" >>"$cache/apt.log" 2>&1; then
  tail -40 "$cache/apt.log" >&2
  fail "apt-get install of the package failed"
fi
keep_downloads

step "installed files"
version=$(in_root /usr/bin/arp_health_exporter --version) || fail "the installed binary does not run"
echo "$version"
[ "$version" = "arp_health_exporter $(dpkg-deb -f "$deb" Version)" ] || fail "--version says '$version'"
for file in /usr/share/man/man1/arp_health_exporter.1.gz /lib/systemd/system/$unit \
  /etc/default/arp_health_exporter /usr/share/doc/arp-health-exporter/copyright \
  /usr/share/doc/arp-health-exporter/changelog.gz \
  /usr/share/doc/arp-health-exporter/README.md /usr/share/doc/arp-health-exporter/metrics.md \
  /usr/share/doc/arp-health-exporter/examples/arp_health_exporter.conf.example \
  /usr/share/doc/arp-health-exporter/examples/web-config.yml.example; do
  [ -f "$root$file" ] || fail "$file is not installed"
done
gzip -t "$root/usr/share/man/man1/arp_health_exporter.1.gz" || fail "the man page is no gzip file"
in_root dpkg-query -W -f='${Conffiles}\n' arp-health-exporter | grep -q '/etc/default/arp_health_exporter' ||
  fail "/etc/default/arp_health_exporter is not a conffile"
# The default file must leave every flag at its default: the unit passes $ARGS unquoted.
# shellcheck disable=SC1091
(source "$root/etc/default/arp_health_exporter" && [ -z "$ARGS" ]) || fail "/etc/default sets ARGS"
# The example config is valid for the binary that ships it (serving is not started: --help).
in_root /usr/bin/arp_health_exporter \
  --config.file=/usr/share/doc/arp-health-exporter/examples/arp_health_exporter.conf.example --help >/dev/null ||
  fail "the installed example config is rejected"

step "postinst in a chroot: nothing enabled, nothing started"
wants=/etc/systemd/system/multi-user.target.wants/$unit
[ ! -e "$root$wants" ] && [ ! -L "$root$wants" ] || fail "postinst enabled the unit without systemd running"

step "where systemd runs: the postinst enables the unit"
# /run/systemd/system is how maintainer scripts tell that systemd is PID 1. systemctl and
# deb-systemd-invoke fail here (nothing listens), which the scripts must survive.
mkdir -p "$root/run/systemd/system"
in_root dpkg-reconfigure arp-health-exporter >>"$cache/apt.log" 2>&1 || fail "postinst failed where systemd runs"
[ -L "$root$wants" ] || fail "postinst did not enable the unit where systemd runs"
rm -rf "$root/run/systemd"

step "systemd-analyze verify and security on the installed unit"
# The root's own systemd 252 (and man-db, for the man: link of Documentation=); installed after
# the package so that the install above ran on the bare root.
if ! in_root apt-get install -y -q --no-install-recommends systemd man-db >>"$cache/apt.log" 2>&1; then
  tail -40 "$cache/apt.log" >&2
  fail "apt-get install systemd man-db failed"
fi
keep_downloads
if ! in_root systemd-analyze verify "/lib/systemd/system/$unit" >"$cache/verify.log" 2>&1 || [ -s "$cache/verify.log" ]; then
  cat "$cache/verify.log" >&2
  fail "systemd-analyze verify is not clean"
fi
in_root systemd-analyze security --offline=true "/lib/systemd/system/$unit" >"$cache/security.log" 2>&1 || true
exposure=$(sed -nE 's/.*Overall exposure level for [^:]*: ([0-9.]+).*/\1/p' "$cache/security.log")
[ -n "$exposure" ] || { cat "$cache/security.log" >&2; fail "systemd-analyze security printed no exposure"; }
echo "exposure of the installed $unit: $exposure (at most 2.0)"
awk -v e="$exposure" 'BEGIN { exit !(e <= 2.0) }' || {
  grep '✗' "$cache/security.log" >&2
  fail "exposure $exposure is above 2.0"
}

step "remove keeps the conffile, purge removes everything"
in_root apt-get remove -y -q arp-health-exporter >>"$cache/apt.log" 2>&1 || fail "apt-get remove failed"
[ ! -e "$root/usr/bin/arp_health_exporter" ] || fail "remove left the binary"
[ -f "$root/etc/default/arp_health_exporter" ] || fail "remove took the conffile"
in_root apt-get purge -y -q arp-health-exporter >>"$cache/apt.log" 2>&1 || fail "apt-get purge failed"
for file in /etc/default/arp_health_exporter "$wants" "/etc/systemd/system/$unit"; do
  [ ! -e "$root$file" ] && [ ! -L "$root$file" ] || fail "purge left $file"
done

step "PASS"
