# Sourced by the scripts that run `fedgate serve` in the background (tests, demo, load test).
#
# serve_start FEDGATE DIR ARGS...: starts `FEDGATE serve ARGS...` with its output in
# DIR/serve.out and DIR/serve.err, waits up to 10 s for its "listening HOST:PORT" line, and
# sets SERVER (the pid) and ADDRESS (HOST:PORT). Returns 1, the server's errors printed to
# standard error, when it does not start.
serve_start() {
  local fedgate=$1 dir=$2
  shift 2
  "$fedgate" serve "$@" > "$dir/serve.out" 2> "$dir/serve.err" &
  SERVER=$!
  ADDRESS=
  for _ in $(seq 1 100); do
    ADDRESS=$(sed -n 's/^listening //p' "$dir/serve.out" 2>/dev/null)
    [ -n "$ADDRESS" ] && return 0
    kill -0 "$SERVER" 2>/dev/null || break
    sleep 0.1
  done
  cat "$dir/serve.err" >&2
  return 1
}
