#!/usr/bin/env bash
# The incident of ../../../shared/README.md, end to end through Prometheus: exporters on A (the
# owner of 192.0.2.10), B and C (its peers) and the monitoring host M; Debian's prometheus
# server inside M with alerts/arp_health.rules.yml exactly as shipped; the forgotten machine R
# switched on and off again. Asserted through Prometheus's HTTP API:
#   - ArpDuplicateIPAddress and ArpOwnAddressClaimed fire, with the right labels and both MACs
#     and vendors in their text;
#   - ArpNeighborHostsDisagree fires while B resolves the IP to R and C to A;
#   - every PromQL expression of dashboards/arp_health.json returns data during the incident;
#   - after R is unplugged and the exporters' window passes, the alerts resolve.
# And the exporter's status page, rendered by headless Chromium during the incident, shows the
# contested IP and both MACs (screenshot kept in build/test-artifacts/).
#
# The rules are loaded unchanged: their for: durations (15 s, 30 s, 1 m) work at this test's
# 1 s scrape and evaluation interval. Only the exporters' window is short (20 s), so the
# resolution happens within the test.
#
# Usage: prometheus_e2e_test.sh EXPORTER   (root; exit 77 = skipped without root)
# shellcheck source=../integration/lib.sh
source "$(dirname "$0")/../integration/lib.sh"
init_test "${1:-}"
require_tools prometheus jq chromium

RULES=$REPO_ROOT/alerts/arp_health.rules.yml
ARTIFACT_DIR=${ARTIFACT_DIR:-$REPO_ROOT/build/test-artifacts}
PORT=10711
PROM_PORT=9090
WINDOW_S=20

# Management addresses: Prometheus scrapes the exporters over a second subnet on the same
# segment, because scraping A at 192.0.2.10 would reach R half of the time (the incident).
declare -A MGMT_IP=([A]=198.51.100.10 [B]=198.51.100.20 [C]=198.51.100.30 [M]=198.51.100.250)
EXPORTER_HOSTS=(A B C M)
inst() { printf '%s:%s' "${MGMT_IP[$1]}" "$PORT"; }

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
    printf 'scrape_configs:\n  - job_name: arp\n    static_configs:\n      - targets:\n'
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

# ---- the lab -----------------------------------------------------------------------------------

step "lab: A, C, M on switch 1 with D; B and the rogue R (switched off) on switch 2"
incident_lab
for host in "${EXPORTER_HOSTS[@]}"; do
  ip -n "$(nsname "$host")" addr add "${MGMT_IP[$host]}/24" dev "$(ifname "$host")"
done
# The stop-gap someone put on the monitoring host during an earlier episode: A's MAC pinned.
ip -n "$(nsname M)" neigh replace "$INCIDENT_IP" lladdr "$INCIDENT_A_MAC" dev "$(ifname M)" nud permanent

for host in "${EXPORTER_HOSTS[@]}"; do
  EXPORTER_HOST_ADDRESS=0.0.0.0 start_exporter "$host" "$PORT" \
    --collector.arp.window "${WINDOW_S}s" --collector.arp.rescan-interval 1s \
    --collector.neighbor.watch "$INCIDENT_IP"
done
start_prometheus
wait_for 20 targets_up || fail "Prometheus does not scrape all exporters: $(prom /api/v1/targets | jq -c '[.data.activeTargets[] | {scrapeUrl, health, lastError}]')"
say "Prometheus in $(nsname M) on 127.0.0.1:$PROM_PORT scrapes ${#EXPORTER_HOSTS[@]} exporters every second"

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
chromium_run --dump-dom "http://127.0.0.1:$PORT/" >"$WORK/status-page.html" ||
  fail "Chromium could not load M's status page: $(tail -n 5 "$WORK/chromium.log")"
for needle in "$INCIDENT_IP" "$INCIDENT_A_MAC" "$INCIDENT_R_MAC"; do
  grep -qF "$needle" "$WORK/status-page.html" || fail "the rendered status page lacks $needle (DOM in $WORK/status-page.html)"
done
screenshot=$ARTIFACT_DIR/prometheus_e2e-status-page.png
rm -f "$screenshot"
chromium_run --window-size=1280,900 --screenshot="$screenshot" "http://127.0.0.1:$PORT/" >/dev/null ||
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
stop_chatter "$rogue_chatter"
kept=()
for pid in "${INCIDENT_CHATTER[@]}"; do [ "$pid" = "$rogue_chatter" ] || kept+=("$pid"); done
INCIDENT_CHATTER=("${kept[@]}")
ip -n "$(nsname sw)" link set "$(portname R)" down
unplugged_ms=$(now_ms)
since_unplugged() { printf '%d s' $((($(now_ms) - unplugged_ms) / 1000)); }
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

say "PASS ($(elapsed) after R was switched on)"
