#!/usr/bin/env bash
# The netlink event socket's receive buffer: SO_RCVBUF alone is silently capped at
# net.core.rmem_max, so the exporter forces the size it was asked for where CAP_NET_ADMIN allows
# (SO_RCVBUFFORCE), exports what the kernel granted, and logs one warning when it got less.
#
# Usage: neighbor_event_buffer_test.sh [EXPORTER]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
init_test "$@"

RMEM_MAX=$(cat /proc/sys/net/core/rmem_max)
# Twice the cap, within the flag's range (4 KiB to 256 MiB).
WANT=$((RMEM_MAX * 2 > 268435456 ? 268435456 : RMEM_MAX * 2))
if [ "$WANT" -le "$RMEM_MAX" ]; then
  say "SKIP: net.core.rmem_max ($RMEM_MAX) leaves no room above it to test"
  exit 77
fi

step "lab: one namespace; net.core.rmem_max is $RMEM_MAX, the exporter asks for $WANT"
new_ns X

step "as root (CAP_NET_ADMIN): the buffer asked for, no warning"
start_exporter X 10716 --no-collector.arp --collector.neighbor.event-buffer-size "$WANT"
granted=$(metric X 10716 arp_neighbor_event_buffer_bytes)
say "granted $granted bytes"
[ "$granted" = "$WANT" ] || fail "as root the event buffer is $granted bytes, asked for $WANT"
! grep -q 'event buffer smaller than asked' "$EXPORTER_LOG" || fail "a warning although the buffer was granted"

step "without CAP_NET_ADMIN: capped at net.core.rmem_max, exported as such, one warning"
log=$WORK/unprivileged.log
ip netns exec "$(nsname X)" setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
  --bounding-set=-all "$EXPORTER" --no-collector.arp --web.listen-address 127.0.0.1:10717 \
  --collector.neighbor.event-buffer-size "$WANT" >"$log.stdout" 2>"$log" </dev/null &
pid=$!
track "$pid"
wait_for 15 exporter_answers X 10717 "$pid" "$log" || fail "the unprivileged exporter did not serve /metrics"
granted=$(metric X 10717 arp_neighbor_event_buffer_bytes)
say "granted $granted bytes: $(grep 'event buffer' "$log" || true)"
[ "$granted" = "$RMEM_MAX" ] || fail "unprivileged the event buffer is $granted bytes, expected the cap $RMEM_MAX"
[ "$(grep -c 'event buffer smaller than asked' "$log")" -eq 1 ] || fail "expected one warning about the buffer"
grep -q "granted_bytes=$RMEM_MAX" "$log" || fail "the warning does not say what was granted"

pass
