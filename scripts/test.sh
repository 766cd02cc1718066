#!/usr/bin/env bash
# Second command of the README (npm test): installs what is missing, type-checks, builds the UI
# and runs every test against a real PostGIS cluster, SMTP server, AMI peer and Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-deps.sh --browser
npm install --no-audit --no-fund
npm run check
# Builds are serialised: browser tests serve the built UI.
flock .build.lock npx vite build >/dev/null
node --import tsx tests/run.ts "$@"
