#!/usr/bin/env python3
"""Suite `ui`, the window test: the real kiosk in a real X window (Xvfb), operated with real X
pointer events from xdotool through identification, an invoice and logout. The kiosk tells the
test where things are through its semantic tree on a pipe (--tree-fd); the clicks themselves go
through X, SDL's X11 backend, the platform layer and hit testing like a mouse's. The screen is
captured with xwd at each stop and written as PNG to SHOTS_DIR. Prints TAP.

Usage: test_window.py MINASIDOR CASESTORE SHOTS_DIR"""
import os
import shutil
import struct
import subprocess
import sys
import threading
import time
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "harness"))
from kiosk_fixture import Fixture  # noqa: E402
from taptest import finish, skip, test  # noqa: E402

MINASIDOR, CASESTORE, SHOTS = sys.argv[1:4]
NAME = "identification_invoice_logout_in_a_real_window_with_x_pointer_events"


class Tree:
    """The kiosk's latest semantic tree, read from the pipe by a thread."""

    def __init__(self, fd):
        self.nodes, self.size, self.cond = [], (0, 0), threading.Condition()
        threading.Thread(target=self.read, args=(fd,), daemon=True).start()

    def read(self, fd):
        frame, size = [], (0, 0)
        with os.fdopen(fd, encoding="utf-8", errors="replace") as f:
            for line in f:
                parts = line.rstrip("\n").split("\t")
                if parts[0] == "frame":
                    frame, size = [], (int(parts[1]), int(parts[2]))
                elif parts[0] == "node" and len(parts) == 8:
                    frame.append({"role": parts[1], "label": parts[2], "value": parts[3],
                                  "rect": tuple(int(v) for v in parts[4:8])})
                elif parts[0] == "end":
                    with self.cond:
                        self.nodes, self.size = frame, size
                        self.cond.notify_all()

    def wait(self, label, role=None, timeout=20):
        """The first node whose label starts with label, waiting for it to appear."""
        end = time.monotonic() + timeout
        with self.cond:
            while True:
                for n in self.nodes:
                    if n["label"].startswith(label) and (role is None or n["role"] == role):
                        return n
                left = end - time.monotonic()
                if left <= 0:
                    shown = ", ".join(f'{n["role"]} "{n["label"]}"' for n in self.nodes[:40])
                    raise AssertionError(f"{label!r} did not appear; on screen: {shown}")
                self.cond.wait(left)

    def labels(self):
        with self.cond:
            return [n["label"] + " " + n["value"] for n in self.nodes]


def xdotool(*args, env):
    return subprocess.run(["xdotool", *args], capture_output=True, text=True, env=env,
                          timeout=30, check=True).stdout


def capture_png(path, env, deadline_s=20):
    """The whole X screen (xwd, TrueColor ZPixmap, 24 or 32 bits a pixel) as an RGB PNG, once
    two captures in a row agree: the frame the tree described has reached the X server."""
    def xwd():
        return subprocess.run(["xwd", "-root", "-silent"], capture_output=True, env=env,
                              timeout=30, check=True).stdout
    raw, until = xwd(), time.monotonic() + deadline_s
    while True:
        again = xwd()
        if again == raw:
            break
        assert time.monotonic() < until, "the screen did not settle"
        raw = again
    h = struct.unpack(">25I", raw[:100])
    header_size, w, hgt, bpp, bpl, ncolors = h[0], h[4], h[5], h[11], h[12], h[19]
    if bpp not in (24, 32) or h[7] != 0:
        raise AssertionError(f"xwd: {bpp} bits per pixel, byte order {h[7]}")
    px = bpp // 8
    pix = raw[header_size + ncolors * 12:]
    rows = bytearray()
    for y in range(hgt):
        row = pix[y * bpl:y * bpl + w * px]
        rows.append(0)
        rgb = bytearray(w * 3)
        rgb[0::3], rgb[1::3], rgb[2::3] = row[2::px], row[1::px], row[0::px]  # B G R (X)
        rows += rgb

    def chunk(kind, data):
        c = kind + data
        return struct.pack(">I", len(data)) + c + struct.pack(">I", zlib.crc32(c) & 0xFFFFFFFF)

    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, hgt, 8, 2, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(bytes(rows), 6)) + chunk(b"IEND", b""))
    with open(path, "wb") as f:
        f.write(png)


def run():
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", "1", "-screen", "0", "800x1100x24",
                             "-nolisten", "tcp"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    kiosk = None
    try:
        display = ":" + xvfb.stdout.readline().strip()
        env = dict(os.environ, DISPLAY=display, SDL_AUDIODRIVER="dummy",
                   SDL_VIDEODRIVER="x11", LSAN_OPTIONS="detect_leaks=0")
        os.makedirs(SHOTS, exist_ok=True)
        with Fixture(MINASIDOR, CASESTORE) as f:
            rfd, wfd = os.pipe()
            kiosk = subprocess.Popen(f.kiosk_args("--window-scale", "0.5", "--tree-fd",
                                                  str(wfd)),
                                     pass_fds=(wfd,), env=env, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True)
            os.close(wfd)
            tree = Tree(rfd)
            tree.wait("Identifiera dig")
            win = xdotool("search", "--sync", "--onlyvisible", "--name", "^Mina sidor$",
                          env=env).split()[0]
            geo = dict(line.split("=") for line in
                       xdotool("getwindowgeometry", "--shell", win, env=env).split())
            scale = int(geo["WIDTH"]) / tree.size[0]

            def click(label, role=None):
                x, y, w, h = tree.wait(label, role)["rect"]
                sx = int(geo["X"]) + round((x + w / 2) * scale)
                sy = int(geo["Y"]) + round((y + h / 2) * scale)
                # No pause after it: every click here is followed by a wait for the screen it
                # leads to, and the next click is on another control (no double tap to avoid).
                xdotool("mousemove", "--sync", str(sx), str(sy), "click", "1", env=env)

            def shot(name):
                capture_png(os.path.join(SHOTS, f"window-{name}.png"), env)

            shot("start")
            click("Identifiera dig")
            tree.wait("QR-kod för BankID")
            demo = tree.wait("DEMO:", role="button")
            name = demo["label"].split(":", 1)[1].strip()
            shot("identify")
            click("DEMO:", role="button")
            tree.wait("Hej")
            assert any(name.split()[0] in s for s in tree.labels()), "greeted by name"
            shot("overview")
            click("Fakturor", role="tile")
            tree.wait("Fakturor", role="heading")  # the screen's own title, not the tile
            tree.wait("Avgift")
            click("Avgift")
            tree.wait("Faktura", role="heading")
            tree.wait("OCR-nummer")
            tree.wait("Bankgiro")
            shot("invoice")
            click("Logga ut")
            tree.wait("Välkommen till Mina sidor")
            shot("after-logout")
            left = [s for s in tree.labels() if name.split()[0] in s or "OCR" in s]
            assert not left, f"still on screen after logout: {left}"
            assert kiosk.poll() is None, "the kiosk is still running"
    finally:
        if kiosk is not None:
            kiosk.terminate()
            try:
                kiosk.wait(timeout=20)
            except subprocess.TimeoutExpired:
                kiosk.kill()
        xvfb.terminate()
        xvfb.wait()


missing = [p for p in ("Xvfb", "xdotool", "xwd") if shutil.which(p) is None]
if missing:
    skip(NAME, f"{', '.join(missing)} not installed (packaging/deps.sh test installs them)")
else:
    run.__name__ = NAME
    test(run)
finish()
