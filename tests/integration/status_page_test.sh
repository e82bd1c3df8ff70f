#!/usr/bin/env bash
# The status page as a person in an incident sees it: B's exporter, on the peer whose neighbour
# table the forgotten machine R won, in headless Chromium. The page, loaded from the live
# exporter inside B's namespace, must show 192.0.2.10's timeline with A's and R's lanes and
# vendors, a verification round both answered, and B's own ARP entry; a screenshot of it is kept
# as a test artifact (ARP_TEST_ARTIFACTS, by default test-artifacts/ in the build tree).
#
# Usage: status_page_test.sh [EXPORTER [ARP_INJECT]]
source "$(dirname "$0")/lib.sh"
init_test "$@"
require_tools timeout
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || fail "no Chromium at $CHROMIUM (install it: sudo ./scripts/test does)"
ARTIFACTS=${ARP_TEST_ARTIFACTS:-$(dirname "$EXPORTER")/../test-artifacts}
mkdir -p "$ARTIFACTS" || fail "cannot create the artifact directory $ARTIFACTS"
ARTIFACTS=$(cd "$ARTIFACTS" && pwd)

PORT=10741

# Chromium inside host $1's namespace, which holds only the lab: nothing it could fetch from
# the page (there must be nothing) can leave the machine. Its profile lives in the run's dir.
chromium_in() {
  local host=$1
  shift
  local profile
  profile=$(mktemp -d "$WORK/chromium.XXXXXX")
  in_ns "$host" timeout 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic \
    --no-first-run --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" "$@" 2>>"$WORK/chromium.log"
}

page_tells_the_story() {  # host port: the timeline with both MACs and a round both answered
  local page timeline
  page=$(scrape "$1" "$2" /) || return 1
  timeline=$(sed -n "/<section class=\"timeline\" id=\"timeline-$(ifname "$1")--$INCIDENT_IP\"/,/<\/section>/p" <<<"$page")
  grep -q "data-mac=\"$INCIDENT_A_MAC\"" <<<"$timeline" &&
    grep -q "data-mac=\"$INCIDENT_R_MAC\"" <<<"$timeline" &&
    grep -Eq 'class="round" data-answers="[2-9]"' <<<"$timeline" &&
    grep -q 'class="host-entry" data-mac="..:' <<<"$timeline"
}

step "the incident lab; B runs its own exporter, then R is switched on"
incident_lab
start_verifying_exporter B "$PORT" --collector.arp.rescan-interval 1s
incident_traffic_start
rogue_on
wait_for 20 incident_visible B "$PORT" ||
  fail "B's exporter never showed $INCIDENT_IP contested by A and R with vendors"
wait_for 30 page_tells_the_story B "$PORT" ||
  fail "B's status page never showed $INCIDENT_IP's timeline with both MACs, a round both answered and B's entry: $(scrape B "$PORT" /)"
# A story worth a look: A and R have traded the address for a while (each chatters once a
# second), as they would have by the time someone opens the page.
long_story() {
  [ "$(scrape "$1" "$2" / | grep -c '<circle class="claim"')" -ge 16 ]
}
wait_for 45 long_story B "$PORT" || fail "A and R never traded $INCIDENT_IP 16 times on B's page (it has $(scrape B "$PORT" / | grep -c "<circle class=\"claim\"") claims)"
say "the page has the timeline; B resolves $INCIDENT_IP to $(neigh_mac B "$INCIDENT_IP")"

step "headless Chromium renders the live page"
url="http://127.0.0.1:$PORT/"
chromium_in B --dump-dom "$url" >"$WORK/dom.html" || fail "chromium --dump-dom failed: $(tail -5 "$WORK/chromium.log")"
dom_timeline=$(sed -n "/<section class=\"timeline\" id=\"timeline-$(ifname B)--$INCIDENT_IP\"/,/<\/section>/p" "$WORK/dom.html")
[ -n "$dom_timeline" ] || fail "the rendered DOM has no timeline section for $INCIDENT_IP"
grep -q '<svg class="timeline-chart"' <<<"$dom_timeline" || fail "the timeline has no chart in the DOM"
for mac in "$INCIDENT_A_MAC" "$INCIDENT_R_MAC"; do
  grep -q "data-mac=\"$mac\"" <<<"$dom_timeline" || fail "the rendered timeline has no lane for $mac"
done
for vendor in "$INCIDENT_A_VENDOR" "$INCIDENT_R_VENDOR"; do
  grep -qF "$vendor" <<<"$dom_timeline" || fail "the rendered timeline does not name $vendor"
done
grep -q "This host's ARP entry" <<<"$dom_timeline" || fail "the rendered timeline has no lane for B's entry"
say "the rendered DOM has the timeline, both lanes with vendors and B's entry"

screenshot=$ARTIFACTS/status_page.png
rm -f "$screenshot"
chromium_in B --screenshot="$screenshot" --window-size=1280,900 "$url" >/dev/null ||
  fail "chromium --screenshot failed: $(tail -5 "$WORK/chromium.log")"
[ "$(head -c 8 "$screenshot" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] ||
  fail "$screenshot is not a PNG"
size=$(stat -c %s "$screenshot")
# A blank 1280x900 page compresses to a few kilobytes; text, lanes and colours do not.
[ "$size" -gt 30000 ] || fail "$screenshot is only $size bytes: a blank page?"
say "screenshot: $screenshot ($size bytes)"

pass
