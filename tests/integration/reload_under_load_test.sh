#!/usr/bin/env bash
# SIGHUP while everything else runs, as on a busy node: a contested address being verified (its
# owner and a rogue answer the probes), a flood of claims whose MACs keep changing being
# captured, and four scrapers at once on the HTTP workers (/metrics plain and gzip, the status
# page). Meanwhile reloads in quick succession switch every reloadable setting back and forth
# (ignore list, probe rate and intervals, probe watch, neighbour watch, log level), so each
# reload target takes its lock while the capture, the verifier and the scrapes hold theirs.
# Asserts: every scrape answered 200, every reload counted as a success and logged, the
# exporter alive, and the last file's neighbour watch in force; then SIGTERM with the scrapers
# still at it ends the exporter cleanly (exit 0). sighup_reload_test.sh checks what a reload
# means; this one that it is safe at any moment, which is why scripts/tsan runs it under
# ThreadSanitizer.
#
# Usage: reload_under_load_test.sh [EXPORTER [ARP_INJECT]]
source "$(dirname "$0")/lib.sh"
init_test "$@"
need_arp_inject

PORT=10712
IP=192.0.2.10
A_MAC=00:1b:21:0a:00:0a
R_MAC=00:50:56:0b:ad:01
RELOADS=${RELOADS:-16}
CONF=$WORK/exporter.conf

step "lab: owner A and rogue R (both $IP), flooder V and the monitor M on one switch"
new_switch sw 1
add_host A sw 1 "$A_MAC" "$IP/24"
add_host R sw 1 "$R_MAC" "$IP/24"
add_host V sw 1 02:00:00:00:00:02 192.0.2.2/24
add_host M sw 1 02:00:00:00:00:fa 192.0.2.250/24
M_IF=$(ifname M)
for n in 40 41; do
  ip -n "$(nsname M)" neigh replace "192.0.2.$n" lladdr "02:00:00:00:01:$n" dev "$M_IF" nud permanent
done

# Two files that differ in every reloadable setting; the exporter starts with the first.
write_config() {  # 0 or 1
  if [ "$1" = 0 ]; then
    cat >"$CONF.new" <<'EOF'
log.level = "info"
collector.arp.ignore = "192.0.2.200"
collector.arp.probe.rate = 20
collector.arp.probe.address-interval = "2s"
collector.arp.probe.own-interval = "5s"
collector.arp.probe.watch = "192.0.2.0/28"
collector.arp.probe.watch-interval = "10s"
collector.neighbor.watch = "192.0.2.40"
EOF
  else
    cat >"$CONF.new" <<'EOF'
log.level = "warn"
collector.arp.ignore = ["192.0.2.200", "198.51.100.7", "02:01:00:00:00:09"]
collector.arp.probe.rate = 10
collector.arp.probe.address-interval = "3s"
collector.arp.probe.own-interval = "7s"
collector.arp.probe.watch = "192.0.2.16/28"
collector.arp.probe.watch-interval = "20s"
collector.neighbor.watch = "192.0.2.41"
EOF
  fi
  mv "$CONF.new" "$CONF"
}
write_config 0
start_verifying_exporter M "$PORT" --config.file "$CONF" --collector.arp.rescan-interval 1s

step "traffic: A and R claim $IP, V floods 100 addresses with changing MACs"
start_chatter A 0.5 192.0.2.250
start_chatter R 0.5 192.0.2.250
wait_for 20 contested_by M "$PORT" "$IP" "$A_MAC" "$R_MAC" ||
  fail "$IP is not contested by A and R: $(scrape M "$PORT" | grep -E "ip=\"$IP\"")"
# shellcheck disable=SC2016 # expanded by the inner shell
ip netns exec "$(nsname V)" bash -c '
  stopping=0
  trap "stopping=1" TERM
  while [ $stopping -eq 0 ]; do
    for set in 1 2; do
      [ $stopping -eq 0 ] || break
      "$0" "$1" --op request --sender-mac "02:0$set:00:00:00:00" --sender-ip 198.51.100.1 \
        --target-mac 00:00:00:00:00:00 --target-ip 198.51.100.254 --count 100 --vary both \
        --interval-ms 2
    done
  done' "$ARP_INJECT" "$(ifname V)" </dev/null >/dev/null 2>&1 &
track $!

step "four scrapers at once"
STOP=$WORK/stop-scraping
URL=http://127.0.0.1:$PORT
SCRAPERS=("$URL/metrics" "$URL/metrics --compressed" "$URL/" "$URL/metrics")
SCRAPER_PIDS=()
for n in "${!SCRAPERS[@]}"; do
  # shellcheck disable=SC2016,SC2086 # expanded by the inner shell; the curl arguments split
  ip netns exec "$(nsname M)" bash -c '
    codes=$1
    shift
    while [ ! -e "$0" ]; do
      curl -s -o /dev/null --max-time 30 -w "%{http_code}\n" "$@" >>"$codes"
    done' "$STOP" "$WORK/scraper$n.codes" ${SCRAPERS[$n]} </dev/null >/dev/null 2>&1 &
  SCRAPER_PIDS+=($!)
  track $!
done
scrapes() { cat "$WORK"/scraper*.codes 2>/dev/null | wc -l; }
scrapes_at_least() { [ "$(scrapes)" -ge "$1" ]; }
wait_for 30 scrapes_at_least 8 || fail "the scrapers got no answers"

step "$RELOADS reloads in quick succession, each switching every reloadable setting"
reloads_at_least() { [ "$(grep -c 'msg="configuration reloaded"' "$EXPORTER_LOG")" -ge "$1" ]; }
for i in $(seq 1 "$RELOADS"); do
  write_config $((i % 2))
  kill -HUP "$EXPORTER_PID"
  # One at a time: signals sent while one is pending would merge into one reload.
  wait_for 30 reloads_at_least "$i" || fail "reload $i was not logged"
done
say "$RELOADS reloads while $(scrapes) scrapes ran"
process_gone "$EXPORTER_PID" && fail "the exporter ended during the reloads"

step "every scrape answered, every reload counted, the last file in force"
for n in "${!SCRAPERS[@]}"; do
  [ -s "$WORK/scraper$n.codes" ] || fail "scraper $n (${SCRAPERS[$n]}) got no answer"
  cp "$WORK/scraper$n.codes" "$WORK/scraper$n.during"  # the scrapers run on, for the shutdown
done
codes=$(cat "$WORK"/scraper*.during | sort | uniq -c | tr -s ' ' | sed 's/^ //')
[ "$(cat "$WORK"/scraper*.during | grep -vc '^200$')" = 0 ] || fail "scrapes not answered 200: $codes"
exposition=$(scrape M "$PORT")
[ "$(sample arp_exporter_config_reloads_total result=success <<<"$exposition")" = "$RELOADS" ] ||
  fail "arp_exporter_config_reloads_total{result=\"success\"} is not $RELOADS: $(grep '^arp_exporter_config_reloads' <<<"$exposition")"
[ "$(sample arp_exporter_config_reloads_total result=failure <<<"$exposition")" = 0 ] ||
  fail "a reload failed: $(grep 'reload failed' "$EXPORTER_LOG")"
[ "$(grep -c 'needs a restart' "$EXPORTER_LOG" || true)" = 0 ] ||
  fail "a reloadable setting needed a restart: $(grep 'needs a restart' "$EXPORTER_LOG" | head -n 1)"
last=$((RELOADS % 2))
watched=$((40 + last))
unwatched=$((41 - last))
[ "$(sample_count arp_neighbor_lladdr_info "interface=$M_IF" "ip=192.0.2.$watched" <<<"$exposition")" -ge 1 ] ||
  fail "the last file's neighbour watch (192.0.2.$watched) is not exported"
[ "$(sample_count arp_neighbor_lladdr_info "interface=$M_IF" "ip=192.0.2.$unwatched" <<<"$exposition")" = 0 ] ||
  fail "the previous file's neighbour watch (192.0.2.$unwatched) is still exported"
contested_by M "$PORT" "$IP" "$A_MAC" "$R_MAC" || fail "the reloads lost the conflict on $IP"
say "scrapes: $codes; reloads: $RELOADS successes, 0 failures; watch 192.0.2.$watched in force"

step "SIGTERM while the scrapes, the capture and the verifier run: a clean exit"
kill -TERM "$EXPORTER_PID"
wait_for 20 process_gone "$EXPORTER_PID" || fail "the exporter did not end within 20 s of SIGTERM"
code=0
wait "$EXPORTER_PID" || code=$?
untrack "$EXPORTER_PID"
[ "$code" = 0 ] || fail "the exporter exited with $code on SIGTERM during scrapes"
grep -q 'msg="shutting down" signal=SIGTERM' "$EXPORTER_LOG" || fail "no \"shutting down\" line"
touch "$STOP"
for pid in "${SCRAPER_PIDS[@]}"; do
  wait_for 40 process_gone "$pid" || fail "a scraper did not finish"
done
say "exit 0 with $(($(scrapes) - $(cat "$WORK"/scraper*.during | wc -l))) more scrapes on the way"

pass
