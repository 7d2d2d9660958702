#!/usr/bin/env python3
"""The kiosk's UI benchmark, against a real casestore over TLS with the stadsdel-scale dataset
(100 000 citizens; the kiosk serves Bromma and Hässelby-Vällingby, synced before measuring).
Prints figures; asserts nothing about time.

    python3 tests/bench/ui_bench.py build/gcc [--citizens N] [--sessions N] [--idle-seconds N]

- cold start to the first drawn frame: `minasidor kiosk --headless` started N times, the time
  from exec to the script's first line (which runs after the first frame is drawn), median;
- identification complete to Översikt drawn: measured inside the kiosk (decrypting the
  citizen's rows, building and drawing the frame), median over the sessions below;
- frame time per screen at 1080×1920 with SDL's software renderer: 200 full redraws of each
  screen, median and p99;
- resident memory over N scripted sessions (identify with a demo identity, Översikt, invoices,
  log out): sampled every 50 sessions, with the least-squares slope in kB per session;
- idle CPU: the kiosk's main loop (headless, no script) with nothing happening, CPU time over
  wall time.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "harness"))
from kiosk_fixture import Fixture  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("build")
ap.add_argument("--citizens", type=int, default=100000)
ap.add_argument("--sessions", type=int, default=1000)
ap.add_argument("--starts", type=int, default=20)
ap.add_argument("--idle-seconds", type=int, default=60)
a = ap.parse_args()
MINASIDOR = os.path.join(a.build, "minasidor")
CASESTORE = os.path.join(a.build, "sync", "server", "casestore")
ENV = dict(os.environ, SDL_AUDIODRIVER="dummy", LSAN_OPTIONS="detect_leaks=0")
ENV.pop("DISPLAY", None)

SESSION = """tap "Identifiera dig"
wait "DEMO:"
tap "DEMO: {who}"
wait "Hej"
tap "Fakturor"
wait "Fakturor"
tap "Tillbaka"
wait "Hej"
tap "Logga ut"
wait "Välkommen till Mina sidor"
"""
SCREENS = """tap "Identifiera dig"
wait "DEMO:"
redraw 200
tap "DEMO:"
wait "Hej"
redraw 200
tap "Fakturor"
wait "Fakturor"
redraw 200
tap "Avgift"
wait "OCR-nummer"
redraw 200
tap "Tillbaka"
tap "Tillbaka"
tap "Mina ärenden"
redraw 200
tap-first listitem
wait "Ärendenummer"
redraw 200
key escape
key escape
tap "Köplatser"
redraw 200
tap "Tillbaka"
tap "Färdtjänst"
redraw 200
tap "Tillbaka"
tap "Utbetalningar"
redraw 200
tap "Tillbaka"
tap "Ansök eller lämna synpunkt"
redraw 200
tap "Förskoleplats"
redraw 200
tap "Tillbaka"
tap "Tillbaka"
tap "Logga ut"
wait "Välkommen till Mina sidor"
redraw 200
tap "Ring upp mig"
redraw 200
report
"""


def script(text):
    f = tempfile.NamedTemporaryFile("w", suffix=".script", delete=False)
    f.write(text)
    f.close()
    return f.name


def kiosk(fx, path):
    r = subprocess.run(fx.kiosk_args("--headless", "--script", path, "--screenshots",
                                     tempfile.gettempdir()),
                       capture_output=True, text=True, env=ENV, timeout=7200)
    if r.returncode != 0:
        sys.exit(f"the kiosk failed:\n{r.stderr[-3000:]}")
    return [line.split()[1:] for line in r.stdout.splitlines() if line.startswith("bench ")]


def slope(xs, ys):
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


print(f"ui_bench: seeding {a.citizens} citizens, provisioning and syncing a kiosk …", flush=True)
with Fixture(MINASIDOR, CASESTORE, citizens=a.citizens) as fx:
    t = time.monotonic()
    subprocess.run([MINASIDOR, "--config", fx.conf, "sync", "--once"], check=True,
                   capture_output=True, timeout=3600)
    print(f"  first sync: {time.monotonic() - t:.1f} s")

    # Cold start to the first frame.
    first = script("mark first-frame\n")
    starts = []
    for _ in range(a.starts):
        t = time.monotonic()
        p = subprocess.Popen(fx.kiosk_args("--headless", "--script", first), env=ENV,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        for line in p.stdout:
            if line.startswith("bench mark first-frame"):
                starts.append((time.monotonic() - t) * 1000)
        p.wait()
    print(f"cold start to first frame: median {statistics.median(starts):.0f} ms "
          f"(min {min(starts):.0f}, max {max(starts):.0f}, {len(starts)} starts; aim < 250)")

    # Frame time per screen.
    print("frame time per screen, 1080×1920, software renderer (200 full redraws each):")
    for fields in kiosk(fx, script(SCREENS)):
        if fields[0] == "frame":
            name, n, med, p99 = fields[1], int(fields[2]), int(fields[3]), int(fields[4])
            print(f"  {name:<10} median {med / 1000:6.2f} ms  p99 {p99 / 1000:6.2f} ms  "
                  f"({n} frames; aim p99 < 16)")

    # Sessions: memory and identification to Översikt.
    demo = subprocess.run(fx.kiosk_args("--headless", "--script", script(
        'tap "Identifiera dig"\nwait "DEMO:"\ndump\n')), capture_output=True, text=True,
        env=ENV, timeout=120).stdout
    who = [line.split('"')[1][6:] for line in demo.splitlines()
           if line.startswith('node button "DEMO: ')]
    body = []
    for i in range(a.sessions):
        body.append(SESSION.format(who=who[i % len(who)]))
        body.append("report\n")
        if i % 50 == 0 or i == a.sessions - 1:
            body.append(f"mark session {i + 1}\nrss\n")
    t = time.monotonic()
    out = kiosk(fx, script("rss\n" + "".join(body)))
    took = time.monotonic() - t
    rss, ids, at = [], [], 0
    for fields in out:
        if fields[0] == "mark":
            at = int(fields[2])
        elif fields[0] == "rss":
            rss.append((at, int(fields[1])))
        elif fields[0] == "id-to-overview" and int(fields[1]) > 0:
            ids.append(int(fields[1]) / 1000)
    print(f"identification complete to Översikt drawn: median {statistics.median(ids):.1f} ms, "
          f"max {max(ids):.1f} ms over {len(ids)} sessions (aim < 50)")
    later = [(x, y) for x, y in rss if x >= 100] or rss
    print(f"resident memory: {rss[0][1] / 1024:.1f} MB before, {rss[-1][1] / 1024:.1f} MB after "
          f"{a.sessions} sessions ({took:.0f} s); slope after session 100: "
          f"{slope([x for x, _ in later], [y for _, y in later]):+.2f} kB/session "
          f"(aim < 80 MB and flat)")

    # Idle CPU.
    p = subprocess.Popen(fx.kiosk_args("--headless"), env=ENV, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    time.sleep(5)

    def cpu():
        with open(f"/proc/{p.pid}/stat") as f:
            v = f.read().rsplit(")", 1)[1].split()
        return (int(v[11]) + int(v[12])) / os.sysconf("SC_CLK_TCK")

    c0, t0 = cpu(), time.monotonic()
    time.sleep(a.idle_seconds)
    c1, t1 = cpu(), time.monotonic()
    p.terminate()
    p.wait()
    print(f"idle CPU: {100 * (c1 - c0) / (t1 - t0):.2f} % over {t1 - t0:.0f} s (aim < 1 %)")
