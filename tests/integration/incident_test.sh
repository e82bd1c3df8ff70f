#!/usr/bin/env bash
# The incident of ../../../shared/README.md, end to end: A (192.0.2.10) and its peers B, C, D
# work until a forgotten machine R, configured with A's address, is switched on. B's neighbour
# table then points 192.0.2.10 at R and its connections to A are refused, while C and D still
# reach A. The exporter on the monitoring host M must show the address contested, with both
# MACs and vendors, within seconds of R's first frame; the exporter on A must say that a
# foreign MAC claims A's own address; the status page must list both, and B's and C's own
# status pages must each mark the MAC their host sends to (R for B, A for C).
#
# Usage: incident_test.sh [EXPORTER [ARP_INJECT]]
source "$(dirname "$0")/lib.sh"
init_test "$@"

PORT=10711

step "lab: A, C, D and monitor M on switch 1; B and the rogue R (switched off) on switch 2"
incident_lab
start_exporter M "$PORT" --collector.arp.rescan-interval 1s
# A's exporter listens on every address: B, C and D "connect to A" by fetching its page.
EXPORTER_HOST_ADDRESS=0.0.0.0 start_exporter A "$PORT" --collector.arp.rescan-interval 1s
# B's and C's own exporters: every host runs one, and each can say which MAC it sends to.
start_exporter B "$PORT" --collector.arp.rescan-interval 1s
start_exporter C "$PORT" --collector.arp.rescan-interval 1s
wait_for 10 metric_equals M "$PORT" 1 arp_capture_up "interface=$(ifname M)" ||
  fail "M's exporter never started capturing on $(ifname M)"
wait_for 10 metric_equals A "$PORT" 1 arp_capture_up "interface=$(ifname A)" ||
  fail "A's exporter never started capturing on $(ifname A)"

step "before R: A and its peers talk; nothing is contested"
# Everything M's port sees, from the start: to tell later which frame completed the conflict.
start_tcpdump M "$(ifname M)" "$WORK/monitor.pcap" arp
monitor_pcap_pid=$LAST_PID
incident_traffic_start
wait_for 15 metric_equals M "$PORT" 4 arp_addresses_tracked "interface=$(ifname M)" ||
  fail "M does not track A, B, C and D: $(metric M "$PORT" arp_addresses_tracked) addresses"
no_series M "$PORT" arp_address_claimants || fail "an address is contested before R exists"
for peer in "${INCIDENT_PEERS[@]}"; do
  wait_for 5 test "$(neigh_mac "$peer" "$INCIDENT_IP")" = "$INCIDENT_A_MAC" ||
    fail "before R, $peer resolves $INCIDENT_IP to '$(neigh_mac "$peer" "$INCIDENT_IP")', not A"
done
say "before R: M tracks 4 addresses, none contested; B, C and D resolve $INCIDENT_IP to A"

step "R is switched on; how long until M's exporter shows the conflict?"
start_tcpdump R "$(ifname R)" "$WORK/rogue-first.pcap" arp and ether src "$INCIDENT_R_MAC"
rogue_pcap_pid=$LAST_PID
rogue_on
WAIT_INTERVAL=0.05 wait_for 15 incident_visible M "$PORT" ||
  fail "M's exporter did not show $INCIDENT_IP contested by A and R with vendors within 15 s"
detected_ms=$(now_ms)
wait_for 5 first_frame_ms "$WORK/rogue-first.pcap" >/dev/null || fail "no frame from R was captured"
stop_tcpdump "$rogue_pcap_pid"
first_ms=$(first_frame_ms "$WORK/rogue-first.pcap")
delay_ms=$((detected_ms - first_ms))
[ "$delay_ms" -ge 0 ] || fail "detection before R's first frame? ($delay_ms ms)"
say "detection delay: $delay_ms ms (R's first frame on its wire -> first scrape of M showing both MACs)"
# How much of that is the exporter: A and R claim the address in turn only as often as their
# traffic makes them broadcast (about once a second here), and answer M's probes. The frame
# that made the address contested, as M's port saw it (the passive rule's: each MAC claimed
# again after the other, answers included), to the scrape that showed it:
wait_for 5 contested_at "$WORK/monitor.pcap" "$INCIDENT_IP" "$INCIDENT_A_MAC" "$INCIDENT_R_MAC" >/dev/null ||
  fail "M's port never saw A and R claim $INCIDENT_IP in turn, yet the exporter says contested"
stop_tcpdump "$monitor_pcap_pid"
contested_ms=$(contested_at "$WORK/monitor.pcap" "$INCIDENT_IP" "$INCIDENT_A_MAC" "$INCIDENT_R_MAC")
say "of which the exporter: $((detected_ms - contested_ms)) ms (frame completing the conflict on M's port -> scrape; the scrape loop polls every 50 ms)"
scrape M "$PORT" | grep -E "^arp_address_(claimants|claim_info)\{.*ip=\"$INCIDENT_IP\"" | sed 's/^/  M: /'
[ "$(metric M "$PORT" arp_addresses_contested "interface=$(ifname M)")" = 1 ] ||
  fail "arp_addresses_contested on M is not 1"

step "A's own exporter: a foreign MAC claims A's address"
wait_for 5 metric_equals A "$PORT" 1 arp_own_address_claim_info "interface=$(ifname A)" vlan= \
  "ip=$INCIDENT_IP" "mac=$INCIDENT_R_MAC" "vendor=$INCIDENT_R_VENDOR" ||
  fail "A's exporter has no arp_own_address_claim_info naming R's MAC"
[ "$(series_count A "$PORT" arp_own_address_claim_info "mac=$INCIDENT_A_MAC")" -eq 0 ] ||
  fail "A's exporter reports its own MAC as a foreign claimant"
scrape A "$PORT" | grep '^arp_own_address_claim_info' | sed 's/^/  A: /'

step "M's status page lists the contested address and both MACs"
page=$(scrape M "$PORT" /) || fail "the status page did not load"
trouble=$(sed -n '/<table id="trouble"/,/<\/table>/p' <<<"$page")
[ -n "$trouble" ] || fail "the status page has no table with id=\"trouble\""
for needle in "$INCIDENT_IP" "$INCIDENT_A_MAC" "$INCIDENT_R_MAC" "$INCIDENT_A_VENDOR" "$INCIDENT_R_VENDOR"; do
  grep -qF "$needle" <<<"$trouble" || fail "the trouble table lacks $needle"
done
say "status page: trouble table lists $INCIDENT_IP, $INCIDENT_A_MAC and $INCIDENT_R_MAC"

step "the peers' view: each flushes its cache and connects to $INCIDENT_IP"
incident_traffic_stop
for peer in "${INCIDENT_PEERS[@]}"; do
  resolve "$peer" "$INCIDENT_IP" || fail "$peer cannot reach $INCIDENT_IP at all"
done
for peer in "${INCIDENT_PEERS[@]}"; do
  entry=$(ip -n "$(nsname "$peer")" neigh show "$INCIDENT_IP")
  say "$peer: $entry"
done
[ "$(neigh_mac B "$INCIDENT_IP")" = "$INCIDENT_R_MAC" ] || fail "B does not resolve $INCIDENT_IP to R"
[ "$(neigh_mac C "$INCIDENT_IP")" = "$INCIDENT_A_MAC" ] || fail "C does not resolve $INCIDENT_IP to A"
[ "$(neigh_mac D "$INCIDENT_IP")" = "$INCIDENT_A_MAC" ] || fail "D does not resolve $INCIDENT_IP to A"
# The operator's symptom: B's connections are refused (R has no such service), C's and D's work.
outcome=()
for peer in "${INCIDENT_PEERS[@]}"; do
  if in_ns "$peer" curl -fsS --max-time 3 -o /dev/null "http://$INCIDENT_IP:$PORT/metrics" 2>"$WORK/curl-$peer.err"; then
    outcome+=("$peer:ok")
  else
    outcome+=("$peer:failed")
  fi
done
say "connections to http://$INCIDENT_IP:$PORT/: ${outcome[*]}"
[ "${outcome[*]}" = "B:failed C:ok D:ok" ] ||
  fail "expected B's connection to fail and C's and D's to work, got ${outcome[*]}"
grep -q 'Connection refused\|Couldn.t connect' "$WORK/curl-B.err" ||
  fail "B's connection failed for another reason than a refusal: $(cat "$WORK/curl-B.err")"

step "B's and C's own status pages say which claimant each of them sends to"
host_sends_to() {  # HOST MAC: the row of MAC on HOST's status page is marked as this host's
  local page
  page=$(scrape "$1" "$PORT" /) || return 1
  grep -q "<code>$2</code>.*this host sends here" <<<"$page"
}
for pair in "B $INCIDENT_R_MAC" "C $INCIDENT_A_MAC"; do
  read -r peer mac <<<"$pair"
  wait_for 15 incident_visible "$peer" "$PORT" || fail "$peer's exporter never showed the conflict"
  wait_for 10 host_sends_to "$peer" "$mac" ||
    fail "$peer's status page does not mark $mac as the MAC $peer sends to"
  say "$peer's status page: this host sends to $mac"
done

say "PASS"
