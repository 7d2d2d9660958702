#!/usr/bin/env python3
"""Suite `sync`: the kiosk's outbox when its sequence numbers and the case store's disagree —
a cache.db restored from an earlier copy, and someone else pushing with the device's key. Every
submission must arrive exactly once and every receipt must name the case number the case store
gave that very submission (PROTOCOL.md §6). Real casestore over TLS, real kiosk files. TAP."""
import contextlib
import json
import os
import re
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


FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")


def from_fixture(version):
    """A case store and a kiosk as the code of an older schema left them (fixtures/vN): the
    case store serving, the kiosk's settings pointing at it. Returns (case store, kiosk)."""
    fixture = os.path.join(FIXTURES, version)
    old_cs = base.Casestore.__new__(base.Casestore)  # from the fixture, not init and seed
    old_cs.data = os.path.join(base.TMP, f"{version}-casestore")
    shutil.copytree(os.path.join(fixture, "casestore"), old_cs.data)
    kdir = os.path.join(base.TMP, f"{version}-kiosk")
    shutil.copytree(os.path.join(fixture, "kiosk"), kdir)
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
    k = base.Kiosk(f"{version}-kiosk")
    with open(os.path.join(kdir, "minasidor.conf.in")) as f:
        conf = f.read().replace("@KIOSK@", kdir).replace("@URL@", old_cs.url)
    with open(k.conf, "w") as f:
        f.write(conf)
    os.chmod(k.conf, 0o600)
    return old_cs, k


@test
def a_cache_written_by_the_previous_version_migrates_and_delivers_its_outbox_once():
    old_cs, k = from_fixture("v2")
    kdir = k.dir
    with open(k.conf) as f:
        conf = f.read()
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


def stored_fields():
    """The fields the kiosk stores per kind (wire names), from the kinds' one description."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "src", "core",
                        "record_kinds.h")
    text = open(path).read()
    wire = dict(re.findall(r'K\((\w+), "(\w+)"', text))
    fields = {}
    for kind, name in re.findall(r'F\((\w+), \w+, "(\w+)"', text):
        fields.setdefault(wire[kind], set()).add(name)
    return fields


def user_version(k):
    return k.cache("PRAGMA user_version")[0][0]


@test
def a_schema_6_cache_is_sealed_record_by_record_in_place_and_reads_back_equal():
    """fixtures/v6: written by the code of schema 6 (fields sealed one by one), see its
    make_fixture.py. Today's code migrates it in place, once, and every record opens equal to
    what the case store published; the outbox delivers what was waiting, exactly once."""
    old_cs, k = from_fixture("v6")
    eq(6, user_version(k), "the fixture is schema 6")
    sealed_fields = k.cache("SELECT count(*) FROM pragma_table_info('invoices') WHERE"
                            " name LIKE 'f_%'")[0][0]
    assert sealed_fields > 0, "schema 6 keeps a column per field"
    districts = re.search(r"^districts = (\S+)", open(k.conf).read(), re.M).group(1).split(",")

    p = k.helper("outbox")
    eq(0, p.returncode, f"first open with today's code ({p.stderr.strip()})")
    # 7 seals the records; 8 (usage batches for POST /v1/status) only adds a table
    assert "schema migrated to version 8" in p.stderr, p.stderr
    eq(8, user_version(k), "migrated")
    eq([(8192, "wal")], k.cache("SELECT * FROM pragma_page_size, pragma_journal_mode"),
       "compacted with today's page size, and back in WAL mode")
    before = k.cache("SELECT id, version, sealed FROM cases ORDER BY id")
    p = k.helper("outbox")
    assert "schema migrated" not in p.stderr, "the migration runs once: " + p.stderr
    eq(before, k.cache("SELECT id, version, sealed FROM cases ORDER BY id"),
       "a second open leaves the records as they are")
    for table in base.KIND_TABLE.values():
        if table in ("articles", "units"):
            continue
        cols = [c for (c,) in k.cache(f"SELECT name FROM pragma_table_info('{table}')")]
        eq([], [c for c in cols if c.startswith("f_") and c != "f_server_id"],
           f"{table}: no per-field column left")

    # Every record of every citizen opens equal to what the case store published.
    marks = ",".join("?" * len(districts))
    with old_cs.db() as db:
        people = db.execute(f"SELECT id, json_extract(fields, '$.pnr') FROM records WHERE"
                            f" kind='citizen' AND district IN ({marks})", districts).fetchall()
        published = db.execute(f"SELECT kind, id, citizen, fields FROM records WHERE"
                               f" district IN ({marks}) AND citizen IS NOT NULL",
                               districts).fetchall()
    known = stored_fields()  # the case store publishes more (registered_by) than is kept
    want = {}
    for kind, rid, citizen, fields in published:
        kept = {f: v for f, v in json.loads(fields).items() if f in known[kind]}
        if kind != "citizen":
            want.setdefault(citizen, set()).add((kind, rid, json.dumps(kept, sort_keys=True)))
    total = 0
    for cid, pnr in people:
        p = k.helper("records", pnr)
        eq(0, p.returncode, f"records of {cid} ({p.stderr.strip()})")
        got = set()
        for line in p.stdout.splitlines():
            kind, rid, fields = line.split("\t")
            if kind == "citizen":
                continue  # stored under a keyed reference; its fields are compared below
            got.add((kind, rid, json.dumps(json.loads(fields), sort_keys=True)))
        citizen_rows = [json.loads(line.split("\t")[2]) for line in p.stdout.splitlines()
                        if line.startswith("citizen\t")]
        with old_cs.db() as db:
            own = json.loads(db.execute("SELECT fields FROM records WHERE kind='citizen' AND"
                                        " id=?", (cid,)).fetchone()[0])
        own = {f: v for f, v in own.items() if f in known["citizen"]}
        eq([own], citizen_rows, f"citizen {cid} reads back equal")
        eq(want.get(cid, set()), got, f"the records of {cid} read back equal")
        total += len(got) + 1
    counts = k.counts()
    eq(sum(counts[t] for t in base.KIND_TABLE.values() if t not in ("articles", "units")),
       total, "every stored record was compared")
    assert total > 100, f"the fixture holds records of every kind it can ({total})"

    rows = outbox(k)
    eq([("1", "accepted"), ("2", "accepted"), ("3", "queued"), ("4", "queued")],
       [(r[1], r[2]) for r in rows], "the outbox kept its items")
    p = sync_ok(k, "the first sync with today's code")
    assert "2 accepted, 0 duplicate" in p.stdout, p.stdout
    sync_ok(k, "a second sync")
    with contextlib.closing(sqlite3.connect(os.path.join(old_cs.data, "casestore.db"))) as db:
        seqs = [s for (s,) in db.execute("SELECT seq FROM submissions ORDER BY seq")]
    eq([1, 2, 3, 4], seqs, "delivered with their own numbers, each once")
    audit = [line.split("\t") for line in k.helper("audit").stdout.splitlines()]
    eq(["submission"] * 4, [a[2] for a in audit if a[2] == "submission"],
       "the old audit entries open")
    p = base.run(base.MINASIDOR, "--config", k.conf, "doctor", "--json")
    store = [c for c in json.loads(p.stdout)["checks"] if c["name"] == "store"]
    eq("ok", store[0]["status"] if store else None, f"doctor's store check: {store}")
    old_cs.stop()


CS.stop()
finish(base.TMP)
