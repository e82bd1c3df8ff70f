#!/usr/bin/env bash
# The man page keeps up with the binary: every long option that `--help` lists (the exporter's,
# check's and analyze's) and every command is in docs/arp_health_exporter.1, and the page names
# no option the binary lacks.
#
# Usage: man_page_test.sh EXPORTER
set -euo pipefail

exporter=${1:?usage: man_page_test.sh EXPORTER}
page=$(cd "$(dirname "$0")/../.." && pwd)/docs/arp_health_exporter.1
fail() { echo "FAIL: $*" >&2; exit 1; }

# roff writes a minus as \- ; the page's text with plain dashes, comments left out.
text=$(grep -v '^\.\\"' "$page" | sed 's/\\-/-/g')
options() { grep -oE -- '--[a-z][a-z0-9.-]*[a-z0-9]' | sort -u; }

help=$("$exporter" --help)
commands=$(sed -n '/^Subcommands:/,$p' <<<"$help" | awk 'NR > 1 && NF { print $1 }')
[ -n "$commands" ] || fail "--help lists no commands"
listed=$({
  options <<<"$help"
  for command in $commands; do "$exporter" "$command" --help | options; done
} | sort -u)

in_page=$(options <<<"$text")
missing=()
for option in $listed; do
  grep -qxF -- "$option" <<<"$in_page" || missing+=("$option")
done
for command in $commands; do
  grep -qE "^\.(TP|B|BI) .*\b$command\b|^\.BI? \"?$command\b" <<<"$text" ||
    grep -qE "^\.B arp_health_exporter $command\b" <<<"$text" || missing+=("command $command")
done
[ ${#missing[@]} -eq 0 ] || fail "not in the man page: ${missing[*]}"

# --no-X is how CLI11 lists the negation of --X; both may appear in the page.
unknown=()
for option in $in_page; do
  grep -qxF -- "$option" <<<"$listed" || unknown+=("$option")
done
[ ${#unknown[@]} -eq 0 ] || fail "the man page names options the binary does not have: ${unknown[*]}"

echo "PASS: $(wc -w <<<"$listed") options and $(wc -w <<<"$commands") commands documented"
