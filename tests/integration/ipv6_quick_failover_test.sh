#!/usr/bin/env bash
# KNOWN FALSE PAGE, not registered in CMakeLists.txt: it fails today (see the report on branch
# ndlook). A keepalived-style pair fails a virtual IPv6 address over R1 -> R2 -> R1 -> R2, two
# seconds apart (a pair whose adverts are lost now and then), faster than the exporter may ask
# about one address again (--collector.arp.probe.address-interval, 10 s). One holder at a time,
# the old one no longer answers: never a conflict. Today the first change is asked about and
# answered by R2 alone (moved), the next two are not asked about (the round is dropped, not
# postponed), and the passive rule (two MACs each returning) makes the address contested until
# the 30 s recheck: arp_address_claimants for about 24 s, longer than ArpDuplicateIPAddress's
# `for: 15s`.
#
# Usage: ipv6_quick_failover_test.sh [EXPORTER [ARP_INJECT [ND_INJECT]]]
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/nd_lib.sh"
init_nd_test "$@"

PORT=10793
M_IP=2001:db8::99
VIP=2001:db8::2
R1_MAC=00:1b:21:0b:00:01  # Intel
R2_MAC=00:1b:21:0b:00:02  # Intel

timed_step "lab: M, routers R1 and R2 on one link; R1 is master for $VIP"
new_nd_switch sw 1
add_nd_host M sw 1 02:00:00:00:00:99 "$M_IP/64"
add_nd_host R1 sw 1 "$R1_MAC" 2001:db8::11/64
add_nd_host R2 sw 1 "$R2_MAC" 2001:db8::12/64
M_IF=$(ifname M)
for host_ip in "M $M_IP" "R1 2001:db8::11" "R2 2001:db8::12"; do
  read -r host ip <<<"$host_ip"
  wait_for 10 dad_done "$host" "$ip" || fail "$host's $ip stayed tentative: $(addr_flags "$host" "$ip")"
done
start_verifying_exporter M "$PORT" --collector.arp.rescan-interval 1s
vip_take_over R1 "$R1_MAC" "$VIP"
wait_for 10 metric_at_least M "$PORT" 1 arp_addresses_tracked "interface=$M_IF" ||
  fail "M does not track the VIP"

timed_step "$VIP: R1 -> R2 -> R1 -> R2, two seconds apart"
declare -A MAC_OF=([R1]=$R1_MAC [R2]=$R2_MAC)
for router in R2 R1 R2; do
  vip_take_over "$router" "${MAC_OF[$router]}" "$VIP"
  holds_for 2 no_page M "$PORT" || fail "$VIP's failover to $router pages: $(paging_series M "$PORT")"
done
# The alert pages after 15 s of arp_address_claimants: watch for longer than that.
holds_for 17 no_page M "$PORT" || fail "$VIP's quick failovers page: $(paging_series M "$PORT")"
say "three quick failovers: flaps $(metric M "$PORT" arp_address_flaps_total "interface=$M_IF"), nothing pages"
timed_end

pass
