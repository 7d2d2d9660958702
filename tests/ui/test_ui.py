#!/usr/bin/env python3
"""Suite `ui`: the real kiosk, headless on SDL's offscreen driver, against a real casestore over
TLS (BankID simulator in demo mode), operated by the scripts in tests/ui/scripts. Each script is
one test; its screenshots go to SHOTS_DIR. Prints TAP.

With --languages TABLE (the build's i18n_table.c, which says which catalogues are complete) the
scripts are the languages' instead, made by lang_scripts.py from tests/ui/lang/*.template: one
kiosk per language, on the same case store; screenshots in SHOTS_DIR/lang/CODE/.

Usage: test_ui.py MINASIDOR CASESTORE SCRIPTS_DIR SHOTS_DIR [--languages TABLE] [NAME...]"""
import glob
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "harness"))
from kiosk_fixture import Fixture  # noqa: E402

MINASIDOR, CASESTORE, SCRIPTS, SHOTS = sys.argv[1:5]
ONLY = sys.argv[5:]  # script names to run (default: all)
LANG_TABLE = None
if ONLY[:1] == ["--languages"]:
    LANG_TABLE, ONLY = ONLY[1], ONLY[2:]


def arrived(data, type_):
    """What the case store stored for submissions of this ärendetyp, newest first."""
    import json
    import sqlite3
    db = sqlite3.connect(os.path.join(data, "casestore.db"))
    rows = db.execute("SELECT kind, main, class, citizen, payload, registered_by, status,"
                      " case_number FROM submissions WHERE type=? ORDER BY received_at DESC,"
                      " rowid DESC", (type_,)).fetchall()
    db.close()
    return [dict(zip(("kind", "main", "class", "citizen", "payload", "registered_by", "status",
                      "case_number"), (*r[:4], json.loads(r[4]), json.loads(r[5]), *r[6:])))
            for r in rows]


def usage_total(f):
    """The uses counted: in the kiosk's cache (usage counters, written off the UI thread; a batch
    on its way) and what its syncs delivered to the case store (POST /v1/status)."""
    import contextlib
    import sqlite3
    with contextlib.closing(sqlite3.connect(os.path.join(f.state, "cache.db"))) as db:
        kiosk = db.execute("SELECT (SELECT coalesce(sum(count), 0) FROM usage_counters)"
                           " + (SELECT coalesce(sum(count), 0) FROM usage_batch)").fetchone()[0]
    with contextlib.closing(sqlite3.connect(os.path.join(f.data, "casestore.db"))) as db:
        have = db.execute("SELECT count(*) FROM sqlite_master WHERE name='usage_daily'").fetchone()
        sent = db.execute("SELECT coalesce(sum(count), 0) FROM usage_daily").fetchone()[0] \
            if have[0] else 0
    return kiosk + sent


def check_preschool(data):
    """The förskoleplats application arrived once, classified, with the units in order."""
    got = arrived(data, "forskoleplats")
    assert len(got) == 1, f"expected one application, got {len(got)}"
    a = got[0]
    assert (a["kind"], a["main"], a["class"], a["status"]) == (
        "application", "forskola", "ny_ansokan", "accepted"), a
    assert a["payload"]["units"] == ["Förskolan Ugglan", "Förskolan Solrosen"], a["payload"]
    assert len(a["payload"]["child_pnr"]) == 12, a["payload"]
    due = time.strftime("%Y-%m-%d", time.localtime(time.time() + 120 * 86400))
    assert a["payload"]["start_date"] == due, (a["payload"], due)
    assert a["registered_by"] == {"by": "citizen", "identified_with": "bankid"}, a
    assert a["citizen"], "the citizen's server id"


def check_others(data):
    """Each of the other forms arrived with its answers as the review showed them, typed on the
    on-screen keyboard (apply-others.script uses `type-keys`) and the calendar (`pick-date`)."""
    want = {
        "fardtjanst": ("application", "fardtjanst",
                       {"aid": "rollator", "duration": "permanent",
                        "reason": "jag kan inte gå till hållplatsen. det är för långt."}),
        "hemtjanst": ("application", "aldreomsorg",
                      {"help": ["cleaning", "shopping", "meals"], "living": "alone",
                       "message": ""}),
        "utokad_omsorgstid": ("application", "forskola", {"hours": "30", "reason": "family"}),
        "inkomstanmalan": ("application", "forskola",
                           {"monthly_income_ore": "3850000", "adults": "2"}),
        "ovrigt": ("complaint", "aldreomsorg",
                   {"main": "aldreomsorg", "sort": "complaint", "answer": "yes",
                    "text": "hemtjänsten kom inte på tisdagen."}),
    }
    for type_, (kind, main, fields) in want.items():
        got = arrived(data, type_)
        assert len(got) == 1, f"{type_}: expected one, got {len(got)}"
        a = got[0]
        assert (a["kind"], a["main"], a["status"]) == (kind, main, "accepted"), (type_, a)
        for k, v in fields.items():
            assert a["payload"].get(k) == v, (type_, k, a["payload"].get(k), v)


CHECKS = {"apply-preschool": check_preschool, "apply-others": check_others}


def language_scripts(tmp):
    """(name, path, check) for each language's script, written into tmp: preview mode only for
    a language whose catalogue the build did not find complete."""
    import re
    import lang_scripts
    with open(LANG_TABLE, encoding="utf-8") as f:
        complete = {m.group(1): m.group(2) == "true" for m in
                    re.finditer(r'\{ "(\w+)", "[^"]*", \w+, \w+, [^,]+, (true|false),', f.read())}
    out = []
    for code in lang_scripts.table():
        path = os.path.join(tmp, f"lang-{code}.script")
        with open(path, "w", encoding="utf-8") as f:
            f.write(lang_scripts.script(code, "lang", preview=not complete.get(code, False)))
        os.makedirs(os.path.join(SHOTS, "lang", code), exist_ok=True)
        out.append((f"lang-{code}", path, code))
    return out


def check_ocr(data, code, stdout):
    """The invoice screens showed an OCR number of one of the case store's invoices, grouped
    in digits."""
    import sqlite3
    import lang_scripts
    db = sqlite3.connect(os.path.join(data, "casestore.db"))
    known = {r[0] for r in db.execute("SELECT json_extract(fields, '$.ocr') FROM records"
                                      " WHERE kind='invoice'")}
    db.close()
    shown = lang_scripts.ocr_shown(stdout, code)
    assert shown, "no OCR number on the invoice screen"
    for s in shown:
        assert all(g.isdigit() for g in s.split(" ")), f"OCR number {s!r} is not groups of digits"
        assert s.replace(" ", "") in known, f"OCR number {s!r} is no invoice's"


def main():
    os.makedirs(SHOTS, exist_ok=True)
    with Fixture(MINASIDOR, CASESTORE) as f:
        data = f.data
        if LANG_TABLE is not None:
            scripts = language_scripts(f.tmp)
        else:
            scripts = [(os.path.basename(s)[:-7], s, None)
                       for s in sorted(glob.glob(os.path.join(SCRIPTS, "*.script")))]
        if ONLY:
            scripts = [s for s in scripts if s[0] in ONLY]
        every = not ONLY and LANG_TABLE is None
        print(f"1..{len(scripts) + every}")
        failed = 0
        env = dict(os.environ, SDL_AUDIODRIVER="dummy")
        # Under ASan: the libraries SDL loads with dlopen and unloads at SDL_Quit leave ~7 kB of
        # leak reports without symbols (the same 258 allocations in every script); the kiosk's
        # own allocations are leak-checked by the unit tests (ui_toolkit, store, sync).
        env["LSAN_OPTIONS"] = "detect_leaks=0"
        env.pop("DISPLAY", None)
        for i, (name, path, lang) in enumerate(scripts, 1):
            args = f.kiosk_args("--headless", "--script", path, "--screenshots", SHOTS)
            if name.endswith("-landscape"):
                args.append("--landscape")
            counted = usage_total(f)
            t0 = time.monotonic()
            r = subprocess.run(args, capture_output=True, text=True, errors="replace", timeout=300,
                               env=env)
            took = time.monotonic() - t0
            ok = r.returncode == 0
            first = open(path).readline()
            if first.startswith("# expect-failure: "):
                # a deliberately broken fixture: the check must fail, and for the reason given
                import re
                want = first[len("# expect-failure: "):].strip()
                ok = r.returncode == 1 and re.search(want, r.stderr) is not None
                if not ok:
                    r.stderr += f"\nexpected to fail with /{want}/ (exit {r.returncode})"
            # A script that signs in shows the overview at least: counted in memory, written by
            # the sync thread and at shutdown, never lost.
            if ok and 'tap "DEMO:' in open(path).read() and usage_total(f) <= counted:
                ok = False
                r.stderr += "\nthe screens it showed are not in the usage counters"
            if ok and (name in CHECKS or lang is not None):
                try:
                    if lang is not None:
                        check_ocr(data, lang, r.stdout)
                    else:
                        CHECKS[name](data)
                except AssertionError as e:
                    ok = False
                    r.stderr += f"\nthe case store: {e}\n"
            if ok:
                print(f"ok {i} - {name} ({took:.1f} s)")
            else:
                failed += 1
                print(f"not ok {i} - {name}")
                for line in r.stderr.splitlines()[-60:] + r.stdout.splitlines()[-10:]:
                    print(f"# {line}")
            shots = [line[12:] for line in r.stdout.splitlines() if line.startswith("screenshot: ")]
            for s in shots:
                print(f"# screenshot {s}")
        if every:
            failed += not counts_reach_the_case_store(f, len(scripts) + 1)
        return 1 if failed else 0


def counts_reach_the_case_store(f, i):
    """What the kiosk itself counted while the scripts ran (visits, identifications, screens,
    languages, submissions by kind, idle logouts) reaches the case store with a sync."""
    import contextlib
    import sqlite3
    p = subprocess.run(f.args("sync", "--once"), capture_output=True, text=True, timeout=120)
    with contextlib.closing(sqlite3.connect(os.path.join(f.data, "casestore.db"))) as db:
        got = dict(db.execute("SELECT counter, sum(count) FROM usage_daily GROUP BY counter"))
    want = {"visit", "identify.started", "identify.ok", "idle_logout", "screen.start",
            "screen.overview", "submit.callback", "submit.application"}
    missing = sorted(want - set(got))
    ok = p.returncode == 0 and "not sent" not in p.stderr and not missing and \
        any(c.startswith("lang.") for c in got)
    print(f"{'ok' if ok else 'not ok'} {i} - the kiosk's own counts reach the case store")
    if not ok:
        print(f"# sync: {p.returncode} {p.stderr.strip()}; missing {missing}; counted {got}")
    return ok


if __name__ == "__main__":
    sys.exit(main())
