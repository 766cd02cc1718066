#!/usr/bin/env bash
# Second command of the README (npm test): installs what is missing, type-checks, builds the UI
# and runs every test against a real PostGIS cluster, SMTP server, AMI peer and Chromium.
# Without arguments it then runs the suites that compute with the calendar again with the clock at
# the edges of a month and of a year in Kyiv (the last half-minute of November, the first of January).
# `npm test -- unit` (every argument `unit` or `unit/…`) is the fast tier: pure functions only, in
# seconds, on a machine without PostgreSQL or Chromium — no system packages, no type-check, no build.
set -euo pipefail
cd "$(dirname "$0")/.."

unit_only=0
if (($# > 0)); then
  unit_only=1
  for a in "$@"; do
    [[ $a == unit || $a == unit/* ]] || unit_only=0
  done
fi

if ((unit_only)); then
  # A fresh checkout still needs the packages (tsx, uvu) once.
  [[ -d node_modules ]] || npm install --no-audit --no-fund
  exec node --import tsx tests/run.ts "$@"
fi

bash scripts/system-deps.sh --browser
npm install --no-audit --no-fund
npm run check
# Builds are serialised: browser tests serve the built UI.
flock .build.lock npx vite build >/dev/null
node --import tsx tests/run.ts "$@"
if (($# == 0)); then
  CALENDAR=(unit announcements/api announcements/subscriptions appeals/registration appeals/access)
  for at in 2026-11-30T21:59:30Z 2026-12-31T22:00:30Z; do
    echo; echo "=== the calendar suites at TEST_NOW=$at"
    TEST_NOW=$at node --import tsx tests/run.ts "${CALENDAR[@]}"
  done
fi
