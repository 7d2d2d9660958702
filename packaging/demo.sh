#!/usr/bin/env bash
# The README's "run the product" command.
#
# Installs what it needs, builds minasidor and shows what this build can do. The kiosk window,
# casestore with demo data, provisioning and sync arrive with their issues; until then this runs
# the support tools a technician uses, on realistic inputs, so that every line printed below is
# computed by the product itself.
set -euo pipefail
cd "$(dirname "$0")/.."

bash packaging/deps.sh build
if [ -f build/demo/build.ninja ]; then
    meson setup --reconfigure build/demo -Dbuildtype=release -Dunit_tests=false >/dev/null
else
    mkdir -p build && meson setup build/demo -Dbuildtype=release -Dunit_tests=false >/dev/null
fi
ninja -C build/demo minasidor >/dev/null
bin=build/demo/minasidor

if [ -t 1 ]; then bold=$'\033[1m' plain=$'\033[0m'; else bold='' plain=''; fi
say() { printf '\n%s$ minasidor %s%s\n' "$bold" "$*" "$plain"; }
run() { say "$*"; "$bin" "$@" || true; }

"$bin" --version
echo "The kiosk UI is not built yet (see README, 'Status'); these are the support tools."

run tool pnr 19121212-1212
run tool pnr 701063-2391 --json
run tool pnr 19121212-1213
run tool ocr --level variable 18108401345678778
run tool ocr-make --length-digit 4711202611
run tool holidays "$(date +%Y)"
today=$(TZ=Europe/Stockholm date +%F)
run tool next-workday "$today"
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
run tool callback-due "$now"
run tool phone "+46 (0)70-123 45 67" --json
run tool payqr '{"payee":"Stockholms stad","orgnr":"212000-0142","ocr":"18108401345678778","invoice_date":"2026-11-01","due_date":"2026-11-30","amount_ore":123450,"bankgiro":"5050-1055"}'
say "tool pnr - < list   (one process checks a whole list)"
printf '%s\n' 19121212-1212 198211059954 201509160006 '19090527 1474' | "$bin" tool pnr - || true
printf '\nBuilt at %s; run it yourself: %s --help\n' "$bin" "$bin"
