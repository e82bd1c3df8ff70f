#!/usr/bin/env bash
# Active traffic is a promise to keep small (issue 10): through a flood of MAC changes (arp_inject
# from T: 250 addresses, each claimed by 9 MACs in turn, 2000 changes in a few seconds) the
# monitor's exporter sends no more probes than --collector.arp.probe.rate allows, counted on the
# wire at the monitor's switch port: at most rate x (seconds + 1) in any stretch of time (the
# burst is one second's worth). What the caps held back is counted
# (arp_verification_probes_suppressed_total), and what was sent matches
# arp_verification_probes_sent_total. With --no-collector.arp.probe the same flood makes the
# exporter send nothing at all, and arp_verification_enabled is 0.
#
# Usage: verify_probe_caps_test.sh [EXPORTER [ARP_INJECT]]
source "$(dirname "$0")/lib.sh"
init_test "$@"
need_arp_inject

PORT=10711
RATE=5
ADDRESSES=250
SETS=9  # MACs per address: SETS - 1 changes each
M_MAC=02:00:00:00:00:fa
M_IP=192.0.2.250

step "lab: monitor M and flooder T on one switch"
new_switch sw 1
add_host M sw 1 "$M_MAC" "$M_IP/24"
add_host T sw 1 02:00:00:00:00:71 192.0.2.71/24
M_IF=$(ifname M)

# flood: every address of 198.51.100.1-250 claimed by MAC 02:0S:00:00:00:k for S = 1..SETS in
# turn; the requests ask for 198.51.100.254, which nobody holds, so M's kernel never answers.
flood() {
  local set
  for set in $(seq 1 "$SETS"); do
    in_ns T "$ARP_INJECT" "$(ifname T)" --op request --sender-mac "02:0$set:00:00:00:00" \
      --sender-ip 198.51.100.1 --target-mac 00:00:00:00:00:00 --target-ip 198.51.100.254 \
      --count "$ADDRESSES" --vary both --interval-ms 1 || fail "arp_inject failed"
  done
}

probes_sent() { metric M "$PORT" arp_verification_probes_sent_total "interface=$M_IF"; }

# settled: the exporter has stopped sending and holding back (two polls 1 s apart agree).
LAST_ACTIVITY=
settled() {
  local now
  now="$(probes_sent) $(metric M "$PORT" arp_verification_probes_suppressed_total "interface=$M_IF")"
  if [ "$now" = "$LAST_ACTIVITY" ]; then return 0; fi
  LAST_ACTIVITY=$now
  return 1
}

# probe_times FILE: capture time (s, with fractions) of every probe (sender 0.0.0.0) in FILE.
probe_times() {
  tcpdump -r "$1" -tt -n 2>/dev/null | awk '/Request who-has .* tell 0\.0\.0\.0/ { print $1 }'
}

step "probing on, --collector.arp.probe.rate $RATE: the flood"
start_verifying_exporter M "$PORT" --collector.arp.probe.rate "$RATE" --collector.arp.rescan-interval 1s
probing_pid=$EXPORTER_PID
[ "$(metric M "$PORT" arp_verification_enabled)" = 1 ] || fail "arp_verification_enabled is not 1"
# M's own-address round (2 probes) is over before counting starts; the next is 30 s away.
wait_for 5 metric_at_least M "$PORT" 2 arp_verification_probes_sent_total "interface=$M_IF" reason=own_address ||
  fail "M's first own-address round did not end"
start_tcpdump sw "$(portname M)" "$WORK/probing.pcap" ether src "$M_MAC"
probing_pcap=$LAST_PID
sent_before=$(probes_sent)
capture_started=$(now_ms)
flood_started=$(now_ms)
flood
flood_ms=$(($(now_ms) - flood_started))
changes=$((ADDRESSES * (SETS - 1)))
say "flood: $((ADDRESSES * SETS)) claims, $changes changes of claimant, in $flood_ms ms"
wait_for 20 metric_at_least M "$PORT" "$changes" arp_address_moves_total "interface=$M_IF" ||
  fail "M counted $(metric M "$PORT" arp_address_moves_total "interface=$M_IF") moves of the $changes changes"
WAIT_INTERVAL=1 wait_for 30 settled || fail "the exporter was still probing 30 s after the flood"
stop_tcpdump "$probing_pcap"
capture_s=$(awk -v ms=$(($(now_ms) - capture_started)) 'BEGIN { printf "%.3f", ms / 1000 }')
sent=$(($(probes_sent) - sent_before))
exposition=$(scrape M "$PORT")
suppressed_rate=$(sample_sum arp_verification_probes_suppressed_total "interface=$M_IF" limit=rate <<<"$exposition")
suppressed_interval=$(sample_sum arp_verification_probes_suppressed_total "interface=$M_IF" limit=address_interval <<<"$exposition")
grep -E '^arp_verification_(probes|rounds)' <<<"$exposition" | sed 's/^/  M: /'

probe_times "$WORK/probing.pcap" >"$WORK/probe-times"
on_wire=$(wc -l <"$WORK/probe-times")
others=$(($(frames_in "$WORK/probing.pcap") - on_wire))
span=$(awk 'NR == 1 { first = $1 } { last = $1 } END { printf "%.3f", NR ? last - first : 0 }' "$WORK/probe-times")
say "on the wire from M in $capture_s s: $on_wire probes over $span s (first to last), $others other frames; counter: $sent sent"
say "suppressed: rate $suppressed_rate, address_interval $suppressed_interval"
[ "$others" -eq 0 ] || fail "M sent $others frames that are not probes"
[ "$on_wire" -ge $((2 * RATE)) ] || fail "only $on_wire probes on the wire: the exporter was not busy at its cap"
[ "$on_wire" -eq "$sent" ] || fail "$on_wire probes on the wire, but arp_verification_probes_sent_total grew by $sent"
[ "$suppressed_rate" -gt 0 ] || fail "arp_verification_probes_suppressed_total{limit=\"rate\"} is 0 after $changes changes"
# The whole measured period, then every stretch between two probes: at most rate x (seconds + 1)
# (the 0.1 s allow for the capture's timestamps against the exporter's clock).
awk -v n="$on_wire" -v rate="$RATE" -v t="$capture_s" 'BEGIN { exit !(n <= rate * (t + 1)) }' ||
  fail "$on_wire probes in $capture_s s: more than $RATE x (seconds + 1)"
worst=$(awk -v rate="$RATE" '
  { t[NR] = $1 }
  END {
    worst = "none"; excess = -1e9
    for (i = 1; i <= NR; i++)
      for (j = i; j <= NR; j++) {
        allowed = rate * (t[j] - t[i] + 1 + 0.1)
        if (j - i + 1 - allowed > excess) { excess = j - i + 1 - allowed; worst = sprintf("%d probes in %.3f s (allowed %.1f)", j - i + 1, t[j] - t[i], allowed) }
      }
    print (excess > 0 ? "VIOLATION " : "") worst
  }' "$WORK/probe-times")
say "tightest stretch: $worst"
[ "${worst#VIOLATION}" = "$worst" ] || fail "the rate cap did not hold: $worst"

step "--no-collector.arp.probe: the same flood, nothing sent"
stop_process "$probing_pid"
untrack "$probing_pid"
start_exporter M "$PORT" --no-collector.arp.probe --collector.arp.rescan-interval 1s
wait_for 10 metric_equals M "$PORT" 1 arp_capture_up "interface=$M_IF" || fail "the passive exporter does not capture"
[ "$(metric M "$PORT" arp_verification_enabled)" = 0 ] || fail "arp_verification_enabled is not 0 with --no-collector.arp.probe"
start_tcpdump sw "$(portname M)" "$WORK/passive.pcap" ether src "$M_MAC"
passive_pcap=$LAST_PID
flood
wait_for 20 metric_at_least M "$PORT" "$changes" arp_address_moves_total "interface=$M_IF" ||
  fail "the passive exporter counted $(metric M "$PORT" arp_address_moves_total "interface=$M_IF") moves of the $changes changes"
# As long as the probing exporter kept sending after its flood, and longer than an own-address
# round would take to come due.
no_frame_from_m() { [ "$(frames_in "$WORK/passive.pcap")" -eq 0 ]; }
holds_for 5 no_frame_from_m || fail "the passive exporter's host sent $(frames_in "$WORK/passive.pcap") frame(s)"
stop_tcpdump "$passive_pcap"
passive_frames=$(frames_in "$WORK/passive.pcap")
[ "$passive_frames" -eq 0 ] || fail "M sent $passive_frames frame(s) with --no-collector.arp.probe"
[ "$(series_count M "$PORT" arp_verification_probes_sent_total)" -eq 0 ] ||
  [ "$(metric M "$PORT" arp_verification_probes_sent_total)" -eq 0 ] ||
  fail "arp_verification_probes_sent_total is not 0 with --no-collector.arp.probe"
say "--no-collector.arp.probe: 0 frames from $M_MAC during the flood and 5 s after it; arp_verification_enabled 0"

step "a change seen right after the exporter started is verified too, and only probes sent are counted"
stop_process "$EXPORTER_PID"
untrack "$EXPORTER_PID"
START_IP=203.0.113.5
start_tcpdump sw "$(portname M)" "$WORK/startup.pcap" ether src "$M_MAC"
startup_pcap=$LAST_PID
start_exporter M "$PORT" --collector.arp.rescan-interval 1s
wait_for 10 metric_equals M "$PORT" 1 arp_capture_up "interface=$M_IF" || fail "no capture on M"
# No wait for verifier_ready here: a change can come at any moment after start.
for mac in 02:00:00:00:05:01 02:00:00:00:05:02; do
  in_ns T "$ARP_INJECT" "$(ifname T)" --op request --sender-mac "$mac" --sender-ip "$START_IP" \
    --target-mac 00:00:00:00:00:00 --target-ip 198.51.100.254 || fail "arp_inject failed"
done
wait_for 5 metric_at_least M "$PORT" 1 arp_verification_rounds_total "interface=$M_IF" outcome=unanswered ||
  fail "no round ended for the change of $START_IP"
change_probes=$(metric M "$PORT" arp_verification_probes_sent_total "interface=$M_IF" reason=change)
stop_tcpdump "$startup_pcap"
startup_wire=$(tcpdump -r "$WORK/startup.pcap" -n 2>/dev/null | grep -c "Request who-has $START_IP tell 0.0.0.0" || true)
say "right after start: $change_probes change probe(s) counted, $startup_wire on the wire for $START_IP"
# The verifier learns the host's interfaces once a second, the first time before the capture
# has started: a probe planned before its next look must still go out, and be counted once.
if [ "$startup_wire" -lt 2 ] || [ "$startup_wire" -ne "$change_probes" ]; then
  fail "a change 0-1 s after start: $change_probes probe(s) counted, $startup_wire sent; log: $(grep 'probe not sent' "$EXPORTER_LOG" | head -2 | tr '\n' ' ')"
fi

pass
