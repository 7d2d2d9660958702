"""What the UI, window and doctor tests share: a real casestore (BankID simulator in demo mode) on a loopback port
with seeded citizens (300 unless told), and a kiosk provisioned against it, with its RP certificate.

    with Fixture(MINASIDOR, CASESTORE) as f:
        subprocess.run(f.kiosk_args("--headless", ...))
"""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cs_storage import connect, storage_args  # noqa: E402
from taptest import free_port  # noqa: E402


def put_people(text, people):
    """A script with the demo people put in: {{KEY}} becomes the demo button's label ("DEMO: Given
    Surname") and {{KEY_PNR}} the personnummer, for people = {KEY: (pnr, name)}."""
    for key, (pnr, person) in people.items():
        text = text.replace("{{%s}}" % key, "DEMO: " + person)
        text = text.replace("{{%s_PNR}}" % key, pnr)
    return text


class Fixture:
    def __init__(self, minasidor, casestore, citizens=300):
        self.minasidor, self.casestore, self.citizens = minasidor, casestore, citizens
        self.tmp = tempfile.mkdtemp(prefix="minasidor-ui-")
        self.data = os.path.join(self.tmp, "cs")
        self.state = os.path.join(self.tmp, "kiosk")
        self.server = None

    def cs(self, *args):
        """casestore COMMAND --data DIR [--storage URL] ARGS..."""
        r = subprocess.run([self.casestore, args[0], "--data", self.data,
                            *storage_args(self.data), *args[1:]], capture_output=True, text=True,
                           timeout=120)
        if r.returncode != 0:
            raise RuntimeError(f"casestore {args[0]}: {r.stderr}")
        return r.stdout.strip()

    def __enter__(self):
        self.pin = self.cs("init")
        self.cs("seed", "--citizens", str(self.citizens), "--seed", "7")
        self.port = free_port()
        self.server = subprocess.Popen([self.casestore, "serve", "--data", self.data,
                                        *storage_args(self.data), "--listen",
                                        f"127.0.0.1:{self.port}", "--demo"],
                                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                       text=True)
        try:
            if "listening" not in self.server.stdout.readline():
                raise RuntimeError("casestore did not start")
            token = self.cs("token", "create", "--site", "bromma-mbk",
                            "--districts", "bromma,hasselby_vallingby")
            r = subprocess.run([self.minasidor, "provision", "--server",
                                f"https://127.0.0.1:{self.port}", "--pin", self.pin, "--token",
                                "-", "--site-name", "Bromma medborgarkontor", "--state-dir",
                                self.state], input=token + "\n", capture_output=True, text=True,
                               timeout=300)
            if r.returncode != 0:
                raise RuntimeError("provision failed: " + r.stderr)
            self.conf = os.path.join(self.state, "minasidor.conf")
            self.rp = os.path.join(self.state, "rp")
            self.cs("rp-cert", "--out", self.rp)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def personal_strings(self):
        """Every seeded citizen's personnummer and surname, as the case store holds them: what
        must never turn up in a log, a file or an export."""
        with connect(self.data) as db:
            rows = db.execute("SELECT json_extract(fields, '$.pnr'), json_extract(fields,"
                              " '$.surname') FROM records WHERE kind='citizen'").fetchall()
        return [s for row in rows for s in row if s]

    def demo_people(self):
        """The demo identities the simulator offers this kiosk (its first district), in order:
        (personnummer, "Given Surname")."""
        import sqlite3
        db = sqlite3.connect(os.path.join(self.data, "casestore.db"))
        rows = db.execute("SELECT json_extract(fields, '$.pnr'), json_extract(fields,"
                          " '$.given_name') || ' ' || json_extract(fields, '$.surname') FROM"
                          " records WHERE kind='citizen' AND district='bromma' ORDER BY rowid"
                          " LIMIT 4").fetchall()
        db.close()
        return rows

    def args(self, command, *extra, sets=()):
        """minasidor COMMAND with the kiosk's settings, the identity provider's, and sets."""
        more = [a for s in sets for a in ("--set", s)]
        return [self.minasidor, "--config", self.conf,
                "--set", f"identity.url=https://127.0.0.1:{self.port}/rp/v6.0",
                "--set", f"identity.pin={self.pin}", "--set", "identity.demo=true",
                "--set", f"identity.rp_cert={self.rp}/rp.crt",
                "--set", f"identity.rp_key={self.rp}/rp.key", *more, command, *extra]

    def kiosk_args(self, *extra, sets=()):
        return self.args("kiosk", *extra, sets=sets)

    def __exit__(self, *exc):
        if self.server is not None:
            self.server.terminate()
            self.server.wait()
        shutil.rmtree(self.tmp, ignore_errors=True)
        return False
