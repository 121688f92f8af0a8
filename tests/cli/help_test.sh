#!/usr/bin/env bash
# Every subcommand listed by `fedgate --help` (and every subcommand of a group such as
# `policy`) answers --help with its usage on stdout and exit 0, and refuses an unknown option
# with exit 2 and a message naming it. No servers: a command that would start one must refuse
# the option before it does.
#   help_test.sh FEDGATE_BINARY
set -uo pipefail
FEDGATE=$1
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
failures=0
checked=0

fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

# The command names of a usage text's "Commands:" section.
commands_of() {
  sed -n '/^Commands:$/,/^$/p' | sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p'
}

check() {  # check WORDS... : one (sub)command
  local out="$WORK/out" err="$WORK/err" rc
  "$FEDGATE" "$@" --help >"$out" 2>"$err" </dev/null
  rc=$?
  [ "$rc" -eq 0 ] || fail "fedgate $* --help exited $rc: $(head -3 "$err")"
  grep -q "^Usage: fedgate $*" "$out" || fail "fedgate $* --help printed no usage on stdout: $(head -3 "$out")"
  [ -s "$err" ] && fail "fedgate $* --help wrote to stderr: $(head -3 "$err")"
  "$FEDGATE" "$@" --no-such-option >"$WORK/out2" 2>"$err" </dev/null
  rc=$?
  [ "$rc" -eq 2 ] || fail "fedgate $* --no-such-option exited $rc (expected 2)"
  grep -q -- "--no-such-option" "$err" || fail "fedgate $* --no-such-option: stderr does not name it: $(head -3 "$err")"
  checked=$((checked + 1))
  local sub
  for sub in $(commands_of <"$out"); do check "$@" "$sub"; done
}

top=$("$FEDGATE" --help) || fail "fedgate --help exited non-zero"
subs=$(echo "$top" | commands_of)
[ "$(echo "$subs" | wc -w)" -ge 9 ] || fail "fedgate --help lists too few commands: $subs"
for sub in $subs; do check "$sub"; done
# fedgate itself.
"$FEDGATE" --no-such-option >/dev/null 2>"$WORK/err"
[ $? -eq 2 ] && grep -q -- "--no-such-option" "$WORK/err" || fail "fedgate --no-such-option"
# The bug that started this: --help is not a file name.
"$FEDGATE" audit verify --help | grep -q "^Usage: fedgate audit verify" || fail "audit verify --help"
echo "$checked commands checked, $failures failures"
[ "$failures" -eq 0 ]
