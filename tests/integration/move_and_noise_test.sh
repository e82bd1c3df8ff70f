#!/usr/bin/env bash
# What must not page: a NIC replacement (one MAC change, the old MAC silent) is a move; a
# VRRP-style address two routers claim in turn is ignored when the operator says so; RFC 5227
# probes (sender 0.0.0.0) from a DHCP client and from a switch are counted, never claims; the
# same IP in two VLANs is two addresses.
#
# The monitor port has no IPv4 address (a mirror port), so both exporters on it select it with
# --collector.arp.interfaces-include. The main exporter ignores the VRRP address; a control
# exporter without that rule proves the VRRP traffic really is contested when not ignored.
#
# Usage: move_and_noise_test.sh [EXPORTER [ARP_INJECT]]
source "$(dirname "$0")/lib.sh"
init_test "$@"
need_arp_inject

MAIN=10711
CONTROL=10712
A_IP=192.0.2.10
A_OLD_MAC=00:1b:21:0a:00:0a  # Intel, the NIC that is replaced
A_NEW_MAC=00:1b:21:0a:00:0b  # Intel, its replacement
B_IP=192.0.2.20
VIP=192.0.2.100              # VRRP-style virtual address both routers answer for
SWITCH_MAC=00:1b:54:aa:bb:01  # Cisco: the switch's own MAC, source of its probes
VLAN_IP=198.51.100.7
VLAN_MAC_10=02:00:00:00:0a:07
VLAN_MAC_20=02:00:00:00:14:07

step "lab: one switch; A, B, routers V1 and V2, DHCP client P, trunk host T, mirror port M"
new_switch sw 1
ip -n "$(nsname sw)" link set "$(brname 1)" address "$SWITCH_MAC"
add_host A sw 1 "$A_OLD_MAC" "$A_IP/24"
add_host B sw 1 02:00:00:00:00:20 "$B_IP/24"
add_host V1 sw 1 02:00:00:00:01:01 192.0.2.101/24
add_host V2 sw 1 02:00:00:00:01:02 192.0.2.102/24
ip -n "$(nsname V1)" addr add "$VIP/24" dev "$(ifname V1)"
ip -n "$(nsname V2)" addr add "$VIP/24" dev "$(ifname V2)"
add_host P sw 1 02:00:00:00:00:d1
add_host T sw 1 02:00:00:00:00:71
add_host M sw 1 02:00:00:00:00:fa
MON=$(ifname M)
start_exporter M "$MAIN" --collector.arp.interfaces-include "^$MON\$" --collector.arp.ignore "$VIP" \
  --collector.arp.rescan-interval 1s
start_exporter M "$CONTROL" --collector.arp.interfaces-include "^$MON\$" --collector.arp.rescan-interval 1s
for port in "$MAIN" "$CONTROL"; do
  wait_for 10 metric_equals M "$port" 1 arp_capture_up "interface=$MON" ||
    fail "the exporter on port $port never captured on the address-less port $MON"
done

never_contested() {  # IP: no exporter shows a claimants series for it
  no_series M "$MAIN" arp_address_claimants "ip=$1" && no_series M "$CONTROL" arp_address_claimants "ip=$1"
}

step "NIC replacement: A's MAC changes once, the old one goes silent"
resolve A "$B_IP" || fail "A cannot reach B"
resolve B "$A_IP" || fail "B cannot reach A"
wait_for 10 metric_equals M "$MAIN" 2 arp_addresses_tracked "interface=$MON" ||
  fail "M does not track A and B"
moves_before=$(metric M "$MAIN" arp_address_moves_total "interface=$MON")
ip -n "$(nsname A)" link set dev "$(ifname A)" down
ip -n "$(nsname A)" link set dev "$(ifname A)" address "$A_NEW_MAC"
ip -n "$(nsname A)" link set dev "$(ifname A)" up
resolve A "$B_IP" || fail "A with its new NIC cannot reach B"
for port in "$MAIN" "$CONTROL"; do
  wait_for 10 metric_equals M "$port" $((moves_before + 1)) arp_address_moves_total "interface=$MON" ||
    fail "exporter $port did not count the move ($(metric M "$port" arp_address_moves_total) moves)"
done
# The exporter asked who answers for A's address now (its probes need no address of its own on
# the mirror port): only the new NIC did, which confirms the move. The replacement comes within
# a second of the exporter's start, before its first look at the host: the probes must go out
# all the same.
wait_for 10 metric_at_least M "$MAIN" 1 arp_verification_rounds_total "interface=$MON" outcome=one_mac ||
  fail "no verification round answered by one MAC after the NIC replacement: $(grep -m1 'probe not sent' "${EXPORTER_LOGS[0]}")"
[ "$(metric M "$MAIN" arp_verification_rounds_total "interface=$MON" outcome=several_macs)" = 0 ] ||
  fail "a verification round after the NIC replacement was answered by several MACs"
# A keeps working with its new NIC for a while; the address must never become contested.
start_chatter A 0.3 "$B_IP"
chatter=$LAST_PID
holds_for 3 never_contested "$A_IP" || fail "the NIC replacement made $A_IP contested"
stop_chatter "$chatter"
moves=$(metric M "$MAIN" arp_address_moves_total "interface=$MON")
moved=$(metric M "$MAIN" arp_addresses_moved "interface=$MON")
flaps=$(metric M "$MAIN" arp_address_flaps_total "interface=$MON")
[ "$moves" -eq $((moves_before + 1)) ] || fail "moves went from $moves_before to $moves, expected one"
[ "$moved" -eq 1 ] || fail "arp_addresses_moved is $moved, expected 1"
[ "$flaps" -eq 0 ] || fail "arp_address_flaps_total is $flaps, expected 0"
say "NIC replacement: arp_address_moves_total $moves_before -> $moves, arp_addresses_moved $moved, flaps $flaps, never contested"

step "VRRP-style pair: V1 and V2 take turns claiming $VIP"
ignored_before=$(metric M "$MAIN" arp_frames_ignored_total "interface=$MON")
for _ in 1 2 3; do
  for router in V1 V2; do
    in_ns "$router" arping -q -U -c 1 -w 1 -I "$(ifname "$router")" "$VIP" || true
  done
done
wait_for 10 metric_equals M "$CONTROL" 2 arp_address_claimants "interface=$MON" "ip=$VIP" ||
  fail "the control exporter (no ignore rule) does not see $VIP contested: the traffic is not a conflict"
wait_for 10 metric_at_least M "$MAIN" $((ignored_before + 6)) arp_frames_ignored_total "interface=$MON" ||
  fail "the main exporter ignored $(metric M "$MAIN" arp_frames_ignored_total) frames, expected >= 6"
no_series M "$MAIN" arp_address_claimants "ip=$VIP" || fail "$VIP is contested despite --collector.arp.ignore"
ignored=$(metric M "$MAIN" arp_frames_ignored_total "interface=$MON")
say "VRRP pair: control exporter shows $VIP with 2 claimants; with --collector.arp.ignore $VIP: not contested, arp_frames_ignored_total $ignored_before -> $ignored"

step "probes (sender 0.0.0.0) for A's live address, from a DHCP client and from the switch"
resolve A "$B_IP" || fail "A cannot reach B"  # a fresh claim by A, so its address is claimed
probes_before=$(metric M "$MAIN" arp_probes_for_claimed_address_total "interface=$MON")
in_ns P arping -D -c 2 -w 3 -I "$(ifname P)" "$A_IP" >"$WORK/arping-D.out" 2>&1 || true
grep -q 'Received 1 response' "$WORK/arping-D.out" ||
  fail "A did not answer the DHCP client's duplicate address probe: $(cat "$WORK/arping-D.out")"
sent=$(sed -n 's/^Sent \([0-9]*\) probe.*/\1/p' "$WORK/arping-D.out")
probes_dhcp=$((probes_before + sent))
wait_for 10 metric_equals M "$MAIN" "$probes_dhcp" arp_probes_for_claimed_address_total "interface=$MON" ||
  fail "the DHCP client's $sent probe(s) were not counted as probes for a claimed address"
in_ns sw "$ARP_INJECT" "$(brname 1)" --op request --sender-mac "$SWITCH_MAC" --sender-ip 0.0.0.0 \
  --target-mac 00:00:00:00:00:00 --target-ip "$A_IP" --count 3 --interval-ms 20 ||
  fail "arp_inject could not send the switch's probes"
wait_for 10 metric_equals M "$MAIN" $((probes_dhcp + 3)) arp_probes_for_claimed_address_total "interface=$MON" ||
  fail "the switch's 3 probes were not counted: $(metric M "$MAIN" arp_probes_for_claimed_address_total) (was $probes_dhcp)"
never_contested "$A_IP" || fail "probes made $A_IP contested"
probes_all=$(metric M "$MAIN" arp_probes_total "interface=$MON")
say "probes: arp_probes_for_claimed_address_total $probes_before -> $probes_dhcp (arping -D) -> $((probes_dhcp + 3)) (switch), arp_probes_total $probes_all, $A_IP not contested"

step "the same IP claimed in VLAN 10, VLAN 20 and QinQ 100.10 by different MACs"
# This kernel has no 802.1Q sub-interfaces: T writes the tagged frames itself (arp_inject), and
# the bridge, not VLAN-aware, floods them to the mirror port as they are.
tracked_before=$(metric M "$MAIN" arp_addresses_tracked "interface=$MON")
frames_before=$(metric M "$MAIN" arp_frames_total "interface=$MON")
for _ in 1 2 3; do
  in_ns T "$ARP_INJECT" "$(ifname T)" --op request --vlan 10 --sender-mac "$VLAN_MAC_10" \
    --sender-ip "$VLAN_IP" --target-mac 00:00:00:00:00:00 --target-ip 198.51.100.1 --interval-ms 0
  in_ns T "$ARP_INJECT" "$(ifname T)" --op request --vlan 20 --sender-mac "$VLAN_MAC_20" \
    --sender-ip "$VLAN_IP" --target-mac 00:00:00:00:00:00 --target-ip 198.51.100.1 --interval-ms 0
  in_ns T "$ARP_INJECT" "$(ifname T)" --op reply --vlan 100 --vlan 10 --sender-mac "$VLAN_MAC_20" \
    --sender-ip "$VLAN_IP" --target-mac 02:00:00:00:00:01 --target-ip 198.51.100.1 \
    --eth-dst ff:ff:ff:ff:ff:ff --interval-ms 0
done
wait_for 10 metric_at_least M "$MAIN" $((frames_before + 9)) arp_frames_total "interface=$MON" ||
  fail "M decoded $(($(metric M "$MAIN" arp_frames_total "interface=$MON") - frames_before)) of the 9 tagged frames"
wait_for 10 metric_equals M "$MAIN" $((tracked_before + 3)) arp_addresses_tracked "interface=$MON" ||
  fail "arp_addresses_tracked went from $tracked_before to $(metric M "$MAIN" arp_addresses_tracked "interface=$MON"), expected +3 (one per VLAN)"
never_contested "$VLAN_IP" || fail "$VLAN_IP is contested although each VLAN has one MAC"
say "VLANs: arp_addresses_tracked $tracked_before -> $((tracked_before + 3)) for $VLAN_IP in VLANs 10, 20 and 100.10; not contested"

# The other side of the coin: two MACs taking turns inside one VLAN (and inside one QinQ pair of
# tags) is a conflict, reported with the VLAN as its label.
for _ in 1 2; do
  for mac in "$VLAN_MAC_10" "$VLAN_MAC_20"; do
    in_ns T "$ARP_INJECT" "$(ifname T)" --op request --vlan 30 --sender-mac "$mac" \
      --sender-ip 198.51.100.8 --target-mac 00:00:00:00:00:00 --target-ip 198.51.100.1
    in_ns T "$ARP_INJECT" "$(ifname T)" --op request --vlan 100 --vlan 30 --sender-mac "$mac" \
      --sender-ip 198.51.100.8 --target-mac 00:00:00:00:00:00 --target-ip 198.51.100.1
  done
done
for vlan in 30 100.30; do
  wait_for 10 metric_equals M "$MAIN" 2 arp_address_claimants "interface=$MON" "vlan=$vlan" ip=198.51.100.8 ||
    fail "198.51.100.8, claimed in turn by two MACs inside VLAN $vlan, is not contested with vlan=\"$vlan\""
done
scrape M "$MAIN" | grep '^arp_address_claimants' | sed 's/^/  M: /'
say "VLANs: two MACs in turn inside VLAN 30 and inside QinQ 100.30 are contested, labelled vlan=\"30\" and vlan=\"100.30\""

pass
