#!/usr/bin/env bash
# HTTP as clients other than Prometheus use it: HEAD (load balancers' health checks, curl -I)
# gets what GET gets, status and headers, without a body, on every route; POST, PUT, DELETE and
# the other methods civetweb parses get 405 with Allow: GET, HEAD; unknown paths stay 404.
#
# Usage: http_methods_test.sh [EXPORTER [ARP_INJECT]]
source "$(dirname "$0")/lib.sh"
init_test "$@"

PORT=10742
new_ns X
ip -n "$(nsname X)" link add "$(ifname X)" type veth peer name "$(portname X)"
ip -n "$(nsname X)" addr add 192.0.2.1/24 dev "$(ifname X)"
ip -n "$(nsname X)" link set "$(ifname X)" up
ip -n "$(nsname X)" link set "$(portname X)" up
start_exporter X "$PORT"

request() {  # method path: prints "status body-bytes", the headers to $WORK/headers
  local method=$1 path=$2
  local -a how=(-X "$method")
  [ "$method" = HEAD ] && how=(--head)
  in_ns X curl -sS --max-time 5 "${how[@]}" -D "$WORK/headers" -o "$WORK/body" \
    -w '%{http_code} %{size_download}' "http://127.0.0.1:$PORT$path"
}
header() { grep -i "^$1:" "$WORK/headers" | cut -d: -f2- | tr -d ' \r'; }

# The status page shows live state: HEAD and GET of / can only be compared once it has settled
# (the capture started a few ms after the listener, later still under TSan, and added its row
# between a GET and a HEAD).
wait_for 10 metric_equals X "$PORT" 1 arp_capture_up "interface=$(ifname X)" ||
  fail "no capture on $(ifname X)"
page_length() { request GET / >/dev/null && header Content-Length; }
page_settled() { [ "$(page_length)" = "$(page_length)" ]; }
wait_for 10 page_settled || fail "the status page never settled"

for path in / /metrics; do
  step "GET and HEAD $path"
  read -r status bytes <<<"$(request GET "$path")"
  [ "$status" = 200 ] || fail "GET $path answered $status"
  get_type=$(header Content-Type)
  get_length=$(header Content-Length)
  read -r status bytes <<<"$(request HEAD "$path")"
  [ "$status" = 200 ] || fail "HEAD $path answered $status, GET 200"
  [ "$bytes" = 0 ] || fail "HEAD $path sent a body of $bytes bytes"
  [ "$(header Content-Type)" = "$get_type" ] || fail "HEAD $path: Content-Type $(header Content-Type), GET $get_type"
  [ -n "$(header Content-Length)" ] || fail "HEAD $path has no Content-Length"
  # /metrics changes between two scrapes (durations); the page only by its clock.
  [ "$path" != / ] || [ "$(header Content-Length)" = "$get_length" ] ||
    fail "HEAD / says Content-Length $(header Content-Length), GET $get_length"
  say "HEAD $path: 200, no body, $get_type"

  step "other methods on $path"
  for method in POST PUT DELETE PATCH OPTIONS; do
    read -r status bytes <<<"$(request "$method" "$path")"
    [ "$status" = 405 ] || fail "$method $path answered $status, not 405"
    [ "$(header Allow)" = "GET,HEAD" ] || fail "$method $path: Allow is '$(header Allow)'"
  done
  say "POST, PUT, DELETE, PATCH, OPTIONS $path: 405, Allow: GET, HEAD"
done

step "unknown paths"
for method in GET HEAD POST; do
  read -r status bytes <<<"$(request "$method" /no-such-page)"
  [ "$status" = 404 ] || fail "$method /no-such-page answered $status, not 404"
done
read -r status bytes <<<"$(request HEAD /no-such-page)"
[ "$bytes" = 0 ] || fail "HEAD /no-such-page sent a body"
say "GET, HEAD, POST /no-such-page: 404 (HEAD without a body)"

pass
