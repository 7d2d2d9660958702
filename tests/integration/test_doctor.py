#!/usr/bin/env python3
"""Suite `e2e`: `minasidor doctor` against a real provisioned kiosk and a real casestore over TLS,
healthy and then broken the ways a technician meets: a wrong pin, a key file others can read, a
damaged database, no identity provider, no provisioning. Prints TAP.

Usage: test_doctor.py MINASIDOR CASESTORE"""
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "harness"))
from kiosk_fixture import Fixture  # noqa: E402
from taptest import eq, finish, test  # noqa: E402

MINASIDOR, CASESTORE = sys.argv[1:3]
ALL = ["assets", "display", "config", "key", "store", "casestore", "clock", "identity", "sync", "outbox",
       "set_aside", "disk"]
WRONG_PIN = "sha256//" + "A" * 43 + "="


def doctor(args):
    r = subprocess.run(args, capture_output=True, text=True, timeout=120)
    lines = [ln for ln in r.stdout.splitlines() if ln.strip()]
    checks = {}
    for ln in lines:
        m = re.match(r"^(ok|warn|fail)\s+(\S+)\s+(.*)$", ln)
        assert m, f"not a check line: {ln!r}"
        checks[m.group(2)] = (m.group(1), m.group(3))
    return r.returncode, checks, r.stdout + r.stderr


def looks_like_pnr(digits):
    """A personnummer or samordningsnummer: a real date (day + 60 for the latter) and Luhn."""
    ten = digits[-10:]
    month, day = int(ten[2:4]), int(ten[4:6])
    if day > 60:
        day -= 60
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return False
    total = 0
    for i, ch in enumerate(ten[:9]):
        d = int(ch) * (2 - i % 2)
        total += d - 9 if d > 9 else d
    return (10 - total % 10) % 10 == int(ten[9])


def no_personal_data(f, text):
    # Device ids are random hex ("dev-5f3a9c1e2b7d"), which is now and then ten digits in a
    # row: only a number that is a personnummer counts, not any ten digits.
    for m in re.finditer(r"(?<![\w-])((?:19|20)?\d{6})[-+]?(\d{4})(?![\w])", text):
        assert not looks_like_pnr(m.group(1) + m.group(2)), f"a personnummer: {m.group(0)!r}"
    for s in f.personal_strings():
        assert s not in text, "personal data in the doctor's output"


with Fixture(MINASIDOR, CASESTORE, citizens=40) as f:
    @test
    def healthy_kiosk_all_ok_exit_0():
        rc, checks, out = doctor(f.args("doctor"))
        eq(0, rc, "exit code\n" + out)
        eq(ALL, list(checks), "the checks, in order")
        for name, (level, detail) in checks.items():
            eq("ok", level, f"{name}: {detail}")
        assert "integrity ok" in checks["store"][1], checks["store"]
        assert "matches the pin" in checks["casestore"][1], checks["casestore"]
        # the languages offered (complete catalogues) and those the build left out
        assert "6 fonts" in checks["assets"][1] and \
            "languages offered: sv en fi ar fa so ti uk" in checks["assets"][1], checks["assets"]
        # the default mount: a 21.5-inch portrait panel on a floor stand, bottom edge at 850 mm
        assert "476 mm high, from 850 to 1326 mm above the floor: 370 mm (78 %) within reach" in \
            checks["display"][1], checks["display"]
        no_personal_data(f, out)

    @test
    def a_screen_mounted_out_of_reach_is_a_warning_or_a_failure():
        # a low wall mount: all of it within reach
        rc, checks, out = doctor(f.args("doctor", sets=["display.bottom_edge_mm=700"]))
        eq(("ok", 0), (checks["display"][0], rc), out)
        assert "(100 %) within reach" in checks["display"][1], checks["display"]
        # mounted high: less than half of it within reach (220 of 476 mm)
        rc, checks, out = doctor(f.args("doctor", sets=["display.bottom_edge_mm=1000"]))
        eq(("warn", 1), (checks["display"][0], rc), out)
        assert "220 mm (46 %) within reach" in checks["display"][1], checks["display"]
        # above reach altogether, with what to do
        rc, checks, out = doctor(f.args("doctor", sets=["display.bottom_edge_mm=1300"]))
        eq(("fail", 2), (checks["display"][0], rc), out)
        assert "mount the screen" in checks["display"][1], checks["display"]

    @test
    def json_says_the_same():
        r = subprocess.run(f.args("doctor", "--json"), capture_output=True, text=True,
                           timeout=120)
        eq(0, r.returncode, "exit code")
        doc = json.loads(r.stdout)
        eq("ok", doc["status"], "status")
        eq(ALL, [c["name"] for c in doc["checks"]], "checks")
        assert all(c["status"] == "ok" and c["hint"] is None for c in doc["checks"]), doc
        no_personal_data(f, r.stdout)

    @test
    def no_identity_provider_is_a_warning_exit_1():
        rc, checks, out = doctor([MINASIDOR, "--config", f.conf, "doctor"])
        eq(1, rc, "exit code\n" + out)
        eq("warn", checks["identity"][0], "identity")
        assert "cannot identify" in checks["identity"][1], checks["identity"]
        eq("ok", checks["casestore"][0], "casestore")

    @test
    def wrong_casestore_pin_fails_exit_2():
        rc, checks, out = doctor(f.args("doctor", sets=[f"server.pin={WRONG_PIN}"]))
        eq(2, rc, "exit code\n" + out)
        level, detail = checks["casestore"]
        eq("fail", level, "casestore")
        assert "does not match server.pin" in detail and "(server.pin must be" in detail, detail
        eq("warn", checks["clock"][0], "the clock cannot be checked")
        eq("ok", checks["store"][0], "the rest is still checked")

    @test
    def wrong_identity_pin_fails_exit_2():
        rc, checks, out = doctor(f.args("doctor", sets=[f"identity.pin={WRONG_PIN}"]))
        eq(2, rc, "exit code\n" + out)
        eq("fail", checks["identity"][0], "identity")
        assert "does not match identity.pin" in checks["identity"][1], checks["identity"]

    @test
    def key_file_readable_by_others_fails_exit_2():
        key = os.path.join(f.state, "root.key")
        os.chmod(key, 0o644)
        try:
            rc, checks, out = doctor(f.args("doctor"))
        finally:
            os.chmod(key, 0o600)
        eq(2, rc, "exit code\n" + out)
        level, detail = checks["key"]
        eq("fail", level, "key")
        assert "mode 0644" in detail and "chmod 600" in detail, detail
        eq("fail", checks["store"][0], "the store is not opened without a sound key")
        rc, checks, _ = doctor(f.args("doctor"))
        eq(0, rc, "after chmod 600 the doctor is content again")

    @test
    def damaged_database_fails_exit_2():
        db = os.path.join(f.state, "cache.db")
        with open(db, "r+b") as fh:
            fh.seek(4096 * 4)
            fh.write(b"\xa5" * 4096 * 3)
        rc, checks, out = doctor(f.args("doctor"))
        eq(2, rc, "exit code\n" + out)
        level, detail = checks["store"]
        eq("fail", level, "store")
        assert "integrity check" in detail and "factory-reset" in detail, detail
        assert "\n" not in detail
        with open(db, "r+b") as fh:
            fh.write(b"\0" * 100)  # the header too: not a database at all
        rc, checks, out = doctor(f.args("doctor"))
        eq(2, rc, "exit code\n" + out)
        eq("fail", checks["store"][0], "store")
        no_personal_data(f, out)

    @test
    def unprovisioned_kiosk_fails_exit_2():
        rc, checks, out = doctor([MINASIDOR, "--config", "/dev/null", "doctor"])
        eq(2, rc, "exit code\n" + out)
        eq("fail", checks["config"][0], "config")
        assert "minasidor provision" in checks["config"][1], checks["config"]

finish()
