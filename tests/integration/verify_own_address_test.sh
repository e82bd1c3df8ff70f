#!/usr/bin/env bash
# Own-address verification (issue 10), both directions:
# 1. The blind spot: a rogue R configured with O's address 192.0.2.10 that never sends anything
#    unsolicited (no announcement, no traffic of its own; it only answers requests, unicast to
#    whoever asked) is invisible to every passive observer. O's exporter probes its own address
#    every --collector.arp.probe.own-interval (2 s here); R answers, and O's exporter reports
#    arp_own_address_claim_info for R's MAC within one interval (plus the round and some slack).
#    A peer P that resolves 192.0.2.10 receives both replies: P's exporter shows the conflict.
# 2. The false page: a VIP moved to H2 the keepalived way (no virtual MAC): the old holder H1
#    refreshes its gratuitous ARPs, sends its last ones and removes the VIP; H2 adds it and
#    announces it from its own MAC. H1's claims came before H2 held the address: H2's exporter
#    never reports its address claimed, over several own-interval periods.
#
# Usage: verify_own_address_test.sh [EXPORTER [ARP_INJECT]]
source "$(dirname "$0")/lib.sh"
init_test "$@"
need_arp_inject

PORT=10711
OWN_INTERVAL_S=2
O_IP=192.0.2.10
O_MAC=00:1b:21:0a:00:0a  # Intel
R_MAC=00:50:56:0b:ad:01  # VMware
P_IP=192.0.2.20
VIP=192.0.2.200
H1_MAC=02:00:00:00:00:a1
H2_MAC=02:00:00:00:00:a2

step "lab: owner O, peer P, rogue R (switched off, O's address, silent), H1 and H2 on one switch"
new_switch sw 1
add_host O sw 1 "$O_MAC" "$O_IP/24"
add_host P sw 1 02:00:00:00:00:20 "$P_IP/24"
add_host R sw 1 "$R_MAC" "$O_IP/24"
ip -n "$(nsname R)" link set "$(ifname R)" down
# R stays silent: no gratuitous ARP on link changes (the default, made explicit), and it never
# initiates traffic. It answers requests as any Linux host does.
in_ns R sysctl -qw net.ipv4.conf.all.arp_notify=0 "net.ipv4.conf.$(ifname R).arp_notify=0"
add_host H1 sw 1 "$H1_MAC" 192.0.2.21/24
add_host H2 sw 1 "$H2_MAC" 192.0.2.22/24
O_IF=$(ifname O)
start_exporter O "$PORT" --collector.arp.probe.own-interval "${OWN_INTERVAL_S}s" --collector.arp.rescan-interval 1s
EXPORTER_O_LOG=$EXPORTER_LOG
start_exporter P "$PORT" --collector.arp.rescan-interval 1s
start_exporter H2 "$PORT" --collector.arp.probe.own-interval "${OWN_INTERVAL_S}s" --collector.arp.rescan-interval 1s
H2_LOG=$EXPORTER_LOG
for host in O P H2; do
  wait_for 10 verifier_ready "$host" "$PORT" || fail "the exporter in $host never sent an own-address probe"
done
# O's exporter has seen its address configured and probed it: nobody else answers yet.
no_series O "$PORT" arp_own_address_claim_info || fail "O reports its address claimed before R exists"

step "the rogue R is switched on; it sends nothing of its own"
start_tcpdump sw "$(portname R)" "$WORK/rogue-port.pcap" arp and ether src "$R_MAC"
rogue_pcap=$LAST_PID
rogue_on_ms=$(now_ms)
ip -n "$(nsname R)" link set "$(ifname R)" up
WAIT_INTERVAL=0.05 wait_for 15 metric_equals O "$PORT" 1 arp_own_address_claim_info "interface=$O_IF" vlan= \
  "ip=$O_IP" "mac=$R_MAC" "vendor=VMware, Inc." ||
  fail "O's exporter did not report $O_IP claimed by R's MAC $R_MAC"
delay_ms=$(($(now_ms) - rogue_on_ms))
say "O reports its address claimed by $R_MAC $delay_ms ms after R's link came up (own-interval ${OWN_INTERVAL_S}s)"
# One own-interval for the next probe, about a second for its round, and a second of slack: an
# own-interval shorter than --collector.arp.probe.address-interval (10 s) is kept.
[ "$delay_ms" -le $(((OWN_INTERVAL_S + 2) * 1000)) ] ||
  fail "O needed $delay_ms ms to report its address claimed, more than one own-interval (${OWN_INTERVAL_S} s) plus 2 s: own-address rounds are held to --collector.arp.probe.address-interval (10 s); suppressed{limit=address_interval} on O: $(metric O "$PORT" arp_verification_probes_suppressed_total "interface=$O_IF" limit=address_interval)"
[ "$(series_count O "$PORT" arp_own_address_claim_info "mac=$O_MAC")" -eq 0 ] ||
  fail "O's exporter reports its own MAC as a foreign claimant"
scrape O "$PORT" | grep '^arp_own_address_claim_info' | sed 's/^/  O: /'
wait_for 3 grep -q 'msg="own address claimed".*ip=192.0.2.10 mac="00:50:56:0b:ad:01' "$EXPORTER_O_LOG" ||
  fail "no \"own address claimed\" log line naming R's MAC on O"
grep 'msg="own address claimed"' "$EXPORTER_O_LOG" | head -1 | sed 's/^/  log: /'
[ "$(metric O "$PORT" arp_verification_answers_total "interface=$O_IF")" -ge 1 ] ||
  fail "arp_verification_answers_total on O is 0"

step "peer P resolves $O_IP: both O and R answer it, and P's exporter shows the conflict"
in_ns P arping -c 1 -w 2 -I "$(ifname P)" "$O_IP" >"$WORK/arping-P.out" 2>&1 || true
sed 's/^/  arping: /' "$WORK/arping-P.out"
wait_for 10 contested_by P "$PORT" "$O_IP" "$O_MAC" "$R_MAC" ||
  fail "P's exporter does not show $O_IP contested by O and R: $(scrape P "$PORT" | grep -E "ip=\"$O_IP\"")"
scrape P "$PORT" | grep -E "^arp_address_(claimants|claim_info)" | sed 's/^/  P: /'

# R never sent anything but answers: replies, never a request (which would be a claim it made
# on its own). Its answers to O's and P's probes are unicast, so the monitor port of any other
# host never sees them.
stop_tcpdump "$rogue_pcap"
r_frames=$(frames_in "$WORK/rogue-port.pcap")
r_requests=$(tcpdump -r "$WORK/rogue-port.pcap" -n 2>/dev/null | grep -c 'Request' || true)
r_broadcast=$(tcpdump -r "$WORK/rogue-port.pcap" -n -e 2>/dev/null | grep -c '> ff:ff:ff:ff:ff:ff' || true)
say "R sent $r_frames frame(s): $r_requests request(s), $r_broadcast broadcast(s)"
[ "$r_frames" -ge 1 ] || fail "R sent nothing at all: it never answered"
[ "$r_requests" -eq 0 ] && [ "$r_broadcast" -eq 0 ] || fail "R sent something unsolicited: the rogue was not silent"

step "VIP $VIP moves from H1 to H2 the keepalived way (no virtual MAC)"
ip -n "$(nsname H1)" addr add "$VIP/24" dev "$(ifname H1)"
# H1, master: its refreshed gratuitous ARPs, which H2's exporter sees while H2 does not hold it.
in_ns H1 arping -q -U -c 2 -w 2 -I "$(ifname H1)" "$VIP" || true
wait_for 10 metric_at_least H2 "$PORT" 1 arp_addresses_tracked "interface=$(ifname H2)" ||
  fail "H2's exporter did not see H1's announcements of $VIP"
# Failover: H1's last announcement, then it drops the address; H2 takes it and announces it.
in_ns H1 arping -q -U -c 1 -w 1 -I "$(ifname H1)" "$VIP" || true
ip -n "$(nsname H1)" addr del "$VIP/24" dev "$(ifname H1)"
ip -n "$(nsname H2)" addr add "$VIP/24" dev "$(ifname H2)"
start_tcpdump sw "$(portname H2)" "$WORK/h2-port.pcap" arp and ether src "$H2_MAC"
h2_pcap=$LAST_PID
in_ns H2 arping -q -U -c 1 -w 1 -I "$(ifname H2)" "$VIP" || true
WINDOW_S=$((3 * OWN_INTERVAL_S + 1))
holds_for "$WINDOW_S" no_series H2 "$PORT" arp_own_address_claim_info ||
  fail "H2 reports the VIP that moved to it as claimed: $(scrape H2 "$PORT" | grep '^arp_own_address_claim_info')"
stop_tcpdump "$h2_pcap"
vip_probes=$(tcpdump -r "$WORK/h2-port.pcap" -n 2>/dev/null | grep -c "Request who-has $VIP tell 0.0.0.0" || true)
say "H2 probed $VIP $vip_probes time(s) in ${WINDOW_S} s and never reported it claimed"
[ "$vip_probes" -ge 2 ] || fail "H2 never completed an own-address round for $VIP: it was not verified"
# One round per own-interval: about 3 rounds, 6 probes.
[ "$vip_probes" -ge 4 ] ||
  fail "H2 sent $vip_probes probe(s) for its own $VIP in ${WINDOW_S} s with own-interval ${OWN_INTERVAL_S}s (expected about 3 rounds of 2)"
! grep -q 'msg="own address claimed"' "$H2_LOG" || fail "H2 logged \"own address claimed\" for the VIP it took over"

step "control: H1 claims the VIP again while H2 holds it: now that is a claim"
# H1 no longer holds the address (arping could not send from it): the frame is written by hand.
in_ns H1 "$ARP_INJECT" "$(ifname H1)" --op request --sender-mac "$H1_MAC" --sender-ip "$VIP" \
  --target-mac 00:00:00:00:00:00 --target-ip "$VIP" || fail "arp_inject failed"
wait_for 10 metric_equals H2 "$PORT" 1 arp_own_address_claim_info "interface=$(ifname H2)" vlan= "ip=$VIP" "mac=$H1_MAC" ||
  fail "H2 does not report H1's claim of $VIP made after H2 took it"
scrape H2 "$PORT" | grep '^arp_own_address_claim_info' | sed 's/^/  H2: /'

pass
