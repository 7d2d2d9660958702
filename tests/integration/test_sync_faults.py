#!/usr/bin/env python3
"""Suite `sync`: sync against a hostile or broken world. Poisoned records written straight into
a real casestore.db (the kiosk sets them aside, syncs the rest, reports them, heals when they
are repaired), and a half-dead network between kiosk and case store (tests/harness/faultproxy.py:
connections cut mid-answer, a link that freezes, a case store that refuses and comes back).
Prints TAP."""
import json
import os
import re
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "harness"))
import sync_fixture  # noqa: E402
from faultproxy import FaultProxy  # noqa: E402
from sync_fixture import HELPER, KIND_TABLE, MINASIDOR, TMP  # noqa: E402
from taptest import eq, finish, test  # noqa: E402


class Casestore(sync_fixture.Casestore):
    def __init__(self, name):
        super().__init__(name, citizens=40)


class Kiosk(sync_fixture.Kiosk):
    def doctor(self):
        return super().doctor("set_aside")


CS = Casestore("main")
# casestore checks every record before it publishes it (PROTOCOL.md §1) and would skip these
# poisoned ones itself; the kiosk's own defence is tested against a back end that does not.
CS.start(extra=["--publish-unchecked"])
KIOSK = Kiosk("kiosk")
eq(0, KIOSK.provision(CS, CS.cs("token", "create", "--site", "test-mbk", "--districts",
                                "bromma,kista").stdout.strip()).returncode, "provision")

POISON = ["poison-case-1", "poison-kind-1", "poison-ev-1", "poison-cit-1", "poison-arr-1"]


def bromma_citizen(skip=0):
    with CS.db() as db:
        return db.execute("SELECT id, json_extract(fields, '$.pnr') FROM records WHERE"
                          " kind='citizen' AND district='bromma' ORDER BY id LIMIT 1 OFFSET ?",
                          (skip,)).fetchone()


def in_cache(rid):
    """How many tables of the cache hold the case store id rid (by its keyed reference: the
    cache does not keep the ids themselves)."""
    total = 0
    for kind, table in KIND_TABLE.items():
        p = subprocess.run([HELPER, KIOSK.conf, "refs", kind], input=rid + "\n",
                           capture_output=True, text=True, timeout=120)
        assert p.returncode == 0, p.stderr
        ref = p.stdout.split("\t")[1].strip()
        total += KIOSK.cache(f"SELECT count(*) FROM {table} WHERE server_id=?", (ref,))[0][0]
    return total


@test
def poisoned_records_are_set_aside_and_the_rest_of_the_page_applies():
    cit, _ = bromma_citizen()
    leaver, leaver_pnr = bromma_citizen(skip=1)
    eq(1, in_cache(leaver), "the citizen whose record will say farsta is here before")
    # A case without its required fields, a kind no kiosk knows, an event of a case that does
    # not exist, a citizen whose own district is outside the kiosk's (the server's routing
    # column says bromma), and fields that are not an object.
    CS.put("case", "poison-case-1", json.dumps({"main": "ovrigt"}), citizen=cit)
    CS.put("spaceship", "poison-kind-1", json.dumps({"name": "x"}))
    CS.put("case_event", "poison-ev-1", json.dumps({"at": 1795000000, "status": "inkommen"}),
           citizen=cit, parent="case-does-not-exist")
    CS.put("citizen", "poison-cit-1", json.dumps({"pnr": "191212121212", "district": "farsta",
                                                  "given_name": "Tolvan"}))
    CS.put("case", "poison-arr-1", json.dumps(["Tolvan", 1]), citizen=cit)
    with CS.db() as db:  # the leaver: the city's record says farsta, its routing still bromma
        db.execute("UPDATE records SET fields=json_set(fields, '$.district', 'farsta') WHERE"
                   " kind='citizen' AND id=?", (leaver,))
        db.execute("INSERT INTO changes (kind, id, district, op) VALUES ('citizen', ?, 'bromma',"
                   " 'upsert')", (leaver,))
    # And something good after them in the same page.
    # (the leaver's own visits go with them: the demo people of a district have some)
    with CS.db() as db:
        leavers = db.execute("SELECT count(*) FROM records WHERE kind='appointment' AND"
                             " citizen=?", (leaver,)).fetchone()[0]
    before = KIOSK.counts().get("appointments", 0) - leavers
    CS.cs("mutate", "book-appointment", cit, "1797000000")
    p = KIOSK.sync()
    eq(0, p.returncode, f"sync ({p.stderr.strip()})")
    assert "6 records set aside" in p.stdout, p.stdout
    eq(CS.head(), int(KIOSK.cache("SELECT cursor FROM sync_state")[0][0].split()[0]),
       "the cursor moved past the poisoned page")
    eq(before + 1, KIOSK.counts().get("appointments", 0), "the good change of the page applied")
    for rid in POISON:
        eq(0, in_cache(rid), f"{rid} kept out of the cache")
    eq(0, in_cache(leaver), "a citizen whose district left the scope is erased")
    eq(3, KIOSK.helper("find", leaver_pnr).returncode, "and cannot be found")
    listed = {r[0] for r in KIOSK.cache("SELECT record_id FROM set_aside")}
    eq(set(POISON) | {leaver}, listed, "the set-aside list")
    reasons = " ".join(r[0] for r in KIOSK.cache("SELECT reason FROM set_aside"))
    for value in ("Tolvan", "191212121212", "farsta", "1795000000", leaver_pnr):
        assert value not in reasons, f"a value in a reason: {reasons}"
    level, detail = KIOSK.doctor()
    eq("warn", level, f"doctor's set_aside check ({detail})")
    assert detail.startswith("6 records set aside (case 2, case_event 1, citizen 2, spaceship 1)"), \
        detail
    assert "0 not yet reported" in detail, detail


@test
def the_case_store_has_the_report():
    with CS.db() as db:
        rows = db.execute("SELECT kind, record_id, reason FROM device_reports").fetchall()
    eq(6, len(rows), f"reported entries {rows}")
    eq(set(POISON) | {bromma_citizen(skip=1)[0]}, {r[1] for r in rows}, "reported ids")
    kinds = {r[1]: r[0] for r in rows}
    eq("spaceship", kinds["poison-kind-1"], "the kind as it came")
    stats = CS.cs("stats").stdout
    assert re.search(r"^device_reports 6$", stats, re.M), stats
    listing = CS.cs("device", "reports").stdout
    assert "poison-ev-1" in listing and "its case is not known here" in listing, listing
    assert "farsta" not in listing and "Tolvan" not in listing, listing
    # Reported once: a sync with nothing new does not report again.
    eq(0, KIOSK.sync().returncode, "a quiet sync")
    with CS.db() as db:
        eq(6, db.execute("SELECT count(*) FROM device_reports").fetchone()[0], "still 6")


@test
def a_repaired_record_heals():
    cit, _ = bromma_citizen()
    CS.put("case", "poison-case-1", json.dumps({
        "case_number": "BR-2026-999001", "main": "ovrigt", "type": "ovrigt",
        "class": "information", "status": "inkommen"}), citizen=cit)
    CS.put("case", "poison-arr-1", json.dumps({
        "case_number": "BR-2026-999002", "main": "ovrigt", "type": "ovrigt",
        "class": "information", "status": "inkommen"}), citizen=cit)
    CS.put("case_event", "poison-ev-1", json.dumps({"at": 1795000000, "status": "inkommen"}),
           citizen=cit, parent="poison-case-1")
    p = KIOSK.sync()
    eq(0, p.returncode, f"sync ({p.stderr.strip()})")
    for rid in ("poison-case-1", "poison-arr-1", "poison-ev-1"):
        eq(1, in_cache(rid), f"{rid} is in the cache now")
    eq({"poison-kind-1", "poison-cit-1", bromma_citizen(skip=1)[0]},
       {r[0] for r in KIOSK.cache("SELECT record_id FROM set_aside")}, "what is still set aside")
    level, detail = KIOSK.doctor()
    assert detail.startswith("3 records set aside"), detail
    # Removing the rest at the case store (tombstones) clears the list and the doctor.
    with CS.db() as db:
        for kind, rid in (("spaceship", "poison-kind-1"), ("citizen", "poison-cit-1")):
            db.execute("DELETE FROM records WHERE kind=? AND id=?", (kind, rid))
            db.execute("INSERT INTO changes (kind, id, district, op) VALUES (?, ?, 'bromma',"
                       " 'delete')", (kind, rid))
    eq(0, KIOSK.sync().returncode, "sync")
    eq(["citizen"], [r[0] for r in KIOSK.cache("SELECT kind FROM set_aside")],
       "only the one that is still outside the scope (kinds nobody knows go with their delete)")


# --- A half-dead network ------------------------------------------------------------------

CS.start()

PROXY = FaultProxy(CS.port, seed=2026)
NET = Kiosk("kiosk-net")
eq(0, NET.provision(CS, CS.cs("token", "create", "--site", "test-mbk", "--districts",
                              "kista").stdout.strip()).returncode, "provision")


def queue(k, n):
    eq(0, k.helper("submit", "-", "callback", "ovrigt", "aterringning", "information",
                   str(n)).returncode, "queue callbacks")


def delivered(k):
    c = k.counts()
    return c.get("outbox.accepted", 0) + c.get("outbox.duplicate", 0)


@test
def connections_cut_mid_answer_fail_as_network_errors_never_as_replays():
    before = CS.submissions().get("accepted", 0)
    PROXY.restore()
    PROXY.cut_responses(0.35)
    queued = 0
    outcomes = {"ok": 0, "network": 0}
    for _ in range(40):
        queue(NET, 2)
        queued += 2
        p = NET.sync(via=PROXY.url)
        assert "replayed" not in p.stderr and "unauthorized" not in p.stderr, p.stderr
        if p.returncode == 0:
            outcomes["ok"] += 1
        else:
            assert "sync failed (network)" in p.stderr, p.stderr
            outcomes["network"] += 1
    PROXY.restore()
    assert PROXY.cuts >= 10 and outcomes["network"] >= 5, f"{PROXY.cuts} cuts, {outcomes}"
    p = NET.sync(via=PROXY.url)
    eq(0, p.returncode, f"sync once the link holds ({p.stderr.strip()})")
    eq(before + queued, CS.submissions().get("accepted", 0), "every submission exactly once")
    eq(queued, delivered(NET), "and the kiosk knows each arrived")
    print(f"# {PROXY.cuts} connections cut; runs {outcomes}")


@test
def a_frozen_link_gives_up_as_a_network_error():
    PROXY.restore()
    PROXY.freeze(after=2)  # the TLS handshake goes through, then silence
    try:
        p = NET.sync(via=PROXY.url, timeout=60)  # the bound is 10 s; before, 120 s
    except subprocess.TimeoutExpired:
        raise AssertionError("sync --once still waiting on a frozen link after 60 s")
    finally:
        PROXY.restore()
    eq(1, p.returncode, "exit status")
    assert "sync failed (network)" in p.stderr, p.stderr
    eq(0, NET.sync(via=PROXY.url).returncode, "and syncs when the link is back")


def count_in(path, needle):
    with open(path, errors="replace") as f:
        return f.read().count(needle)


@test
def daemon_notices_a_recovered_network_within_seconds():
    before = CS.submissions().get("accepted", 0)
    queue(NET, 2)
    PROXY.refuse()
    log = os.path.join(TMP, "daemon.log")
    with open(log, "w") as errf:
        d = subprocess.Popen([MINASIDOR, "--config", NET.conf, "--set",
                              f"server.url={PROXY.url}", "sync", "--daemon"],
                             stdout=subprocess.DEVNULL, stderr=errf)
    try:
        # A long outage: enough failed runs that the backoff would hold the next run for
        # minutes (more than 5 runs without progress slow to the 300 s cap).
        deadline = time.monotonic() + 120
        while count_in(log, "sync failed (network)") < 6 and time.monotonic() < deadline:
            assert d.poll() is None, "the daemon died"
            time.sleep(0.2)
        assert count_in(log, "sync failed (network)") >= 6, open(log).read()
        PROXY.restore()
        back = time.monotonic()
        deadline = back + 60
        while CS.submissions().get("accepted", 0) < before + 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        took = time.monotonic() - back
        eq(before + 2, CS.submissions().get("accepted", 0),
           f"delivered after the network came back (waited {took:.0f} s)")
        print(f"# delivered {took:.1f} s after the network came back")
    finally:
        d.send_signal(signal.SIGTERM)
        rc = d.wait(timeout=20)
    eq(0, rc, "the daemon stops cleanly")


PROXY.close()
CS.stop()
finish(TMP)
