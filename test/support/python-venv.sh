#!/usr/bin/env bash
# Creates (or refreshes) the Python venv in .venv from the fully pinned requirements-dev.txt: cfn-lint and checkov for
# `npx projen conformance`, moto_server for the custom-resource handler tests. Reinstalls only when the requirements
# file changed (its hash is kept in .venv/.requirements.sha256).
set -euo pipefail
cd "$(dirname "$0")/../.."

venv=.venv
# One install at a time: .ci/run starts this in the background while npm ci runs, and the test task runs it again; the
# second waits here for the first, then finds the venv current.
exec 9>"$venv.lock"
flock 9
want=$(sha256sum requirements-dev.txt | cut -d' ' -f1)
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$venv/.requirements.sha256" 2>/dev/null)" != "$want" ]; then
  echo "python-venv: installing requirements-dev.txt into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --disable-pip-version-check --quiet -r requirements-dev.txt
  echo "$want" > "$venv/.requirements.sha256"
fi
