#!/usr/bin/env bash
# The README's "run the product" command.
#
# Installs what it needs, builds, starts casestore (the reference case store) with demo data on
# a loopback port, provisions a kiosk with a one-time token, syncs it, lets the city's systems
# change a case and an invoice and syncs again, and checks that nothing on the kiosk's disk is
# readable, and opens the kiosk: in a window when there is a display, otherwise headless on SDL's
# offscreen driver, running a demo script that writes screenshots of each screen.
#
# Everything lives in demo-out/ (rerunning starts afresh). DEMO_CITIZENS sets the size
# (default 5000).
set -euo pipefail
cd "$(dirname "$0")/.."

bash packaging/deps.sh build
if [ -f build/demo/build.ninja ]; then
    meson setup --reconfigure build/demo -Dbuildtype=release -Dunit_tests=false >/dev/null
else
    mkdir -p build && meson setup build/demo -Dbuildtype=release -Dunit_tests=false >/dev/null
fi
ninja -C build/demo minasidor sync/server/casestore >/dev/null
bin=$PWD/build/demo/minasidor
cs=$PWD/build/demo/sync/server/casestore

if [ -t 1 ]; then bold=$'\033[1m' plain=$'\033[0m'; else bold='' plain=''; fi
say() { printf '\n%s== %s%s\n' "$bold" "$*" "$plain"; }

out=$PWD/demo-out
rm -rf "$out"
mkdir -p "$out"
citizens=${DEMO_CITIZENS:-5000}
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

say "casestore: a fresh data directory with $citizens demo citizens"
pin=$("$cs" init --data "$out/casestore")
echo "server key pin: $pin"
"$cs" seed --data "$out/casestore" --citizens "$citizens" --seed 2026
"$cs" stats --data "$out/casestore" | sed 's/^/  /'
"$cs" serve --data "$out/casestore" --listen "127.0.0.1:$port" --demo > "$out/casestore.out" 2> "$out/casestore.log" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do grep -q listening "$out/casestore.out" 2>/dev/null && break; sleep 0.1; done
cat "$out/casestore.out"

say "a technician provisions the kiosk at Bromma medborgarkontor"
token=$("$cs" token create --data "$out/casestore" --site bromma-mbk --districts bromma,hasselby_vallingby)
echo "one-time token: $token"
# On standard input (--token -), so that it never shows in ps while provision runs.
printf '%s\n' "$token" | "$bin" provision --server "https://127.0.0.1:$port" --pin "$pin" \
    --token - --site-name "Bromma medborgarkontor" --state-dir "$out/kiosk"
conf=$out/kiosk/minasidor.conf
"$cs" rp-cert --data "$out/casestore" --out "$out/kiosk/rp" --name "Stockholms stad kiosk" >/dev/null
# The identity provider: where it is, its key pin, and the relying-party certificate (mutual TLS).
idp=(--set "identity.url=https://127.0.0.1:$port/rp/v6.0" --set "identity.pin=$pin"
     --set "identity.rp_cert=$out/kiosk/rp/rp.crt" --set "identity.rp_key=$out/kiosk/rp/rp.key")

say "the city's systems change things; the kiosk syncs"
pick() { # kind: the id of one such record in Bromma
    python3 -c 'import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print(db.execute("SELECT id FROM records WHERE kind=? AND district=? ORDER BY rowid LIMIT 1",
                 (sys.argv[2], "bromma")).fetchone()[0])' "$out/casestore/casestore.db" "$1"
}
case_id=$(pick case)
invoice_id=$(pick invoice)
echo "case $case_id moves to its next status; invoice $invoice_id is paid"
"$cs" mutate --data "$out/casestore" advance-case "$case_id"
"$cs" mutate --data "$out/casestore" pay-invoice "$invoice_id" "$(date +%F)"
"$bin" --config "$conf" sync --once

say "the site's role list: one demo person is staff, another a technician"
demo_person() { # N: the Nth demo identity the simulator offers Bromma: "PNR<TAB>NAME"
    python3 -c 'import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
r = db.execute("SELECT json_extract(fields, ?), json_extract(fields, ?) || char(32) ||"
               " json_extract(fields, ?) FROM records WHERE kind=? AND district=?"
               " ORDER BY rowid LIMIT 1 OFFSET ?", ("$.pnr", "$.given_name", "$.surname",
               "citizen", "bromma", int(sys.argv[2]))).fetchone()
print(r[0] + "\t" + r[1])' "$out/casestore/casestore.db" "$1"
}
IFS=$'\t' read -r staff_pnr staff_name < <(demo_person 1)
IFS=$'\t' read -r tech_pnr tech_name < <(demo_person 2)
"$cs" role add --data "$out/casestore" --site bromma-mbk --pnr "$staff_pnr" --role staff --staff-id staff-17
"$cs" role add --data "$out/casestore" --site bromma-mbk --pnr "$tech_pnr" --role technician --staff-id tech-7
"$bin" --config "$conf" sync --once
echo "staff (ombudsregistrering): DEMO: $staff_name"
echo "technician: hold the bottom-left corner of the start screen for 5 s, then DEMO: $tech_name"

say "minasidor doctor: the kiosk's health, one line per check"
"$bin" --config "$conf" "${idp[@]}" doctor | sed 's/^/  /' || true

say "a citizen identifies with BankID (casestore simulates the provider and plays the phone)"
citizen_pnr=$(python3 -c 'import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print(db.execute("SELECT json_extract(fields, ?) FROM records WHERE kind=? AND district=?"
                 " ORDER BY rowid LIMIT 1", ("$.pnr", "citizen", "bromma")).fetchone()[0])' \
    "$out/casestore/casestore.db")
"$bin" --config "$conf" "${idp[@]}" identify > "$out/identify.out" 2>&1 &
identify=$!
for _ in $(seq 50); do grep -q '^qr: ' "$out/identify.out" && break; sleep 0.1; done
qr=$(grep -m1 '^qr: ' "$out/identify.out" | cut -c5-)
echo "the kiosk shows the animated QR: ${qr:0:60}…"
"$cs" phone --data "$out/casestore" "$qr" --pnr "$citizen_pnr" --action approve
wait $identify || true
grep -E '^(message|identified|role|failed)' "$out/identify.out" | sed 's/^/  /'

say "what is on the kiosk's disk: nothing readable"
for word in Andersson Johansson "Stockholms stad" 5050-1055; do
    if grep -q -a "$word" "$out/kiosk/cache.db" "$out/kiosk/cache.db-wal" 2>/dev/null; then
        echo "  \"$word\": FOUND in clear (this is a bug)"
    else
        echo "  \"$word\": not found in the cache files"
    fi
done
ls -l "$out/kiosk" | sed 's/^/  /'

say "support tools (minasidor tool)"
"$bin" tool pnr 19121212-1212
"$bin" tool ocr --level variable 18108401345678778
"$bin" tool callback-due "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
"$bin" tool phone "+46 (0)70-123 45 67"

kiosk=("$bin" --config "$conf" "${idp[@]}" --set identity.demo=true kiosk)
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    say "the kiosk, in a window (choose a DEMO person on the identification screen; close the window to end)"
    "${kiosk[@]}" --window-scale "${DEMO_WINDOW_SCALE:-0.5}"
else
    say "the kiosk, headless (no display): a citizen identifies, looks around and logs out"
    mkdir -p "$out/screenshots"
    # The ui suite's visit, less what it asserts of its own test person's empty lists: the demo
    # person has a färdtjänst permit and the visit booked above.
    grep -v -e '^expect "Du har in' -e '^expect "Du står inte' tests/ui/scripts/citizen.script \
        > "$out/citizen-visit.script"
    SDL_AUDIODRIVER=dummy "${kiosk[@]}" --headless --script "$out/citizen-visit.script" \
        --screenshots "$out/screenshots" | sed 's/^/  /'
    "${kiosk[@]}" --headless --script tests/ui/scripts/callback.script \
        --screenshots "$out/screenshots" | sed 's/^/  /'
    # Hjälp and the way in without BankID (help-*.png, start-nobankid-*.png)
    "${kiosk[@]}" --headless --script tests/ui/scripts/help.script \
        --screenshots "$out/screenshots" | sed 's/^/  /'
    echo "The screenshots are in $out/screenshots/ (open them with any image viewer)."
fi

say "done"
echo "Everything is in $out. To look further, start the case store again:"
echo "  $cs serve --data $out/casestore --listen 127.0.0.1:$port --demo &"
echo "  $bin --config $conf sync --once"
