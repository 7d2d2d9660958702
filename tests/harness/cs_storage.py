"""Where a test's casestore keeps its data, and a connection to it that works for both back
ends. With CASESTORE_STORAGE=postgresql (the `-pg` registrations in tests/integration/
meson.build) each data directory gets a fresh database in this process's throwaway PostgreSQL
cluster (pg_cluster.py); otherwise the data is DIR/casestore.db as always.

    run(CASESTORE, "init", "--data", DATA, *storage_args(DATA))
    with connect(DATA) as db: db.execute("SELECT ...", (...)).fetchall()
"""
import contextlib
import os
import re
import sqlite3

ON_PG = os.environ.get("CASESTORE_STORAGE", "sqlite") == "postgresql"
_urls = {}


def storage_url(data):
    """The PostgreSQL URL of data's database (created on first use), or None on SQLite."""
    if not ON_PG:
        return None
    if data not in _urls:
        from pg_cluster import cluster
        parts = os.path.normpath(data).split(os.sep)[-2:]
        _urls[data] = cluster().create_database("cs_" + re.sub(r"\W", "_", "_".join(parts))[-50:])
    return _urls[data]


def share(data, url):
    """Makes data (another instance's directory) use url's database."""
    _urls[data] = url


def storage_args(data):
    """--storage URL for a casestore whose data directory is data, or nothing on SQLite."""
    url = storage_url(data)
    return ["--storage", url] if url else []


@contextlib.contextmanager
def connect(data, timeout=30):
    """A DB-API connection to the data of the casestore in data (SQLite's SQL works on both:
    pg_cluster.translate); commits at the end, always closes."""
    url = storage_url(data)
    if url:
        from pg_cluster import Connection
        conn = Connection(url)
    else:
        # sqlite3's own "with" commits but does not close; an open handle would keep the old
        # WAL when a test replaces the database file.
        conn = sqlite3.connect(os.path.join(data, "casestore.db"), timeout=timeout)
    try:
        yield conn
        conn.commit()
    finally:
        conn.close()
