# shellcheck shell=bash
# The integration lab: hosts are network namespaces with a veth into a "switch" namespace that
# holds Linux bridges. Sourced by every *_test.sh and by scripts/demo.
#
# Rules (../../../shared/README.md): only 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24 and
# loopback; nothing is created in, or changed on, the host's own namespace; every name carries a
# per-run prefix; whatever this file starts or creates is removed by the EXIT trap, also when a
# test fails or is interrupted; waits poll a condition until a deadline.
#
# Names: host H lives in namespace "$PFX-H", its interface is "${PFX}eH" and the switch port
# facing it "${PFX}pH" (PFX is "a" plus the shell's PID, at most 8 characters, so host names of
# up to 6 characters keep interface names within the kernel's 15).
set -euo pipefail

IT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$IT_DIR/../.." && pwd)
EXPORTER=${EXPORTER:-$REPO_ROOT/build/exporter/arp_health_exporter}
ARP_INJECT=${ARP_INJECT:-$REPO_ROOT/build/tests/integration/arp_inject}

PFX=a$$
while ip netns list 2>/dev/null | grep -q "^$PFX-"; do PFX=${PFX}x; done  # a crashed run's leftovers

WORK=                  # per-run directory for logs and captures
NAMESPACES=()          # created by this run, deleted by cleanup
BACKGROUND_PIDS=()     # started by this run (exporters, tcpdumps, traffic), ended by cleanup
EXPORTER_LOGS=()       # printed by fail
TEST_NAME=$(basename "$0" .sh)

# ---- reporting ---------------------------------------------------------------------------------

say() { printf '%s: %s\n' "$TEST_NAME" "$*"; }
step() { printf '\n== %s: %s\n' "$TEST_NAME" "$*"; }

print_exporter_logs() {
  local log
  for log in "${EXPORTER_LOGS[@]}"; do
    [ -f "$log" ] || continue
    printf -- '----- %s (last 60 lines)\n' "$log" >&2
    tail -n 60 "$log" >&2
  done
}

fail() {
  printf '\nFAIL: %s: %s\n' "$TEST_NAME" "$*" >&2
  print_exporter_logs
  exit 1
}

pass() { say "PASS"; }

skip_unless_root() {
  if [ "$(id -u)" -ne 0 ]; then
    printf 'SKIP: %s needs root (network namespaces, packet capture)\n' "$TEST_NAME"
    exit 77
  fi
}

require_tools() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null || fail "$tool is missing (install it: sudo ./scripts/test does)"
  done
}

# ---- setup and cleanup -------------------------------------------------------------------------

# Tests take the binaries as arguments (ctest passes them); without them, the build tree's.
init_test() {
  skip_unless_root
  require_tools ip curl ping arping tcpdump
  [ $# -ge 1 ] && [ -n "$1" ] && EXPORTER=$1
  [ $# -ge 2 ] && [ -n "$2" ] && ARP_INJECT=$2
  [ -x "$EXPORTER" ] || fail "no exporter binary at $EXPORTER (build first)"
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/arp-it.$PFX.XXXXXX")
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

need_arp_inject() {
  [ -x "$ARP_INJECT" ] || fail "no arp_inject binary at $ARP_INJECT (build first)"
}

process_gone() {  # true once the process has exited (a zombie counts as exited)
  local state
  state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 0
  [ -z "$state" ] || [ "$state" = Z ]
}

stop_process() {  # pid [signal]: signal it, wait up to 3 s, then SIGKILL; reaps it
  local pid=$1 signal=${2:-TERM}
  kill -"$signal" "$pid" 2>/dev/null || return 0
  wait_for 3 process_gone "$pid" || kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local status=$? pid ns
  trap - EXIT INT TERM
  set +e
  # All at once, then wait: every process winds down in parallel.
  for pid in "${BACKGROUND_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for pid in "${BACKGROUND_PIDS[@]}"; do
    wait_for 3 process_gone "$pid" || kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  # Anything still running inside our namespaces was started by this run (traffic, pings).
  for ns in "${NAMESPACES[@]}"; do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
  done
  for ns in "${NAMESPACES[@]}"; do ip netns del "$ns" 2>/dev/null; done
  if [ -n "$WORK" ] && [ -d "$WORK" ]; then
    if [ "$status" -eq 0 ] && [ -z "${KEEP_WORK:-}" ]; then
      rm -rf "$WORK"
    else
      printf '%s: logs and captures kept in %s\n' "$TEST_NAME" "$WORK" >&2
    fi
  fi
  exit "$status"
}

# Records a background job started by the caller, so cleanup ends it.
track() { BACKGROUND_PIDS+=("$1"); }

untrack() {
  local pid kept=()
  for pid in "${BACKGROUND_PIDS[@]}"; do [ "$pid" = "$1" ] || kept+=("$pid"); done
  BACKGROUND_PIDS=("${kept[@]}")
}

# ---- waiting -----------------------------------------------------------------------------------

# wait_for TIMEOUT_S COMMAND...: runs COMMAND every WAIT_INTERVAL seconds (0.1) until it
# succeeds (returns 0) or TIMEOUT_S seconds have passed (returns 1).
wait_for() {
  local timeout=$1
  shift
  local deadline=$(($(now_ms) + timeout * 1000))
  while :; do
    if "$@"; then return 0; fi
    [ "$(now_ms)" -ge "$deadline" ] && return 1
    sleep "${WAIT_INTERVAL:-0.1}"
  done
}

# holds_for SECONDS COMMAND...: COMMAND succeeds on every poll for SECONDS (returns 0), or
# fails on one (returns 1). For "never happens": poll a while, with a deadline.
holds_for() {
  local seconds=$1
  shift
  local deadline=$(($(now_ms) + seconds * 1000))
  while [ "$(now_ms)" -lt "$deadline" ]; do
    "$@" || return 1
    sleep "${WAIT_INTERVAL:-0.1}"
  done
  "$@"
}

now_ms() { local t=$EPOCHREALTIME; printf '%s\n' "$((${t%[.,]*} * 1000 + 10#${t#*[.,]} / 1000))"; }

# ---- namespaces, bridges, hosts ----------------------------------------------------------------

nsname() { printf '%s-%s' "$PFX" "$1"; }
ifname() { printf '%se%s' "$PFX" "$1"; }
portname() { printf '%sp%s' "$PFX" "$1"; }
brname() { printf '%sb%s' "$PFX" "$1"; }

# in_ns HOST COMMAND...: runs COMMAND inside HOST's namespace. A function: never start it with
# "&" when the PID matters ($! would be a subshell's); write "ip netns exec" out for that.
in_ns() { local ns; ns=$(nsname "$1"); shift; ip netns exec "$ns" "$@"; }

new_ns() {
  local ns
  ns=$(nsname "$1")
  ip netns add "$ns" || fail "cannot create namespace $ns"
  NAMESPACES+=("$ns")
  ip -n "$ns" link set lo up
  # IPv6 off: the lab is about ARP, and DAD/router solicitations would only add noise.
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
}

# new_switch SW BRIDGE...: a namespace holding one Linux bridge per name (no STP, no VLAN
# filtering: tagged frames are forwarded as they are).
new_switch() {
  local sw=$1 bridge
  shift
  new_ns "$sw"
  for bridge in "$@"; do
    ip -n "$(nsname "$sw")" link add "$(brname "$bridge")" type bridge
    ip -n "$(nsname "$sw")" link set "$(brname "$bridge")" up
  done
}

# trunk SW BR1 BR2: joins two bridges of the switch with a veth, like two switches cabled
# together.
trunk() {
  local sw_ns a b
  sw_ns=$(nsname "$1")
  a="${PFX}t$2$3"
  b="${PFX}t$3$2"
  ip -n "$sw_ns" link add "$a" type veth peer name "$b"
  ip -n "$sw_ns" link set "$a" master "$(brname "$2")" up
  ip -n "$sw_ns" link set "$b" master "$(brname "$3")" up
}

# add_host HOST SW BRIDGE MAC [ADDRESS/PREFIX]: a namespace with one veth into BRIDGE.
add_host() {
  local host=$1 sw=$2 bridge=$3 mac=$4 address=${5:-}
  new_ns "$host"
  plug_host "$host" "$sw" "$bridge" "$mac" "$address"
}

# plug_host HOST SW BRIDGE MAC [ADDRESS/PREFIX] [IFNAME]: (re)creates the host's veth. Both
# ends are created straight inside their namespaces: nothing ever exists in the host's.
plug_host() {
  local host=$1 sw=$2 bridge=$3 mac=$4 address=${5:-} interface=${6:-}
  local host_ns sw_ns port
  host_ns=$(nsname "$host")
  sw_ns=$(nsname "$sw")
  interface=${interface:-$(ifname "$host")}
  port=${PFX}p${interface#"$PFX"e}
  if [ ${#port} -gt 15 ] || [ ${#interface} -gt 15 ]; then
    fail "interface name $port or $interface is longer than the kernel's 15 characters"
  fi
  ip -n "$sw_ns" link add "$port" type veth peer name "$interface" netns "$host_ns"
  ip -n "$host_ns" link set "$interface" address "$mac"
  [ -n "$address" ] && ip -n "$host_ns" addr add "$address" dev "$interface"
  ip -n "$sw_ns" link set "$port" master "$(brname "$bridge")" up
  ip -n "$host_ns" link set "$interface" up
}

mac_of() { ip -n "$(nsname "$1")" -br link show dev "${2:-$(ifname "$1")}" | awk '{print $3}'; }

# neigh_mac HOST IP: the MAC HOST's neighbour table holds for IP (empty when none).
neigh_mac() {
  ip -n "$(nsname "$1")" neigh show "$2" | awk '{for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1)}'
}

flush_neigh() { ip -n "$(nsname "$1")" neigh flush all >/dev/null 2>&1 || true; }

# ping_once HOST IP: one echo request, answered or not (the ARP exchange is what matters).
ping_once() { in_ns "$1" ping -c 1 -W 1 -q "$2" >/dev/null 2>&1 || true; }

# resolve HOST IP: forgets the host's neighbour entries, then talks to IP, as a host does after
# its cache entry expired; succeeds when the echo was answered.
resolve() { flush_neigh "$1"; in_ns "$1" ping -c 1 -W 2 -q "$2" >/dev/null 2>&1; }

# start_chatter HOST PACE_S PEER_IP...: a background loop inside HOST, as a busy server's
# traffic looks: every PACE_S seconds its neighbour cache is flushed and it pings each peer, so
# it broadcasts ARP requests (claims of its own address) and answers the peers'. The sleep is
# the traffic's rhythm, not a wait for anything. Sets LAST_PID; stop_chatter ends the loop
# between two pings, so no request is left in flight.
LAST_PID=
start_chatter() {
  local host=$1 pace=$2 ns
  shift 2
  ns=$(nsname "$host")
  # shellcheck disable=SC2016 # expanded by the inner shell
  ip netns exec "$ns" bash -c '
    stopping=0
    trap "stopping=1" TERM
    while [ $stopping -eq 0 ]; do
      ip neigh flush all >/dev/null 2>&1
      for peer in "$@"; do
        [ $stopping -eq 0 ] || break
        ping -c 1 -W 1 -q "$peer" >/dev/null 2>&1
      done
      [ $stopping -eq 0 ] && sleep "$0"
    done' "$pace" "$@" </dev/null >/dev/null 2>&1 &
  LAST_PID=$!
  track "$LAST_PID"
}

stop_chatter() {
  local pid
  for pid in "$@"; do
    kill -TERM "$pid" 2>/dev/null || true
    wait_for 5 process_gone "$pid" || kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    untrack "$pid"
  done
}

# ---- packet capture ----------------------------------------------------------------------------

# start_tcpdump HOST INTERFACE FILE [FILTER...]: records ARP (or FILTER) in pcap FILE, packet by
# packet (-U); returns once tcpdump listens. Sets LAST_PID. --immediate-mode: without it the
# kernel hands libpcap a ring block only after its timeout (up to a second), and stopping tcpdump
# loses what the last block held: a probe sent under a second before stop_tcpdump was missing.
start_tcpdump() {
  local host=$1 interface=$2 file=$3
  shift 3
  local filter=("$@")
  [ ${#filter[@]} -eq 0 ] && filter=(arp or vlan)
  ip netns exec "$(nsname "$host")" tcpdump -i "$interface" --immediate-mode -U -n -w "$file" "${filter[@]}" </dev/null >/dev/null 2>"$file.log" &
  LAST_PID=$!
  track "$LAST_PID"
  wait_for 10 grep -qs "listening on" "$file.log" ||
    fail "tcpdump on $host/$interface did not start: $(cat "$file.log")"
}

stop_tcpdump() { stop_process "$1" INT; untrack "$1"; }

# first_frame_ms FILE: capture time of the first frame in FILE, milliseconds since the epoch.
first_frame_ms() {
  local seconds
  seconds=$(tcpdump -r "$1" -tt -n -c 1 2>/dev/null | awk 'NR == 1 {print $1}')
  [ -n "$seconds" ] || return 1
  printf '%s\n' "$(( ${seconds%.*} * 1000 + 10#${seconds#*.} / 1000 ))"
}

# claims FILE IP: "<ms since the epoch> <sender MAC>" for every claim of IP in FILE (an ARP
# request or reply whose sender address is IP), in capture order.
claims() {
  tcpdump -r "$1" -tt -n -e 2>/dev/null | awk -v ip="$2" '
    function ms(t, parts) { split(t, parts, "."); return parts[1] * 1000 + int(substr(parts[2] "000000", 1, 6) / 1000) }
    / Request who-has / && index($0, "tell " ip ",") { printf "%.0f %s\n", ms($1), $2 }
    / Reply / && index($0, "Reply " ip " is-at ") { printf "%.0f %s\n", ms($1), $2 }'
}

# contested_at FILE IP MAC1 MAC2: capture time (ms) of the claim that made IP contested in FILE
# by the passive rule (sustained alternation: each of the two MACs claimed again after the other
# did): the third change of claimant between MAC1 and MAC2 (one, the other, the first again, the
# other again). One return alone (two changes) is a flap, not a conflict. Answers to probes
# (replies from IP) are claims too. Fails when that has not happened.
contested_at() {
  claims "$1" "$2" | awk -v a="$3" -v b="$4" '
    $2 != a && $2 != b { next }
    last != "" && $2 != last { changes++ }
    { last = $2 }
    changes == 3 { print $1; found = 1; exit }
    END { exit !found }'
}

# ---- the exporter ------------------------------------------------------------------------------

# start_exporter HOST PORT [FLAGS...]: runs the exporter in HOST's namespace on
# 127.0.0.1:PORT, stderr to a log; returns once /metrics answers. Sets EXPORTER_PID.
# EXPORTER_HOST_ADDRESS=0.0.0.0 makes it reachable from the other hosts too. Sets EXPORTER_PID
# and EXPORTER_LOG.
# With a --web.config.file that turns on TLS or basic auth: EXPORTER_SCHEME=https and the curl
# arguments that get through (--cacert, --cert, --key, -u) in the array EXPORTER_CURL.
EXPORTER_PID=
EXPORTER_LOG=
EXPORTER_SCHEME=${EXPORTER_SCHEME:-http}
EXPORTER_CURL=()
start_exporter() {
  local host=$1 port=$2
  shift 2
  local log=$WORK/exporter-$host-$port.log n=1
  while [ -e "$log" ]; do n=$((n + 1)); log=$WORK/exporter-$host-$port.$n.log; done
  # shellcheck disable=SC2034 # read by the tests
  EXPORTER_LOG=$log
  EXPORTER_LOGS+=("$log")
  ip netns exec "$(nsname "$host")" "$EXPORTER" --web.listen-address "${EXPORTER_HOST_ADDRESS:-127.0.0.1}:$port" "$@" \
    </dev/null >"$log.stdout" 2>"$log" &
  EXPORTER_PID=$!
  track "$EXPORTER_PID"
  if ! wait_for 15 exporter_answers "$host" "$port" "$EXPORTER_PID" "$log"; then
    printf -- '----- %s\n' "$log" >&2
    cat "$log" >&2
    fail "the exporter in $host did not serve /metrics on 127.0.0.1:$port"
  fi
}

exporter_answers() {  # host port pid log: fails the test as soon as the process died
  process_gone "$3" && fail "the exporter in $1 (port $2) exited: $(cat "$4")"
  in_ns "$1" curl -fsS --max-time 2 "${EXPORTER_CURL[@]}" -o /dev/null "$EXPORTER_SCHEME://127.0.0.1:$2/metrics" 2>/dev/null
}

# scrape HOST PORT [PATH]: the exposition (or page) on stdout.
scrape() { in_ns "$1" curl -fsS --max-time 5 "${EXPORTER_CURL[@]}" "$EXPORTER_SCHEME://127.0.0.1:$2${3:-/metrics}"; }

# sample NAME [LABEL=VALUE...] < exposition: the values of the series of NAME whose labels
# include every LABEL=VALUE given (one per line; nothing when none matches). Values may hold
# spaces and commas ("VMware, Inc."): the sample value is the line's last field.
sample() {
  local name=$1
  shift
  awk -v name="$name" -v wanted="$(printf '%s\n' "$@")" '
    BEGIN {
      n = split(wanted, pairs, "\n")
      count = 0
      for (i = 1; i <= n; i++) {
        if (pairs[i] == "") continue
        eq = index(pairs[i], "=")
        need[++count] = substr(pairs[i], 1, eq - 1) "=\"" substr(pairs[i], eq + 1) "\""
      }
    }
    /^#/ || NF < 2 { next }
    {
      value = $NF
      series = substr($0, 1, length($0) - length($NF) - 1)
      brace = index(series, "{")
      metric = brace ? substr(series, 1, brace - 1) : series
      if (metric != name) next
      labels = brace ? "," substr(series, brace + 1, length(series) - brace - 1) "," : ",,"
      for (i = 1; i <= count; i++) if (index(labels, "," need[i] ",") == 0) next
      print value
    }'
}

sample_sum() { sample "$@" | awk '{ s += $1 } END { printf "%.0f\n", s }'; }
sample_count() { sample "$@" | awk 'END { print NR }'; }

# metric HOST PORT NAME [LABEL=VALUE...]: the sum of the matching series on a fresh scrape.
metric() {
  local host=$1 port=$2
  shift 2
  scrape "$host" "$port" | sample_sum "$@"
}

series_count() {
  local host=$1 port=$2
  shift 2
  scrape "$host" "$port" | sample_count "$@"
}

# metric_at_least HOST PORT MIN NAME [LABEL=VALUE...]
metric_at_least() {
  local host=$1 port=$2 min=$3
  shift 3
  [ "$(metric "$host" "$port" "$@")" -ge "$min" ]
}

metric_equals() {
  local host=$1 port=$2 expected=$3
  shift 3
  [ "$(metric "$host" "$port" "$@")" = "$expected" ]
}

no_series() {  # HOST PORT NAME [LABEL=VALUE...]: no series matches
  [ "$(series_count "$@")" -eq 0 ]
}

# ---- neighbour tables ---------------------------------------------------------------------------

# ip_neigh_counts HOST: "interface family state count" lines, sorted, from `ip neigh`. `nud all`
# because plain `ip neigh` hides NOARP entries, which the kernel's dump (and so the exporter)
# includes.
ip_neigh_counts() {
  local ns
  ns=$(nsname "$1")
  {
    ip -n "$ns" -4 neigh show nud all | sed 's/^/inet /'
    ip -n "$ns" -6 neigh show nud all | sed 's/^/inet6 /'
  } | awk '
    {
      interface = ""; state = ""
      for (i = 2; i <= NF; i++) {
        if ($i == "dev") interface = $(i + 1)
        if ($i ~ /^(INCOMPLETE|REACHABLE|STALE|DELAY|PROBE|FAILED|NOARP|PERMANENT|NONE)$/) state = tolower($i)
      }
      count[interface " " $1 " " state]++
    }
    END { for (key in count) print key, count[key] }' | sort
}

# metric_counts < exposition: the non-zero arp_neighbor_entries series in the same form.
metric_counts() {
  awk '
    function label(name,    rest) {
      rest = substr($0, index($0, name "=\"") + length(name) + 2)
      return substr(rest, 1, index(rest, "\"") - 1)
    }
    /^arp_neighbor_entries\{/ && $NF + 0 != 0 {
      printf "%s %s %s %d\n", label("interface"), label("family"), label("state"), $NF + 0
    }' | sort
}

# ---- the incident (../../../shared/README.md) --------------------------------------------------
#
#        switch 1 (bridge 1)                              switch 2 (bridge 2)
#   A 192.0.2.10 (Intel)   C .30   D .40   M .250  ==trunk==  B .20   R 192.0.2.10 (VMware)
#
# Why B resolves 192.0.2.10 to R while C and D resolve it to A, every time: Linux takes the
# first ARP reply for an incomplete neighbour entry and ignores a different one inside its
# locktime (1 s). B's broadcast request reaches R through one bridge but A through two and the
# trunk: R's reply crosses 4 veths on its way back to B, A's 6. Each veth hop is one pass
# through the receiving CPU's backlog queue, which the softirq drains in order, so the reply with
# fewer hops always arrives first (200 of 200 trials, also with both CPUs busy). For C and D the
# hop counts are reversed. No delays are injected: the topology alone decides, as the number of
# switch hops does in a real network.

INCIDENT_IP=192.0.2.10
INCIDENT_A_MAC=00:1b:21:0a:00:0a  # Intel: A's own NIC
INCIDENT_R_MAC=00:50:56:0b:ad:01  # VMware: the forgotten VM configured with A's address
INCIDENT_A_VENDOR="Intel Corporate"
INCIDENT_R_VENDOR="VMware, Inc."
INCIDENT_PEERS=(B C D)
declare -A INCIDENT_PEER_IP=([B]=192.0.2.20 [C]=192.0.2.30 [D]=192.0.2.40)
INCIDENT_M_IP=192.0.2.250
INCIDENT_CHATTER=()

# Builds the lab with R present but switched off (its switch port down).
incident_lab() {
  new_switch sw 1 2
  trunk sw 1 2
  add_host A sw 1 "$INCIDENT_A_MAC" "$INCIDENT_IP/24"
  add_host C sw 1 02:00:00:00:00:30 "${INCIDENT_PEER_IP[C]}/24"
  add_host D sw 1 02:00:00:00:00:40 "${INCIDENT_PEER_IP[D]}/24"
  add_host M sw 1 02:00:00:00:00:fa "$INCIDENT_M_IP/24"
  add_host B sw 2 02:00:00:00:00:20 "${INCIDENT_PEER_IP[B]}/24"
  add_host R sw 2 "$INCIDENT_R_MAC" "$INCIDENT_IP/24"
  ip -n "$(nsname sw)" link set "$(portname R)" down
}

# A working day: A talks to its peers and the peers to A, each refreshing its neighbour cache.
incident_traffic_start() {
  local peer
  start_chatter A 1 "${INCIDENT_PEER_IP[@]}"
  INCIDENT_CHATTER+=("$LAST_PID")
  for peer in "${INCIDENT_PEERS[@]}"; do
    start_chatter "$peer" 1 "$INCIDENT_IP"
    INCIDENT_CHATTER+=("$LAST_PID")
  done
}

# R is switched on and goes about its business: it talks to the peers, asking for their MACs
# in broadcasts that carry A's address as the sender.
rogue_on() {
  ip -n "$(nsname sw)" link set "$(portname R)" up
  start_chatter R 1 "${INCIDENT_PEER_IP[@]}"
  INCIDENT_CHATTER+=("$LAST_PID")
}

# Stops every traffic loop between two pings, then empties A's and R's neighbour caches: an
# entry A (or R) used for an echo reply while the tables flip-flopped is confirmed 5 s later
# (delay_first_probe_time) by a unicast ARP request to that peer, which carries A's address
# and would rewrite the peer's entry under the test's feet. Afterwards neither sends on its own.
incident_traffic_stop() {
  [ ${#INCIDENT_CHATTER[@]} -eq 0 ] || stop_chatter "${INCIDENT_CHATTER[@]}"
  INCIDENT_CHATTER=()
  flush_neigh A
  flush_neigh R
}

# incident_visible HOST PORT: HOST's exporter shows the incident's IP contested by A and R, with
# their vendors.
incident_visible() {
  local exposition interface
  exposition=$(scrape "$1" "$2") || return 1
  interface=$(ifname "$1")
  [ "$(sample arp_address_claimants <<<"$exposition" "interface=$interface" vlan= "ip=$INCIDENT_IP")" = 2 ] &&
    [ "$(sample arp_address_claim_info <<<"$exposition" "interface=$interface" vlan= "ip=$INCIDENT_IP" \
      "mac=$INCIDENT_A_MAC" "vendor=$INCIDENT_A_VENDOR")" = 1 ] &&
    [ "$(sample arp_address_claim_info <<<"$exposition" "interface=$interface" vlan= "ip=$INCIDENT_IP" \
      "mac=$INCIDENT_R_MAC" "vendor=$INCIDENT_R_VENDOR")" = 1 ]
}

# ---- active verification -----------------------------------------------------------------------

# verifier_ready HOST PORT [INTERFACE]: the exporter's verifier knows the interface and sends on
# it: it has sent an own-address probe there (the first is due as soon as it learns the host's
# addresses, so HOST needs an IPv4 address on it). Wait for this before anything a test expects
# a probe for. arp_host_mac_info or arp_capture_up alone are not enough: they come from the
# capture side, and the verifier learns the host's interfaces only once a second.
verifier_ready() {
  metric_at_least "$1" "$2" 1 arp_verification_probes_sent_total "interface=${3:-$(ifname "$1")}" reason=own_address
}

# start_verifying_exporter HOST PORT [FLAGS...]: start_exporter, then waits until it captures on
# HOST's interface and its verifier knows it.
start_verifying_exporter() {
  local host=$1 port=$2
  start_exporter "$@"
  wait_for 10 metric_equals "$host" "$port" 1 arp_capture_up "interface=$(ifname "$host")" ||
    fail "the exporter in $host never captured on $(ifname "$host")"
  wait_for 10 verifier_ready "$host" "$port" ||
    fail "the exporter in $host never sent an own-address probe on $(ifname "$host")"
}

# contested_by HOST PORT IP MAC...: HOST's exporter shows IP contested (on HOST's interface,
# untagged) by exactly these MACs, each with an arp_address_claim_info series.
contested_by() {
  local host=$1 port=$2 ip=$3 exposition interface mac
  shift 3
  exposition=$(scrape "$host" "$port") || return 1
  interface=$(ifname "$host")
  [ "$(sample arp_address_claimants "interface=$interface" vlan= "ip=$ip" <<<"$exposition")" = "$#" ] || return 1
  for mac in "$@"; do
    [ "$(sample_count arp_address_claim_info "interface=$interface" vlan= "ip=$ip" "mac=$mac" <<<"$exposition")" = 1 ] ||
      return 1
  done
}

# run_check HOST IP [ARGS...]: `arp_health_exporter check IP ARGS` inside HOST; its output in
# CHECK_OUT (stdout and stderr), its exit status in CHECK_RC.
CHECK_OUT=
CHECK_RC=
run_check() {
  local host=$1
  shift
  CHECK_RC=0
  CHECK_OUT=$(in_ns "$host" "$EXPORTER" check "$@" 2>&1) || CHECK_RC=$?
}

# frames_in FILE: the number of frames in a capture file (0 for an empty or absent one).
frames_in() { tcpdump -r "$1" -n 2>/dev/null | wc -l; }
