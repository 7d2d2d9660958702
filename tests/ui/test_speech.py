#!/usr/bin/env python3
"""Suite `ui`: what every screen gives speech. The real kiosk (headless) against a real casestore
walks every citizen screen (start, identification, Översikt, the lists and details, Ring upp mig
with an error and its receipt, a form's steps, review and receipt, the idle dialog), in portrait
and in landscape, some of them in Arabic and English too, and every staff and technician screen
with the reset dialog (scripts in tests/ui/speech). On each screen the driver's
`expect-speech-ok` presses the keypad's Down until it has visited every control (the portrait
visit in speech mode, where Down moves the reading cursor through text and controls; the others
without it, where Down moves the focus) and checks, frame by frame, that each control has a name
and a role word to say, can be seen, and that the focus never lands behind an open dialog; on a
frame with a button that has no name (a test build's fixture) the check fails;
its `dump` lists the nodes with their personal mark, and this test checks that every node
showing the demo person's personnummer or name, an amount, an OCR number or a case number is
marked personal (said only through a headset), and that the screens' own words are not.

Usage: test_speech.py MINASIDOR CASESTORE SCRIPTS_DIR SHOTS_DIR"""
import os
import re
import sqlite3
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "harness"))
from kiosk_fixture import Fixture, put_people  # noqa: E402
from taptest import finish, test  # noqa: E402

MINASIDOR, CASESTORE, SCRIPTS, SHOTS = sys.argv[1:5]
STAFF_ID, TECH_ID = "staff-17", "tech-7"
ENV = dict(os.environ, SDL_AUDIODRIVER="dummy", LSAN_OPTIONS="detect_leaks=0")
ENV.pop("DISPLAY", None)

NODE = re.compile(r'^node (\S+) "(.*)" "(.*)" (-?\d+),(-?\d+) (-?\d+)x(-?\d+)((?: [a-z]+)*)$')
# an amount as fmt_money writes it ("1 250 kr", "1 250,50 kr"; the spaces may be no-break ones)
AMOUNT = re.compile(r"\d[\d\s\u00a0\u202f.,]*\s?kr\b")
# screens whose text is the city's, the same for everyone (an article may name a fee in kronor)
GENERAL = {"info"}


def screens(stdout):
    """{mark: [(role, label, value, flags)]} from the driver's `mark NAME` and `dump` lines."""
    out, cur = {}, None
    for line in stdout.splitlines():
        if line.startswith("bench mark "):
            cur = line[len("bench mark "):]
            out.setdefault(cur, [])
            continue
        m = NODE.match(line)
        if m and cur is not None:
            out[cur].append((m.group(1), m.group(2), m.group(3), set(m.group(8).split())))
    return out


class PersonalData:
    """What counts as the demo people's data on screen, read from the case store."""

    def __init__(self, f):
        people = f.demo_people()
        self.pnrs = [p for p, _ in people]
        self.names = [n for _, n in people]
        self.words = sorted({w for n in self.names for w in n.split() if len(w) > 2})
        db = sqlite3.connect(os.path.join(f.data, "casestore.db"))
        self.ocrs = {r[0] for r in db.execute("SELECT json_extract(fields, '$.ocr') FROM records"
                                              " WHERE kind='invoice'") if r[0]}
        self.cases = {r[0] for r in db.execute("SELECT json_extract(fields, '$.case_number') FROM"
                                               " records WHERE kind='case'") if r[0]}
        db.close()

    def found(self, screen, text):
        """Why text shows personal data, or None."""
        digits = re.sub(r"\D", "", text)
        for p in self.pnrs:
            if p in digits or p[:8] + "-" in text or p[2:8] + "-" in text:
                return "a personnummer"
        for w in self.words:
            if re.search(r"\b%s\b" % re.escape(w), text):
                return f"the name {w!r}"
        if screen not in GENERAL and AMOUNT.search(text):
            return "an amount"
        for o in self.ocrs:
            if len(o) >= 6 and o in digits:
                return "an OCR number"
        for c in self.cases:
            if c in text:
                return "a case number"
        if re.search(r"\bKCS-\d", text):
            return "a new case number"
        return None


def unmarked(data, dumped):
    """Every node that shows personal data but is not marked personal, as readable lines."""
    bad = []
    for screen, nodes in dumped.items():
        for role, label, value, flags in nodes:
            why = data.found(screen, label + " " + value)
            if why and "personal" not in flags:
                bad.append(f"{screen}: {role} \"{label}\" = \"{value}\" shows {why}")
    return bad


def run(f, name, people, *extra, speech=False, expect_rc=0):
    """Runs speech/NAME.script (people put in; in speech mode from the start if speech); returns
    its stdout and stderr, or fails with its output when it does not exit with expect_rc."""
    text = put_people(open(os.path.join(SCRIPTS, name + ".script"), encoding="utf-8").read(),
                      people)
    if speech:
        text = "set speech on\n" + text
    with tempfile.NamedTemporaryFile("w", suffix=".script", delete=False, encoding="utf-8") as t:
        t.write(text)
    try:
        r = subprocess.run(f.kiosk_args("--headless", "--script", t.name, "--screenshots", SHOTS,
                                        *extra),
                           capture_output=True, text=True, errors="replace", timeout=600, env=ENV)
    finally:
        os.unlink(t.name)
    assert r.returncode == expect_rc, f"{name}.script exited {r.returncode}:\n" + "\n".join(
        r.stdout.splitlines()[-10:] + [l for l in r.stderr.splitlines() if l[:4] != "    "][-30:])
    return r.stdout if expect_rc == 0 else r.stdout + r.stderr


def check_visit(data, stdout, marks):
    dumped = screens(stdout)
    missing = [m for m in marks if m not in dumped]
    assert not missing, f"screens not visited: {missing}"
    checked = stdout.count("speech: all ")
    assert checked >= len([m for m in marks if m != "overview-pnr-revealed"]) - 3, \
        f"only {checked} speech checks ran"
    bad = unmarked(data, dumped)
    assert not bad, "personal data not marked personal:\n" + "\n".join(bad[:30])
    # the check had something to find: the data it looks for is on the screens that show it
    for screen, what in (("overview-pnr-revealed", "a personnummer"), ("overview", "the name"),
                         ("invoices", "an amount"), ("invoice", "an OCR number"),
                         ("case", "a case number"), ("wizard-receipt", "a new case number")):
        found = [data.found(screen, n[1] + " " + n[2]) or "" for n in dumped[screen]]
        # the cases list shows the latest event first: after an earlier visit's submission that
        # is the new case, whose number the case store gave it (KCS-…)
        assert any(w.startswith(what) or (screen == "case" and w.startswith("a new case number"))
                   for w in found), f"{screen}: no {what} found to check"
    # personal nodes on the citizen's screens; the screens' own words (the header) are not
    personal = [n for s in ("overview", "invoice", "case") for n in dumped[s]
                if "personal" in n[3]]
    assert len(personal) >= 5, f"only {len(personal)} personal nodes on Översikt, invoice, case"
    for s, nodes in dumped.items():
        for role, label, _, flags in nodes:
            if label in ("Tillbaka", "Logga ut", "Kontrast", "Större text", "Svenska"):
                assert "personal" not in flags, f"{s}: {label!r} is marked personal"


CITIZEN_MARKS = ["start", "callback-anonymous", "info", "identify", "overview",
                 "overview-pnr-revealed", "overview-ar", "invoices", "invoice", "invoice-ar",
                 "cases", "case", "queues", "fardtjanst", "payouts", "callback-invalid",
                 "callback-typed", "callback-receipt", "apply", "wizard-pnr", "wizard-units",
                 "wizard-multi", "wizard-choice", "wizard-text", "wizard-review",
                 "wizard-receipt", "idle-dialog", "after-logout"]


def main():
    os.makedirs(SHOTS, exist_ok=True)
    with Fixture(MINASIDOR, CASESTORE, citizens=120) as f:
        demo = f.demo_people()
        people = {"CITIZEN": demo[0], "STAFF": demo[1], "TECHNICIAN": demo[2]}
        data = PersonalData(f)

        @test
        def the_personal_check_finds_an_unmarked_personnummer_name_amount_and_case_number():
            pnr, name = demo[0]
            fake = "\n".join([
                "bench mark fixture",
                f'node text "Personnummer" "{pnr[:8]}-{pnr[8:]}" 0,0 10x10',
                f'node heading "Hej {name.split()[0]}" "" 0,0 10x10',
                'node listitem "Avgift" "1 250 kr · förfaller" 0,0 10x10 focusable',
                f'node text "Ärendenummer" "{sorted(data.cases)[0]}" 0,0 10x10',
                f'node text "Belopp" "1 250 kr" 0,0 10x10 personal',
                'node button "Logga ut" "" 0,0 10x10 focusable',
            ])
            bad = unmarked(data, screens(fake))
            assert len(bad) == 4, bad

        @test
        def the_speech_check_fails_on_a_button_without_a_name():
            out = run(f, "unnamed", people, expect_rc=1)
            assert "no name to say: a button at 0,0" in out, out
            assert "speech is not ok" in out, out
            assert "speech: all " in out, "the check passed on the screen before the fixture"

        @test
        def every_citizen_screen_speaks_and_marks_personal_data_portrait_in_speech_mode():
            stdout = run(f, "visit", people, speech=True)
            check_visit(data, stdout, CITIZEN_MARKS)
            assert stdout.count("reached by Down (reading cursor)") >= 20, stdout

        @test
        def every_citizen_screen_speaks_and_marks_personal_data_landscape():
            check_visit(data, run(f, "visit", people, "--landscape"), CITIZEN_MARKS)

        @test
        def every_staff_and_technician_screen_speaks_and_marks_personal_data():
            f.cs("role", "add", "--data", f.data, "--site", "bromma-mbk", "--pnr", demo[1][0],
                 "--role", "staff", "--staff-id", STAFF_ID)
            f.cs("role", "add", "--data", f.data, "--site", "bromma-mbk", "--pnr", demo[2][0],
                 "--role", "technician", "--staff-id", TECH_ID)
            r = subprocess.run([MINASIDOR, "--config", f.conf, "sync", "--once"],
                               capture_output=True, text=True, timeout=120)
            assert r.returncode == 0, r.stderr
            stdout = run(f, "roles", people)
            dumped = screens(stdout)
            marks = ["staff", "staff-citizen", "staff-reason", "staff-callback-receipt",
                     "staff-with-citizen", "staff-registrations", "technician",
                     "technician-reset-dialog", "touch-test"]
            missing = [m for m in marks if m not in dumped]
            assert not missing, f"screens not visited: {missing}"
            assert stdout.count("speech: all ") == len(marks), stdout.count("speech: all ")
            bad = unmarked(data, dumped)
            assert not bad, "personal data not marked personal:\n" + "\n".join(bad[:30])
            band = [n for n in dumped["staff"] if n[1].startswith("Personalläge: ")]
            assert band and "personal" in band[0][3], "the staff band names the staff member"

    return finish()


if __name__ == "__main__":
    sys.exit(main())
