#!/usr/bin/env bash
# Runs tests/http/js/trino_client_test.mjs (the npm trino-client package) against a real
# `fedgate serve` in front of the test harness's servers.
#   trino_js_test.sh FEDGATE_BINARY HARNESS_ENV_FILE
set -euo pipefail
FEDGATE=$1
HARNESS_ENV=$2
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
WORK=$(mktemp -d)
trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT

command -v node >/dev/null || { echo "node is required (Debian's nodejs)"; exit 1; }
if [ ! -d "$HERE/js/node_modules/trino-client" ] || [ ! -d "$HERE/js/node_modules/presto-client" ] ||
   [ ! -d "$HERE/js/node_modules/@cubejs-backend/trino-driver" ]; then
  # No install scripts: Cube's optional native module would try to download a binary.
  (cd "$HERE/js" && npm ci --no-audit --no-fund --ignore-scripts >/dev/null)
fi

set -a
# shellcheck disable=SC1090
. "$HARNESS_ENV"
set +a
export FEDGATE_TEST_LINKAGE_SECRET=trino-js-tests-linkage-secret-77
export FEDGATE_TEST_AUDIT_LOG="$WORK/audit.log"
PASSWORD="trino client password"
HASH=$(echo "$PASSWORD" | "$FEDGATE" passwd)
sed -e "s|^dsa_dir: dsas|dsa_dir: $ROOT/tests/policy/dsas|" \
    -e "s|  ana: {role: analyst, organisation: symphony-pmo}|  ana: {role: analyst, organisation: symphony-pmo, password_hash: \"$HASH\"}|" \
    -e "s|  eve: {role: analyst, organisation: another-org}|  eve: {role: analyst, organisation: another-org, password_hash: \"$HASH\"}|" \
    "$ROOT/tests/policy/fedgate_policy_test.yaml" > "$WORK/fedgate.yaml"

# shellcheck source=../harness/serve.sh
. "$ROOT/tests/harness/serve.sh"
serve_start "$FEDGATE" "$WORK" --config "$WORK/fedgate.yaml" --listen 127.0.0.1:0 --page-rows 4 ||
  { echo "fedgate serve did not start"; exit 1; }

FEDGATE_URL="http://$ADDRESS" FEDGATE_PASSWORD="$PASSWORD" node "$HERE/js/trino_client_test.mjs"
FEDGATE_URL="http://$ADDRESS" FEDGATE_PASSWORD="$PASSWORD" node --no-warnings "$HERE/js/trino_session_test.mjs"
kill -TERM $SERVER
wait $SERVER
"$FEDGATE" audit verify "$WORK/audit.log"
# eve's refusal is on the audit trail.
grep '"user":"eve"' "$WORK/audit.log" | grep -q '"outcome":"refused"' ||
  { echo "eve's refusal was not audited"; exit 1; }
