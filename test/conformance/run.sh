#!/usr/bin/env bash
# npx projen conformance: cfn-lint and checkov over every template the app synthesizes, StackSet member templates
# included. Creates (or refreshes) the Python venv in .venv from requirements-dev.txt, synthesizes a fresh cdk.out,
# and lets test/conformance/check.ts run both tools, apply the skips in test/conformance/skips.yaml and fail on the rest.
set -euo pipefail
cd "$(dirname "$0")/../.."

venv=.venv
want=$(sha256sum requirements-dev.txt | cut -d' ' -f1)
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$venv/.requirements.sha256" 2>/dev/null)" != "$want" ]; then
  echo "conformance: installing requirements-dev.txt into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --disable-pip-version-check --quiet -r requirements-dev.txt
  echo "$want" > "$venv/.requirements.sha256"
fi

rm -rf cdk.out
npx cdk synth -q > /dev/null
npx ts-node --transpile-only -P tsconfig.json test/conformance/check.ts
