#!/usr/bin/env bash
# Installs Debian's chromium for the browser tests (test/operations/verify/verify-report-html.test.ts drives it with
# playwright-core at /usr/bin/chromium). Does nothing when /usr/bin/chromium is there; .ci/run starts it in the
# background while npm ci runs. Needs root (apt-get) and the Debian mirrors; the browser test runs it when chromium is missing
# (waiting for an install still running) and fails naming this script when chromium is still missing.
set -euo pipefail

# One install at a time: a test that finds chromium missing runs this script too, and waits here for .ci/run's install.
exec 9>/tmp/genai-governance-install-chromium.lock
flock 9
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-chromium: /usr/bin/chromium is missing and installing it needs root: run 'apt-get install -y chromium' as root" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# The package lists of a fresh image may be empty or stale: refresh them once when chromium has no candidate.
if ! apt-cache policy chromium 2>/dev/null | grep -q 'Candidate: [0-9]'; then
  apt-get update -qq
fi
apt-get install -y -qq --no-install-recommends chromium
/usr/bin/chromium --version
