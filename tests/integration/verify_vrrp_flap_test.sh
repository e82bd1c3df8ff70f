#!/usr/bin/env bash
# The false page of issue 10: at a VRRP takeover a backup router announces the virtual IP once
# from its real MAC, then again from the virtual MAC (00:00:5e:00:01:VRID). One return to an
# earlier MAC is a flap (arp_address_flapped_info, a warning), never a conflict
# (arp_address_claimants, the page). Two variants, as they happen:
# - VIP1: nobody answers the exporter's probes for it (the frames are written by arp_inject
#   from a host that does not hold the address): the verification round goes unanswered and the
#   passive rule decides: one return is a flap.
# - VIP2: the virtual-MAC holder (a host whose NIC carries the virtual MAC and holds the VIP)
#   answers the probes; the stray real MAC does not: only the old MAC answering is a flap.
# Then the control: the same backup keeps alternating on VIP1 (real, virtual, real, ...): each
# MAC claims again after the other, and that is contested.
#
# Usage: verify_vrrp_flap_test.sh [EXPORTER [ARP_INJECT]]
source "$(dirname "$0")/lib.sh"
init_test "$@"
need_arp_inject

PORT=10711
VIP1=192.0.2.100
VIP2=192.0.2.101
VMAC1=00:00:5e:00:01:01  # VRRP virtual router MAC, VRID 1
VMAC2=00:00:5e:00:01:02  # VRID 2
BACKUP_MAC=02:00:00:00:01:02  # the backup router's own NIC

step "lab: monitor M, backup router V (its real MAC), virtual-MAC holder H (VIP2) on one switch"
new_switch sw 1
add_host M sw 1 02:00:00:00:00:fa 192.0.2.250/24
add_host V sw 1 "$BACKUP_MAC" 192.0.2.2/24
add_host H sw 1 "$VMAC2" "$VIP2/24"
M_IF=$(ifname M)
start_verifying_exporter M "$PORT" --collector.arp.rescan-interval 1s

# garp FROM_HOST MAC IP: one gratuitous ARP request (sender = target = IP) from MAC.
garp() {
  in_ns "$1" "$ARP_INJECT" "$(ifname "$1")" --op request --sender-mac "$2" --sender-ip "$3" \
    --target-mac 00:00:00:00:00:00 --target-ip "$3" --eth-src "$2" || fail "arp_inject failed"
}

never_contested() { no_series M "$PORT" arp_address_claimants; }

step "the master's announcements: the virtual MACs hold $VIP1 and $VIP2"
garp V "$VMAC1" "$VIP1"
in_ns H arping -q -U -c 1 -w 1 -I "$(ifname H)" "$VIP2" || true
wait_for 10 metric_equals M "$PORT" 2 arp_addresses_tracked "interface=$M_IF" ||
  fail "M does not track the two VIPs: $(metric M "$PORT" arp_addresses_tracked "interface=$M_IF")"
rounds_before=$(metric M "$PORT" arp_verification_rounds_total "interface=$M_IF")
unanswered_before=$(metric M "$PORT" arp_verification_rounds_total "interface=$M_IF" outcome=unanswered)
one_mac_before=$(metric M "$PORT" arp_verification_rounds_total "interface=$M_IF" outcome=one_mac)

step "takeover: the backup announces each VIP once from its real MAC, then from the virtual MAC"
garp V "$BACKUP_MAC" "$VIP1"
garp V "$BACKUP_MAC" "$VIP2"
garp V "$VMAC1" "$VIP1"
in_ns H arping -q -U -c 1 -w 1 -I "$(ifname H)" "$VIP2" || true
for vip in "$VIP1" "$VIP2"; do
  wait_for 10 metric_equals M "$PORT" 1 arp_address_flapped_info "interface=$M_IF" vlan= "ip=$vip" ||
    fail "no arp_address_flapped_info for $vip"
done
# Both rounds end: VIP1's unanswered, VIP2's answered by the virtual MAC alone.
wait_for 10 metric_at_least M "$PORT" $((unanswered_before + 1)) arp_verification_rounds_total "interface=$M_IF" outcome=unanswered ||
  fail "no unanswered verification round for $VIP1"
wait_for 10 metric_at_least M "$PORT" $((one_mac_before + 1)) arp_verification_rounds_total "interface=$M_IF" outcome=one_mac ||
  fail "no verification round answered by one MAC for $VIP2"
holds_for 3 never_contested || fail "a single VRRP flap made an address contested: $(scrape M "$PORT" | grep '^arp_address_claimants')"
exposition=$(scrape M "$PORT")
flapped=$(sample_sum arp_addresses_flapped "interface=$M_IF" <<<"$exposition")
[ "$flapped" = 2 ] || fail "arp_addresses_flapped is $flapped, expected 2"
for vip in "$VIP1" "$VIP2"; do
  [ "$(sample arp_address_flapped_info "interface=$M_IF" vlan= "ip=$vip" <<<"$exposition")" = 1 ] ||
    fail "arp_address_flapped_info for $vip went away"
done
[ "$(sample_sum arp_addresses_contested "interface=$M_IF" <<<"$exposition")" = 0 ] || fail "arp_addresses_contested is not 0"
grep -E '^arp_(address_flapped_info|addresses_flapped|verification_rounds_total)' <<<"$exposition" | sed 's/^/  M: /'
for vip in "$VIP1" "$VIP2"; do
  grep -q "msg=\"address flapped once\".*ip=$vip " "$EXPORTER_LOG" || fail "no \"address flapped once\" log line for $vip"
done
! grep -q 'msg="address contested"' "$EXPORTER_LOG" || fail "the exporter logged \"address contested\" for a flap"
say "one flap each: arp_address_flapped_info for $VIP1 and $VIP2, arp_addresses_flapped $flapped, rounds $rounds_before -> $(sample_sum arp_verification_rounds_total "interface=$M_IF" <<<"$exposition"), never arp_address_claimants"

step "control: the backup keeps claiming $VIP1 in turn with the virtual MAC: that is contested"
garp V "$BACKUP_MAC" "$VIP1"
garp V "$VMAC1" "$VIP1"
garp V "$BACKUP_MAC" "$VIP1"
wait_for 10 contested_by M "$PORT" "$VIP1" "$VMAC1" "$BACKUP_MAC" ||
  fail "sustained alternation on $VIP1 is not contested: $(scrape M "$PORT" | grep -E "ip=\"$VIP1\"")"
no_series M "$PORT" arp_address_claimants "ip=$VIP2" || fail "$VIP2 became contested without a new claim"
scrape M "$PORT" | grep -E '^arp_address_claimants' | sed 's/^/  M: /'

say "PASS"
