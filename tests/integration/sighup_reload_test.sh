#!/usr/bin/env bash
# SIGHUP re-reads --config.file and keeps everything the exporter knows (issue 13). In a lab
# where 192.0.2.10 is contested (owner A and forgotten machine R both answer the exporter's
# probes), a reload that adds ignore rules and raises the log level:
# - keeps 192.0.2.10 contested by both MACs;
# - applies the new rules to what comes next: a newly ignored address's and a newly ignored
#   MAC's frames are ignored, the frames of others are still tracked;
# - applies the new log level (warn: a move is no longer logged, while it is still counted);
# - keeps a flag given on the command line over the file (--collector.neighbor.watch);
# - names a changed setting that needs a restart (collector.arp.window) in one line;
# - counts the reload (arp_exporter_config_reloads_total, ..._last_reload_successful).
# Then a broken file: one error line, the exporter runs on with the old configuration, the
# failure is counted and the last reload is marked unsuccessful; a fixed file reloads again.
#
# Usage: sighup_reload_test.sh [EXPORTER [ARP_INJECT]]
source "$(dirname "$0")/lib.sh"
init_test "$@"
need_arp_inject

PORT=10711
IP=192.0.2.10
A_MAC=00:1b:21:0a:00:0a  # Intel: the owner
R_MAC=00:50:56:0b:ad:01  # VMware: the forgotten machine with the owner's address
NEWLY_IGNORED_IP=192.0.2.150
NEWLY_IGNORED_MAC=02:00:00:00:00:77
OTHER_MAC=02:00:00:00:00:98
CONF=$WORK/exporter.conf

step "lab: owner A and rogue R (both $IP), injector V and the monitor M on one switch"
new_switch sw 1
add_host A sw 1 "$A_MAC" "$IP/24"
add_host R sw 1 "$R_MAC" "$IP/24"
add_host V sw 1 02:00:00:00:00:02 192.0.2.2/24
add_host M sw 1 02:00:00:00:00:fa 192.0.2.250/24
M_IF=$(ifname M)
# Entries in M's own table for the neighbour watch (permanent: no traffic needed to keep them).
for n in 20 40 41; do
  ip -n "$(nsname M)" neigh replace "192.0.2.$n" lladdr "02:00:00:00:01:$n" dev "$M_IF" nud permanent
done

cat >"$CONF" <<'EOF'
log.level = "info"
collector.arp.ignore = "192.0.2.200"
collector.neighbor.watch = "192.0.2.40"
EOF
# The command line names the neighbour watch: the file's value never applies, before or after.
start_verifying_exporter M "$PORT" --config.file "$CONF" --collector.arp.rescan-interval 1s \
  --collector.neighbor.watch 192.0.2.20

# claim FROM_HOST MAC IP: one gratuitous ARP request (sender = target = IP) from MAC.
claim() {
  in_ns "$1" "$ARP_INJECT" "$(ifname "$1")" --op request --sender-mac "$2" --sender-ip "$3" \
    --target-mac 00:00:00:00:00:00 --target-ip "$3" --eth-src "$2" || fail "arp_inject failed"
}
ignored() { metric M "$PORT" arp_frames_ignored_total "interface=$M_IF"; }
tracked() { metric M "$PORT" arp_addresses_tracked "interface=$M_IF"; }
log_lines() { grep -c -- "$1" "$EXPORTER_LOG" || true; }
exporter_alive() { ! process_gone "$EXPORTER_PID"; }
watched_entry() {  # IP: M exports its own entry for IP
  [ "$(series_count M "$PORT" arp_neighbor_lladdr_info "interface=$M_IF" "ip=$1")" -ge 1 ]
}

step "$IP becomes contested: A announces it, then R; both answer the verification round"
in_ns A arping -q -U -c 1 -w 1 -I "$(ifname A)" "$IP" || true
wait_for 10 metric_equals M "$PORT" 1 arp_addresses_tracked "interface=$M_IF" || fail "M does not track $IP"
in_ns R arping -q -U -c 1 -w 1 -I "$(ifname R)" "$IP" || true
wait_for 15 contested_by M "$PORT" "$IP" "$A_MAC" "$R_MAC" ||
  fail "$IP is not contested by A and R: $(scrape M "$PORT" | grep -E "ip=\"$IP\"")"
watched_entry 192.0.2.20 || fail "the command line's neighbour watch (192.0.2.20) is not exported"
! watched_entry 192.0.2.40 || fail "the file's neighbour watch applied over the command line's"

step "before the reload: $NEWLY_IGNORED_IP and $NEWLY_IGNORED_MAC are tracked, a move is logged"
ignored_before=$(ignored)
tracked_before=$(tracked)
claim V "$OTHER_MAC" "$NEWLY_IGNORED_IP"
claim V "$NEWLY_IGNORED_MAC" 192.0.2.151
wait_for 10 metric_equals M "$PORT" $((tracked_before + 2)) arp_addresses_tracked "interface=$M_IF" ||
  fail "the two claims are not tracked before the reload: $(tracked) addresses, $tracked_before before"
[ "$(ignored)" = "$ignored_before" ] || fail "frames ignored before any rule matched them"
# A move at the info level: 192.0.2.160 changes MAC, nobody answers the round, it stays moved.
claim V 02:00:00:00:01:60 192.0.2.160
claim V 02:00:00:00:02:60 192.0.2.160
wait_for 10 grep -q 'msg="address moved".*ip=192.0.2.160 ' "$EXPORTER_LOG" ||
  fail "no \"address moved\" line at log level info"
moved_before=$(metric M "$PORT" arp_addresses_moved "interface=$M_IF")

step "SIGHUP with new ignore rules, log level warn, a new window and another neighbour watch"
cat >"$CONF" <<EOF
log.level = "warn"
collector.arp.ignore = ["192.0.2.200", "$NEWLY_IGNORED_IP", "$NEWLY_IGNORED_MAC"]
collector.neighbor.watch = "192.0.2.41"
collector.arp.window = "10m"
EOF
kill -HUP "$EXPORTER_PID"
wait_for 10 grep -q 'msg="configuration reloaded"' "$EXPORTER_LOG" || fail "no \"configuration reloaded\" line"
exporter_alive || fail "SIGHUP ended the exporter"
reloaded=$(grep 'msg="configuration reloaded"' "$EXPORTER_LOG")
grep -q 'changed=collector.arp.ignore,log.level' <<<"$reloaded" ||
  fail "the reload line does not name what changed (the neighbour watch is the command line's): $reloaded"
[ "$(log_lines 'needs a restart')" = 1 ] || fail "expected one \"needs a restart\" line"
grep 'needs a restart' "$EXPORTER_LOG" | grep -q 'settings=collector.arp.window$' ||
  fail "the restart line does not name collector.arp.window alone: $(grep 'needs a restart' "$EXPORTER_LOG")"
exposition=$(scrape M "$PORT")
[ "$(sample arp_exporter_config_reloads_total result=success <<<"$exposition")" = 1 ] ||
  fail "arp_exporter_config_reloads_total{result=\"success\"} is not 1"
[ "$(sample arp_exporter_config_reloads_total result=failure <<<"$exposition")" = 0 ] ||
  fail "arp_exporter_config_reloads_total{result=\"failure\"} is not 0"
[ "$(sample arp_exporter_config_last_reload_successful <<<"$exposition")" = 1 ] ||
  fail "arp_exporter_config_last_reload_successful is not 1"
grep -E '^arp_exporter_config_' <<<"$exposition" | sed 's/^/  M: /'

step "after the reload: $IP is still contested by both MACs, nothing was forgotten"
contested_by M "$PORT" "$IP" "$A_MAC" "$R_MAC" || fail "the reload lost the conflict on $IP"
holds_for 3 contested_by M "$PORT" "$IP" "$A_MAC" "$R_MAC" || fail "$IP stopped being contested after the reload"
[ "$(tracked)" -ge $((tracked_before + 3)) ] || fail "the reload lost tracked addresses: $(tracked)"

step "the new rules apply to new frames: ignored address and MAC ignored, others still tracked"
tracked_after=$(tracked)
claim V 02:00:00:00:00:97 "$NEWLY_IGNORED_IP"
claim V "$NEWLY_IGNORED_MAC" 192.0.2.152
wait_for 10 metric_equals M "$PORT" $((ignored_before + 2)) arp_frames_ignored_total "interface=$M_IF" ||
  fail "the newly ignored address's and MAC's frames were not ignored: $(ignored) ignored, $ignored_before before"
claim V "$OTHER_MAC" 192.0.2.153
wait_for 10 metric_equals M "$PORT" $((tracked_after + 1)) arp_addresses_tracked "interface=$M_IF" ||
  fail "a claim no rule matches was not tracked after the reload"
[ "$(tracked)" = $((tracked_after + 1)) ] || fail "an ignored frame was tracked"
[ "$(ignored)" = $((ignored_before + 2)) ] || fail "a frame no rule matches was ignored"

step "the new log level applies: a move is counted, no longer logged"
claim V 02:00:00:00:01:61 192.0.2.161
claim V 02:00:00:00:02:61 192.0.2.161
wait_for 10 metric_equals M "$PORT" $((moved_before + 1)) arp_addresses_moved "interface=$M_IF" ||
  fail "the move of 192.0.2.161 was not counted"
! grep -q 'msg="address moved".*ip=192.0.2.161 ' "$EXPORTER_LOG" || fail "an info line was logged at level warn"
watched_entry 192.0.2.20 || fail "the command line's neighbour watch was lost in the reload"
! watched_entry 192.0.2.41 || fail "the file's neighbour watch applied over the command line's"

step "a broken file: one error line, the running configuration stays, the failure is counted"
cat >"$CONF" <<'EOF'
log.level = "info"
collector.arp.ignore = "192.0.2.300"
EOF
lines_before=$(wc -l <"$EXPORTER_LOG")
kill -HUP "$EXPORTER_PID"
wait_for 10 grep -q 'msg="configuration reload failed' "$EXPORTER_LOG" || fail "no reload failure line"
exporter_alive || fail "a broken file ended the exporter"
wait_for 10 metric_equals M "$PORT" 1 arp_exporter_config_reloads_total result=failure ||
  fail "the failed reload was not counted"
[ "$(log_lines 'configuration reload failed')" = 1 ] || fail "more than one failure line"
failure=$(grep 'configuration reload failed' "$EXPORTER_LOG")
grep -q 'level=error' <<<"$failure" && grep -q '192.0.2.300' <<<"$failure" ||
  fail "the failure line does not say what is wrong: $failure"
[ "$(tail -n +$((lines_before + 1)) "$EXPORTER_LOG" | wc -l)" = 1 ] ||
  fail "a failed reload logged more than its one line: $(tail -n +$((lines_before + 1)) "$EXPORTER_LOG")"
exposition=$(scrape M "$PORT")
[ "$(sample arp_exporter_config_last_reload_successful <<<"$exposition")" = 0 ] ||
  fail "arp_exporter_config_last_reload_successful is not 0 after a failure"
[ "$(sample arp_exporter_config_reloads_total result=success <<<"$exposition")" = 1 ] ||
  fail "a failure counted as a success"
contested_by M "$PORT" "$IP" "$A_MAC" "$R_MAC" || fail "the failed reload lost the conflict"
ignored_now=$(ignored)
claim V 02:00:00:00:00:96 "$NEWLY_IGNORED_IP"
wait_for 10 metric_equals M "$PORT" $((ignored_now + 1)) arp_frames_ignored_total "interface=$M_IF" ||
  fail "the running ignore list did not survive the broken file"
claim V 02:00:00:00:01:62 192.0.2.162
claim V 02:00:00:00:02:62 192.0.2.162
wait_for 10 metric_equals M "$PORT" $((moved_before + 2)) arp_addresses_moved "interface=$M_IF" ||
  fail "the move of 192.0.2.162 was not counted"
! grep -q 'msg="address moved".*ip=192.0.2.162 ' "$EXPORTER_LOG" ||
  fail "the broken file's log level applied"

step "the file fixed (log level info, window as running): the next SIGHUP succeeds again"
cat >"$CONF" <<EOF
log.level = "info"
collector.arp.ignore = ["192.0.2.200", "$NEWLY_IGNORED_IP", "$NEWLY_IGNORED_MAC"]
EOF
kill -HUP "$EXPORTER_PID"
wait_for 10 metric_equals M "$PORT" 2 arp_exporter_config_reloads_total result=success ||
  fail "the reload of the fixed file was not counted"
metric_equals M "$PORT" 1 arp_exporter_config_last_reload_successful ||
  fail "arp_exporter_config_last_reload_successful did not return to 1"
# Logged at the new, more verbose level; the window is as it runs again: no restart line.
wait_for 10 grep -q 'msg="configuration reloaded" .*changed=log.level$' "$EXPORTER_LOG" ||
  fail "the reload to level info was not logged: $(grep 'configuration reload' "$EXPORTER_LOG")"
[ "$(log_lines 'needs a restart')" = 1 ] || fail "a setting back at its running value needed a restart"
exporter_alive || fail "the exporter ended"

pass
