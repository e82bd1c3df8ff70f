#!/usr/bin/env bash
# IPv6 look-alike (issue 12): a keepalived-style failover of a virtual IPv6 address. Routers R1
# and R2 (their own MACs, no virtual MAC) take turns holding a VIP: the new master adds the
# address (nodad, as keepalived does) and announces it with unsolicited override Neighbor
# Advertisements; the old master has removed it and no longer answers. On the wire that is two
# MACs claiming one address in turn, like a conflict; the difference is that only one of them
# answers when asked. A monitoring host M (IPv6 only) verifies, and must never page:
# VIP1 fails over R1 -> R2 -> R1 -> R2, each transition after the previous round (10 s,
# --collector.arp.probe.address-interval): every change is asked about and answered by the new
# master alone. R1 -> R2 is a move; the return to R1 is one flap (the warning
# ArpAddressFlappedOnce, as docs/metrics.md defines it); R2 again is a move. (Failovers faster
# than that interval: ipv6_quick_failover_test.sh.)
# The VIP is never contested, and nothing that pages exists on M (arp_address_claimants,
# arp_own_address_claim_info, arp_own_address_dad_failed). Each step prints how long it took.
#
# Usage: ipv6_lookalikes_failover_test.sh [EXPORTER [ARP_INJECT [ND_INJECT]]]
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/nd_lib.sh"
init_nd_test "$@"

PORT=10792
VIP1=2001:db8::1
R1_MAC=00:1b:21:0b:00:01  # Intel
R2_MAC=00:1b:21:0b:00:02  # Intel
# The planner's spacing of two rounds for one address (the default).
ADDRESS_INTERVAL_MS=10000

timed_step "lab: M, routers R1 and R2 on one link; R1 is master for $VIP1"
failover_lab "$PORT"
M_IF=$(ifname M)

m1() { metric M "$PORT" "$@" "interface=$M_IF"; }
rounds() { m1 arp_verification_rounds_total "outcome=$1"; }
never_paged() { no_page M "$PORT" || fail "$1 pages: $(paging_series M "$PORT")"; }
# calm_until_asked_again WHAT: nothing pages on any poll until the address interval since the
# latest change (and so since its round) has passed.
calm_until_asked_again() {
  while [ $(($(now_ms) - vip1_changed_ms)) -le $ADDRESS_INTERVAL_MS ]; do
    never_paged "$1"
    sleep 0.1
  done
}

vip_take_over R1 "$R1_MAC" "$VIP1"
wait_for 10 metric_at_least M "$PORT" 1 arp_addresses_tracked "interface=$M_IF" ||
  fail "M does not track the VIP: $(m1 arp_addresses_tracked)"
several_before=$(rounds several_macs)

timed_step "$VIP1: R1 -> R2, asked and answered by R2 alone: a move"
one_mac_before=$(rounds one_mac)
vip_take_over R2 "$R2_MAC" "$VIP1"
vip1_changed_ms=$(now_ms)
wait_for 10 metric_at_least M "$PORT" $((one_mac_before + 1)) arp_verification_rounds_total "interface=$M_IF" outcome=one_mac ||
  fail "no round answered by one MAC after $VIP1 moved to R2"
wait_for 5 metric_equals M "$PORT" 1 arp_addresses_moved "interface=$M_IF" ||
  fail "$VIP1 on R2 is not a move: arp_addresses_moved $(m1 arp_addresses_moved)"
never_paged "$VIP1's failover to R2"

timed_step "$VIP1: R2 -> R1 after M may ask again: R1 alone answers, one flap (a warning)"
calm_until_asked_again "$VIP1 on R2"
one_mac_before=$(rounds one_mac)
vip_take_over R1 "$R1_MAC" "$VIP1"
vip1_changed_ms=$(now_ms)
wait_for 10 metric_at_least M "$PORT" $((one_mac_before + 1)) arp_verification_rounds_total "interface=$M_IF" outcome=one_mac ||
  fail "no round answered by one MAC after $VIP1 went back to R1"
wait_for 5 metric_equals M "$PORT" 1 arp_address_flapped_info "interface=$M_IF" vlan= "ip=$VIP1" ||
  fail "$VIP1 back on R1 is not flapped: $(scrape M "$PORT" | grep "ip=\"$VIP1\"")"
never_paged "$VIP1's return to R1"

timed_step "$VIP1: R1 -> R2 once more: asked, R2 alone answers: moved, not contested"
calm_until_asked_again "$VIP1 back on R1"
one_mac_before=$(rounds one_mac)
vip_take_over R2 "$R2_MAC" "$VIP1"
wait_for 10 metric_at_least M "$PORT" $((one_mac_before + 1)) arp_verification_rounds_total "interface=$M_IF" outcome=one_mac ||
  fail "no round answered by one MAC after $VIP1 moved to R2 again"
wait_for 5 no_series M "$PORT" arp_address_flapped_info "ip=$VIP1" ||
  fail "$VIP1, asked and answered by R2 alone, stays flapped"
holds_for 3 no_page M "$PORT" || fail "$VIP1's second failover to R2 pages: $(paging_series M "$PORT")"
[ "$(rounds several_macs)" = "$several_before" ] || fail "a round heard both routers: R1 dropped the VIP first"
exposition=$(scrape M "$PORT")
grep -E '^arp_(address_(moves|flaps)_total|addresses_(moved|flapped|contested)|address_flapped_info|verification_rounds_total)' <<<"$exposition" |
  sed 's/^/  M: /'
timed_end

pass
