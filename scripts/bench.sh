#!/usr/bin/env bash
# npm run bench: runs every "bench:*" script of package.json one after another (each prints its
# own table and ratios). Arguments are passed to each, e.g. npm run bench -- --database-url URL.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t benches < <(node -e 'for (const k of Object.keys(require("./package.json").scripts)) if (k.startsWith("bench:")) console.log(k)')
status=0
for b in "${benches[@]}"; do
  echo "=== npm run $b"
  npm run --silent "$b" -- "$@" || status=$?
done
exit $status
