#!/usr/bin/env bash
# arp_neighbor_entries shows the states `ip neigh` reports, per interface and family, for IPv4
# and IPv6: reachable after a ping, failed for an absent address, permanent for a static entry,
# stale and noarp for entries set by hand; every state of every interface is there, zero-filled,
# from the first scrape on (an empty table included).
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

step "an empty table: every state of every interface and family is there, at 0"
exposition=$(scrape H "$PORT")
for interface in lo "$H1" "$H2"; do
  for family in inet inet6; do
    for state in "${STATES[@]}"; do
      [ "$(sample arp_neighbor_entries <<<"$exposition" "interface=$interface" "family=$family" \
        "state=$state" | wc -l)" -eq 1 ] ||
        fail "no single arp_neighbor_entries{interface=$interface,family=$family,state=$state}"
    done
    [ "$(sample_count arp_neighbor_entries <<<"$exposition" "interface=$interface" "family=$family")" -eq 8 ] ||
      fail "arp_neighbor_entries for $interface/$family has other states than the 8 NUD states"
  done
  [ "$(sample_sum arp_neighbor_entries <<<"$exposition" "interface=$interface" state=reachable)" = 0 ] ||
    fail "$interface has reachable entries before any traffic"
done
[ "$(sample arp_scrape_collector_success <<<"$exposition" collector=neighbor)" = 1 ] ||
  fail "the neighbour collector failed on an empty table"
say "16 series per interface (8 states x 2 families) for lo, $H1 and $H2, all 0 but lo's own"

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

say "PASS"
