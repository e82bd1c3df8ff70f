#!/usr/bin/env bash
# Interfaces come and go under a running exporter: the monitor's veth is deleted while it is
# captured (the exporter stays up and reports the capture down), then recreated with the same
# name and address (capture resumes, frames are counted again); an interface added later that
# matches the default selection is picked up, one that does not match (no IPv4 address) is not.
#
# Usage: interface_lifecycle_test.sh [EXPORTER [ARP_INJECT]]
source "$(dirname "$0")/lib.sh"
init_test "$@"

PORT=10711
M_MAC=02:00:00:00:00:fa
M_IP=192.0.2.250
B_IP=192.0.2.20
F_IP=203.0.113.1

step "lab: one switch; monitor M and peer B (192.0.2.0/24), peer F (203.0.113.0/24)"
new_switch sw 1
add_host M sw 1 "$M_MAC" "$M_IP/24"
add_host B sw 1 02:00:00:00:00:20 "$B_IP/24"
add_host F sw 1 02:00:00:00:00:f1 "$F_IP/24"
MON=$(ifname M)
start_exporter M "$PORT" --collector.arp.rescan-interval 1s
exporter=$EXPORTER_PID
exporter_log=$EXPORTER_LOG
wait_for 10 metric_equals M "$PORT" 1 arp_capture_up "interface=$MON" || fail "no capture on $MON"

# frames_seen INTERFACE: ARP frames the exporter decoded on it (every kind).
frames_seen() { metric M "$PORT" arp_frames_total "interface=$1"; }

# B (or F) asks for M's address in a broadcast, which M captures.
traffic_to_m() { resolve "$1" "$2" >/dev/null || true; }

traffic_to_m B "$M_IP"
wait_for 10 metric_at_least M "$PORT" 1 arp_frames_total "interface=$MON" || fail "no frame counted on $MON"
say "capturing on $MON: $(frames_seen "$MON") frames"

step "M's veth is deleted while captured"
ip -n "$(nsname M)" link del "$MON"
deleted_ms=$(now_ms)
wait_for 15 metric_equals M "$PORT" 0 arp_capture_up "interface=$MON" ||
  fail "arp_capture_up{interface=\"$MON\"} did not go to 0 after the interface was deleted"
say "capture reported down $(($(now_ms) - deleted_ms)) ms after the deletion"
process_gone "$exporter" && fail "the exporter exited when its interface was deleted"
# Still serving, and still itself: the scrape works and says the collector succeeded.
metric_equals M "$PORT" 1 arp_scrape_collector_success collector=arp ||
  fail "the arp collector reports failure while an interface is gone"
frames_before=$(frames_seen "$MON")
received_before=$(metric M "$PORT" arp_capture_received_frames_total "interface=$MON")

step "a veth with the same name and address returns"
plug_host M sw 1 "$M_MAC" "$M_IP/24"
recreated_ms=$(now_ms)
wait_for 15 metric_equals M "$PORT" 1 arp_capture_up "interface=$MON" ||
  fail "arp_capture_up{interface=\"$MON\"} did not return to 1 after the interface came back"
say "capture up again $(($(now_ms) - recreated_ms)) ms after the interface returned"
traffic_to_m B "$M_IP"
wait_for 10 metric_at_least M "$PORT" $((frames_before + 1)) arp_frames_total "interface=$MON" ||
  fail "no frame counted on $MON after it returned (still $(frames_seen "$MON"))"
wait_for 10 metric_at_least M "$PORT" $((received_before + 1)) arp_capture_received_frames_total "interface=$MON" ||
  fail "arp_capture_received_frames_total on $MON did not grow after it returned"
say "frames on $MON: $frames_before before -> $(frames_seen "$MON") after it returned"
say "exporter log lines about $MON:"
grep "interface=$MON" "$exporter_log" | sed 's/^/  /'

step "interfaces added while running: one matching the default selection, one not"
# No IPv4 address: not selected by default (a mirror port needs --collector.arp.interfaces-include).
plug_host M sw 1 02:00:00:00:00:fc "" "${PFX}eMx"
plug_host M sw 1 02:00:00:00:00:fb 203.0.113.250/24 "${PFX}eM2"
wait_for 15 metric_equals M "$PORT" 1 arp_capture_up "interface=${PFX}eM2" ||
  fail "the interface ${PFX}eM2 added after start was not picked up"
traffic_to_m F 203.0.113.250
wait_for 10 metric_at_least M "$PORT" 1 arp_frames_total "interface=${PFX}eM2" ||
  fail "no frame counted on the added interface ${PFX}eM2"
no_series M "$PORT" arp_capture_up "interface=${PFX}eMx" ||
  fail "${PFX}eMx, which has no IPv4 address, was selected for capture"
say "added ${PFX}eM2: capturing, $(frames_seen "${PFX}eM2") frames; ${PFX}eMx (no IPv4) left alone"

step "an interface that goes down and up again"
ip -n "$(nsname M)" link set "${PFX}eM2" down
wait_for 15 metric_equals M "$PORT" 0 arp_capture_up "interface=${PFX}eM2" ||
  fail "arp_capture_up{interface=\"${PFX}eM2\"} did not go to 0 when it went down"
frames_before=$(frames_seen "${PFX}eM2")
ip -n "$(nsname M)" link set "${PFX}eM2" up
wait_for 15 metric_equals M "$PORT" 1 arp_capture_up "interface=${PFX}eM2" ||
  fail "arp_capture_up{interface=\"${PFX}eM2\"} did not return to 1 when it came up"
traffic_to_m F 203.0.113.250
wait_for 10 metric_at_least M "$PORT" $((frames_before + 1)) arp_frames_total "interface=${PFX}eM2" ||
  fail "no frame counted on ${PFX}eM2 after it came back up"
say "${PFX}eM2 down: capture 0; up again: capture 1, frames $frames_before -> $(frames_seen "${PFX}eM2")"
process_gone "$exporter" && fail "the exporter exited"

say "PASS"
