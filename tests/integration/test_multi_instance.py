#!/usr/bin/env python3
"""Suite `sync-pg`: three casestore processes serving one PostgreSQL database (the city's set-up,
README "casestore on PostgreSQL"), with real kiosks that switch instances between and during syncs.
Targeted checks first: a cursor from one instance is valid at another, a nonce used at one is
refused at another, a push (or a usage batch) whose answer was lost at one is a duplicate at
another, and a change committed after another that started later is not skipped (a transaction held
open from a test connection). Then convergence: concurrent city mutations from several processes at
once (overlapping commits), kiosks submitting and syncing through random instances, instances
killed in the middle of a sync and restarted; at the end every kiosk equals its scope and every
submission is stored exactly once.

Usage: test_multi_instance.py MINASIDOR CASESTORE HELPER (CASESTORE_STORAGE=postgresql). Prints
TAP."""
import os
import random
import re
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "harness"))
from sync_fixture import (CASESTORE, KIND_TABLE, MINASIDOR, ON_PG, TMP, Casestore,  # noqa: E402
                          Kiosk, kiosk_ids, pending, run, synced_counts)
from taptest import eq, finish, skip, test  # noqa: E402

if not ON_PG:
    skip("multi_instance", "several instances share a PostgreSQL database: this runs with"
         " CASESTORE_STORAGE=postgresql (meson test --suite sync-pg)")
    finish(TMP)

from pg_cluster import Connection, cluster  # noqa: E402

A = Casestore("cs-a", citizens=600)
B, C = A.instance("cs-b"), A.instance("cs-c")
INSTANCES = [A, B, C]
for _cs in INSTANCES:
    _cs.start()
SCOPE = ["bromma", "kista"]
K = Kiosk("kiosk")


def position(k):
    return int(k.cursor().split(" ")[0] or 0)


def device_of(k):
    return re.search(r"^id = (\S+)", open(k.conf).read(), re.M).group(1)


def wait_for(what, cond, timeout_s=60):
    """Polls cond (a state in the database or a process) until it holds."""
    deadline = time.monotonic() + timeout_s
    while not cond():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def waiting_on_a_lock(db_url):
    """Whether some session of the database waits for a row lock (another's transaction)."""
    c = Connection(db_url)
    try:
        return c.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                         " AND wait_event_type = 'Lock'").fetchone()[0] > 0
    finally:
        c.close()


@test
def cursor_from_one_instance_is_valid_at_another():
    eq(0, K.provision(A, A.token(",".join(SCOPE))).returncode, "provision at A")
    eq(A.scope_counts(SCOPE), synced_counts(K), "the kiosk has its scope (from A)")
    before = position(K)
    cid, _ = A.citizen_in("bromma")
    A.cs("mutate", "book-appointment", cid, "1796000000")
    p = K.sync(via=B.url)
    eq(0, p.returncode, f"sync at B ({p.stderr.strip()})")
    assert "after a reset" not in p.stdout, f"B did not take A's cursor: {p.stdout}"
    assert position(K) > before, f"the cursor moved on from {before}: {K.cursor()}"
    eq(A.head(), position(K), "the kiosk is at the head")
    eq(A.scope_counts(SCOPE), synced_counts(K), "the new appointment came from B")
    p = K.sync(via=C.url)
    assert "after a reset" not in p.stdout and "pulled 0 records" in p.stdout, p.stdout


@test
def nonce_used_at_one_instance_is_refused_at_another():
    eq(["200", "401"], K.helper("replay", B.url).stdout.split(),
       "one signed request at A, then the same at B")
    eq(["200", "401"], K.helper("replay", A.url).stdout.split(), "and at A itself")


@test
def push_retried_at_another_instance_is_a_duplicate():
    A.start(inject=["lose:/v1/push:1"])
    _, pnr = A.citizen_in("kista")
    eq(0, K.helper("submit", pnr, "application", "aldreomsorg", "hemtjanst", "ny_ansokan",
                   "2").returncode, "queue 2")
    before = A.submissions().get("accepted", 0)
    p = K.sync()  # at A: committed, the answer lost
    eq(1, p.returncode, "the sync whose answer is lost")
    eq(before + 2, A.submissions().get("accepted"), "stored once")
    eq(2, K.counts().get("outbox.sending"), "the kiosk still waits for an answer")
    p = K.sync(via=C.url)
    eq(0, p.returncode, f"the retry at C ({p.stderr.strip()})")
    assert "0 accepted, 2 duplicate" in p.stdout, p.stdout
    eq(before + 2, A.submissions().get("accepted"), "still exactly once")
    A.start()


@test
def status_retried_at_another_instance_is_counted_once():
    """Usage counts travel in numbered batches (PROTOCOL.md §9): a batch whose answer was lost
    at A and sent again to C is a repeat there (the device's row in device_status is locked
    and its last counted batch compared in the same transaction)."""
    def visits():
        with A.db() as db:
            return int(db.execute("SELECT coalesce(sum(count), 0) FROM usage_daily"
                                  " WHERE counter = 'visit'").fetchone()[0])

    A.start(inject=["lose:/v1/status:1"])
    before = visits()
    p = K.helper("usage", "visit", "7", str(int(time.time())))
    eq(0, p.returncode, f"count 7 visits ({p.stderr.strip()})")
    p = K.sync()  # at A: counted, the answer lost
    eq(0, p.returncode, f"the sync whose status answer is lost ({p.stderr.strip()})")
    assert "usage and health not sent" in p.stderr, p.stderr
    eq(before + 7, visits(), "counted at A")
    eq([(1,)], K.cache("SELECT count(*) FROM usage_batch"), "the kiosk keeps the batch")
    p = K.sync(via=C.url)
    eq(0, p.returncode, f"the retry at C ({p.stderr.strip()})")
    eq(before + 7, visits(), "the repeat at C added nothing")
    eq([(0,)], K.cache("SELECT count(*) FROM usage_batch"), "and C confirmed it")
    A.start()


@test
def a_change_committed_late_is_not_skipped():
    """Transaction T1 (casestore moving a citizen into the kiosk's scope) starts first and is
    held open by a test connection's row lock; T2 (another casestore process) starts later and
    commits; the kiosk pulls T2's change at B. Then T1 commits: its changes must come after the
    position the kiosk already has, not before it (where a position taken when T1 began would
    put them), and reach the kiosk at C."""
    incoming, _ = A.citizen_in("vantor")
    with A.db() as db:
        case_id = db.execute("SELECT id FROM records WHERE kind='case' AND district='bromma'"
                             " ORDER BY id LIMIT 1").fetchone()[0]
    started = A.head()  # T1 begins here
    holder = Connection(A.storage_url)  # a transaction of its own, open until commit
    holder.execute("SELECT 1 FROM records WHERE kind='citizen' AND id=? FOR UPDATE", (incoming,))
    t1 = subprocess.Popen([CASESTORE, "mutate", *A.where(), "move-citizen", incoming, "bromma"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for("T1 to wait for the held row", lambda: waiting_on_a_lock(A.storage_url))
        assert t1.poll() is None, "T1 finished while its row was held"
        A.cs("mutate", "advance-case", case_id, "beslutat")  # T2 commits while T1 is open
        p = K.sync(via=B.url)
        eq(0, p.returncode, f"sync at B ({p.stderr.strip()})")
        seen = position(K)
        eq(A.head(), seen, "the kiosk has everything committed so far")
    finally:
        holder.commit()
        holder.close()
    _, err = t1.communicate(timeout=60)
    eq(0, t1.returncode, f"T1 commits once the row is free: {err}")
    with A.db() as db:
        first = db.execute("SELECT min(seq) FROM changes WHERE id=? AND seq > ?",
                           (incoming, started)).fetchone()[0]
    assert first is not None and first > seen, (f"T1's changes start at {first}, at or before"
                                                f" the kiosk's {seen}")
    p = K.sync(via=C.url)
    eq(0, p.returncode, f"sync at C ({p.stderr.strip()})")
    got = kiosk_ids(K.conf, os.path.join(K.dir, "cache.db"), A.ids())
    assert incoming in got["citizen"], "the citizen moved in by T1 reached the kiosk"
    eq(A.scope_counts(SCOPE), synced_counts(K), "the kiosk equals its scope")


@test
def readers_are_not_held_up_by_a_writer_appending():
    """A writer's append holds change_head's row until it commits (storage_postgres.c): the
    next writer waits for it, a pull does not, and sees neither until they commit."""
    cid, _ = A.citizen_in("kista", skip=1)
    holder = Connection(A.storage_url)
    holder.execute("SELECT seq FROM change_head FOR UPDATE")
    head = A.head()
    t = subprocess.Popen([CASESTORE, "mutate", *A.where(), "book-appointment", cid,
                          "1797000000"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for("the writer to wait for the append", lambda: waiting_on_a_lock(A.storage_url))
        p = K.sync(via=B.url, timeout=60)
        eq(0, p.returncode, f"a pull while a writer waits ({p.stderr.strip()})")
        eq(head, position(K), "nothing uncommitted was seen")
    finally:
        holder.commit()
        holder.close()
    eq(0, t.wait(timeout=60), "the writer commits")
    eq(0, K.sync(via=C.url).returncode, "sync")
    eq(A.head(), position(K), "and its change arrives")


@test
def a_storage_that_is_wrong_is_a_clear_error():
    p = run(CASESTORE, "stats", "--data", A.data, "--storage", "mysql://db.example/x")
    eq(1, p.returncode, "another database's URL")
    assert "--storage: expected postgresql://" in p.stderr, p.stderr
    nowhere = f"postgresql:///x?host={os.path.join(TMP, 'no-such-dir')}"
    p = run(CASESTORE, "stats", "--data", A.data, "--storage", nowhere)
    eq(1, p.returncode, "no server there")
    assert "cannot connect to PostgreSQL" in p.stderr and "init" not in p.stderr, p.stderr
    # A database a newer casestore has migrated is refused, not written with an older schema.
    future = cluster().create_database("future")
    eq(0, run(CASESTORE, "init", "--data", A.data, "--storage", future).returncode, "init")
    c = Connection(future)
    c.execute("UPDATE schema_version SET version = 99")
    c.commit()
    c.close()
    p = run(CASESTORE, "stats", "--data", A.data, "--storage", future)
    eq(1, p.returncode, "a newer schema")
    assert "schema 99, newer than this casestore's" in p.stderr, p.stderr


def city_mutation(rng, cs):
    """One change the way the city's systems make them, as its own process."""
    with cs.db() as db:
        cases = [r[0] for r in db.execute("SELECT id FROM records WHERE kind='case' AND id LIKE"
                                          " 'case-%' ORDER BY random() LIMIT 2")]
        citizens = [r[0] for r in db.execute("SELECT id FROM records WHERE kind='citizen' ORDER"
                                             " BY random() LIMIT 2")]
    what = rng.choice(["advance", "advance", "book", "move"])
    if what == "advance":
        args = ["advance-case", cases[0]]
    elif what == "book":
        args = ["book-appointment", citizens[0], str(1796000000 + rng.randint(0, 10 ** 6))]
    else:
        args = ["move-citizen", citizens[1], rng.choice(["bromma", "kista", "vantor", "farsta"])]
    return subprocess.Popen([CASESTORE, "mutate", *cs.where(), *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def sync_cut_short(rng, k, cs):
    """A sync at cs, which is killed (SIGKILL) at a random moment of it and restarted."""
    p = subprocess.Popen([MINASIDOR, "--config", k.conf, "--set", f"server.url={cs.url}", "sync",
                          "--once"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(rng.uniform(0.02, 0.3))  # when the fault strikes, not a wait for a state
    cs.proc.send_signal(signal.SIGKILL)
    cs.proc.wait()
    cs.proc = None
    p.wait()
    cs.start()


def queue_three(rng, k, district, name):
    """Three applications for a citizen of district whom the kiosk has (the city may have just
    moved one in or out), else three anonymous callback requests."""
    for skip_ in rng.sample(range(12), 12):
        _, pnr = A.citizen_in(district, skip=skip_)
        p = k.helper("submit", pnr, "application", "aldreomsorg", "hemtjanst", "ny_ansokan", "3")
        if p.returncode != 3:  # 3: the kiosk does not have this citizen (yet, or any more)
            eq(0, p.returncode, f"{name}: queue 3 ({p.stderr.strip()})")
            return
    eq(0, k.helper("submit", "-", "callback", "ovrigt", "aterringning", "information",
                   "3").returncode, f"{name}: queue 3 callbacks")


@test
def kiosks_converge_across_instances_killed_and_restarted():
    rng = random.Random(23)
    scopes = {"k1": SCOPE, "k2": ["vantor", "farsta"], "k3": ["kista", "farsta"]}
    kiosks = {}
    for name, scope in scopes.items():
        k = Kiosk(f"kiosk-{name}")
        via = rng.choice(INSTANCES)
        eq(0, k.provision(via, via.token(",".join(scope))).returncode, f"provision {name}")
        kiosks[name] = k
    queued = {name: 0 for name in kiosks}
    cuts = 0
    for round_ in range(8):
        # Overlapping commits: four city processes at once, on every instance's database.
        city = [city_mutation(rng, rng.choice(INSTANCES)) for _ in range(4)]
        for name, k in kiosks.items():
            queue_three(rng, k, scopes[name][0], name)
            queued[name] += 3
            cs = rng.choice(INSTANCES)
            if rng.random() < 0.35:
                sync_cut_short(rng, k, cs)
                cuts += 1
            else:
                k.sync(via=cs.url)
        for p in city:
            p.wait(timeout=120)
    assert cuts >= 3, f"only {cuts} syncs were cut short by a killed instance"
    for name, k in kiosks.items():
        for attempt in range(5):
            p = k.sync(via=INSTANCES[attempt % 3].url)
            if p.returncode == 0 and pending(k) == 0:
                break
        eq(0, p.returncode, f"{name}: final sync ({p.stderr.strip()})")
        eq(0, pending(k), f"{name}: nothing left to send")
        want = A.ids(scopes[name])
        got = kiosk_ids(k.conf, os.path.join(k.dir, "cache.db"), A.ids())
        for kind in KIND_TABLE:
            missing, extra = want[kind] - got[kind], got[kind] - want[kind]
            assert not missing and not extra, (f"{name}: {kind}: {len(missing)} missing (e.g."
                                               f" {sorted(missing)[:3]}), {len(extra)} extra")
        stored = A.submissions(device_of(k))
        eq(queued[name], sum(stored.values()), f"{name}: every submission stored exactly once")
        outbox = [line.split("\t") for line in k.helper("outbox").stdout.splitlines()]
        with A.db() as db:
            server = {r[0]: r[1] for r in db.execute("SELECT uuid, case_number FROM submissions"
                                                     " WHERE device_id=?", (device_of(k),))}
        eq(sorted(server), sorted(row[0] for row in outbox), f"{name}: the same uuids")
        # A citizen who moved out of the kiosk's districts is erased there with the key that
        # opens their items' case numbers ("-"); the rest must match.
        told = [row for row in outbox if row[3] != "-"]
        assert told, f"{name}: no case number left to compare"
        for row in told:
            eq(server[row[0]], row[3], f"{name}: the case number the kiosk was told")


for _cs in INSTANCES:
    _cs.stop()
finish(TMP)
