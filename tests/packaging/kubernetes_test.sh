#!/usr/bin/env bash
# The Kubernetes manifests against their sources: the committed PrometheusRule is what
# scripts/gen_prometheus_rule makes of alerts/ now; its spec, taken out again, is the rule file's
# groups line for line and passes `promtool check rules`; the DaemonSet probes the health
# endpoints (not a scrape) and keeps NET_RAW as its only capability.
#
# Usage: kubernetes_test.sh (needs promtool: package prometheus)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
MANIFEST=$ROOT/deploy/kubernetes/prometheusrule.yaml
DAEMONSET=$ROOT/deploy/kubernetes/daemonset.yaml
RULES=$ROOT/alerts/arp_health.rules.yml

fail() { echo "FAIL: $*" >&2; exit 1; }
command -v promtool >/dev/null || fail "promtool is missing (Debian: apt-get install prometheus)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== the committed PrometheusRule is generated from alerts/"
"$ROOT/scripts/gen_prometheus_rule" - >"$work/fresh.yaml"
diff -u "$MANIFEST" "$work/fresh.yaml" >"$work/diff" ||
  { cat "$work/diff" >&2; fail "deploy/kubernetes/prometheusrule.yaml is stale: run scripts/gen_prometheus_rule"; }

echo "== its spec is the rule file's groups and checks with promtool"
grep -qx 'kind: PrometheusRule' "$MANIFEST" || fail "no kind: PrometheusRule"
grep -qx 'apiVersion: monitoring.coreos.com/v1' "$MANIFEST" || fail "not monitoring.coreos.com/v1"
# Everything after spec:, two spaces less indented (blank lines stay blank).
sed -n '/^spec:$/,$p' "$MANIFEST" | tail -n +2 | sed -E 's/^  //' >"$work/spec.yml"
grep -qvE '^( |$|#|groups:)' "$work/spec.yml" && fail "a line in spec: is not indented under it"
sed -n '/^groups:/,$p' "$RULES" | diff -u - "$work/spec.yml" >"$work/spec.diff" ||
  { cat "$work/spec.diff" >&2; fail "the PrometheusRule's spec differs from $RULES"; }
promtool check rules "$work/spec.yml" >"$work/promtool.out" 2>&1 ||
  { cat "$work/promtool.out" >&2; fail "promtool rejects the PrometheusRule's rules"; }
sed -E 's/^/  /' "$work/promtool.out"

echo "== the DaemonSet: health probes, NET_RAW only"
grep -A1 'livenessProbe:' "$DAEMONSET" | grep -q 'path: /-/healthy' || fail "livenessProbe is not on /-/healthy"
grep -A1 'readinessProbe:' "$DAEMONSET" | grep -q 'path: /-/ready' || fail "readinessProbe is not on /-/ready"
grep -q 'capabilities: {drop: \[ALL\], add: \[NET_RAW\]}' "$DAEMONSET" || fail "capabilities are not drop ALL, add NET_RAW"
grep -q 'readOnlyRootFilesystem: true' "$DAEMONSET" || fail "root file system is writable"
grep -q 'allowPrivilegeEscalation: false' "$DAEMONSET" || fail "privilege escalation allowed"
echo "PASS"
