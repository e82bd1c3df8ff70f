#!/usr/bin/env bash
# A hostile segment: an attacker T floods the monitor's wire with what a broken or malicious
# host can send — thousands of MACs claiming one IP, more addresses than the tracker may hold,
# more contested addresses than the per-IP series cap, and truncated frames. The exporter keeps
# answering, every limit holds and is counted, memory stays bounded, and the per-frame log
# line is rate-limited instead of writing one line per frame.
#
# Usage: hostile_flood_test.sh [EXPORTER [ARP_INJECT]]
source "$(dirname "$0")/lib.sh"
init_test "$@"
need_arp_inject

PORT=10711
MAX_ADDRESSES=100  # tracker cap for this run
MAX_SERIES=20      # per-IP series cap for this run
MAX_CLAIMANTS=16   # the tracker's claimants per address (ClaimTrackerConfig's default)
CONTESTED=60       # addresses the flood makes contested, more than MAX_SERIES
MAC_FLOOD=20000    # MACs claiming one address
TRUNCATED=5000
FLOOD_IP=192.0.2.50

step "lab: monitor M and attacker T on one switch"
new_switch sw 1
add_host M sw 1 02:00:00:00:07:01 192.0.2.1/24
add_host T sw 1 02:00:00:00:07:02 192.0.2.2/24
start_exporter M "$PORT" --collector.arp.rescan-interval 1s \
  --collector.arp.max-addresses "$MAX_ADDRESSES" --collector.arp.max-series "$MAX_SERIES"
M_IF=$(ifname M)
wait_for 10 metric_equals M "$PORT" 1 arp_capture_up "interface=$M_IF" || fail "no capture on M"
rss_before=$(awk '/^VmRSS:/ { print $2 }' "/proc/$EXPORTER_PID/status")

inject() { in_ns T "$ARP_INJECT" "$(ifname T)" --interval-ms 0 "$@" || fail "arp_inject failed: $*"; }

step "the flood"
started=$(now_ms)
# 1. $MAC_FLOOD MACs, one after another, claim $FLOOD_IP.
inject --op request --sender-mac 02:aa:00:00:00:00 --sender-ip "$FLOOD_IP" \
  --target-mac 00:00:00:00:00:00 --target-ip 192.0.2.1 --count "$MAC_FLOOD" --vary mac
# 2. 254 more addresses than the tracker may hold, each with a MAC of its own.
inject --op request --sender-mac 02:dd:00:00:00:00 --sender-ip 203.0.113.1 \
  --target-mac 00:00:00:00:00:00 --target-ip 192.0.2.1 --count 254 --vary both
# 3. $CONTESTED addresses in 198.51.100.0/24, each claimed by two MACs taking turns: each MAC
# claims again after the other did (one return alone is a flap, not a conflict). Nobody answers
# the exporter's probes for these, so the passive rule decides.
for mac in 02:bb:00:00:00:00 02:cc:00:00:00:00 02:bb:00:00:00:00 02:cc:00:00:00:00; do
  inject --op reply --sender-mac "$mac" --sender-ip 198.51.100.1 --target-mac 02:00:00:00:07:01 \
    --target-ip 192.0.2.1 --count "$CONTESTED" --vary both
done
# 4. Frames cut off in the middle of the ARP header.
inject --op request --sender-mac 02:ee:00:00:00:00 --sender-ip 192.0.2.60 \
  --target-mac 00:00:00:00:00:00 --target-ip 192.0.2.1 --count "$TRUNCATED" --truncate 30
say "sent $((MAC_FLOOD + 4 * CONTESTED + 254 + TRUNCATED)) frames in $(($(now_ms) - started)) ms"

frames_seen() {
  local received dropped
  exposition=$(scrape M "$PORT") || return 1
  received=$(sample_sum arp_frames_rejected_total "interface=$M_IF" reason=truncated <<<"$exposition")
  dropped=$(sample_sum arp_capture_kernel_dropped_frames_total "interface=$M_IF" <<<"$exposition")
  [ $((received + dropped)) -ge "$TRUNCATED" ]
}
wait_for 20 frames_seen || fail "M never counted the truncated frames: $(sample arp_frames_rejected_total "interface=$M_IF" <<<"$exposition")"
# The tracker's counters are live, the kernel's drop count is read once a second: a scrape just
# after the flood can count a frame neither as a move nor yet as dropped. Wait until every frame
# of the flood is one or the other (the checks below then read that scrape; if frames were
# lost uncounted, this waits in vain and they fail).
flood_accounted() {
  local moves dropped
  exposition=$(scrape M "$PORT") || return 1
  moves=$(sample_sum arp_address_moves_total "interface=$M_IF" <<<"$exposition")
  dropped=$(sample_sum arp_capture_kernel_dropped_frames_total "interface=$M_IF" <<<"$exposition")
  [ "$moves" -ge $((MAC_FLOOD - 1 - dropped)) ]
}
wait_for 5 flood_accounted || true

step "every limit held, and was counted"
dropped=$(sample_sum arp_capture_kernel_dropped_frames_total "interface=$M_IF" <<<"$exposition")
say "kernel capture drops during the flood: $dropped"
truncated=$(sample_sum arp_frames_rejected_total "interface=$M_IF" reason=truncated <<<"$exposition")
[ "$dropped" -gt 0 ] || [ "$truncated" -eq "$TRUNCATED" ] ||
  fail "$truncated truncated frames counted, $TRUNCATED sent, none dropped"

# Each MAC of the flood claims once and is never heard again: a run of moves, counted, but no
# conflict (that needs a MAC to come back); the tracker keeps only the newest claimants.
claimant_evictions=$(sample_sum arp_tracker_claimant_evictions_total "interface=$M_IF" <<<"$exposition")
moves=$(sample_sum arp_address_moves_total "interface=$M_IF" <<<"$exposition")
say "$FLOOD_IP: $moves moves counted, $claimant_evictions claimants evicted (at most $MAX_CLAIMANTS kept)"
[ "$claimant_evictions" -ge $((MAC_FLOOD - MAX_CLAIMANTS - dropped)) ] ||
  fail "only $claimant_evictions claimant evictions counted for a flood of $MAC_FLOOD MACs"
[ "$moves" -ge $((MAC_FLOOD - 1 - dropped)) ] || fail "only $moves moves counted for a flood of $MAC_FLOOD MACs"

tracked=$(sample_sum arp_addresses_tracked "interface=$M_IF" <<<"$exposition")
evictions=$(sample_sum arp_tracker_evictions_total "interface=$M_IF" <<<"$exposition")
say "tracked addresses: $tracked (cap $MAX_ADDRESSES), evictions: $evictions"
[ "$tracked" -le "$MAX_ADDRESSES" ] || fail "$tracked addresses tracked, cap $MAX_ADDRESSES"
[ "$evictions" -gt 0 ] || fail "no eviction counted although the flood exceeded the cap"

# The contested addresses came after the address flood and survive it; more of them than the
# per-IP series cap: the cap holds, and what it leaves out is counted, not lost.
# The cap counts series: each contested address here takes 1 + 3 x 2 claimants = 7.
contested=$(sample_sum arp_addresses_contested "interface=$M_IF" <<<"$exposition")
shown=$(sample_count arp_address_claimants <<<"$exposition")
per_ip=$((shown + 3 * $(sample_count arp_address_claim_info <<<"$exposition")))
omitted=$(sample_sum arp_address_series_omitted <<<"$exposition")
say "contested: $contested; $shown shown with $per_ip per-IP series (cap $MAX_SERIES), omitted: $omitted"
[ "$contested" -eq "$CONTESTED" ] || fail "$contested addresses contested, $CONTESTED expected"
[ "$per_ip" -le "$MAX_SERIES" ] || fail "$per_ip per-IP series, cap $MAX_SERIES"
[ "$shown" -eq $((MAX_SERIES / 7)) ] || fail "$shown addresses shown, $((MAX_SERIES / 7)) fit"
[ "$omitted" -eq $((CONTESTED - shown)) ] ||
  fail "arp_address_series_omitted is $omitted, expected $((CONTESTED - shown))"

step "the exporter stays small and its log stays readable"
rss_after=$(awk '/^VmRSS:/ { print $2 }' "/proc/$EXPORTER_PID/status")
say "VmRSS: $rss_before kB before the flood, $rss_after kB after"
[ $((rss_after - rss_before)) -lt 65536 ] || fail "the flood grew the exporter by $((rss_after - rss_before)) kB"
elapsed_s=$((($(now_ms) - started) / 1000 + 1))
lines=$(grep -c 'msg="new MAC claims an address"' "$EXPORTER_LOG" || true)
say "log: $lines 'new MAC claims an address' lines in about ${elapsed_s} s"
# The budget: a burst of 20, then 2 a second.
[ "$lines" -le $((20 + 2 * elapsed_s + 2)) ] || fail "$lines log lines: the per-frame line is not rate-limited"
# Once the budget refills, the next new claim is logged and says how many lines were held back.
late=0
late_claim_logged() {
  late=$((late + 1))
  in_ns T "$ARP_INJECT" "$(ifname T)" --op request --sender-mac "02:ab:00:00:00:$(printf %02x $((late % 256)))" \
    --sender-ip "$FLOOD_IP" --target-mac 00:00:00:00:00:00 --target-ip 192.0.2.1 >/dev/null 2>&1
  grep -q 'msg="new MAC claims an address".*suppressed=[1-9]' "$EXPORTER_LOG"
}
WAIT_INTERVAL=0.2 wait_for 10 late_claim_logged || fail "no log line reports the suppressed ones"
grep 'suppressed=' "$EXPORTER_LOG" | head -1 | sed 's/^/  /'
exporter_answers M "$PORT" "$EXPORTER_PID" "$EXPORTER_LOG" || fail "M's exporter stopped answering"

say "PASS"
