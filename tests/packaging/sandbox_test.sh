#!/usr/bin/env bash
# The systemd unit's sandbox fits what the exporter does. systemd is not PID 1 here (nor in CI's
# chroot), so the unit cannot be started; instead the exporter runs in a lab namespace the way
# the unit runs it (an unprivileged user, CAP_NET_RAW its only capability, ambient, no new
# privileges) under strace while it captures, probes, reads the neighbour table and serves every
# page, and the trace is checked against the unit's settings:
# - every system call made is allowed by the unit's SystemCallFilter= (as this systemd expands
#   the groups): one outside would fail with EPERM under the unit;
# - every socket is of a family RestrictAddressFamilies= allows;
# - no mapping is writable and executable at once (MemoryDenyWriteExecute=);
# - no file is opened for writing (ProtectSystem=strict, PrivateTmp=: the unit's file system is
#   read-only), and, if the unit says ProcSubset=pid, nothing in /proc outside its own process;
# and the exporter did its job in there: frames counted, the probe for its own address sent.
# Also the unit file itself: `systemd-analyze verify` has nothing to say but for the binary that
# is not installed here, and `systemd-analyze security --offline` rates it at most 2.0.
#
# Usage: sandbox_test.sh [EXPORTER]
set -euo pipefail
source "$(dirname "$0")/../integration/lib.sh"
init_test "$@"
require_tools strace systemd-analyze setpriv

UNIT=${UNIT:-$REPO_ROOT/deploy/systemd/arp_health_exporter.service}

step "the unit file: systemd-analyze security --offline and verify"
systemd-analyze security --offline=true "$UNIT" >"$WORK/security.log" 2>&1 || true
exposure=$(sed -nE 's/.*Overall exposure level for [^:]*: ([0-9.]+).*/\1/p' "$WORK/security.log")
[ -n "$exposure" ] || { cat "$WORK/security.log" >&2; fail "systemd-analyze security printed no exposure"; }
say "exposure of deploy/systemd/$(basename "$UNIT"): $exposure (at most 2.0)"
awk -v e="$exposure" 'BEGIN { exit !(e <= 2.0) }' || { grep '✗' "$WORK/security.log" >&2; fail "exposure $exposure is above 2.0"; }
# The binary and the man page are not installed on this machine (deb_test.sh verifies the
# installed unit with both); anything else verify says is a fault of the unit.
systemd-analyze verify "$UNIT" >"$WORK/verify.log" 2>&1 || true
if grep -v -e 'Command /usr/bin/arp_health_exporter is not executable' \
  -e "Command 'man arp_health_exporter(1)' failed" "$WORK/verify.log" | grep -q .; then
  cat "$WORK/verify.log" >&2
  fail "systemd-analyze verify complains about the unit"
fi

# The unit's value of a setting, all its lines joined (a later "~" line subtracts).
unit_values() { sed -nE "s/^$1=//p" "$UNIT"; }

# expand_syscalls NAME...: the system calls that @groups and names stand for, one a line.
expand_syscalls() {
  local name
  for name in "$@"; do
    case "$name" in
    @*)
      systemd-analyze syscall-filter "$name" | sed -E 's/^ +//; /^#/d; /^$/d' | tail -n +2 |
        while read -r member; do expand_syscalls "$member"; done
      ;;
    *) printf '%s\n' "$name" ;;
    esac
  done
}

step "the syscalls the unit allows"
allowed=() denied=()
while read -r line; do
  # shellcheck disable=SC2086 # the value is a list
  case "$line" in
  '~'*) mapfile -t -O "${#denied[@]}" denied < <(expand_syscalls ${line#\~}) ;;
  *) mapfile -t -O "${#allowed[@]}" allowed < <(expand_syscalls $line) ;;
  esac
done < <(unit_values SystemCallFilter)
printf '%s\n' "${allowed[@]}" | sort -u >"$WORK/allowed.all"
printf '%s\n' "${denied[@]}" | sort -u >"$WORK/denied"
comm -23 "$WORK/allowed.all" "$WORK/denied" >"$WORK/allowed"
say "$(wc -l <"$WORK/allowed") system calls allowed ($(wc -l <"$WORK/denied") taken out of the allow list)"
[ -s "$WORK/allowed" ] || fail "no system calls found in the unit's SystemCallFilter="

step "lab: the exporter's host X and a neighbour R on one switch"
new_switch SW lan
add_host X SW lan 02:00:00:00:10:01 192.0.2.10/24
add_host R SW lan 02:00:00:00:10:02 192.0.2.20/24

# With --web.config.file (TLS and basic auth) when the binary has it: the handshakes, bcrypt
# and the re-reading of the file are part of what the sandbox must allow.
web_args=()
help=$("$EXPORTER" --help)
has_web_config() { grep -q -- '--web.config.file' <<<"$help"; }
if has_web_config && [ -f "$IT_DIR/web_pki.sh" ]; then
  source "$IT_DIR/web_pki.sh"
  require_tools openssl
  pki=$WORK/pki
  mkdir -p "$pki"
  make_ca "$pki" ca
  make_cert "$pki" server ca "IP:127.0.0.1"
  cat >"$pki/web.yml" <<YAML
tls_server_config:
  cert_file: server.crt
  key_file: server.key
basic_auth_users:
  prometheus: $WEB_PROMETHEUS_HASH
YAML
  # The unit's dynamic user reads the key through a group or a credential (see the unit file);
  # here nobody reads it because it is world-readable.
  chmod 0644 "$pki"/*
  web_args=(--web.config.file "$pki/web.yml")
  EXPORTER_SCHEME=https
  EXPORTER_CURL=(--cacert "$pki/ca.crt" -u "prometheus:$WEB_PROMETHEUS_PASSWORD")
fi

step "the exporter as the unit runs it: nobody, CAP_NET_RAW only, no new privileges, under strace${web_args[*]:+, TLS and basic auth}"
log=$WORK/exporter.log
trace=$WORK/strace.log
EXPORTER_LOGS+=("$log")
chmod 1777 "$WORK"  # strace, as nobody, writes its log there
# A copy nobody may run, as /usr/bin's would be: the build tree may sit where only root can
# look (CI builds in /root).
install -D -m 0755 "$EXPORTER" "$WORK/bin/arp_health_exporter"
chmod 0755 "$WORK/bin"
# strace runs with the same user and capabilities, so the trace is the exporter's own (from
# its execve on); no setuid or capset of the launcher is in it.
in_ns X setpriv --reuid=65534 --regid=65534 --clear-groups --no-new-privs \
  --inh-caps=-all,+net_raw --ambient-caps=-all,+net_raw --bounding-set=-all,+net_raw \
  strace -f -qq -o "$trace" "$WORK/bin/arp_health_exporter" --web.listen-address 127.0.0.1:10790 \
  --collector.arp.probe.own-interval=1s "${web_args[@]}" </dev/null >"$log.stdout" 2>"$log" &
pid=$!
track "$pid"
wait_for 30 exporter_answers X 10790 "$pid" "$log" || fail "the sandboxed exporter did not serve /metrics"

step "it works in there: captures R's ARP, probes its own address, serves every page"
wait_for 20 sh -c "ip netns exec $(nsname R) ping -c 1 -W 1 -q 192.0.2.10 >/dev/null 2>&1" ||
  fail "R cannot reach X"
frames_seen() { [ "$(metric X 10790 arp_frames_total)" -ge 1 ] 2>/dev/null; }
wait_for 20 frames_seen || fail "no ARP frame counted: $(scrape X 10790 | grep -E '^arp_(frames|capture)' | head)"
probes_sent() { [ "$(metric X 10790 arp_verification_probes_sent_total)" -ge 1 ] 2>/dev/null; }
wait_for 20 probes_sent || fail "no probe sent: $(scrape X 10790 | grep -E "^arp_verification" | head)"
scrape X 10790 / >/dev/null || fail "the status page failed"
# Whole scrapes first: grep -q stops reading early, which a pipe from curl would call a failure.
exposition=$(scrape X 10790 /metrics) || fail "/metrics failed"
grep -q '^arp_neighbor' <<<"$exposition" || fail "no neighbour series: netlink failed in the sandbox"
if has_web_config; then
  for path in /-/healthy /-/ready; do scrape X 10790 "$path" >/dev/null || fail "$path failed in the sandbox"; done
  exposition=$(in_ns X curl -fsS --max-time 5 --compressed "${EXPORTER_CURL[@]}" \
    "$EXPORTER_SCHEME://127.0.0.1:10790/metrics") || fail "a gzip'ed scrape failed"
  grep -q '^process_start_time_seconds' <<<"$exposition" || fail "no process_start_time_seconds in the sandbox"
fi
stop_process "$pid" TERM
untrack "$pid"
grep -q 'level=error' "$log" && fail "errors in the sandbox: $(grep 'level=error' "$log")"

step "the trace against the unit's settings"
[ -s "$trace" ] || fail "strace wrote nothing"
sed -nE 's/^[0-9]+ +([a-z0-9_]+)\(.*/\1/p; s/^[0-9]+ +<\.\.\. ([a-z0-9_]+) resumed>.*/\1/p' "$trace" |
  sort -u >"$WORK/used"
say "$(wc -l <"$WORK/used") distinct system calls: $(tr '\n' ' ' <"$WORK/used")"
outside=$(comm -23 "$WORK/used" "$WORK/allowed" | tr '\n' ' ')
[ -z "$outside" ] || fail "system calls outside the unit's SystemCallFilter=: $outside"

families=$(sed -nE 's/^[0-9]+ +socket\((AF_[A-Z0-9]+),.*/\1/p' "$trace" | sort -u | tr '\n' ' ')
say "socket families: $families"
allowed_families=" $(unit_values RestrictAddressFamilies | tr '\n' ' ') "
for family in $families; do
  [[ $allowed_families == *" $family "* ]] || fail "a socket of family $family, which RestrictAddressFamilies= forbids"
done

! grep -E '^[0-9]+ +(mmap|mprotect|pkey_mprotect)\(.*PROT_WRITE\|PROT_EXEC|PROT_EXEC\|PROT_WRITE' "$trace" ||
  fail "a mapping both writable and executable (MemoryDenyWriteExecute=)"

writes=$(grep -E '^[0-9]+ +(open|openat|creat)\(.*(O_WRONLY|O_RDWR|O_CREAT)' "$trace" | grep -v '"/dev/null"' || true)
[ -z "$writes" ] || fail "files opened for writing on the unit's read-only file system: $writes"

proc_files=$(grep -oE '"/proc/[^"]*"' "$trace" | sort -u | tr '\n' ' ' || true)
say "/proc files opened: ${proc_files:-none}"
if [ "$(unit_values ProcSubset)" = pid ]; then
  for file in $proc_files; do
    [[ $file =~ ^\"/proc/(self|thread-self|[0-9]+)(/|\"$) ]] ||
      fail "$file is outside the exporter's own /proc/<pid>, which ProcSubset=pid hides"
  done
fi

pass
