#!/usr/bin/env bash
# One host contesting 5,000 addresses: rogue T answers, with its one MAC, for 250 addresses in
# each of 20 VLANs (802.1Q tags injected on M's segment), each address also claimed in turn by
# an owner of its own. Every address is contested, and with the default
# --collector.arp.max-series (1000) the per-IP series stay within 1000 *series* (a contested
# address takes 1 + 3 per claimant: 7 here, so 142 addresses fit), while
# arp_address_series_omitted says how many addresses were left out: all the others. Before the
# cap counted series, this flood exported about 7 series per address for 1000 addresses.
#
# Usage: series_cap_test.sh [EXPORTER [ARP_INJECT]]
source "$(dirname "$0")/lib.sh"
init_test "$@"
need_arp_inject

PORT=10711
VLANS=20
PER_VLAN=250
ADDRESSES=$((VLANS * PER_VLAN))
CAP=1000  # the default of --collector.arp.max-series
ROGUE_MAC=02:cc:00:00:00:01
PER_IP_FAMILIES=(arp_own_address_claim_info arp_address_claimants arp_address_claim_info
  arp_address_claim_first_seen_timestamp_seconds arp_address_claim_last_seen_timestamp_seconds
  arp_own_address_macs arp_address_flapped_info)

step "lab: monitor M and rogue T on one switch"
new_switch sw 1
add_host M sw 1 02:00:00:00:08:01 192.0.2.1/24
add_host T sw 1 02:00:00:00:08:02 192.0.2.2/24
start_exporter M "$PORT" --collector.arp.rescan-interval 1s
M_IF=$(ifname M)
wait_for 10 metric_equals M "$PORT" 1 arp_capture_up "interface=$M_IF" || fail "no capture on M"
series() { grep -cv '^#' || true; }
before=$(scrape M "$PORT" | series)

inject() { in_ns T "$ARP_INJECT" "$(ifname T)" --interval-ms 0 "$@" >/dev/null || fail "arp_inject failed: $*"; }

step "T contests $ADDRESSES addresses ($PER_VLAN in each of $VLANS VLANs)"
started=$(now_ms)
for vlan in $(seq 1 "$VLANS"); do
  owner=$(printf '02:bb:00:00:%02x:00' "$vlan")
  # Owner, T, owner, T: each MAC claims again after the other did, which is a conflict (one
  # return alone would be a flap). Nobody answers the exporter's probes for these addresses.
  for round in 1 2; do
    inject --vlan "$vlan" --op reply --sender-mac "$owner" --sender-ip 198.51.100.1 \
      --target-mac 02:00:00:00:08:01 --target-ip 192.0.2.1 --count "$PER_VLAN" --vary both
    inject --vlan "$vlan" --op reply --sender-mac "$ROGUE_MAC" --sender-ip 198.51.100.1 \
      --target-mac 02:00:00:00:08:01 --target-ip 192.0.2.1 --count "$PER_VLAN" --vary ip
  done
done
say "sent $((4 * ADDRESSES)) frames in $(($(now_ms) - started)) ms"

contested=0
dropped=0
all_contested() {
  exposition=$(scrape M "$PORT") || return 1
  contested=$(sample_sum arp_addresses_contested "interface=$M_IF" <<<"$exposition")
  dropped=$(sample_sum arp_capture_kernel_dropped_frames_total "interface=$M_IF" <<<"$exposition")
  # A dropped frame can cost its address the conflict; none are expected at this size.
  [ "$contested" -ge $((ADDRESSES - dropped)) ]
}
wait_for 60 all_contested || fail "only $contested of $ADDRESSES addresses contested ($dropped frames dropped)"
say "$contested addresses contested, $dropped frames dropped by the capture"

step "the per-IP series stay within the cap, and what is left out is counted"
per_ip=0
for family in "${PER_IP_FAMILIES[@]}"; do
  per_ip=$((per_ip + $(sample_count "$family" <<<"$exposition")))
done
shown=$(sample_count arp_address_claimants <<<"$exposition")
omitted=$(sample arp_address_series_omitted <<<"$exposition")
after=$(series <<<"$exposition")
say "per-IP series: $per_ip (cap $CAP) for $shown addresses; arp_address_series_omitted $omitted"
say "series in the exposition: $before before the flood, $after after"
[ "$per_ip" -le "$CAP" ] || fail "$per_ip per-IP series, more than the cap of $CAP"
[ "$shown" -eq $((CAP / 7)) ] || fail "$shown contested addresses shown, $((CAP / 7)) fit (7 series each)"
[ "$omitted" -eq $((contested - shown)) ] ||
  fail "arp_address_series_omitted is $omitted, but $contested are contested and $shown shown"
[ $((after - before)) -le "$CAP" ] || fail "the flood added $((after - before)) series, more than the cap of $CAP"
# Every address shown carries T's MAC and its owner's: 2 claimants each, never a partial one.
[ "$(sample_count arp_address_claim_info "mac=$ROGUE_MAC" <<<"$exposition")" -eq "$shown" ] ||
  fail "not every address shown lists the rogue's MAC"
[ "$(sample_count arp_address_claim_info <<<"$exposition")" -eq $((2 * shown)) ] ||
  fail "an address is shown without all of its claimants"

step "the same state keeps the same addresses on the next scrape"
first=$(grep '^arp_address_claimants{' <<<"$exposition" | awk '{ print $1 }' | sort)
second=$(scrape M "$PORT" | grep '^arp_address_claimants{' | awk '{ print $1 }' | sort)
[ "$first" = "$second" ] || fail "two scrapes of one state showed different addresses"
exporter_answers M "$PORT" "$EXPORTER_PID" "$EXPORTER_LOG" || fail "M's exporter stopped answering"

say "PASS"
