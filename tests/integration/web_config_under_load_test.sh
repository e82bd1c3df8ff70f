#!/usr/bin/env bash
# --web.config.file edited while scrapes run on every HTTP worker at once. Two versions of the
# file take turns, each with its own server certificate and its own password hash, so every
# edit makes the next handshakes rebuild the TLS settings (ClientHello callback) and the next
# requests re-parse the file and check a password not cached yet (bcrypt), on four workers at
# the same time. Five scrapers (TLS with a client certificate and basic auth) run throughout:
# one per password on /metrics, one with a wrong password, one on the status page and one on
# /-/healthy. Asserts: every answer is the one the file in force at that moment allows (200 or
# 401, /-/healthy always 200, the wrong password never 200), each password got through while its
# version was in force, the file was never unusable, and the exporter is alive; then SIGTERM
# with the scrapers still at it ends it cleanly (exit 0).
# web_tls_auth_test.sh checks what each setting means; this one that an edit is safe at any
# moment, which is why scripts/tsan runs it under ThreadSanitizer.
#
# Usage: web_config_under_load_test.sh [EXPORTER [ARP_INJECT]]
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/web_pki.sh"
init_test "$@"
require_tools openssl

PORT=10745
EDITS=${EDITS:-30}
PKI=$WORK/pki
mkdir -p "$PKI"
make_ca "$PKI" ca
make_cert "$PKI" server ca "IP:127.0.0.1"
make_cert "$PKI" server2 ca "IP:127.0.0.1"
make_cert "$PKI" prometheus ca

WEB=$PKI/web.yml
write_web_config() {  # 0 or 1: server.crt and the first password, or server2.crt and the other
  local certificate=server hash=$WEB_PROMETHEUS_HASH
  [ "$1" = 1 ] && certificate=server2 hash=$WEB_OTHER_HASH
  cat >"$WEB.new" <<YAML
tls_server_config:
  cert_file: $certificate.crt
  key_file: $certificate.key
  client_ca_file: ca.crt
  client_auth_type: RequireAndVerifyClientCert
http_server_config:
  headers:
    X-Content-Type-Options: nosniff
basic_auth_users:
  prometheus: $hash
YAML
  mv "$WEB.new" "$WEB"  # at once: a request never reads half a file
}
write_web_config 0

new_ns X
ip -n "$(nsname X)" link add "$(ifname X)" type veth peer name "$(portname X)"
ip -n "$(nsname X)" addr add 192.0.2.1/24 dev "$(ifname X)"
ip -n "$(nsname X)" link set "$(ifname X)" up
ip -n "$(nsname X)" link set "$(portname X)" up

TLS=(--cacert "$PKI/ca.crt" --cert "$PKI/prometheus.crt" --key "$PKI/prometheus.key")
# shellcheck disable=SC2034 # read by lib.sh
EXPORTER_SCHEME=https
# shellcheck disable=SC2034 # read by lib.sh
EXPORTER_CURL=("${TLS[@]}" -u "prometheus:$WEB_PROMETHEUS_PASSWORD")
start_exporter X "$PORT" --web.config.file "$WEB"
URL=https://127.0.0.1:$PORT

step "five scrapers at once while the file changes $EDITS times"
STOP=$WORK/stop-scraping
SCRAPERS=(first other wrong page healthy)
declare -A SCRAPER_ARGS=(
  [first]="-u prometheus:$WEB_PROMETHEUS_PASSWORD $URL/metrics"
  [other]="-u prometheus:$WEB_OTHER_PASSWORD $URL/metrics"
  [wrong]="-u prometheus:wrong $URL/metrics"
  [page]="-u prometheus:$WEB_PROMETHEUS_PASSWORD $URL/"
  [healthy]="$URL/-/healthy"
)
SCRAPER_PIDS=()
for name in "${SCRAPERS[@]}"; do
  # shellcheck disable=SC2016,SC2086 # expanded by the inner shell; the curl arguments split
  ip netns exec "$(nsname X)" bash -c '
    codes=$1
    shift
    while [ ! -e "$0" ]; do
      curl -s -o /dev/null --max-time 30 -w "%{http_code}\n" "$@" >>"$codes"
    done' "$STOP" "$WORK/$name.codes" "${TLS[@]}" ${SCRAPER_ARGS[$name]} </dev/null >/dev/null 2>&1 &
  SCRAPER_PIDS+=($!)
  track $!
done
answers() { [ -f "$WORK/$1.codes" ] && wc -l <"$WORK/$1.codes" || echo 0; }
answered() {  # NAME CODE: NAME's scraper got CODE at least once
  grep -qx "$2" "$WORK/$1.codes" 2>/dev/null
}
got_through_since() {  # NAME LINE: NAME's scraper got a 200 after its first LINE answers
  tail -n +"$(($2 + 1))" "$WORK/$1.codes" 2>/dev/null | grep -qx 200
}
wait_for 30 got_through_since first 0 || fail "the first password never got through: $(cat "$WORK/first.codes" 2>/dev/null)"
for i in $(seq 1 "$EDITS"); do
  version=$((i % 2))
  name=first
  [ "$version" = 1 ] && name=other
  before=$(answers "$name")
  write_web_config "$version"
  # Until that version's password got through: the edit was read by a request, and the
  # certificate by a handshake, while the other scrapers kept the other workers busy.
  wait_for 20 got_through_since "$name" "$before" ||
    fail "edit $i: the $name password did not get through: $(tail -n 5 "$WORK/$name.codes")"
done
process_gone "$EXPORTER_PID" && fail "the exporter ended during the edits"

step "every answer one the file in force allowed"
summary=
for name in "${SCRAPERS[@]}"; do
  [ "$(answers "$name")" -gt 0 ] || fail "the $name scraper got no answer"
  cp "$WORK/$name.codes" "$WORK/$name.during"  # the scrapers run on, for the shutdown
  codes=$(sort "$WORK/$name.during" | uniq -c | tr -s ' ' | sed 's/^ //' | paste -sd, -)
  summary+=" $name: $codes;"
  case $name in
    healthy) allowed='^200$' ;;
    wrong) allowed='^401$' ;;
    *) allowed='^(200|401)$' ;;
  esac
  [ "$(grep -Evc "$allowed" "$WORK/$name.during")" = 0 ] || fail "the $name scraper got $codes"
done
! grep -q 'unusable' "$EXPORTER_LOG" || fail "the file was unusable once: $(grep unusable "$EXPORTER_LOG" | head -n 1)"
rebuilt=$(grep -c 'msg="TLS settings reloaded"' "$EXPORTER_LOG" || true)
# About once per edit (a request can pass under an edit its connection's handshake preceded).
[ "$rebuilt" -ge $((EDITS / 2)) ] || fail "the TLS settings were rebuilt $rebuilt times for $EDITS edits"
say "answers:$summary TLS settings rebuilt $rebuilt times"

step "SIGTERM in the middle of handshakes and requests: a clean exit"
kill -TERM "$EXPORTER_PID"
wait_for 20 process_gone "$EXPORTER_PID" || fail "the exporter did not end within 20 s of SIGTERM"
code=0
wait "$EXPORTER_PID" || code=$?
untrack "$EXPORTER_PID"
[ "$code" = 0 ] || fail "the exporter exited with $code on SIGTERM during scrapes"
touch "$STOP"
for pid in "${SCRAPER_PIDS[@]}"; do
  wait_for 40 process_gone "$pid" || fail "a scraper did not finish"
done
say "exit 0"

pass
