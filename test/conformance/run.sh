#!/usr/bin/env bash
# npx projen conformance: cfn-lint and checkov over every template the app synthesizes, StackSet member templates
# included. Creates (or refreshes) the Python venv (test/support/python-venv.sh), synthesizes a fresh cdk.out,
# and lets test/conformance/check.ts run both tools, apply the skips in test/conformance/skips.yaml and fail on the rest.
set -euo pipefail
cd "$(dirname "$0")/../.."

bash test/support/python-venv.sh

rm -rf cdk.out
npx cdk synth -q > /dev/null
npx ts-node --transpile-only -P tsconfig.json test/conformance/check.ts
