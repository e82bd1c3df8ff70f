#!/usr/bin/env bash
# One host, several MACs (issue 10): host X has two NICs on one segment (two veths from its
# namespace into the same bridge), 192.0.2.30 on the first and 192.0.2.31 on the second, and
# Linux's default arp_ignore=0: each NIC answers ARP requests for either address (ARP flux). A
# peer asking for 192.0.2.30 gets two replies, one from each MAC. X's own exporter knows both
# MACs are its own: it reports arp_own_address_macs{ip} 2 (a warning with a remedy), never
# arp_own_address_claim_info (the page), and lists both MACs in arp_host_mac_info.
#
# Usage: verify_several_macs_test.sh [EXPORTER [ARP_INJECT]]
source "$(dirname "$0")/lib.sh"
init_test "$@"

PORT=10711
X_IP1=192.0.2.30
X_IP2=192.0.2.31
X_MAC1=00:1b:21:0a:00:30  # Intel: X's first NIC
X_MAC2=00:1b:21:0a:00:31  # Intel: X's second NIC
P_IP=192.0.2.20

step "lab: host X with two NICs on one switch (arp_ignore=0), peer P"
new_switch sw 1
add_host X sw 1 "$X_MAC1" "$X_IP1/24"
X_IF1=$(ifname X)
X_IF2=${X_IF1}2
plug_host X sw 1 "$X_MAC2" "$X_IP2/24" "$X_IF2"
[ "$(in_ns X sysctl -n net.ipv4.conf.all.arp_ignore)" = 0 ] && [ "$(in_ns X sysctl -n "net.ipv4.conf.$X_IF1.arp_ignore")" = 0 ] ||
  fail "arp_ignore is not 0 in X: the lab needs Linux's default"
add_host P sw 1 02:00:00:00:00:20 "$P_IP/24"
start_exporter X "$PORT" --collector.arp.rescan-interval 1s --collector.arp.probe.own-interval 4s
X_LOG=$EXPORTER_LOG
start_exporter P "$PORT" --collector.arp.rescan-interval 1s
for pair in "X $X_IF1" "X $X_IF2" "P $(ifname P)"; do
  read -r host interface <<<"$pair"
  wait_for 10 metric_equals "$host" "$PORT" 1 arp_capture_up "interface=$interface" ||
    fail "the exporter in $host does not capture on $interface"
done
# The verifier learns all of the host's interfaces at once; its own-address probes are spread
# over one own-interval, so the first interface's is enough to know it is ready.
for host in X P; do
  wait_for 10 verifier_ready "$host" "$PORT" || fail "the exporter in $host never sent an own-address probe"
done

step "X's exporter lists both of X's MACs"
for pair in "$X_IF1 $X_MAC1" "$X_IF2 $X_MAC2"; do
  read -r interface mac <<<"$pair"
  [ "$(metric X "$PORT" arp_host_mac_info "interface=$interface" "mac=$mac")" = 1 ] ||
    fail "arp_host_mac_info has no series for $interface $mac"
done
scrape X "$PORT" | grep '^arp_host_mac_info' | sed 's/^/  X: /'

step "P asks for $X_IP1: both of X's MACs answer"
start_tcpdump sw "$(portname P)" "$WORK/peer-port.pcap" arp
peer_pcap=$LAST_PID
resolve P "$X_IP1" || fail "P cannot reach X at $X_IP1"
run_check P "$X_IP1"
printf '%s\n' "$CHECK_OUT" | sed 's/^/  check: /'
[ "$CHECK_RC" = 1 ] || fail "check $X_IP1 from P exited $CHECK_RC: expected 1 (both NICs answer)"
grep -qi "$X_MAC1" <<<"$CHECK_OUT" && grep -qi "$X_MAC2" <<<"$CHECK_OUT" || fail "check does not name both of X's MACs"
stop_tcpdump "$peer_pcap"
for mac in "$X_MAC1" "$X_MAC2"; do
  tcpdump -r "$WORK/peer-port.pcap" -n -e 2>/dev/null | grep -q "^[0-9:.]* $mac > .*Reply $X_IP1 is-at $mac" ||
    fail "P's port never saw $mac answer for $X_IP1"
done
say "P's port saw both $X_MAC1 and $X_MAC2 answer for $X_IP1"

step "X's exporter: several MACs of its own answer for $X_IP1, not a conflict"
wait_for 10 metric_equals X "$PORT" 2 arp_own_address_macs "ip=$X_IP1" ||
  fail "arp_own_address_macs{ip=\"$X_IP1\"} on X is '$(metric X "$PORT" arp_own_address_macs "ip=$X_IP1")', expected 2"
holds_for 3 no_series X "$PORT" arp_own_address_claim_info ||
  fail "X reports its own address claimed by its own other NIC: $(scrape X "$PORT" | grep '^arp_own_address_claim_info')"
scrape X "$PORT" | grep -E '^arp_own_address_(macs|claim_info)' | sed 's/^/  X: /'
wait_for 3 grep -q 'msg="own address answered by several of this host.s MACs".*ip=192.0.2.30 ' "$X_LOG" ||
  fail "X's exporter did not log that several of its MACs answer for $X_IP1"
grep 'msg="own address answered by several' "$X_LOG" | head -1 | sed 's/^/  log: /'
! grep -q 'msg="own address claimed"' "$X_LOG" || fail "X logged \"own address claimed\" for its own NICs"

step "control: with arp_ignore=1 each NIC answers only for its own address"
in_ns X sysctl -qw net.ipv4.conf.all.arp_ignore=1
run_check P "$X_IP1"
[ "$CHECK_RC" = 0 ] || fail "with arp_ignore=1, check $X_IP1 exited $CHECK_RC: $CHECK_OUT"
grep -qi "$X_MAC1" <<<"$CHECK_OUT" || fail "with arp_ignore=1, X's first NIC does not answer for $X_IP1"
say "arp_ignore=1: only $X_MAC1 answers for $X_IP1"

pass
