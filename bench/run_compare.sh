#!/usr/bin/env bash
# fedgate against a central warehouse and a postgres_fdw hub (bench/compare_bench.cpp), end to
# end: start the providers (tests/harness/sources) in STATE_DIR, load the synthetic population
# (reused when the same seed and size are there), build or reuse the two baselines, run
# bench/queries/*.sql on the three systems, write the results and stop the servers.
#
#   bench/run_compare.sh --build-dir DIR --state-dir DIR [--quick] [--out-dir DIR]
#
# Full: 1,000,000 persons (FEDGATE_BENCH_PERSONS), one warm-up and FEDGATE_BENCH_RUNS (3)
# timed runs per query; results in OUT_DIR (default bench/results) as latest.json,
# latest.txt and latest.png. --quick: 100,000 persons, one run each, results in
# STATE_DIR/results; it checks only that the three systems agree (the test suite runs it).
# Exit status: non-zero when the answers differ or anything fails. Must run as root (the
# harness starts PostgreSQL through runuser).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=""; STATE=""; OUT=""; QUICK=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --build-dir) BUILD=$2; shift 2 ;;
    --state-dir) STATE=$2; shift 2 ;;
    --out-dir) OUT=$2; shift 2 ;;
    --quick) QUICK=1; shift ;;
    *) echo "run_compare: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
[[ -n $BUILD && -n $STATE ]] || { echo "usage: run_compare.sh --build-dir DIR --state-dir DIR [--quick] [--out-dir DIR]" >&2; exit 2; }
log() { echo "bench: $*" >&2; }

if ((QUICK)); then
  persons=100000; warmup=0; runs=1; OUT=${OUT:-$STATE/results}
else
  persons=${FEDGATE_BENCH_PERSONS:-1000000}; warmup=1; runs=${FEDGATE_BENCH_RUNS:-3}
  OUT=${OUT:-$ROOT/bench/results}
fi
mkdir -p "$STATE" "$OUT"
chmod 755 "$STATE"
STATE=$(cd "$STATE" && pwd)

trap '"$ROOT/tests/harness/sources" down --dir "$STATE" >/dev/null 2>&1 || true' EXIT
"$ROOT/tests/harness/sources" up --dir "$STATE" >/dev/null
set -a
# shellcheck disable=SC1091
. "$STATE/env"
set +a
export FEDGATE_LINKAGE_SECRET=${FEDGATE_LINKAGE_SECRET:-bench-linkage-secret-not-for-real-data}
export FEDGATE_AUDIT_LOG="$STATE/audit.log"

start=$SECONDS
log "loading $persons persons, seed 42 (reused when already there)"
"$BUILD/gateway/fedgate" datagen --persons "$persons" --seed 42 --quiet >/dev/null
log "providers ready in $((SECONDS - start)) s; comparing ($warmup warm-up, $runs timed run(s) per query)"
"$BUILD/bench/fedgate_compare_bench" --config "$ROOT/tests/harness/somerset.yaml" \
  --queries "$ROOT/bench/queries" --repeat "$runs" --warmup "$warmup" \
  --json "$OUT/latest.json" --table "$OUT/latest.txt" --chart "$OUT/latest.png"
log "done in $((SECONDS - start)) s; results in $OUT/latest.{json,txt,png}"
