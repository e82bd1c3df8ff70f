#!/usr/bin/env bash
# arp_neighbor_entries shows the states `ip neigh` reports, per interface and family, for IPv4
# and IPv6: reachable after a ping, failed for an absent address, permanent for a static entry,
# stale and noarp for entries set by hand. An interface and family with entries has all 8 states,
# zero-filled; one without entries has none (an empty table has no series at all). A second
# exporter with --collector.neighbor.interfaces-exclude shows nothing of the excluded interface,
# and a bad regex is one line and exit 2.
#
# Host H has two interfaces: eH on switch 1 (192.0.2.1, 2001:db8::1) with peer P, and eH2 on
# switch 2 (198.51.100.1, 2001:db8:1::1) with peer Q.
#
# Usage: neighbor_states_test.sh [EXPORTER]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
init_test "$@"

PORT=10711
STATES=(incomplete reachable stale delay probe failed noarp permanent)

# enable_ipv6 HOST INTERFACE...: lib.sh's hosts start with IPv6 off; switch it on without DAD, so
# the addresses are usable at once (the namespace's own sysctls, never the host's).
enable_ipv6() {
  local host=$1 interface
  shift
  in_ns "$host" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0
  for interface in "$@"; do
    in_ns "$host" sysctl -qw "net.ipv6.conf.$interface.accept_dad=0" \
      "net.ipv6.conf.$interface.disable_ipv6=0"
  done
}

# neigh_state HOST IP: the state `ip neigh` reports for IP (lowercase), empty when none.
neigh_state() {
  ip -n "$(nsname "$1")" neigh show nud all to "$2" |
    awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^[A-Z]+$/) s = tolower($i) } END { print s }'
}

H1=$(ifname H)
H2=${PFX}eH2

step "lab: H with two interfaces, peer P on switch 1, peer Q on switch 2; IPv4 and IPv6"
new_switch sw 1 2
add_host H sw 1 02:00:00:00:01:01 192.0.2.1/24
plug_host H sw 2 02:00:00:00:02:01 198.51.100.1/24 "$H2"
add_host P sw 1 02:00:00:00:01:02 192.0.2.2/24
add_host Q sw 2 02:00:00:00:02:02 198.51.100.2/24
enable_ipv6 H "$H1" "$H2"
enable_ipv6 P "$(ifname P)"
enable_ipv6 Q "$(ifname Q)"
ip -n "$(nsname H)" addr add 2001:db8::1/64 dev "$H1" nodad
ip -n "$(nsname H)" addr add 2001:db8:1::1/64 dev "$H2" nodad
ip -n "$(nsname P)" addr add 2001:db8::2/64 dev "$(ifname P)" nodad
ip -n "$(nsname Q)" addr add 2001:db8:1::2/64 dev "$(ifname Q)" nodad
flush_neigh H
start_exporter H "$PORT"

step "before any traffic: state series only for the interfaces and families that have entries"
# families_with_entries < ip_neigh_counts / metric keys: "interface family" lines, sorted, unique.
families_with_entries() { awk '{ print $1, $2 }' | sort -u; }
# series_keys < exposition: "interface family count" of arp_neighbor_entries series.
series_keys() {
  awk '/^arp_neighbor_entries\{/ { match($0, /interface="[^"]*"/); i = substr($0, RSTART + 11, RLENGTH - 12)
                                  match($0, /family="[^"]*"/); f = substr($0, RSTART + 8, RLENGTH - 9)
                                  n[i " " f]++ }
       END { for (k in n) print k, n[k] }' | sort
}
KEYS_DETAIL=
series_follow_entries() {
  local exposition expected
  exposition=$(scrape H "$PORT") || return 1
  expected=$(ip_neigh_counts H | families_with_entries | awk '{ print $0, 8 }')
  KEYS_DETAIL=$(printf 'ip neigh has entries for:\n%s\n/metrics has state series for:\n%s' "$expected" "$(series_keys <<<"$exposition")")
  [ "$(series_keys <<<"$exposition")" = "$expected" ]
}
# IPv6 multicast entries come and go as the interfaces send MLD reports: poll for a quiet moment.
wait_for 15 series_follow_entries || fail "state series do not follow the entries: $KEYS_DETAIL"
exposition=$(scrape H "$PORT")
grep -q '^# TYPE arp_neighbor_entries gauge' <<<"$exposition" || fail "arp_neighbor_entries is not declared"
[ "$(sample arp_scrape_collector_success <<<"$exposition" collector=neighbor)" = 1 ] ||
  fail "the neighbour collector failed on an empty table"
say "8 state series for each interface and family with entries, none for the others:"
printf '%s\n' "$KEYS_DETAIL" | sed 's/^/  /'

step "traffic and entries by hand: reachable, failed, permanent, stale, noarp on both families"
H_NS=$(nsname H)
ip -n "$H_NS" neigh add 192.0.2.50 lladdr 02:00:00:00:00:50 nud permanent dev "$H1"
ip -n "$H_NS" neigh add 2001:db8::50 lladdr 02:00:00:00:00:50 nud permanent dev "$H1"
ip -n "$H_NS" neigh add 198.51.100.60 lladdr 02:00:00:00:00:60 nud stale dev "$H2"
ip -n "$H_NS" neigh add 2001:db8:1::60 lladdr 02:00:00:00:00:60 nud stale dev "$H2"
ip -n "$H_NS" neigh add 198.51.100.61 lladdr 02:00:00:00:00:61 nud noarp dev "$H2"
ip -n "$H_NS" neigh add 2001:db8:1::61 lladdr 02:00:00:00:00:61 nud noarp dev "$H2"

# What each address must show in `ip neigh`; poke makes it so again when it drifted (a reachable
# entry ages, and the kernel's periodic GC removes FAILED entries once the kernel-wide table holds
# gc_thresh1 entries, which other tests running in parallel may cause).
declare -A EXPECTED=(
  [192.0.2.2]=reachable [2001:db8::2]=reachable
  [198.51.100.2]=reachable [2001:db8:1::2]=reachable
  [192.0.2.99]=failed [2001:db8::99]=failed
  [192.0.2.50]=permanent [2001:db8::50]=permanent
  [198.51.100.60]=stale [2001:db8:1::60]=stale
  [198.51.100.61]=noarp [2001:db8:1::61]=noarp
)
poke() {
  local ip=$1 state=$2
  case "$state" in
    reachable) ping_once H "$ip" ;;
    failed) ping_once H "$ip" ;;  # no one answers: INCOMPLETE, then FAILED after 3 probes
  esac
}
for ip in "${!EXPECTED[@]}"; do poke "$ip" "${EXPECTED[$ip]}"; done

# The exporter and `ip neigh` agree on every (interface, family, state) count, and each address
# is in the state expected of it.
MISMATCH=
states_as_expected() {
  local ip actual table exposition
  MISMATCH=
  for ip in "${!EXPECTED[@]}"; do
    actual=$(neigh_state H "$ip")
    if [ "$actual" != "${EXPECTED[$ip]}" ]; then
      MISMATCH="ip neigh shows $ip as '${actual:-absent}', waiting for ${EXPECTED[$ip]}"
      # Leave an INCOMPLETE entry alone: it is on its way to FAILED.
      [ "$actual" = incomplete ] || [ "$actual" = delay ] || [ "$actual" = probe ] ||
        poke "$ip" "${EXPECTED[$ip]}"
      return 1
    fi
  done
  table=$(ip_neigh_counts H)
  exposition=$(scrape H "$PORT") || return 1
  if [ "$(metric_counts <<<"$exposition")" != "$table" ]; then
    MISMATCH=$(printf 'ip neigh:\n%s\n/metrics:\n%s' "$table" "$(metric_counts <<<"$exposition")")
    return 1
  fi
  LAST_EXPOSITION=$exposition
  LAST_TABLE=$table
}
wait_for 30 states_as_expected || fail "the exporter's counts never matched ip neigh: $MISMATCH"

ip -n "$H_NS" neigh show nud all | sed 's/^/  ip neigh: /'
printf '%s\n' "$LAST_TABLE" | sed 's/^/  ip neigh counts:  /'
grep -E '^arp_neighbor_entries\{' <<<"$LAST_EXPOSITION" | awk '$NF != 0' | sed 's/^/  \/metrics: /'

step "counted per interface and family"
count() { sample arp_neighbor_entries <<<"$LAST_EXPOSITION" "interface=$1" "family=$2" "state=$3"; }
[ "$(count "$H1" inet permanent)" = 1 ] || fail "$H1 inet permanent is $(count "$H1" inet permanent), not 1"
[ "$(count "$H1" inet6 permanent)" = 1 ] || fail "$H1 inet6 permanent is $(count "$H1" inet6 permanent), not 1"
[ "$(count "$H2" inet permanent)" = 0 ] || fail "$H2 inet permanent is $(count "$H2" inet permanent), not 0"
[ "$(count "$H1" inet failed)" = 1 ] || fail "$H1 inet failed is $(count "$H1" inet failed), not 1"
[ "$(count "$H1" inet6 failed)" = 1 ] || fail "$H1 inet6 failed is $(count "$H1" inet6 failed), not 1"
[ "$(count "$H2" inet failed)" = 0 ] || fail "$H2 inet failed is $(count "$H2" inet failed), not 0"
[ "$(count "$H2" inet stale)" = 1 ] || fail "$H2 inet stale is $(count "$H2" inet stale), not 1"
[ "$(count "$H1" inet stale)" = 0 ] || fail "$H1 inet stale is $(count "$H1" inet stale), not 0"
[ "$(count "$H2" inet noarp)" = 1 ] || fail "$H2 inet noarp is $(count "$H2" inet noarp), not 1"
[ "$(count "$H2" inet6 noarp)" -ge 1 ] || fail "$H2 inet6 noarp is $(count "$H2" inet6 noarp)"
for interface in "$H1" "$H2"; do
  for family in inet inet6; do
    [ "$(count "$interface" "$family" reachable)" -ge 1 ] ||
      fail "$interface $family has no reachable entry for its peer"
  done
done
[ "$(sample arp_scrape_collector_success <<<"$LAST_EXPOSITION" collector=neighbor)" = 1 ] ||
  fail "arp_scrape_collector_success{collector=\"neighbor\"} is not 1"

step "an interface and family with entries has all 8 states; one without has none"
for interface in "$H1" "$H2"; do
  for family in inet inet6; do
    [ "$(sample_count arp_neighbor_entries "interface=$interface" "family=$family" <<<"$LAST_EXPOSITION")" -eq 8 ] ||
      fail "$interface/$family has entries but not exactly the 8 NUD state series"
  done
done
[ "$(sample_count arp_neighbor_entries interface=lo <<<"$LAST_EXPOSITION")" -eq 0 ] ||
  [ -n "$(ip -n "$H_NS" neigh show nud all dev lo)" ] || fail "lo has no entries but has state series"

step "--collector.neighbor.interfaces-exclude: nothing of the excluded interface"
start_exporter H $((PORT + 1)) --no-collector.arp --collector.neighbor.interfaces-exclude "${PFX}eH2|lo"
filtered=$(scrape H $((PORT + 1)))
[ "$(sample_count arp_neighbor_entries "interface=$H2" <<<"$filtered")" -eq 0 ] ||
  fail "the excluded $H2 still has arp_neighbor_entries series"
[ "$(sample_count arp_neighbor_entries "interface=$H1" <<<"$filtered")" -eq 16 ] ||
  fail "$H1 lost series it should keep: $(sample arp_neighbor_entries "interface=$H1" <<<"$filtered" | wc -l)"
grep -q "interface=\"$H2\"" <<<"$filtered" && fail "a series still names the excluded $H2"
# The whole name must match: the prefix alone excludes nothing.
start_exporter H $((PORT + 2)) --no-collector.arp --collector.neighbor.interfaces-include "${PFX}e"
[ "$(sample_count arp_neighbor_entries <<<"$(scrape H $((PORT + 2)))")" -eq 0 ] ||
  fail "--collector.neighbor.interfaces-include matched a part of a name"
say "excluded: no $H2 series; $H1 keeps its 16; an include regex matches whole names only"

step "a bad regex: one line, exit 2"
for flag in --collector.neighbor.interfaces-include --collector.neighbor.interfaces-exclude; do
  set +e
  "$EXPORTER" "$flag" '(' >"$WORK/bad.out" 2>"$WORK/bad.err"
  code=$?
  set -e
  [ "$code" -eq 2 ] || fail "$flag '(' exited $code, not 2"
  [ "$(wc -l <"$WORK/bad.err")" -eq 1 ] || fail "$flag '(' wrote $(wc -l <"$WORK/bad.err") lines: $(cat "$WORK/bad.err")"
  grep -q "regular expression" "$WORK/bad.err" || fail "$flag '(' does not say what is wrong: $(cat "$WORK/bad.err")"
  say "$flag '(': $(cat "$WORK/bad.err")"
done

say "PASS"
