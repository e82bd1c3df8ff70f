#!/usr/bin/env bash
# The neighbour table limits an exporter reports from inside a network namespace are the
# kernel-wide ones: arp_neighbor_gc_thresh1..3{family="inet"} equal what the initial namespace's
# /proc/sys/net/ipv4/neigh/default/gc_thresh1..3 hold, and {family="inet6"} those of
# /proc/sys/net/ipv6/neigh/default. Inside the namespace that directory does not exist, which is
# why the exporter asks netlink (RTM_GETNEIGHTBL). The host's sysctls are only read, never written.
#
# Usage: neighbor_thresholds_test.sh [EXPORTER]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
skip_unless_root
if [ ! -r /proc/sys/net/ipv4/neigh/default/gc_thresh1 ] || [ ! -r /proc/sys/net/ipv6/neigh/default/gc_thresh1 ]; then
  # Inside a container the test's own namespace is not the initial one: nothing to compare with.
  printf 'SKIP: %s must run in the initial network namespace (no /proc/sys/net/ipv{4,6}/neigh/default here)\n' "$TEST_NAME"
  exit 77
fi
init_test "$@"

PORT=10711

step "lab: one host H, its exporter"
new_switch sw 1
add_host H sw 1 02:00:00:00:03:01 192.0.2.1/24
start_exporter H "$PORT"
for family in ipv4 ipv6; do
  if in_ns H test -e "/proc/sys/net/$family/neigh/default"; then
    say "note: this kernel has /proc/sys/net/$family/neigh/default inside a namespace too"
  else
    say "inside H's namespace /proc/sys/net/$family/neigh/default does not exist"
  fi
done

# thresholds_match: every gc_thresh of both families equals the initial namespace's sysctl.
# This script runs in the initial namespace, so /proc/sys here is the host's (read only).
MISMATCH=
thresholds_match() {
  local exposition family proc n expected actual
  MISMATCH=
  exposition=$(scrape H "$PORT") || return 1
  for family in inet inet6; do
    proc=/proc/sys/net/ipv4/neigh/default
    [ "$family" = inet6 ] && proc=/proc/sys/net/ipv6/neigh/default
    for n in 1 2 3; do
      expected=$(cat "$proc/gc_thresh$n")
      actual=$(sample "arp_neighbor_gc_thresh$n" "family=$family" <<<"$exposition")
      if [ "$actual" != "$expected" ]; then
        MISMATCH="$MISMATCH arp_neighbor_gc_thresh$n{family=\"$family\"}=${actual:-absent} but $proc/gc_thresh$n=$expected;"
      fi
    done
  done
  [ -z "$MISMATCH" ]
}

step "arp_neighbor_gc_thresh1..3 equal the initial namespace's sysctls"
# Polled with a deadline only because an administrator may change a sysctl between the two reads.
wait_for 10 thresholds_match || fail "thresholds differ:$MISMATCH"
for family in inet inet6; do
  proc=/proc/sys/net/ipv4/neigh/default
  [ "$family" = inet6 ] && proc=/proc/sys/net/ipv6/neigh/default
  say "$family: gc_thresh1..3 = $(cat "$proc/gc_thresh1") $(cat "$proc/gc_thresh2") $(cat "$proc/gc_thresh3") ($proc)"
done

step "the table's size and statistics are there for both families"
exposition=$(scrape H "$PORT")
for family in inet inet6; do
  for name in arp_neighbor_table_entries arp_neighbor_allocs_total arp_neighbor_destroys_total \
    arp_neighbor_hash_grows_total arp_neighbor_res_failed_total arp_neighbor_lookups_total \
    arp_neighbor_hits_total arp_neighbor_rcv_probes_mcast_total arp_neighbor_rcv_probes_ucast_total \
    arp_neighbor_periodic_gc_runs_total arp_neighbor_forced_gc_runs_total \
    arp_neighbor_table_fulls_total; do
    [ "$(sample_count "$name" "family=$family" <<<"$exposition")" -eq 1 ] ||
      fail "no single $name{family=\"$family\"}"
  done
done
# The kernel-wide table holds at least H's own entries (lo's), so it is never below this namespace's.
own=$(sample_sum arp_neighbor_entries family=inet <<<"$exposition")
[ "$(sample arp_neighbor_table_entries family=inet <<<"$exposition")" -ge "$own" ] ||
  fail "arp_neighbor_table_entries{family=\"inet\"} is below this namespace's own $own entries"
[ "$(sample arp_scrape_collector_success collector=neighbor <<<"$exposition")" = 1 ] ||
  fail "arp_scrape_collector_success{collector=\"neighbor\"} is not 1"

step "60 more veth pairs (a container host): still exactly one series per family"
# Each interface adds a parameter message to the RTM_GETNEIGHTBL answer. Once that answer spans
# several reads, the kernel repeats the table's own message (thresholds, statistics) at the start
# of each read: it must still give one series per family, not one per read.
for i in $(seq 0 59); do
  printf 'link add %sv%d type veth peer name %sw%d\n' "$PFX" "$i" "$PFX" "$i"
done >"$WORK/links.batch"
ip -n "$(nsname H)" -batch "$WORK/links.batch"
exposition=$(scrape H "$PORT")
for family in inet inet6; do
  for name in arp_neighbor_gc_thresh1 arp_neighbor_gc_thresh2 arp_neighbor_gc_thresh3 \
    arp_neighbor_table_entries arp_neighbor_allocs_total arp_neighbor_table_fulls_total; do
    count=$(sample_count "$name" "family=$family" <<<"$exposition")
    [ "$count" -eq 1 ] || fail "$count series $name{family=\"$family\"} with 121 interfaces (one per netlink read of the table dump?)"
  done
done
duplicates=$(grep -v '^#' <<<"$exposition" | sed 's/ [^ ]*$//' | sort | uniq -d)
[ -z "$duplicates" ] || fail "series repeated in one exposition: $(tr '\n' ' ' <<<"$duplicates")"
wait_for 10 thresholds_match || fail "with 121 interfaces, thresholds differ:$MISMATCH"

say "PASS"
