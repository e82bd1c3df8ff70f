#!/usr/bin/env bash
# The exposition passes `promtool check metrics` (Prometheus' own linter: names, units, HELP,
# TYPE, counter suffixes, duplicate series): on an idle exporter, on the monitor during the
# incident (per-IP series, vendor labels with spaces and commas) and on the victim's host (its
# own address claimed).
#
# Usage: promtool_check_test.sh [EXPORTER [ARP_INJECT]]
source "$(dirname "$0")/lib.sh"
init_test "$@"
require_tools promtool

PORT=10711

# lint NAME HOST: promtool on HOST's exposition, saved as NAME.prom; fails the test on a finding.
lint() {
  local name=$1 host=$2 status=0
  scrape "$host" "$PORT" >"$WORK/$name.prom" || fail "cannot scrape $host"
  promtool check metrics <"$WORK/$name.prom" >"$WORK/$name.lint" 2>&1 || status=$?
  say "$name: $(grep -vc '^#' "$WORK/$name.prom") samples in $(grep -c '^# TYPE' "$WORK/$name.prom") families; promtool exit $status"
  if [ "$status" -ne 0 ] || [ -s "$WORK/$name.lint" ]; then
    sed 's/^/  promtool: /' "$WORK/$name.lint"
    fail "promtool check metrics found problems in the $name exposition"
  fi
}

step "an idle exporter"
incident_lab
start_exporter M "$PORT" --collector.arp.rescan-interval 1s
start_exporter A "$PORT" --collector.arp.rescan-interval 1s
wait_for 10 metric_equals M "$PORT" 1 arp_capture_up "interface=$(ifname M)" || fail "no capture on M"
lint idle M

step "the incident: the monitor and A's own exporter"
incident_traffic_start
rogue_on
wait_for 15 incident_visible M "$PORT" || fail "M's exporter never showed the incident"
wait_for 10 metric_equals A "$PORT" 1 arp_own_address_claim_info "ip=$INCIDENT_IP" "mac=$INCIDENT_R_MAC" ||
  fail "A's exporter never showed R claiming its address"
lint incident-monitor M
grep -E '^arp_address_(claimants|claim_info)' "$WORK/incident-monitor.prom" | sed 's/^/  /'
lint incident-victim A
grep '^arp_own_address_claim_info' "$WORK/incident-victim.prom" | sed 's/^/  /'

say "PASS"
