"""A throwaway PostgreSQL cluster for the tests that run casestore on PostgreSQL: initdb and
pg_ctl (PostgreSQL 15's, or $PG_BIN) in a temporary directory, listening only on a Unix socket
in that directory, started by the test itself and removed when the test process exits (also
when it fails or is terminated). initdb refuses to run as root, so as root the cluster runs as
an unprivileged system user (minasidor-pgtest, created once). Each Casestore gets a fresh
database in it.

    from pg_cluster import cluster
    url = cluster().create_database("cs1")     # postgresql:///cs1?host=...&user=postgres
    with cluster().connect("cs1") as db: ...    # a DB-API connection (psycopg2)
"""
import atexit
import contextlib
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile

PG_BIN = os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin")
USER = "minasidor-pgtest"

try:
    import psycopg2
except ImportError:  # a python3 other than Debian's (pyenv): Debian's python3-psycopg2 fits 3.11
    sys.path.append("/usr/lib/python3/dist-packages")
    import psycopg2


def _system_user():
    """The user the cluster runs as: ourselves, or as root an unprivileged system user."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent",
                        "--shell", "/usr/sbin/nologin", USER], capture_output=True)
    try:
        return pwd.getpwnam(USER)
    except KeyError:
        return pwd.getpwnam("nobody")


class Cluster:
    def __init__(self, durable=False):
        self.dir = tempfile.mkdtemp(prefix="minasidor-pg-")
        self.data = os.path.join(self.dir, "data")
        self.log = os.path.join(self.dir, "postgres.log")
        self.user = _system_user()
        self.running = False
        self.n = 0
        if self.user is not None:
            os.chown(self.dir, self.user.pw_uid, self.user.pw_gid)
        # The socket lives here; casestore (another user, when we are root) connects to it.
        os.chmod(self.dir, 0o755)
        self._as_owner([os.path.join(PG_BIN, "initdb"), "-D", self.data, "-U", "postgres",
                        "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"])
        # A test cluster: no durability to pay for (the tests kill casestore, never this), one
        # socket, no TCP. A benchmark's (durable) commits durably, as PostgreSQL does by
        # default and as casestore's SQLite does (synchronous=FULL), so the two compare.
        opts = f"-k {self.dir} -c listen_addresses='' -c max_connections=200"
        if not durable:
            opts += (" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
                     " -c shared_buffers=64MB")
        self._as_owner([os.path.join(PG_BIN, "pg_ctl"), "-D", self.data, "-l", self.log, "-o",
                        opts, "-w", "-t", "60", "start"])
        self.running = True

    def _as_owner(self, args):
        if self.user is not None:
            args = ["runuser", "-u", self.user.pw_name, "--"] + args
        p = subprocess.run(args, capture_output=True, text=True, cwd="/")
        if p.returncode != 0:
            log = open(self.log).read()[-2000:] if os.path.exists(self.log) else ""
            tool = next(os.path.basename(a) for a in args if a.startswith(PG_BIN))
            raise RuntimeError(f"{tool} failed: {p.stderr.strip()} {log}")
        return p

    def url(self, name):
        return f"postgresql:///{name}?host={self.dir}&user=postgres"

    def create_database(self, name):
        """A fresh, empty database (any of that name before is dropped); its URL."""
        name = "".join(ch if ch.isalnum() else "_" for ch in name.lower())
        with contextlib.closing(psycopg2.connect(self.url("postgres"))) as c:
            c.autocommit = True
            with c.cursor() as cur:
                cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                cur.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def admin(self, sql):
        """Runs sql outside a transaction in the maintenance database (CREATE DATABASE ...)."""
        with contextlib.closing(psycopg2.connect(self.url("postgres"))) as c:
            c.autocommit = True
            with c.cursor() as cur:
                cur.execute(sql)

    def size(self, name):
        """The bytes database name takes on disk."""
        with contextlib.closing(psycopg2.connect(self.url("postgres"))) as c:
            with c.cursor() as cur:
                cur.execute("SELECT pg_database_size(%s)", (name,))
                return cur.fetchone()[0]

    def stop(self):
        if self.running:
            self.running = False
            self._as_owner([os.path.join(PG_BIN, "pg_ctl"), "-D", self.data, "-m", "immediate",
                            "-w", "stop"])
        shutil.rmtree(self.dir, ignore_errors=True)


_cluster = None


def _on_signal(signum, frame):
    sys.exit(128 + signum)  # runs atexit: the cluster goes too


def cluster(durable=False):
    """This process's cluster, started on first use (durable: see Cluster) and removed at
    exit."""
    global _cluster
    if _cluster is None:
        _cluster = Cluster(durable)
        atexit.register(_cluster.stop)
        for s in (signal.SIGTERM, signal.SIGHUP):
            if signal.getsignal(s) in (signal.SIG_DFL, None):
                signal.signal(s, _on_signal)
    return _cluster


def translate(sql, params=()):
    """SQLite's SQL as the tests write it, for PostgreSQL through psycopg2: ?N and ?
    placeholders, json_extract(X, '$.a.b') (typed, as SQLite's: a JSON value becomes the
    Python value), json_set(X, '$.a', 'text') and rowid (n: the order rows were written)."""
    import re
    sql = sql.replace("%", "%%")
    sql = re.sub(r"json_extract\(([\w.]+), '\$\.([\w.]+)'\)",
                 lambda m: "(cs_json(%s) #> '{%s}')" % (m.group(1), m.group(2).replace(".", ",")),
                 sql)
    sql = re.sub(r"json_set\(([\w.]+), '\$\.(\w+)', ('[^']*')\)",
                 r"(jsonb_set(cs_json(\1), '{\2}', to_jsonb(\3::text)))::text", sql)
    sql = re.sub(r"\browid\b", "n", sql)
    if re.search(r"\?\d", sql):
        sql = re.sub(r"\?(\d+)", r"%(p\1)s", sql)
        params = {f"p{i + 1}": v for i, v in enumerate(params)}
    else:
        sql = sql.replace("?", "%s")
    return sql, params


class Connection:
    """A psycopg2 connection that takes the tests' SQLite-flavoured SQL (translate)."""

    def __init__(self, url):
        self.conn = psycopg2.connect(url)

    def execute(self, sql, params=()):
        cur = self.conn.cursor()
        cur.execute(*translate(sql, params))
        return cur

    def commit(self):
        self.conn.commit()

    def close(self):
        self.conn.close()
