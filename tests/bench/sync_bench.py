#!/usr/bin/env python3
"""Sync benchmark over loopback TLS (not a test: prints figures).

    python3 tests/bench/sync_bench.py BUILD_DIR [--citizens N] [--changes N] [--submissions N]
                                      [--storage postgresql|postgresql://...]

--storage keeps casestore's data in PostgreSQL: a URL, or "postgresql" for a throwaway cluster
(tests/harness/pg_cluster.py).

With the stadsdel-scale dataset (100 000 citizens; the kiosk's scope is every district, so it
takes the whole set): the first full sync (records/s end to end), an incremental sync of N
changes, delivering N queued submissions, bytes on the wire per record, and the peak memory of
client and server. The first sync's CPU time (kiosk and casestore) is printed beside its wall
clock, which on a shared machine also counts other processes' work."""
import argparse
import os
import re
import resource
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time

ap = argparse.ArgumentParser()
ap.add_argument("build")
ap.add_argument("--citizens", type=int, default=100000)
ap.add_argument("--changes", type=int, default=1000)
ap.add_argument("--submissions", type=int, default=10000)
ap.add_argument("--storage")
a = ap.parse_args()
M = os.path.join(a.build, "minasidor")
CS = os.path.join(a.build, "sync/server/casestore")
H = os.path.join(a.build, "tests/integration/kiosk_helper")
tmp = tempfile.mkdtemp(prefix="minasidor-syncbench-")
data, kiosk = os.path.join(tmp, "cs"), os.path.join(tmp, "kiosk")
conf = os.path.join(kiosk, "minasidor.conf")
STORAGE = []
if a.storage:
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "harness"))
    from pg_cluster import cluster, Connection
    # the tests' throwaway cluster, committing durably as SQLite does (synchronous=FULL)
    url = (cluster(durable=True).create_database("syncbench") if a.storage == "postgresql"
           else a.storage)
    STORAGE = ["--storage", url]
ALL = ("bromma,enskede_arsta,farsta,hagersten,hasselby_vallingby,katarina_sofia,kista,"
       "kungsholmen,liljeholmen,maria_gamla_stan,norrmalm,rinkeby,skarpnack,skarholmen,"
       "spanga_tensta,vantor,alvsjo,ostermalm")


def run(*args):
    p = subprocess.run(list(args), capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"{args[0]} failed: {p.stderr}")
    return p.stdout


def timed(*args):
    t0 = time.monotonic()
    out = run(*args)
    return time.monotonic() - t0, out


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def process_cpu(pid):
    """Seconds of CPU (user and system) a running process has used."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def casestore_db():
    return Connection(url) if STORAGE else sqlite3.connect(os.path.join(data, "casestore.db"))


pin = run(CS, "init", "--data", data, *STORAGE).strip()
print(f"seeding {a.citizens} citizens...", file=sys.stderr)
run(CS, "seed", "--data", data, *STORAGE, "--citizens", str(a.citizens))
with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
server = subprocess.Popen([CS, "serve", "--data", data, *STORAGE, "--listen", f"127.0.0.1:{port}"],
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
server.stdout.readline()
token = run(CS, "token", "create", "--data", data, *STORAGE, "--site", "bench", "--districts",
            ALL).strip()

kiosk_cpu, server_cpu = children_cpu(), process_cpu(server.pid)
secs, out = timed(M, "provision", "--server", f"https://127.0.0.1:{port}", "--pin", pin,
                  "--token", token, "--state-dir", kiosk)
m = re.search(r"first sync: (\d+) records in (\d+) pages.*?(\d+) bytes", out)
records, pages, wire = int(m.group(1)), int(m.group(2)), int(m.group(3))
# CPU time beside the wall clock: on a shared machine the wall clock also counts others' work.
kiosk_cpu, server_cpu = children_cpu() - kiosk_cpu, process_cpu(server.pid) - server_cpu

db = casestore_db()
ids = [r[0] for r in db.execute("SELECT id FROM records WHERE kind='invoice' LIMIT ?",
                                (a.changes,))]
# The city's systems mark invoices paid: one change each, logged as casestore would.
if STORAGE:  # positions from change_head, as storage_postgres.c appends
    for i in ids:
        db.execute("UPDATE records SET fields=jsonb_set(fields::jsonb, '{paid}', '1')::text"
                   " WHERE kind='invoice' AND id=?", (i,))
        db.execute("WITH h AS (UPDATE change_head SET seq = seq + 1 RETURNING seq) INSERT"
                   " INTO changes SELECT h.seq, 'invoice', ?, r.district, 'upsert' FROM h,"
                   " records r WHERE r.kind='invoice' AND r.id=?", (i, i))
else:
    db.executemany("UPDATE records SET fields=json_set(fields, '$.paid', 1) WHERE"
                   " kind='invoice' AND id=?", [(i,) for i in ids])
    db.executemany("INSERT INTO changes (kind, id, district, op) SELECT 'invoice', id,"
                   " district, 'upsert' FROM records WHERE kind='invoice' AND id=?",
                   [(i,) for i in ids])
db.commit()
db.close()
inc_secs, inc_out = timed(M, "--config", conf, "sync", "--once")
inc_records = int(re.search(r"pulled (\d+) records", inc_out).group(1))

db = casestore_db()
pnr = db.execute("SELECT json_extract(fields, '$.pnr') FROM records WHERE kind='citizen'"
                 " LIMIT 1").fetchone()[0]
db.close()
run(H, conf, "submit", pnr, "application", "aldreomsorg", "hemtjanst", "ny_ansokan",
    str(a.submissions))
push_secs, push_out = timed(M, "--config", conf, "sync", "--once")
accepted = int(re.search(r"pushed (\d+) accepted", push_out).group(1))

with open(f"/proc/{server.pid}/status") as f:
    server_rss = int(re.search(r"VmHWM:\s+(\d+)", f.read()).group(1)) / 1024
server.terminate()
server.wait()
client_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

print(f"first full sync:        {records} records in {pages} pages, {secs:.1f} s,"
      f" {records / secs:.0f} records/s (provisioning included)")
print(f"  CPU time:             kiosk {kiosk_cpu:.1f} s, casestore {server_cpu:.1f} s")
print(f"bytes on the wire:      {wire / records:.0f} bytes/record (JSON, gzip)")
print(f"incremental sync:       {inc_records} changed records in {inc_secs:.2f} s")
print(f"push:                   {accepted} submissions delivered in {push_secs:.2f} s"
      f" ({accepted / push_secs:.0f}/s), then pulled back as cases")
print(f"peak memory:            client {client_rss:.0f} MB (largest child process),"
      f" server {server_rss:.0f} MB")
shutil.rmtree(tmp)
