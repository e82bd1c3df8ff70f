#!/usr/bin/env bash
# --collector.neighbor.watch: each exporter exports its own host's neighbour entry for a watched
# address as arp_neighbor_lladdr_info{interface,family,ip,mac,state} 1, so that two hosts that
# resolve the same IP to different MACs (the "intermittent in space" half of the incident) show
# the disagreement side by side, in their mac labels.
#
# H1 and H2 both talk to 192.0.2.10. H1 resolved it while server A answered; H2 after A's NIC
# went quiet and the forgotten machine R, configured with the same address, answered instead.
# H1 watches 192.0.2.10 and 2001:db8::/64, H2 watches 192.0.2.8/29. Both also talk to P
# (192.0.2.30), which nobody watches. The sniffer is pointed at no interface, so no address is
# "contested": every lladdr_info series here comes from the watch list.
#
# Usage: neighbor_watch_test.sh [EXPORTER]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
init_test "$@"

PORT=10711
WATCHED_IP=192.0.2.10
A_MAC=00:1b:21:0a:00:0a  # Intel: server A
R_MAC=00:50:56:0b:ad:01  # VMware: the forgotten machine with A's address
P_IP=192.0.2.30

enable_ipv6() {  # HOST INTERFACE: IPv6 on (lib.sh's hosts start without), no DAD
  in_ns "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0 \
    "net.ipv6.conf.$2.accept_dad=0" "net.ipv6.conf.$2.disable_ipv6=0"
}

step "lab: A and R (both $WATCHED_IP; R switched off), P, and the watching hosts H1, H2"
new_switch sw 1
add_host A sw 1 "$A_MAC" "$WATCHED_IP/24"
add_host R sw 1 "$R_MAC" "$WATCHED_IP/24"
add_host P sw 1 02:00:00:00:06:30 "$P_IP/24"
add_host H1 sw 1 02:00:00:00:06:21 192.0.2.21/24
add_host H2 sw 1 02:00:00:00:06:22 192.0.2.22/24
ip -n "$(nsname sw)" link set "$(portname R)" down
enable_ipv6 A "$(ifname A)"
enable_ipv6 H1 "$(ifname H1)"
ip -n "$(nsname A)" addr add 2001:db8::10/64 dev "$(ifname A)" nodad
ip -n "$(nsname H1)" addr add 2001:db8::21/64 dev "$(ifname H1)" nodad
NO_CAPTURE=(--collector.arp.interfaces-include '^no-such-interface$')
start_exporter H1 "$PORT" "${NO_CAPTURE[@]}" \
  --collector.neighbor.watch "$WATCHED_IP" --collector.neighbor.watch 2001:db8::/64
start_exporter H2 "$PORT" "${NO_CAPTURE[@]}" --collector.neighbor.watch 192.0.2.8/29

step "nothing watched is in either table yet: no series"
no_series H1 "$PORT" arp_neighbor_lladdr_info || fail "H1 exports an entry it does not have"
no_series H2 "$PORT" arp_neighbor_lladdr_info || fail "H2 exports an entry it does not have"

step "H1 talks to $WATCHED_IP while A answers, and to P"
ping_once H1 "$P_IP"
resolve H1 "$WATCHED_IP" || fail "H1 cannot reach A at $WATCHED_IP"
ping_once H1 "$P_IP"
in_ns H1 ping -c 1 -W 2 -q 2001:db8::10 >/dev/null || fail "H1 cannot reach A at 2001:db8::10"
[ "$(neigh_mac H1 "$WATCHED_IP")" = "$A_MAC" ] || fail "H1 resolved $WATCHED_IP to '$(neigh_mac H1 "$WATCHED_IP")'"

step "A's NIC goes quiet, R is switched on; H2 talks to $WATCHED_IP and to P"
ip -n "$(nsname sw)" link set "$(portname A)" down
ip -n "$(nsname sw)" link set "$(portname R)" up
ping_once H2 "$P_IP"
resolve H2 "$WATCHED_IP" || fail "H2 cannot reach R at $WATCHED_IP"
ping_once H2 "$P_IP"
[ "$(neigh_mac H2 "$WATCHED_IP")" = "$R_MAC" ] || fail "H2 resolved $WATCHED_IP to '$(neigh_mac H2 "$WATCHED_IP")'"
ping_once H2 "$P_IP"

step "each exporter shows its own host's entry: the two disagree"
wait_for 5 metric_equals H1 "$PORT" 1 arp_neighbor_lladdr_info "interface=$(ifname H1)" family=inet \
  "ip=$WATCHED_IP" "mac=$A_MAC" ||
  fail "H1 does not export its entry $WATCHED_IP -> $A_MAC: $(scrape H1 "$PORT" | grep '^arp_neighbor_lladdr_info' || true)"
wait_for 5 metric_equals H2 "$PORT" 1 arp_neighbor_lladdr_info "interface=$(ifname H2)" family=inet \
  "ip=$WATCHED_IP" "mac=$R_MAC" ||
  fail "H2 does not export its entry $WATCHED_IP -> $R_MAC: $(scrape H2 "$PORT" | grep '^arp_neighbor_lladdr_info' || true)"
h1=$(scrape H1 "$PORT")
h2=$(scrape H2 "$PORT")
grep '^arp_neighbor_lladdr_info' <<<"$h1" | sed 's/^/  H1: /'
grep '^arp_neighbor_lladdr_info' <<<"$h2" | sed 's/^/  H2: /'
# One series per host for the watched IPv4 address, with its state as ip neigh shows it.
[ "$(sample_count arp_neighbor_lladdr_info "ip=$WATCHED_IP" <<<"$h1")" -eq 1 ] ||
  fail "H1 has more than one series for $WATCHED_IP"
[ "$(sample_count arp_neighbor_lladdr_info "ip=$WATCHED_IP" <<<"$h2")" -eq 1 ] ||
  fail "H2 has more than one series for $WATCHED_IP"
for host in H1 H2; do
  exposition=$h1
  [ "$host" = H2 ] && exposition=$h2
  state=$(grep -E "^arp_neighbor_lladdr_info\{.*ip=\"$WATCHED_IP\"" <<<"$exposition" | sed -E 's/.*state="([^"]*)".*/\1/')
  case "$state" in
    reachable | stale | delay | probe) ;;
    *) fail "$host's series for $WATCHED_IP has state '$state'" ;;
  esac
done
mac_of_series() { grep -E "^arp_neighbor_lladdr_info\{.*ip=\"$WATCHED_IP\"" | sed -E 's/.*mac="([^"]*)".*/\1/'; }
[ "$(mac_of_series <<<"$h1")" != "$(mac_of_series <<<"$h2")" ] || fail "the two hosts agree?"
say "$WATCHED_IP: H1 -> $(mac_of_series <<<"$h1"), H2 -> $(mac_of_series <<<"$h2")"

step "IPv6 by CIDR on H1; nothing outside the watch list"
[ "$(sample arp_neighbor_lladdr_info "interface=$(ifname H1)" family=inet6 ip=2001:db8::10 "mac=$A_MAC" <<<"$h1")" = 1 ] ||
  fail "H1 does not export 2001:db8::10 -> $A_MAC (watched by 2001:db8::/64)"
for exposition in "$h1" "$h2"; do
  [ "$(sample_count arp_neighbor_lladdr_info "ip=$P_IP" <<<"$exposition")" -eq 0 ] ||
    fail "P ($P_IP) is exported though nobody watches it"
done
[ "$(sample_count arp_neighbor_lladdr_info family=inet6 <<<"$h2")" -eq 0 ] ||
  fail "H2 watches no IPv6 address but exports one"
[ "$(sample_count arp_address_claimants <<<"$h1")" -eq 0 ] && [ "$(sample_count arp_address_claimants <<<"$h2")" -eq 0 ] ||
  fail "an address is contested: the series above may not come from the watch list alone"

say "PASS"
