#!/usr/bin/env bash
# First command of the README: install everything, build the UI, start the product on the demo city.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-deps.sh
npm install --no-audit --no-fund
npm run build
exec npm start
