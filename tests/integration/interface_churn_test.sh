#!/usr/bin/env bash
# Docker bridges and CNI veths come and go all day under an exporter that runs on every node.
# Thirty interfaces with addresses are created, captured (a frame seen on each), and deleted,
# three times over: while they exist the exporter runs no extra thread for them, and once the
# grace period (--collector.arp.forget-after) has passed they are forgotten (counted in
# arp_capture_interfaces_forgotten_total): the thread count and the number of series are back
# to their baseline, and no arp_capture_up 0 is left behind for ArpCaptureDown to fire on
# forever. An interface forgotten and then created again is captured again, frames counted.
#
# Usage: interface_churn_test.sh [EXPORTER [ARP_INJECT]]
source "$(dirname "$0")/lib.sh"
init_test "$@"

PORT=10741
COUNT=30
ROUNDS=3
M_IP=192.0.2.250

step "lab: monitor M (its own veth, 192.0.2.250/24) and sender S, which holds the far ends"
new_switch sw 1
add_host M sw 1 02:00:00:00:00:fa "$M_IP/24"
new_ns S
M_NS=$(nsname M)
S_NS=$(nsname S)
start_exporter M "$PORT" --collector.arp.rescan-interval 1s --collector.arp.forget-after 3s
exporter=$EXPORTER_PID
wait_for 10 metric_equals M "$PORT" 1 arp_capture_up "interface=$(ifname M)" || fail "no capture on M"

threads() { awk '/^Threads:/ { print $2 }' "/proc/$exporter/status"; }
# Every series of the exposition, whatever its name.
all_series() { scrape M "$PORT" | grep -vc '^#'; }
churn_name() { printf '%sc%02d' "$PFX" "$1"; }
# Series of any family naming a churned interface.
churn_series() { scrape M "$PORT" | grep -v '^#' | grep -c "interface=\"${PFX}c" || true; }
captures_up() { scrape M "$PORT" | sample arp_capture_up | awk '$1 == 1' | wc -l; }
churn_up() {
  scrape M "$PORT" | grep "^arp_capture_up{interface=\"${PFX}c" | awk '$NF == 1' | wc -l
}
all_churn_up() { [ "$(churn_up)" -eq "$COUNT" ]; }
frames_on_each() { [ "$(churn_frames)" -ge "$COUNT" ]; }
churn_frames() {
  scrape M "$PORT" | grep "^arp_frames_total{interface=\"${PFX}c" | awk '{ s += $NF } END { print s + 0 }'
}

# create I: a veth pair, M's end with 198.51.100.I/24 (captured by default: it has an address),
# S's end holding 198.51.100.(100+I).
create() {
  local i=$1 name peer
  name=$(churn_name "$i")
  peer=${PFX}d$(printf '%02d' "$i")
  ip -n "$M_NS" link add "$name" type veth peer name "$peer" netns "$S_NS"
  ip -n "$M_NS" addr add "198.51.100.$i/24" dev "$name"
  ip -n "$S_NS" addr add "198.51.100.$((100 + i))/24" dev "$peer"
  ip -n "$M_NS" link set "$name" up
  ip -n "$S_NS" link set "$peer" up
}
# ask I: S asks for M's address on pair I (a broadcast request M captures).
ask() {
  ip netns exec "$S_NS" arping -q -c 1 -w 1 -I "${PFX}d$(printf '%02d' "$1")" "198.51.100.$1" \
    >/dev/null 2>&1 || true
}
destroy() { ip -n "$M_NS" link del "$(churn_name "$1")"; }

baseline_threads=$(threads)
baseline_series=$(all_series)
say "baseline: $baseline_threads threads, $baseline_series series"
back_to_baseline() {
  [ "$(threads)" -eq "$baseline_threads" ] && [ "$(all_series)" -eq "$baseline_series" ] &&
    [ "$(churn_series)" -eq 0 ]
}

peak_threads=0
for round in $(seq 1 "$ROUNDS"); do
  step "round $round: $COUNT interfaces created, captured, deleted"
  for i in $(seq 1 "$COUNT"); do create "$i"; done
  wait_for 20 all_churn_up ||
    fail "round $round: only $(churn_up) of $COUNT new interfaces captured"
  for i in $(seq 1 "$COUNT"); do ask "$i"; done
  # Each pair's request counted on its own interface: every capture delivers frames.
  wait_for 10 frames_on_each ||
    fail "round $round: $(churn_frames) frames counted on $COUNT interfaces (each was sent one)"
  now_threads=$(threads)
  [ "$now_threads" -gt "$peak_threads" ] && peak_threads=$now_threads
  say "captured: $(churn_up) interfaces up, $(churn_frames) frames, $now_threads threads, $(all_series) series"
  [ "$now_threads" -le "$baseline_threads" ] ||
    fail "round $round: $now_threads threads while capturing $COUNT more interfaces (baseline $baseline_threads): capture threads grow with the interfaces"

  for i in $(seq 1 "$COUNT"); do destroy "$i"; done
  deleted_ms=$(now_ms)
  wait_for 20 back_to_baseline ||
    fail "round $round: after the grace: $(threads) threads (baseline $baseline_threads), $(all_series) series (baseline $baseline_series), $(churn_series) naming a deleted interface"
  say "deleted: back to $(threads) threads and $(all_series) series $(($(now_ms) - deleted_ms)) ms later"
  forgotten=$(metric M "$PORT" arp_capture_interfaces_forgotten_total)
  [ "$forgotten" -eq $((round * COUNT)) ] ||
    fail "round $round: arp_capture_interfaces_forgotten_total is $forgotten, expected $((round * COUNT))"
done
no_series M "$PORT" arp_capture_up "interface=$(churn_name 1)" ||
  fail "a forgotten interface still has arp_capture_up"
[ "$(captures_up)" -eq 1 ] || fail "$(captures_up) captures up, expected M's own only"
forgotten_lines=$(grep -c 'msg="interface forgotten"' "$EXPORTER_LOG" || true)
[ "$forgotten_lines" -eq $((ROUNDS * COUNT)) ] ||
  fail "$forgotten_lines 'interface forgotten' log lines for $((ROUNDS * COUNT)) forgotten interfaces"
grep -m 1 'msg="interface forgotten"' "$EXPORTER_LOG" | sed 's/^/  log: /'

step "an interface forgotten, then created again, is captured again"
create 7
wait_for 10 metric_equals M "$PORT" 1 arp_capture_up "interface=$(churn_name 7)" ||
  fail "$(churn_name 7) created again was not captured"
ask 7
wait_for 10 metric_at_least M "$PORT" 1 arp_frames_total "interface=$(churn_name 7)" ||
  fail "no frame counted on $(churn_name 7) after it was created again"
say "$(churn_name 7) again: capture up, $(metric M "$PORT" arp_frames_total "interface=$(churn_name 7)") frames"
process_gone "$exporter" && fail "the exporter exited"
say "threads: baseline $baseline_threads, peak while capturing $((COUNT + 1)) interfaces $peak_threads"

pass
