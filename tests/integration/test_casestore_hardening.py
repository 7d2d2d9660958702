#!/usr/bin/env python3
"""Suite `sync`: casestore against a hostile or careless world (issue 19): erasing a citizen
leaves nothing of them in the database files, the files and their directory are private, TLS
below 1.2 is refused, every request is in an access log without personal data, enrolment
tokens cannot be guessed at speed, the BankID simulator wants a client-authentication
certificate, and /v1/health says the version. A real casestore over TLS on loopback, real
minasidor kiosks, real SQLite files. Prints TAP."""
import base64
import hashlib
import hmac
import http.client
import json
import os
import re
import ssl
import stat
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "harness"))
import sync_fixture  # noqa: E402
from sync_fixture import TMP, run  # noqa: E402
from taptest import eq, finish, test  # noqa: E402

SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


def wait_for(cond, what, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        v = cond()
        if v:
            return v
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def insecure_context():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


class Casestore(sync_fixture.Casestore):
    def __init__(self, name, citizens=40, umask=None):
        super().__init__(name, citizens=citizens, seed=11, umask=umask)

    def token(self, districts="bromma"):
        return self.cs("token", "create", "--site", "test-site", "--districts",
                       districts).stdout.strip()

    def request(self, method, path, body=None, ctx=None, headers=None):
        c = http.client.HTTPSConnection("127.0.0.1", self.port, context=ctx or insecure_context(),
                                        timeout=30)
        c.request(method, path, body=None if body is None else json.dumps(body),
                  headers=dict({"Content-Type": "application/json"}, **(headers or {})))
        r = c.getresponse()
        raw = r.read()
        c.close()
        return r.status, dict(r.getheaders()), json.loads(raw or b"{}")

    def rp(self, method, body, cert_dir=None, key=None, cert=None):
        ctx = insecure_context()
        ctx.load_cert_chain(cert or os.path.join(cert_dir or self.rp_dir, "rp.crt"),
                            key or os.path.join(cert_dir or self.rp_dir, "rp.key"))
        status, _, data = self.request("POST", f"/rp/v6.0/{method}", body, ctx=ctx)
        return status, data

    def files(self):
        """Every file in the data directory, as bytes."""
        out = {}
        for name in sorted(os.listdir(self.data)):
            path = os.path.join(self.data, name)
            if os.path.isfile(path):
                with open(path, "rb") as f:
                    out[name] = f.read()
        return out


class Kiosk(sync_fixture.Kiosk):
    pass


def qr(order, t):
    code = hmac.new(order["qrStartSecret"].encode(), str(t).encode(), hashlib.sha256).hexdigest()
    return f"bankid.{order['qrStartToken']}.{t}.{code}"


def pnr_forms(pnr):
    """The ways a personnummer is written: 12 digits, 10 digits, with the separator."""
    return [pnr, pnr[2:], f"{pnr[2:8]}-{pnr[8:]}", f"{pnr[:8]}-{pnr[8:]}"]


def found(files, markers):
    return sorted({(name, m) for name, data in files.items() for m in markers
                   if m.encode() in data})


CS = Casestore("main")
CS.start()
PHONE, TEXT = "+46701234567", "submission 0"  # what kiosk_helper puts in every payload


def renamed_citizen():
    """A seeded citizen given a name no one else has, as the city's register would, so that
    finding the name in the files can only mean this citizen's data."""
    given, surname = "Ylvalisa", "Xerxesdotter"
    with CS.db() as db:
        db.execute("PRAGMA secure_delete=ON")  # the old name's bytes do not linger either
        cid, pnr, district = db.execute(
            "SELECT id, json_extract(fields, '$.pnr'), district FROM records WHERE"
            " kind='citizen' ORDER BY rowid LIMIT 1").fetchone()
        db.execute("UPDATE records SET fields = json_set(fields, '$.given_name', ?, '$.surname',"
                   " ?) WHERE kind='citizen' AND id=?", (given, surname, cid))
        db.commit()
    return cid, pnr, district, given, surname


@test
def erase_citizen_leaves_nothing_of_them_in_the_database_files():
    cid, pnr, district, given, surname = renamed_citizen()
    kiosk, offline = Kiosk("kiosk-erase"), Kiosk("kiosk-offline")
    for k in (kiosk, offline):
        p = k.provision(CS, CS.token(district))
        eq(0, p.returncode, f"provision ({p.stderr.strip()})")
    for what in (("application", "aldreomsorg", "hemtjanst", "ny_ansokan"),
                 ("complaint", "aldreomsorg", "hemtjanst", "synpunkt")):
        eq(0, kiosk.helper("submit", pnr, *what, "1").returncode, f"queue a {what[0]}")
    p = kiosk.sync()
    eq(0, p.returncode, f"sync ({p.stderr.strip()})")
    assert "pushed 2 accepted" in p.stdout, p.stdout
    # A callback whose answer is lost: the kiosk will push it again after the erasure.
    CS.start(inject=["lose:/v1/push:1"])
    eq(0, kiosk.helper("submit", pnr, "callback", "ovrigt", "aterringning", "information",
                       "1").returncode, "queue a callback")
    eq(1, kiosk.sync().returncode, "sync whose answer is lost")
    eq(1, kiosk.counts().get("outbox.sending"), "the kiosk still waits for an answer")
    with CS.db() as db:
        eq(3, db.execute("SELECT count(*) FROM submissions WHERE citizen=?", (cid,)).fetchone()[0],
           "the case store has the three submissions")

    # The citizen identifies with BankID at a kiosk: an order that names them.
    status, order = CS.rp("auth", {"endUserIp": "127.0.0.1",
                                   "requirement": {"personalNumber": pnr}})
    eq(200, status, f"auth ({order})")
    started = time.time()
    for _ in range(5):  # a code goes stale in two seconds; a busy machine may start us slowly
        ph = CS.cs("phone", qr(order, max(0, int(time.time() - started))), "--pnr", pnr,
                   check=False)
        if "stale" not in ph.stderr:
            break
    eq(0, ph.returncode, f"phone approves ({ph.stderr.strip()})")
    status, done = CS.rp("collect", {"orderRef": order["orderRef"]})
    eq((200, "complete", surname), (status, done.get("status"),
                                    done.get("completionData", {}).get("user", {}).get("surname")),
       "the order completed with the citizen's name")

    markers = pnr_forms(pnr) + [given, surname, PHONE, TEXT]
    before = found(CS.files(), markers)
    for m in (pnr[2:], surname, PHONE, TEXT):
        assert any(f == m for _, f in before), f"before erasing, {m!r} is in the files: {before}"

    p = CS.cs("mutate", "erase-citizen", cid, check=False)
    eq(0, p.returncode, f"erase-citizen ({p.stderr.strip()})")
    eq([], found(CS.files(), markers), "nothing of the citizen in any file after erasing")
    eq(0, os.path.getsize(os.path.join(CS.data, "casestore.db-wal")),
       "the write-ahead log is emptied")

    # The kiosk pushes the callback again: the case store still knows it, and answers duplicate.
    p = kiosk.sync()
    eq(0, p.returncode, f"sync after erasing ({p.stderr.strip()})")
    assert "0 accepted, 1 duplicate" in p.stdout, p.stdout
    eq(1, kiosk.counts().get("outbox.duplicate"), "the kiosk records the duplicate")
    eq(3, kiosk.helper("find", pnr).returncode, "the kiosk erased the citizen too")
    with CS.db() as db:
        rows = db.execute("SELECT status, case_number IS NOT NULL, payload, registered_by,"
                          " citizen FROM submissions ORDER BY seq").fetchall()
        cases = db.execute("SELECT count(*) FROM records WHERE kind='case' AND id LIKE 'sub-%'"
                           ).fetchone()[0]
    eq([("accepted", 1, None, None, None)] * 3, rows, "three tombstones, nothing else")
    eq(0, cases, "no case came back from the second push")
    eq([], found(CS.files(), markers), "still nothing of the citizen after the second push")

    # A kiosk that was offline during the erasure pushes for the citizen afterwards: rejected
    # (unknown citizen) but stored; erasing again removes that too.
    eq(0, offline.helper("submit", pnr, "complaint", "aldreomsorg", "hemtjanst", "synpunkt",
                         "1").returncode, "the offline kiosk queues a complaint")
    p = offline.sync()
    assert "0 accepted, 0 duplicate, 1 rejected" in p.stdout, p.stdout + p.stderr
    assert found(CS.files(), [PHONE]), "the rejected submission is stored"
    p = CS.cs("mutate", "erase-citizen", cid, check=False)
    eq(0, p.returncode, f"erase-citizen again ({p.stderr.strip()})")
    eq([], found(CS.files(), markers), "nothing of the citizen after erasing again")
    eq(1, CS.cs("mutate", "erase-citizen", cid, check=False).returncode,
       "a third time: nothing left to erase")


@test
def database_files_are_private_and_a_public_data_directory_is_refused():
    cs = Casestore("modes", citizens=5, umask=0o022)
    eq(0o700, stat.S_IMODE(os.stat(cs.data).st_mode), "init creates the directory 0700")
    cs.start(umask=0o022)
    eq(200, cs.request("GET", "/v1/health")[0], "serving")
    cs.cs("token", "create", "--site", "s", "--districts", "kista", umask=0o022)
    names = sorted(os.listdir(cs.data))
    for must in ("casestore.db", "casestore.db-wal", "casestore.db-shm", "tls.key", "rp-ca.key",
                 "roles.key"):
        assert must in names, f"{must} in {names}"
    loose = {n: oct(stat.S_IMODE(os.stat(os.path.join(cs.data, n)).st_mode)) for n in names
             if stat.S_IMODE(os.stat(os.path.join(cs.data, n)).st_mode) & 0o077}
    eq({}, loose, "every file of the data directory is for casestore's user alone")
    cs.stop()
    for mode in (0o755, 0o703):
        os.chmod(cs.data, mode)
        for cmd in (("serve", "--listen", f"127.0.0.1:{cs.port}"), ("stats",), ("device", "list"),
                    ("token", "create", "--site", "s", "--districts", "kista"), ("pin",),
                    ("init",), ("mutate", "erase-citizen", "nobody")):
            p = cs.cs(*cmd, check=False)
            assert p.returncode == 1, f"{cmd} in a directory of mode {oct(mode)}: {p.returncode}"
            assert cs.data in p.stderr and f"chmod 700 {cs.data}" in p.stderr, p.stderr
    os.chmod(cs.data, 0o700)
    eq(0, cs.cs("stats", check=False).returncode, "a private directory is served again")


@test
def only_tls_1_2_and_1_3_are_accepted():
    def handshake(version):
        ctx = insecure_context()
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")  # let the client offer what old TLS needs
        ctx.minimum_version = ctx.maximum_version = version
        try:
            return CS.request("GET", "/v1/health", ctx=ctx)[0]
        except (ssl.SSLError, ConnectionError, OSError) as err:
            return type(err).__name__
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        old = {v.name: handshake(v) for v in (ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1)}
    for name, got in old.items():
        assert got != 200, f"{name} is refused, got {got}"
    eq(200, handshake(ssl.TLSVersion.TLSv1_2), "TLS 1.2")
    eq(200, handshake(ssl.TLSVersion.TLSv1_3), "TLS 1.3")


@test
def every_request_is_in_the_access_log_without_personal_data():
    with CS.db() as db:
        pnr = db.execute("SELECT json_extract(fields, '$.pnr') FROM records WHERE"
                         " kind='citizen' ORDER BY id DESC LIMIT 1").fetchone()[0]
    kiosk = Kiosk("kiosk-log")
    before = {line.split()[0] for line in CS.cs("device", "list").stdout.splitlines()}
    eq(0, kiosk.provision(CS, CS.token()).returncode, "provision")
    device = next(line.split()[0] for line in CS.cs("device", "list").stdout.splitlines()
                  if line.split()[0] not in before)
    eq(0, kiosk.helper("submit", "-", "callback", "ovrigt", "aterringning", "information",
                       "1").returncode, "queue a callback")
    eq(0, kiosk.sync().returncode, "sync")
    CS.request("GET", f"/v1/health?pnr={pnr}")
    CS.request("GET", f"/v1/{pnr}")
    CS.rp("auth", {"endUserIp": "127.0.0.1", "requirement": {"personalNumber": pnr}})
    log = os.path.join(CS.data, "access.log")

    def lines():
        with open(log) as f:
            return f.read().splitlines()
    pat = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ (GET|POST|OTHER|PUT|DELETE|HEAD) (\S+)"
                     r" (\d{3}|-) (\S+) in=(\d+) out=(\d+) ms=\d+$")
    wanted = (" /rp/v6.0/auth 200 ", "GET - 404 -", f"POST /v1/pull 200 {device} ",
              f"POST /v1/push 200 {device} ", "GET /v1/health 200 - ")
    wait_for(lambda: all(any(w in x for x in lines()) for w in wanted), "the requests' lines")
    got = lines()
    for x in got:
        assert pat.match(x), f"an access log line has the documented form: {x!r}"
    push = [pat.match(x).groups() for x in got if f" /v1/push 200 {device} " in x]
    assert push and int(push[-1][4]) > 0 and int(push[-1][5]) > 0, \
        f"the push: method, path, status, device and sizes: {got[-8:]}"
    assert any(f"POST /v1/pull 200 {device} " in x for x in got), "the pull, with its device"
    assert any(re.search(r"GET /v1/health 200 - in=0 out=\d+", x) for x in got), "health"
    assert any("GET - 404 -" in x for x in got), "an unknown path is logged without the path"
    text = "\n".join(got)
    eq([], [f for f in pnr_forms(pnr) if f in text], "no personnummer in the access log")
    assert "?" not in text, "no query strings"


@test
def repeated_bad_enrolment_tokens_get_429_until_the_window_passes():
    CS.start(env={"CASESTORE_ENROLL_WINDOW_S": "3"})
    key = base64.b64encode(os.urandom(32)).decode()

    def enroll(token):
        return CS.request("POST", "/v1/enroll", {"token": token, "public_key": key,
                                                  "site_name": "Gissaren"})
    for i in range(5):
        status, _, body = enroll(f"et-{i:032x}")
        eq((401, "invalid_token"), (status, body.get("error")), f"bad token {i + 1}")
    status, headers, body = enroll("et-" + "f" * 32)
    eq((429, "too_many_requests"), (status, body.get("error")), "the sixth bad token")
    after = int(headers.get("Retry-After", "0"))
    assert 1 <= after <= 3, f"Retry-After within the window: {headers}"
    good = CS.token()
    status, _, body = enroll(good)
    eq(429, status, "a good token too, while the address is blocked")
    status = wait_for(lambda: (lambda s: s if s != 429 else None)(enroll(good)[0]),
                      "the window to pass", timeout=30)
    eq(200, status, "a good token after the window")


@test
def bankid_refuses_an_rp_certificate_without_client_authentication():
    d = os.path.join(TMP, "rp-eku")
    os.makedirs(d)
    ca, cakey = os.path.join(CS.data, "rp-ca.crt"), os.path.join(CS.data, "rp-ca.key")

    def issue(name, extensions):
        key, csr, crt = (os.path.join(d, f"{name}.{x}") for x in ("key", "csr", "crt"))
        ext = os.path.join(d, f"{name}.ext")
        with open(ext, "w") as f:
            f.write("basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\n" + extensions)
        for args in (["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                      "-nodes", "-keyout", key, "-subj", f"/CN={name}/O=minasidor test RP",
                      "-out", csr],
                     ["x509", "-req", "-in", csr, "-CA", ca, "-CAkey", cakey, "-set_serial",
                      str(int.from_bytes(os.urandom(8), "big")), "-days", "30", "-sha256",
                      "-extfile", ext, "-out", crt]):
            p = run("openssl", *args)
            assert p.returncode == 0, f"openssl {args[0]}: {p.stderr}"
        return crt, key
    body = {"endUserIp": "127.0.0.1"}
    crt, key = issue("client", "extendedKeyUsage=clientAuth\n")
    eq(200, CS.rp("auth", body, cert=crt, key=key)[0], "the RP CA's certificate for clients")
    for name, ext in (("no-eku", ""), ("server", "extendedKeyUsage=serverAuth\n")):
        crt, key = issue(name, ext)
        status, answer = CS.rp("auth", body, cert=crt, key=key)
        eq((401, "unauthorized"), (status, answer.get("errorCode")), f"a certificate: {name}")


@test
def health_says_the_version():
    with open(os.path.join(SOURCE, "meson.build")) as f:
        version = re.search(r"project\([^)]*?version:\s*'([^']+)'", f.read(), re.S).group(1)
    status, _, body = CS.request("GET", "/v1/health")
    eq(200, status, "health")
    eq({"status": "ok", "version": version}, {k: body.get(k) for k in ("status", "version")},
       "status and version")
    assert isinstance(body.get("server_time"), int) and abs(body["server_time"] - time.time()) < 60


CS.stop()
finish(TMP)
