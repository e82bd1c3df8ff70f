#!/usr/bin/env bash
# `check` for an IPv6 address (issue 12). Hosts A and B both hold 2001:db8::10 on one switch: A
# with Duplicate Address Detection (it passed, alone at the time), B added later with DAD off
# (`nodad`), as a cloned VM or a hand-typed static address ends up. Neither says anything
# unsolicited. From a third host M, `check 2001:db8::10` sends DAD solicitations from :: and
# both kernels must defend the address with an advertisement to all nodes: exit 1, naming
# both MACs with their vendors. With B's address gone only A answers (exit 0); an address
# nobody holds gets no answer (exit 3). A link-local address without -i is refused (exit 2):
# fe80::/64 is on every link.
#
# Usage: check_ipv6_duplicate_test.sh [EXPORTER [ARP_INJECT]]
source "$(dirname "$0")/lib.sh"
init_test "$@"

IP=2001:db8::10
UNUSED=2001:db8::77
A_MAC=00:1b:21:0a:00:0a  # Intel: the server that holds the address
B_MAC=00:50:56:0b:00:0b  # VMware: the clone that took it too
M_MAC=02:00:00:00:00:99

# enable_ipv6 HOST: the lab's namespaces start with IPv6 off; this test needs it on the host's
# interface, without router solicitations or autoconfiguration adding frames and addresses.
enable_ipv6() {
  local interface
  interface=$(ifname "$1")
  in_ns "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0 \
    "net.ipv6.conf.$interface.accept_ra=0" "net.ipv6.conf.$interface.autoconf=0" \
    "net.ipv6.conf.$interface.disable_ipv6=0"
}

# tentative HOST: some IPv6 address of HOST is still in Duplicate Address Detection.
tentative() { [ -n "$(ip -n "$(nsname "$1")" -6 addr show tentative)" ]; }
dad_failed() { [ -n "$(ip -n "$(nsname "$1")" -6 addr show dadfailed)" ]; }

step "lab: A holds $IP (DAD passed), B holds it too (nodad), M asks"
new_switch sw 1
# Every port must hear the solicited-node group, whatever MLD reports the bridge saw.
ip -n "$(nsname sw)" link set "$(brname 1)" type bridge mcast_snooping 0
add_host ndpA sw 1 "$A_MAC"
add_host ndpB sw 1 "$B_MAC"
add_host ndpM sw 1 "$M_MAC"
for host in ndpA ndpB ndpM; do enable_ipv6 "$host"; done
ip -n "$(nsname ndpA)" addr add "$IP/64" dev "$(ifname ndpA)"
wait_for 10 eval '! tentative ndpA' || fail "A's $IP is still tentative after 10 s"
! dad_failed ndpA || fail "A's DAD for $IP failed: the lab is not empty"
ip -n "$(nsname ndpB)" addr add "$IP/64" dev "$(ifname ndpB)" nodad
ip -n "$(nsname ndpM)" addr add 2001:db8::99/64 dev "$(ifname ndpM)" nodad
wait_for 10 eval '! tentative ndpM' || fail "M's link-local address is still tentative"
ip -n "$(nsname ndpA)" -6 addr show dev "$(ifname ndpA)" scope global | sed 's/^/  A: /'
ip -n "$(nsname ndpB)" -6 addr show dev "$(ifname ndpB)" scope global | sed 's/^/  B: /'

step "check $IP from M: A and B both defend it, exit 1"
start_tcpdump sw "$(portname ndpM)" "$WORK/m-port.pcap" icmp6
m_pcap=$LAST_PID
run_check ndpM "$IP" -i "$(ifname ndpM)"
printf '%s\n' "$CHECK_OUT" | sed 's/^/  check: /'
stop_tcpdump "$m_pcap"
tcpdump -r "$WORK/m-port.pcap" -n -e -v 2>/dev/null | sed 's/^/  M port: /' | head -20
[ "$CHECK_RC" = 1 ] || fail "check $IP exited $CHECK_RC, expected 1 (two MACs answer)"
grep -qi "$A_MAC" <<<"$CHECK_OUT" || fail "check does not name A's MAC $A_MAC"
grep -qi "$B_MAC" <<<"$CHECK_OUT" || fail "check does not name B's MAC $B_MAC"
grep -q "Intel" <<<"$CHECK_OUT" || fail "check does not name A's vendor"
grep -q "VMware" <<<"$CHECK_OUT" || fail "check does not name B's vendor"
grep -q "DUPLICATE ADDRESS" <<<"$CHECK_OUT" || fail "check does not say the address is duplicate"
# The probes on the wire: DAD solicitations from :: to the solicited-node group, which the
# kernels accepted (they answered); tcpdump checks the ICMPv6 checksum too.
tcpdump -r "$WORK/m-port.pcap" -n -v 2>/dev/null |
  grep -A1 ':: > ff02::1:ff00:10: \[icmp6 sum ok\] ICMP6, neighbor solicitation' | grep -q "who has $IP" ||
  fail "M's port saw no DAD solicitation for $IP with a good checksum"

step "JSON: both answers, verdict conflict"
run_check ndpM "$IP" -i "$(ifname ndpM)" --format json --count 1
[ "$CHECK_RC" = 1 ] || fail "check --format json exited $CHECK_RC: $CHECK_OUT"
grep -q '"verdict": "conflict"' <<<"$CHECK_OUT" || fail "JSON verdict is not conflict: $CHECK_OUT"
grep -q "\"ip\": \"$IP\"" <<<"$CHECK_OUT" || fail "JSON does not name $IP: $CHECK_OUT"

step "B drops the address: only A answers, exit 0"
ip -n "$(nsname ndpB)" addr del "$IP/64" dev "$(ifname ndpB)"
run_check ndpM "$IP" -i "$(ifname ndpM)"
printf '%s\n' "$CHECK_OUT" | sed 's/^/  check: /'
[ "$CHECK_RC" = 0 ] || fail "with one holder, check $IP exited $CHECK_RC, expected 0"
grep -qi "$A_MAC" <<<"$CHECK_OUT" || fail "check does not name A's MAC $A_MAC"
! grep -qi "$B_MAC" <<<"$CHECK_OUT" || fail "check names B, which no longer holds $IP"
grep -q "one MAC answers" <<<"$CHECK_OUT" || fail "check does not say one MAC answers"

step "an address nobody holds: no answer, exit 3"
run_check ndpM "$UNUSED" -i "$(ifname ndpM)" --count 2
printf '%s\n' "$CHECK_OUT" | sed 's/^/  check: /'
[ "$CHECK_RC" = 3 ] || fail "check $UNUSED exited $CHECK_RC, expected 3 (nobody answers)"
grep -q "no answer" <<<"$CHECK_OUT" || fail "check $UNUSED does not say nobody answered"

step "a link-local address needs -i"
run_check ndpM fe80::1
[ "$CHECK_RC" = 2 ] || fail "check fe80::1 without -i exited $CHECK_RC, expected 2"
grep -q "link-local" <<<"$CHECK_OUT" || fail "check fe80::1 does not say why: $CHECK_OUT"
say "$CHECK_OUT"

pass
