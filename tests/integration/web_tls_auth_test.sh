#!/usr/bin/env bash
# --web.config.file as operators use it to protect the inventory: TLS with a CA made here, client
# certificates required and verified (RequireAndVerifyClientCert), min_version TLS13, basic auth
# with a bcrypt hash and a response header. Asserted with curl:
#   - plain HTTP is not served on the TLS port;
#   - no client certificate, or one from another CA: the handshake is refused;
#   - TLS 1.2 is refused (min_version TLS13);
#   - no password or a wrong one: 401 with WWW-Authenticate; the right one: 200 and the header;
#   - /-/healthy and /-/ready answer without a password (Kubernetes probes);
#   - edits apply without a restart (a new password, a rotated server certificate); a broken
#     edit refuses scrapes (500) with one log line and keeps the probes answering, until fixed;
#   - start-up with an unknown key, an unreadable file, a bad certificate, a key that does not
#     match or an unknown cipher suite: exit 2 and exactly one line on stderr;
#   - max_version, cipher_suites and curve_preferences are enforced (TLS 1.2 only, one suite);
#   - the exporter serves TLS where libssl-dev's names (libssl.so, libcrypto.so) do not exist.
#
# Usage: web_tls_auth_test.sh [EXPORTER [ARP_INJECT]]
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/web_pki.sh"
init_test "$@"
require_tools openssl

PORT=10743
PKI=$WORK/pki
mkdir -p "$PKI"
make_ca "$PKI" ca
make_ca "$PKI" other-ca
make_cert "$PKI" server ca "IP:127.0.0.1"
make_cert "$PKI" prometheus ca
make_cert "$PKI" intruder other-ca

# The config names its files relative to its own directory, as exporter-toolkit resolves them.
WEB=$PKI/web.yml
write_web_config() {  # [password hash]
  cat >"$WEB.new" <<YAML
tls_server_config:
  cert_file: server.crt
  key_file: server.key
  client_ca_file: ca.crt
  client_auth_type: RequireAndVerifyClientCert
  min_version: TLS13
http_server_config:
  headers:
    X-Content-Type-Options: nosniff
basic_auth_users:
  prometheus: ${1:-$WEB_PROMETHEUS_HASH}
YAML
  mv "$WEB.new" "$WEB"  # at once: a request never reads half a file
}
write_web_config

new_ns X
ip -n "$(nsname X)" link add "$(ifname X)" type veth peer name "$(portname X)"
ip -n "$(nsname X)" addr add 192.0.2.1/24 dev "$(ifname X)"
ip -n "$(nsname X)" link set "$(ifname X)" up
ip -n "$(nsname X)" link set "$(portname X)" up

TRUST=(--cacert "$PKI/ca.crt")
CLIENT=(--cert "$PKI/prometheus.crt" --key "$PKI/prometheus.key")
EXPORTER_SCHEME=https
EXPORTER_CURL=("${TRUST[@]}" "${CLIENT[@]}" -u "prometheus:$WEB_PROMETHEUS_PASSWORD")
start_exporter X "$PORT" --web.config.file "$WEB"
URL=https://127.0.0.1:$PORT

# request ARGS... URL: prints the HTTP status ("000" when there was no HTTP answer at all), the
# headers to $WORK/headers, the body to $WORK/body, curl's complaint to $WORK/curl.err.
request() {
  in_ns X curl -sS --max-time 5 -D "$WORK/headers" -o "$WORK/body" -w '%{http_code}' "$@" \
    2>"$WORK/curl.err" || true
}
header() { grep -i "^$1:" "$WORK/headers" | cut -d: -f2- | tr -d '\r' | sed 's/^ //'; }

step "plain HTTP on the TLS port"
status=$(request "http://127.0.0.1:$PORT/metrics")
[ "$status" = 000 ] || fail "plain HTTP got an HTTP answer ($status)"
say "plain HTTP: no answer ($(head -c 80 "$WORK/curl.err"))"

step "client certificates: required and verified"
status=$(request "${TRUST[@]}" -u "prometheus:$WEB_PROMETHEUS_PASSWORD" "$URL/metrics")
[ "$status" = 000 ] || fail "a client without a certificate got HTTP $status"
say "no client certificate: refused ($(head -c 100 "$WORK/curl.err"))"
status=$(request "${TRUST[@]}" --cert "$PKI/intruder.crt" --key "$PKI/intruder.key" \
  -u "prometheus:$WEB_PROMETHEUS_PASSWORD" "$URL/metrics")
[ "$status" = 000 ] || fail "a certificate from another CA got HTTP $status"
say "a certificate from another CA: refused ($(head -c 100 "$WORK/curl.err"))"

step "min_version TLS13"
status=$(request "${EXPORTER_CURL[@]}" --tls-max 1.2 "$URL/metrics")
[ "$status" = 000 ] || fail "TLS 1.2 got HTTP $status although min_version is TLS13"
grep -qi "protocol version" "$WORK/curl.err" || fail "TLS 1.2 refused, but not for its version: $(cat "$WORK/curl.err")"
status=$(request "${EXPORTER_CURL[@]}" -v "$URL/metrics")
[ "$status" = 200 ] || fail "TLS 1.3 with the right certificate and password got $status"
grep -q "TLSv1.3" "$WORK/curl.err" || fail "the accepted connection was not TLS 1.3"
say "TLS 1.2: protocol version alert; TLS 1.3: 200"

step "basic auth"
status=$(request "${TRUST[@]}" "${CLIENT[@]}" "$URL/metrics")
[ "$status" = 401 ] || fail "no password got $status, not 401"
challenge=$(header WWW-Authenticate)
grep -q '^Basic' <<<"$challenge" || fail "401 without WWW-Authenticate: Basic: $(cat "$WORK/headers")"
status=$(request "${TRUST[@]}" "${CLIENT[@]}" -u "prometheus:wrong" "$URL/metrics")
[ "$status" = 401 ] || fail "a wrong password got $status, not 401"
status=$(request "${TRUST[@]}" "${CLIENT[@]}" -u "nobody:$WEB_PROMETHEUS_PASSWORD" "$URL/")
[ "$status" = 401 ] || fail "an unknown user got $status on the status page, not 401"
status=$(request "${EXPORTER_CURL[@]}" "$URL/metrics")
[ "$status" = 200 ] || fail "the right password got $status"
grep -q '^arp_exporter_build_info' "$WORK/body" || fail "200 but no exposition"
[ "$(header X-Content-Type-Options)" = nosniff ] || fail "the configured header is missing: $(cat "$WORK/headers")"
say "no password 401 (WWW-Authenticate: $challenge), wrong 401, unknown user 401, right 200 with X-Content-Type-Options"

step "health endpoints without a password"
for path in /-/healthy /-/ready; do
  status=$(request "${TRUST[@]}" "${CLIENT[@]}" "$URL$path")
  [ "$status" = 200 ] || fail "$path answered $status"
done
say "/-/healthy and /-/ready: 200 without credentials (TLS and the client certificate still apply)"

step "edits apply without a restart"
write_web_config "$WEB_OTHER_HASH"
status=$(request "${EXPORTER_CURL[@]}" "$URL/metrics")
[ "$status" = 401 ] || fail "the old password still works after the hash changed ($status)"
status=$(request "${TRUST[@]}" "${CLIENT[@]}" -u "prometheus:$WEB_OTHER_PASSWORD" "$URL/metrics")
[ "$status" = 200 ] || fail "the new password got $status"
write_web_config
# Certificate rotation: a new server certificate from a new CA, same file names.
make_ca "$PKI" ca2
make_cert "$PKI" server2 ca2 "IP:127.0.0.1"
cp "$PKI/server2.key" "$PKI/server.key.new" && cp "$PKI/server2.crt" "$PKI/server.crt.new"
mv "$PKI/server.key.new" "$PKI/server.key" && mv "$PKI/server.crt.new" "$PKI/server.crt"
status=$(request --cacert "$PKI/ca2.crt" "${CLIENT[@]}" -u "prometheus:$WEB_PROMETHEUS_PASSWORD" "$URL/metrics")
[ "$status" = 200 ] || fail "the rotated certificate is not served ($status: $(cat "$WORK/curl.err"))"
status=$(request "${EXPORTER_CURL[@]}" "$URL/metrics")
[ "$status" = 000 ] || fail "the old certificate is still served"
EXPORTER_CURL=(--cacert "$PKI/ca2.crt" "${CLIENT[@]}" -u "prometheus:$WEB_PROMETHEUS_PASSWORD")
say "a new hash applies to the next request; a rotated certificate to the next connection"

step "a broken edit"
printf 'basic_auth_users:\n  prometheus: plaintext\n' >"$WEB.new" && mv "$WEB.new" "$WEB"
status=$(request "${EXPORTER_CURL[@]}" "$URL/metrics")
[ "$status" = 500 ] || fail "with a broken web config /metrics answered $status, not 500"
status=$(request "${EXPORTER_CURL[@]}" "$URL/metrics")
[ "$status" = 500 ] || fail "second scrape with a broken web config: $status"
status=$(request "${EXPORTER_CURL[@]}" "$URL/-/healthy")
[ "$status" = 200 ] || fail "with a broken web config /-/healthy answered $status"
[ "$(grep -c 'web config unusable' "$EXPORTER_LOG")" = 1 ] ||
  fail "expected one log line for the broken file: $(grep 'web config' "$EXPORTER_LOG")"
write_web_config
status=$(request "${EXPORTER_CURL[@]}" "$URL/metrics")
[ "$status" = 200 ] || fail "after the fix /metrics answered $status"
say "broken: /metrics 500, /-/healthy 200, one log line ($(grep -o 'err="[^"]*"' "$EXPORTER_LOG" | head -1)); fixed: 200"

step "unusable web configs at start-up: exit 2, one line"
start_fails() {  # what CONFIG: runs the exporter with CONFIG, expects exit 2 and one stderr line
  local what=$1 config=$2 code=0
  in_ns X timeout 10 "$EXPORTER" --web.listen-address "127.0.0.1:$((PORT + 1))" \
    --web.config.file "$config" >/dev/null 2>"$WORK/start.err" || code=$?
  [ "$code" = 2 ] || fail "$what: exit $code, not 2: $(cat "$WORK/start.err")"
  [ "$(wc -l <"$WORK/start.err")" = 1 ] || fail "$what: not one line on stderr: $(cat "$WORK/start.err")"
  say "$what: exit 2: $(cat "$WORK/start.err")"
}
printf 'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth: RequireAndVerifyClientCert\n' >"$PKI/unknown-key.yml"
start_fails "unknown key" "$PKI/unknown-key.yml"
start_fails "unreadable file" "$PKI/no-such-file.yml"
printf 'tls_server_config:\n  cert_file: ca.srl\n  key_file: server.key\n' >"$PKI/bad-cert.yml"
start_fails "not a certificate" "$PKI/bad-cert.yml"
printf 'tls_server_config:\n  cert_file: server.crt\n  key_file: prometheus.key\n' >"$PKI/wrong-key.yml"
start_fails "key of another certificate" "$PKI/wrong-key.yml"
printf 'tls_server_config:\n  cert_file: missing.crt\n  key_file: server.key\n' >"$PKI/missing-cert.yml"
start_fails "missing certificate file" "$PKI/missing-cert.yml"

printf 'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  cipher_suites: [TLS_RSA_WITH_RC4_128_MD5]\n' >"$PKI/bad-cipher.yml"
start_fails "unknown cipher suite" "$PKI/bad-cipher.yml"

step "max_version, cipher_suites and curve_preferences are enforced"
cat >"$PKI/tls12.yml" <<YAML
tls_server_config:
  cert_file: server.crt
  key_file: server.key
  max_version: TLS12
  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256]
  curve_preferences: [CurveP384]
YAML
TLS12_PORT=$((PORT + 3))
ip netns exec "$(nsname X)" "$EXPORTER" --web.listen-address "127.0.0.1:$TLS12_PORT" \
  --web.config.file "$PKI/tls12.yml" --no-collector.arp </dev/null >/dev/null 2>"$WORK/tls12.log" &
TLS12_PID=$!
track "$TLS12_PID"
EXPORTER_LOGS+=("$WORK/tls12.log")
TLS12_URL=https://127.0.0.1:$TLS12_PORT/metrics
tls12_answers() { [ "$(request --cacert "$PKI/ca2.crt" "$TLS12_URL")" = 200 ]; }
wait_for 15 tls12_answers || fail "the TLS 1.2 exporter does not answer: $(cat "$WORK/curl.err")"
status=$(request --cacert "$PKI/ca2.crt" --tlsv1.3 "$TLS12_URL")
[ "$status" = 000 ] || fail "TLS 1.3 got HTTP $status although max_version is TLS12"
status=$(request --cacert "$PKI/ca2.crt" --tls-max 1.2 --ciphers ECDHE-ECDSA-AES256-GCM-SHA384 "$TLS12_URL")
[ "$status" = 000 ] || fail "a cipher suite outside cipher_suites got HTTP $status"
status=$(request --cacert "$PKI/ca2.crt" --tls-max 1.2 --ciphers ECDHE-ECDSA-AES128-GCM-SHA256 -v "$TLS12_URL")
[ "$status" = 200 ] || fail "the configured cipher suite got $status: $(cat "$WORK/curl.err")"
grep -q "ECDHE-ECDSA-AES128-GCM-SHA256" "$WORK/curl.err" || fail "the connection did not use the configured suite"
status=$(request --cacert "$PKI/ca2.crt" --tls-max 1.2 --curves prime256v1 "$TLS12_URL")
[ "$status" = 000 ] || fail "a curve outside curve_preferences got HTTP $status"
say "max_version TLS12: TLS 1.3 refused; only TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 and P-384 accepted"

step "TLS with only the runtime libssl3 (no libssl.so, no libcrypto.so)"
# An overlay over the library directory with whiteouts for libssl-dev's two symlinks, in a mount
# namespace of the exporter's own: as on a machine without libssl-dev.
LIBDIR=$(dirname "$(readlink -f "$(ldconfig -p | awk '/libssl\.so\.3 / {print $NF; exit}')")")
# The overlay's upper layer on a tmpfs of the namespace's own: overlayfs refuses an upper layer
# on overlayfs, which a CI root may be.
mkdir -p "$WORK/overlay"
NODEV_PORT=$((PORT + 2))
ip netns exec "$(nsname X)" unshare -m sh -c '
  mount --make-rprivate / && mount -t tmpfs tmpfs "$2" || exit 97
  mkdir "$2/upper" "$2/work" && mknod "$2/upper/libssl.so" c 0 0 && mknod "$2/upper/libcrypto.so" c 0 0 || exit 97
  mount -t overlay overlay -o "lowerdir=$1,upperdir=$2/upper,workdir=$2/work" "$1" || exit 97
  for name in libssl.so libcrypto.so; do [ ! -e "$1/$name" ] || exit 98; done
  exec "$3" --web.listen-address "127.0.0.1:$4" --web.config.file "$5" --no-collector.arp' \
  sh "$LIBDIR" "$WORK/overlay" "$EXPORTER" "$NODEV_PORT" "$WEB" </dev/null >/dev/null 2>"$WORK/nodev.log" &
NODEV_PID=$!
track "$NODEV_PID"
EXPORTER_LOGS+=("$WORK/nodev.log")
nodev_answers() {
  process_gone "$NODEV_PID" && return 2
  [ "$(request "${EXPORTER_CURL[@]}" "https://127.0.0.1:$NODEV_PORT/metrics")" = 200 ]
}
if wait_for 15 nodev_answers; then
  say "without libssl.so and libcrypto.so in $LIBDIR: TLS scrape 200"
else
  process_gone "$NODEV_PID" ||
    fail "the exporter without libssl-dev's names runs but does not serve TLS: $(cat "$WORK/curl.err" "$WORK/nodev.log")"
  wait "$NODEV_PID" 2>/dev/null && code=0 || code=$?
  [ "$code" = 97 ] && fail "cannot mount an overlay over $LIBDIR here (overlayfs missing?)"
  [ "$code" = 98 ] && fail "the overlay did not hide libssl.so/libcrypto.so"
  fail "the exporter does not serve TLS without libssl-dev's names (exit $code): $(cat "$WORK/nodev.log")"
fi

pass
