#!/usr/bin/env bash
# A big neighbour table: 50,000+ entries added with `ip -batch` into one namespace, and the
# counts in /metrics equal `ip neigh`'s, per interface, family and state. The scrape time is
# printed (tests never assert wall-clock limits; bench/neighbor_scrape_bench.sh compares).
#
# The lab's address blocks hold only 762 usable IPv4 addresses, so the IPv4 entries repeat them
# on 40 interfaces (the key of an entry is address and interface), and IPv6 adds 2001:db8:5c::/48
# entries. All but a few are permanent: permanent entries are exempt from gc_thresh (since Linux
# 4.20 they do not count in the table's gc_entries), so the kernel-wide limits are not hit,
# and the test checks that `ip neigh` really holds them. A few stale and noarp entries, which the
# kernel does count, show that states are told apart at this size too.
#
# Usage: neighbor_scale_test.sh [EXPORTER]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
init_test "$@"

PORT=10711
INTERFACES=40           # veth pairs; the entries go on the first end of each
IPV6_PER_INTERFACE=500  # 40 x 500 = 20,000
IPV4_BLOCKS=(192.0.2 198.51.100 203.0.113)

step "lab: namespace S with $INTERFACES veth pairs"
new_ns S
S_NS=$(nsname S)
in_ns S sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0
{
  for i in $(seq 0 $((INTERFACES - 1))); do
    printf 'link add %ss%d type veth peer name %st%d\n' "$PFX" "$i" "$PFX" "$i"
    printf 'link set %ss%d up\nlink set %st%d up\n' "$PFX" "$i" "$PFX" "$i"
  done
} >"$WORK/links.batch"
ip -n "$S_NS" -batch "$WORK/links.batch"

step "$INTERFACES x 762 IPv4 and $INTERFACES x $IPV6_PER_INTERFACE IPv6 permanent entries, a few stale and noarp"
awk -v pfx="$PFX" -v interfaces="$INTERFACES" -v per6="$IPV6_PER_INTERFACE" -v blocks="${IPV4_BLOCKS[*]}" '
  BEGIN {
    n = split(blocks, block, " ")
    for (i = 0; i < interfaces; i++) {
      for (b = 1; b <= n; b++)
        for (h = 1; h <= 254; h++)
          printf "neigh add %s.%d lladdr 02:5c:%02x:%02x:%02x:01 nud permanent dev %ss%d\n", block[b], h, i, b, h, pfx, i
      for (h = 1; h <= per6; h++)
        printf "neigh add 2001:db8:5c:%x::%x lladdr 02:5c:%02x:%02x:%02x:06 nud permanent dev %ss%d\n", i, h, i, int(h / 256), h % 256, pfx, i
    }
    # The peer ends: entries the kernel does garbage-collect, kept far below gc_thresh2.
    for (h = 1; h <= 40; h++) {
      printf "neigh add 192.0.2.%d lladdr 02:5d:00:00:%02x:01 nud stale dev %st0\n", h, h, pfx
      printf "neigh add 2001:db8:5d::%x lladdr 02:5d:00:00:%02x:06 nud stale dev %st1\n", h, h, pfx
    }
    for (h = 1; h <= 20; h++) {
      printf "neigh add 198.51.100.%d lladdr 02:5d:00:01:%02x:01 nud noarp dev %st2\n", h, h, pfx
      printf "neigh add 2001:db8:5d:1::%x lladdr 02:5d:00:01:%02x:06 nud noarp dev %st3\n", h, h, pfx
    }
  }' >"$WORK/neigh.batch"
added=$(wc -l <"$WORK/neigh.batch")
permanent_added=$(grep -c 'nud permanent' "$WORK/neigh.batch")
start_ms=$(now_ms)
ip -n "$S_NS" -batch "$WORK/neigh.batch" || fail "ip -batch refused entries (table full?)"
say "ip -batch added $added entries in $(($(now_ms) - start_ms)) ms"

start_ms=$(now_ms)
TABLE=$(ip_neigh_counts S)
say "ip neigh listed them in $(($(now_ms) - start_ms)) ms"
held_permanent=$(awk '$3 == "permanent" { s += $4 } END { print s + 0 }' <<<"$TABLE")
[ "$held_permanent" -eq "$permanent_added" ] ||
  fail "ip neigh holds $held_permanent permanent entries, $permanent_added were added"
held=$(awk '{ s += $4 } END { print s + 0 }' <<<"$TABLE")
[ "$held" -ge 50000 ] || fail "ip neigh holds only $held entries"
say "ip neigh holds $held entries ($held_permanent permanent) on $INTERFACES interfaces"

step "the exporter's counts equal ip neigh's, per interface, family and state"
start_exporter S "$PORT"
MISMATCH=
counts_match() {
  local exposition table
  table=$(ip_neigh_counts S)
  exposition=$(scrape S "$PORT") || return 1
  if [ "$(metric_counts <<<"$exposition")" = "$table" ]; then
    LAST_EXPOSITION=$exposition
    LAST_TABLE=$table
    return 0
  fi
  MISMATCH=$(diff <(printf '%s\n' "$table") <(metric_counts <<<"$exposition") | head -20)
  return 1
}
# Polled: stale entries may be garbage-collected by the kernel between the two reads.
wait_for 30 counts_match || fail "the counts differ (< ip neigh, > /metrics):
$MISMATCH"
exposition=$LAST_EXPOSITION
total=$(sample_sum arp_neighbor_entries <<<"$exposition")
[ "$total" -ge 50000 ] || fail "/metrics counts $total entries"
[ "$(sample_sum arp_neighbor_entries state=permanent <<<"$exposition")" = "$permanent_added" ] ||
  fail "/metrics counts $(sample_sum arp_neighbor_entries state=permanent <<<"$exposition") permanent entries, not $permanent_added"
[ "$(sample arp_scrape_collector_success collector=neighbor <<<"$exposition")" = 1 ] ||
  fail "arp_scrape_collector_success{collector=\"neighbor\"} is not 1"
for family in inet inet6; do
  for state in permanent stale noarp; do
    say "$family $state: $(sample_sum arp_neighbor_entries "family=$family" "state=$state" <<<"$exposition") (/metrics) = $(awk -v f="$family" -v s="$state" '$2 == f && $3 == s { n += $4 } END { print n + 0 }' <<<"$LAST_TABLE") (ip neigh)"
  done
done
[ "$(sample_count arp_neighbor_lladdr_info <<<"$exposition")" -eq 0 ] ||
  fail "per-IP series for a big table nobody watches"

step "scrape time with $total entries (printed, not asserted)"
times=()
for _ in 1 2 3 4 5; do
  times+=("$(in_ns S curl -fsS --max-time 30 -o /dev/null -w '%{time_total}' "http://127.0.0.1:$PORT/metrics")")
done
median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 3p)
exposition=$(scrape S "$PORT")
say "scrape: median of 5 = ${median}s (all: ${times[*]}); arp_scrape_collector_duration_seconds{collector=\"neighbor\"} = $(sample arp_scrape_collector_duration_seconds collector=neighbor <<<"$exposition")"
say "exporter VmRSS: $(awk '/^VmRSS/ { print $2, $3 }' "/proc/$EXPORTER_PID/status"); event overruns (resynchronised): $(sample arp_neighbor_netlink_overruns_total <<<"$exposition")"

say "PASS"
