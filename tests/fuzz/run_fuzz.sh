#!/usr/bin/env bash
# Runs fedgate's libFuzzer targets (tests/fuzz/fuzz_*.cpp, built by the `fuzz` preset).
#   run_fuzz.sh [--build-dir DIR] [--work-dir DIR] [--seconds N] TARGET...
# For each target: replays every input of tests/fuzz/regressions/TARGET (crashes found
# before, each must now pass), seeds a corpus from the test files (SQL of tests/**/*.test and
# bench/queries, the DSA and configuration files, tests/fuzz/seeds/http, structured fragments
# and wire batches made by fuzz_seeds), fuzzes for N seconds (default 60) and prints
# executions, executions per second, coverage and crashes. Exit 1 when a target crashed:
# the input is in WORK/crashes; add it to tests/fuzz/regressions/TARGET with the fix.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$ROOT/build/fuzz
WORK=$ROOT/build/fuzz/work
SECONDS_EACH=60
NEW_WARN=0  # --new-crashes-warn (the suite): a new crash is reported, a regression still fails
TARGETS=()
while [ $# -gt 0 ]; do
  case $1 in
    --build-dir) BUILD=$2; shift 2 ;;
    --work-dir) WORK=$2; shift 2 ;;
    --seconds) SECONDS_EACH=$2; shift 2 ;;
    --new-crashes-warn) NEW_WARN=1; shift ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "run_fuzz.sh: unknown option $1" >&2; exit 2 ;;
    *) TARGETS+=("$1"); shift ;;
  esac
done
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(sql config http fragment batch)
BIN=$BUILD/tests/fuzz
if [ ! -x "$BIN/fuzz_seeds" ]; then
  echo "run_fuzz.sh: no fuzz build in $BUILD: run ./run fuzz (or cmake --preset fuzz && cmake --build --preset fuzz)" >&2
  exit 1
fi

# Seeds, made afresh from the files the tests use.
SEEDS=$WORK/seeds
rm -rf "$SEEDS"
mkdir -p "$SEEDS"/{sql,config,http,fragment,batch}
n=0
for f in "$ROOT"/tests/sql/*.test "$ROOT"/tests/policy/adversarial.test "$ROOT"/tests/disclosure/*.test; do
  awk -v dir="$SEEDS/sql" -v base="$(basename "$f" .test)" '
    /^(query|refuse|protect) / { on = 1; n++; file = dir "/" base "-" n ".sql"; next }
    /^----$/ { on = 0; next }
    on { print > file }' "$f"
done
for f in "$ROOT"/bench/queries/*.sql; do [ -f "$f" ] && cp "$f" "$SEEDS/sql/"; done
for f in "$ROOT"/tests/policy/dsas/*.yaml "$ROOT"/policy/examples/*.yaml; do
  [ -f "$f" ] || continue
  n=$((n + 1)); { printf '\001'; cat "$f"; } > "$SEEDS/config/dsa-$n"
done
for f in "$ROOT"/tests/policy/fedgate_policy_test.yaml "$ROOT"/tests/harness/somerset.yaml \
         "$ROOT"/tests/sql/fedgate_test.yaml "$ROOT"/tests/sql/fedgate_agent_test.yaml; do
  [ -f "$f" ] || continue
  n=$((n + 1)); { printf '\000'; cat "$f"; } > "$SEEDS/config/config-$n"
done
cp "$ROOT"/tests/fuzz/seeds/http/* "$SEEDS/http/"
"$BIN/fuzz_seeds" "$SEEDS/sql" "$SEEDS" >/dev/null

status=0
for t in "${TARGETS[@]}"; do
  bin=$BIN/fuzz_$t
  [ -x "$bin" ] || { echo "run_fuzz.sh: no target fuzz_$t in $BIN" >&2; exit 2; }
  corpus=$WORK/corpus/$t crashes=$WORK/crashes
  mkdir -p "$corpus" "$crashes"
  log=$WORK/$t.log
  regressions=("$ROOT"/tests/fuzz/regressions/"$t"/*)
  if [ -e "${regressions[0]}" ]; then
    if ! "$bin" "${regressions[@]}" >"$WORK/$t-regressions.log" 2>&1; then
      echo "fuzz_$t: a regression input fails again (see $WORK/$t-regressions.log)"
      status=1
      continue
    fi
  fi
  set +e
  # A fixed seed: the suite's short runs take the same path every time, so a red run is
  # reproducible (FUZZ_SEED=0 for a random one).
  "$bin" -seed="${FUZZ_SEED:-1}" -max_total_time="$SECONDS_EACH" -print_final_stats=1 -timeout=10 -rss_limit_mb=4096 \
    -max_len=8192 -artifact_prefix="$crashes/$t-" "$corpus" "$SEEDS/$t" >"$log" 2>&1
  rc=$?
  set -e
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  files=$(find "$corpus" -type f | wc -l)
  if [ $rc -eq 0 ]; then
    echo "fuzz_$t: ${SECONDS_EACH}s, ${execs:-0} runs (${rate:-0}/s), coverage ${cov:-?} edges, ${ft:-?} features, corpus $files, no crash"
  else
    echo "fuzz_$t: CRASH after ${execs:-?} runs (exit $rc); input: $(ls -t "$crashes"/"$t"-* 2>/dev/null | head -1); log: $log"
    grep -m5 -E "ERROR: |SUMMARY: |runtime error|what\(\)" "$log" || tail -20 "$log"
    [ "$NEW_WARN" = 1 ] && echo "fuzz_$t: NEW CRASH (reported, not failing the suite): fix it and add the input to tests/fuzz/regressions/$t" || status=1
  fi
done
exit $status
