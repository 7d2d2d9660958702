#!/usr/bin/env python3
"""Suite `sync`: a hostile device among honest kiosks (issue 19). A second kiosk, provisioned
with its own token, pushes signed bodies that the kiosk's own code would never build: a
registered_by nested as deep as the server's parser takes, nine ~1 MB submissions, another
device's uuid, a used sequence number. A real casestore over TLS on loopback, real kiosks.
Then records poisoned directly in casestore.db (as a record from before validation was): pages
stay under their budget, a record that cannot be published is skipped, and the repair command
heals it. Prints TAP."""
import json
import os
import re
import sys
import time
import uuid as uuidlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "harness"))
import sync_fixture  # noqa: E402
from sync_fixture import KIND_TABLE, TMP, kiosk_ids  # noqa: E402
from taptest import eq, finish, skip, test  # noqa: E402

SCOPE = ["bromma", "kista"]
PAGE_BUDGET = 4 * 1024 * 1024  # CS_PAGE_BYTES in sync/server/storage.h
# The deepest registered_by the server's JSON parser (jansson, 2048 levels) takes inside a push
# body ({"items":[{"registered_by": ...}]}): one level more than a page can carry
# ({"changes":[{"fields":{"registered_by": ...}}]}), so before validation it wedged every
# kiosk of the district.
DEEPEST = 2044


class Casestore(sync_fixture.Casestore):
    def __init__(self, name):
        super().__init__(name, citizens=200)

    def token(self):
        return super().token(",".join(SCOPE))

    def cs(self, *args, input=None):  # the tests look at the exit code themselves
        return super().cs(*args, check=False, input=input)

    def ids(self, exclude=()):
        marks = ",".join("?" * len(SCOPE))
        ids = {kind: set() for kind in KIND_TABLE}
        with self.db() as db:
            for kind, rid in db.execute(f"SELECT kind, id FROM records WHERE district IN"
                                        f" ({marks}) OR district = '*'", SCOPE):
                if (kind, rid) not in exclude:
                    ids[kind].add(rid)
        return ids

    def last_seq(self, device):
        with self.db() as db:
            return db.execute("SELECT last_seq FROM devices WHERE id=?", (device,)).fetchone()[0]

    def poison(self, kind, rid, fields_text, district, citizen=None, parent=None):
        """A record written straight into the database, as one from before validation was."""
        self.put(kind, rid, fields_text, citizen=citizen, parent=parent, district=district)


class Kiosk(sync_fixture.Kiosk):
    def provision(self, cs):
        return super().provision(cs, cs.token())

    def ids(self):
        with CS.db() as db:  # every id the case store has, to recognise the kiosk's references
            every = {}
            for kind, rid in db.execute("SELECT kind, id FROM records"):
                every.setdefault(kind, set()).add(rid)
        return kiosk_ids(self.conf, os.path.join(self.dir, "cache.db"), every)

    def post(self, path, body):
        """Signs body (bytes or text) with this kiosk's device key and POSTs it: (status, text)."""
        f = os.path.join(TMP, f"body-{uuidlib.uuid4()}.json")
        with open(f, "wb") as out:
            out.write(body if isinstance(body, bytes) else body.encode())
        p = self.helper("post-raw", path, f)
        os.unlink(f)
        assert p.returncode == 0, f"post-raw {path}: {p.stderr.strip()}"
        status, _, text = p.stdout.partition("\n")
        return int(status), text.strip()

    def push(self, *items):
        status, text = self.post("/v1/push", '{"items":[' + ",".join(items) + "]}")
        return status, json.loads(text) if text else None


def item(uid, seq, citizen, registered_by='{"by":"citizen","identified_with":"bankid"}',
         kind="application", main="aldreomsorg", type_="hemtjanst", klass="ny_ansokan",
         payload='{"text":"hjälp"}'):
    """One push item as text: the tests build deep JSON that Python's json would not."""
    cit = "null" if citizen is None else json.dumps(citizen)
    return (f'{{"uuid":"{uid}","seq":{seq},"kind":"{kind}","main":"{main}","type":"{type_}",'
            f'"class":"{klass}","citizen":{cit},"created_at":{int(time.time())},'
            f'"payload":{payload},"registered_by":{registered_by}}}')


def nested(depth):
    """A registered_by that is `depth` objects deep."""
    return '{"by":"citizen","x":' * (depth - 1) + '{"by":"citizen"}' + "}" * (depth - 1)


def converged(k, cs, what, exclude=()):
    got, want = k.ids(), cs.ids(exclude)
    for kind in KIND_TABLE:
        missing, extra = want[kind] - got[kind], got[kind] - want[kind]
        assert not missing and not extra, (f"{what}: {kind}: {len(missing)} missing"
                                           f" (e.g. {sorted(missing)[:3]}), {len(extra)} extra"
                                           f" (e.g. {sorted(extra)[:3]})")


CS = Casestore("cs")
CS.start()
HONEST = Kiosk("honest")
HOSTILE = Kiosk("hostile")
eq(0, HONEST.provision(CS).returncode, "the honest kiosk is provisioned")
eq(0, HOSTILE.provision(CS).returncode, "the hostile one too, with its own token")
BAD = HOSTILE.device()
CIT, CIT_PNR = CS.citizen_in("bromma")
eq(0, HONEST.helper("submit", CIT_PNR, "application", "aldreomsorg", "hemtjanst", "ny_ansokan",
                    "2").returncode, "the honest kiosk queues two applications")
eq(0, HONEST.sync().returncode, "and delivers them")
with CS.db() as _db:
    HONEST_UUID, HONEST_CASE = _db.execute(
        "SELECT uuid, case_number FROM submissions WHERE device_id=? AND status='accepted'"
        " ORDER BY seq LIMIT 1", (HONEST.device(),)).fetchone()
ANSWERS = []  # every answer the hostile device got, to look for the honest case number


def hostile_push(*items):
    status, body = HOSTILE.push(*items)
    ANSWERS.append(json.dumps(body))
    return status, body


@test
def deep_registered_by_is_rejected_and_consumes_its_seq():
    got = []  # every push first, then the checks: the district test below needs them all
    for depth in (2000, DEEPEST):
        seq = CS.last_seq(BAD) + 1
        got.append((depth, seq, *hostile_push(item(str(uuidlib.uuid4()), seq, CIT,
                                                   nested(depth)))))
    for depth, seq, status, body in got:
        eq(200, status, f"a registered_by {depth} deep is answered ({body})")
        res = body["results"][0]
        eq("rejected", res["status"], f"{depth} deep")
        assert "registered_by" in res["reason"], res["reason"]
        assert "case_number" not in res, res
        eq(seq, body["last_seq"], "the rejection consumed its seq")
    with CS.db() as db:
        n = db.execute("SELECT count(*) FROM records WHERE kind='case' AND length(fields) > 4000"
                       ).fetchone()[0]
    eq(0, n, "no case carries what the device sent")


@test
def nine_submissions_of_a_megabyte_are_rejected():
    got = []
    for i in range(9):
        big = '{"by":"citizen","identified_with":"' + "x" * 1_000_000 + '"}'
        body = item(str(uuidlib.uuid4()), CS.last_seq(BAD) + 1, CIT, big)
        assert len(body) < 1024 * 1024 - 100, "under the 1 MiB body cap"
        got.append(hostile_push(body))
    for i, (status, answer) in enumerate(got):
        eq(200, status, f"push {i}")
        eq("rejected", answer["results"][0]["status"], f"push {i} of ~1 MB")
    for i in range(3):  # a payload answer longer than free text may be
        status, answer = hostile_push(item(str(uuidlib.uuid4()), CS.last_seq(BAD) + 1, CIT,
                                           payload='{"text":"' + "y" * 2001 + '"}'))
        eq("rejected", answer["results"][0]["status"], "a 2001-character answer")
    status, answer = hostile_push(item(str(uuidlib.uuid4()), CS.last_seq(BAD) + 1, CIT,
                                       payload='{"text":{"deeper":"no"}}'))
    eq("rejected", answer["results"][0]["status"], "a nested payload")
    extra = ('{"by":"ombud","staff_id":"staff-1","identity_established_by":"bankid",'
             '"site":"test-mbk","note":"not in §6"}')
    status, answer = hostile_push(item(str(uuidlib.uuid4()), CS.last_seq(BAD) + 1, CIT, extra))
    eq("rejected", answer["results"][0]["status"], "a registered_by member §6 does not name")


@test
def valid_ombud_registration_is_republished_as_rebuilt():
    uid = str(uuidlib.uuid4())
    by = ('{"identity_established_by":"document","document_type":"passport","by":"ombud",'
          '"document_last4":"AB12","staff_id":"staff-9","site":"test-mbk"}')
    status, answer = hostile_push(item(uid, CS.last_seq(BAD) + 1, CIT, by))
    eq("accepted", answer["results"][0]["status"], f"a valid registration ({answer})")
    with CS.db() as db:
        fields = json.loads(db.execute("SELECT fields FROM records WHERE kind='case' AND id=?",
                                       (f"sub-{uid}",)).fetchone()[0])
    eq({"by": "ombud", "staff_id": "staff-9", "identity_established_by": "document",
        "document_type": "passport", "document_last4": "AB12", "site": "test-mbk"},
       fields["registered_by"], "the case carries the validated members")
    status, answer = hostile_push(item(str(uuidlib.uuid4()), CS.last_seq(BAD) + 1, CIT,
                                       by.replace("test-mbk", "other-site")))
    eq("rejected", answer["results"][0]["status"], "a site the device is not enrolled for")


@test
def another_devices_uuid_is_rejected_without_its_case_number():
    seq = CS.last_seq(BAD) + 1
    status, answer = hostile_push(item(HONEST_UUID, seq, CIT))
    eq(200, status, "answered")
    res = answer["results"][0]
    eq("rejected", res["status"], "the honest device's uuid from another device")
    eq("this uuid was used for another submission", res["reason"], "reason")
    assert "case_number" not in res, res
    eq(seq, answer["last_seq"], "it consumed its seq")
    # The same again: it was never this device's, so its seq is a used one now.
    status, answer = hostile_push(item(HONEST_UUID, seq, CIT))
    eq(409, status, "sent again")
    eq(("sequence_conflict", seq + 1, HONEST_UUID),
       (answer["error"], answer["expected"], answer["uuid"]), "conflict fields")
    with CS.db() as db:
        eq((HONEST.device(), "accepted", HONEST_CASE),
           db.execute("SELECT device_id, status, case_number FROM submissions WHERE uuid=?",
                      (HONEST_UUID,)).fetchone(), "the honest submission is untouched")
    for text in ANSWERS:
        assert HONEST_CASE not in text, "the honest case number leaked to the hostile device"


@test
def used_seq_is_a_conflict_and_a_gap_names_the_uuid():
    uid = str(uuidlib.uuid4())
    status, answer = hostile_push(item(uid, CS.last_seq(BAD) + 1, None, kind="callback",
                                       main="ovrigt", type_="aterringning", klass="information",
                                       payload='{"phone":"+46701234567"}'))
    eq("accepted", answer["results"][0]["status"], f"a callback ({answer})")
    case_number = answer["results"][0]["case_number"]
    last = CS.last_seq(BAD)
    new = str(uuidlib.uuid4())
    status, answer = hostile_push(item(new, 1, CIT))
    eq(409, status, f"a new uuid with seq 1 ({answer})")
    eq(("sequence_conflict", last + 1, new),
       (answer["error"], answer["expected"], answer["uuid"]), "conflict fields")
    assert case_number not in json.dumps(answer), "not taken for the submission with seq 1"
    status, answer = hostile_push(item(new, last + 5, CIT))
    eq(409, status, "a seq ahead")
    eq(("sequence_gap", last + 1, new), (answer["error"], answer["expected"], answer["uuid"]),
       "gap fields")
    # A retry of the callback (any seq): the same content is a duplicate of this device's own.
    again = item(uid, 1, None, kind="callback", main="ovrigt", type_="aterringning",
                 klass="information", payload='{"phone":"+46701234567"}')
    # created_at is part of the content: use the one stored
    with CS.db() as db:
        created = db.execute("SELECT created_at FROM submissions WHERE uuid=?", (uid,)).fetchone()[0]
    again = re.sub(r'"created_at":\d+', f'"created_at":{created}', again)
    status, answer = hostile_push(again)
    eq(200, status, "a retry")
    eq(("duplicate", case_number), (answer["results"][0]["status"],
                                    answer["results"][0].get("case_number")), "its first answer")
    eq(last, answer["last_seq"], "a duplicate does not move the sequence")
    other = again.replace("+46701234567", "+46701234568")
    status, answer = hostile_push(other)
    eq(("rejected", "this uuid was used for another submission"),
       (answer["results"][0]["status"], answer["results"][0].get("reason")),
       "the same uuid with other content")
    eq(last, CS.last_seq(BAD), "nor does a refused reuse")


@test
def honest_kiosks_of_the_district_still_sync_completely():
    staff_pnr = "198211059954"
    eq(0, CS.cs("role", "add", "--site", "test-mbk", "--pnr", staff_pnr, "--role", "staff",
                "--staff-id", "staff-17").returncode, "a role is added")
    erased, erased_pnr = CS.citizen_in("kista", skip=2)
    eq(0, HONEST.helper("find", erased_pnr).returncode, "a citizen on the kiosk")
    eq(0, CS.cs("mutate", "erase-citizen", erased).returncode, "is erased at the case store")
    eq(0, HONEST.helper("submit", CIT_PNR, "application", "aldreomsorg", "hemtjanst",
                        "ny_ansokan", "1").returncode, "one more honest submission")
    p = HONEST.sync()
    eq(0, p.returncode, f"the honest kiosk syncs ({p.stderr.strip()})")
    converged(HONEST, CS, "honest kiosk")
    eq(3, HONEST.helper("find", erased_pnr).returncode, "the erasure reached it")
    c = HONEST.counts()
    eq(3, c.get("outbox.accepted"), "every honest submission accepted")
    out = HONEST.identify(CS, staff_pnr)
    assert "role: staff (listed)" in out, f"the role list reached it: {out}"
    fresh = Kiosk("fresh")
    p = fresh.provision(CS)
    eq(0, p.returncode, f"a newly provisioned kiosk finishes its first sync ({p.stderr.strip()})")
    converged(fresh, CS, "new kiosk")


def pull_page(k, position):
    with CS.db() as db:
        epoch = db.execute("SELECT value FROM meta WHERE key='epoch'").fetchone()[0]
    status, text = k.post("/v1/pull", json.dumps({"cursor": f"c{epoch}.{position}",
                                                  "limit": 1000}))
    eq(200, status, "pull")
    return len(text.encode()), json.loads(text)


POISONED = set()


@test
def pages_stay_under_the_budget_and_a_record_too_large_for_one_is_skipped():
    with CS.db() as db:
        start = db.execute("SELECT max(seq) FROM changes").fetchone()[0]
    for i in range(150):  # 9 MB in all, each under the 64 KiB a kiosk takes in a text field
        CS.poison("article", f"big-{i}", json.dumps(
            {"area": "ovrigt", "lang": "sv", "title": f"Stor {i}", "body": "z" * 60_000}), "*")
    # Larger than a page: a field kiosks ignore, but the page would carry it.
    CS.poison("article", "huge", json.dumps(
        {"area": "ovrigt", "lang": "sv", "title": "För stor", "body": "kort",
         "attachment": "q" * (9 << 20)}), "*")
    # A text longer than a kiosk takes (64 KiB).
    CS.poison("article", "long", json.dumps(
        {"area": "ovrigt", "lang": "sv", "title": "Lång", "body": "q" * 70_000}), "*")
    POISONED.update({("article", "huge"), ("article", "long")})
    size, page = pull_page(HONEST, start)
    assert size <= PAGE_BUDGET + 4096, f"a page of {size} bytes"
    assert page["more"], "the rest comes on the next page"
    assert 0 < len(page["changes"]) < 150, f"{len(page['changes'])} changes on the first page"
    p = HONEST.sync()
    eq(0, p.returncode, f"sync over several pages ({p.stderr.strip()})")
    converged(HONEST, CS, "after large articles", POISONED)
    assert not {"huge", "long"} & HONEST.ids()["article"], "the records were skipped"
    log = open(CS.log).read()
    assert "article huge is larger than a page" in log, "the skip is logged by kind and id"
    assert "article long cannot be published" in log, "the skip is logged by kind and id"
    assert "qqqqqqqq" not in log and "zzzzzzzz" not in log, "no content in the log"


@test
def records_the_kiosk_cannot_take_are_skipped_and_the_cursor_moves_on():
    cit, _ = CS.citizen_in("bromma", skip=1)
    deep = '{"case_number":"KCS-1","main":"aldreomsorg","type":"hemtjanst","class":"ny_ansokan",' \
           '"status":"inkommen","registered_by":' + nested(DEEPEST) + "}"
    CS.poison("case", "poison-deep", deep, "bromma", citizen=cit)
    CS.poison("case", "poison-missing", json.dumps({"main": "aldreomsorg"}), "bromma",
              citizen=cit)
    CS.poison("case", "poison-json", "{not json", "bromma", citizen=cit)
    POISONED.update({("case", "poison-deep"), ("case", "poison-missing"),
                     ("case", "poison-json")})
    p = HONEST.sync()
    eq(0, p.returncode, f"sync past the poisoned records ({p.stderr.strip()})")
    converged(HONEST, CS, "after poisoned records", POISONED)
    log = open(CS.log).read()
    for rid in ("poison-deep", "poison-missing", "poison-json"):
        assert f"case {rid}" in log, f"{rid} skipped and logged"


@test
def repair_command_heals_a_poisoned_record():
    cit, _ = CS.citizen_in("bromma", skip=1)
    good = {"case_number": "KCS-2026-999999", "main": "aldreomsorg", "type": "hemtjanst",
            "class": "ny_ansokan", "status": "handlaggs", "title": "Ansökan om hemtjänst"}
    p = CS.cs("record", "rewrite", "case", "poison-deep", json.dumps(good))
    eq(0, p.returncode, f"rewrite ({p.stderr.strip()})")
    assert "rewrote case poison-deep" in p.stdout, p.stdout
    assert "KCS-2026-999999" not in p.stdout + p.stderr, "no value printed"
    p = CS.cs("record", "rewrite", "case", "poison-missing", "-", input=json.dumps(good))
    eq(0, p.returncode, f"rewrite from standard input ({p.stderr.strip()})")
    POISONED.difference_update({("case", "poison-deep"), ("case", "poison-missing")})
    p = CS.cs("record", "rewrite", "case", "poison-json", json.dumps({"main": "aldreomsorg"}))
    eq(1, p.returncode, "a rewrite that is not a valid case is refused")
    assert "case_number" in p.stderr, p.stderr
    p = CS.cs("record", "rewrite", "case", "poison-json", '{"case_number":' * 3000)
    eq(1, p.returncode, "and so is one that is not JSON")
    p = CS.cs("record", "remove", "case", "poison-json")
    eq(0, p.returncode, f"remove ({p.stderr.strip()})")
    POISONED.discard(("case", "poison-json"))
    # A record every kiosk has, poisoned in place, then removed: the kiosks delete it.
    with CS.db() as db:
        victim = db.execute("SELECT id FROM records WHERE kind='case' AND citizen=? AND id NOT"
                            " LIKE 'poison-%'", (cit,)).fetchone()[0]
        events = db.execute("SELECT count(*) FROM records WHERE parent=?", (victim,)).fetchone()[0]
    assert victim in HONEST.ids()["case"], "the kiosk has the case"
    CS.poison("case", victim, '{"status":' + '{"a":' * 100 + "1" + "}" * 101, "bromma",
              citizen=cit)
    p = CS.cs("record", "remove", "case", victim)
    eq(0, p.returncode, f"remove ({p.stderr.strip()})")
    assert victim in p.stdout and (events == 0 or f"and {events} of its" in p.stdout), p.stdout
    p = CS.cs("record", "remove", "citizen", cit)
    eq(1, p.returncode, "a citizen is not removed this way")
    assert "erase-citizen" in p.stderr, p.stderr
    p = HONEST.sync()
    eq(0, p.returncode, f"sync ({p.stderr.strip()})")
    got = HONEST.ids()
    assert {"poison-deep", "poison-missing"} <= got["case"], "the rewritten cases arrived"
    assert victim not in got["case"], "the removed case is gone from the kiosk"
    converged(HONEST, CS, "after the repair", POISONED)


def casestore_db_of_an_earlier_version_gets_the_digest_column():
    uid = str(uuidlib.uuid4())
    text = item(uid, CS.last_seq(BAD) + 1, None, kind="callback", main="ovrigt",
                type_="aterringning", klass="information", payload='{"phone":"+46701234567"}')
    status, answer = hostile_push(text)
    eq("accepted", answer["results"][0]["status"], "a callback")
    CS.stop()
    with CS.db() as db:
        db.execute("ALTER TABLE submissions DROP COLUMN digest")  # as before this version
    CS.start()
    with CS.db() as db:
        cols = [r[1] for r in db.execute("PRAGMA table_info(submissions)")]
    assert "digest" in cols, cols
    status, answer = hostile_push(text.replace("+46701234567", "+46700000000"))
    eq("duplicate", answer["results"][0]["status"], "a row without a digest counts as matching")


if sync_fixture.ON_PG:
    skip("casestore_db_of_an_earlier_version_gets_the_digest_column",
         "a casestore.db of an earlier version is SQLite's; PostgreSQL's schema starts at version 1")
else:
    test(casestore_db_of_an_earlier_version_gets_the_digest_column)


CS.stop()
finish(TMP)
