#!/usr/bin/env bash
# HTTP load test (loopback only): wrk with 64 connections for DURATION seconds (default 30)
# against `fedgate serve`, for a cached-catalog request (GET /api/v1/catalog) and a small
# aggregate query (POST /api/v1/query, twice). Prints requests/s, p99 latency and non-2xx
# counts, and the server's resident memory after each run: growth between the two query runs
# would be a leak.
#   bench/http_load.sh FEDGATE_BINARY CONFIG DSA PURPOSE USER PASSWORD [DURATION]
set -euo pipefail
FEDGATE=$1 CONFIG=$2 DSA=$3 PURPOSE=$4 USER_NAME=$5 PASSWORD=$6 DURATION=${7:-30}
WORK=$(mktemp -d)
trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
# shellcheck source=../tests/harness/serve.sh
. "$(dirname "$0")/../tests/harness/serve.sh"
SERVER=
serve_start "$FEDGATE" "$WORK" --config "$CONFIG" --listen 127.0.0.1:0 --workers 4 || exit 1
AUTH=$(printf '%s:%s' "$USER_NAME" "$PASSWORD" | base64 -w0)
rss() { awk '/VmRSS/ {print $2 " kB"}' "/proc/$SERVER/status"; }
cat > "$WORK/query.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"sql": "SELECT sex, count(*) FROM gp.patients WHERE practice_code = \\'SSP03\\' GROUP BY sex", "dsa": "$DSA", "purpose": "$PURPOSE"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Basic $AUTH"
LUA
CATALOG="http://$ADDRESS/api/v1/catalog?dsa=$DSA"
curl -sf -H "Authorization: Basic $AUTH" "$CATALOG" >/dev/null   # warm up: sources described once
run() {  # NAME WRK-ARGS...
  local name=$1
  shift
  echo "== $name (64 connections, ${DURATION}s)"
  wrk -t2 -c64 -d"${DURATION}s" --latency "$@" |
    grep -E 'Requests/sec|99%|Non-2xx|Socket errors|requests in' | sed 's/^/   /'
  echo "   server RSS after: $(rss)"
}
echo "server RSS before: $(rss)"
run "GET /api/v1/catalog (cached catalog)" -H "Authorization: Basic $AUTH" "$CATALOG"
run "POST /api/v1/query, small aggregate" -s "$WORK/query.lua" "http://$ADDRESS/api/v1/query"
first=$(awk '/VmRSS/ {print $2}' "/proc/$SERVER/status")
run "POST /api/v1/query again (memory must not grow)" -s "$WORK/query.lua" "http://$ADDRESS/api/v1/query"
second=$(awk '/VmRSS/ {print $2}' "/proc/$SERVER/status")
echo "server RSS growth over the second query run: $(( (second - first) )) kB"
curl -sf -H "Authorization: Basic $AUTH" "$CATALOG" >/dev/null && echo "server still answers"
