#!/usr/bin/env python3
"""The minasidor command line: global options, exit codes, and every `tool` subcommand, run as a
real process. Prints TAP."""
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "harness"))
from taptest import eq, finish, test  # noqa: E402

BIN = sys.argv[1]


def run(*args, stdin=None, env=None, timeout=60):
    e = dict(os.environ)
    e.pop("MINASIDOR_LOG_LEVEL", None)
    if env:
        e.update(env)
    p = subprocess.run([BIN, *args], input=stdin, capture_output=True, text=True, env=e,
                       timeout=timeout)
    return p.returncode, p.stdout, p.stderr


@test
def help_and_version():
    rc, out, _ = run("--help")
    eq(0, rc, "--help exit")
    assert "Usage: minasidor" in out and "tool" in out, out
    rc, out, _ = run("--version")
    eq(0, rc, "--version exit")
    assert out.startswith("minasidor "), out
    rc, out, _ = run("tool", "--help")
    eq(0, rc, "tool --help exit")
    assert "callback-due" in out, out
    rc, out, _ = run("tool", "pnr", "--help")
    eq(0, rc, "tool pnr --help exit")


@test
def unknown_command_is_a_one_line_error_with_usage_and_exit_2():
    rc, out, err = run("frobnicate")
    eq(2, rc, "exit")
    eq("minasidor: unknown command 'frobnicate'", err.splitlines()[0], "first line")
    assert "Usage:" in err, err
    eq("", out, "stdout")
    for args in (["--bogus"], [], ["tool"], ["tool", "nope"], ["tool", "pnr"],
                 ["tool", "pnr", "--frob", "x"], ["tool", "pnr", "a", "b"],
                 ["tool", "ocr", "--level", "medium", "12351"],
                 ["tool", "pnr", "--today", "2026-13-01", "121212-1212"],
                 ["tool", "ocr", "--allow-interim", "12351"], ["--config"]):
        rc, _, err = run(*args)
        eq(2, rc, f"exit for {args}")
        assert err.startswith("minasidor: "), err


@test
def tool_pnr_json_matches_the_documented_shape():
    rc, out, _ = run("tool", "pnr", "19121212-1212", "--json")
    eq(0, rc, "exit")
    eq({"input": "19121212-1212", "valid": True, "canonical": "191212121212",
        "display": "19121212-1212", "kind": "personnummer", "sex": "M",
        "birth_date": "1912-12-12"}, json.loads(out), "json")
    rc, out, _ = run("tool", "pnr", "19121212-1213", "--json")
    eq(1, rc, "exit for invalid")
    obj = json.loads(out)
    eq(False, obj["valid"], "valid")
    eq("checksum", obj["reason"], "reason")
    rc, out, _ = run("tool", "pnr", "--json", "701063-2391", "--today", "2026-11-22")
    eq("samordningsnummer", json.loads(out)["kind"], "kind")
    rc, out, _ = run("tool", "pnr", "121212+1212")
    eq(0, rc, "human exit")
    eq("19121212-1212: valid personnummer, born 1912-12-12, legal sex M\n", out, "human")


@test
def tool_pnr_reads_100000_lines_in_one_process():
    rnd = random.Random(7)
    lines = []
    for _ in range(100000):
        y, m, d = rnd.randint(1930, 2020), rnd.randint(1, 12), rnd.randint(1, 28)
        body = f"{y % 100:02d}{m:02d}{d:02d}{rnd.randint(1, 999):03d}"
        s = sum(sum(divmod(int(c) * (2 - i % 2), 10)) for i, c in enumerate(body))
        lines.append(f"{y}{body[2:]}"[:0] + f"{y // 100}{body}{(10 - s % 10) % 10}")
    rc, out, _ = run("tool", "pnr", "--json", "-", stdin="\n".join(lines) + "\n")
    eq(0, rc, "exit")
    got = out.splitlines()
    eq(100000, len(got), "lines out")
    assert all('"valid":true' in g for g in got[:1000]), got[0]
    lines[500] = "not a number"
    rc, out, _ = run("tool", "pnr", "-", stdin="\n".join(lines) + "\n")
    eq(1, rc, "exit with one bad line")
    eq("not a number: invalid (format): Write it as YYYYMMDD-NNNN or YYMMDD-NNNN",
       out.splitlines()[500], "line 501")


@test
def tool_ocr_levels():
    rc, out, _ = run("tool", "ocr", "--json", "--level", "variable", "18108401345678778")
    eq(0, rc, "exit")
    obj = json.loads(out)
    eq(True, obj["length_digit_ok"], "length digit")
    eq("1810 8401 3456 7877 8", obj["grouped"], "grouped")
    rc, out, _ = run("tool", "ocr", "--json", "--level", "variable", "1230")
    eq(1, rc, "exit")
    eq("length_digit", json.loads(out)["reason"], "reason")
    rc, out, _ = run("tool", "ocr", "--json", "--level", "soft", "1231")
    eq(0, rc, "soft exit")
    eq("checksum", json.loads(out)["warning"], "soft warning")
    rc, _, _ = run("tool", "ocr", "--level", "fixed:5,17", "12351")
    eq(0, rc, "fixed")
    rc, _, _ = run("tool", "ocr", "--level", "fixed:17", "12351")
    eq(1, rc, "fixed wrong length")
    rc, out, _ = run("tool", "ocr-make", "--length-digit", "181084013456787")
    eq("18108401345678778\n", out, "ocr-make")
    rc, out, _ = run("tool", "ocr-make", "--json", "123")
    eq("1230", json.loads(out)["reference"], "ocr-make without length digit")


@test
def tool_holidays_and_working_days():
    rc, out, _ = run("tool", "holidays", "2026", "--json")
    eq(0, rc, "exit")
    rows = [json.loads(line) for line in out.splitlines()]
    eq(16, len(rows), "rows")
    mid = [r for r in rows if r["code"] == "midsommarafton"][0]
    eq(("2026-06-19", False), (mid["date"], mid["public_holiday"]), "midsommarafton")
    rc, _, _ = run("tool", "holidays", "1899")
    eq(1, rc, "out of range")
    rc, out, _ = run("tool", "next-workday", "2026-12-23", "--json")
    eq("2026-12-28", json.loads(out)["next_workday"], "next workday")
    rc, out, _ = run("tool", "next-workday", "2026-02-30")
    eq(1, rc, "bad date")


@test
def tool_callback_due_promises_the_next_working_day():
    rc, out, _ = run("tool", "callback-due", "2026-12-03T14:00:00+01:00", "--json")
    eq(0, rc, "exit")
    obj = json.loads(out)
    eq("2026-12-04T23:59:59+01:00", obj["due"], "due")
    eq("2026-12-04T22:59:59Z", obj["due_utc"], "due utc")
    eq("fri", obj["weekday"], "weekday")
    rc, out, _ = run("tool", "callback-due", "yesterday")
    eq(1, rc, "bad moment")


@test
def tool_phone():
    rc, out, _ = run("tool", "phone", "+46 (0)70-123 45 67", "--json")
    eq(0, rc, "exit")
    eq({"input": "+46 (0)70-123 45 67", "valid": True, "e164": "+46701234567",
        "national": "070-123 45 67", "kind": "mobile"}, json.loads(out), "json")
    rc, out, _ = run("tool", "phone", "0900-123 45 67", "--json")
    eq(1, rc, "premium exit")
    eq("premium", json.loads(out)["reason"], "reason")


@test
def tool_payqr():
    inv = {"payee": "Stockholms stad", "orgnr": "212000-0142", "ocr": "18108401345678778",
           "invoice_date": "2026-11-01", "due_date": "2026-11-30", "amount_ore": 123450,
           "bankgiro": "5050-1055"}
    rc, out, _ = run("tool", "payqr", json.dumps(inv))
    eq(0, rc, "exit")
    payload = json.loads(out)
    eq(1234.5, payload["due"], "due")
    eq("BG", payload["pt"], "pt")
    rc, out, _ = run("tool", "payqr", "--json", "{not json")
    eq(1, rc, "malformed exit")
    eq("json", json.loads(out)["reason"], "malformed reason")
    bad = dict(inv, plusgiro="1234")
    rc, out, _ = run("tool", "payqr", "--json", json.dumps(bad))
    eq(1, rc, "two accounts")
    assert "exactly one" in json.loads(out)["message"], out
    bad = dict(inv, ocr="18108401345678779")
    rc, out, _ = run("tool", "payqr", "--json", json.dumps(bad))
    eq("reference", json.loads(out)["reason"], "bad OCR")


@test
def bad_input_bytes_never_break_json_output():
    rc, out, _ = run("tool", "phone", "--json", "-", stdin="070\udcff".encode(
        "utf-8", "surrogateescape").decode("latin-1") + "\n" + "x" * 5000 + "\n")
    eq(1, rc, "exit")
    for line in out.splitlines():
        json.loads(line)
    eq("too_long", json.loads(out.splitlines()[1])["reason"], "long line")


@test
def settings_errors_are_reported_and_exit_2():
    rc, _, err = run("--set", "log.level=loud", "tool", "pnr", "121212-1212")
    eq(2, rc, "bad log level")
    eq("minasidor: --set: log.level: expected err, warn, info or debug\n", err, "message")
    rc, _, err = run("--set", "speech.output=earphones", "tool", "pnr", "121212-1212")
    eq(2, rc, "bad speech output")
    eq("minasidor: --set: speech.output: expected auto, headset or speaker\n", err, "message")
    rc, _, err = run("--set", "speech.rate_wpm=1000", "tool", "pnr", "121212-1212")
    eq(2, rc, "speech rate out of range")
    rc, _, err = run("--config", "/nonexistent.conf", "tool", "pnr", "121212-1212")
    eq(2, rc, "missing config")
    assert "/nonexistent.conf: cannot open" in err, err
    with tempfile.NamedTemporaryFile("w", suffix=".conf", delete=False) as f:
        f.write("[log]\nlevel = debug\nbogus = 1\n")
    rc, _, err = run("--config", f.name, "tool", "pnr", "121212-1212")
    os.unlink(f.name)
    eq(2, rc, "bad config")
    eq(f"minasidor: {f.name}:3: log.bogus: unknown key\n", err, "message")
    rc, _, err = run("tool", "pnr", "121212-1212", env={"MINASIDOR_LOG_SYSLOG": "sometimes"})
    eq(2, rc, "bad environment")


@test
def a_fifo_as_key_file_is_refused_at_once():
    # Opening a FIFO for reading waits for a writer: the kiosk must refuse it, not hang. The
    # timeout turns a hang into this test's failure (subprocess kills the process).
    d = tempfile.mkdtemp(prefix="minasidor-fifo-")
    try:
        fifo = os.path.join(d, "root.key")
        os.mkfifo(fifo, 0o600)
        rc, _, err = run("--set", f"store.key=keyfile:{fifo}", "--set",
                         f"store.path={d}/cache.db", "sync", "--once", timeout=20)
        assert rc != 0, f"exit {rc}"
        assert f"key file {fifo}: is a FIFO, not a regular file" in err, err
        os.unlink(fifo)
        os.mkdir(fifo, 0o700)
        rc, _, err = run("--set", f"store.key=keyfile:{fifo}", "--set",
                         f"store.path={d}/cache.db", "sync", "--once", timeout=20)
        assert rc != 0, f"exit {rc}"
        assert f"key file {fifo}: is a directory, not a regular file" in err, err
    finally:
        shutil.rmtree(d, ignore_errors=True)


@test
def a_config_file_others_can_change_is_refused_with_the_fix():
    d = tempfile.mkdtemp(prefix="minasidor-conf-")
    try:
        conf = os.path.join(d, "minasidor.conf")
        with open(conf, "w") as f:
            f.write("[server]\npin = sha256//AAAA\n")
        os.chmod(conf, 0o666)
        rc, _, err = run("--config", conf, "tool", "pnr", "121212-1212")
        eq(2, rc, "exit for mode 0666")
        eq(f"minasidor: {conf}: mode 0666 lets other users change the kiosk's trust anchors; it"
           f" must not be writable by group or others (chmod go-w {conf})\n", err, "message")
        os.chmod(conf, 0o644)
        rc, _, err = run("--config", conf, "tool", "pnr", "121212-1212")
        eq(0, rc, "exit for mode 0644: " + err)
        if os.geteuid() == 0:
            os.chown(conf, 65534, -1)
            rc, _, err = run("--config", conf, "tool", "pnr", "121212-1212")
            eq(2, rc, "exit for a file owned by uid 65534")
            assert f"owned by uid 65534" in err and f"(chown root {conf})" in err, err
        # /dev/null, the usual "no settings", is read as empty although it is 0666.
        rc, _, err = run("--config", "/dev/null", "tool", "pnr", "121212-1212")
        eq(0, rc, "exit for /dev/null: " + err)
        # A FIFO in its place: refused at once (opening it for reading would wait for a writer).
        os.unlink(conf)
        os.mkfifo(conf, 0o600)
        rc, _, err = run("--config", conf, "tool", "pnr", "121212-1212", timeout=20)
        eq(2, rc, "exit for a FIFO")
        eq(f"minasidor: {conf}: not a regular file\n", err, "message")
    finally:
        shutil.rmtree(d, ignore_errors=True)


finish()
