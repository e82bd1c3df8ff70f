#!/usr/bin/env bash
# `arp_health_exporter analyze` on captures recorded with tcpdump inside the lab, as the
# incident's operator recorded A.pcap and B.pcap: the incident gives exit 1 and names both MACs;
# a NIC replacement gives exit 0 and a move; a capture cut short (tcpdump killed mid-write) is
# analysed up to the cut, with the verdict as exit code and one warning naming the byte offset;
# `analyze -` reads a capture from a pipe and prints the file's report; files that are no
# capture at all give exit 2 and one line on stderr.
#
# Usage: analyze_capture_test.sh [EXPORTER [ARP_INJECT]]
source "$(dirname "$0")/lib.sh"
init_test "$@"

NEW_MAC=00:1b:21:0a:00:0b  # Intel: A's replacement NIC

# claim_macs FILE IP: the sender MAC of every claim of IP in FILE, in capture order.
claim_macs() { claims "$1" "$2" | awk '{ print $2 }'; }

# interleaved FILE IP MAC1 MAC2: FILE holds claims of IP by MAC1, MAC2, MAC1 and MAC2 again (or
# the other way round): the sustained alternation that makes an address contested by the passive
# rules analyze applies (one return alone is a flap).
interleaved() { contested_at "$@" >/dev/null; }

has_claim() { claim_macs "$1" "$2" | grep -qx "$3"; }

# analyze ARGS...: runs the subcommand; sets STATUS, OUT and ERR (file names).
analyze() {
  OUT=$WORK/analyze.out
  ERR=$WORK/analyze.err
  STATUS=0
  "$EXPORTER" analyze "$@" >"$OUT" 2>"$ERR" || STATUS=$?
}

step "recording the incident: tcpdump on A, on B and on the monitor port"
incident_lab
for host in A B M; do
  start_tcpdump "$host" "$(ifname "$host")" "$WORK/$host.pcap"
  pcap_pids+=("$LAST_PID")
done
incident_traffic_start
rogue_on
for host in A B M; do
  wait_for 20 interleaved "$WORK/$host.pcap" "$INCIDENT_IP" "$INCIDENT_A_MAC" "$INCIDENT_R_MAC" ||
    fail "$host.pcap never held A's and R's claims of $INCIDENT_IP interleaved"
done
incident_traffic_stop
for pid in "${pcap_pids[@]}"; do stop_tcpdump "$pid"; done
for host in A B M; do
  say "$host.pcap: $(tcpdump -r "$WORK/$host.pcap" -n 2>/dev/null | wc -l) frames, claims of $INCIDENT_IP by" \
    "$(claim_macs "$WORK/$host.pcap" "$INCIDENT_IP" | sort | uniq -c | tr -s ' \n' ' ')"
done

step "analyze on the incident's captures: exit 1, both MACs"
analyze "$WORK/A.pcap" "$WORK/B.pcap"
sed 's/^/  | /' "$OUT"
[ "$STATUS" -eq 1 ] || fail "analyze A.pcap B.pcap exited $STATUS, expected 1: $(cat "$ERR")"
for needle in "$INCIDENT_IP" "$INCIDENT_A_MAC" "$INCIDENT_R_MAC" "$INCIDENT_A_VENDOR" "$INCIDENT_R_VENDOR"; do
  grep -qF "$needle" "$OUT" || fail "the text report does not mention $needle"
done
for host in A B M; do
  analyze --format json "$WORK/$host.pcap"
  [ "$STATUS" -eq 1 ] || fail "analyze --format json $host.pcap exited $STATUS, expected 1: $(cat "$ERR")"
  # .contested[0].ip without a JSON tool: the first "ip" member inside the "contested" array
  # (nlohmann-json prints an entry's members in order: claimants, first_seen, ..., ip, ...).
  first_ip=$(sed -n '/"contested": \[/,/^  \]/p' "$OUT" | grep -m1 -o '"ip": *"[^"]*"' | sed 's/.*"\([^"]*\)"$/\1/')
  [ "$first_ip" = "$INCIDENT_IP" ] || fail "$host.pcap: .contested[0].ip is '$first_ip', expected $INCIDENT_IP"
  contested_block=$(sed -n '/"contested": \[/,/^  \]/p' "$OUT")
  for mac in "$INCIDENT_A_MAC" "$INCIDENT_R_MAC"; do
    grep -q "\"mac\": *\"$mac\"" <<<"$contested_block" || fail "$host.pcap: $mac is not among the contested claimants"
  done
  if command -v python3 >/dev/null; then
    python3 - "$OUT" "$INCIDENT_IP" "$INCIDENT_A_MAC" "$INCIDENT_R_MAC" <<'EOF' || fail "$host.pcap: the JSON report is not what the issue describes"
import json, sys
report = json.load(open(sys.argv[1]))
entry = report["contested"][0]
assert entry["ip"] == sys.argv[2], entry
assert entry["vlan"] in ("", None, 0), entry
assert sorted(c["mac"] for c in entry["claimants"]) == sorted(sys.argv[3:5]), entry
assert all(c["vendor"] for c in entry["claimants"]), entry
EOF
  fi
  say "analyze --format json $host.pcap: exit 1, .contested[0].ip = $first_ip, claimants $INCIDENT_A_MAC and $INCIDENT_R_MAC"
done

step "recording a NIC replacement on the monitor port"
ip -n "$(nsname sw)" link set "$(portname R)" down  # R is gone for good
start_tcpdump M "$(ifname M)" "$WORK/replacement.pcap"
replacement_pid=$LAST_PID
resolve A "${INCIDENT_PEER_IP[C]}" || fail "A cannot reach C"
wait_for 10 has_claim "$WORK/replacement.pcap" "$INCIDENT_IP" "$INCIDENT_A_MAC" || fail "no claim by A's old NIC captured"
ip -n "$(nsname A)" link set dev "$(ifname A)" down
ip -n "$(nsname A)" link set dev "$(ifname A)" address "$NEW_MAC"
ip -n "$(nsname A)" link set dev "$(ifname A)" up
for peer in C D B; do resolve A "${INCIDENT_PEER_IP[$peer]}" || true; done
wait_for 10 has_claim "$WORK/replacement.pcap" "$INCIDENT_IP" "$NEW_MAC" || fail "no claim by A's new NIC captured"
stop_tcpdump "$replacement_pid"
say "replacement.pcap: claims of $INCIDENT_IP by $(claim_macs "$WORK/replacement.pcap" "$INCIDENT_IP" | uniq -c | tr -s ' \n' ' ')"

step "analyze on the NIC replacement: exit 0, a move"
analyze "$WORK/replacement.pcap"
sed 's/^/  | /' "$OUT"
[ "$STATUS" -eq 0 ] || fail "analyze replacement.pcap exited $STATUS, expected 0: $(cat "$ERR")"
grep -q '^MOVED: 1 address' "$OUT" || fail "the text report does not list one moved address"
moved_block=$(sed -n '/^MOVED:/,/^$/p' "$OUT")
for needle in "$INCIDENT_IP" "$INCIDENT_A_MAC" "$NEW_MAC"; do
  grep -qF "$needle" <<<"$moved_block" || fail "the MOVED section does not mention $needle"
done
analyze --format json "$WORK/replacement.pcap"
[ "$STATUS" -eq 0 ] || fail "analyze --format json replacement.pcap exited $STATUS, expected 0"
grep -q '"contested": \[\]' "$OUT" || fail "the JSON report's contested array is not empty"
moved_ip=$(sed -n '/"moved": \[/,/^  \]/p' "$OUT" | grep -m1 -o '"ip": *"[^"]*"' | sed 's/.*"\([^"]*\)"$/\1/')
[ "$moved_ip" = "$INCIDENT_IP" ] || fail "the JSON report's .moved[0].ip is '$moved_ip', expected $INCIDENT_IP"
say "analyze replacement.pcap: exit 0, moved: $moved_ip ($INCIDENT_A_MAC -> $NEW_MAC)"

step "analyze - on a pipe: the report analyze FILE gives, in text and json"
# The two may differ only in the name: "-" for the path, "stdin" where a file has its basename.
for format in text json; do
  analyze --format "$format" "$WORK/B.pcap"
  file_status=$STATUS
  sed -e "s|$WORK/B.pcap|-|g" -e 's|B\.pcap|stdin|g' "$OUT" >"$WORK/expected.$format"
  STATUS=0
  # A pipe, not a redirect: standard input that cannot seek, as tcpdump -w - gives it.
  # shellcheck disable=SC2002
  cat "$WORK/B.pcap" | "$EXPORTER" analyze --format "$format" - >"$OUT" 2>"$ERR" || STATUS=$?
  [ "$STATUS" -eq "$file_status" ] || fail "cat B.pcap | analyze --format $format - exited $STATUS, analyze B.pcap $file_status"
  [ ! -s "$ERR" ] || fail "cat B.pcap | analyze --format $format - wrote on stderr: $(cat "$ERR")"
  diff -u "$WORK/expected.$format" "$OUT" >&2 ||
    fail "cat B.pcap | analyze --format $format - differs from analyze B.pcap (names normalised)"
  say "cat B.pcap | analyze --format $format -: exit $STATUS, the same report as analyze B.pcap"
done
# What tcpdump writes on a pipe, not only what it wrote to a file.
STATUS=0
tcpdump -r "$WORK/B.pcap" -w - 2>/dev/null | "$EXPORTER" analyze - >"$OUT" 2>"$ERR" || STATUS=$?
[ "$STATUS" -eq 1 ] || fail "tcpdump -w - | analyze - exited $STATUS, expected 1: $(cat "$ERR")"
grep -qF "$INCIDENT_R_MAC" "$OUT" || fail "tcpdump -w - | analyze - does not name R's MAC"
say "tcpdump -r B.pcap -w - | analyze -: exit 1, R's MAC named"

step "a capture cut short inside its last record: the report up to the cut, exit 1, one warning"
size=$(stat -c %s "$WORK/B.pcap")
head -c $((size - 7)) "$WORK/B.pcap" >"$WORK/truncated-record.pcap"
analyze "$WORK/truncated-record.pcap"
sed 's/^/  | /' "$ERR"
[ "$STATUS" -eq 1 ] || fail "analyze truncated-record.pcap exited $STATUS, expected 1: $(cat "$ERR")"
for needle in "$INCIDENT_IP" "$INCIDENT_A_MAC" "$INCIDENT_R_MAC"; do
  sed -n '/^CONTESTED:/,/^$/p' "$OUT" | grep -qF "$needle" ||
    fail "the report on the cut capture has no $needle among the contested"
done
[ "$(wc -l <"$ERR")" -eq 1 ] || fail "analyze truncated-record.pcap wrote $(wc -l <"$ERR") lines on stderr, expected 1"
warning='^warning: analyze: '"$WORK"'/truncated-record\.pcap is cut short at byte \([0-9]*\) (.*); analyzed the \([0-9]*\) packets\{0,1\} before it$'
grep -q "$warning" "$ERR" || fail "not the warning expected: $(cat "$ERR")"
offset=$(sed -n "s#$warning#\1#p" "$ERR")
packets=$(sed -n "s#$warning#\2#p" "$ERR")
# The offset is where the cut record begins: the bytes before it are a whole capture holding
# exactly the packets analysed.
head -c "$offset" "$WORK/B.pcap" >"$WORK/before-cut.pcap"
analyze --format json "$WORK/before-cut.pcap"
[ "$STATUS" -eq 1 ] && [ ! -s "$ERR" ] || fail "the $offset bytes before the cut are not a whole capture: $(cat "$ERR")"
grep -q "\"frames\": $packets," "$OUT" || fail "the $offset bytes before the cut do not hold $packets packets"
whole=$(tcpdump -r "$WORK/B.pcap" -n 2>/dev/null | wc -l)
[ "$packets" -eq $((whole - 1)) ] || fail "analyzed $packets packets of the cut capture, B.pcap holds $whole"
say "analyze truncated-record.pcap: exit 1, cut at byte $offset of $((size - 7)), $packets of $whole packets analysed"
STATUS=0
head -c $((size - 7)) "$WORK/B.pcap" | "$EXPORTER" analyze - >"$OUT" 2>"$ERR" || STATUS=$?
[ "$STATUS" -eq 1 ] || fail "the cut capture on a pipe exited $STATUS, expected 1: $(cat "$ERR")"
grep -q "^warning: analyze: - is cut short at byte $offset " "$ERR" ||
  fail "the cut capture on a pipe is not cut at byte $offset: $(cat "$ERR")"
say "the same bytes on a pipe: exit 1, cut at byte $offset"

step "broken input: exit 2 and one line on stderr"
head -c 10 "$WORK/B.pcap" >"$WORK/truncated-header.pcap"
printf 'This is not a capture file, just text an operator saved by mistake.\n' >"$WORK/garbage.pcap"
head -c 4096 /dev/zero >"$WORK/zeros.pcap"
: >"$WORK/empty.pcap"
for file in truncated-header garbage zeros empty; do
  analyze "$WORK/$file.pcap"
  lines=$(wc -l <"$ERR")
  say "analyze $file.pcap: exit $STATUS: $(head -c 200 "$ERR" | tr '\n' '|')"
  [ "$STATUS" -eq 2 ] || fail "analyze $file.pcap exited $STATUS, expected 2"
  [ "$lines" -eq 1 ] || fail "analyze $file.pcap wrote $lines lines on stderr, expected 1"
done
# One broken file among good ones is still an error: a verdict on half the evidence is wrong.
analyze "$WORK/B.pcap" "$WORK/garbage.pcap"
say "analyze B.pcap garbage.pcap: exit $STATUS: $(head -c 200 "$ERR" | tr '\n' '|')"
[ "$STATUS" -eq 2 ] || fail "analyze with one garbage file among good ones exited $STATUS, expected 2"
[ "$(wc -l <"$ERR")" -eq 1 ] || fail "analyze B.pcap garbage.pcap wrote $(wc -l <"$ERR") lines on stderr"
STATUS=0
"$EXPORTER" analyze - <"$WORK/garbage.pcap" >"$OUT" 2>"$ERR" || STATUS=$?
[ "$STATUS" -eq 2 ] && [ "$(wc -l <"$ERR")" -eq 1 ] && [ ! -s "$OUT" ] ||
  fail "analyze - on text exited $STATUS with $(wc -l <"$ERR") lines on stderr, expected 2 and 1"
say "analyze - <garbage.pcap: exit 2: $(head -c 200 "$ERR")"

say "PASS"
