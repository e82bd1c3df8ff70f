#!/usr/bin/env bash
# IPv6 look-alikes (issue 12): what looks like a duplicate address on the wire and must not
# page, beside the one that must. A monitoring host M with IPv6 only runs the exporter with
# verification on, on two links:
# 1. NIC replacement. A's MAC changes while its interface stays up, and the kernel says so
#    (ndisc_notify: an unsolicited override advertisement); B's NIC is replaced with a reboot
#    (down, new MAC, up, address added again with DAD, then B talks). Each is one move; the
#    verification round M sends after each change hears the new MAC alone.
# 2. DAD probes: a host N joining with 2001:db8::20 (its kernel's DAD, from ::), and DAD probes
#    for A's live 2001:db8::10 (which A defends) and for an address nobody holds. Probes are
#    intents, not claims: counted, never contested.
# 3. Link-local: fe80::1 held by V on link 1 and by W on link 2 is two addresses, one per
#    interface of M, not a conflict (every router on every link may be fe80::1). Then X on
#    link 1 configures fe80::1 too (nodad): two MACs on one link, and that IS a conflict,
#    verified by both answering M's probes — on link 1 only.
# After every look-alike, none of the series that page (alerts/arp_health.rules.yml, critical:
# ArpDuplicateIPAddress, ArpOwnAddressClaimed, ArpOwnAddressDadFailed) exists on M. Each step
# prints how long it took. The VRRP-style failover is in ipv6_lookalikes_failover_test.sh and
# ipv6_quick_failover_test.sh.
#
# Usage: ipv6_lookalikes_test.sh [EXPORTER [ARP_INJECT [ND_INJECT]]]
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/nd_lib.sh"
init_nd_test "$@"

PORT=10791
M_IP=2001:db8::99
A_IP=2001:db8::10
A_OLD_MAC=00:1b:21:0a:00:0a  # Intel: A's NIC before the swap
A_NEW_MAC=00:1b:21:0a:00:1a  # Intel: its replacement
A_LL=fe80::21b:21ff:fe0a:a   # A's link-local address (from its old MAC, kept on the swap)
B_IP=2001:db8::30
B_OLD_MAC=00:50:56:0b:00:30  # VMware: B is a VM moved to a new virtual NIC
B_NEW_MAC=00:50:56:0b:01:30
N_IP=2001:db8::20
N_MAC=02:00:00:00:00:20
NOBODY=2001:db8::77
LL=fe80::1
V_MAC=02:00:00:00:01:01  # link 1's router, fe80::1
W_MAC=02:00:00:00:02:01  # link 2's router, fe80::1 too
X_MAC=02:00:00:00:01:99  # a host on link 1 hand-configured with fe80::1 (nodad)

timed_step "lab: M on links 1 and 2; A, B, N, V on link 1; W on link 2"
new_nd_switch sw 1 2
add_nd_host M sw 1 02:00:00:00:00:99 "$M_IP/64"
M_IF=$(ifname M)
M_IF2=${M_IF}2
plug_host M sw 2 02:00:00:00:02:99 "" "$M_IF2"
ipv6_on M "$M_IF2"
add_nd_host A sw 1 "$A_OLD_MAC" "$A_IP/64"
add_nd_host B sw 1 "$B_OLD_MAC" "$B_IP/64"
# ndisc_notify: A tells the link when its MAC changes, as a NIC driver's re-plug would.
in_ns A sysctl -qw "net.ipv6.conf.$(ifname A).ndisc_notify=1"
for host_ip in "M $M_IP" "A $A_IP" "B $B_IP"; do
  read -r host ip <<<"$host_ip"
  wait_for 10 dad_done "$host" "$ip" || fail "$host's $ip stayed tentative: $(addr_flags "$host" "$ip")"
done
[ -z "$(ip -n "$(nsname M)" -4 -o addr show scope global)" ] || fail "M has an IPv4 address"
# M_IF2 has a link-local address alone, which the default selection passes over (it is on
# every up interface): M's operator names both links.
start_verifying_exporter M "$PORT" --collector.arp.rescan-interval 1s \
  --collector.arp.interfaces-include "^($M_IF|$M_IF2)\$"
wait_for 10 metric_equals M "$PORT" 1 arp_capture_up "interface=$M_IF2" ||
  fail "M does not capture its second link $M_IF2"

# rounds OUTCOME: M's verification rounds on link 1 that ended so.
rounds() { metric M "$PORT" arp_verification_rounds_total "interface=$M_IF" "outcome=$1"; }
# moved_in_log IP: M's exporter logged IP as moved.
moved_in_log() { grep -q "msg=\"address moved\" interface=$M_IF vlan=\"\" ip=$1 " "$EXPORTER_LOG"; }
m1() { metric M "$PORT" "$1" "interface=$M_IF"; }

timed_step "NIC replacement: A's MAC changes live (unsolicited NA), B's with a reboot (DAD, then traffic)"
# Each asks for the other in a multicast solicitation, which M hears (the answers are unicast).
resolve6 A "$B_IP"
resolve6 B "$A_IP"
wait_for 10 metric_at_least M "$PORT" 2 arp_addresses_tracked "interface=$M_IF" ||
  fail "M does not track A and B: $(m1 arp_addresses_tracked) addresses"
moves_before=$(m1 arp_address_moves_total)
one_mac_before=$(rounds one_mac)
several_before=$(rounds several_macs)
ip -n "$(nsname A)" link set dev "$(ifname A)" address "$A_NEW_MAC"
wait_for 10 moved_in_log "$A_IP" || fail "A's new MAC was not logged as a move of $A_IP"
wait_for 10 metric_at_least M "$PORT" $((one_mac_before + 1)) arp_verification_rounds_total "interface=$M_IF" outcome=one_mac ||
  fail "no verification round answered by one MAC after A's swap: $(scrape M "$PORT" | grep '^arp_verification_rounds_total')"
# B: the old NIC is gone with the reboot, the new one comes up without the address, which is
# added again (DAD from ::, for an address B's old MAC claimed: a probe, not a claim).
ip -n "$(nsname B)" link set dev "$(ifname B)" down
ip -n "$(nsname B)" link set dev "$(ifname B)" address "$B_NEW_MAC"
ip -n "$(nsname B)" link set dev "$(ifname B)" up
ip -n "$(nsname B)" addr add "$B_IP/64" dev "$(ifname B)" 2>/dev/null || true  # gone on down
wait_for 10 dad_done B "$B_IP" || fail "B's $B_IP stayed tentative after the reboot: $(addr_flags B "$B_IP")"
# B talks as soon as it can, from B_IP (its solicitation then claims B_IP): for a moment after
# the link comes back the kernel does not use B_IP yet though `ip addr` no longer says
# tentative, and a ping either finds no source address or goes out from B's link-local one.
flush_neigh B
wait_for 10 in_ns B ping -6 -c 1 -W 1 -q -I "$B_IP" "$A_IP" >/dev/null 2>&1 ||
  fail "B with its new NIC cannot reach A from $B_IP"
wait_for 10 moved_in_log "$B_IP" || fail "B's new MAC was not logged as a move of $B_IP"
wait_for 10 metric_at_least M "$PORT" $((one_mac_before + 2)) arp_verification_rounds_total "interface=$M_IF" outcome=one_mac ||
  fail "no verification round answered by one MAC after B's swap: $(scrape M "$PORT" | grep '^arp_verification_rounds_total')"
# Both keep working with their new NICs for a while: neither address may become contested.
start_chatter A 0.3 "$B_IP"
chatter=$LAST_PID
holds_for 3 no_page M "$PORT" || fail "a NIC replacement pages: $(paging_series M "$PORT")"
stop_chatter "$chatter"
moves=$(m1 arp_address_moves_total)
moved=$(m1 arp_addresses_moved)
flaps=$(m1 arp_address_flaps_total)
# One move per address that changed hands: A_IP, B_IP, and A's link-local address if M had
# heard it before the swap (the kernel announces every address of A's): no other address.
moved_ips=$(sed -n 's/.*msg="address moved" .* ip=\([^ ]*\) .*/\1/p' "$EXPORTER_LOG" | sort -u)
for ip in $moved_ips; do
  case $ip in "$A_IP" | "$B_IP" | "$A_LL") ;; *) fail "$ip moved, which nobody's NIC replacement touched" ;; esac
done
[ "$moves" = $((moves_before + $(wc -w <<<"$moved_ips"))) ] ||
  fail "moves went from $moves_before to $moves for the addresses $moved_ips"
[ "$moved" = "$(wc -w <<<"$moved_ips")" ] || fail "arp_addresses_moved is $moved, for the addresses $moved_ips"
[ "$flaps" = 0 ] || fail "arp_address_flaps_total is $flaps, expected 0"
[ "$(rounds several_macs)" = "$several_before" ] || fail "a round after a NIC replacement heard several MACs"
say "NIC replacement: moved $(tr '\n' ' ' <<<"$moved_ips"); moves $moves_before -> $moves, arp_addresses_moved $moved, flaps 0, one-MAC rounds $one_mac_before -> $(rounds one_mac), nothing pages"

timed_step "DAD probes: N joins with $N_IP; DAD probes for A's $A_IP and for $NOBODY"
probes_before=$(m1 arp_probes_total)
for_claimed_before=$(m1 arp_probes_for_claimed_address_total)
tracked_before=$(m1 arp_addresses_tracked)
add_nd_host N sw 1 "$N_MAC" "$N_IP/64"
wait_for 10 dad_done N "$N_IP" || fail "N's $N_IP stayed tentative: $(addr_flags N "$N_IP")"
# N's kernel probed twice, from ::: for its link-local address and for N_IP.
wait_for 10 metric_at_least M "$PORT" $((probes_before + 2)) arp_probes_total "interface=$M_IF" ||
  fail "M did not count N's two DAD probes: arp_probes_total $probes_before -> $(m1 arp_probes_total)"
# Three more DAD probes, for A's live address: A defends it (an advertisement to all nodes),
# which is A claiming its own address again.
nd_in N --type ns --src-mac "$N_MAC" --target "$A_IP" --count 3 || fail "nd_inject failed"
wait_for 10 metric_equals M "$PORT" $((for_claimed_before + 3)) arp_probes_for_claimed_address_total "interface=$M_IF" ||
  fail "the 3 probes for A's $A_IP were not counted as probes for a claimed address: $(m1 arp_probes_for_claimed_address_total) (was $for_claimed_before)"
# And three for an address nobody holds: nobody answers, nothing is claimed.
probes_now=$(m1 arp_probes_total)
nd_in N --type ns --src-mac "$N_MAC" --target "$NOBODY" --count 3 || fail "nd_inject failed"
wait_for 10 metric_at_least M "$PORT" $((probes_now + 3)) arp_probes_total "interface=$M_IF" ||
  fail "M did not count the 3 probes for $NOBODY"
holds_for 2 no_page M "$PORT" || fail "DAD probes page: $(paging_series M "$PORT")"
[ "$(m1 arp_probes_for_claimed_address_total)" = $((for_claimed_before + 3)) ] ||
  fail "probes for $N_IP or $NOBODY were counted as probes for a claimed address"
[ "$(m1 arp_addresses_tracked)" = "$tracked_before" ] ||
  fail "probes became claims: arp_addresses_tracked $tracked_before -> $(m1 arp_addresses_tracked)"
[ "$(m1 arp_address_moves_total)" = "$moves" ] || fail "a probe or A's defence counted as a move"
say "DAD probes: arp_probes_total $probes_before -> $(m1 arp_probes_total), for a claimed address $for_claimed_before -> $((for_claimed_before + 3)) (A's), tracked $tracked_before unchanged, nothing pages"

timed_step "link-local: $LL held by V on link 1 and by W on link 2 (DAD passes on each)"
add_nd_host V sw 1 "$V_MAC" "$LL/64"
add_nd_host W sw 2 "$W_MAC" "$LL/64"
wait_for 10 dad_done V "$LL" || fail "V's $LL stayed tentative: $(addr_flags V "$LL")"
wait_for 10 dad_done W "$LL" || fail "W's $LL stayed tentative: $(addr_flags W "$LL")"
# Each router announces it (unsolicited override advertisements, as after a restart): one new
# address on each of M's links.
tracked1_before=$(m1 arp_addresses_tracked)
tracked2_before=$(metric M "$PORT" arp_addresses_tracked "interface=$M_IF2")
nd_in V --type na --src-mac "$V_MAC" --src-ip "$LL" --target "$LL" || fail "nd_inject failed"
nd_in W --type na --src-mac "$W_MAC" --src-ip "$LL" --target "$LL" || fail "nd_inject failed"
wait_for 10 metric_equals M "$PORT" $((tracked1_before + 1)) arp_addresses_tracked "interface=$M_IF" ||
  fail "V's $LL is not tracked on link 1: $tracked1_before -> $(m1 arp_addresses_tracked)"
wait_for 10 metric_equals M "$PORT" $((tracked2_before + 1)) arp_addresses_tracked "interface=$M_IF2" ||
  fail "W's $LL is not tracked on link 2: $tracked2_before -> $(metric M "$PORT" arp_addresses_tracked "interface=$M_IF2")"
# M talks to each: its solicitations on each link, each router's solicited answer (asked again
# until both answered: one echo with a 1 s timeout can go unanswered on a loaded machine).
m_resolves_both() {
  ping6_once M "$LL%$M_IF"
  ping6_once M "$LL%$M_IF2"
  [ "$(neigh_mac M "$LL" | sort | tr '\n' ' ')" = "$V_MAC $W_MAC " ]
}
flush_neigh M
wait_for 10 m_resolves_both ||
  fail "M's neighbour table does not hold V and W for $LL: $(ip -n "$(nsname M)" neigh show "$LL")"
holds_for 3 no_page M "$PORT" || fail "one link-local address on two links pages: $(paging_series M "$PORT")"
say "link-local on two links: tracked on $M_IF $(m1 arp_addresses_tracked), on $M_IF2 $(metric M "$PORT" arp_addresses_tracked "interface=$M_IF2"), nothing pages"

timed_step "link-local: X on link 1 takes $LL too (nodad): two MACs on one link is a conflict"
add_nd_host X sw 1 "$X_MAC" "$LL/64" nodad
nd_in X --type na --src-mac "$X_MAC" --src-ip "$LL" --target "$LL" || fail "nd_inject failed"
wait_for 10 contested_by M "$PORT" "$LL" "$V_MAC" "$X_MAC" ||
  fail "$LL claimed by V and X on link 1 is not contested by both: $(scrape M "$PORT" | grep -E "ip=\"$LL\"")"
wait_for 5 metric_at_least M "$PORT" $((several_before + 1)) arp_verification_rounds_total "interface=$M_IF" outcome=several_macs ||
  fail "no round on link 1 answered by several MACs for $LL"
no_series M "$PORT" arp_address_claimants "interface=$M_IF2" ||
  fail "link 2 shows a conflict: W alone holds $LL there"
scrape M "$PORT" | grep -E '^arp_address_claim(ants|_info)' | sed 's/^/  M: /'
timed_end

pass
