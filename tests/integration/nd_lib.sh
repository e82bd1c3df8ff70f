# shellcheck shell=bash
# IPv6 additions to lib.sh for the Neighbor Discovery labs (issue 12): sourced after it. lib.sh
# turns IPv6 off in every namespace; these hosts turn it back on, on their own interface only,
# and use 2001:db8::/64 and fe80:: alone.
ND_INJECT=${ND_INJECT:-$REPO_ROOT/build/tests/integration/nd_inject}

# init_nd_test EXPORTER ARP_INJECT ND_INJECT: init_test, and the ND frame writer.
init_nd_test() {
  init_test "$@"
  [ $# -ge 3 ] && [ -n "$3" ] && ND_INJECT=$3
  [ -x "$ND_INJECT" ] || fail "no nd_inject binary at $ND_INJECT (build first)"
}

# new_nd_switch SW BRIDGE...: new_switch, without multicast snooping: a snooping bridge forwards
# a solicited-node group only to ports that reported it, and a host whose MAC just changed (or
# a frame writer) has reported nothing. Real access switches flood ND the same way.
new_nd_switch() {
  local sw=$1 bridge
  new_switch "$@"
  shift
  for bridge in "$@"; do
    ip -n "$(nsname "$sw")" link set "$(brname "$bridge")" type bridge mcast_snooping 0
  done
}

# ipv6_on HOST [IFNAME]: IPv6 on for the interface (its fe80:: address comes from its MAC, by
# EUI-64, after DAD), no router solicitations (there is no router: they are noise).
ipv6_on() {
  local host=$1 interface=${2:-$(ifname "$1")}
  in_ns "$host" sysctl -qw "net.ipv6.conf.$interface.router_solicitations=0" \
    "net.ipv6.conf.$interface.disable_ipv6=0"
}

# add_nd_host HOST SW BRIDGE MAC [ADDRESS/PREFIX [ip addr flags...]]: add_host with IPv6 only.
add_nd_host() {
  local host=$1 sw=$2 bridge=$3 mac=$4 address=${5:-}
  shift $(($# < 5 ? $# : 5))
  add_host "$host" "$sw" "$bridge" "$mac"
  ipv6_on "$host"
  [ -z "$address" ] || ip -n "$(nsname "$host")" addr add "$address" dev "$(ifname "$host")" "$@"
}

# addr_flags HOST IP: the flags `ip addr` shows for IP on HOST's interface ("tentative",
# "dadfailed tentative", "nodad", ...; empty when none).
addr_flags() {
  ip -n "$(nsname "$1")" -6 addr show dev "$(ifname "$1")" |
    awk -v ip="$2" '$1 == "inet6" && $2 ~ "^" ip "/" { $1 = ""; $2 = ""; sub(/ *scope [a-z]+ */, " "); print; exit }' |
    sed 's/^ *//; s/ *$//'
}

# dad_done HOST IP: IP is configured on HOST and no longer tentative.
dad_done() {
  ip -n "$(nsname "$1")" -6 addr show dev "$(ifname "$1")" | grep -q "inet6 $2/" &&
    ! addr_flags "$1" "$2" | grep -q tentative
}

# ping6_once HOST IP: one echo request, answered or not (the NS/NA exchange is what matters).
ping6_once() { in_ns "$1" ping -6 -c 1 -W 1 -q "$2" >/dev/null 2>&1 || true; }

# resolve6 HOST IP: forgets HOST's neighbour entries, then talks to IP: a multicast NS, whose
# answer is every holder's NA.
resolve6() { flush_neigh "$1"; ping6_once "$1" "$2"; }

nd_inject() { "$ND_INJECT" "$@"; }

# nd_in HOST ARGS...: nd_inject on HOST's interface, inside HOST.
nd_in() { local host=$1; shift; in_ns "$host" "$ND_INJECT" "$(ifname "$host")" "$@"; }

# no_page HOST PORT: HOST's exporter shows none of the series its critical alerts key off
# (alerts/arp_health.rules.yml): arp_address_claimants (ArpDuplicateIPAddress: two machines on
# one address), arp_own_address_claim_info (ArpOwnAddressClaimed) and arp_own_address_dad_failed
# (ArpOwnAddressDadFailed); and arp_addresses_contested is 0 on every interface. For look-alikes:
# what must never page.
no_page() {
  local exposition
  exposition=$(scrape "$1" "$2") || return 1
  [ "$(sample_count arp_address_claimants <<<"$exposition")" = 0 ] &&
    [ "$(sample_count arp_own_address_claim_info <<<"$exposition")" = 0 ] &&
    [ "$(sample_sum arp_own_address_dad_failed <<<"$exposition")" = 0 ] &&
    [ "$(sample_sum arp_addresses_contested <<<"$exposition")" = 0 ]
}

# paging_series HOST PORT: the series no_page looks at, for a failure message.
paging_series() {
  scrape "$1" "$2" | grep -E '^arp_(address_claim(ants|_info)|own_address_claim_info|own_address_dad_failed|addresses_contested)' |
    grep -v ' 0$' || true
}

# timed_step TITLE: step, and how long the previous timed step took (the lab's steps have a
# budget: a whole test stays under a minute). timed_end prints the last one's.
TIMED_STEP=
TIMED_STEP_MS=
timed_end() {
  [ -z "$TIMED_STEP" ] || say "step took $(($(now_ms) - TIMED_STEP_MS)) ms: $TIMED_STEP"
  TIMED_STEP=
}
timed_step() {
  timed_end
  TIMED_STEP=$1
  TIMED_STEP_MS=$(now_ms)
  step "$1"
}

# vip_take_over ROUTER MAC VIP: a keepalived-style takeover of a virtual IPv6 address: the old
# master (the last ROUTER given for VIP, if any) drops it, ROUTER adds it (nodad, as keepalived
# does) and announces it from MAC in three unsolicited override advertisements, 100 ms apart
# (keepalived repeats them too). VIP_HOLDER[VIP] names the master.
declare -A VIP_HOLDER=()
vip_take_over() {
  local router=$1 mac=$2 vip=$3 old=${VIP_HOLDER[$3]:-}
  [ -z "$old" ] || ip -n "$(nsname "$old")" addr del "$vip/64" dev "$(ifname "$old")"
  ip -n "$(nsname "$router")" addr add "$vip/64" dev "$(ifname "$router")" nodad
  nd_in "$router" --type na --flags ro --src-mac "$mac" --src-ip "$vip" --target "$vip" --count 3 ||
    fail "nd_inject failed"
  VIP_HOLDER[$vip]=$router
}

# failover_lab PORT: the failover labs' link: monitor M (2001:db8::99) and routers R1 (2001:db8::11,
# $R1_MAC) and R2 (2001:db8::12, $R2_MAC), every address past DAD, and M's verifying exporter
# on PORT.
failover_lab() {
  local port=$1 host ip host_ip
  new_nd_switch sw 1
  add_nd_host M sw 1 02:00:00:00:00:99 2001:db8::99/64
  add_nd_host R1 sw 1 "$R1_MAC" 2001:db8::11/64
  add_nd_host R2 sw 1 "$R2_MAC" 2001:db8::12/64
  for host_ip in "M 2001:db8::99" "R1 2001:db8::11" "R2 2001:db8::12"; do
    read -r host ip <<<"$host_ip"
    wait_for 10 dad_done "$host" "$ip" || fail "$host's $ip stayed tentative: $(addr_flags "$host" "$ip")"
  done
  start_verifying_exporter M "$port" --collector.arp.rescan-interval 1s
}
