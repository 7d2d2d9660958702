#!/usr/bin/env python3
"""Fleet load benchmark (not a test: prints figures).

    python3 tests/bench/fleet_bench.py BUILD_DIR [--citizens N] [--kiosks N] [--seconds S]
        [--storage sqlite|postgresql] [--instances N] [--processes N] [--push-ratio P]

A casestore seeded with N citizens (default 1 000 000; seeding is timed and printed), served by
--instances casestore processes (SQLite: one; PostgreSQL: any number on one throwaway cluster),
and --kiosks simulated kiosks (default 200) that speak the real protocol (sync/PROTOCOL.md):
each enrols with its own one-time token and Ed25519 key, then signs every request (Content-
Digest, Signature-Input with a fresh nonce, Signature). Each kiosk serves one district, as a
medborgarkontor does. It starts already in sync (its first page gives it citizens of its
district for its submissions and the server's head; the cursor is then set to the head, as a
kiosk that finished its first sync would have it) and then, for --seconds, pulls until the
server has no more and, after a share --push-ratio of its pulls, pushes one application for a
citizen of its district (which the server republishes as a case that the district's kiosks
pull). The kiosks are spread over --processes processes (default 2, one a core), a thread
each, on their own keep-alive TLS connection, with no pause between requests: the figures are
what the case store manages under a fleet that asks as fast as it is answered.

Prints: requests/s (all, pull, push), latency p50/p99 per endpoint, errors by status and code,
the records pulled and submissions accepted, the database's size, and the CPU time the case
store and the load generator used meanwhile (which of them had the cores).
"""
import argparse
import base64
import hashlib
import http.client
import json
import multiprocessing
import os
import random
import re
import secrets
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import uuid

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

DISTRICTS = ("bromma enskede_arsta farsta hagersten hasselby_vallingby katarina_sofia kista "
             "kungsholmen liljeholmen maria_gamla_stan norrmalm rinkeby skarpnack skarholmen "
             "spanga_tensta vantor alvsjo ostermalm").split()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Kiosk:
    """One simulated kiosk: its key, its connection, its cursor."""

    def __init__(self, host, port, token, district):
        self.host, self.port, self.token, self.district = host, port, token, district
        self.key = Ed25519PrivateKey.generate()
        self.conn = None
        self.device = None
        self.cursor = ""
        self.citizens = []
        self.seq = 0

    def connect(self):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE  # the kiosk pins the key; a bench need not
        self.conn = http.client.HTTPSConnection(self.host, self.port, context=ctx, timeout=60)

    def request(self, path, body, signed=True):
        data = json.dumps(body, separators=(",", ":")).encode()
        headers = {"Content-Type": "application/json", "Accept-Encoding": "identity"}
        if signed:
            digest = "sha-256=:" + base64.b64encode(hashlib.sha256(data).digest()).decode() + ":"
            params = ('("@method" "@path" "content-digest");created=%d;nonce="%s";keyid="%s";'
                      'alg="ed25519"' % (int(time.time()), secrets.token_urlsafe(16),
                                         self.device))
            base = ('"@method": POST\n"@path": %s\n"content-digest": %s\n"@signature-params": %s'
                    % (path, digest, params))
            sig = base64.b64encode(self.key.sign(base.encode())).decode()
            headers.update({"Content-Digest": digest, "Signature-Input": "sig1=" + params,
                            "Signature": "sig1=:%s:" % sig})
        for attempt in range(2):  # a keep-alive connection the server closed: once more
            try:
                if self.conn is None:
                    self.connect()
                self.conn.request("POST", path, data, headers)
                r = self.conn.getresponse()
                text = r.read()
                return r.status, json.loads(text) if text else {}
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                if attempt == 1:
                    raise
        raise AssertionError("unreachable")

    def enrol(self):
        pk = self.key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        status, body = self.request("/v1/enroll", {"token": self.token, "public_key":
                                                   base64.b64encode(pk).decode(),
                                                   "site_name": "bench"}, signed=False)
        if status != 200:
            raise RuntimeError(f"enrolment: {status} {body.get('error')}")
        self.device = body["device_id"]
        # The first page: citizens of the district to submit for, and the server's head.
        status, page = self.request("/v1/pull", {"cursor": "", "limit": 1000})
        if status != 200:
            raise RuntimeError(f"first page: {status} {page.get('error')}")
        self.citizens = [c["id"] for c in page["changes"] if c["kind"] == "citizen"
                         and c["op"] == "upsert"]
        # Already in sync: the reference server's cursor is "c<epoch>.<position>".
        m = re.fullmatch(r"c([0-9a-f]+)\.\d+", page["cursor"])
        self.cursor = f"c{m.group(1)}.{page['head']}"

    def submission(self):
        self.seq += 1
        return {"items": [{"uuid": str(uuid.uuid4()), "seq": self.seq, "kind": "application",
                           "main": "aldreomsorg", "type": "hemtjanst", "class": "ny_ansokan",
                           "citizen": random.choice(self.citizens),
                           "created_at": int(time.time()),
                           "payload": {"message": "Jag behöver hjälp med städning"},
                           "registered_by": {"by": "citizen", "identified_with": "bankid"}}]}


def kiosk_loop(k, start, deadline, push_ratio, out):
    """Incremental syncs and pushes until the deadline; out gets (endpoint, seconds, status,
    code, records)."""
    while time.monotonic() < start:
        time.sleep(0.01)  # all kiosks begin together (not a synchronisation of results)
    while time.monotonic() < deadline:
        more = True
        while more and time.monotonic() < deadline:
            t0 = time.monotonic()
            try:
                status, page = k.request("/v1/pull", {"cursor": k.cursor, "limit": 1000})
            except (http.client.HTTPException, OSError) as e:
                out.append(("pull", time.monotonic() - t0, 0, type(e).__name__, 0))
                break
            dt = time.monotonic() - t0
            if status != 200:
                out.append(("pull", dt, status, page.get("error", "?"), 0))
                break
            out.append(("pull", dt, status, "", len(page.get("changes", []))))
            k.cursor, more = page["cursor"], page["more"]
        if k.citizens and random.random() < push_ratio and time.monotonic() < deadline:
            t0 = time.monotonic()
            try:
                status, body = k.request("/v1/push", k.submission())
            except (http.client.HTTPException, OSError) as e:
                out.append(("push", time.monotonic() - t0, 0, type(e).__name__, 0))
                continue
            dt = time.monotonic() - t0
            accepted = sum(1 for r in body.get("results", []) if r.get("status") == "accepted")
            out.append(("push", dt, status, body.get("error", "") if status != 200 else "",
                        accepted))


def worker(assigned, push_ratio, seconds, conn):
    """One process: its kiosks enrol, then run together; sends back what they measured."""
    kiosks = [Kiosk(*a) for a in assigned]
    errors = []

    def enrol(k):
        try:
            k.enrol()
        except Exception as e:  # reported, and that kiosk sits out
            errors.append(str(e))

    threads = [threading.Thread(target=enrol, args=(k,)) for k in kiosks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    conn.send(("enrolled", len(kiosks) - len(errors), errors[:3]))
    start = conn.recv()  # the parent's monotonic start (CLOCK_MONOTONIC is system-wide)
    results = []
    outs = []
    threads = []
    for k in kiosks:
        if k.device is None:
            continue
        out = []
        outs.append(out)
        threads.append(threading.Thread(target=kiosk_loop,
                                        args=(k, start, start + seconds, push_ratio, out)))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for o in outs:
        results.extend(o)
    conn.send(("done", results))


def run(*args, **kw):
    p = subprocess.run(list(args), capture_output=True, text=True, **kw)
    if p.returncode != 0:
        sys.exit(f"{' '.join(args[:2])} failed: {p.stderr.strip()}")
    return p.stdout


def process_cpu(pid):
    """Seconds of CPU (user and system) a running process has used."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pct(xs, p):
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p / 100 * len(xs)))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--citizens", type=int, default=1_000_000)
    ap.add_argument("--kiosks", type=int, default=200)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--storage", choices=("sqlite", "postgresql"), default="sqlite")
    ap.add_argument("--instances", type=int, default=1)
    ap.add_argument("--processes", type=int, default=2)
    ap.add_argument("--push-ratio", type=float, default=0.2)
    ap.add_argument("--threads", type=int, default=4, help="casestore serve --threads")
    a = ap.parse_args()
    if a.storage == "sqlite" and a.instances != 1:
        sys.exit("SQLite serves from one instance (--instances 1)")
    cs = os.path.join(a.build, "sync/server/casestore")
    tmp = tempfile.mkdtemp(prefix="minasidor-fleetbench-")
    os.chmod(tmp, 0o755)
    data = os.path.join(tmp, "cs")
    pg = None
    if a.storage == "postgresql":
        # The tests' throwaway cluster (a Unix socket, an unprivileged user), committing durably.
        sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                        "harness"))
        from pg_cluster import cluster
        pg = cluster(durable=True)
    storage = ["--storage", pg.create_database("casestore")] if pg else []
    servers = []
    try:
        run(cs, "init", "--data", data, *storage)
        print(f"seeding {a.citizens} citizens...", file=sys.stderr)
        t0 = time.monotonic()
        run(cs, "seed", "--data", data, *storage, "--citizens", str(a.citizens))
        seed_s = time.monotonic() - t0
        ports = []
        for i in range(a.instances):
            port = free_port()
            p = subprocess.Popen([cs, "serve", "--data", data, *storage, "--listen",
                                  f"127.0.0.1:{port}", "--threads", str(a.threads),
                                  "--access-log", "/dev/null"],
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            servers.append(p)
            if "listening" not in p.stdout.readline():
                sys.exit("casestore serve did not start")
            ports.append(port)
        print(f"enrolling {a.kiosks} kiosks...", file=sys.stderr)
        assigned = [[] for _ in range(a.processes)]
        for i in range(a.kiosks):
            d = DISTRICTS[i % len(DISTRICTS)]
            token = run(cs, "token", "create", "--data", data, *storage, "--site",
                        f"bench-{i}", "--districts", d).strip()
            assigned[i % a.processes].append(("127.0.0.1", ports[i % len(ports)], token, d))
        pipes, procs = [], []
        for chunk in assigned:
            parent, child = multiprocessing.Pipe()
            p = multiprocessing.Process(target=worker, args=(chunk, a.push_ratio, a.seconds,
                                                             child))
            p.start()
            pipes.append(parent)
            procs.append(p)
        enrolled = 0
        for c in pipes:
            _, n, errs = c.recv()
            enrolled += n
            for e in errs:
                print(f"enrolment failed: {e}", file=sys.stderr)
        print(f"running {enrolled} kiosks for {a.seconds:.0f} s...", file=sys.stderr)
        start = time.monotonic() + 0.5
        server_cpu = sum(process_cpu(p.pid) for p in servers)
        load_cpu = sum(process_cpu(p.pid) for p in procs)
        for c in pipes:
            c.send(start)
        results = []
        for c in pipes:
            results.extend(c.recv()[1])
        # Who had the cores: the case store or the load generator (or, on a shared machine,
        # someone else).
        server_cpu = sum(process_cpu(p.pid) for p in servers) - server_cpu
        load_cpu = sum(process_cpu(p.pid) for p in procs) - load_cpu
        for p in procs:
            p.join()
        elapsed = a.seconds
        if pg:
            db_bytes = pg.size("casestore")
        else:
            db_bytes = sum(os.path.getsize(os.path.join(data, f)) for f in os.listdir(data)
                           if f.startswith("casestore.db"))
    finally:
        for p in servers:
            p.terminate()
            p.wait()
        if pg:
            pg.stop()  # (at exit too; stopping twice is harmless)
    ok = [r for r in results if r[2] == 200]
    errors = {}
    for r in results:
        if r[2] != 200:
            key = f"{r[2]} {r[3]}"
            errors[key] = errors.get(key, 0) + 1
    print(f"fleet:       {enrolled} kiosks over {a.instances} casestore instance(s) on "
          f"{a.storage}, {a.citizens} citizens (seeded in {seed_s:.0f} s), {a.processes} "
          f"load processes, {elapsed:.0f} s")
    print(f"requests:    {len(results)} ({len(results) / elapsed:.0f}/s), "
          f"{len(ok)} answered 200")
    for ep in ("pull", "push"):
        lat = [r[1] for r in ok if r[0] == ep]
        print(f"{ep + ':':12} {len(lat) / elapsed:.0f}/s, p50 {pct(lat, 50) * 1000:.1f} ms, "
              f"p99 {pct(lat, 99) * 1000:.1f} ms")
    pulled = sum(r[4] for r in ok if r[0] == "pull")
    accepted = sum(r[4] for r in ok if r[0] == "push")
    print(f"records:     {pulled} pulled, {accepted} submissions accepted")
    print(f"errors:      {sum(errors.values())}"
          + "".join(f"; {n}x {k}" for k, n in sorted(errors.items())))
    print(f"database:    {db_bytes / 1e6:.0f} MB")
    print(f"CPU:         casestore {server_cpu:.0f} s, load generator {load_cpu:.0f} s "
          f"over the {elapsed:.0f} s ({os.cpu_count()} cores)")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
