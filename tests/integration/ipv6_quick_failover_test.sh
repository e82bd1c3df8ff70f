#!/usr/bin/env bash
# IPv6 look-alike (issue 12): a keepalived-style pair fails a virtual IPv6 address over
# R1 -> R2 -> R1 -> R2, two seconds apart (a pair whose adverts are lost now and then), faster
# than the exporter may ask about one address again (--collector.arp.probe.address-interval,
# 10 s). One holder at a time, the old one no longer answers: never a conflict. The first change
# is asked about at once and answered by R2 alone (moved); the next two are asked about once the
# interval has passed, and R2, the holder, answers alone: moved. Meanwhile the passive evidence
# (two MACs each returning) must not make it contested: it used to, for ~24 s (until the 30 s
# recheck), which paged (ArpDuplicateIPAddress, for: 15s). Nothing that pages may exist on M on
# any poll. The look-alike of this look-alike, a claimant that alternates and ignores probes,
# stays contested: tests/unit/claim_tracker_test.cpp.
#
# Usage: ipv6_quick_failover_test.sh [EXPORTER [ARP_INJECT [ND_INJECT]]]
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/nd_lib.sh"
init_nd_test "$@"

PORT=10793
VIP=2001:db8::2
R1_MAC=00:1b:21:0b:00:01  # Intel
R2_MAC=00:1b:21:0b:00:02  # Intel

timed_step "lab: M, routers R1 and R2 on one link; R1 is master for $VIP"
failover_lab "$PORT"
M_IF=$(ifname M)
vip_take_over R1 "$R1_MAC" "$VIP"
wait_for 10 metric_at_least M "$PORT" 1 arp_addresses_tracked "interface=$M_IF" ||
  fail "M does not track the VIP"

timed_step "$VIP: R1 -> R2 -> R1 -> R2, two seconds apart"
declare -A MAC_OF=([R1]=$R1_MAC [R2]=$R2_MAC)
for router in R2 R1 R2; do
  vip_take_over "$router" "${MAC_OF[$router]}" "$VIP"
  holds_for 2 no_page M "$PORT" || fail "$VIP's failover to $router pages: $(paging_series M "$PORT")"
done
# Through the postponed round (10 s after the first) and past the alert's 15 s.
holds_for 17 no_page M "$PORT" || fail "$VIP's quick failovers page: $(paging_series M "$PORT")"
exposition=$(scrape M "$PORT")
one_mac=$(sample_sum arp_verification_rounds_total "interface=$M_IF" outcome=one_mac <<<"$exposition")
[ "$one_mac" = 2 ] || fail "expected two rounds answered by one MAC (R2's, at once and after the interval), got $one_mac"
[ "$(sample_sum arp_verification_rounds_total "interface=$M_IF" outcome=several_macs <<<"$exposition")" = 0 ] ||
  fail "a round heard both routers: R1 dropped the VIP first"
[ "$(sample_sum arp_addresses_moved "interface=$M_IF" <<<"$exposition")" = 1 ] ||
  fail "$VIP, answered by its holder R2 alone, is not moved: $(grep -E '^arp_addresses_' <<<"$exposition")"
[ "$(sample_count arp_address_flapped_info "ip=$VIP" <<<"$exposition")" = 0 ] || fail "$VIP stays flapped"
! grep -q 'msg="address contested"' "$EXPORTER_LOG" || fail "the exporter logged \"address contested\" for a failover"
grep -E '^arp_(address_(moves|flaps)_total|addresses_(moved|flapped)|verification_(rounds_total|probes_suppressed_total))' <<<"$exposition" |
  sed 's/^/  M: /'
say "three quick failovers: moved, one-MAC rounds $one_mac, never contested"
timed_end

pass
