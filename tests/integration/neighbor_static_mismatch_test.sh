#!/usr/bin/env bash
# A static neighbour entry that rotted: H pinned 192.0.2.10 to the MAC of server A's old NIC
# (`ip neigh add ... nud permanent`), that NIC is gone, and now another machine R answers for
# 192.0.2.10 on the wire. H's exporter must show
#   arp_static_entry_mismatch_info{interface,ip="192.0.2.10",static_mac=OLD,observed_mac=R,
#                                  observed_vendor="VMware, Inc."} 1
# while a static entry that still matches the MAC on the wire (P's) shows nothing.
#
# Usage: neighbor_static_mismatch_test.sh [EXPORTER]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
init_test "$@"

PORT=10711
STATIC_IP=192.0.2.10
OLD_MAC=00:1b:21:0a:00:0a       # Intel: A's NIC when the static entry was written; gone now
NEW_MAC=00:50:56:0b:ad:01       # VMware: the machine that holds 192.0.2.10 today
NEW_VENDOR="VMware, Inc."
PEER_IP=192.0.2.20
PEER_MAC=02:00:00:00:05:20

H1=$(ifname H)
H_NS=$(nsname H)

step "lab: H with static entries for $STATIC_IP ($OLD_MAC, no such NIC) and $PEER_IP (P, correct)"
new_switch sw 1
add_host H sw 1 02:00:00:00:05:01 192.0.2.1/24
add_host P sw 1 "$PEER_MAC" "$PEER_IP/24"
add_host R sw 1 "$NEW_MAC" "$STATIC_IP/24"
ip -n "$(nsname sw)" link set "$(portname R)" down  # R is switched off for now
ip -n "$H_NS" neigh add "$STATIC_IP" lladdr "$OLD_MAC" nud permanent dev "$H1"
ip -n "$H_NS" neigh add "$PEER_IP" lladdr "$PEER_MAC" nud permanent dev "$H1"
start_exporter H "$PORT" --collector.arp.rescan-interval 1s
wait_for 10 metric_equals H "$PORT" 1 arp_capture_up "interface=$H1" ||
  fail "H's exporter never started capturing on $H1"

step "P, whose static entry is right, talks: no mismatch"
p_tracked() {
  ping_once P 192.0.2.1
  metric_at_least H "$PORT" 1 arp_addresses_tracked "interface=$H1"
}
wait_for 10 p_tracked || fail "H's exporter never saw P's ARP traffic"
holds_for 1 no_series H "$PORT" arp_static_entry_mismatch_info ||
  fail "a mismatch is reported while the only claimant matches its static entry: $(scrape H "$PORT" | grep '^arp_static_entry_mismatch_info')"

step "R, holding $STATIC_IP with $NEW_MAC, is switched on and talks to H"
ip -n "$(nsname sw)" link set "$(portname R)" up
mismatch_shown() {
  ping_once R 192.0.2.1  # an ARP request: sender $STATIC_IP at $NEW_MAC, a claim
  metric_equals H "$PORT" 1 arp_static_entry_mismatch_info "interface=$H1" "ip=$STATIC_IP" \
    "static_mac=$OLD_MAC" "observed_mac=$NEW_MAC" "observed_vendor=$NEW_VENDOR"
}
wait_for 15 mismatch_shown ||
  fail "no arp_static_entry_mismatch_info for $STATIC_IP: $(scrape H "$PORT" | grep -E '^arp_(static|address_claim)' || true)"
exposition=$(scrape H "$PORT")
grep '^arp_static_entry_mismatch_info' <<<"$exposition" | sed 's/^/  H: /'
[ "$(sample_count arp_static_entry_mismatch_info <<<"$exposition")" -eq 1 ] ||
  fail "expected one mismatch series, got $(sample_count arp_static_entry_mismatch_info <<<"$exposition")"
[ "$(sample_count arp_static_entry_mismatch_info "ip=$PEER_IP" <<<"$exposition")" -eq 0 ] ||
  fail "P's correct static entry is reported as a mismatch"
# The kernel never overrides a permanent entry: H still sends 192.0.2.10's traffic to the old NIC.
ip -n "$H_NS" neigh show "$STATIC_IP" | sed 's/^/  H: ip neigh: /'
[ "$(neigh_mac H "$STATIC_IP")" = "$OLD_MAC" ] || fail "H's static entry changed under the test"

say "PASS"
