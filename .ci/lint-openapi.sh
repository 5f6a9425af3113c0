#!/usr/bin/env bash
# Lints the committed openapi.yaml with Spectral (.spectral.yaml: spectral:oas) and Redocly CLI
# (redocly.yaml: recommended). Fails when either reports an error; warnings are printed and
# allowed. Both run even when the first fails, so one CI run shows every error.
# Full outputs: target/contract-reports/{spectral,redocly}.txt.
set -euo pipefail
cd "$(dirname "$0")/.."

.ci/install-contract-tools.sh
bin=target/ci-node/node_modules/.bin
reports=target/contract-reports
mkdir -p "$reports"
# Redocly CLI would otherwise send usage telemetry and look for a newer release: neither host
# is reachable here, and neither belongs in CI.
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true

status=0

echo "-- Spectral $("$bin/spectral" --version) (spectral:oas)"
# --fail-severity error: warnings are printed but do not fail the run.
"$bin/spectral" lint --ruleset .spectral.yaml --format text --fail-severity error openapi.yaml \
  2>&1 | tee "$reports/spectral.txt" || status=1
# The text format ends without a newline and has no closing count of its own.
echo
awk '$2 ~ /^(error|warning|information|hint)$/ { n[$2]++ }
     END { printf "Spectral: %d errors, %d warnings\n", n["error"], n["warning"] }' "$reports/spectral.txt"

echo "-- Redocly CLI $("$bin/redocly" --version 2>/dev/null) (recommended)"
# stylish: one line per problem; --max-problems: Redocly hides all but 100 otherwise.
"$bin/redocly" lint --config redocly.yaml --format stylish --max-problems 10000 openapi.yaml \
  2>&1 | tee "$reports/redocly.txt" || status=1

if [ "$status" -ne 0 ]; then
  echo "openapi.yaml has lint errors (see above, or $reports/)" >&2
fi
exit "$status"
