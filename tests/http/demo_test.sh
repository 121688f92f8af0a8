#!/usr/bin/env bash
# Runs the demo's seed analyses (demo/seed_analyses.mjs, as ./run demo does) against a real
# `fedgate serve` with the demo's configuration and DSA, in front of the test harness's servers.
#   demo_test.sh FEDGATE_BINARY HARNESS_ENV_FILE
set -euo pipefail
FEDGATE=$1
HARNESS_ENV=$2
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d)
SERVER=
trap '[ -n "$SERVER" ] && kill $SERVER 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT

command -v node >/dev/null || { echo "node is required (Debian's nodejs)"; exit 1; }
set -a
# shellcheck disable=SC1090
. "$HARNESS_ENV"
set +a
export FEDGATE_LINKAGE_SECRET=demo-tests-linkage-secret-19
export FEDGATE_AUDIT_LOG="$WORK/audit.log"
PASSWORD="demo test password"
HASH=$(echo "$PASSWORD" | "$FEDGATE" passwd)
sed -e "s|^dsa_dir: .*|dsa_dir: $ROOT/policy/examples|" \
    -e "s|^  ana: .*|  ana: {role: analyst, organisation: symphony-pmo, purpose: cost-analysis, password_hash: \"$HASH\"}|" \
    "$ROOT/tests/harness/somerset.yaml" > "$WORK/fedgate.yaml"

# shellcheck source=../harness/serve.sh
. "$ROOT/tests/harness/serve.sh"
serve_start "$FEDGATE" "$WORK" --config "$WORK/fedgate.yaml" --listen 127.0.0.1:0 ||
  { echo "fedgate serve did not start"; exit 1; }

FEDGATE_URL="http://$ADDRESS" FEDGATE_USER=ana FEDGATE_PASSWORD="$PASSWORD" \
  node --no-warnings "$ROOT/demo/seed_analyses.mjs" "$ROOT/bench/queries" | tee "$WORK/out.txt"
# Every analysis printed a table and the derived top-20% share.
[ "$(grep -c ' rows in ' "$WORK/out.txt")" -eq 6 ] || { echo "not every analysis ran"; exit 1; }
grep -q 'the top 20% of people use' "$WORK/out.txt"
kill -TERM $SERVER
wait $SERVER
SERVER=
"$FEDGATE" audit verify "$WORK/audit.log"
