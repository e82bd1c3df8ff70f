#!/usr/bin/env bash
# The command line as an operator meets it: every bad flag, value or config file is one line on
# stderr, nothing on stdout, exit code 2; --help and --version exit 0; a config file is read;
# SIGTERM and SIGINT stop a capturing exporter within a second with exit 0; without
# CAP_NET_RAW the exporter says so in one line and exits 2.
#
# Everything runs inside a namespace of this run, so an exporter that wrongly starts can only
# ever see the lab.
#
# Usage: cli_errors_test.sh [EXPORTER [ARP_INJECT]]
source "$(dirname "$0")/lib.sh"
init_test "$@"
require_tools setpriv timeout

new_ns X
# A veth pair inside X with an address on one end: a capture the exporter really runs.
ip -n "$(nsname X)" link add "$(ifname X)" type veth peer name "$(portname X)"
ip -n "$(nsname X)" addr add 192.0.2.1/24 dev "$(ifname X)"
ip -n "$(nsname X)" link set "$(ifname X)" up
ip -n "$(nsname X)" link set "$(portname X)" up

conf() {  # NAME LINE...: a config file in the run's directory; prints its path
  local file=$WORK/$1.conf
  shift
  printf '%s\n' "$@" >"$file"
  printf '%s\n' "$file"
}

# Bad input, one case a line: a name, then "|", the text the message must contain, "|", the
# arguments (words split on spaces; none of these values holds a space).
cases=(
  "unknown flag|--no-such-flag|--no-such-flag"
  "stray argument|stray|stray"
  "flag without its value|--collector.arp.window|--collector.arp.window"
  "bad duration|soon|--collector.arp.window soon"
  "zero duration|0s|--collector.arp.window 0s"
  "negative rescan interval|-1s|--collector.arp.rescan-interval -1s"
  "bad include regex|interfaces-include|--collector.arp.interfaces-include ("
  "bad exclude regex|interfaces-exclude|--collector.arp.interfaces-exclude [a-"
  "bad ignore address|192.0.2.300|--collector.arp.ignore 192.0.2.300"
  "bad ignore CIDR|192.0.2.0/33|--collector.arp.ignore 192.0.2.0/33"
  "bad ignore MAC|00:11:22:33:44|--collector.arp.ignore 00:11:22:33:44"
  "max-addresses out of range|max-addresses|--collector.arp.max-addresses 0"
  "max-series out of range|max-series|--collector.arp.max-series 1000001"
  "snaplen out of range|snaplen|--collector.arp.snaplen 10"
  "not a number|lots|--collector.arp.max-series lots"
  "bad log level|verbose|--log.level verbose"
  "bad log format|xml|--log.format xml"
  "telemetry path without /|telemetry-path|--web.telemetry-path metrics"
  "telemetry path /|telemetry-path|--web.telemetry-path /"
  "listen address without port|nonsense|--web.listen-address nonsense"
  "listen port out of range|99999|--web.listen-address 127.0.0.1:99999"
  "vendor file that is no registry|not-a-registry.conf|--vendor.files $(conf not-a-registry 'no registry here')"
  "missing config file|missing.conf|--config.file $WORK/missing.conf"
  "config with unknown key|collector.arp.windoww|--config.file $(conf unknown-key 'collector.arp.windoww = "20s"')"
  "config with bad value|twenty|--config.file $(conf bad-value 'collector.arp.window = "twenty"')"
  "config with bad number|max-addresses|--config.file $(conf bad-number 'collector.arp.max-addresses = -5')"
  "config that is not key = value|garbage|--config.file $(conf garbage 'garbage garbage' '[[[')"
  "analyze without files|files|analyze"
  "analyze a missing file|/nonexistent.pcap|analyze /nonexistent.pcap"
  "analyze with a bad format|yaml|analyze --format yaml $(conf not-a-capture 'an existing file')"
)

step "bad flags and config files: exit 2, one line on stderr, nothing on stdout"
failures=()
for case in "${cases[@]}"; do
  IFS='|' read -r name needle args <<<"$case"
  read -r -a argv <<<"$args"
  status=0
  in_ns X timeout 5 "$EXPORTER" "${argv[@]}" >"$WORK/out" 2>"$WORK/err" </dev/null || status=$?
  lines=$(wc -l <"$WORK/err")
  message=$(head -c 300 "$WORK/err" | tr '\n' '|')
  verdict=ok
  if [ "$status" -ne 2 ]; then
    verdict="exit $status, expected 2"
  elif [ -s "$WORK/out" ]; then
    verdict="wrote to stdout: $(head -c 200 "$WORK/out")"
  elif [ "$lines" -ne 1 ]; then
    verdict="$lines lines on stderr, expected 1"
  elif ! grep -qF -- "$needle" "$WORK/err"; then
    verdict="the message does not name '$needle'"
  fi
  printf '  %-34s %-6s exit %-3s %s\n' "$name" "$([ "$verdict" = ok ] && echo ok || echo WRONG)" "$status" "$message"
  [ "$verdict" = ok ] || failures+=("$name: $verdict")
done
# The other checks run even when a case above is wrong; the verdict comes at the end.

step "--help and --version: exit 0, output on stdout only"
for flag in --help --version; do
  status=0
  in_ns X timeout 5 "$EXPORTER" "$flag" >"$WORK/out" 2>"$WORK/err" </dev/null || status=$?
  [ "$status" -eq 0 ] || fail "$flag exited $status"
  [ -s "$WORK/out" ] || fail "$flag printed nothing"
  [ ! -s "$WORK/err" ] || fail "$flag wrote to stderr: $(cat "$WORK/err")"
done
grep -q '^arp_health_exporter [0-9]' "$WORK/out" || fail "--version printed '$(cat "$WORK/out")'"
say "--help and --version: exit 0 ($(cat "$WORK/out"))"

step "a config file sets what the flags set"
config=$(conf good \
  'web.listen-address = "127.0.0.1:10713"' \
  'web.telemetry-path = "/probe"' \
  'collector.arp.window = "20s"' \
  'collector.arp.rescan-interval = "1s"' \
  'log.level = "warn"')
EXPORTER_LOGS+=("$WORK/config.log")
ip netns exec "$(nsname X)" "$EXPORTER" --config.file "$config" </dev/null >/dev/null 2>"$WORK/config.log" &
config_pid=$!
track "$config_pid"
config_answers() {
  process_gone "$config_pid" && fail "the exporter with $config exited: $(cat "$WORK/config.log")"
  scrape X 10713 /probe >/dev/null 2>&1
}
wait_for 10 config_answers || fail "the exporter did not serve /probe on 127.0.0.1:10713 as its config file says"
config_capture_up() { [ "$(scrape X 10713 /probe | sample_sum arp_capture_up "interface=$(ifname X)")" = 1 ]; }
wait_for 10 config_capture_up || fail "no capture on $(ifname X) with the config file"
! grep -q 'level=info' "$WORK/config.log" || fail "log.level = \"warn\" from the config file was not applied: $(cat "$WORK/config.log")"
stop_process "$config_pid"
untrack "$config_pid"
say "config file: listens on 127.0.0.1:10713/probe, capture up, no info lines (log.level = warn)"

step "SIGTERM and SIGINT stop a capturing exporter within a second, exit 0"
for signal in TERM INT; do
  start_exporter X 10711
  pid=$EXPORTER_PID
  wait_for 10 metric_equals X 10711 1 arp_capture_up "interface=$(ifname X)" || fail "no capture on $(ifname X)"
  sent_ms=$(now_ms)
  kill -"$signal" "$pid"
  WAIT_INTERVAL=0.01 wait_for 10 process_gone "$pid" || fail "SIG$signal did not stop the exporter within 10 s"
  stopped_ms=$(now_ms)
  status=0
  wait "$pid" || status=$?
  untrack "$pid"
  elapsed=$((stopped_ms - sent_ms))
  say "SIG$signal: exporter stopped in $elapsed ms with exit code $status"
  [ "$status" -eq 0 ] || failures+=("SIG$signal: exit code $status, expected 0")
  [ "$elapsed" -le 1000 ] || failures+=("SIG$signal: stopping took $elapsed ms, more than a second")
done

step "without CAP_NET_RAW: one line naming the capability, exit 2"
status=0
in_ns X timeout 10 setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all \
  "$EXPORTER" --web.listen-address 127.0.0.1:10714 >"$WORK/out" 2>"$WORK/err" </dev/null || status=$?
say "unprivileged: exit $status: $(cat "$WORK/err")"
[ "$status" -eq 2 ] || fail "without CAP_NET_RAW the exporter exited $status, expected 2"
[ "$(wc -l <"$WORK/err")" -eq 1 ] || fail "without CAP_NET_RAW: $(wc -l <"$WORK/err") lines on stderr, expected 1"
grep -q CAP_NET_RAW "$WORK/err" || fail "the message does not name CAP_NET_RAW"
[ ! -s "$WORK/out" ] || fail "without CAP_NET_RAW: wrote to stdout"

step "without CAP_NET_RAW but with --no-collector.arp: the neighbour collector alone"
ip netns exec "$(nsname X)" setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
  --bounding-set=-all "$EXPORTER" --no-collector.arp --web.listen-address 127.0.0.1:10715 >"$WORK/out" 2>"$WORK/err" </dev/null &
unprivileged_pid=$!
track "$unprivileged_pid"
neighbour_only() {
  local exposition
  exposition=$(scrape X 10715) || return 1
  [ "$(sample arp_scrape_collector_success collector=neighbor <<<"$exposition")" = 1 ] &&
    [ "$(sample_count arp_scrape_collector_success collector=arp <<<"$exposition")" = 0 ] &&
    [ "$(sample_count arp_capture_up <<<"$exposition")" = 0 ]
}
wait_for 10 neighbour_only ||
  fail "unprivileged with --no-collector.arp: no neighbour-only exposition ($(cat "$WORK/err"))"
scrape X 10715 / | grep -q 'id="no-trouble"' || fail "the status page does not render without the sniffer"
stop_process "$unprivileged_pid"
untrack "$unprivileged_pid"
say "unprivileged with --no-collector.arp: serves the neighbour collector and the status page"

[ ${#failures[@]} -eq 0 ] || fail "$(printf '%s; ' "${failures[@]}")"
say "PASS"
