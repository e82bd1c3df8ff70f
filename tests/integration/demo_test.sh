#!/usr/bin/env bash
# scripts/demo, as a newcomer runs it: it builds the incident lab, prints the conflict from the
# monitor's and the victim's /metrics, and Ctrl-C removes every namespace it made.
#
# Usage: demo_test.sh [EXPORTER [ARP_INJECT]]
source "$(dirname "$0")/lib.sh"
init_test "$@"

OUTPUT=$WORK/demo.out
: >"$OUTPUT"
# The demo finds the exporter in its build directory, build/exporter/arp_health_exporter.
# Job control on while it starts: a background job of a script otherwise ignores SIGINT, and a
# signal ignored at start cannot be trapped, so Ctrl-C could not be tested.
set -m
BUILD_DIR=$(cd "$(dirname "$EXPORTER")/.." && pwd) DEMO_INTERVAL=1 \
  "$REPO_ROOT/scripts/demo" >"$OUTPUT" 2>&1 </dev/null &
DEMO_PID=$!
set +m
track "$DEMO_PID"
DEMO_PFX=a$DEMO_PID

shows_conflict() {
  grep -q "^  arp_address_claim_info{.*ip=\"$INCIDENT_IP\".*mac=\"$INCIDENT_R_MAC\"" "$OUTPUT" &&
    grep -q "^  arp_address_claim_info{.*ip=\"$INCIDENT_IP\".*mac=\"$INCIDENT_A_MAC\"" "$OUTPUT" &&
    grep -q "^  arp_own_address_claim_info{.*mac=\"$INCIDENT_R_MAC\"" "$OUTPUT"
}
demo_namespaces() { ip netns list | awk -v p="$DEMO_PFX" 'index($1, p "-") == 1 || index($1, p "x") == 1'; }

step "the demo catches the conflict"
wait_for 60 shows_conflict || { cat "$OUTPUT"; fail "the demo never printed both claimants and A's own-address claim"; }
[ -n "$(demo_namespaces)" ] || fail "the demo's namespaces ($DEMO_PFX-*) are not where expected"
grep -E "^  arp_(address_claim_info|own_address_claim_info)" "$OUTPUT" | sort -u | sed 's/^/  /'

step "Ctrl-C ends it and removes its lab"
kill -INT "$DEMO_PID"
wait_for 15 process_gone "$DEMO_PID" || fail "the demo did not stop within 15 s of SIGINT"
status=0
wait "$DEMO_PID" || status=$?
untrack "$DEMO_PID"
[ "$status" -eq 0 ] || fail "the demo exited with $status after SIGINT"
leftovers=$(demo_namespaces)
[ -z "$leftovers" ] || fail "the demo left namespaces behind: $leftovers"
say "stopped with exit 0, no namespace left"

say "PASS"
