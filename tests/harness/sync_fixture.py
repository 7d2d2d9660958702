"""What the sync-side suites share: a real casestore process (init, seed, serve over TLS on a
loopback port, its database) and a real kiosk (provision, sync, the test helper), from the
binaries the suite is given as MINASIDOR CASESTORE HELPER (argv 1..3). Import with
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "harness"))
"""
import contextlib
import copy
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

from taptest import free_port

from cs_storage import ON_PG, connect, share, storage_url  # noqa: F401 - ON_PG for the tests

MINASIDOR, CASESTORE, HELPER = sys.argv[1:4]
TMP = tempfile.mkdtemp(prefix="minasidor-%s-" % os.path.basename(sys.argv[0])[:-3])
KIND_TABLE = {"citizen": "citizens", "case": "cases", "case_event": "case_events",
              "case_document": "case_documents", "queue_entry": "queue_entries",
              "invoice": "invoices", "permit": "permits", "appointment": "appointments",
              "payout": "payouts", "article": "articles", "unit": "units"}


def umasked(umask):
    """A preexec_fn that runs the child under umask (None: as we are)."""
    return (lambda: os.umask(umask)) if umask is not None else None


def run(*args, env=None, check=False, timeout=120, input=None, umask=None):
    e = dict(os.environ)
    e.update(env or {})
    p = subprocess.run(list(args), capture_output=True, text=True, env=e, timeout=timeout,
                       input=input, preexec_fn=umasked(umask))
    if check and p.returncode != 0:
        raise AssertionError(f"{args[0]} {args[1:4]} failed: {p.stderr.strip()}")
    return p


class Casestore:
    storage_url = None  # PostgreSQL's URL, or None: DIR/casestore.db (also for one made by hand)

    def __init__(self, name, citizens=300, seed=7, umask=None, storage=None):
        """storage: a PostgreSQL URL to share (another instance of the same case store, with
        the same data directory); by default per CASESTORE_STORAGE."""
        self.data = os.path.join(TMP, name)
        if storage is not None:
            share(self.data, storage)
        self.storage_url = storage_url(self.data)
        self.pin = run(CASESTORE, "init", *self.where(), check=True, umask=umask).stdout.strip()
        if citizens:
            run(CASESTORE, "seed", *self.where(), "--citizens", str(citizens), "--seed",
                str(seed), check=True)
        self.proc = None
        # Beside the data directory, not in it: that is casestore's own, and private.
        self.log = os.path.join(TMP, name + "-serve.log")
        self.port = free_port()  # kept across restarts: kiosks have the URL in their settings
        self.url = f"https://127.0.0.1:{self.port}"
        self.rp_dir = os.path.join(TMP, name + "-rp")  # the relying party's certificate (BankID)
        self.cs("rp-cert", "--out", self.rp_dir)

    def instance(self, name):
        """Another casestore process serving this one's data (its PostgreSQL database) with the
        same keys (the data directory): its own port and log, the same pin. Not started."""
        other = copy.copy(self)
        other.proc = None
        other.port = free_port()
        other.url = f"https://127.0.0.1:{other.port}"
        other.log = os.path.join(TMP, name + "-serve.log")
        return other

    def ids(self, districts=None):
        """Every id the case store has, per kind; of the given districts' only (and the shared
        "*"), unless None."""
        ids = {kind: set() for kind in KIND_TABLE}
        where, args = "", ()
        if districts is not None:
            where = " WHERE district IN (%s) OR district = '*'" % ",".join("?" * len(districts))
            args = tuple(districts)
        with self.db() as db:
            for kind, rid in db.execute("SELECT kind, id FROM records" + where, args):
                ids[kind].add(rid)
        return ids

    def where(self):
        """--data DIR, and --storage URL when the data is in PostgreSQL."""
        return ["--data", self.data] + (["--storage", self.storage_url] if self.storage_url
                                        else [])

    def cs(self, *args, check=True, input=None, umask=None):
        return run(CASESTORE, *args[:1], *self.where(), *args[1:], check=check, input=input,
                   umask=umask)

    def token(self, districts="bromma,kista"):
        return self.cs("token", "create", "--site", "test-mbk", "--districts",
                       districts).stdout.strip()

    def start(self, inject=(), env=None, extra=(), umask=None):
        self.stop()
        args = [CASESTORE, "serve", *self.where(), "--listen", f"127.0.0.1:{self.port}", *extra]
        for f in inject:
            args += ["--inject", f]
        e = dict(os.environ, CASESTORE_LOG_LEVEL="info")
        e.update(env or {})
        logf = open(self.log, "a")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=logf, text=True, env=e,
                                     preexec_fn=umasked(umask))
        line = self.proc.stdout.readline()
        for _ in range(50):  # the previous process may still hold the port for a moment
            if "listening" in line:
                break
            self.proc.wait(timeout=10)
            time.sleep(0.1)
            self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=logf, text=True,
                                         env=e, preexec_fn=umasked(umask))
            line = self.proc.stdout.readline()
        assert "listening" in line, f"casestore did not start: {line}"

    def stop(self):
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            self.proc = None

    def put(self, kind, rid, fields_text, citizen=None, parent=None, district="bromma"):
        """Writes a record as it is and logs its change, the way a buggy city system (or one
        from before casestore validated) would."""
        with self.db() as db:
            db.execute("INSERT INTO records VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (kind, id) DO"
                       " UPDATE SET citizen=excluded.citizen, parent=excluded.parent,"
                       " district=excluded.district, fields=excluded.fields",
                       (kind, rid, citizen, parent, district, fields_text))
            self.log_change(db, kind, rid, district, "upsert")

    def log_change(self, db, kind, rid, district, op):
        """Appends a change to the log on db (a connection from db()), as casestore does."""
        if self.storage_url:  # positions come from change_head (storage_postgres.c)
            db.execute("WITH h AS (UPDATE change_head SET seq = seq + 1 RETURNING seq)"
                       " INSERT INTO changes SELECT h.seq, ?, ?, ?, ? FROM h",
                       (kind, rid, district, op))
        else:
            db.execute("INSERT INTO changes (kind, id, district, op) VALUES (?, ?, ?, ?)",
                       (kind, rid, district, op))

    def head(self):
        with self.db() as db:
            return db.execute("SELECT max(seq) FROM changes").fetchone()[0]

    @contextlib.contextmanager
    def db(self):
        """A connection to the case store's data, SQLite or PostgreSQL: execute takes SQLite's
        SQL (pg_cluster.translate), commits at the end."""
        with connect(self.data) as conn:
            yield conn

    def backup(self, name):
        """A copy of the data as it is now (the server stopped), for restore."""
        if self.storage_url:
            from pg_cluster import cluster
            db = self.storage_url.split("?")[0].rsplit("/", 1)[1]
            cluster().admin(f'DROP DATABASE IF EXISTS "{db}_{name}"')
            cluster().admin(f'CREATE DATABASE "{db}_{name}" TEMPLATE "{db}"')
            return f"{db}_{name}"
        path = os.path.join(TMP, f"{os.path.basename(self.data)}-{name}.db")
        with self.db() as db, contextlib.closing(sqlite3.connect(path)) as b:
            db.backup(b)
        return path

    def restore(self, backup):
        """Puts a backup in place of the data (the server stopped)."""
        if self.storage_url:
            from pg_cluster import cluster
            db = self.storage_url.split("?")[0].rsplit("/", 1)[1]
            cluster().admin(f'DROP DATABASE "{db}" WITH (FORCE)')
            cluster().admin(f'CREATE DATABASE "{db}" TEMPLATE "{backup}"')
            return
        for suffix in ("-wal", "-shm"):
            path = os.path.join(self.data, "casestore.db" + suffix)
            if os.path.exists(path):
                os.unlink(path)
        shutil.copy(backup, os.path.join(self.data, "casestore.db"))

    def scope_counts(self, districts):
        marks = ",".join("?" * len(districts))
        with self.db() as db:
            rows = db.execute(f"SELECT kind, count(*) FROM records WHERE district IN ({marks})"
                              " OR district = '*' GROUP BY kind", districts).fetchall()
        return {KIND_TABLE[k]: n for k, n in rows}

    def submissions(self, device=None):
        with self.db() as db:
            return dict(db.execute("SELECT status, count(*) FROM submissions WHERE ?1 IS NULL"
                                   " OR device_id=?1 GROUP BY status", (device,)))

    def citizen_in(self, district, skip=0):
        with self.db() as db:
            return db.execute("SELECT id, json_extract(fields, '$.pnr') FROM records WHERE"
                              " kind='citizen' AND district=? ORDER BY id LIMIT 1 OFFSET ?",
                              (district, skip)).fetchone()


class Kiosk:
    def __init__(self, name):
        self.dir = os.path.join(TMP, name)
        self.conf = os.path.join(self.dir, "minasidor.conf")

    def provision(self, cs, token, pin=None, force=False):
        # The one-time token on standard input, as a technician gives it: never in `ps`.
        args = [MINASIDOR, "provision", "--server", cs.url, "--pin", pin or cs.pin, "--token",
                "-", "--site-name", "Testkontoret", "--state-dir", self.dir]
        if force:
            args.append("--force")
        return run(*args, input=token + "\n")

    def sync(self, via=None, timeout=120):
        """One sync run; via= another base URL (a fault proxy) for this run only."""
        args = [MINASIDOR, "--config", self.conf]
        if via is not None:
            args += ["--set", f"server.url={via}"]
        return run(*args, "sync", "--once", timeout=timeout)

    def device(self):
        return re.search(r"^id = (\S+)", open(self.conf).read(), re.M).group(1)

    def identify(self, cs, pnr):
        """`minasidor identify` against cs's BankID simulator, with cs's phone approving as the
        person pnr. Returns what identify printed."""
        p = subprocess.Popen([MINASIDOR, "--config", self.conf,
                              "--set", f"identity.url={cs.url}/rp/v6.0",
                              "--set", f"identity.pin={cs.pin}",
                              "--set", f"identity.rp_cert={cs.rp_dir}/rp.crt",
                              "--set", f"identity.rp_key={cs.rp_dir}/rp.key", "identify"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for line in p.stdout:
            if line.startswith("qr: "):
                ph = run(CASESTORE, "phone", *cs.where(), line[4:].strip(), "--pnr", pnr)
                assert ph.returncode == 0, ph.stderr
                break
        out, err = p.communicate(timeout=60)
        assert p.returncode == 0, f"identify failed: {out} {err}"
        return out

    def cache(self, sql, args=()):
        """Rows of the kiosk's cache.db as it is on disk (sealed fields stay sealed)."""
        with contextlib.closing(sqlite3.connect(os.path.join(self.dir, "cache.db"))) as db:
            return db.execute(sql, args).fetchall()

    def doctor(self, check):
        """(level, detail) of one of `minasidor doctor`'s checks; (None, output) if missing."""
        p = run(MINASIDOR, "--config", self.conf, "doctor")
        m = re.search(r"^(\w+)\s+%s\s+(.*)$" % re.escape(check), p.stdout, re.M)
        return (m.group(1), m.group(2)) if m else (None, p.stdout + p.stderr)

    def helper(self, *args):
        return run(HELPER, self.conf, *args)

    def counts(self):
        out = self.helper("counts").stdout
        return {k: int(v) for k, v in (line.split() for line in out.splitlines())}

    def cursor(self):
        with contextlib.closing(sqlite3.connect(os.path.join(self.dir, "cache.db"))) as db:
            return db.execute("SELECT cursor FROM sync_state").fetchone()[0]


def pending(k):
    c = k.counts()
    return c.get("outbox.queued", 0) + c.get("outbox.sending", 0)


def synced_counts(k):
    c = k.counts()
    return {t: c.get(t, 0) for t in KIND_TABLE.values() if c.get(t, 0)}


def kiosk_ids(conf, cache_db, candidates):
    """The case store ids a kiosk holds, per kind. The cache keeps keyed references, not ids
    (store schema 5), so the kiosk's helper turns each candidate id (e.g. every id the case store
    has of that kind) into its reference; a reference no candidate explains is returned as
    "ref:<hex>" so that it still shows up as extra."""
    refs = {}
    with contextlib.closing(sqlite3.connect(cache_db)) as db:
        for kind, table in KIND_TABLE.items():
            refs[kind] = {r[0] for r in db.execute(f"SELECT server_id FROM {table}")
                          if not r[0].startswith("erased:")}
    ids = {}
    for kind in KIND_TABLE:
        wanted = sorted(candidates.get(kind, ()))
        p = subprocess.run([HELPER, conf, "refs", kind], input="".join(i + "\n" for i in wanted),
                           capture_output=True, text=True, timeout=120)
        assert p.returncode == 0, f"kiosk_helper refs {kind}: {p.stderr.strip()}"
        by_ref = {ref: i for i, ref in (line.split("\t") for line in p.stdout.splitlines())}
        ids[kind] = {by_ref.get(r, "ref:" + r) for r in refs[kind]}
    return ids
