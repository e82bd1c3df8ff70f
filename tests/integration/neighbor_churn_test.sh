#!/usr/bin/env bash
# Interfaces that come and go while Prometheus scrapes (containers starting and stopping on a
# node): every scrape still answers, complete and consistent, and the neighbour collector does
# not report a failure for an interface that vanished between listing interfaces and dumping
# the table. The sniffer watches the same churn and keeps running.
#
# Usage: neighbor_churn_test.sh [EXPORTER [ARP_INJECT]]
source "$(dirname "$0")/lib.sh"
init_test "$@"
require_tools promtool

PORT=10711
SCRAPES=60
PAIRS=4  # veth pairs created and deleted in turn, each with a few entries

step "lab: namespace H, its exporter, and a loop that creates and deletes veth pairs with entries"
new_ns H
H_NS=$(nsname H)
start_exporter H "$PORT" --collector.arp.rescan-interval 1s --collector.arp.interfaces-include "^$PFX"

# churn: forever, for each pair: create it, give it addresses and neighbour entries, delete it.
churn() {
  local round=0 i
  while :; do
    round=$((round + 1))
    for i in $(seq 0 $((PAIRS - 1))); do
      {
        printf 'link add %sc%d type veth peer name %sd%d\n' "$PFX" "$i" "$PFX" "$i"
        printf 'link set %sc%d up\nlink set %sd%d up\n' "$PFX" "$i" "$PFX" "$i"
        printf 'addr add 192.0.2.%d/32 dev %sc%d\n' "$((i + 1))" "$PFX" "$i"
        for host in 10 11 12 13; do
          printf 'neigh add 198.51.100.%d lladdr 02:00:00:00:%02x:%02x nud permanent dev %sc%d\n' \
            "$host" "$i" "$host" "$PFX" "$i"
        done
      } | ip -n "$H_NS" -batch - 2>/dev/null || true
    done
    for i in $(seq 0 $((PAIRS - 1))); do ip -n "$H_NS" link del "${PFX}c$i" 2>/dev/null || true; done
    echo "$round" >"$WORK/churn.rounds"
  done
}
churn &
track "$!"

step "$SCRAPES scrapes while interfaces come and go"
failed_collector=0
partial=0
for n in $(seq "$SCRAPES"); do
  exposition=$(scrape H "$PORT") || fail "scrape $n failed: the exporter did not answer"
  [ "$(sample arp_scrape_collector_success collector=neighbor <<<"$exposition")" = 1 ] ||
    failed_collector=$((failed_collector + 1))
  [ "$(sample arp_scrape_collector_success collector=arp <<<"$exposition")" = 1 ] ||
    fail "scrape $n: the arp collector failed during the churn"
  # Every interface and family in the exposition has all 8 state series or none: never half.
  counts=$(awk '/^arp_neighbor_entries\{/ { match($0, /interface="[^"]*",family="[^"]*"/); n[substr($0, RSTART, RLENGTH)]++ }
                END { for (i in n) print n[i] }' <<<"$exposition" | sort -u)
  [ -z "$counts" ] || [ "$counts" = 8 ] || partial=$((partial + 1))
done
rounds=$(cat "$WORK/churn.rounds" 2>/dev/null || echo 0)
say "$SCRAPES scrapes during $rounds churn rounds of $PAIRS veth pairs: neighbour collector failed on $failed_collector, half-listed interfaces on $partial"
[ "$rounds" -ge 3 ] || fail "the churn loop ran only $rounds rounds: the test proved nothing"
[ "$failed_collector" -eq 0 ] || fail "the neighbour collector reported failure on $failed_collector scrapes"
[ "$partial" -eq 0 ] || fail "$partial scrapes listed an interface and family with fewer than 8 state series"

step "the exporter is still healthy"
process_gone "$EXPORTER_PID" && fail "the exporter exited: $(cat "$EXPORTER_LOG")"
scrape H "$PORT" | promtool check metrics >"$WORK/lint" 2>&1 ||
  fail "promtool check metrics failed after the churn: $(cat "$WORK/lint")"
say "PASS"
