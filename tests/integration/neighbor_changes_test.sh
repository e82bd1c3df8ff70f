#!/usr/bin/env bash
# Changes in the neighbour table, as the exporter's netlink event listener counts them:
#  - a peer whose MAC changes (NIC replaced, VM moved: `ip link set dev ... address ...`) and
#    then talks again increments arp_neighbor_lladdr_changes_total on the host that observes it,
#    for IPv4 and IPv6;
#  - a resolution that gets no answer increments arp_neighbor_failed_transitions_total, once;
#  - after the kernel dropped events (a tiny --collector.neighbor.event-buffer-size and a burst
#    of table changes), the overrun is counted and later changes are still counted.
#
# Usage: neighbor_changes_test.sh [EXPORTER]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
init_test "$@"

PORT=10711
OLD_MAC=02:00:00:00:04:02
NEW_MAC=02:00:00:00:04:99

enable_ipv6() {  # HOST INTERFACE: IPv6 on (lib.sh's hosts start without), no DAD
  in_ns "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0 \
    "net.ipv6.conf.$2.accept_dad=0" "net.ipv6.conf.$2.disable_ipv6=0"
}

H1=$(ifname H)
P1=$(ifname P)
H_NS=$(nsname H)

step "lab: observer H (192.0.2.1, 2001:db8::1) and peer P (192.0.2.2, 2001:db8::2, MAC $OLD_MAC)"
new_switch sw 1
add_host H sw 1 02:00:00:00:04:01 192.0.2.1/24
add_host P sw 1 "$OLD_MAC" 192.0.2.2/24
enable_ipv6 H "$H1"
enable_ipv6 P "$P1"
ip -n "$H_NS" addr add 2001:db8::1/64 dev "$H1" nodad
ip -n "$(nsname P)" addr add 2001:db8::2/64 dev "$P1" nodad
# A 4 KiB event socket: the burst at the end overruns it; single changes never do.
start_exporter H "$PORT" --collector.neighbor.event-buffer-size 4096

changes() { metric H "$PORT" arp_neighbor_lladdr_changes_total "interface=$H1" "family=$1"; }
failures() { metric H "$PORT" arp_neighbor_failed_transitions_total "interface=$H1" "family=$1"; }
overruns() { metric H "$PORT" arp_neighbor_netlink_overruns_total; }

# H learns P's MAC for both families.
h_holds() {  # IP MAC: H's neighbour entry for IP holds MAC
  [ "$(neigh_mac H "$1")" = "$2" ]
}
ping_once H 192.0.2.2
ping_once H 2001:db8::2
wait_for 5 h_holds 192.0.2.2 "$OLD_MAC" || fail "H did not resolve 192.0.2.2 to $OLD_MAC"
wait_for 5 h_holds 2001:db8::2 "$OLD_MAC" || fail "H did not resolve 2001:db8::2 to $OLD_MAC"
before_v4=$(changes inet)
before_v6=$(changes inet6)
[ "$before_v4" = 0 ] && [ "$before_v6" = 0 ] ||
  fail "link-layer changes counted before any change: inet $before_v4, inet6 $before_v6"
say "H: 192.0.2.2 and 2001:db8::2 at $OLD_MAC; arp_neighbor_lladdr_changes_total 0"

step "P's MAC changes to $NEW_MAC, then P talks to H again"
ip -n "$(nsname P)" link set dev "$P1" address "$NEW_MAC"
# P's own cache was flushed by the change: it asks for H's MAC, with its new MAC as the sender
# (an ARP request, an IPv6 neighbour solicitation), and H's kernel updates its entry.
declare -A H_ADDRESS=([inet]=192.0.2.1 [inet6]=2001:db8::1)
change_seen() {  # IP FAMILY EXPECTED_COUNT: H holds NEW_MAC for IP and counted it; else P talks
  [ "$(neigh_mac H "$1")" = "$NEW_MAC" ] && [ "$(changes "$2")" -ge "$3" ] && return 0
  ping_once P "${H_ADDRESS[$2]}"
  return 1
}
changes_are() { [ "$(changes "$1")" = "$2" ]; }
wait_for 10 change_seen 192.0.2.2 inet 1 ||
  fail "after P's MAC change H holds '$(neigh_mac H 192.0.2.2)' for 192.0.2.2 and counts $(changes inet) inet changes"
wait_for 10 change_seen 2001:db8::2 inet6 1 ||
  fail "after P's MAC change H holds '$(neigh_mac H 2001:db8::2)' for 2001:db8::2 and counts $(changes inet6) inet6 changes"
[ "$(changes inet)" = 1 ] || fail "one MAC change counted as $(changes inet) inet changes"
[ "$(changes inet6)" = 1 ] || fail "one MAC change counted as $(changes inet6) inet6 changes"
ip -n "$H_NS" neigh show dev "$H1" | grep -E '^(192\.0\.2\.2|2001:db8::2) ' | sed 's/^/  H: /'
scrape H "$PORT" | grep '^arp_neighbor_lladdr_changes_total' | sed 's/^/  H: /'

step "talking on with the same MAC changes nothing"
ping_once H 192.0.2.2
ping_once P 192.0.2.1
holds_for 1 changes_are inet 1 || fail "traffic without a MAC change was counted: $(changes inet)"

step "and back to $OLD_MAC: a second change"
ip -n "$(nsname P)" link set dev "$P1" address "$OLD_MAC"
NEW_MAC=$OLD_MAC
wait_for 10 change_seen 192.0.2.2 inet 2 ||
  fail "the change back was not counted: $(changes inet) inet changes"
[ "$(changes inet)" = 2 ] || fail "two MAC changes counted as $(changes inet)"
# Also for IPv6: H's entry must not keep the MAC P no longer has, or H's unanswered unicast
# probes of it end in a FAILED transition during the next step.
wait_for 10 change_seen 2001:db8::2 inet6 2 ||
  fail "the IPv6 change back was not counted: $(changes inet6) inet6 changes"

step "a resolution that gets no answer goes to FAILED: counted once per family"
base_v4=$(failures inet)
base_v6=$(failures inet6)
# Each resolution that gets no answer ends in one FAILED transition. The kernel may garbage-
# collect a FAILED entry before a slow scrape shows the count; the test then asks again, and
# counts the resolutions it started, so "once" means once per resolution.
declare -A RESOLUTIONS=([inet]=0 [inet6]=0)
ask_unanswered() {  # IP FAMILY: ask H's kernel to resolve IP (nobody answers)
  ping_once H "$1"
  RESOLUTIONS[$2]=$((RESOLUTIONS[$2] + 1))
}
failed_seen() {  # IP FAMILY BASE
  [ "$(failures "$2")" -gt "$3" ] && return 0
  [ -n "$(ip -n "$H_NS" neigh show to "$1")" ] || ask_unanswered "$1" "$2"
  return 1
}
once_per_resolution() {  # FAMILY BASE
  [ "$(failures "$1")" = $(($2 + RESOLUTIONS[$1])) ]
}
ask_unanswered 192.0.2.99 inet
ask_unanswered 2001:db8::99 inet6
wait_for 15 failed_seen 192.0.2.99 inet "$base_v4" ||
  fail "no FAILED transition counted for 192.0.2.99 ($(ip -n "$H_NS" neigh show to 192.0.2.99))"
wait_for 15 failed_seen 2001:db8::99 inet6 "$base_v6" ||
  fail "no FAILED transition counted for 2001:db8::99 ($(ip -n "$H_NS" neigh show to 2001:db8::99))"
for family in inet inet6; do
  base=$base_v4
  [ "$family" = inet6 ] && base=$base_v6
  # A resolution started by failed_seen may still be under way: wait for its FAILED, then
  # check that nothing more is counted.
  wait_for 15 once_per_resolution "$family" "$base" && holds_for 2 once_per_resolution "$family" "$base" ||
    fail "${RESOLUTIONS[$family]} unanswered $family resolutions counted as $(($(failures "$family") - base)) failures"
done
[ "$(changes inet)" = 2 ] || fail "a failure was counted as a link-layer change"
scrape H "$PORT" | grep '^arp_neighbor_failed_transitions_total' | sed 's/^/  H: /'

step "a burst of 3000 entries overruns the 4 KiB event socket: counted, and counting goes on"
for i in $(seq 0 2999); do
  printf 'neigh add 2001:db8:0:1::%x lladdr 02:00:00:01:%02x:%02x nud permanent dev %s\n' \
    "$i" $((i / 256)) $((i % 256)) "$H1"
done >"$WORK/burst.batch"
ip -n "$H_NS" -batch "$WORK/burst.batch"
wait_for 10 metric_at_least H "$PORT" 1 arp_neighbor_netlink_overruns_total ||
  fail "3000 events into a 4 KiB socket and no overrun counted"
say "overruns: $(overruns)"
process_gone "$EXPORTER_PID" && fail "the exporter died after the overrun"
ip -n "$(nsname P)" link set dev "$P1" address 02:00:00:00:04:77
NEW_MAC=02:00:00:00:04:77
wait_for 10 change_seen 192.0.2.2 inet 3 ||
  fail "a MAC change after the overrun was not counted: $(changes inet) inet changes"
[ "$(changes inet)" = 3 ] || fail "after the overrun, 3 changes counted as $(changes inet)"
[ "$(metric H "$PORT" arp_scrape_collector_success collector=neighbor)" = 1 ] ||
  fail "arp_scrape_collector_success{collector=\"neighbor\"} is not 1"

say "PASS"
