#!/usr/bin/env python3
"""Suite `ui`: staff and technicians at the real kiosk (headless), against a real casestore over
TLS. The site's role list (signed by the case store, fetched by sync) makes one demo person
staff and another a technician; the scripts in tests/ui/roles operate the kiosk, and after each
this test reads what it left: the case store's submissions with their ombud fields, the kiosk's
audit log, the exported diagnostics, and after the factory reset the disk itself. Prints TAP.

Usage: test_roles.py MINASIDOR CASESTORE KIOSK_HELPER SCRIPTS_DIR SHOTS_DIR"""
import glob
import json
import os
import sqlite3
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "harness"))
from kiosk_fixture import Fixture, put_people  # noqa: E402
from taptest import eq, finish, test  # noqa: E402

MINASIDOR, CASESTORE, HELPER, SCRIPTS, SHOTS = sys.argv[1:6]
STAFF_ID, TECH_ID = "staff-17", "tech-7"
ENV = dict(os.environ, SDL_AUDIODRIVER="dummy", LSAN_OPTIONS="detect_leaks=0")
ENV.pop("DISPLAY", None)


def run_script(f, name, people):
    """Runs roles/NAME.script with the demo people's names put in; returns (ok, output)."""
    text = open(os.path.join(SCRIPTS, name + ".script"), encoding="utf-8").read()
    text = put_people(text, people)
    with tempfile.NamedTemporaryFile("w", suffix=".script", delete=False, encoding="utf-8") as t:
        t.write(text)
    try:
        r = subprocess.run(f.kiosk_args("--headless", "--script", t.name, "--screenshots", SHOTS),
                           capture_output=True, text=True, timeout=300, env=ENV)
    finally:
        os.unlink(t.name)
    for line in r.stdout.splitlines():
        if line.startswith("screenshot: "):
            print("# screenshot " + line[12:])
    assert r.returncode == 0, f"{name}.script failed:\n" + "\n".join(
        r.stderr.splitlines()[:40] + ["…"] + (r.stderr + r.stdout).splitlines()[-30:])


def submissions(f, type_):
    db = sqlite3.connect(os.path.join(f.data, "casestore.db"))
    rows = db.execute("SELECT kind, citizen, payload, registered_by, status, reason, case_number"
                      " FROM submissions WHERE type=? ORDER BY rowid", (type_,)).fetchall()
    db.close()
    return [dict(zip(("kind", "citizen", "payload", "registered_by", "status", "reason",
                      "case_number"), (r[0], r[1], json.loads(r[2]), json.loads(r[3]), *r[4:])))
            for r in rows]


def audit(f):
    r = subprocess.run([HELPER, f.conf, "audit"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return [line.split("\t") for line in r.stdout.splitlines()]


def main():
    os.makedirs(SHOTS, exist_ok=True)
    with Fixture(MINASIDOR, CASESTORE, citizens=120) as f:
        demo = f.demo_people()
        people = {"CITIZEN": demo[0], "STAFF": demo[1], "TECHNICIAN": demo[2]}
        f.cs("role", "add", "--data", f.data, "--site", "bromma-mbk", "--pnr", demo[1][0],
             "--role", "staff", "--staff-id", STAFF_ID)
        f.cs("role", "add", "--data", f.data, "--site", "bromma-mbk", "--pnr", demo[2][0],
             "--role", "technician", "--staff-id", TECH_ID)
        r = subprocess.run([MINASIDOR, "--config", f.conf, "sync", "--once"], capture_output=True,
                           text=True, timeout=120)
        assert r.returncode == 0, r.stderr  # the kiosk now holds the signed role list

        @test
        def staff_registers_a_preschool_choice_for_a_document_verified_citizen():
            run_script(f, "staff-choice", people)
            got = [s for s in submissions(f, "forskoleplats") if s["kind"] == "choice"]
            eq(2, len(got), "a rejected choice and its correction")
            first, fixed = got
            eq("rejected", first["status"], "the first (start too soon)")
            assert "three months" in first["reason"], first["reason"]
            eq("accepted", fixed["status"], "the correction")
            want = {"by": "ombud", "staff_id": STAFF_ID, "identity_established_by": "document",
                    "document_type": "passport", "document_last4": "AB12", "site": "bromma-mbk"}
            for k, v in want.items():
                eq(v, fixed["registered_by"].get(k), f"registered_by.{k}")
            assert fixed["registered_by"].get("corrects"), "the correction names the rejected one"
            eq(first["registered_by"].get("corrects"), None, "the first corrects nothing")
            eq(["Förskolan Ugglan"], fixed["payload"]["units"], "units")
            assert fixed["citizen"], "the citizen's server id"

        @test
        def staff_access_is_audited_with_the_reason_and_no_invoices_are_read():
            rows = audit(f)
            staff_rows = [r for r in rows if r[1] == "staff"]
            access = [r for r in staff_rows if r[2] == "staff_access"]
            assert access, "an audit entry for the staff member's access"
            assert all(r[4] == "staff" for r in staff_rows), "each names the staff member"
            assert any(r[3] == "citizen" and "reason: choice" in r[5] for r in access), access
            assert not any(r[2] in ("invoices", "invoice", "overview") for r in staff_rows), \
                "a choice opens no invoices: " + repr(staff_rows)

        @test
        def citizen_identifies_with_own_phone_in_staff_mode():
            run_script(f, "staff-phone", people)
            got = submissions(f, "aterringning")
            assert got, "the callback arrived"
            by = got[-1]["registered_by"]
            eq("ombud", by["by"], "by")
            eq("bankid", by["identity_established_by"], "identity established by")
            assert "document_last4" not in by, by
            rows = audit(f)
            assert any(r[1] == "staff" and "reason: callback" in r[5] for r in rows), rows

        @test
        def no_notice_survives_for_the_next_person():
            run_script(f, "notices", people)

        @test
        def technician_entry_touch_test_sync_export_and_factory_reset():
            run_script(f, "technician", people)
            state = f.state
            for gone in ("root.key", "cache.db", "cache.db-wal", "cache.db-shm"):
                assert not os.path.exists(os.path.join(state, gone)), gone + " is still there"
            exported = glob.glob(os.path.join(state, "diagnostics-*.json"))
            eq(1, len(exported), "one diagnostics file")
            doc = json.load(open(exported[0], encoding="utf-8"))
            assert doc["device"].startswith("dev-") and doc["checks"], doc
            # No personal bytes anywhere under the state directory.
            secrets = [s.encode() for s in f.personal_strings()]
            for root, _, files in os.walk(state):
                for name in files:
                    data = open(os.path.join(root, name), "rb").read()
                    for s in secrets:
                        assert s not in data, f"personal data in {name}"
            devices = f.cs("device", "list", "--data", f.data)
            assert "REVOKED" in devices, "the case store revoked the device: " + devices

    finish()


if __name__ == "__main__":
    main()
