#!/usr/bin/env python3
"""Suite `ui`, test `ui_memory`: nothing personal is left in the kiosk's memory after a logout.

Two visits, each in its own kiosk process: a citizen's own, and a staff member's who helps
another citizen identified by a document (types their personnummer) and books a callback.

In the first, a citizen identifies (the demo identity of the BankID simulator), reads
Översikt with the personnummer revealed, an invoice (OCR number) and a case (case number), asks
to be called back (a phone number typed) and sends a complaint (a free text typed), and logs
out. Each kiosk holds twice (`hold-until`): before the logout, when the search must find the
people (so a search that cannot find anything fails), and after it, once the case store's
database shows the submissions delivered, when it must find nothing. The search reads every
writable or anonymous mapping of the process (all threads share it: heap, every thread's malloc arena and
stack, .bss, libraries' data) through /proc/PID/mem, for each person's personnummer (12 and 10
digits, with and without '-'), given name, surname, phone number, address, OCR numbers, case
numbers (and those the case store gave the submissions), the phone numbers and free text typed,
in UTF-8, UTF-16 and UTF-32. Each hit is reported with the mapping it is in. Needs to be root or
the kiosk's parent (ptrace access), as in CI.

Usage: test_memory.py MINASIDOR CASESTORE SHOTS_DIR"""
import json
import os
import re
import select
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "harness"))
from kiosk_fixture import Fixture  # noqa: E402

MINASIDOR, CASESTORE, SHOTS = sys.argv[1:4]
PHONE = "0739182736"
TEXT = "snöröjningen vid vår port glömdes bort tre veckor i rad"

STAFF_PHONE = "0768123450"
STAFF_SCRIPT = """\
tap "Identifiera dig"
wait "DEMO: {staff}"
tap "DEMO: {staff}"
wait "Personalläge: "
tap "Hjälp en invånare"
wait "Vem är invånaren?"
tap "Pass"
tap "Invånarens personnummer"
type "{pnr}"
tap "De fyra sista tecknen i handlingens nummer"
type "ab12"
tap "Handlingen kontrollerad: fortsätt"
wait "Varför behöver du invånarens uppgifter?"
tap "Boka en återuppringning"
wait "Ring upp mig"
tap "Förskola"
tap "Förmiddag"
tap "Ditt telefonnummer"
type "{phone}"
tap "Skicka"
wait "Tack, vi ringer dig"
wait "Status = Mottaget av staden"
tap "Klart"
wait "Invånaren du hjälper"
hold-until {in_session}
tap "Nästa invånare"
wait "Hjälp en invånare"
expect-not "Invånaren du hjälper"
tap "Logga ut"
wait "Identifiera dig"
hold-until {after}
"""

SCRIPT = """\
tap "Identifiera dig"
wait "DEMO: {person}"
tap "DEMO: {person}"
wait "Hej"
tap "Visa de sista siffrorna"
wait "Personnummer: {pnr_long}"
tap "Fakturor"
wait "Avgift"
tap "Avgift"
wait "OCR-nummer"
tap "Tillbaka"
tap "Tillbaka"
wait "Hej"
tap "Mina ärenden"
tap-first listitem
wait "Ärendenummer"
key escape
key escape
wait "Hej"
tap "Ring upp mig"
wait "Vad gäller det?"
tap "Förskola"
tap "Eftermiddag"
tap "Ditt telefonnummer"
type "{phone}"
expect "Ditt telefonnummer = {phone}"
tap "Skicka"
wait "Tack, vi ringer dig"
wait "Status = Mottaget av staden"
tap "Klart"
wait "Hej"
tap "Ansök eller lämna synpunkt"
wait "Välj vad du vill göra"
tap "Synpunkt eller klagomål"
wait "Vad gäller det?"
tap "Äldreomsorg"
tap "Nästa steg"
tap "Ett klagomål"
tap "Nästa steg"
tap "Vad hände, eller vad föreslår du?"
type "{text}"
tap "Nästa steg"
tap "Ja, kontakta mig"
tap "Nästa steg"
wait "Kontrollera det du skickar"
tap "Skicka"
wait "Status = Mottaget av staden"
tap "Klart"
wait "Hej"
expect "Personnummer: {pnr_long}"
hold-until {in_session}
tap "Logga ut"
wait "Välkommen till Mina sidor"
expect-not "Hej"
hold-until {after}
"""


def tap(ok, n, name, detail=""):
    print(f"{'ok' if ok else 'not ok'} {n} - {name}")
    for line in detail.splitlines():
        print(f"# {line}")


def the_citizen(f, n):
    """The nth demo person of the kiosk's district (0 is the first button), with what the case
    store holds of them."""
    db = sqlite3.connect(os.path.join(f.data, "casestore.db"))
    cid, fields = db.execute("SELECT id, fields FROM records WHERE kind='citizen' AND"
                             " district='bromma' ORDER BY rowid LIMIT 1 OFFSET ?",
                             (n,)).fetchone()
    c = json.loads(fields)
    ocrs = [r[0] for r in db.execute("SELECT json_extract(fields, '$.ocr') FROM records WHERE"
                                     " kind='invoice' AND citizen=?", (cid,)) if r[0]]
    cases = [r[0] for r in db.execute("SELECT json_extract(fields, '$.case_number') FROM records"
                                      " WHERE kind='case' AND citizen=?", (cid,)) if r[0]]
    db.close()
    return c, ocrs, cases


def needles(who, c, ocrs, cases, typed=()):
    """What must not be found, by name: (label, bytes, whole_word). typed: (what, text) typed
    on the kiosk during the visit."""
    pnr = c["pnr"]
    out = [("personnummer (12 digits)", pnr, False),
           ("personnummer (10 digits)", pnr[2:], False),
           ("personnummer (YYYYMMDD-NNNN)", pnr[:8] + "-" + pnr[8:], False),
           ("personnummer (YYMMDD-NNNN)", pnr[2:8] + "-" + pnr[8:], False),
           ("given name", c["given_name"], True),
           ("surname", c["surname"], True),
           ("address", c["address"], False),
           ("phone on record", c["phone"], False),
           ("phone on record (national)", "0" + c["phone"][3:], False)]
    for what, text in typed:
        out.append((what + " typed", text, False))
        if what.startswith("phone"):
            out.append((what + " typed (+46)", "+46" + text[1:], False))
        else:
            out.append((what + " typed (start)", text[:24], False))
    out += [(f"OCR number {o}", o, False) for o in ocrs]
    # as the invoice screen shows it: groups of four digits
    out += [(f"OCR number {o} grouped", " ".join(o[i:i + 4] for i in range(0, len(o), 4)), False)
            for o in ocrs]
    out += [(f"case number {n}", n, False) for n in cases]
    seen, uniq = set(), []
    for label, s, word in out:
        if s in seen:
            continue
        seen.add(s)
        uniq += encoded(f"{who}'s {label}", s, word)
    return uniq


def encoded(label, s, word):
    """As UTF-8 (strings, JSON, SQL) and as the code units and code points that text shaping
    and input handling keep (UTF-16, UTF-32)."""
    return [(label + tag, s.encode(enc), word)
            for enc, tag in (("utf-8", ""), ("utf-16-le", " (UTF-16)"), ("utf-32-le", " (UTF-32)"))]


def mappings(pid):
    with open(f"/proc/{pid}/maps") as m:
        for line in m:
            parts = line.split(None, 5)
            lo, hi = (int(x, 16) for x in parts[0].split("-"))
            name = parts[5].strip() if len(parts) > 5 else "anonymous"
            # A file mapped read-only (a library's code and constants) holds only that file's
            # bytes, never what the kiosk received: "Bits Per Primary" in libSDL2 is not the
            # staff member Per. Everything writable, and anonymous memory, is searched.
            file_only = parts[1][1] != "w" and name != "anonymous" and not name.startswith("[")
            if parts[1][0] == "r" and not file_only:
                yield lo, hi, f"{name} {parts[0]} {parts[1]}"


LETTER = re.compile(rb"[A-Za-z\x80-\xff]")


def letter_at(data, i, width):
    """Whether the character of this width at i is a letter (a name inside a longer word)."""
    if i < 0 or i + width > len(data):
        return False
    if width == 1:
        return LETTER.match(data, i) is not None
    c = int.from_bytes(data[i:i + width], "little")
    return c < 0x110000 and chr(c).isalpha()


# A readable mapping larger than this is AddressSanitizer's shadow (terabytes reserved, holding
# only poison marks), not memory the kiosk or a library allocates: it is left out, and said so.
HUGE = 64 << 30


def address_ranges(pid):
    with open(f"/proc/{pid}/maps") as m:
        return [tuple(int(x, 16) for x in line.split(None, 1)[0].split("-")) for line in m]


def is_pointer(data, i, ranges):
    """Whether the aligned 8 bytes at i are an address inside the process: a short name such
    as "Per" is also the low bytes of a heap pointer like 0x606000726550 (50 65 72 00 60 60)."""
    if len(data) < i + 8:
        return False
    v = int.from_bytes(data[i:i + 8], "little")
    return any(lo <= v < hi for lo, hi in ranges)


def search(pid, found_needles):
    """Every hit: (label, address, mapping, context)."""
    hits = []
    ranges = address_ranges(pid)
    with open(f"/proc/{pid}/mem", "rb", buffering=0) as mem:
        for lo, hi, name in mappings(pid):
            if hi - lo > HUGE:
                print(f"# not searched: {name} ({(hi - lo) >> 30} GiB)")
                continue
            chunk = 16 << 20
            keep = 256
            at = lo
            while at < hi:
                n = min(chunk + keep, hi - at)
                try:
                    mem.seek(at)
                    data = mem.read(n)
                except OSError:
                    break  # [vvar] and the like
                for label, s, word in found_needles:
                    for m in re.finditer(re.escape(s), data):
                        i = m.start()
                        if i >= chunk and at + n < hi:
                            continue  # found again in the next chunk
                        w = 4 if "UTF-32" in label else 2 if "UTF-16" in label else 1
                        if word and (letter_at(data, i - w, w) or letter_at(data, i + len(s), w)):
                            continue
                        if word and (at + i) % 8 == 0 and is_pointer(data, i, ranges):
                            continue
                        ctx = data[max(0, i - 40):i + len(s) + 40]
                        hits.append((label, at + i, name, ctx))
                at += chunk
    return hits


def delivered(f, n):
    """Whether n submissions were accepted; the rows; the case numbers they were given (new
    cases of the citizen, which the same sync run pulls back to the kiosk)."""
    db = sqlite3.connect(os.path.join(f.data, "casestore.db"))
    try:
        rows = db.execute("SELECT kind, status, case_number FROM submissions").fetchall()
    finally:
        db.close()
    return sum(st == "accepted" for _, st, _ in rows) >= n, rows, [c for _, _, c in rows if c]


def report(hits):
    by_map = {}
    for label, addr, name, ctx in hits:
        by_map.setdefault(name, []).append((label, addr, ctx))
    detail = [f"{len(hits)} hits of the citizen's data in the kiosk's memory"]
    for name, hs in sorted(by_map.items()):
        detail.append(f"{name}: {len(hs)}")
        for label, addr, ctx in hs:
            detail.append(f"  {addr:#x} {label}: {ctx!r}")
    return "\n".join(detail)


class Kiosk:
    """The kiosk running the visit; hold() waits for its next `hold-until` step."""

    def __init__(self, args, env, tmp):
        self.err = open(os.path.join(tmp, "stderr"), "w+b")
        self.p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.err, env=env)
        self.out = b""

    def hold(self, timeout=300):
        """The kiosk's pid once it holds, or None (it failed or took too long)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.p.poll() is None:
            r, _, _ = select.select([self.p.stdout], [], [], 1.0)
            if r:
                line = self.p.stdout.readline()
                self.out += line
                if line.startswith(b"holding "):
                    return int(line.split()[1])
        return None

    def why(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait()
        self.err.seek(0)
        text = (self.err.read() + self.out).decode(errors="replace")
        return "\n".join(text.splitlines()[-40:])

    def close(self):
        if self.p.poll() is None:
            self.p.kill()
        self.p.wait()
        self.err.close()
        os.unlink(self.err.name)


def visit(f, env, script_text, look_for, must, n0, title, submissions):
    """Runs one visit's script (holding before and after its logout) and its five checks,
    numbered from n0. True when all passed."""
    tmp = tempfile.mkdtemp(prefix="minasidor-memory-")
    in_session, after = os.path.join(tmp, "in-session"), os.path.join(tmp, "after")
    script = os.path.join(tmp, "visit.script")
    with open(script, "w", encoding="utf-8") as s:
        s.write(script_text.format(in_session=in_session, after=after))
    k = Kiosk(f.kiosk_args("--headless", "--script", script, "--screenshots", SHOTS), env, tmp)
    ok = False
    try:
        pid = k.hold()
        os.unlink(script)  # the test's own copy of the texts is not the kiosk's
        if pid is None:
            tap(False, n0, f"{title}: the visit ran to its last screen before the logout",
                k.why())
            return False
        tap(pid == k.p.pid, n0, f"{title}: the visit ran to its last screen before the logout")

        # The search can find them: while the session lasts, the kiosk holds them.
        found = {label for label, _, _, _ in search(pid, look_for)}
        tap(must <= found, n0 + 1, f"{title}: during the session the search finds them",
            f"found: {sorted(found)}\nmust: {sorted(must)}")

        open(in_session, "w").close()
        pid = k.hold()
        if pid is None:
            tap(False, n0 + 2, f"{title}: the visit ran to its logout", k.why())
            return False
        tap(True, n0 + 2, f"{title}: the visit ran to its logout")

        deadline = time.monotonic() + 120
        arrived, rows, numbers = delivered(f, submissions)
        while not arrived and time.monotonic() < deadline:
            time.sleep(0.2)
            arrived, rows, numbers = delivered(f, submissions)
        tap(arrived, n0 + 3, f"{title}: the submissions reached the case store", repr(rows))

        look_for = look_for + [e for n in numbers
                               for e in encoded(f"new case number {n}", n, False)]
        hits = search(pid, look_for)
        tap(not hits, n0 + 4, f"{title}: no personal data in the kiosk's memory after logout",
            report(hits))
        print(f"# {title}: memory hits: {len(hits)}")
        ok = arrived and not hits and must <= found
    finally:
        open(after, "w").close()
        open(in_session, "w").close()
        try:
            k.p.wait(timeout=60)
        except subprocess.TimeoutExpired:
            pass
        k.close()
        for p in (in_session, after, script):
            if os.path.exists(p):
                os.unlink(p)
        os.rmdir(tmp)
    if k.p.returncode != 0:
        print(f"# {title}: the kiosk exited with {k.p.returncode}")
        return False
    return ok


def main():
    os.makedirs(SHOTS, exist_ok=True)
    print("1..10")
    env = dict(os.environ, SDL_AUDIODRIVER="dummy", LSAN_OPTIONS="detect_leaks=0")
    env.pop("DISPLAY", None)
    # meson test sets MALLOC_PERTURB_ (glibc fills freed memory): the kiosk as shipped runs
    # without it, and so must the kiosk that this test measures.
    env.pop("MALLOC_PERTURB_", None)
    with Fixture(MINASIDOR, CASESTORE) as f:
        # A citizen's own visit.
        c, ocrs, cases = the_citizen(f, 0)
        look_for = needles("citizen", c, ocrs, cases,
                           [("phone for the callback", PHONE), ("complaint", TEXT)])
        pnr = c["pnr"]
        text = SCRIPT.format(person=c["given_name"] + " " + c["surname"],
                             pnr_long=pnr[:8] + "-" + pnr[8:], phone=PHONE, text=TEXT,
                             in_session="{in_session}", after="{after}")
        must = {"citizen's personnummer (12 digits)", "citizen's given name",
                "citizen's surname"}
        ok = visit(f, env, text, look_for, must, 1, "citizen", 2)

        # A staff member helps another citizen, who is identified by a document: the staff
        # member types the citizen's personnummer, then books a callback on their behalf.
        staff, _, _ = the_citizen(f, 1)
        c, ocrs, cases = the_citizen(f, 3)
        f.cs("role", "add", "--data", f.data, "--site", "bromma-mbk", "--pnr", staff["pnr"],
             "--role", "staff", "--staff-id", "staff-17")
        r = subprocess.run(f.args("sync", "--once"), capture_output=True, text=True, timeout=120,
                           env=env)
        assert r.returncode == 0, r.stderr  # the kiosk now holds the signed role list
        look_for = (needles("staff member", staff, [], []) +
                    needles("helped citizen", c, ocrs, cases,
                            [("phone for the callback", STAFF_PHONE)]))
        text = STAFF_SCRIPT.format(staff=staff["given_name"] + " " + staff["surname"],
                                   pnr=c["pnr"], phone=STAFF_PHONE, in_session="{in_session}",
                                   after="{after}")
        must = {"helped citizen's personnummer (12 digits)", "staff member's given name"}
        ok = visit(f, env, text, look_for, must, 6, "staff", 3) and ok
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
