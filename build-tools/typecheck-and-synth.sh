#!/usr/bin/env bash
# The build's compile step: the type check (`tsc --noEmit`: ts-node and ts-jest only transpile, so nothing else
# type-checks) and the synth with every gate (`npx projen synth:silent`, into cdk.out) side by side, each one process
# on one core. Fails when either fails; a type error does not stop the synth, whose own findings are shown too.
set -uo pipefail
cd "$(dirname "$0")/.."
npx tsc --noEmit -p tsconfig.json &
typecheck=$!
npx projen synth:silent
synth=$?
wait "$typecheck"
typed=$?
if [ "$typed" -ne 0 ]; then echo "typecheck-and-synth: tsc found type errors (exit $typed)" >&2; fi
[ "$synth" -eq 0 ] && [ "$typed" -eq 0 ]
