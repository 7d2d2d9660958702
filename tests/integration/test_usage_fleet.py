#!/usr/bin/env python3
"""Suite `sync`: statistics without personal data and fleet health (issue 17). Real kiosks count
their use (the store's usage API, through the test helper), `minasidor sync --once` sends the
counts and the doctor's health to a real casestore over TLS (POST /v1/status), and the city reads
them with `casestore report usage` and `casestore fleet`. Hostile bodies, signed with a real
device key, go through the real protocol. The case store's clock is shifted with
CASESTORE_CLOCK_OFFSET_S, never waited for. Prints TAP."""
import csv
import io
import json
import os
import re
import sys
import time
import uuid as uuidlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "harness"))
import sync_fixture  # noqa: E402
from sync_fixture import TMP, Casestore, run  # noqa: E402
from taptest import eq, finish, test  # noqa: E402

DAY = 86400
NOW = int(time.time())
TODAY = NOW // DAY
D1 = time.strftime("%Y-%m-%d", time.gmtime((TODAY - 2) * DAY))  # two days ago
D0 = time.strftime("%Y-%m-%d", time.gmtime(TODAY * DAY))
AT1 = (TODAY - 2) * DAY + 12 * 3600  # noon, two days ago
AT0 = TODAY * DAY + 60

CS = Casestore("usage", citizens=120)
CS.start()


class Kiosk(sync_fixture.Kiosk):
    def count(self, counter, n, at):
        p = self.helper("usage", counter, str(n), str(at))
        eq(0, p.returncode, f"kiosk_helper usage {counter}: {p.stderr.strip()}")

    def sync_ok(self, *sets):
        args = [sync_fixture.MINASIDOR, "--config", self.conf]
        for s in sets:
            args += ["--set", s]
        p = run(*args, "sync", "--once")
        eq(0, p.returncode, f"sync ({p.stderr.strip()})")
        return p

    def post(self, body):
        """Signs body with this kiosk's device key and POSTs it to /v1/status: (status, text)."""
        f = os.path.join(TMP, f"body-{uuidlib.uuid4()}.json")
        with open(f, "w") as out:
            out.write(body if isinstance(body, str) else json.dumps(body))
        p = self.helper("post-raw", "/v1/status", f)
        os.unlink(f)
        assert p.returncode == 0, f"post-raw: {p.stderr.strip()}"
        status, _, text = p.stdout.partition("\n")
        return int(status), text.strip()

    def unsent(self):
        return self.cache("SELECT (SELECT count(*) FROM usage_counters),"
                          " (SELECT count(*) FROM usage_batch)")[0]


def report(*args, check=True):
    p = CS.cs("report", "usage", *args, check=False)
    if check:
        eq(0, p.returncode, f"report usage {args} ({p.stderr.strip()})")
    return p


def report_json(*args):
    return {(r["day"], r["site"], r["counter"]): r["count"]
            for r in json.loads(report("--json", *args).stdout)["rows"]}


def fleet(*args, offset=0):
    return run(sync_fixture.CASESTORE, "fleet", *CS.where(), *args,
               env={"CASESTORE_CLOCK_OFFSET_S": str(offset)})


A, B, C = Kiosk("kiosk-a"), Kiosk("kiosk-b"), Kiosk("kiosk-c")
OUTPUTS = []  # every report and fleet output, for the privacy check at the end


@test
def counts_arrive_summed_per_site_and_day_and_the_kiosk_forgets_them():
    eq(0, A.provision(CS, CS.token()).returncode, "provision A")
    eq(0, B.provision(CS, CS.token()).returncode, "provision B")
    kista = CS.cs("token", "create", "--site", "kista-mbk", "--districts", "kista").stdout.strip()
    eq(0, C.provision(CS, kista).returncode, "provision C")
    A.count("visit", 7, AT1)
    A.count("screen.overview", 20, AT1)
    A.count("lang.fi", 3, AT1)
    A.count("visit", 4, AT0)
    A.count("submit.callback", 6, AT1)
    B.count("visit", 5, AT1 + 3600)
    B.count("keypad_use", 11, AT1)
    C.count("visit", 9, AT1)
    for k in (A, B, C):
        p = k.sync_ok()
        assert "not sent" not in p.stderr, p.stderr
        eq((0, 0), k.unsent(), "the kiosk forgot what the case store confirmed")
    got = report_json()
    eq(12, got.get((D1, "test-mbk", "visit")), "two kiosks of a site summed per day")
    eq(20, got.get((D1, "test-mbk", "screen.overview")), "screens")
    eq(6, got.get((D1, "test-mbk", "submit.callback")), "callbacks by kind")
    eq(11, got.get((D1, "test-mbk", "keypad_use")), "keypad use")
    eq(9, got.get((D1, "kista-mbk", "visit")), "another site apart")
    with CS.db() as db:
        eq(3, db.execute("SELECT count FROM usage_daily WHERE counter='lang.fi'").fetchone()[0],
           "small counts are stored as they are")
        # str(): PostgreSQL keeps a day as a DATE, SQLite as its text
        days = {str(r[0]) for r in db.execute("SELECT day FROM usage_daily")}
    eq({D0, D1}, days, "per day, nothing finer")


@test
def small_counts_are_suppressed_in_every_format():
    got = report_json()
    eq(None, got[(D1, "test-mbk", "lang.fi")], "3 is suppressed (JSON null)")
    eq(None, got[(D0, "test-mbk", "visit")], "4 is suppressed")
    rows = json.loads(report("--json").stdout)["rows"]
    hidden = [r for r in rows if r["suppressed"]]
    assert hidden and all(r["count"] is None for r in hidden), rows
    eq(5, json.loads(report("--json").stdout)["suppressed_below"], "threshold")
    table = report().stdout
    OUTPUTS.append(table)
    assert re.search(rf"^{D1}\s+test-mbk\s+lang\.fi\s+<5$", table, re.M), table
    assert re.search(rf"^{D1}\s+test-mbk\s+visit\s+12$", table, re.M), table
    assert "no totals" in table, table
    assert " 3\n" not in table and " 4\n" not in table, table


@test
def csv_site_and_date_range_filter_the_rows():
    text = report("--csv").stdout
    OUTPUTS.append(text)
    rows = list(csv.reader(io.StringIO(text)))
    eq(["day", "site", "counter", "count"], rows[0], "CSV header")
    assert [D1, "test-mbk", "lang.fi", "<5"] in rows, rows
    assert [D1, "test-mbk", "visit", "12"] in rows, rows
    only = report_json("--site", "kista-mbk")
    eq({(D1, "kista-mbk", "visit"): 9}, only, "--site")
    eq({D1}, {k[0] for k in report_json("--from", D1, "--to", D1)}, "--from/--to one day")
    eq({D0}, {k[0] for k in report_json("--from", D0)}, "--from today")
    eq({}, report_json("--to", "2000-01-01"), "nothing that early")
    eq(2, report("--from", "2026-13-01", check=False).returncode, "a bad date is a usage error")
    eq(2, report("--json", "--csv", check=False).returncode, "one format")


@test
def a_retried_status_after_a_lost_answer_is_not_counted_twice():
    CS.start(inject=["lose:/v1/status:1"])
    A.count("visit", 6, AT1)
    p = A.sync_ok()
    assert "usage and health not sent" in p.stderr, p.stderr
    eq(1, A.unsent()[1] > 0, "the batch is kept after the lost answer")
    eq(18, report_json()[(D1, "test-mbk", "visit")], "the case store did count it once")
    A.count("visit", 2, AT1)  # counted while the batch waits: the next batch's
    A.sync_ok()  # the same batch again: a repeat
    eq(18, report_json()[(D1, "test-mbk", "visit")], "the repeat added nothing")
    eq((1, 0), A.unsent(), "the repeat was confirmed and forgotten; the new count waits")
    A.sync_ok()
    eq(20, report_json()[(D1, "test-mbk", "visit")], "the new count arrived, once")
    eq((0, 0), A.unsent(), "and was forgotten")
    CS.start()


def demo_personal_strings():
    """Personnummer, names and case numbers of the demo data, and every submission's uuid."""
    with CS.db() as db:
        out = set()
        for (f,) in db.execute("SELECT fields FROM records WHERE kind='citizen'"):
            d = json.loads(f)
            out |= {d["pnr"], d["pnr"][2:], d["given_name"], d["surname"]}
        for (f,) in db.execute("SELECT fields FROM records WHERE kind='case'"):
            out.add(json.loads(f)["case_number"])
        out |= {u for (u,) in db.execute("SELECT uuid FROM submissions")}
    return {s for s in out if s and len(s) >= 4}


@test
def hostile_counters_and_health_are_refused_and_nothing_of_them_is_stored():
    with CS.db() as db:
        pnr, given, surname = db.execute(
            "SELECT json_extract(fields, '$.pnr'), json_extract(fields, '$.given_name'),"
            " json_extract(fields, '$.surname') FROM records WHERE kind='citizen'"
            " LIMIT 1").fetchone()
        case_number = db.execute("SELECT json_extract(fields, '$.case_number') FROM records"
                                 " WHERE kind='case' LIMIT 1").fetchone()[0]
    uuid = str(uuidlib.uuid4())
    health = {"version": "0.1.0", "last_sync": NOW, "outbox_age": 0, "failing": []}

    def body(entry=None, h=None, batch=1000):
        e = {"day": D1, "counter": "visit", "count": 5}
        e.update(entry or {})
        hh = dict(health)
        hh.update(h or {})
        return {"batch": batch, "usage": [e], "health": hh}

    hostile = {
        "personnummer as counter": body({"counter": pnr}),
        "name as counter": body({"counter": given}),
        "name after a known prefix": body({"counter": "screen." + surname.lower()}),
        "case number as counter": body({"counter": case_number}),
        "uuid as counter": body({"counter": uuid}),
        "lang with a personnummer": body({"counter": "lang." + pnr}),
        "negative count": body({"count": -5}),
        "zero count": body({"count": 0}),
        "huge count": body({"count": 10 ** 12}),
        "personnummer as count": body({"count": int(pnr)}),
        "personnummer as last sync": body(h={"last_sync": int(pnr)}),
        "count as text": body({"count": "5"}),
        "not a date": body({"day": "2026-02-30"}),
        "a time, not a day": body({"day": D1 + "T12:00:00Z"}),
        "a day long ago": body({"day": "2001-01-01"}),
        "a day ahead": body({"day": time.strftime("%Y-%m-%d",
                                                  time.gmtime((TODAY + 5) * DAY))}),
        "an extra member with a name": body({"name": given}),
        "a personnummer as version": body(h={"version": pnr}),
        "a name as version": body(h={"version": given}),
        "a uuid as failing check": body(h={"failing": [uuid]}),
        "a case number as failing check": body(h={"failing": [case_number]}),
        "extra health member": body(h={"citizen": pnr}),
        "counts without a batch": body(batch=0),
    }
    for what, b in hostile.items():
        status, text = A.post(b)
        eq(400, status, what)
        assert "invalid_request" in text, f"{what}: {text}"
        for s in (pnr, given, surname, case_number, uuid):
            assert s not in text, f"{what}: the answer repeats {s!r}: {text}"
    dup = body()
    dup["usage"].append(dict(dup["usage"][0]))
    eq(400, A.post(dup)[0], "the same day and counter twice")
    eq(400, A.post("[]")[0], "not an object")
    with CS.db() as db:
        counters = {r[0] for r in db.execute("SELECT DISTINCT counter FROM usage_daily")}
        health_rows = db.execute("SELECT version, failing FROM device_status").fetchall()
        last = db.execute("SELECT usage_batch FROM device_status WHERE device_id=?",
                          (A.device(),)).fetchone()[0]
    assert counters <= {"visit", "screen.overview", "lang.fi", "submit.callback",
                        "keypad_use"}, counters
    assert all(v in ("", "0.1.0") or re.fullmatch(r"[0-9.]+", v) for v, _ in health_rows), \
        health_rows
    assert last < 1000, "no refused batch moved the batch number"
    # A well-formed body through the same path is taken: the refusals were the content's.
    status, text = A.post(body(batch=last + 1))
    eq(200, status, f"a valid status ({text})")


def states(*args, offset=0):
    p = fleet("--json", *args, offset=offset)
    OUTPUTS.append(p.stdout)
    devices = json.loads(p.stdout)["devices"]
    return p.returncode, {d["device"]: (d["state"], d["failing"]) for d in devices}


@test
def fleet_lists_healthy_failing_and_silent_kiosks_with_exit_codes():
    for k in (A, B, C):
        k.sync_ok()
    rc, got = states()
    eq(0, rc, f"all healthy: exit 0 ({got})")
    eq({A.device(): ("ok", []), B.device(): ("ok", []), C.device(): ("ok", [])}, got, "states")
    # B mounted too high: the doctor's display check fails, and B says so with its next sync.
    B.sync_ok("display.bottom_edge_mm=2000")
    rc, got = states()
    eq(1, rc, "a failing kiosk: exit 1")
    eq(("failing", ["display"]), got[B.device()], "B names its failing check")
    eq(("ok", []), got[A.device()], "A is still ok")
    table = fleet()
    eq(1, table.returncode, "the table's exit code too")
    assert re.search(rf"^{B.device()}\s+test-mbk\s+0\.1\.0\s.*failing: display$", table.stdout,
                     re.M), table.stdout
    B.sync_ok()
    eq(0, states()[0], "B mended: exit 0")
    # 25 hours later by the case store's clock, nobody has synced: every kiosk is silent.
    rc, got = states(offset=25 * 3600)
    eq(1, rc, "silent kiosks: exit 1")
    eq({"silent"}, {s for s, _ in got.values()}, "all silent")
    rc, got = states("--silent-after", "2d", offset=25 * 3600)
    eq(0, rc, "within a longer threshold: exit 0")
    # One kiosk syncs in that later time; the others stay silent.
    CS.start(env={"CASESTORE_CLOCK_OFFSET_S": str(25 * 3600)})
    C.sync_ok()
    CS.start()
    rc, got = states(offset=25 * 3600 + 60)
    eq(1, rc, "two silent: exit 1")
    eq("ok", got[C.device()][0], "C was seen")
    eq("silent", got[A.device()][0], "A went silent")
    table = fleet(offset=25 * 3600 + 60).stdout
    assert re.search(rf"^{A.device()}\s.*silent$", table, re.M), table
    eq(2, fleet("--silent-after", "soon").returncode, "a bad duration is a usage error")


@test
def a_new_kiosk_is_new_until_the_threshold_and_a_revoked_one_is_left_out():
    D = Kiosk("kiosk-d")
    eq(0, D.provision(CS, CS.token()).returncode, "provision D")
    rc, got = states()  # provisioning's first sync sends no status; the first `sync` does
    eq("new", got[D.device()][0], "enrolled, not seen yet")
    eq(0, rc, "a new kiosk is no alarm")
    rc, got = states(offset=25 * 3600)
    eq("silent", got[D.device()][0], "never seen a day after enrolment")
    eq(0, CS.cs("device", "revoke", D.device(), check=False).returncode, "revoke D")
    rc, got = states()
    eq("revoked", got[D.device()][0], "revoked")
    eq(0, rc, "a revoked kiosk is no alarm")


@test
def no_personnummer_name_case_number_or_uuid_in_any_output():
    OUTPUTS.extend([report("--json").stdout, report("--csv").stdout, report().stdout,
                    fleet().stdout, fleet("--json").stdout])
    secrets = demo_personal_strings()
    assert len(secrets) > 100, f"the demo data has personal strings to look for: {len(secrets)}"
    with open(CS.log) as f:  # the case store's own log, hostile requests included
        OUTPUTS.append(f.read())
    for out in OUTPUTS:
        for s in secrets:
            assert s not in out, f"{s!r} appears in an output"
        # (times are 10 digits too: a personnummer's shape is 12 digits or a separator)
        assert not re.search(r"\b(19|20)\d{10}\b|\b\d{6,8}[-+]\d{4}\b", out), \
            f"something like a personnummer: {out}"
        assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-", out), f"something like a uuid: {out}"


CS.stop()
finish(TMP)
