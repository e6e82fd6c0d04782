#!/usr/bin/env bash
# npx projen conformance: cfn-lint and checkov over every template the app synthesizes, StackSet member templates
# included. Creates (or refreshes) the Python venv (test/support/python-venv.sh), synthesizes a fresh cdk.out,
# and lets test/conformance/check.ts run both tools, apply the skips in test/conformance/skips.yaml and fail on the rest.
# CONFORMANCE_REUSE_CDK_OUT=1 checks the cdk.out already there instead (CI sets it: `npx projen build` has just
# synthesized it from the same tree, so CI synthesizes once for both).
set -euo pipefail
cd "$(dirname "$0")/../.."

bash test/support/python-venv.sh

if [ "${CONFORMANCE_REUSE_CDK_OUT:-}" = 1 ] && [ -f cdk.out/manifest.json ]; then
  echo "conformance: checking the cdk.out that the build synthesized"
else
  rm -rf cdk.out
  npx cdk synth -q > /dev/null
fi
npx ts-node --transpile-only -P tsconfig.json test/conformance/check.ts
