#!/usr/bin/env bash
# Capture selection and the kernel filter for IPv6 (issue 12):
# 1. A monitoring host M whose interface has only IPv6 addresses (2001:db8::fa and its fe80::)
#    is captured by default (no -i); its second interface, with a link-local address alone
#    (every up interface has one: a container's veth too), is not.
# 2. The kernel filter passes ARP and ICMPv6 Neighbor Solicitations and Advertisements only, also
#    behind one 802.1Q tag and behind two (QinQ): echo, router solicitations and MLD reports
#    (behind their hop-by-hop header) never reach the exporter, tagged or not, while every NS
#    and NA does. The frames come from nd_inject on a peer's port and address nobody in the
#    lab, so no host's kernel answers them: the exporter's received-frames counter moves by
#    exactly the ND frames sent.
#
# Usage: nd_capture_filter_test.sh [EXPORTER [ARP_INJECT [ND_INJECT]]]
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/nd_lib.sh"
init_nd_test "$@"

PORT=10781
M_IP=2001:db8::fa
P_IP=2001:db8::20
P_MAC=02:00:00:00:00:20
NOBODY=2001:db8::77  # nobody's address: its NS and NA make no host answer

step "lab: M (IPv6 only) and P on one switch; M's second interface on another, link-local only"
new_nd_switch sw 1 2
add_nd_host M sw 1 02:00:00:00:00:fa "$M_IP/64"
add_nd_host P sw 1 "$P_MAC" "$P_IP/64"
M_IF=$(ifname M)
M_LL_IF=${M_IF}2
plug_host M sw 2 02:00:00:00:01:fa "" "$M_LL_IF"
ipv6_on M "$M_LL_IF"
wait_for 10 dad_done M "$M_IP" || fail "M's $M_IP stayed tentative"
wait_for 10 dad_done P "$P_IP" || fail "P's $P_IP stayed tentative"
[ -z "$(ip -n "$(nsname M)" -4 -o addr show scope global)" ] || fail "M has an IPv4 address"

step "M's exporter, default selection: the IPv6-only interface is captured, the link-local one not"
start_exporter M "$PORT" --collector.arp.rescan-interval 1s --no-collector.arp.probe
wait_for 10 metric_equals M "$PORT" 1 arp_capture_up "interface=$M_IF" ||
  fail "M's IPv6-only interface $M_IF is not captured"
# M_LL_IF's fe80:: address is there (its DAD long done): three rescans must not pick it up.
holds_for 3 no_series M "$PORT" arp_capture_up "interface=$M_LL_IF" ||
  fail "M captures $M_LL_IF, which has a link-local address only"

received() { metric M "$PORT" arp_capture_received_frames_total "interface=$M_IF"; }
received_is() { [ "$(received)" = "$1" ]; }
received_at_least() { [ "$(received)" -ge "$1" ]; }
# steady: the counter (published once a second) did not move for 2 s; prints it.
steady() {
  local before after
  before=$(received)
  holds_for 2 received_is "$before" || return 1
  after=$(received)
  [ "$after" = "$before" ] && printf '%s\n' "$after"
}
wait_for 20 steady >/dev/null || fail "M's capture never went quiet (DAD and MLD of the set-up)"
base=$(steady) || fail "M's capture is not quiet"

step "echo, router solicitations and MLD reports, untagged, tagged and double-tagged: never passed"
start_tcpdump M "$M_IF" "$WORK/m.pcap" ip6 or vlan
m_pcap=$LAST_PID
tags=("" "--vlan 10" "--vlan 100 --vlan 10")
noise=0
for tag in "${tags[@]}"; do
  # shellcheck disable=SC2086 # the tag flags are words on purpose
  {
    nd_in P --type echo --src-mac "$P_MAC" --src-ip "$P_IP" --dst-ip "$NOBODY" --dst-mac ff:ff:ff:ff:ff:ff $tag --count 5 --interval-ms 10
    nd_in P --type rs --src-mac "$P_MAC" $tag --count 5 --interval-ms 10
    nd_in P --type mld --src-mac "$P_MAC" $tag --count 5 --interval-ms 10
  } || fail "nd_inject could not send"
  noise=$((noise + 15))
done
holds_for 3 received_is "$base" ||
  fail "the capture passed other ICMPv6: received $(received), $base before the $noise frames"

step "NS, DAD probes and NA, untagged, tagged and double-tagged: every one passed"
nd_frames=0
for tag in "${tags[@]}"; do
  # shellcheck disable=SC2086
  {
    nd_in P --type ns --src-mac "$P_MAC" --src-ip "$P_IP" --target "$NOBODY" $tag --count 2 --interval-ms 10
    nd_in P --type ns --src-mac "$P_MAC" --target "$NOBODY" $tag --count 2 --interval-ms 10  # DAD
    nd_in P --type na --src-mac "$P_MAC" --target "$NOBODY" $tag --count 2 --interval-ms 10
  } || fail "nd_inject could not send"
  nd_frames=$((nd_frames + 6))
done
expected=$((base + nd_frames))
wait_for 5 received_at_least "$expected" ||
  fail "the capture passed $(( $(received) - base )) of the $nd_frames NS/NA frames"
holds_for 2 received_is "$expected" ||
  fail "the capture passed $(( $(received) - base )) frames for $nd_frames NS/NA"
stop_tcpdump "$m_pcap"
on_wire=$(frames_in "$WORK/m.pcap")
[ "$on_wire" -ge $((noise + nd_frames)) ] ||
  fail "tcpdump saw $on_wire frames on $M_IF, fewer than the $((noise + nd_frames)) sent: the lab lost some"
say "$nd_frames ND frames of $((noise + nd_frames)) on the wire passed the filter"
pass
