#!/usr/bin/env bash
# Fuzzes a running Kompetens against its own OpenAPI document with Schemathesis: every
# operation, every phase (examples, coverage, fuzzing, stateful), and the checks that the
# document tells the truth (no 5xx, only documented statuses, content types, headers and
# bodies). Exits non-zero when Schemathesis finds anything.
#
# The server is a debug build on SQLite in a fresh temporary data dir, loaded with the demo
# data (so there are real organisations, programmes and registrations to reach) and called as
# an instance admin (so no operation is out of reach for lack of a role).
#
# The run is bounded and repeatable: .ci/schemathesis.toml fixes the seed and the number of
# test cases. Arguments are passed on to `schemathesis run` and win over that file, for
# exploring by hand:
#   .ci/schemathesis.sh --seed 7 --max-examples 100 --continue-on-failure
#   .ci/schemathesis.sh --include-path-regex '^/api/v1/programmes'
# SCHEMATHESIS_SCHEMA=some.yaml tests the server against that document instead of the one it
# serves (to try a fix to the document before making it in the code).
# Outputs in target/contract-reports/: schemathesis.txt (the console), schemathesis/ (JUnit
# and NDJSON reports), schemathesis-server.log (the server's log, JSON lines).
set -euo pipefail
schema_file=${SCHEMATHESIS_SCHEMA:+$(realpath "$SCHEMATHESIS_SCHEMA")}
cd "$(dirname "$0")/.."
root=$PWD

# A hard stop well above the usual run time, so a hung server or a runaway phase fails CI
# instead of eating the rest of its time.
time_limit=${SCHEMATHESIS_TIME_LIMIT:-1200}

.ci/install-contract-tools.sh
cargo build -q -p kompetens-api
kompetens=$root/target/debug/kompetens
reports=$root/target/contract-reports
mkdir -p "$reports"
rm -rf "$reports/schemathesis"

work=$(mktemp -d "${TMPDIR:-/tmp}/kompetens-schemathesis.XXXXXX")
server_pid=
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    # The server drains in-flight requests on SIGTERM; don't wait for its full grace period.
    for _ in $(seq 1 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base=http://127.0.0.1:$port

# The server's settings, whatever the caller's shell has: SQLite in the temporary dir (no
# DATABASE_URL), no configuration file (the binary runs from $work, which has none), mail kept
# in the outbox. Access tokens live for two hours, so the one we sign in with outlasts the run.
unset DATABASE_URL KOMPETENS_DATABASE_URL KOMPETENS_CONFIG KOMPETENS_SMTP_URL KOMPETENS_JWT_SECRET
export KOMPETENS_ENV=development
export KOMPETENS_DATA_DIR=$work/data
export KOMPETENS_BIND=127.0.0.1:$port
export KOMPETENS_PUBLIC_URL=$base
export KOMPETENS_ACCESS_TOKEN_TTL_SECONDS=7200
cd "$work"

echo "-- loading the demo data into $KOMPETENS_DATA_DIR"
"$kompetens" demo > "$reports/schemathesis-demo.txt"

admin_email=schemathesis-admin@kompetens.example
admin_password=$(python3 -c 'import secrets; print(secrets.token_urlsafe(24))')
printf '%s\n' "$admin_password" | "$kompetens" admin create --email "$admin_email" --password-stdin

echo "-- starting kompetens serve on $base"
# JSON lines, one per request with its status, so the 5xx behind a failure are one filter away:
#   jq -c 'select(.message == "request finished" and .status >= 500)' <the log>
KOMPETENS_LOG_FORMAT=json "$kompetens" serve > "$reports/schemathesis-server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 120); do
  curl -fsS -o /dev/null "$base/health/ready" 2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { echo "the server exited; see $reports/schemathesis-server.log" >&2; exit 1; }
  sleep 0.5
done
curl -fsS -o /dev/null "$base/health/ready"

token=$(curl -fsS "$base/api/v1/auth/token" -H 'Content-Type: application/json' \
  --data "{\"email\": \"$admin_email\", \"password\": \"$admin_password\"}" |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')

if [ -n "$schema_file" ]; then
  location=("$schema_file" --url "$base")
else
  location=("$base/api/v1/openapi.json")
fi
echo "-- schemathesis $("$root/target/ci-schemathesis/bin/schemathesis" --version | awk '{print $NF}') on ${location[0]}"
# POST /auth/logout is left out: it revokes the session of the token the whole run signs in
# with, after which every request would answer 401 (documented, so nothing would fail) and
# the rest of the run would silently test nothing. The integration tests cover logout.
# --foreground keeps Schemathesis in this script's process group, so Ctrl-C reaches it too.
status=0
timeout --foreground --signal=INT --kill-after=30 "$time_limit" \
  "$root/target/ci-schemathesis/bin/schemathesis" --config-file "$root/.ci/schemathesis.toml" \
  run "${location[@]}" \
  --header "Authorization: Bearer $token" \
  --exclude-operation-id logout \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance \
  --phases examples,coverage,fuzzing,stateful \
  --no-color \
  --report junit,ndjson --report-dir "$reports/schemathesis" \
  "$@" \
  2>&1 | tee "$reports/schemathesis.txt" || status=$?

if [ "$status" -eq 124 ]; then
  echo "schemathesis did not finish within ${time_limit}s" >&2
fi
exit "$status"
