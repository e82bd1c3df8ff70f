#!/usr/bin/env bash
# The kernel's Duplicate Address Detection verdicts, as this host's exporter reports them
# (issue 12): two hosts configure 2001:db8::10 on one segment, and the second one's kernel marks
# it "dadfailed tentative" at once. The exporter running on the second host must say so:
#  - an address waiting for carrier is reported tentative, and when the link comes up and DAD
#    passes its tentative series goes, and it is never reported failed;
#  - B configures 2001:db8::10, which A holds: within a few seconds B's exporter shows
#    arp_own_address_dad_failed{interface=...,ip="2001:db8::10"} 1, and not tentative;
#  - deleting the failed address removes the series;
#  - 2000 tentative addresses at once, while the exporter is stopped: its event socket overruns,
#    it resynchronises from a dump, follows 1024 (the cap) and counts the rest.
# DAD is on in the lab's namespaces only (accept_dad=1, dad_transmits=1): lib.sh starts hosts
# with IPv6 off.
#
# Usage: dad_failed_test.sh [EXPORTER [ARP_INJECT]]
source "$(dirname "$0")/lib.sh"
init_test "$@"

PORT=10711
CONFLICT_IP=2001:db8::10
PASSING_IP=2001:db8::20
A_MAC=02:00:00:00:0d:0a
B_MAC=02:00:00:00:0d:0b
B2_MAC=02:00:00:00:0d:b2

# dad_host HOST: a namespace whose new interfaces get IPv6 with DAD, one probe each.
dad_host() {
  new_ns "$1"
  in_ns "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0 \
    net.ipv6.conf.default.accept_dad=1 net.ipv6.conf.default.dad_transmits=1
}

# dad_interface HOST INTERFACE: the same on the interface itself, made explicit.
dad_interface() {
  in_ns "$1" sysctl -qw "net.ipv6.conf.$2.disable_ipv6=0" "net.ipv6.conf.$2.accept_dad=1" \
    "net.ipv6.conf.$2.dad_transmits=1"
}

# kernel_flags HOST INTERFACE IP: the flags `ip address` shows for IP ("" when it holds none).
kernel_flags() {
  ip -n "$(nsname "$1")" -6 -o address show dev "$2" to "$3/128" | awk '
    { for (i = 1; i <= NF; i++) if ($i ~ /^(tentative|dadfailed|optimistic)$/) flags = flags " " $i }
    END { sub(/^ /, "", flags); print flags }'
}
kernel_holds() { ip -n "$(nsname "$1")" -6 -o address show dev "$2" to "$3/128" | grep -q .; }
kernel_usable() { kernel_holds "$@" && [ -z "$(kernel_flags "$@")" ]; }
kernel_failed() { [[ " $(kernel_flags "$@") " == *" dadfailed "* ]]; }

step "lab: A and B on one bridge, IPv6 with DAD; B has a second interface without carrier"
new_switch sw 1
# No multicast snooping: the DAD probes go to solicited-node groups, flooded like broadcasts.
ip -n "$(nsname sw)" link set "$(brname 1)" type bridge mcast_snooping 0
A_IF=$(ifname A)
B_IF=$(ifname B)
B2_IF=${B_IF}2
dad_host A
plug_host A sw 1 "$A_MAC"
dad_interface A "$A_IF"
dad_host B
plug_host B sw 1 "$B_MAC"
dad_interface B "$B_IF"
# B2's switch port stays down from the start: the kernel holds DAD until an interface has had
# carrier once since it came up (losing carrier later does not stop DAD: the probes just go
# nowhere and the address passes).
B2_PORT=$(portname B2)
ip -n "$(nsname sw)" link add "$B2_PORT" type veth peer name "$B2_IF" netns "$(nsname B)"
ip -n "$(nsname sw)" link set "$B2_PORT" master "$(brname 1)"
ip -n "$(nsname B)" link set "$B2_IF" address "$B2_MAC"
dad_interface B "$B2_IF"
ip -n "$(nsname B)" link set "$B2_IF" up
no_carrier() { ip -n "$(nsname B)" link show dev "$B2_IF" | grep -q NO-CARRIER; }
wait_for 5 no_carrier || fail "$B2_IF still has carrier with its switch port down"

step "A holds $CONFLICT_IP/64 (DAD passed)"
ip -n "$(nsname A)" address add "$CONFLICT_IP/64" dev "$A_IF"
wait_for 10 kernel_usable A "$A_IF" "$CONFLICT_IP" ||
  fail "A's $CONFLICT_IP never left DAD: '$(kernel_flags A "$A_IF" "$CONFLICT_IP")'"
say "A: $(ip -n "$(nsname A)" -6 -br address show dev "$A_IF")"

step "B's exporter starts: nothing in trouble"
start_exporter B "$PORT"
[ "$(metric B "$PORT" arp_scrape_collector_success collector=dad)" = 1 ] ||
  fail "arp_scrape_collector_success{collector=\"dad\"} is not 1"
no_series B "$PORT" arp_own_address_dad_failed || fail "an address reported failed before any conflict"
# B's link-local addresses passed their own DAD (or are about to): none of them fails.
wait_for 10 no_series B "$PORT" arp_own_address_tentative "interface=$B_IF" ||
  fail "B's $B_IF addresses stay tentative: $(scrape B "$PORT" | grep '^arp_own_address_tentative')"

step "B adds $PASSING_IP on $B2_IF, which has no carrier: tentative, not failed"
ip -n "$(nsname B)" address add "$PASSING_IP/64" dev "$B2_IF"
tentative_shown() { metric_equals B "$PORT" 1 arp_own_address_tentative "interface=$B2_IF" "ip=$PASSING_IP"; }
wait_for 5 tentative_shown ||
  fail "B's exporter does not show $PASSING_IP tentative (kernel: '$(kernel_flags B "$B2_IF" "$PASSING_IP")')"
# Without carrier DAD does not start: it stays tentative, and is never reported failed.
still_waiting() { tentative_shown && no_series B "$PORT" arp_own_address_dad_failed; }
holds_for 2 still_waiting ||
  fail "$PASSING_IP did not stay tentative, or was reported failed (kernel: '$(kernel_flags B "$B2_IF" "$PASSING_IP")'): $(scrape B "$PORT" | grep '^arp_own_address')"
[ "$(kernel_flags B "$B2_IF" "$PASSING_IP")" = tentative ] ||
  fail "the kernel shows '$(kernel_flags B "$B2_IF" "$PASSING_IP")' for $PASSING_IP, expected tentative"
scrape B "$PORT" | grep '^arp_own_address_tentative' | sed 's/^/  B: /'

step "the link comes up: DAD for $PASSING_IP passes, the tentative series goes"
ip -n "$(nsname sw)" link set "$B2_PORT" up
passed() { kernel_usable B "$B2_IF" "$PASSING_IP" && no_series B "$PORT" arp_own_address_tentative "ip=$PASSING_IP"; }
wait_for 10 passed ||
  fail "after carrier: kernel '$(kernel_flags B "$B2_IF" "$PASSING_IP")', exporter $(scrape B "$PORT" | grep "$PASSING_IP")"
no_series B "$PORT" arp_own_address_dad_failed || fail "an address that passed DAD is reported failed"

step "B configures $CONFLICT_IP, which A holds: the kernel fails it, the exporter says so"
added_ms=$(now_ms)
ip -n "$(nsname B)" address add "$CONFLICT_IP/64" dev "$B_IF"
failed_shown() { metric_equals B "$PORT" 1 arp_own_address_dad_failed "interface=$B_IF" "ip=$CONFLICT_IP"; }
WAIT_INTERVAL=0.05 wait_for 10 failed_shown ||
  fail "B's exporter does not show $CONFLICT_IP failed (kernel: '$(kernel_flags B "$B_IF" "$CONFLICT_IP")')"
say "arp_own_address_dad_failed after $(($(now_ms) - added_ms)) ms"
kernel_failed B "$B_IF" "$CONFLICT_IP" ||
  fail "the exporter shows $CONFLICT_IP failed, the kernel '$(kernel_flags B "$B_IF" "$CONFLICT_IP")'"
say "B's kernel: $CONFLICT_IP $(kernel_flags B "$B_IF" "$CONFLICT_IP")"
# The kernel keeps the tentative flag on a failed address: reported as failed only.
no_series B "$PORT" arp_own_address_tentative "ip=$CONFLICT_IP" ||
  fail "a failed address is also reported tentative"
# A's copy is untouched, and the other addresses are fine.
kernel_usable A "$A_IF" "$CONFLICT_IP" || fail "A lost $CONFLICT_IP: '$(kernel_flags A "$A_IF" "$CONFLICT_IP")'"
[ "$(series_count B "$PORT" arp_own_address_dad_failed)" = 1 ] ||
  fail "more than one address reported failed: $(scrape B "$PORT" | grep '^arp_own_address_dad_failed')"
scrape B "$PORT" | grep '^arp_own_address_dad_failed' | sed 's/^/  B: /'

step "B deletes the failed address: the series goes"
ip -n "$(nsname B)" address del "$CONFLICT_IP/64" dev "$B_IF"
wait_for 5 no_series B "$PORT" arp_own_address_dad_failed ||
  fail "the deleted address is still reported: $(scrape B "$PORT" | grep '^arp_own_address_dad_failed')"
no_series B "$PORT" arp_own_address_tentative || fail "an address is left tentative"
[ "$(metric B "$PORT" arp_own_address_netlink_overruns_total)" = 0 ] || fail "address events overran"
[ "$(metric B "$PORT" arp_scrape_collector_success collector=dad)" = 1 ] ||
  fail "arp_scrape_collector_success{collector=\"dad\"} is not 1"

step "2000 tentative addresses while the exporter is stopped: the socket overruns, a dump resynchronises; 1024 followed, the rest counted"
# A third interface that never had carrier: every address on it stays tentative.
B3_IF=${B_IF}3
ip -n "$(nsname sw)" link add "$(portname B3)" type veth peer name "$B3_IF" netns "$(nsname B)"
dad_interface B "$B3_IF"
ip -n "$(nsname B)" link set "$B3_IF" up
for i in $(seq 1 2000); do
  printf 'address add 2001:db8:1::%x/64 dev %s\n' "$i" "$B3_IF"
done >"$WORK/burst.batch"
# Stopped, the exporter reads nothing: 2000 events overflow its socket's buffer, and on waking it
# gets ENOBUFS and must take what it missed from a dump.
kill -STOP "$EXPORTER_PID"
ip -n "$(nsname B)" -batch "$WORK/burst.batch"
kill -CONT "$EXPORTER_PID"
followed() { [ "$(series_count B "$PORT" arp_own_address_tentative "interface=$B3_IF")" = 1024 ]; }
wait_for 10 followed ||
  fail "$(series_count B "$PORT" arp_own_address_tentative "interface=$B3_IF") tentative series on $B3_IF, expected the cap, 1024"
overflows=$(metric B "$PORT" arp_own_address_dad_overflows_total)
[ "$overflows" -ge 976 ] || fail "2000 tentative addresses, 1024 followed, only $overflows counted as overflows"
[ "$(metric B "$PORT" arp_scrape_collector_success collector=dad)" = 1 ] ||
  fail "arp_scrape_collector_success{collector=\"dad\"} is not 1 after the burst"
overruns=$(metric B "$PORT" arp_own_address_netlink_overruns_total)
[ "$overruns" -ge 1 ] || fail "2000 events into a stopped exporter's socket and no overrun counted"
grep -q 'msg="address event socket overrun, resynchronising"' "$EXPORTER_LOG" ||
  fail "no log line for the overrun"
say "1024 followed, overflows $overflows, overruns $overruns"
ip -n "$(nsname B)" link del "$B3_IF"
wait_for 10 no_series B "$PORT" arp_own_address_tentative ||
  fail "$(series_count B "$PORT" arp_own_address_tentative) tentative series left after $B3_IF was deleted"
# The table has room again: a new address in trouble is followed at once.
ip -n "$(nsname B)" address add "$CONFLICT_IP/64" dev "$B_IF"
wait_for 10 failed_shown || fail "after the burst, a DAD failure is not reported"
process_gone "$EXPORTER_PID" && fail "the exporter died"

pass
