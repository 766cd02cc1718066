#!/usr/bin/env bash
# Installs what the product and its tests need from Debian, once: PostgreSQL 15 + PostGIS,
# GDAL (ogr2ogr for imports), Chromium (browser tests, --browser) and espeak-ng + sox (the survey
# prompts, --prompts). Idempotent; needs root for apt-get.
set -euo pipefail
need=()
[[ -f /usr/share/postgresql/15/extension/postgis.control ]] || need+=(postgresql-15-postgis-3)
command -v ogr2ogr >/dev/null || need+=(gdal-bin)
# The tile server renders its SDF label glyphs (Cyrillic) from DejaVu Sans.
[[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]] || need+=(fonts-dejavu-core)
if [[ "${1:-}" == "--browser" ]]; then command -v chromium >/dev/null || need+=(chromium); fi
# The survey IVR's prompts are generated from text (server/telephony/asterisk/survey-prompts.sh).
if [[ "${1:-}" == "--prompts" ]]; then
  command -v espeak-ng >/dev/null || need+=(espeak-ng)
  command -v sox >/dev/null || need+=(sox)
fi
((${#need[@]})) || exit 0
if [[ $(id -u) -ne 0 ]]; then
  echo "Missing system packages: ${need[*]}. Install them with:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y ${need[*]}" >&2
  exit 1
fi
echo "Installing ${need[*]} from Debian…"
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=600 update -qq
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${need[@]}" >/dev/null
