#!/usr/bin/env bash
# A duplicate IPv6 address, seen by the running exporter (issue 12). Host A holds 2001:db8::10
# (its Duplicate Address Detection passed, alone at the time); B, a cloned VM, configures the
# same address with DAD off (`nodad`), so neither kernel complains. Nobody sends anything
# unsolicited about it.
#  1. The monitoring host M has IPv6 only (no IPv4 address at all) and runs the exporter with
#     its defaults: its interface is captured and verified all the same.
#  2. A working day: A and B each talk to a peer P, resolving it with a multicast Neighbor
#     Solicitation that carries 2001:db8::10 and their own MAC. M sees the claimant change,
#     sends a DAD-style verification round, both kernels defend the address, and within a few
#     seconds M's exporter shows it contested, verified, by both MACs, with ip="2001:db8::10"
#     exactly as inet_ntop prints it (the per-IP series have the IPv4 names and labels; only
#     arp_frames_total carries family, and counts these frames as ipv6). `check` from M says
#     the same.
#  3. The owner's view: A's own exporter, started while B holds the address, probes A's own
#     address (own-address defence, a DAD-style NS) and reports it claimed by B's MAC.
#  4. B removes the address: the next recheck of the contested address (every 30 s) is
#     answered by A alone and the conflict clears on M, as docs/metrics.md promises.
#
# Usage: ipv6_conflict_test.sh [EXPORTER [ARP_INJECT [ND_INJECT]]]
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/nd_lib.sh"
init_nd_test "$@"

PORT=10711
OWN_INTERVAL_S=2
IP=2001:db8::10
A_MAC=00:1b:21:0a:00:0a  # Intel: the server that holds the address
B_MAC=00:50:56:0b:00:0b  # VMware: the clone that took it too
A_VENDOR="Intel Corporate"
B_VENDOR="VMware, Inc."
M_IP=2001:db8::fa
P_IP=2001:db8::20
RECHECK_S=30  # core/probe_planner.h: contested addresses are asked again this often

# show_ip HOST: what HOST's exporter serves about IP, for the log and for failure messages
# (nothing, and no failure, when it serves nothing).
show_ip() { scrape "$1" "$PORT" | { grep -F "ip=\"$IP\"" || true; } | sed "s/^/  $1: /"; }

# verified_conflict HOST: HOST's exporter shows IP contested by exactly A's and B's MACs (with
# their vendors), its interface counts one contested address, and a round was answered by
# several MACs (the verdict is verified, not sustained alternation alone).
verified_conflict() {
  local exposition interface
  exposition=$(scrape "$1" "$PORT") || return 1
  interface=$(ifname "$1")
  [ "$(sample arp_address_claimants "interface=$interface" vlan= "ip=$IP" <<<"$exposition")" = 2 ] &&
    [ "$(sample arp_address_claim_info "interface=$interface" vlan= "ip=$IP" "mac=$A_MAC" "vendor=$A_VENDOR" <<<"$exposition")" = 1 ] &&
    [ "$(sample arp_address_claim_info "interface=$interface" vlan= "ip=$IP" "mac=$B_MAC" "vendor=$B_VENDOR" <<<"$exposition")" = 1 ] &&
    [ "$(sample arp_addresses_contested "interface=$interface" <<<"$exposition")" = 1 ] &&
    [ "$(sample_sum arp_verification_rounds_total "interface=$interface" outcome=several_macs <<<"$exposition")" -ge 1 ]
}

# conflict_cleared HOST: no per-IP conflict series for IP, and no contested address.
conflict_cleared() {
  local exposition interface
  exposition=$(scrape "$1" "$PORT") || return 1
  interface=$(ifname "$1")
  [ "$(sample_count arp_address_claimants "ip=$IP" <<<"$exposition")" = 0 ] &&
    [ "$(sample_count arp_address_claim_info "ip=$IP" <<<"$exposition")" = 0 ] &&
    [ "$(sample arp_addresses_contested "interface=$interface" <<<"$exposition")" = 0 ]
}

step "lab: A holds $IP (DAD passed), M has IPv6 only, peer P; B not yet"
new_nd_switch sw 1
add_nd_host A sw 1 "$A_MAC" "$IP/64"
add_nd_host M sw 1 02:00:00:00:00:fa "$M_IP/64"
add_nd_host P sw 1 02:00:00:00:00:20 "$P_IP/64"
add_nd_host B sw 1 "$B_MAC"
A_IF=$(ifname A)
M_IF=$(ifname M)
for pair in "A $IP" "M $M_IP" "P $P_IP"; do
  read -r host address <<<"$pair"
  wait_for 10 dad_done "$host" "$address" || fail "$host's $address is still tentative: $(addr_flags "$host" "$address")"
done
# A link whose carrier comes up late restarts DAD (tentative again): wait it out; a failed DAD
# stays, and means the lab is not empty.
no_flags() { [ -z "$(addr_flags "$1" "$2")" ]; }
wait_for 10 no_flags A "$IP" || fail "A's $IP is flagged '$(addr_flags A "$IP")': the lab is not empty"
[ -z "$(ip -n "$(nsname M)" -4 -o addr show dev "$M_IF")" ] || fail "M has an IPv4 address on $M_IF"

# M's exporter runs with the defaults (30 s own-interval), rescanning as fast as the other
# verifying tests do.
start_verifying_exporter M "$PORT" --collector.arp.rescan-interval 1s
M_LOG=$EXPORTER_LOG
say "M's exporter captures and verifies on $M_IF, which has no IPv4 address"

step "B configures $IP with DAD off: no kernel complains, nobody says anything"
ip -n "$(nsname B)" addr add "$IP/64" dev "$(ifname B)" nodad
[ "$(addr_flags B "$IP")" = nodad ] || fail "B's $IP is flagged '$(addr_flags B "$IP")', expected nodad alone"
[ -z "$(addr_flags A "$IP")" ] || fail "A's $IP is now flagged '$(addr_flags A "$IP")'"
# The blind spot the traffic below lifts: no claim of IP is on the wire yet.
holds_for 2 no_series M "$PORT" arp_address_claimants "ip=$IP" ||
  fail "M shows $IP contested before anybody talked: $(show_ip M)"

step "A and B each resolve P: M sees two MACs claim $IP, verifies, and shows the conflict"
# Each sends a multicast NS from 2001:db8::10 with its own MAC as source link-layer address.
traffic_ms=$(now_ms)
resolve6 A "$P_IP"
resolve6 B "$P_IP"
WAIT_INTERVAL=0.05 wait_for 10 verified_conflict M ||
  fail "M's exporter does not show $IP contested by $A_MAC and $B_MAC, verified: $(show_ip M)
  rounds: $(scrape M "$PORT" | grep '^arp_verification_rounds_total')"
delay_ms=$(($(now_ms) - traffic_ms))
say "M shows $IP contested by both MACs, verified, $delay_ms ms after A and B talked to P"
[ "$delay_ms" -le 5000 ] || fail "M needed $delay_ms ms to show the conflict, more than 5 s"
show_ip M
# The ip label is inet_ntop's text, the same in every per-IP series; none spells it otherwise.
# (The scrape is kept whole: grep -q ends early, and curl's broken pipe would fail the pipeline.)
m_exposition=$(scrape M "$PORT")
grep -q "^arp_address_claimants{interface=\"$M_IF\",vlan=\"\",ip=\"$IP\"} 2$" <<<"$m_exposition" ||
  fail "arp_address_claimants on M is not exactly {interface,vlan=\"\",ip=\"$IP\"} 2"
! grep -Ei '2001:0*db8:0+:|2001:db8:(0:)+' <<<"$m_exposition" || fail "M spells $IP other than inet_ntop does"
# The frames behind it, counted as ND (docs/metrics.md's family label): A's and B's
# solicitations are requests, their answers to M's DAD-style round (unsolicited, to all nodes)
# gratuitous replies. Nobody on this segment speaks ARP.
frames() { sample_sum arp_frames_total "interface=$M_IF" "$@" <<<"$m_exposition"; }
say "M decoded $(frames family=ipv6) ND frame(s) ($(frames family=ipv6 kind=request) request(s), $(frames family=ipv6 kind=gratuitous_reply) gratuitous replies), $(frames family=ipv4) ARP frame(s)"
[ "$(frames family=ipv6 kind=request)" -ge 2 ] || fail "M counted fewer than 2 ND requests (A's and B's solicitations)"
[ "$(frames family=ipv6 kind=gratuitous_reply)" -ge 2 ] || fail "M counted fewer than 2 unsolicited NAs (A's and B's answers to its round)"
[ "$(frames family=ipv4)" = 0 ] || fail "M counted ND frames as ARP ones: $(grep '^arp_frames_total' <<<"$m_exposition")"

step "check $IP from M: exit 1, both MACs"
run_check M "$IP" -i "$M_IF" --count 1
printf '%s\n' "$CHECK_OUT" | sed 's/^/  check: /'
[ "$CHECK_RC" = 1 ] || fail "check $IP from M exited $CHECK_RC, expected 1 (two MACs answer)"
grep -qi "$A_MAC" <<<"$CHECK_OUT" || fail "check does not name A's MAC $A_MAC"
grep -qi "$B_MAC" <<<"$CHECK_OUT" || fail "check does not name B's MAC $B_MAC"

step "the owner's view: A's exporter defends $IP and reports it claimed by B's MAC"
# A's exporter starts while B already holds the address: A held it first (since the exporter
# saw it on A's interface), and B's answers to A's own-address probes come after that.
a_started_ms=$(now_ms)
start_verifying_exporter A "$PORT" --collector.arp.rescan-interval 1s --collector.arp.probe.own-interval "${OWN_INTERVAL_S}s"
A_LOG=$EXPORTER_LOG
WAIT_INTERVAL=0.05 wait_for 10 metric_equals A "$PORT" 1 arp_own_address_claim_info "interface=$A_IF" vlan= \
  "ip=$IP" "mac=$B_MAC" "vendor=$B_VENDOR" ||
  fail "A's exporter does not report $IP claimed by B's MAC $B_MAC: $(show_ip A)"
delay_ms=$(($(now_ms) - a_started_ms))
say "A reports its $IP claimed by $B_MAC $delay_ms ms after its exporter started (own-interval ${OWN_INTERVAL_S}s)"
# Start-up, the first own-address round (due at once) or the next one, and a second of slack.
[ "$delay_ms" -le $(((OWN_INTERVAL_S + 3) * 1000)) ] ||
  fail "A needed $delay_ms ms, more than one own-interval (${OWN_INTERVAL_S} s) plus 3 s"
[ "$(series_count A "$PORT" arp_own_address_claim_info "mac=$A_MAC")" -eq 0 ] ||
  fail "A's exporter reports its own MAC as a foreign claimant"
show_ip A
wait_for 3 grep -qF "msg=\"own address claimed\" interface=$A_IF vlan=\"\" ip=$IP mac=\"$B_MAC" "$A_LOG" ||
  fail "no \"own address claimed\" log line on A naming $IP and B's MAC"
grep -F 'msg="own address claimed"' "$A_LOG" | head -1 | sed 's/^/  log: /'

step "B removes $IP: the next recheck is answered by A alone and the conflict clears on M"
one_mac_before_removal=$(metric M "$PORT" arp_verification_rounds_total "interface=$M_IF" outcome=one_mac)
ip -n "$(nsname B)" addr del "$IP/64" dev "$(ifname B)"
removed_ms=$(now_ms)
wait_for $((RECHECK_S + 5)) conflict_cleared M ||
  fail "M still shows $IP in conflict $(( ($(now_ms) - removed_ms) / 1000 )) s after B removed it: $(show_ip M)"
say "M's conflict for $IP cleared $(($(now_ms) - removed_ms)) ms after B removed it (recheck every ${RECHECK_S}s)"
# Cleared by a round, not by time: the recheck of the contested address, or a change round
# that was postponed by the address interval while A and B traded the address.
[ "$(metric M "$PORT" arp_verification_rounds_total "interface=$M_IF" outcome=one_mac)" -gt "$one_mac_before_removal" ] ||
  fail "the conflict cleared on M without a round one MAC answered"
wait_for 3 grep -qF "msg=\"conflict resolved\" interface=$M_IF vlan=\"\" ip=$IP " "$M_LOG" ||
  fail "no \"conflict resolved\" log line on M for $IP"
grep -F 'msg="conflict resolved"' "$M_LOG" | head -1 | sed 's/^/  log: /'
# The survivor holds the address: a move, never "flapped once" (whose alert would blame a
# failover that never happened), whichever of the two claimed first.
grep -qF 'verdict=moved' <(grep -F 'msg="conflict resolved"' "$M_LOG") ||
  fail "the conflict on M did not end as a move: $(grep -F 'msg="conflict resolved"' "$M_LOG")"
holds_for 3 no_series M "$PORT" arp_address_flapped_info "ip=$IP" ||
  fail "M reports $IP as flapped once after the conflict ended"
show_ip M

pass
