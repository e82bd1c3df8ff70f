#!/usr/bin/env bash
# The live capture path against tcpdump's, on the same frames at once: a sender namespace
# replays ARP traffic into a veth whose other end, in a monitor namespace, is captured by the
# exporter (its defaults) and by `tcpdump -B 4096 -w /dev/null arp` side by side. At rising
# rates up to what the sender manages on this machine (tcpreplay, then trafgen where present),
# per rate: frames sent, each tool's frames received and dropped, CPU seconds per million
# frames received, and the exporter's CPU over tcpdump's.
#
# Goal (issue 11): 0 drops at the machine's ceiling with defaults, and CPU per frame at most
# 2x tcpdump's in the same run.
#
# Usage: sudo bench/live_capture.sh [EXPORTER [MAKE_CAPTURE]]
#   EXPORTER      default build/exporter/arp_health_exporter
#   MAKE_CAPTURE  default build/bench/make_capture (writes the frame corpus)
# Environment: RATES="10000 30000 100000 200000 top" (frames/s; "top": as fast as the sender
# can), SECONDS_PER_RATE=3, TOP_FRAMES=1000000.
#
# Like the integration tests, it creates only namespaces of its own (names carry its PID),
# nothing in the host's namespace, and removes them on exit. The corpus's addresses are
# 198.18.0.0/15 (RFC 2544 benchmarking) and never leave the veth.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
EXPORTER=${1:-$ROOT/build/exporter/arp_health_exporter}
MAKE_CAPTURE=${2:-$ROOT/build/bench/make_capture}
RATES=${RATES:-10000 30000 100000 200000 top}
SECONDS_PER_RATE=${SECONDS_PER_RATE:-3}
TOP_FRAMES=${TOP_FRAMES:-1000000}
PORT=10799

[ "$(id -u)" -eq 0 ] || { echo "live_capture.sh: needs root (namespaces, capture)" >&2; exit 2; }
for tool in ip curl tcpdump tcpreplay; do
  command -v "$tool" >/dev/null || { echo "live_capture.sh: $tool is missing" >&2; exit 2; }
done
[ -x "$EXPORTER" ] || { echo "live_capture.sh: no exporter at $EXPORTER" >&2; exit 2; }
[ -x "$MAKE_CAPTURE" ] || { echo "live_capture.sh: no make_capture at $MAKE_CAPTURE" >&2; exit 2; }

PFX=lc$$
S_NS=$PFX-s
M_NS=$PFX-m
S_IF=${PFX}s
M_IF=${PFX}m
WORK=$(mktemp -d "${TMPDIR:-/tmp}/live_capture.XXXXXX")
EXPORTER_PID=
TCPDUMP_PID=
cleanup() {
  [ -n "$TCPDUMP_PID" ] && kill "$TCPDUMP_PID" 2>/dev/null && wait "$TCPDUMP_PID" 2>/dev/null
  [ -n "$EXPORTER_PID" ] && kill "$EXPORTER_PID" 2>/dev/null && wait "$EXPORTER_PID" 2>/dev/null
  ip netns del "$S_NS" 2>/dev/null || true
  ip netns del "$M_NS" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- lab ----------------------------------------------------------------------------------------
for ns in "$S_NS" "$M_NS"; do
  ip netns add "$ns"
  ip -n "$ns" link set lo up
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
ip -n "$S_NS" link add "$S_IF" type veth peer name "$M_IF" netns "$M_NS"
ip -n "$S_NS" addr add 198.51.100.2/24 dev "$S_IF"
ip -n "$M_NS" addr add 198.51.100.1/24 dev "$M_IF"  # an address: captured by default
ip -n "$S_NS" link set "$S_IF" up
ip -n "$M_NS" link set "$M_IF" up

"$MAKE_CAPTURE" "$WORK/corpus.pcap" "$TOP_FRAMES" >/dev/null
corpus_frames=$TOP_FRAMES  # make_capture writes exactly that many, about 88 % of them ARP

ip netns exec "$M_NS" "$EXPORTER" --web.listen-address "127.0.0.1:$PORT" \
  </dev/null >/dev/null 2>"$WORK/exporter.log" &
EXPORTER_PID=$!

scrape() { ip netns exec "$M_NS" curl -fsS --max-time 5 "http://127.0.0.1:$PORT/metrics"; }
# sum NAME: the sum of every series of NAME on the monitored interface.
sum() {
  scrape | awk -v name="$1" -v want="interface=\"$M_IF\"" '
    /^#/ { next }
    { split($1, parts, "{"); if (parts[1] == name && index($0, want)) s += $NF }
    END { printf "%.0f\n", s }'
}
for _ in $(seq 1 100); do
  [ "$(sum arp_capture_up 2>/dev/null || echo 0)" = 1 ] && break
  sleep 0.1
done
[ "$(sum arp_capture_up)" = 1 ] || { cat "$WORK/exporter.log" >&2; echo "no capture" >&2; exit 1; }

# CPU time of a process, all its threads, in nanoseconds: the scheduler's own accounting
# (/proc/PID/task/*/schedstat), since utime+stime from /proc/PID/stat count in 10 ms ticks and
# tcpdump spends a few ticks per million frames.
cpu_ns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%.0f\n", s }'; }
# utime+stime from /proc/PID/stat, in seconds (ticks of CLK_TCK), as a cross-check.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
TICK=$(getconf CLK_TCK)

# What the exporter's pipeline was handed: every frame that passed the filter is either
# decoded (arp_frames_total) or rejected by the decoder.
exporter_received() { echo $(($(sum arp_frames_total) + $(sum arp_frames_rejected_total))); }

# send RATE FRAMES: replays the corpus (looped as needed) at RATE frames/s, or as fast as
# tcpreplay can; prints the frames it sent and its rate as tcpreplay measured it.
send_tcpreplay() {
  local rate=$1 frames=$2 loops speed
  loops=$(((frames + corpus_frames - 1) / corpus_frames))
  if [ "$rate" = top ]; then speed=(--topspeed); else speed=(--pps="$rate"); fi
  ip netns exec "$S_NS" tcpreplay -q -i "$S_IF" "${speed[@]}" --loop="$loops" --limit="$frames" \
    --preload-pcap "$WORK/corpus.pcap" 2>&1 |
    awk '/Actual:/ { sent = $2 } /Rated:/ { pps = $(NF - 1) } END { print sent, pps }'
}

# trafgen: one ARP request template, sender MAC and IP counting together through 256 hosts
# of 198.18.0.0/24 asking for the gateway; --no-sock-mem leaves the host's sysctls alone.
cat >"$WORK/arp.cfg" <<'EOF'
{
  0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
  0x02, 0x00, 0x00, 0x00, 0x00, dinc(0, 255, 1),
  0x08, 0x06,
  0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01,
  0x02, 0x00, 0x00, 0x00, 0x00, dinc(0, 255, 1),
  198, 18, 0, dinc(0, 255, 1),
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  198, 18, 0, 1,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
}
EOF
send_trafgen() {
  local rate=$1 frames=$2 speed=()
  [ "$rate" = top ] || speed=(-b "${rate}pps")
  ip netns exec "$S_NS" trafgen --dev "$S_IF" --conf "$WORK/arp.cfg" --cpus 1 --num "$frames" \
    --no-sock-mem "${speed[@]}" >"$WORK/trafgen.out" 2>&1 ||
    { echo "live_capture.sh: trafgen failed:" >&2; tail -n 5 "$WORK/trafgen.out" >&2; }
  echo "$frames"
}

printf 'live capture: exporter (defaults) vs tcpdump -B 4096 -w /dev/null arp, same frames at once\n'
printf 'corpus: %d frames (make_capture), ~88 %% ARP: what both filters pass is "recv"\n' "$corpus_frames"
printf 'CPU seconds per million frames received, from schedstat (from utime+stime in brackets)\n\n'
printf '%-9s %-6s %9s %8s %10s %8s %10s %8s %16s %16s %7s\n' sender rate sent "sent/s" exp_recv exp_drop \
  tcpd_recv tcpd_drop "exp_s/M" "tcpd_s/M" ratio
last_ratio=
last_drops=
run_rate() {
  local sender=$1 rate=$2 frames sent
  if [ "$rate" = top ]; then frames=$TOP_FRAMES; else frames=$((rate * SECONDS_PER_RATE)); fi
  # A fresh tcpdump per rate: its exit line counts this rate's frames only.
  ip netns exec "$M_NS" tcpdump -i "$M_IF" -B 4096 -w /dev/null arp 2>"$WORK/tcpdump.err" &
  TCPDUMP_PID=$!
  for _ in $(seq 1 50); do grep -q listening "$WORK/tcpdump.err" && break; sleep 0.1; done
  sleep 1.2  # the exporter publishes its counters once a second
  local e_recv0 e_drop0 e_cpu0 t_cpu0 e_tick0 t_tick0
  e_recv0=$(exporter_received)
  e_drop0=$(sum arp_capture_kernel_dropped_frames_total)
  e_cpu0=$(cpu_ns "$EXPORTER_PID")
  t_cpu0=$(cpu_ns "$TCPDUMP_PID")
  e_tick0=$(cpu_ticks "$EXPORTER_PID")
  t_tick0=$(cpu_ticks "$TCPDUMP_PID")
  local started finished pps
  started=$(date +%s%N)
  read -r sent pps < <("send_$sender" "$rate" "$frames")
  finished=$(date +%s%N)
  # trafgen does not say: its wall time, start-up included.
  [ -n "$pps" ] || pps=$(awk -v n="$sent" -v ns=$((finished - started)) 'BEGIN { printf "%.0f", n / (ns / 1e9) }')
  sleep 0.3  # both drain their buffers (the exporter's timeout is 50 ms)
  local e_cpu t_cpu e_tick t_tick
  e_cpu=$(($(cpu_ns "$EXPORTER_PID") - e_cpu0))
  t_cpu=$(($(cpu_ns "$TCPDUMP_PID") - t_cpu0))
  e_tick=$(($(cpu_ticks "$EXPORTER_PID") - e_tick0))
  t_tick=$(($(cpu_ticks "$TCPDUMP_PID") - t_tick0))
  kill -INT "$TCPDUMP_PID"
  wait "$TCPDUMP_PID" 2>/dev/null || true
  TCPDUMP_PID=
  sleep 1.2
  local e_recv e_drop t_recv t_drop
  e_recv=$(($(exporter_received) - e_recv0))
  e_drop=$(($(sum arp_capture_kernel_dropped_frames_total) - e_drop0))
  t_recv=$(awk '/packets captured/ { print $1 }' "$WORK/tcpdump.err")
  t_drop=$(awk '/dropped by kernel/ { print $1 }' "$WORK/tcpdump.err")
  awk -v s="$sender" -v r="$rate" -v sent="$sent" -v er="$e_recv" -v ed="$e_drop" \
    -v tr="$t_recv" -v td="$t_drop" -v ec="$e_cpu" -v tc="$t_cpu" -v et="$e_tick" \
    -v tt="$t_tick" -v tick="$TICK" -v pps="$pps" 'BEGIN {
      em = er > 0 ? ec / 1e9 / (er / 1e6) : 0
      tm = tr > 0 ? tc / 1e9 / (tr / 1e6) : 0
      emt = er > 0 ? et / tick / (er / 1e6) : 0
      tmt = tr > 0 ? tt / tick / (tr / 1e6) : 0
      printf "%-9s %-6s %9d %8.0f %10d %8d %10d %8d %7.3f (%6.3f) %7.3f (%6.3f) %7.2f\n",
        s, r, sent, pps, er, ed, tr, td, em, emt, tm, tmt, (tm > 0 ? em / tm : 0)
    }'
  last_ratio=$(awk -v ec="$e_cpu" -v tc="$t_cpu" -v er="$e_recv" -v tr="$t_recv" \
    'BEGIN { printf "%.2f", (tc > 0 && er > 0 && tr > 0) ? (ec / er) / (tc / tr) : 0 }')
  last_drops=$e_drop
}

# The goal holds for each sender's last (top) rate: the corpus (20 000 hosts, so the tracker
# works out of cache) and trafgen's small set (256 hosts) cost the exporter differently.
verdict() { if [ "$1" = 1 ]; then echo met; else echo "NOT met"; fi; }
top_verdicts=()
judge_top() {
  top_verdicts+=("$(printf '%-9s top rate: exporter dropped %d: %s; CPU ratio %s: %s' "$1" \
    "$last_drops" "$(verdict "$([ "$last_drops" -eq 0 ] && echo 1)")" "$last_ratio" \
    "$(verdict "$(awk -v r="$last_ratio" 'BEGIN { print (r > 0 && r <= 2) ? 1 : 0 }')")")")
}

for rate in $RATES; do run_rate tcpreplay "$rate"; done
judge_top tcpreplay
if command -v trafgen >/dev/null; then
  for rate in 100000 top; do run_rate trafgen "$rate"; done
  judge_top trafgen
else
  printf '(trafgen not installed: tcpreplay only; Debian package netsniff-ng)\n'
fi

printf '\ngoal: 0 exporter drops at the top rate with defaults, CPU per frame <= 2x tcpdump\n'
printf '%s\n' "${top_verdicts[@]}"
