#!/usr/bin/env bash
# Offline analysis, measured against the tools people use today, on one generated capture in
# one run: `arp_health_exporter analyze`, arpwatch and tshark. Prints frames/s for each, the
# ratios, and which of the known contested addresses each tool found. See bench/README.md.
#
# Usage (root: network namespace, apt-get):
#   bench/analyze_vs_arpwatch.sh [ANALYZER]
#     ANALYZER  the exporter binary, run as `ANALYZER analyze --format json FILE`
#               (default: $BUILD_DIR/exporter/arp_health_exporter)
# Environment: FRAMES (1000000), SEED (1), REPEAT (3, best run counts), KEEP=1 keeps the
# work directory, MAKE_CAPTURE (default: $BUILD_DIR/bench/make_capture, else compiled here),
# INSTRUCTIONS=1 also counts our instructions under callgrind (whole run and start-up alone):
# unlike seconds, they do not move when other work shares the machine.
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib/common.sh"

ANALYZER=${1:-$BUILD_DIR/exporter/arp_health_exporter}
FRAMES=${FRAMES:-1000000}
SEED=${SEED:-1}
REPEAT=${REPEAT:-3}
GOAL=30                 # ours/arpwatch, frames per second
GOAL_RATE=10000000      # ours, frames per second, whole process

require_root "the analyze benchmark"
[ -x "$ANALYZER" ] || die "$ANALYZER: no such executable (build first, or pass the binary)"

# arpwatch and tshark are only needed here, so they are not in scripts/packages.
install_tools() {
  local missing=()
  command -v arpwatch >/dev/null || missing+=(arpwatch)
  command -v tshark >/dev/null || missing+=(tshark)
  command -v jq >/dev/null || missing+=(jq)
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # wireshark-common asks whether non-root users may capture; without an answer the install
  # would stop at the question. No is the safe answer, and root runs tshark here anyway.
  echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
install_tools

WORK=$(mktemp -d /tmp/analyze-bench.XXXXXX)
NS=arpbench-$$
cleanup() {
  ip netns del "$NS" 2>/dev/null || true
  if [ "${KEEP:-0}" = 1 ]; then log "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# arpwatch resolves the name of every new address (tshark could too): in a namespace that holds
# only loopback no lookup can leave the machine, and each one fails at once instead of waiting
# for a resolver timeout.
ip netns add "$NS"
ip netns exec "$NS" ip link set lo up

MAKE_CAPTURE=${MAKE_CAPTURE:-$BUILD_DIR/bench/make_capture}
if [ ! -x "$MAKE_CAPTURE" ]; then
  log "compiling make_capture (not found in $BUILD_DIR/bench)"
  "${CXX:-c++}" -std=c++20 -O2 "$ROOT/bench/make_capture.cpp" -o "$WORK/make_capture" -lpcap
  MAKE_CAPTURE=$WORK/make_capture
fi
CAPTURE=$WORK/capture.pcap
log "generating $FRAMES frames"
"$MAKE_CAPTURE" "$CAPTURE" "$FRAMES" "$SEED" >"$WORK/truth"
awk '$1 == "contested" { print $2 }' "$WORK/truth" | sort -u >"$WORK/truth.contested"
awk '$1 == "moved" { print $2 }' "$WORK/truth" | sort -u >"$WORK/truth.moved"

# The capture's file header alone: what our run costs before the first frame (start-up, the
# vendor registry, the report).
EMPTY_CAPTURE=$WORK/empty.pcap
head -c 24 "$CAPTURE" >"$EMPTY_CAPTURE"

run_ours_on() {
  local status=0
  "$ANALYZER" analyze --format json "$1" >"$WORK/ours.json" 2>"$WORK/ours.err" ||
    status=$?
  # 1 means "something is contested", which is what this capture holds.
  [ "$status" -le 1 ] || die "analyzer exited $status: $(head -c 300 "$WORK/ours.err")"
}
run_ours() { run_ours_on "$CAPTURE"; }
run_ours_empty() { run_ours_on "$EMPTY_CAPTURE"; }

run_arpwatch() {
  # A fresh, empty database every run: a second run over a known database reports less and
  # would look faster than a first one.
  : >"$WORK/arp.dat"
  # -d: stay in the foreground and print reports instead of mailing them; -Q: no mail;
  # -N: no bogon reports.
  ip netns exec "$NS" arpwatch -d -Q -N -f "$WORK/arp.dat" -r "$CAPTURE" \
    >"$WORK/arpwatch.out" 2>"$WORK/arpwatch.err" ||
    die "arpwatch failed: $(tail -c 300 "$WORK/arpwatch.err")"
}

run_tshark() {
  # The ARP dissector flags a frame whose address another MAC used earlier; the address itself
  # is only in the expert message. -n: no name resolution.
  ip netns exec "$NS" tshark -n -r "$CAPTURE" -Y arp.duplicate-address-detected \
    -T fields -e _ws.expert.message >"$WORK/tshark.out" 2>"$WORK/tshark.err" ||
    die "tshark failed: $(tail -c 300 "$WORK/tshark.err")"
}

# Prints the best wall time of REPEAT runs of a function, in seconds.
best_seconds() {
  local best="" start end i
  for ((i = 0; i < REPEAT; i++)); do
    start=$EPOCHREALTIME
    "$1"
    end=$EPOCHREALTIME
    best=$(awk -v s="$start" -v e="$end" -v b="$best" \
      'BEGIN { t = e - s; if (b == "" || t < b) printf "%.3f", t; else print b }')
  done
  echo "$best"
}

log "timing (best of $REPEAT)"
ours_empty_s=$(best_seconds run_ours_empty)
ours_s=$(best_seconds run_ours)
arpwatch_s=$(best_seconds run_arpwatch)
tshark_s=$(best_seconds run_tshark)

# What each tool calls a conflict, as a sorted list of addresses.
jq -r '.contested[].ip' "$WORK/ours.json" | sort -u >"$WORK/ours.contested"
jq -r '.moved[].ip' "$WORK/ours.json" | sort -u >"$WORK/ours.moved"
# arpwatch: "flip flop" (back to the previous MAC) and "reused old ethernet address" (back to
# an older one) mean two MACs alternate; "changed ethernet address" is any change, moves too.
sed -n 's/^Subject: flip flop (\([0-9.]*\)).*/\1/p' "$WORK/arpwatch.out" >"$WORK/arpwatch.flips"
sed -n 's/.*reused old ethernet address \([0-9.]*\) .*/\1/p' \
  "$WORK/arpwatch.out" "$WORK/arpwatch.err" >>"$WORK/arpwatch.flips"
sort -u -o "$WORK/arpwatch.contested" "$WORK/arpwatch.flips"
sed -n 's/^Subject: changed ethernet address (\([0-9.]*\)).*/\1/p' "$WORK/arpwatch.out" |
  sort -u >"$WORK/arpwatch.changed"
sed -n 's/.*Duplicate IP address configured (\([0-9.]*\)).*/\1/p' "$WORK/tshark.out" |
  sort -u >"$WORK/tshark.contested"

common() { comm -12 "$1" "$2" | wc -l; }
only_in_first() { comm -23 "$1" "$2" | wc -l; }
rate() { awk -v n="$FRAMES" -v s="$1" 'BEGIN { printf "%.0f", n / s }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b / a }'; }

contested_total=$(wc -l <"$WORK/truth.contested")
moved_total=$(wc -l <"$WORK/truth.moved")
ours_found=$(common "$WORK/ours.contested" "$WORK/truth.contested")

echo
echo "capture: $FRAMES frames, $contested_total contested and $moved_total moved addresses" \
  "(seed $SEED)"
row() { printf '%-9s %9s %12s  %-17s  %s\n' "$@"; }
row tool seconds frames/s "contested found" "other addresses flagged"
row ours "$ours_s" "$(rate "$ours_s")" "$ours_found/$contested_total" \
  "$(only_in_first "$WORK/ours.contested" "$WORK/truth.contested") as contested; $(
    common "$WORK/ours.moved" "$WORK/truth.moved")/$moved_total moves reported as moved"
row arpwatch "$arpwatch_s" "$(rate "$arpwatch_s")" \
  "$(common "$WORK/arpwatch.contested" "$WORK/truth.contested")/$contested_total flip flop" \
  "$(only_in_first "$WORK/arpwatch.contested" "$WORK/truth.contested") as flip flop; $(
    common "$WORK/arpwatch.changed" "$WORK/truth.moved")/$moved_total moves as changed ethernet address"
row tshark "$tshark_s" "$(rate "$tshark_s")" \
  "$(common "$WORK/tshark.contested" "$WORK/truth.contested")/$contested_total" \
  "$(only_in_first "$WORK/tshark.contested" "$WORK/truth.contested") as duplicate, of them $(
    common "$WORK/tshark.contested" "$WORK/truth.moved")/$moved_total moves"
echo
echo "ours on the file header alone (start-up): ${ours_empty_s} s of ${ours_s} s"
vs_arpwatch=$(ratio "$ours_s" "$arpwatch_s")
met() { awk -v v="$1" -v g="$2" 'BEGIN { print (v >= g ? "met" : "NOT MET") }'; }
echo "ours/arpwatch: ${vs_arpwatch}x  (goal >= ${GOAL}x: $(met "$vs_arpwatch" "$GOAL"))"
echo "ours/tshark:   $(ratio "$ours_s" "$tshark_s")x"
ours_rate=$(rate "$ours_s")
echo "ours: $(awk -v r="$ours_rate" 'BEGIN { printf "%.2f", r / 1e6 }') M frames/s" \
  "(goal >= $((GOAL_RATE / 1000000)) M frames/s whole process: $(met "$ours_rate" "$GOAL_RATE"))"

if [ "${INSTRUCTIONS:-0}" = 1 ]; then
  command -v valgrind >/dev/null || die "INSTRUCTIONS=1 needs valgrind"
  # Ir: instructions executed, the same on a busy machine as on an idle one.
  instructions() {
    # Its exit status is analyze's: 1 when something is contested, as this capture is.
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$ANALYZER" analyze --format json \
      "$1" >/dev/null 2>"$WORK/callgrind.err" || true
    sed -n 's/.*refs: *//p' "$WORK/callgrind.err" | tr -d ,
  }
  log "counting instructions (callgrind)"
  all=$(instructions "$CAPTURE")
  empty=$(instructions "$EMPTY_CAPTURE")
  awk -v a="$all" -v e="$empty" -v n="$FRAMES" 'BEGIN {
    printf "ours, instructions: %.1f M in all, %.1f M start-up, %.0f per frame\n",
      a / 1e6, e / 1e6, (a - e) / n }'
fi

# Speed is reported, not asserted; missing a conflict is a bug.
[ "$ours_found" -eq "$contested_total" ] || die "the analyzer missed contested addresses"
