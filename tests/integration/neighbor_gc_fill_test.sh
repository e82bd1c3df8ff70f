#!/usr/bin/env bash
# Permanent neighbour entries do not fill the table: since Linux 4.20 the kernel keeps them off
# its garbage collector's count, which is what gc_thresh3 limits (flannel's VXLAN peers, Cilium).
# H gets 2000 permanent entries, more than the default gc_thresh3 of 1024, which the kernel
# accepts. arp_neighbor_table_entries counts them; arp_neighbor_gc_entries, the numerator of the
# alerts' fill ratio, leaves exactly them out: in one scrape the two differ by H's 2000 permanent
# entries, and H's own contribution to the fill ratio is 0.
#
# The table is kernel-wide (other tests' namespaces share it), so the test compares the two
# numbers of one scrape rather than either with a fixed value.
#
# Usage: neighbor_gc_fill_test.sh [EXPORTER]
source "$(dirname "$0")/lib.sh"
init_test "$@"

PORT=10711
PERMANENT=2000
IPV4_BLOCKS=(192.0.2 198.51.100 203.0.113)

step "lab: H with $PERMANENT permanent IPv4 entries on three veth pairs"
new_ns H
H_NS=$(nsname H)
for i in 0 1 2; do
  ip -n "$H_NS" link add "${PFX}s$i" type veth peer name "${PFX}t$i"
  ip -n "$H_NS" link set "${PFX}s$i" up
  ip -n "$H_NS" link set "${PFX}t$i" up
done
awk -v pfx="$PFX" -v size="$PERMANENT" -v blocks="${IPV4_BLOCKS[*]}" '
  BEGIN {
    n = split(blocks, block, " ")
    for (k = 0; k < size; k++) {
      i = int(k / 762); r = k % 762; b = int(r / 254) + 1; h = r % 254 + 1
      printf "neigh add %s.%d lladdr 02:5c:00:%02x:%02x:%02x nud permanent dev %ss%d\n", block[b], h, i, b, h, pfx, i
    }
  }' >"$WORK/neigh.batch"
ip -n "$H_NS" -batch "$WORK/neigh.batch"
held=$(ip -n "$H_NS" -4 neigh show nud permanent | wc -l)
[ "$held" -eq "$PERMANENT" ] || fail "H holds $held permanent entries, not $PERMANENT"
say "the kernel holds all $PERMANENT (gc_thresh3 is $(cat /proc/sys/net/ipv4/neigh/default/gc_thresh3 2>/dev/null || echo unknown))"
start_exporter H "$PORT" --no-collector.arp

step "the permanent entries count in the table, not against gc_thresh"
DETAIL=
exempt_is_permanent() {
  local exposition table gc
  exposition=$(scrape H "$PORT") || return 1
  table=$(sample arp_neighbor_table_entries family=inet <<<"$exposition")
  gc=$(sample arp_neighbor_gc_entries family=inet <<<"$exposition")
  mine=$(sample arp_neighbor_entries family=inet state=permanent <<<"$exposition" | awk '{ s += $1 } END { print s + 0 }')
  DETAIL="table $table, gc $gc, this namespace's permanent $mine"
  # Another test's namespace may change the kernel-wide table between the exporter's two dumps:
  # poll until one scrape shows a quiet moment.
  [ "$mine" -eq "$PERMANENT" ] && [ $((table - gc)) -eq "$PERMANENT" ]
}
wait_for 20 exempt_is_permanent || fail "arp_neighbor_gc_entries does not leave out exactly H's $PERMANENT permanent entries: $DETAIL"
say "$DETAIL"

step "the fill ratio: H's permanent entries add nothing"
exposition=$(scrape H "$PORT")
thresh3=$(sample arp_neighbor_gc_thresh3 family=inet <<<"$exposition")
gc=$(sample arp_neighbor_gc_entries family=inet <<<"$exposition")
table=$(sample arp_neighbor_table_entries family=inet <<<"$exposition")
say "fill ratio $(awk -v g="$gc" -v t="$thresh3" 'BEGIN { printf "%.3f", g / t }') (entries counting against gc_thresh / gc_thresh3); all entries over gc_thresh3 would read $(awk -v e="$table" -v t="$thresh3" 'BEGIN { printf "%.3f", e / t }')"
# Without the permanent entries the table cannot hold more than gc_thresh3 collectable entries
# for long; with them counted it would read far beyond 1.
[ "$gc" -lt "$table" ] || fail "arp_neighbor_gc_entries ($gc) is not below arp_neighbor_table_entries ($table)"

say "PASS"
