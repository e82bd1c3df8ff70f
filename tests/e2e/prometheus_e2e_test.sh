#!/usr/bin/env bash
# The incident of ../../../shared/README.md, end to end through Prometheus and Alertmanager to the
# person paged: exporters on A (the owner of 192.0.2.10), B and C (its peers) and the monitoring
# host M; Debian's prometheus server inside M with alerts/arp_health.rules.yml exactly as shipped;
# Debian's prometheus-alertmanager beside it, routing with deploy/alertmanager/alertmanager.yml
# (receivers pointed at webhook_recorder on M's loopback, timings scaled down); the forgotten
# machine R switched on and off again. Every exporter is protected as in production: TLS with a CA
# made here, basic auth with a bcrypt hash (--web.config.file); Prometheus scrapes with
# tls_config (CA, client certificate) and basic_auth, and a scrape without credentials gets 401.
# Asserted through Prometheus's HTTP API:
#   - ArpDuplicateIPAddress and ArpOwnAddressClaimed fire, with the right labels and both MACs
#     and vendors in their text;
#   - ArpNeighborHostsDisagree fires while B resolves the IP to R and C to A;
#   - every PromQL expression of dashboards/arp_health.json returns data during the incident;
#   - after R is unplugged and the exporters' window passes, the alerts resolve.
# And through the notifications the recorder kept (what a person receives):
#   - exactly one page for the IP, although several exporters fire ArpDuplicateIPAddress and A's
#     fires ArpOwnAddressClaimed: grouped by alertname, ip and vlan, and the own-address alert
#     inhibited; the page names both MACs with their vendors and which hosts resolve the IP to
#     which MAC;
#   - a resolved notification for it after R is unplugged;
#   - a NIC replacement on server S (192.0.2.11), during the same run, pages no one.
# And the exporter's status page, rendered by headless Chromium during the incident, shows the
# contested IP and both MACs (screenshot kept in build/test-artifacts/).
#
# The rules are loaded as shipped but for their group's evaluation interval: 1 s, as the test's
# scrape interval, instead of 15 s (which would make every state change up to 15 s late and
# the waits below a matter of luck). Their for: durations (15 s, 30 s, 1 m) stay. Only the
# exporters' window is short (20 s), so the resolution happens within the test.
#
# Usage: prometheus_e2e_test.sh EXPORTER WEBHOOK_RECORDER   (root; exit 77 = skipped without root)
# shellcheck source=../integration/lib.sh
source "$(dirname "$0")/../integration/lib.sh"
# shellcheck source=../integration/web_pki.sh
source "$(dirname "$0")/../integration/web_pki.sh"
init_test "${1:-}"
require_tools prometheus prometheus-alertmanager amtool jq chromium openssl
WEBHOOK_RECORDER=${2:-$REPO_ROOT/build/tests/e2e/webhook_recorder}
[ -x "$WEBHOOK_RECORDER" ] || fail "no webhook_recorder binary at $WEBHOOK_RECORDER (build first)"

SHIPPED_RULES=$REPO_ROOT/alerts/arp_health.rules.yml
RULES=$WORK/arp_health.rules.yml
sed 's/^    interval: 15s$/    interval: 1s/' "$SHIPPED_RULES" >"$RULES"
[ "$(grep -c '^    interval: 1s$' "$RULES")" = 1 ] ||
  fail "the shipped rules' group no longer sets 'interval: 15s': update this test's copy of them"
ARTIFACT_DIR=${ARTIFACT_DIR:-$REPO_ROOT/build/test-artifacts}
PORT=10711
PROM_PORT=9090
AM_PORT=9093
HOOK_PORT=9095
AM_EXAMPLE=$REPO_ROOT/deploy/alertmanager/alertmanager.yml
# The example's Alertmanager timings divided by this: the rules' for: durations stay as shipped,
# but a page's updates every 5 m would not fit in the test. The ratios between the example's
# timings are what its routing relies on, and they stay.
AM_TIME_SCALE=${AM_TIME_SCALE:-5}
NOTIFICATIONS= # set by start_alertmanager: every notification the recorder received, one a line
# Server S, quiet, on switch 1: its NIC is replaced while R's conflict resolves.
S_IP=192.0.2.11
S_OLD_MAC=00:1b:21:0a:00:0b  # Intel: S's NIC, replaced
S_NEW_MAC=00:1b:21:0a:00:0c  # Intel: its replacement
WINDOW_S=20

# Management addresses: Prometheus scrapes the exporters over a second subnet on the same
# segment, because scraping A at 192.0.2.10 would reach R half of the time (the incident).
declare -A MGMT_IP=([A]=198.51.100.10 [B]=198.51.100.20 [C]=198.51.100.30 [M]=198.51.100.250)
EXPORTER_HOSTS=(A B C M)
inst() { printf '%s:%s' "${MGMT_IP[$1]}" "$PORT"; }

# ---- TLS and basic auth --------------------------------------------------------------------------

# Every exporter serves through --web.config.file as a protected deployment would: TLS with a
# certificate from a CA made here, a client certificate verified when one is given (Prometheus
# presents one; the status page's browser does not), basic auth with a bcrypt hash. Prometheus
# scrapes with tls_config (the CA, its client certificate) and basic_auth.
PKI=$WORK/pki
WEB_CONFIG=$PKI/web.yml
make_pki() {
  local san="IP:127.0.0.1" host
  for host in "${EXPORTER_HOSTS[@]}"; do san+=",IP:${MGMT_IP[$host]}"; done
  mkdir -p "$PKI"
  make_ca "$PKI" ca
  make_cert "$PKI" exporter ca "$san"
  make_cert "$PKI" prometheus ca
  cat >"$WEB_CONFIG" <<YAML
tls_server_config:
  cert_file: exporter.crt
  key_file: exporter.key
  client_ca_file: ca.crt
  client_auth_type: VerifyClientCertIfGiven
basic_auth_users:
  prometheus: $WEB_PROMETHEUS_HASH
YAML
  # What lib.sh's scrape and start_exporter use to reach the exporters.
  EXPORTER_SCHEME=https
  EXPORTER_CURL=(--cacert "$PKI/ca.crt" --cert "$PKI/prometheus.crt" --key "$PKI/prometheus.key"
    -u "prometheus:$WEB_PROMETHEUS_PASSWORD")
}

# ---- Prometheus --------------------------------------------------------------------------------

# prom PATH [curl args...]: GET against the Prometheus in M.
prom() {
  local path=$1
  shift
  in_ns M curl -fsS --max-time 5 -G "http://127.0.0.1:$PROM_PORT$path" "$@"
}

# instant_query EXPR: the API's JSON answer.
instant_query() { prom /api/v1/query --data-urlencode "query=$1"; }

prometheus_ready() { prom /-/ready >/dev/null 2>&1; }

targets_up() {
  [ "$(instant_query 'count(up{job="arp"} == 1)' | jq -r '.data.result[0].value[1] // "0"')" = "${#EXPORTER_HOSTS[@]}" ]
}

# find_alert NAME STATE LABEL=VALUE...: writes to $WORK/alert.json the first alert of NAME in
# STATE (firing, pending) whose labels include every LABEL=VALUE; fails when there is none.
find_alert() {
  local name=$1 state=$2
  shift 2
  local wanted='{}'
  [ $# -eq 0 ] || wanted=$(printf '%s\n' "$@" | jq -R 'split("=") | {(.[0]): (.[1:] | join("="))}' | jq -s 'add')
  prom /api/v1/alerts 2>/dev/null |
    jq -e -c --arg name "$name" --arg state "$state" --argjson wanted "$wanted" '
      [.data.alerts[] | select(.labels.alertname == $name and .state == $state)
        | select(.labels as $l | $wanted | to_entries | all($l[.key] == .value))] | first // empty' \
      >"$WORK/alert.json"
}

# no_alert NAME LABEL=VALUE...: no alert of NAME (pending or firing) with those labels.
no_alert() {
  local name=$1
  shift
  ! find_alert "$name" firing "$@" && ! find_alert "$name" pending "$@"
}

alert_field() { jq -r "$1" "$WORK/alert.json"; }

# expect_labels KEY...: the found alert has exactly these label names.
expect_labels() {
  local got expected
  got=$(jq -r '.labels | keys | join(" ")' "$WORK/alert.json")
  expected=$(printf '%s\n' "$@" | sort | paste -sd' ')
  [ "$got" = "$expected" ] || fail "$(alert_field .labels.alertname) has labels [$got], expected [$expected]"
}

# expect_text FIELD NEEDLE...: the found alert's annotation FIELD contains every NEEDLE.
expect_text() {
  local field=$1 text needle
  shift
  text=$(alert_field ".annotations.$field")
  for needle in "$@"; do
    grep -qF -- "$needle" <<<"$text" ||
      fail "$(alert_field .labels.alertname) $field lacks '$needle': $text"
  done
}

show_alert() {
  jq -r '"  \(.labels.alertname) \(.labels | del(.alertname) | to_entries | map("\(.key)=\(.value)") | join(" "))",
         "    summary:     \(.annotations.summary)",
         "    description: \(.annotations.description)",
         "    runbook_url: \(.annotations.runbook_url)"' "$WORK/alert.json"
}

start_prometheus() {
  local log=$WORK/prometheus.log host
  {
    printf 'global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n'
    printf 'rule_files:\n  - %s\n' "$RULES"
    printf 'alerting:\n  alertmanagers:\n    - static_configs:\n        - targets: [127.0.0.1:%s]\n' "$AM_PORT"
    printf 'scrape_configs:\n  - job_name: arp\n    scheme: https\n'
    printf '    tls_config:\n      ca_file: %s\n      cert_file: %s\n      key_file: %s\n' \
      "$PKI/ca.crt" "$PKI/prometheus.crt" "$PKI/prometheus.key"
    printf '    basic_auth:\n      username: prometheus\n      password: %s\n' "$WEB_PROMETHEUS_PASSWORD"
    printf '    static_configs:\n      - targets:\n'
    for host in "${EXPORTER_HOSTS[@]}"; do printf '          - %s\n' "$(inst "$host")"; done
  } >"$WORK/prometheus.yml"
  EXPORTER_LOGS+=("$log")  # printed by fail
  ip netns exec "$(nsname M)" prometheus --config.file="$WORK/prometheus.yml" \
    --storage.tsdb.path="$WORK/prometheus-data" --web.listen-address="127.0.0.1:$PROM_PORT" \
    --log.level=warn </dev/null >"$log" 2>&1 &
  PROMETHEUS_PID=$!
  track "$PROMETHEUS_PID"
  wait_for 30 prometheus_ready || fail "Prometheus in M did not become ready: $(tail -n 20 "$log")"
}

# ---- Alertmanager, and the pager it notifies -----------------------------------------------------

am() { in_ns M curl -fsS --max-time 5 "http://127.0.0.1:$AM_PORT$1"; }
alertmanager_ready() { am /-/ready >/dev/null 2>&1; }
recorder_ready() { in_ns M curl -fsS --max-time 2 -o /dev/null "http://127.0.0.1:$HOOK_PORT/" 2>/dev/null; }

# scale_durations FACTOR < config: every Alertmanager timing (group_wait, group_interval,
# repeat_interval, resolve_timeout) divided by FACTOR, in whole seconds (at least 1 s).
scale_durations() {
  awk -v factor="$1" '
    match($0, /^ *(group_wait|group_interval|repeat_interval|resolve_timeout): *[0-9]+[smh]/) {
      value = substr($0, RSTART, RLENGTH)
      sub(/^.*: */, "", value)
      unit = substr(value, length(value))
      seconds = substr(value, 1, length(value) - 1) * (unit == "h" ? 3600 : unit == "m" ? 60 : 1)
      scaled = int(seconds / factor); if (scaled < 1) scaled = 1
      prefix = substr($0, 1, RSTART + RLENGTH - 1); sub(/[0-9]+[smh]$/, "", prefix)
      print prefix scaled "s" substr($0, RSTART + RLENGTH)
      next
    }
    { print }'
}

# The example as shipped, but its placeholder receivers pointed at the recorder (the URL's path
# keeps the receiver's name) and its timings scaled: the test proves the example's routing.
start_alertmanager() {
  local log=$WORK/alertmanager.log hook_log=$WORK/webhook_recorder.log
  NOTIFICATIONS=$WORK/notifications.jsonl
  : >"$NOTIFICATIONS"
  ip netns exec "$(nsname M)" "$WEBHOOK_RECORDER" "$HOOK_PORT" "$NOTIFICATIONS" </dev/null >"$hook_log" 2>&1 &
  track $!
  wait_for 10 recorder_ready || fail "webhook_recorder in M did not answer: $(cat "$hook_log")"
  sed "s#http://REPLACE-ME.invalid/#http://127.0.0.1:$HOOK_PORT/#" "$AM_EXAMPLE" |
    scale_durations "$AM_TIME_SCALE" >"$WORK/alertmanager.yml"
  ! grep -q 'REPLACE-ME' "$WORK/alertmanager.yml" || fail "a receiver URL of the example was not replaced"
  amtool check-config "$WORK/alertmanager.yml" >"$WORK/amtool.out" 2>&1 ||
    fail "the test's Alertmanager config does not check: $(cat "$WORK/amtool.out")"
  EXPORTER_LOGS+=("$log")  # printed by fail
  # --cluster.listen-address= : no gossip port, a single instance.
  ip netns exec "$(nsname M)" prometheus-alertmanager --config.file="$WORK/alertmanager.yml" \
    --storage.path="$WORK/alertmanager-data" --web.listen-address="127.0.0.1:$AM_PORT" \
    --cluster.listen-address= --log.level=warn </dev/null >"$log" 2>&1 &
  track $!
  wait_for 30 alertmanager_ready || fail "Alertmanager in M did not become ready: $(tail -n 20 "$log")"
}

# received IP FILTER: the notifications so far (each Alertmanager's webhook body, with the
# recorder's received_ms and path added), as one JSON array, passed through the jq FILTER,
# in which `conflict` tells whether an alert is ArpDuplicateIPAddress or ArpOwnAddressClaimed for
# IP. A line being written while it is read is left out, not a parse error.
received() {
  jq -nR --arg ip "$1" "[inputs | fromjson? // empty | .notification + {received_ms, path}]
    | def conflict: .labels.ip == \$ip
        and (.labels.alertname == \"ArpDuplicateIPAddress\" or .labels.alertname == \"ArpOwnAddressClaimed\");
      $2" "$NOTIFICATIONS"
}

# pages IP: the notifications that tell someone a conflict alert for IP is firing.
pages() { received "$1" '[.[] | select(any(.alerts[]; conflict and .status == "firing"))]'; }
page_count() { pages "$1" | jq length; }
# all_clears IP: notifications whose conflict alerts for IP are all resolved.
all_clear_count() {
  received "$1" '[.[] | select(.status == "resolved" and any(.alerts[]; conflict) and all(.alerts[]; .status == "resolved"))] | length'
}
page_arrived() { [ "$(page_count "$1")" -ge 1 ]; }
all_clear_arrived() { [ "$(all_clear_count "$1")" -ge 1 ]; }

show_notifications() {
  jq -rR 'fromjson? // empty | .received_ms as $ms | .notification
    | "  \($ms / 1000 | strftime("%T")) \(.receiver) \(.status): \([.alerts[] | "\(.labels.alertname){\(.labels.instance // .labels.job) \(.labels.ip // "")} \(.status)"] | join(", "))"' "$NOTIFICATIONS"
}

# ---- the lab -----------------------------------------------------------------------------------

step "lab: A, C, M on switch 1 with D; B and the rogue R (switched off) on switch 2"
incident_lab
for host in "${EXPORTER_HOSTS[@]}"; do
  ip -n "$(nsname "$host")" addr add "${MGMT_IP[$host]}/24" dev "$(ifname "$host")"
done
# The stop-gap someone put on the monitoring host during an earlier episode: A's MAC pinned.
ip -n "$(nsname M)" neigh replace "$INCIDENT_IP" lladdr "$INCIDENT_A_MAC" dev "$(ifname M)" nud permanent
add_host S sw 1 "$S_OLD_MAC" "$S_IP/24"

make_pki
for host in "${EXPORTER_HOSTS[@]}"; do
  EXPORTER_HOST_ADDRESS=0.0.0.0 start_exporter "$host" "$PORT" --web.config.file "$WEB_CONFIG" \
    --collector.arp.window "${WINDOW_S}s" --collector.arp.rescan-interval 1s \
    --collector.neighbor.watch "$INCIDENT_IP"
done
start_alertmanager
start_prometheus
wait_for 20 targets_up || fail "Prometheus does not scrape all exporters: $(prom /api/v1/targets | jq -c '[.data.activeTargets[] | {scrapeUrl, health, lastError}]')"
say "Prometheus in $(nsname M) on 127.0.0.1:$PROM_PORT scrapes ${#EXPORTER_HOSTS[@]} exporters every second"
scrape_urls=$(prom /api/v1/targets | jq -r '[.data.activeTargets[] | select(.labels.job == "arp") | .scrapeUrl] | join(" ")')
for url in $scrape_urls; do [[ $url == https://* ]] || fail "Prometheus scrapes $url, not over TLS"; done
[ "$(in_ns M curl -s --max-time 5 -o /dev/null -w '%{http_code}' --cacert "$PKI/ca.crt" "https://$(inst A)/metrics")" = 401 ] ||
  fail "A's exporter answers a scrape without credentials"
say "through TLS (CA made here, Prometheus's client certificate verified) and basic auth: $scrape_urls; without credentials: 401"
say "Alertmanager on 127.0.0.1:$AM_PORT routes with $AM_EXAMPLE (timings / $AM_TIME_SCALE) to webhook_recorder on 127.0.0.1:$HOOK_PORT"
# The exporters learn S's NIC before it is replaced; S is quiet otherwise.
for host in M B; do resolve "$host" "$S_IP" || fail "$host cannot reach S"; done

step "before R: A and its peers talk; no conflict alert"
incident_traffic_start
holds_for 5 no_alert ArpDuplicateIPAddress || fail "ArpDuplicateIPAddress before R exists: $(cat "$WORK/alert.json")"
no_alert ArpOwnAddressClaimed || fail "ArpOwnAddressClaimed before R exists: $(cat "$WORK/alert.json")"

step "R is switched on"
rogue_on
rogue_chatter=$LAST_PID
rogue_on_ms=$(now_ms)
elapsed() { printf '%d.%01d s' $((($(now_ms) - rogue_on_ms) / 1000)) $(((($(now_ms) - rogue_on_ms) % 1000) / 100)); }

wait_for 60 find_alert ArpDuplicateIPAddress firing "instance=$(inst M)" "ip=$INCIDENT_IP" ||
  fail "ArpDuplicateIPAddress from M's exporter did not fire within 60 s of R's start"
say "ArpDuplicateIPAddress firing $(elapsed) after R was switched on (for: 15s)"
show_alert
expect_labels alertname instance job interface ip severity
[ "$(alert_field .labels.severity)" = critical ] || fail "ArpDuplicateIPAddress is not critical"
[ "$(alert_field .labels.interface)" = "$(ifname M)" ] || fail "ArpDuplicateIPAddress names interface $(alert_field .labels.interface)"
[ "$(alert_field .labels.job)" = arp ] || fail "ArpDuplicateIPAddress has job $(alert_field .labels.job)"
expect_text summary "$INCIDENT_IP" "2 MACs" "$(inst M)"
expect_text description "$INCIDENT_IP" "$INCIDENT_A_MAC ($INCIDENT_A_VENDOR" "$INCIDENT_R_MAC ($INCIDENT_R_VENDOR" "claiming since"
expect_text runbook_url "docs/runbook.md#arpduplicateipaddress"

step "M's status page, rendered by headless Chromium during the incident"
mkdir -p "$ARTIFACT_DIR"
chromium_profile=$(mktemp -d "$WORK/chromium.XXXXXX")
chromium_run() {
  # HOME in the run's directory: Chromium writes caches there. Inside M no route leads out.
  HOME=$WORK ip netns exec "$(nsname M)" timeout 60 chromium --headless --no-sandbox --disable-gpu \
    --disable-background-networking --disable-component-update --disable-sync --no-first-run \
    --disable-dev-shm-usage --user-data-dir="$chromium_profile" "$@" 2>>"$WORK/chromium.log"
}
# Credentials in the URL, the test CA not in Chromium's store: the page is what is checked here.
STATUS_URL="https://prometheus:$WEB_PROMETHEUS_PASSWORD@127.0.0.1:$PORT/"
chromium_run --ignore-certificate-errors --dump-dom "$STATUS_URL" >"$WORK/status-page.html" ||
  fail "Chromium could not load M's status page: $(tail -n 5 "$WORK/chromium.log")"
for needle in "$INCIDENT_IP" "$INCIDENT_A_MAC" "$INCIDENT_R_MAC"; do
  grep -qF "$needle" "$WORK/status-page.html" || fail "the rendered status page lacks $needle (DOM in $WORK/status-page.html)"
done
screenshot=$ARTIFACT_DIR/prometheus_e2e-status-page.png
rm -f "$screenshot"
chromium_run --ignore-certificate-errors --window-size=1280,900 --screenshot="$screenshot" "$STATUS_URL" >/dev/null ||
  fail "Chromium could not take a screenshot: $(tail -n 5 "$WORK/chromium.log")"
[ -s "$screenshot" ] || fail "no screenshot written to $screenshot"
cp "$WORK/status-page.html" "$ARTIFACT_DIR/prometheus_e2e-status-page.html"
say "rendered DOM lists $INCIDENT_IP, $INCIDENT_A_MAC and $INCIDENT_R_MAC; screenshot: $screenshot"

wait_for 60 find_alert ArpOwnAddressClaimed firing "instance=$(inst A)" "ip=$INCIDENT_IP" "mac=$INCIDENT_R_MAC" ||
  fail "ArpOwnAddressClaimed from A's exporter naming R's MAC did not fire"
say "ArpOwnAddressClaimed firing $(elapsed) after R was switched on (for: 30s)"
show_alert
expect_labels alertname instance job interface ip mac vendor severity
[ "$(alert_field .labels.vendor)" = "$INCIDENT_R_VENDOR" ] || fail "ArpOwnAddressClaimed vendor is $(alert_field .labels.vendor)"
[ "$(alert_field .labels.interface)" = "$(ifname A)" ] || fail "ArpOwnAddressClaimed names interface $(alert_field .labels.interface)"
[ "$(alert_field .labels.severity)" = critical ] || fail "ArpOwnAddressClaimed is not critical"
expect_text summary "$INCIDENT_R_MAC" "$INCIDENT_R_VENDOR" "$INCIDENT_IP"
expect_text description "$INCIDENT_A_MAC ($INCIDENT_A_VENDOR)" "$INCIDENT_R_MAC ($INCIDENT_R_VENDOR)"
if ! no_alert ArpOwnAddressClaimed "mac=$INCIDENT_A_MAC"; then
  fail "ArpOwnAddressClaimed names A's own MAC: $(cat "$WORK/alert.json")"
fi

step "the page: one notification for $INCIDENT_IP, naming both MACs and where the hosts resolve it"
wait_for 60 page_arrived "$INCIDENT_IP" ||
  fail "no page for $INCIDENT_IP reached the recorder within 60 s: $(show_notifications)"
say "paged $(elapsed) after R was switched on; notifications so far:"
show_notifications
pages "$INCIDENT_IP" | jq '.[0]' >"$WORK/page.json"
page_field() { jq -r --arg ip "$INCIDENT_IP" "$1" "$WORK/page.json"; }
[ "$(page_field .receiver)" = arp-page ] || fail "the page went to $(page_field .receiver), not arp-page"
# What the person reads: every alert of the page, whichever exporter fired it.
page_field '.alerts[] | "  \(.labels.alertname) \(.labels.instance): \(.annotations.description)"'
# shellcheck disable=SC2016 # $ip is jq's
page_instances=$(page_field '[.alerts[] | select(.labels.alertname == "ArpDuplicateIPAddress" and .labels.ip == $ip) | .labels.instance] | unique | join(" ")')
[ "$(wc -w <<<"$page_instances")" -ge 2 ] ||
  fail "the page holds ArpDuplicateIPAddress from [$page_instances] only: the exporters' alerts were not grouped into it"
for needle in "$INCIDENT_A_MAC ($INCIDENT_A_VENDOR" "$INCIDENT_R_MAC ($INCIDENT_R_VENDOR"; do
  page_field '.alerts[].annotations.description' | grep -qF -- "$needle" ||
    fail "an alert of the page does not name '$needle'"
  [ "$(page_field '.alerts | length')" = "$(page_field '.alerts[].annotations.description' | grep -cF -- "$needle")" ] ||
    fail "not every alert of the page names '$needle'"
done
for needle in "$(inst B) -> $INCIDENT_R_MAC" "$(inst C) -> $INCIDENT_A_MAC" "$(inst M) -> $INCIDENT_A_MAC (permanent)"; do
  page_field '.alerts[].annotations.description' | grep -qF -- "$needle" ||
    fail "the page does not say '$needle' (which host resolves $INCIDENT_IP where)"
done
say "the page groups ArpDuplicateIPAddress from $page_instances and names both MACs, their vendors, and B -> R, C -> A, M -> A (permanent)"
# The own-address alert reached Alertmanager too, and is muted by the duplicate-IP alert.
own_inhibited() {
  am "/api/v2/alerts?filter=alertname%3D%22ArpOwnAddressClaimed%22&filter=ip%3D%22$INCIDENT_IP%22" >"$WORK/am-own.json" 2>/dev/null &&
    jq -e 'length > 0 and all(.[]; .status.state == "suppressed" and (.status.inhibitedBy | length > 0))' "$WORK/am-own.json" >/dev/null
}
wait_for 10 own_inhibited || fail "ArpOwnAddressClaimed is not inhibited in Alertmanager: $(cat "$WORK/am-own.json")"
say "ArpOwnAddressClaimed is in Alertmanager, suppressed (inhibited by ArpDuplicateIPAddress)"

step "every PromQL expression of the dashboard returns data"
# Evaluated while the incident is on, so the trouble tables have rows. Each query gets a short
# deadline of its own: a join of two series from different scrapes may miss for a second.
query_has_data() {
  instant_query "$1" >"$WORK/query.json" 2>/dev/null &&
    jq -e '.status == "success" and (.data.result | length > 0)' "$WORK/query.json" >/dev/null
}
mapfile -t dashboard_queries < <(RATE_INTERVAL=30s "$REPO_ROOT/scripts/check_monitoring" --dashboard-queries)
[ ${#dashboard_queries[@]} -gt 0 ] || fail "no queries extracted from the dashboard"
empty=()
for query in "${dashboard_queries[@]}"; do
  wait_for 10 query_has_data "$query" || empty+=("$query => $(cat "$WORK/query.json" 2>/dev/null)")
done
if [ ${#empty[@]} -gt 0 ]; then
  printf '  no data: %s\n' "${empty[@]}" >&2
  fail "${#empty[@]} of ${#dashboard_queries[@]} dashboard queries returned no data"
fi
say "all ${#dashboard_queries[@]} dashboard queries returned data ($(elapsed) after R was switched on)"

step "the stop-gap on M pins A's MAC while R claims the IP: ArpStaticEntryMismatch pending (for: 5m)"
wait_for 10 find_alert ArpStaticEntryMismatch pending "instance=$(inst M)" "ip=$INCIDENT_IP" \
  "static_mac=$INCIDENT_A_MAC" "observed_mac=$INCIDENT_R_MAC" "observed_vendor=$INCIDENT_R_VENDOR" ||
  fail "no pending ArpStaticEntryMismatch for M's static entry"
expect_labels alertname instance job interface ip static_mac observed_mac observed_vendor severity

step "B and C resolve $INCIDENT_IP differently: ArpNeighborHostsDisagree"
resolved_by() {  # HOST MAC: HOST's exporter reported MAC for the IP within the last minute
  [ "$(instant_query "count(max_over_time(arp_neighbor_lladdr_info{instance=\"$(inst "$1")\",ip=\"$INCIDENT_IP\",mac=\"$2\"}[1m]))" |
    jq -r '.data.result[0].value[1] // "0"')" -ge 1 ]
}
wait_for 30 resolved_by B "$INCIDENT_R_MAC" || fail "B's exporter never reported $INCIDENT_IP -> R ($INCIDENT_R_MAC)"
wait_for 30 resolved_by C "$INCIDENT_A_MAC" || fail "C's exporter never reported $INCIDENT_IP -> A ($INCIDENT_A_MAC)"
wait_for 120 find_alert ArpNeighborHostsDisagree firing "ip=$INCIDENT_IP" ||
  fail "ArpNeighborHostsDisagree did not fire for $INCIDENT_IP"
say "ArpNeighborHostsDisagree firing $(elapsed) after R was switched on (for: 1m)"
show_alert
expect_labels alertname job family ip severity
[ "$(alert_field .labels.family)" = inet ] || fail "ArpNeighborHostsDisagree family is $(alert_field .labels.family)"
[ "$(alert_field .labels.severity)" = warning ] || fail "ArpNeighborHostsDisagree is not a warning"
expect_text description "$INCIDENT_A_MAC" "$INCIDENT_R_MAC" "$(inst B)" "$(inst C)" "$(inst M)"
expect_text description "$(inst M) $(ifname M) -> $INCIDENT_A_MAC $INCIDENT_A_VENDOR (permanent)"

step "R is unplugged; after the ${WINDOW_S} s window the alerts resolve"
# Alertmanager looks at the page's group every group_interval after the first page, and sends
# an update when the set of its alerts changed. The exporters' alerts resolve one after another
# (within about 35 s: the window, then each exporter's next look); if a look fell between the
# first and the last, the person would get a "still firing" update. Unplugging R just after a
# look leaves the whole of the next interval for them to resolve, so the next look sends the
# all-clear. (In production the interval is 5 m; resolution takes about a minute.)
page_interval_ms=$(awk '/severity="critical"/ { inside = 1 } inside && $1 == "group_interval:" { print $2 + 0; exit }' \
  "$WORK/alertmanager.yml")000
first_page_ms=$(pages "$INCIDENT_IP" | jq '.[0].received_ms')
just_after_page_look() { (( ($(now_ms) - first_page_ms) % page_interval_ms >= 500 && ($(now_ms) - first_page_ms) % page_interval_ms <= 8000 )); }
wait_for $((page_interval_ms / 1000 + 5)) just_after_page_look ||
  fail "no moment just after a look at the page's group (every $((page_interval_ms / 1000)) s since the page)"
stop_chatter "$rogue_chatter"
kept=()
for pid in "${INCIDENT_CHATTER[@]}"; do [ "$pid" = "$rogue_chatter" ] || kept+=("$pid"); done
INCIDENT_CHATTER=("${kept[@]}")
ip -n "$(nsname sw)" link set "$(portname R)" down
unplugged_ms=$(now_ms)
since_unplugged() { printf '%d s' $((($(now_ms) - unplugged_ms) / 1000)); }

step "S's NIC is replaced meanwhile: its MAC changes, the old one is gone, the new one announces once"
ip -n "$(nsname S)" link set dev "$(ifname S)" down
ip -n "$(nsname S)" link set dev "$(ifname S)" address "$S_NEW_MAC"
ip -n "$(nsname S)" link set dev "$(ifname S)" up
in_ns S arping -q -U -c 1 -w 1 -I "$(ifname S)" "$S_IP" || true
replaced_ms=$(now_ms)
all_resolved() {
  no_alert ArpDuplicateIPAddress "ip=$INCIDENT_IP" && no_alert ArpOwnAddressClaimed "ip=$INCIDENT_IP" &&
    no_alert ArpNeighborHostsDisagree "ip=$INCIDENT_IP"
}
if ! wait_for $((WINDOW_S + 60)) all_resolved; then
  fail "alerts still active $(since_unplugged) after R was unplugged: $(cat "$WORK/alert.json")"
fi
say "ArpDuplicateIPAddress, ArpOwnAddressClaimed and ArpNeighborHostsDisagree resolved $(since_unplugged) after R was unplugged (window ${WINDOW_S} s)"
# The static entry on M still pins A's MAC, which is right now that R is gone: no mismatch.
wait_for 10 no_alert ArpStaticEntryMismatch "instance=$(inst M)" ||
  fail "ArpStaticEntryMismatch still active without R: $(cat "$WORK/alert.json")"
holds_for 3 no_alert ArpDuplicateIPAddress || fail "ArpDuplicateIPAddress came back without R"
[ "$(instant_query 'count(up{job="arp"} == 1)' | jq -r '.data.result[0].value[1] // "0"')" = "${#EXPORTER_HOSTS[@]}" ] ||
  fail "an exporter stopped answering during the test"

step "the all-clear for $INCIDENT_IP, and still one page"
wait_for 90 all_clear_arrived "$INCIDENT_IP" ||
  fail "no resolved notification for $INCIDENT_IP $(since_unplugged) after R was unplugged: $(show_notifications)"
say "resolved notification $(since_unplugged) after R was unplugged; all notifications:"
show_notifications
[ "$(page_count "$INCIDENT_IP")" = 1 ] ||
  fail "$(page_count "$INCIDENT_IP") notifications paged for $INCIDENT_IP, expected exactly one: $(show_notifications)"

step "S's NIC replacement: a move, and no page"
wait_for 30 find_alert ArpAddressMoved firing "instance=$(inst M)" ||
  fail "ArpAddressMoved did not fire for M after S's NIC replacement"
# A duplicate-IP page would come 15 s (for:) plus the page's group_wait after the verdict.
holds_for $(( (30000 - ($(now_ms) - replaced_ms)) / 1000 > 0 ? (30000 - ($(now_ms) - replaced_ms)) / 1000 : 0 )) \
  no_alert ArpDuplicateIPAddress "ip=$S_IP" || fail "S's NIC replacement made $S_IP a duplicate: $(cat "$WORK/alert.json")"
# shellcheck disable=SC2016 # $ip is jq's
[ "$(received "$S_IP" '[.[] | select(.receiver == "arp-page" and any(.alerts[]; .labels.ip == $ip))] | length')" = 0 ] ||
  fail "S's NIC replacement paged: $(show_notifications)"
[ "$(received "$S_IP" '[.[] | select(any(.alerts[]; .labels.alertname == "ArpAddressMoved"))] | length')" = 0 ] ||
  fail "ArpAddressMoved (info) was sent to a receiver: $(show_notifications)"
say "S's NIC replacement: ArpAddressMoved (info, sent nowhere), no page for $S_IP"
mkdir -p "$ARTIFACT_DIR"
cp "$NOTIFICATIONS" "$ARTIFACT_DIR/prometheus_e2e-notifications.jsonl"

say "PASS ($(elapsed) after R was switched on)"
