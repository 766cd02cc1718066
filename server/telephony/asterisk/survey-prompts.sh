#!/usr/bin/env bash
# Generates the Ukrainian prompts of the survey IVR ([misto-survey] in extensions.conf) from text
# with espeak-ng and sox, as 8 kHz mono 16-bit WAV — what Asterisk plays without transcoding on a
# narrowband trunk. The names are the ones the dialplan plays (custom/<name>); a city that records
# real voices later puts its files under the same names and never runs this again.
#
#   bash server/telephony/asterisk/survey-prompts.sh [target folder]
#
# Default folder: /var/lib/asterisk/sounds/uk/custom (CHANNEL(language)=uk makes Asterisk look there).
# Needs espeak-ng and sox (scripts/system-deps.sh --prompts installs them).
set -euo pipefail
out="${1:-/var/lib/asterisk/sounds/uk/custom}"
for tool in espeak-ng sox; do
  command -v "$tool" >/dev/null || { echo "$tool is missing: bash scripts/system-deps.sh --prompts" >&2; exit 1; }
done
mkdir -p "$out"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# name|text — the texts are the city's to change; keep the key numbers as the dialplan reads them.
while IFS='|' read -r name text; do
  [[ -z "$name" || "$name" == \#* ]] && continue
  espeak-ng -v uk -s 150 -w "$tmp/$name.wav" "$text"
  # espeak-ng writes 22.05 kHz; resample with a little headroom so the phone line does not clip.
  sox "$tmp/$name.wav" -r 8000 -c 1 -b 16 -e signed-integer "$out/$name.wav" gain -n -3
  echo "$out/$name.wav"
done <<'PROMPTS'
misto-survey-confirm|Вас вітає міська служба п'ятнадцять вісімдесят. Ви зверталися до нас, і виконавець повідомив, що роботу виконано. Якщо роботу справді виконано, натисніть один. Якщо ні, натисніть два.
misto-survey-rate|Дякуємо. Оцініть, будь ласка, якість роботи від одного до п'яти, де п'ять — відмінно.
misto-thanks|Дякуємо за відповідь. До побачення.
misto-control-confirm|Вас вітає міська служба п'ятнадцять вісімдесят. Це контрольний дзвінок щодо вашого звернення, яке закрито як виконане. Якщо роботу справді виконано, натисніть один. Якщо ні, натисніть два.
PROMPTS
