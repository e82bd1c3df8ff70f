#!/usr/bin/env bash
# Neighbour table scrape vs `ip -4 neigh show` and node_exporter: with 10k and 100k entries in a
# network namespace, the scrape time (median of SCRAPES scrapes) and resident memory (VmRSS) of
# our exporter and of Debian's prometheus-node-exporter (`--collector.disable-defaults
# --collector.arp`), both running in that namespace at the same time, and the time of
# `ip -4 neigh show` on the same table, printed side by side as ratios. Goal: a scrape at most
# half of ip's time at 100k entries. See bench/README.md, "Neighbour table scrape".
#
# Usage (root: network namespaces, apt-get):
#   bench/neighbor_scrape_bench.sh [EXPORTER]
#     EXPORTER  default: build/exporter/arp_health_exporter
# Environment: SIZES ("10000 100000"), SCRAPES (11), NODE_EXPORTER (default: the one on PATH,
# installed with apt-get when missing; "none" leaves node_exporter out, for a quick run against
# ip alone), KEEP_WORK=1 keeps the logs.
#
# node_exporter 1.5's arp collector reads /proc/net/arp, which lists IPv4 entries only (and hides
# NOARP ones). So that both tools read the same entries, the tables here are IPv4 permanent
# entries; the lab's blocks hold 762 usable addresses, so they repeat on as many veth interfaces
# as needed (an entry's key is address and interface).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../tests/integration/lib.sh"

SIZES=${SIZES:-"10000 100000"}
SCRAPES=${SCRAPES:-11}
OUR_PORT=10711
NODE_PORT=10712
IPV4_BLOCKS=(192.0.2 198.51.100 203.0.113)
PER_INTERFACE=762  # 3 x 254

# Only this benchmark needs node_exporter, so it is not in scripts/packages. The package would
# start its own service on :9100 of the host where an init system runs; a policy-rc.d that we
# create (only when there is none) keeps it from starting, and goes again right after.
install_node_exporter() {
  [ -n "${NODE_EXPORTER:-}" ] && return 0  # given, or "none"
  if ! command -v prometheus-node-exporter >/dev/null; then
    local policy=/usr/sbin/policy-rc.d created=0
    if [ ! -e "$policy" ]; then
      printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && created=1
    fi
    say "installing prometheus-node-exporter (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq --no-install-recommends prometheus-node-exporter >/dev/null ||
      { [ "$created" = 1 ] && rm -f "$policy"; fail "cannot install prometheus-node-exporter"; }
    [ "$created" = 1 ] && rm -f "$policy"
  fi
  NODE_EXPORTER=$(command -v prometheus-node-exporter)
}

skip_unless_root
install_node_exporter
init_test "${1:-}"

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
hwm_kb() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"; }
scrape_seconds() {  # HOST PORT: seconds for one full GET of /metrics
  in_ns "$1" curl -fsS --max-time 300 -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$2/metrics"
}
# binary_pid HOST BINARY: the process in HOST's namespace running BINARY (the PID of a background
# job may be the shell around it, whose RSS would be measured instead).
binary_pid() {
  local pid target
  target=$(readlink -f "$2")
  for pid in $(ip netns pids "$(nsname "$1")"); do
    [ "$(readlink -f "/proc/$pid/exe" 2>/dev/null)" = "$target" ] && { echo "$pid"; return 0; }
  done
  return 1
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == "nan") print "-"; else printf "%.2f", a / b }'; }
ip_seconds() {  # HOST: seconds for `ip -4 neigh show` of HOST's table, output discarded
  local start end
  start=$EPOCHREALTIME
  ip -n "$(nsname "$1")" -4 neigh show >/dev/null
  end=$EPOCHREALTIME
  awk -v s="$start" -v e="$end" 'BEGIN { printf "%.6f\n", e - s }'
}

# table HOST SIZE: SIZE permanent IPv4 entries on ceil(SIZE / 762) veth interfaces of HOST.
table() {
  local host=$1 size=$2 ns pairs
  ns=$(nsname "$host")
  pairs=$(((size + PER_INTERFACE - 1) / PER_INTERFACE))
  for i in $(seq 0 $((pairs - 1))); do
    printf 'link add %ss%d type veth peer name %st%d\n' "$PFX" "$i" "$PFX" "$i"
    printf 'link set %ss%d up\nlink set %st%d up\n' "$PFX" "$i" "$PFX" "$i"
  done >"$WORK/links-$size.batch"
  ip -n "$ns" -batch "$WORK/links-$size.batch"
  awk -v pfx="$PFX" -v size="$size" -v blocks="${IPV4_BLOCKS[*]}" '
    BEGIN {
      n = split(blocks, block, " ")
      for (k = 0; k < size; k++) {
        i = int(k / 762); r = k % 762; b = int(r / 254) + 1; h = r % 254 + 1
        printf "neigh add %s.%d lladdr 02:5c:%02x:%02x:%02x:%02x nud permanent dev %ss%d\n",
          block[b], h, int(i / 256), i % 256, b, h, pfx, i
      }
    }' >"$WORK/neigh-$size.batch"
  ip -n "$ns" -batch "$WORK/neigh-$size.batch"
  local held
  held=$(ip -n "$ns" -4 neigh show nud permanent | wc -l)
  [ "$held" -eq "$size" ] || fail "ip neigh holds $held permanent entries in $host, not $size"
  PAIRS=$pairs
}

# The landing page, not /metrics: reading /proc/net/arp takes seconds with 100k entries.
node_answers() { in_ns "$1" curl -fsS --max-time 2 -o /dev/null "http://127.0.0.1:$NODE_PORT/" 2>/dev/null; }

ROWS=()
NOTES=()
for size in $SIZES; do
  host=N$((size / 1000))k
  step "$size entries"
  new_ns "$host"
  table "$host" "$size"
  say "$size permanent IPv4 entries on $PAIRS veth pairs ($((PAIRS * 2)) interfaces), checked with ip neigh"

  start_exporter "$host" "$OUR_PORT"
  our_pid=$(binary_pid "$host" "$EXPORTER") || fail "no $EXPORTER process in $host"
  [ "$NODE_EXPORTER" = none ] || {
  ip netns exec "$(nsname "$host")" "$NODE_EXPORTER" --collector.disable-defaults --collector.arp \
    --web.listen-address="127.0.0.1:$NODE_PORT" </dev/null >/dev/null 2>"$WORK/node-$size.log" &
  track "$!"
  wait_for 15 node_answers "$host" || fail "node_exporter did not answer: $(tail -5 "$WORK/node-$size.log")"
  node_pid=$(binary_pid "$host" "$NODE_EXPORTER") || fail "no $NODE_EXPORTER process in $host"
  }

  # Both must see the whole table, or the timings compare different work.
  ours=$(scrape "$host" "$OUR_PORT")
  theirs=
  [ "$NODE_EXPORTER" = none ] || theirs=$(in_ns "$host" curl -fsS --max-time 300 "http://127.0.0.1:$NODE_PORT/metrics")
  our_count=$(sample_sum arp_neighbor_entries family=inet state=permanent <<<"$ours")
  [ "$our_count" -eq "$size" ] || fail "ours counts $our_count permanent inet entries, not $size"
  if [ "$NODE_EXPORTER" != none ]; then
    node_count=$(sample_sum node_arp_entries <<<"$theirs")
    [ "$node_count" -eq "$size" ] || fail "node_exporter counts $node_count entries, not $size"
  fi
  # Both walk the kernel's whole hash table (every namespace's entries) and keep only their own.
  say "kernel-wide IPv4 neighbour entries, all namespaces: $(sample arp_neighbor_table_entries family=inet <<<"$ours")"
  our_bytes=${#ours}
  node_bytes=${#theirs}

  # Interleaved, so that a busy moment of the machine hits both alike (the two scrapes above
  # were the warm-up).
  : >"$WORK/ours-$size.times"
  : >"$WORK/node-$size.times"
  : >"$WORK/ip-$size.times"
  for _ in $(seq "$SCRAPES"); do
    scrape_seconds "$host" "$OUR_PORT" >>"$WORK/ours-$size.times"
    ip_seconds "$host" >>"$WORK/ip-$size.times"
    [ "$NODE_EXPORTER" = none ] || scrape_seconds "$host" "$NODE_PORT" >>"$WORK/node-$size.times"
  done
  if [ "$NODE_EXPORTER" = none ]; then echo nan >"$WORK/node-$size.times"; fi
  our_s=$(median <"$WORK/ours-$size.times")
  node_s=$(median <"$WORK/node-$size.times")
  ip_s=$(median <"$WORK/ip-$size.times")
  our_rss=$(rss_kb "$our_pid")
  node_rss=nan
  [ "$NODE_EXPORTER" = none ] || node_rss=$(rss_kb "$node_pid")
  say "ours: median ${our_s}s, VmRSS ${our_rss} kB (VmHWM $(hwm_kb "$our_pid") kB), $our_bytes bytes/scrape"
  [ "$NODE_EXPORTER" = none ] ||
    say "node_exporter: median ${node_s}s, VmRSS ${node_rss} kB (VmHWM $(hwm_kb "$node_pid") kB), $node_bytes bytes/scrape"
  # "nan" (NODE_EXPORTER=none) compares greater than 10 in awk: no scrape, no note.
  awk -v s="$node_s" 'BEGIN { exit !(s != "nan" && s > 10) }' &&
    NOTES+=("with $size entries node_exporter's scrape (${node_s}s) exceeds Prometheus's default scrape_timeout of 10s")
  ms() { awk -v s="$1" 'BEGIN { if (s == "nan") print "-"; else printf "%.2f", s * 1000 }'; }
  mib() { awk -v k="$1" 'BEGIN { if (k == "nan") print "-"; else printf "%.1f", k / 1024 }'; }
  ROWS+=("$(printf '%8s %10s %10s %8s %10s %8s %10s %10s %8s' "$size" \
    "$(ms "$our_s")" "$(ms "$ip_s")" "$(ratio "$our_s" "$ip_s")" "$(ms "$node_s")" \
    "$(ratio "$our_s" "$node_s")" "$(mib "$our_rss")" "$(mib "$node_rss")" \
    "$(ratio "$our_rss" "$node_rss")")")

  for pid in "${BACKGROUND_PIDS[@]}"; do stop_process "$pid"; done
  BACKGROUND_PIDS=()
  # Nothing may outlive the namespace's name: a process left inside would keep the namespace,
  # and its entries in the kernel-wide table, alive.
  for pid in $(ip netns pids "$(nsname "$host")"); do kill -KILL "$pid" 2>/dev/null || true; done
  wait_for 5 test -z "$(ip netns pids "$(nsname "$host")")" || fail "processes linger in $host"
  ip netns del "$(nsname "$host")"  # frees the entries before the next size
done

printf '\nNeighbour table scrape, median of %s scrapes; RSS after them (%s)\n' "$SCRAPES" "$(uname -r)"
printf '%8s %10s %10s %8s %10s %8s %10s %10s %8s\n' entries "ours ms" "ip ms" "o/ip" "node ms" \
  "o/n" "ours MiB" "node MiB" "RSS o/n"
printf '%s\n' "${ROWS[@]}"
# The goal at the largest size: a scrape in at most half of ip's time.
last=${ROWS[${#ROWS[@]} - 1]}
awk -v row="$last" 'BEGIN { split(row, f, " ");
  printf "\ngoal at %s entries: ours/ip %s (<= 0.50): %s\n", f[1], f[4], (f[4] <= 0.5 ? "met" : "NOT met") }'
cat <<EOF

o/ip and o/n below 1 mean ours is faster / smaller. "ip -4 neigh show" dumps the same table
over netlink and prints it (to /dev/null); its time includes its own start-up.
node_exporter $([ "$NODE_EXPORTER" = none ] && echo "(left out: NODE_EXPORTER=none)" || "$NODE_EXPORTER" --version 2>&1 | awk 'NR == 1 { print $3 }'): --collector.disable-defaults --collector.arp
reads /proc/net/arp, which lists IPv4 entries only: it does not see IPv6 neighbours at all, nor
states (it counts entries per device). The tables above are IPv4-only so that both read the same
entries. Ours dumps both families over netlink on every scrape (the IPv6 table is empty here),
reads the tables' limits and statistics, exports the 8 states of each interface and family
that has entries (the 100k table has many interfaces) and follows change events on a thread
of its own.
Both include their own process metrics in the scrape.
EOF
[ ${#NOTES[@]} -eq 0 ] || printf 'Note: %s.\n' "${NOTES[@]}"
