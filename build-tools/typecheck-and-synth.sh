#!/usr/bin/env bash
# The build's compile step: the type check (`tsc --noEmit`: ts-node and ts-jest only transpile, so nothing else
# type-checks) and the README's main job, `npx projen synth` with every gate, into cdk.out, side by side, each one
# process on one core. Fails when either fails; a type error does not stop the synth, whose own findings are shown too.
#
# The synth is the run's only synth of the example (docs/adr/0002-one-synth-per-test-run.md): its output is kept in
# cdk.out/main-job.log and the assembly is stamped with the hash of its inputs (test/support/build-assembly.ts), so the
# tests read this assembly and this output instead of synthesizing the example again, and conformance checks it. It runs
# as the main-job test runs it: offline, without AWS credentials. With GOVERNANCE_CONFIG set, the build gates that config
# and stamps nothing (the tests then synthesize the example themselves).
set -uo pipefail
cd "$(dirname "$0")/.."
npx tsc --noEmit -p tsconfig.json &
typecheck=$!
inputs=$(npx ts-node --transpile-only -P tsconfig.json test/support/build-assembly.ts inputs)
log=$(mktemp)
rm -f cdk.out/build-stamp.json cdk.out/main-job.log
NODE_ENV=production AWS_ACCESS_KEY_ID='' AWS_SECRET_ACCESS_KEY='' AWS_PROFILE=none-offline npx projen synth > "$log" 2>&1
synth=$?
if [ "$synth" -eq 0 ]; then
  mv "$log" cdk.out/main-job.log
  if [ -z "${GOVERNANCE_CONFIG:-}" ]; then npx ts-node --transpile-only -P tsconfig.json test/support/build-assembly.ts stamp "$inputs"; fi
  echo "typecheck-and-synth: the main job synthesized cdk.out (its output: cdk.out/main-job.log)"
else
  cat "$log"
  rm -f "$log"
fi
wait "$typecheck"
typed=$?
if [ "$typed" -ne 0 ]; then echo "typecheck-and-synth: tsc found type errors (exit $typed)" >&2; fi
[ "$synth" -eq 0 ] && [ "$typed" -eq 0 ]
