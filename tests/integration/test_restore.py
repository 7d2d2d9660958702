#!/usr/bin/env python3
"""Suite `sync`: the kiosk's outbox when its sequence numbers and the case store's disagree —
a cache.db restored from an earlier copy, and someone else pushing with the device's key. Every
submission must arrive exactly once and every receipt must name the case number the case store
gave that very submission (PROTOCOL.md §6). Real casestore over TLS, real kiosk files. TAP."""
import contextlib
import json
import os
import shutil
import sqlite3
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "harness"))
import sync_fixture as base  # noqa: E402
from taptest import eq, finish, test  # noqa: E402

CS = base.Casestore("restore")
CS.start()


def state_files(k):
    return [f for f in ("cache.db", "cache.db-wal") if os.path.exists(os.path.join(k.dir, f))]


def backup(k, to):
    os.makedirs(to, exist_ok=True)
    for f in os.listdir(to):
        os.unlink(os.path.join(to, f))
    for f in state_files(k):
        shutil.copy2(os.path.join(k.dir, f), os.path.join(to, f))


def restore(k, frm):
    for f in ("cache.db", "cache.db-wal", "cache.db-shm"):
        if os.path.exists(os.path.join(k.dir, f)):
            os.unlink(os.path.join(k.dir, f))
    for f in os.listdir(frm):
        shutil.copy2(os.path.join(frm, f), os.path.join(k.dir, f))


def outbox(k):
    p = k.helper("outbox")
    eq(0, p.returncode, f"kiosk_helper outbox ({p.stderr.strip()})")
    return [line.split("\t") for line in p.stdout.splitlines()]


def server_subs(device=None):
    with CS.db() as db:
        rows = db.execute("SELECT uuid, status, case_number FROM submissions").fetchall()
    return {u: (s, c) for u, s, c in rows}


def submit(k, pnr, n=1):
    eq(0, k.helper("submit", pnr, "application", "aldreomsorg", "hemtjanst", "ny_ansokan",
                   str(n)).returncode, f"queue {n}")


def sync_ok(k, what):
    p = k.sync()
    eq(0, p.returncode, f"{what} ({p.stderr.strip()})")
    return p


def receipts_are_true(k):
    subs = server_subs()
    for uuid, wire, state, case_number in outbox(k):
        assert uuid in subs, f"{uuid} ({state}) never reached the case store"
        status, cn = subs[uuid]
        eq("accepted", status, f"{uuid}: the case store's status")
        assert state in ("accepted", "duplicate"), f"{uuid}: kiosk says {state}"
        eq(cn, case_number, f"{uuid}: the receipt's case number is this submission's own")


@test
def a_restored_cache_delivers_every_submission_exactly_once_with_true_receipts():
    k = base.Kiosk("restored")
    eq(0, k.provision(CS, CS.token()).returncode, "provision")
    _, pnr = CS.citizen_in("bromma")
    submit(k, pnr)
    sync_ok(k, "first delivery")
    submit(k, pnr)  # pending when the copy is taken, delivered after it
    saved = os.path.join(base.TMP, "restored-backup")
    backup(k, saved)
    sync_ok(k, "second delivery")
    submit(k, pnr, 2)
    sync_ok(k, "third delivery")
    before = server_subs()
    eq(4, len(before), "the case store has four submissions")

    restore(k, saved)  # the kiosk forgets the last two, and its sequence goes back
    submit(k, pnr, 2)  # new submissions reuse numbers the case store has seen
    p = sync_ok(k, "sync after the restore")
    assert "2 accepted, 1 duplicate" in p.stdout, p.stdout
    after = server_subs()
    eq(6, len(after), "every submission once: the four before and the two new ones")
    for uuid in before:
        eq(before[uuid], after[uuid], "an earlier submission is untouched")
    receipts_are_true(k)
    numbers = [c for _, c in after.values()]
    eq(len(numbers), len(set(numbers)), "no case number given twice")
    # And the kiosk goes on numbering where the case store is: the next one is plain.
    submit(k, pnr)
    p = sync_ok(k, "a later submission")
    assert "1 accepted, 0 duplicate" in p.stdout, p.stdout
    receipts_are_true(k)
    with CS.db() as db:
        seqs = [s for (s,) in db.execute("SELECT seq FROM submissions s JOIN devices d ON"
                                         " d.id = s.device_id WHERE d.site_name = ? ORDER BY seq",
                                         ("Testkontoret",))]
    eq(list(range(1, len(seqs) + 1)), seqs, "the device's sequence stays gapless")


@test
def a_push_by_someone_else_with_the_device_key_does_not_swallow_the_kiosks_items():
    k = base.Kiosk("honest")
    eq(0, k.provision(CS, CS.token()).returncode, "provision")
    _, pnr = CS.citizen_in("kista")
    submit(k, pnr)
    sync_ok(k, "first delivery")
    # A copy of the kiosk's state (its key and device id) pushes ahead of it.
    thief = base.Kiosk("thief")
    shutil.copytree(k.dir, thief.dir)
    with open(thief.conf) as f:
        conf = f.read().replace(k.dir, thief.dir)
    with open(thief.conf, "w") as f:
        f.write(conf)
    shared = {row[0] for row in outbox(k)}  # what both copies have: delivered before the copy
    submit(thief, pnr, 2)
    sync_ok(thief, "the other copy's push")
    submit(k, pnr, 2)  # the same sequence numbers, other submissions
    p = sync_ok(k, "the kiosk's own push")
    assert "2 accepted, 0 duplicate" in p.stdout, p.stdout
    receipts_are_true(k)
    mine = {row[0] for row in outbox(k)} - shared
    theirs = {row[0] for row in outbox(thief)} - shared
    eq(2, len(mine), "the kiosk's two new submissions")
    eq(set(), mine & theirs, "different submissions")
    subs = server_subs()
    eq(4, len({subs[u][1] for u in mine | theirs}), "four case numbers for four submissions")
    subs = server_subs()
    for uuid in mine | theirs:
        assert uuid in subs, f"{uuid} is at the case store"


@test
def a_renumbered_item_keeps_its_sealed_fields_and_its_new_number():
    # The wire number is metadata beside the sealed fields, which stay bound to the row's own
    # number: after renumbering they must still open (listing the outbox opens every field).
    k = base.Kiosk("reopen")
    eq(0, k.provision(CS, CS.token()).returncode, "provision")
    _, pnr = CS.citizen_in("bromma", skip=3)
    submit(k, pnr)
    saved = os.path.join(base.TMP, "reopen-backup")
    backup(k, saved)
    sync_ok(k, "delivery of the first")
    submit(k, pnr)
    sync_ok(k, "delivery of the second")
    restore(k, saved)
    submit(k, pnr)  # local number 2 again, which the case store has seen
    sync_ok(k, "after the restore")
    rows = outbox(k)
    eq([("1", "duplicate"), ("3", "accepted")], [(r[1], r[2]) for r in rows],
       "the copy's item is a duplicate; the new one was renumbered after the case store's 2")
    receipts_are_true(k)


FIXTURE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "v2")


@test
def a_cache_written_by_the_previous_version_migrates_and_delivers_its_outbox_once():
    old_cs = base.Casestore.__new__(base.Casestore)  # from the fixture, not init and seed
    old_cs.data = os.path.join(base.TMP, "v2-casestore")
    shutil.copytree(os.path.join(FIXTURE, "casestore"), old_cs.data)
    kdir = os.path.join(base.TMP, "v2-kiosk")
    shutil.copytree(os.path.join(FIXTURE, "kiosk"), kdir)
    # The databases are kept as the SQL text of what that version wrote (sqlite3 .dump, with its
    # user_version): rebuilt here byte for byte in content, no binary file in the repository.
    for sql, db in ((os.path.join(old_cs.data, "casestore.sql"),
                     os.path.join(old_cs.data, "casestore.db")),
                    (os.path.join(kdir, "cache.sql"), os.path.join(kdir, "cache.db"))):
        with open(sql) as f, contextlib.closing(sqlite3.connect(db)) as conn:
            conn.executescript(f.read())
        os.unlink(sql)
    for d in (old_cs.data, kdir):
        os.chmod(d, 0o700)
        for f in os.listdir(d):
            os.chmod(os.path.join(d, f), 0o600)
    old_cs.proc, old_cs.port = None, base.free_port()
    old_cs.url = f"https://127.0.0.1:{old_cs.port}"
    old_cs.log = os.path.join(old_cs.data, "serve.log")
    old_cs.start()
    k = base.Kiosk("v2-kiosk")
    with open(os.path.join(kdir, "minasidor.conf.in")) as f:
        conf = f.read().replace("@KIOSK@", kdir).replace("@URL@", old_cs.url)
    with open(k.conf, "w") as f:
        f.write(conf)
    os.chmod(k.conf, 0o600)
    # An audit log altered before the upgrade is not laundered into a valid chain by it.
    tampered = os.path.join(base.TMP, "v2-tampered")
    shutil.copytree(kdir, tampered)
    with contextlib.closing(sqlite3.connect(os.path.join(tampered, "cache.db"))) as db:
        db.execute("UPDATE audit_log SET category='overview' WHERE id=2")
        db.commit()
    with open(os.path.join(tampered, "minasidor.conf"), "w") as f:
        f.write(conf.replace(kdir, tampered))
    os.chmod(os.path.join(tampered, "minasidor.conf"), 0o600)
    p = base.run(base.HELPER, os.path.join(tampered, "minasidor.conf"), "outbox")
    eq(2, p.returncode, "a tampered audit log refuses the migration")
    assert "altered before this upgrade" in p.stderr, p.stderr

    rows = outbox(k)
    eq([("1", "accepted"), ("2", "accepted"), ("3", "queued"), ("4", "queued")],
       [(r[1], r[2]) for r in rows], "wire numbers are the old sequence numbers")
    p = sync_ok(k, "the first sync with today's code")
    assert "2 accepted, 0 duplicate" in p.stdout, p.stdout
    with contextlib.closing(sqlite3.connect(os.path.join(old_cs.data, "casestore.db"))) as db:
        seqs = [s for (s,) in db.execute("SELECT seq FROM submissions ORDER BY seq")]
    eq([1, 2, 3, 4], seqs, "delivered with their own numbers, each once")
    eq(0, k.helper("submit", "-", "callback", "ovrigt", "aterringning", "information",
                   "1").returncode, "queue one more")
    p = sync_ok(k, "a new submission after the migration")
    assert "1 accepted, 0 duplicate" in p.stdout, p.stdout
    eq("5", outbox(k)[-1][1], "the next wire number follows the old ones")
    audit = [line.split("\t") for line in k.helper("audit").stdout.splitlines()]
    eq(["submission"] * 5, [a[2] for a in audit], "the old entries open under their sealed headers")
    with contextlib.closing(sqlite3.connect(os.path.join(kdir, "cache.db"))) as db:
        cols = [c for (c,) in db.execute("SELECT name FROM pragma_table_info('audit_log')")]
        times = db.execute("SELECT count(*) FROM outbox WHERE created_at != 0").fetchone()[0]
        ids = db.execute("SELECT count(*) FROM citizens WHERE server_id LIKE 'cit-%'").fetchone()[0]
    eq(["id", "header", "details", "mac"], cols, "nothing of an entry in the clear")
    eq(0, times, "no outbox time in the clear")
    eq(0, ids, "no case store citizen id in the clear")
    p = base.run(base.MINASIDOR, "--config", k.conf, "doctor", "--json")
    store = [c for c in json.loads(p.stdout)["checks"] if c["name"] == "store"]
    eq("ok", store[0]["status"] if store else None, f"doctor's store check: {store}")
    assert "integrity ok" in store[0]["detail"] and "audit log of 5 entries intact" in \
        store[0]["detail"], store[0]["detail"]
    old_cs.stop()


CS.stop()
finish(base.TMP)
