#!/usr/bin/env bash
# The vendor registry is optional (issue 13): an image without ieee-data still runs. A missing
# registry file is one warning, and MACs it would have named get vendor "unknown"; the files
# that are there still name theirs; --vendor.files= (an empty value) switches lookups off with
# no warning. The same for `check` and `analyze`. A file that is there but is no registry is
# still an error (cli_errors_test.sh).
#
# In a lab where A (Intel) and R (VMware) both hold 192.0.2.10, the exporter on M sees it
# contested (both answer its probes), and labels each claimant with its vendor.
#
# Usage: vendor_files_test.sh [EXPORTER [ARP_INJECT]]
source "$(dirname "$0")/lib.sh"
init_test "$@"
require_tools timeout

IP=192.0.2.10
A_MAC=00:1b:21:0a:00:0a  # Intel, in oui.csv
R_MAC=00:50:56:0b:ad:01  # VMware, in oui.csv
OUI=/usr/share/ieee-data/oui.csv
MISSING=$WORK/no-such-dir/oui.csv
[ -r "$OUI" ] || fail "$OUI is missing (install ieee-data: sudo ./scripts/test does)"

step "lab: owner A and rogue R (both $IP) and the monitor M on one switch"
new_switch sw 1
add_host A sw 1 "$A_MAC" "$IP/24"
add_host R sw 1 "$R_MAC" "$IP/24"
add_host M sw 1 02:00:00:00:00:fa 192.0.2.250/24
M_IF=$(ifname M)

vendor_lines() { grep -c 'vendor registry files missing' "$1" || true; }

# serve PORT EXPECTED_A_VENDOR EXPECTED_R_VENDOR FLAGS...: an exporter on M with FLAGS; makes
# $IP contested and checks both claimants' vendor labels.
serve() {
  local port=$1 a_vendor=$2 r_vendor=$3
  shift 3
  start_verifying_exporter M "$port" --collector.arp.rescan-interval 1s "$@"
  in_ns A arping -q -U -c 1 -w 1 -I "$(ifname A)" "$IP" || true
  in_ns R arping -q -U -c 1 -w 1 -I "$(ifname R)" "$IP" || true
  wait_for 15 contested_by M "$port" "$IP" "$A_MAC" "$R_MAC" ||
    fail "$IP is not contested on M (flags: $*): $(scrape M "$port" | grep -E "ip=\"$IP\"")"
  local exposition
  exposition=$(scrape M "$port")
  [ "$(sample arp_address_claim_info "interface=$M_IF" "ip=$IP" "mac=$A_MAC" "vendor=$a_vendor" <<<"$exposition")" = 1 ] ||
    fail "A's vendor is not \"$a_vendor\" (flags: $*): $(grep '^arp_address_claim_info' <<<"$exposition")"
  [ "$(sample arp_address_claim_info "interface=$M_IF" "ip=$IP" "mac=$R_MAC" "vendor=$r_vendor" <<<"$exposition")" = 1 ] ||
    fail "R's vendor is not \"$r_vendor\" (flags: $*): $(grep '^arp_address_claim_info' <<<"$exposition")"
  stop_process "$EXPORTER_PID"
  untrack "$EXPORTER_PID"
  say "flags $*: A \"$a_vendor\", R \"$r_vendor\""
}

step "control: the default files name both vendors, no warning"
serve 10711 "Intel Corporate" "VMware, Inc."
[ "$(vendor_lines "$EXPORTER_LOG")" = 0 ] || fail "a warning with every registry file there"

step "the only file missing: one warning naming it, the exporter serves, every vendor unknown"
serve 10712 unknown unknown --vendor.files "$MISSING"
[ "$(vendor_lines "$EXPORTER_LOG")" = 1 ] || fail "expected one warning: $(cat "$EXPORTER_LOG")"
grep 'vendor registry files missing' "$EXPORTER_LOG" | grep -q 'level=warn' || fail "the line is no warning"
grep 'vendor registry files missing' "$EXPORTER_LOG" | grep -qF "$MISSING" || fail "the warning does not name $MISSING"

step "one of two files missing: one warning, the file that is there still names its vendors"
serve 10713 "Intel Corporate" "VMware, Inc." --vendor.files "$MISSING" "$OUI" "$MISSING.2"
[ "$(vendor_lines "$EXPORTER_LOG")" = 1 ] || fail "expected one warning for two missing files: $(cat "$EXPORTER_LOG")"
grep 'vendor registry files missing' "$EXPORTER_LOG" | grep -qF "$MISSING.2" || fail "the warning does not name both files"

step "--vendor.files= switches lookups off: no warning, every vendor unknown"
serve 10714 unknown unknown --vendor.files= --log.level info
[ "$(vendor_lines "$EXPORTER_LOG")" = 0 ] || fail "--vendor.files= warned: $(cat "$EXPORTER_LOG")"
conf=$WORK/no-vendors.conf
printf 'vendor.files = ""\n' >"$conf"
serve 10715 unknown unknown --config.file "$conf"
[ "$(vendor_lines "$EXPORTER_LOG")" = 0 ] || fail "vendor.files = \"\" in the config file warned"

step "check: one warning on stderr, the answering MAC's vendor unknown, the verdict unchanged"
ip -n "$(nsname sw)" link set "$(portname R)" down
CHECK_RC=0
CHECK_OUT=$(in_ns M "$EXPORTER" --vendor.files "$MISSING" check "$IP" 2>&1) || CHECK_RC=$?
say "check with $MISSING: exit $CHECK_RC"
printf '%s\n' "$CHECK_OUT" | sed 's/^/  /'
[ "$CHECK_RC" = 0 ] || fail "check exited $CHECK_RC with one MAC answering"
[ "$(grep -c 'vendor registry files missing' <<<"$CHECK_OUT")" = 1 ] || fail "check: expected one warning"
grep -q "^warning: " <<<"$CHECK_OUT" || fail "check's warning is not a \"warning: \" line"
grep "$A_MAC" <<<"$CHECK_OUT" | grep -q unknown || fail "check did not name A's vendor unknown"
CHECK_RC=0
CHECK_OUT=$(in_ns M "$EXPORTER" --vendor.files= check "$IP" 2>&1) || CHECK_RC=$?
[ "$CHECK_RC" = 0 ] || fail "check with --vendor.files= exited $CHECK_RC"
! grep -q 'warning' <<<"$CHECK_OUT" || fail "check with --vendor.files= warned: $CHECK_OUT"
grep "$A_MAC" <<<"$CHECK_OUT" | grep -q unknown || fail "check with --vendor.files= named a vendor"
CHECK_RC=0
CHECK_OUT=$(in_ns M "$EXPORTER" check "$IP" 2>&1) || CHECK_RC=$?
grep "$A_MAC" <<<"$CHECK_OUT" | grep -q "Intel Corporate" || fail "control: check did not name A's vendor: $CHECK_OUT"

step "analyze: one warning, vendors unknown, the exit code still the verdict"
capture=$WORK/contested.pcap
start_tcpdump M "$M_IF" "$capture"
tcpdump_pid=$LAST_PID
ip -n "$(nsname sw)" link set "$(portname R)" up
for _ in 1 2; do
  in_ns A arping -q -U -c 1 -w 1 -I "$(ifname A)" "$IP" || true
  in_ns R arping -q -U -c 1 -w 1 -I "$(ifname R)" "$IP" || true
done
stop_tcpdump "$tcpdump_pid"
status=0
"$EXPORTER" --vendor.files "$MISSING" analyze "$capture" >"$WORK/out" 2>"$WORK/err" || status=$?
sed 's/^/  /' "$WORK/out" "$WORK/err"
[ "$status" = 1 ] || fail "analyze exited $status, expected 1 (contested)"
[ "$(vendor_lines "$WORK/err")" = 1 ] || fail "analyze: expected one warning: $(cat "$WORK/err")"
grep "$A_MAC" "$WORK/out" | grep -q unknown || fail "analyze did not name A's vendor unknown"
status=0
"$EXPORTER" --vendor.files= analyze "$capture" >"$WORK/out" 2>"$WORK/err" || status=$?
[ "$status" = 1 ] || fail "analyze with --vendor.files= exited $status"
[ ! -s "$WORK/err" ] || fail "analyze with --vendor.files= wrote to stderr: $(cat "$WORK/err")"

pass
