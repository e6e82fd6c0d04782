#!/usr/bin/env bash
# Creates (or refreshes) the Python venv in .venv from the fully pinned requirements-dev.txt: cfn-lint and checkov for
# `npx projen conformance`, moto_server for the custom-resource handler tests. Reinstalls only when the requirements
# file changed (its hash is kept in .venv/.requirements.sha256).
set -euo pipefail
cd "$(dirname "$0")/../.."

venv=.venv
# One install at a time: .ci/run starts this in the background while npm ci runs, and every process that starts moto
# (emulators/moto/moto-server.ts) or runs the conformance tools runs it again; those wait here for the first, then find
# the venv current.
exec 9>"$venv.lock"
flock 9
want=$(sha256sum requirements-dev.txt | cut -d' ' -f1)
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$venv/.requirements.sha256" 2>/dev/null)" != "$want" ]; then
  echo "python-venv: installing requirements-dev.txt into $venv"
  python3 -m venv "$venv"
  # --no-compile: pip would byte-compile every module of moto, checkov and cfn-lint (about 20 s of CPU here); Python
  # compiles the modules a run imports on first use instead, and keeps them in __pycache__.
  "$venv/bin/pip" install --disable-pip-version-check --quiet --no-compile -r requirements-dev.txt
  echo "$want" > "$venv/.requirements.sha256"
fi
