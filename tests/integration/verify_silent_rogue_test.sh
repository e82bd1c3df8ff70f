#!/usr/bin/env bash
# The conflict passive monitoring misses (issue 10): a quiet server A holds 192.0.2.10; a
# forgotten machine R, configured with the same address, announces itself once at link-up and
# from then on only answers requests, unicast to whoever asked. A monitoring host M elsewhere on
# the switched segment sees R's single announcement exactly as it would see a NIC replacement;
# only asking tells them apart. M's exporter must probe on that change and show the address
# contested by both MACs within 2 s of R's first frame, and `check` from M must name both and
# exit 1. The counterpart: a real NIC replacement (server S's MAC changes, the old MAC is gone,
# the new one announces once) is a move, answered by the new MAC alone: no page, `check` exits 0.
#
# The NIC replacement is done on a second quiet server S rather than on A, because R still holds
# A's address and A's conflict stays until the exporter's next recheck.
#
# Usage: verify_silent_rogue_test.sh [EXPORTER [ARP_INJECT]]
source "$(dirname "$0")/lib.sh"
init_test "$@"

PORT=10711
A_IP=192.0.2.10
A_MAC=00:1b:21:0a:00:0a      # Intel: A's NIC
R_MAC=00:50:56:0b:ad:01      # VMware: the forgotten VM
S_IP=192.0.2.11
S_OLD_MAC=00:1b:21:0a:00:0b  # Intel: S's NIC, replaced
S_NEW_MAC=00:1b:21:0a:00:0c  # Intel: its replacement
M_IP=192.0.2.250

step "lab: quiet servers A and S, monitor M, and R (switched off) with A's address, on one switch"
new_switch sw 1
add_host A sw 1 "$A_MAC" "$A_IP/24"
add_host S sw 1 "$S_OLD_MAC" "$S_IP/24"
add_host M sw 1 02:00:00:00:00:fa "$M_IP/24"
add_host R sw 1 "$R_MAC" "$A_IP/24"
ip -n "$(nsname sw)" link set "$(portname R)" down
M_IF=$(ifname M)
start_verifying_exporter M "$PORT" --collector.arp.rescan-interval 1s
[ "$(metric M "$PORT" arp_verification_enabled)" = 1 ] || fail "arp_verification_enabled is not 1 by default"

# M has talked to A and S once: it knows who holds their addresses. Nothing else is sent.
resolve M "$A_IP" || fail "M cannot reach A"
resolve M "$S_IP" || fail "M cannot reach S"
wait_for 10 metric_equals M "$PORT" 3 arp_addresses_tracked "interface=$M_IF" ||
  fail "M does not track A, S and itself: $(metric M "$PORT" arp_addresses_tracked "interface=$M_IF") addresses"
no_series M "$PORT" arp_address_claimants || fail "an address is contested before R exists"
say "M tracks $A_IP (A), $S_IP (S) and its own $M_IP; nothing contested"

step "R is switched on, announces $A_IP once, then only answers"
start_tcpdump R "$(ifname R)" "$WORK/rogue.pcap" arp and ether src "$R_MAC"
rogue_pcap=$LAST_PID
start_tcpdump sw "$(portname M)" "$WORK/monitor-port.pcap" arp
monitor_pcap=$LAST_PID
ip -n "$(nsname sw)" link set "$(portname R)" up
# The one announcement, as a host's network setup makes at link-up (arping -U: sender = target).
ip netns exec "$(nsname R)" arping -q -U -c 1 -w 1 -I "$(ifname R)" "$A_IP" </dev/null >/dev/null 2>&1 &
announce=$!
track "$announce"
WAIT_INTERVAL=0.05 wait_for 10 contested_by M "$PORT" "$A_IP" "$A_MAC" "$R_MAC" ||
  fail "M's exporter did not show $A_IP contested by A and R within 10 s of R's announcement"
detected_ms=$(now_ms)
wait_for 5 first_frame_ms "$WORK/rogue.pcap" >/dev/null || fail "no frame from R was captured"
first_ms=$(first_frame_ms "$WORK/rogue.pcap")
delay_ms=$((detected_ms - first_ms))
say "contested $delay_ms ms after R's first frame (scrape polled every 50 ms)"
[ "$delay_ms" -ge 0 ] || fail "contested before R's first frame? ($delay_ms ms)"
[ "$delay_ms" -le 2000 ] || fail "contested $delay_ms ms after R's first frame, more than 2 s"
scrape M "$PORT" | grep -E "^arp_address_(claimants|claim_info)\{.*ip=\"$A_IP\"" | sed 's/^/  M: /'
exposition=$(scrape M "$PORT")
for pair in "$A_MAC|Intel Corporate" "$R_MAC|VMware, Inc."; do
  mac=${pair%%|*} vendor=${pair#*|}
  [ "$(sample arp_address_claim_info "interface=$M_IF" "ip=$A_IP" "mac=$mac" "vendor=$vendor" <<<"$exposition")" = 1 ] ||
    fail "no arp_address_claim_info for $mac with vendor \"$vendor\""
done
[ "$(sample_sum arp_addresses_contested "interface=$M_IF" <<<"$exposition")" = 1 ] ||
  fail "arp_addresses_contested on M is not 1"
# The round lasts about a second after the first probe; the answers themselves may already have
# shown the two MACs in turn.
wait_for 5 metric_at_least M "$PORT" 1 arp_verification_rounds_total "interface=$M_IF" outcome=several_macs ||
  fail "no verification round with several MACs counted: the conflict was not verified"
contested_by M "$PORT" "$A_IP" "$A_MAC" "$R_MAC" || fail "$A_IP is no longer contested after the round"
exposition=$(scrape M "$PORT")
[ "$(sample_sum arp_verification_probes_sent_total "interface=$M_IF" reason=change <<<"$exposition")" -ge 2 ] ||
  fail "fewer than 2 probes sent for the change"
grep -q 'msg="address contested".*ip=192.0.2.10' "$EXPORTER_LOG" || fail "no \"address contested\" log line for $A_IP"
grep 'msg="address contested"' "$EXPORTER_LOG" | head -1 | sed 's/^/  log: /'
stop_tcpdump "$rogue_pcap"
rogue_frames=$(frames_in "$WORK/rogue.pcap")
say "R sent $rogue_frames frame(s): its announcement and its answers to M's probes"

# What M's port saw: the probes (sender 0.0.0.0 from M's MAC) and both answers, unicast to M.
stop_tcpdump "$monitor_pcap"
probes_on_wire=$(tcpdump -r "$WORK/monitor-port.pcap" -n -e 2>/dev/null | grep -c 'Request who-has 192.0.2.10 tell 0.0.0.0' || true)
answers_a=$(tcpdump -r "$WORK/monitor-port.pcap" -n -e 2>/dev/null | grep -c "^[0-9:.]* $A_MAC > 02:00:00:00:00:fa.*Reply $A_IP is-at" || true)
answers_r=$(tcpdump -r "$WORK/monitor-port.pcap" -n -e 2>/dev/null | grep -c "^[0-9:.]* $R_MAC > 02:00:00:00:00:fa.*Reply $A_IP is-at" || true)
say "M's port: $probes_on_wire probe(s) for $A_IP, $answers_a answer(s) from A, $answers_r from R"
[ "$probes_on_wire" -ge 1 ] || fail "no probe for $A_IP on M's port"
[ "$answers_a" -ge 1 ] && [ "$answers_r" -ge 1 ] || fail "M's port did not see both A and R answer"

step "check $A_IP from M: both MACs answer, exit 1"

run_check M "$A_IP"
printf '%s\n' "$CHECK_OUT" | sed 's/^/  check: /'
[ "$CHECK_RC" = 1 ] || fail "check $A_IP exited $CHECK_RC, expected 1 (two MACs)"
grep -qi "$A_MAC" <<<"$CHECK_OUT" || fail "check does not name A's MAC $A_MAC"
grep -qi "$R_MAC" <<<"$CHECK_OUT" || fail "check does not name R's MAC $R_MAC"
grep -q "VMware" <<<"$CHECK_OUT" || fail "check does not name R's vendor"
run_check M "$A_IP" --format json --count 2
[ "$CHECK_RC" = 1 ] || fail "check --format json exited $CHECK_RC, expected 1"
grep -q "\"$A_MAC\"" <<<"$CHECK_OUT" && grep -q "\"$R_MAC\"" <<<"$CHECK_OUT" ||
  fail "check --format json does not list both MACs: $CHECK_OUT"

step "NIC replacement on S: its MAC changes, the old one is gone, the new one announces once"
moved_before=$(metric M "$PORT" arp_addresses_moved "interface=$M_IF")
one_mac_before=$(metric M "$PORT" arp_verification_rounds_total "interface=$M_IF" outcome=one_mac)
[ "$moved_before" = 0 ] || fail "arp_addresses_moved is $moved_before before the replacement"
ip -n "$(nsname S)" link set dev "$(ifname S)" down
ip -n "$(nsname S)" link set dev "$(ifname S)" address "$S_NEW_MAC"
ip -n "$(nsname S)" link set dev "$(ifname S)" up
in_ns S arping -q -U -c 1 -w 1 -I "$(ifname S)" "$S_IP" || true
wait_for 10 metric_equals M "$PORT" 1 arp_addresses_moved "interface=$M_IF" ||
  fail "arp_addresses_moved on M is $(metric M "$PORT" arp_addresses_moved "interface=$M_IF"), expected 1"
wait_for 10 metric_at_least M "$PORT" $((one_mac_before + 1)) arp_verification_rounds_total "interface=$M_IF" outcome=one_mac ||
  fail "no verification round answered by one MAC after the replacement"
holds_for 2 no_series M "$PORT" arp_address_claimants "ip=$S_IP" || fail "the NIC replacement made $S_IP contested"
[ "$(metric M "$PORT" arp_addresses_moved "interface=$M_IF")" = 1 ] || fail "arp_addresses_moved is no longer 1"
scrape M "$PORT" | grep -E '^arp_(addresses_moved|addresses_contested|verification_rounds_total)' | sed 's/^/  M: /'

step "check $S_IP from M: only the new NIC answers, exit 0"
run_check M "$S_IP"
printf '%s\n' "$CHECK_OUT" | sed 's/^/  check: /'
[ "$CHECK_RC" = 0 ] || fail "check $S_IP exited $CHECK_RC, expected 0 (one MAC)"
grep -qi "$S_NEW_MAC" <<<"$CHECK_OUT" || fail "check does not name S's new MAC"
! grep -qi "$S_OLD_MAC" <<<"$CHECK_OUT" || fail "check names S's old MAC, which is gone"

say "PASS"
