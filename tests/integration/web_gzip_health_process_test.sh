#!/usr/bin/env bash
# What a scraper and an orchestrator see besides the ARP metrics:
#   - /-/healthy 200, and /-/ready 200 once captures and netlink are up, without a scrape;
#   - /metrics gzip-compressed when Accept-Encoding allows it (Content-Encoding: gzip, Vary:
#     Accept-Encoding), identity otherwise; the gzip body, decoded by curl --compressed and by
#     gunzip, is the same exposition (same series) and clean for `promtool check metrics`;
#   - process_* metrics are plausible: RSS > 0, open fds as /proc counts them, the fd limit,
#     the start time between the launch and now, CPU seconds >= 0.
#
# Usage: web_gzip_health_process_test.sh [EXPORTER [ARP_INJECT]]
source "$(dirname "$0")/lib.sh"
init_test "$@"
require_tools promtool gzip

PORT=10744
new_ns X
ip -n "$(nsname X)" link add "$(ifname X)" type veth peer name "$(portname X)"
ip -n "$(nsname X)" addr add 192.0.2.1/24 dev "$(ifname X)"
ip -n "$(nsname X)" link set "$(ifname X)" up
ip -n "$(nsname X)" link set "$(portname X)" up
launched=$(date +%s)
start_exporter X "$PORT"
URL=http://127.0.0.1:$PORT

request() {  # ARGS... URL: status; headers to $WORK/headers, body to $WORK/body
  in_ns X curl -sS --max-time 5 -D "$WORK/headers" -o "$WORK/body" -w '%{http_code}' "$@"
}
header() { grep -i "^$1:" "$WORK/headers" | cut -d: -f2- | tr -d '\r' | sed 's/^ //'; }
series() { grep -v '^#' "$1" | sed 's/ [^ ]*$//' | sort; }  # every series, values dropped

step "health endpoints"
[ "$(request "$URL/-/healthy")" = 200 ] || fail "/-/healthy answered $(cat "$WORK/body")"
[ "$(request "$URL/-/ready")" = 200 ] || fail "/-/ready answered $(cat "$WORK/body")"
[ "$(request --head "$URL/-/ready")" = 200 ] || fail "HEAD /-/ready failed"
[ "$(request -X POST "$URL/-/healthy")" = 405 ] || fail "POST /-/healthy is not 405"
say "/-/healthy 200, /-/ready 200 (HEAD too), POST 405"

step "gzip when asked"
[ "$(request -H 'Accept-Encoding: gzip' "$URL/metrics")" = 200 ] || fail "gzip scrape failed"
[ "$(header Content-Encoding)" = gzip ] || fail "Accept-Encoding: gzip got Content-Encoding '$(header Content-Encoding)'"
[ "$(header Vary)" = Accept-Encoding ] || fail "no Vary: Accept-Encoding: $(cat "$WORK/headers")"
[ "$(header Content-Length)" = "$(stat -c %s "$WORK/body")" ] || fail "Content-Length is not the compressed size"
gzip -t "$WORK/body" || fail "the body is not gzip"
gunzip -c "$WORK/body" >"$WORK/gunzip.prom"
compressed_bytes=$(stat -c %s "$WORK/body")
[ "$(request --compressed "$URL/metrics")" = 200 ] || fail "curl --compressed failed"
[ "$(header Content-Encoding)" = gzip ] || fail "curl --compressed was not answered with gzip"
cp "$WORK/body" "$WORK/curl-compressed.prom"
[ "$(request "$URL/metrics")" = 200 ] || fail "identity scrape failed"
[ -z "$(header Content-Encoding)" ] || fail "no Accept-Encoding got Content-Encoding $(header Content-Encoding)"
[ "$(header Vary)" = Accept-Encoding ] || fail "identity answer without Vary: Accept-Encoding"
cp "$WORK/body" "$WORK/identity.prom"
[ "$(request -H 'Accept-Encoding: gzip;q=0, identity' "$URL/metrics")" = 200 ] || fail "q=0 scrape failed"
[ -z "$(header Content-Encoding)" ] || fail "gzip;q=0 got Content-Encoding $(header Content-Encoding)"
for file in gunzip curl-compressed; do
  diff <(series "$WORK/identity.prom") <(series "$WORK/$file.prom") >"$WORK/$file.diff" ||
    fail "$file decodes to other series than the identity scrape: $(head -n 5 "$WORK/$file.diff")"
  promtool check metrics <"$WORK/$file.prom" >"$WORK/$file.lint" 2>&1 || true
  [ -s "$WORK/$file.lint" ] && fail "promtool check metrics on the $file body: $(head -n 5 "$WORK/$file.lint")"
done
say "gzip $compressed_bytes bytes for $(stat -c %s "$WORK/identity.prom") identity; gunzip and curl --compressed: the same $(series "$WORK/identity.prom" | wc -l) series, promtool clean; gzip;q=0 gets identity"

step "process metrics"
value() { sample "$1" <"$WORK/identity.prom"; }
rss=$(value process_resident_memory_bytes)
vsz=$(value process_virtual_memory_bytes)
fds=$(value process_open_fds)
max_fds=$(value process_max_fds)
start=$(value process_start_time_seconds)
cpu=$(value process_cpu_seconds_total)
[ -n "$rss" ] && [ -n "$vsz" ] && [ -n "$fds" ] && [ -n "$max_fds" ] && [ -n "$start" ] && [ -n "$cpu" ] ||
  fail "a process_* metric is missing: $(grep '^process_' "$WORK/identity.prom")"
awk -v v="$rss" -v z="$vsz" 'BEGIN { exit !(v > 1000000 && z >= v) }' || fail "RSS $rss, virtual $vsz: implausible"
counted=$(($(ls "/proc/$EXPORTER_PID/fd" | wc -l)))
awk -v f="$fds" -v c="$counted" -v m="$max_fds" 'BEGIN { exit !(f > 3 && f - c <= 3 && c - f <= 3 && m >= f) }' ||
  fail "process_open_fds $fds, /proc counts $counted, max $max_fds"
now=$(date +%s)
awk -v s="$start" -v l="$launched" -v n="$now" 'BEGIN { exit !(s >= l - 2 && s <= n && s > n - 3600) }' ||
  fail "process_start_time_seconds $start is not between the launch ($launched) and now ($now)"
awk -v c="$cpu" 'BEGIN { exit !(c >= 0 && c < 3600) }' || fail "process_cpu_seconds_total $cpu"
grep -q '^# TYPE process_cpu_seconds_total counter' "$WORK/identity.prom" || fail "process_cpu_seconds_total is not a counter"
say "RSS $rss, virtual $vsz, open fds $fds (/proc: $counted), max fds $max_fds, started $start (launched $launched), CPU ${cpu}s"

pass
