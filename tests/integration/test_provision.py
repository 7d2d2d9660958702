#!/usr/bin/env python3
"""Suite `e2e`: `minasidor provision` takes the one-time token from a file or standard input, so
that it never shows in `ps`; on the command line it still works, with a warning. A real
casestore serves TLS on a loopback port. Prints TAP.

Usage: test_provision.py MINASIDOR CASESTORE"""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "harness"))
from cs_storage import storage_args  # noqa: E402
from taptest import eq, finish, free_port, test  # noqa: E402

MINASIDOR, CASESTORE = sys.argv[1:3]
TMP = tempfile.mkdtemp(prefix="minasidor-provision-")
WARNING = "is visible to other users of this machine"


def run(*args, stdin=None):
    p = subprocess.run(list(args), input=stdin, capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


def cs(*args):
    rc, out, err = run(CASESTORE, *args[:1], "--data", DATA, *storage_args(DATA), *args[1:])
    assert rc == 0, f"casestore {args[0]} failed: {err}"
    return out.strip()


def token():
    return cs("token", "create", "--site", "test-mbk", "--districts", "bromma")


def provision(name, *token_args, stdin=None):
    state = os.path.join(TMP, name)
    rc, out, err = run(MINASIDOR, "provision", "--server", f"https://127.0.0.1:{PORT}", "--pin",
                       PIN, *token_args, "--site-name", "Testkontoret", "--state-dir", state,
                       stdin=stdin)
    return rc, out, err, state


def enrolled(rc, out, err, state, what):
    eq(0, rc, f"{what}: exit\n{err}")
    assert "enrolled as dev-" in out, f"{what}: {out}"
    conf = os.path.join(state, "minasidor.conf")
    assert os.path.exists(conf), f"{what}: no settings written"
    eq(0o600, os.stat(conf).st_mode & 0o777, f"{what}: the settings' mode")
    # The settings provision wrote are accepted as they are (owner and mode).
    rc, _, err = run(MINASIDOR, "--config", conf, "sync", "--once")
    eq(0, rc, f"{what}: sync with the written settings\n{err}")


DATA = os.path.join(TMP, "cs")
PIN = run(CASESTORE, "init", "--data", DATA, *storage_args(DATA))[1].strip()
cs("seed", "--citizens", "20", "--seed", "7")
PORT = free_port()
server = subprocess.Popen([CASESTORE, "serve", "--data", DATA, *storage_args(DATA), "--listen",
                           f"127.0.0.1:{PORT}"],
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
try:
    assert "listening" in server.stdout.readline(), "casestore did not start"

    @test
    def token_from_standard_input_enrols_without_a_warning():
        t = token()
        rc, out, err, state = provision("stdin", "--token", "-", stdin=t + "\n")
        enrolled(rc, out, err, state, "--token -")
        assert WARNING not in err, err
        assert t not in out + err, "the token was printed"

    @test
    def token_from_a_file_enrols_without_a_warning():
        t = token()
        path = os.path.join(TMP, "token")
        with open(path, "w") as f:
            f.write(t + "\r\n")  # written on Windows, or by echo: the line end is not the token
        os.chmod(path, 0o600)
        rc, out, err, state = provision("file", "--token-file", path)
        enrolled(rc, out, err, state, "--token-file")
        assert WARNING not in err, err

    @test
    def token_on_the_command_line_still_enrols_with_a_warning():
        rc, out, err, state = provision("argv", "--token", token())
        enrolled(rc, out, err, state, "--token TOKEN")
        assert ("minasidor: warning: a token given with --token is visible to other users of "
                "this machine while provision runs (ps); use --token-file FILE or --token - "
                "(standard input)") in err, err

    @test
    def token_typed_at_a_terminal_is_asked_for_and_not_echoed():
        import pty
        import select
        import time
        t = token()
        state = os.path.join(TMP, "tty")
        pid, fd = pty.fork()
        if pid == 0:
            os.execv(MINASIDOR, [MINASIDOR, "provision", "--server", f"https://127.0.0.1:{PORT}",
                                 "--pin", PIN, "--token", "-", "--state-dir", state])
        seen = b""
        sent = False
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if not sent and b"one-time token: " in seen:
                os.write(fd, t.encode() + b"\n")
                sent = True
            ready, _, _ = select.select([fd], [], [], 1)
            if ready:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:  # the child closed the terminal
                    break
                if not chunk:
                    break
                seen += chunk
        else:  # the deadline passed with the terminal still open: stop it, do not hang
            os.kill(pid, 9)
        _, status = os.waitpid(pid, 0)
        os.close(fd)
        text = seen.decode(errors="replace")
        eq(0, os.waitstatus_to_exitcode(status), "exit\n" + text)
        assert sent, "no prompt: " + text
        assert "enrolled as dev-" in text, text
        assert t not in text, "the token was echoed on the terminal"

    @test
    def a_missing_or_empty_token_is_a_usage_error_that_shows_no_token():
        rc, _, err, state = provision("empty", "--token", "-", stdin="")
        eq(2, rc, "exit for empty standard input")
        eq("minasidor: provision: the token from standard input is empty\n", err, "message")
        assert not os.path.exists(state), "a state directory was made"
        rc, _, err, _ = provision("nofile", "--token-file", os.path.join(TMP, "nope"))
        eq(2, rc, "exit for a missing token file")
        assert "--token-file " + os.path.join(TMP, "nope") + ": cannot open" in err, err
        secret = "et-" + "s" * 20
        rc, _, err, _ = provision("spaces", "--token", "-", stdin=secret + " x\n")
        eq(2, rc, "exit for a token with a space")
        eq("minasidor: provision: the token from standard input has spaces or characters a token"
           " never has\n", err, "message")
        assert secret not in err, err
        rc, _, err, _ = provision("both", "--token", "-", "--token-file", "/dev/null")
        eq(2, rc, "exit for both")
        assert "not both" in err, err
        rc, _, err, _ = provision("neither")
        eq(2, rc, "exit for no token")
        assert "--token-file or --token are required" in err, err

    @test
    def a_used_token_read_from_standard_input_is_refused_by_the_server():
        t = token()
        rc, out, err, state = provision("once", "--token", "-", stdin=t + "\n")
        eq(0, rc, f"first use\n{err}")
        rc, out, err, state = provision("twice", "--token", "-", stdin=t + "\n")
        assert rc != 0, "a used token enrolled a second kiosk"
        assert "enrolment failed" in err, err
        assert t not in err, "the token was printed"
finally:
    server.terminate()
    server.wait()

finish(TMP)
