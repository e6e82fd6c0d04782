#!/usr/bin/env bash
# The test task's jest and eslint, side by side: jest with the arguments given (projen's test task passes its own and
# the command line's), eslint as `npx projen eslint`, its output kept and printed after jest's. Exits non-zero when
# either fails. Each jest worker waits on child processes (moto, the emulators, the real app) for much of the run, and
# eslint's type-aware pass fills that time instead of following it.
set -uo pipefail
cd "$(dirname "$0")/../.."
mkdir -p test-reports
lint_log=test-reports/eslint.log
npx projen eslint > "$lint_log" 2>&1 &
lint=$!
npx jest "$@"
tests=$?
wait "$lint"
linted=$?
cat "$lint_log"
if [ "$linted" -ne 0 ]; then echo "test-and-lint: eslint failed (exit $linted)" >&2; fi
[ "$tests" -eq 0 ] && [ "$linted" -eq 0 ]
