"""The appliance (issue 16), as a technician gets it: the Debian packages built by
packaging/build-debs.sh, lintian on them, and both installed with apt into a clean Debian 12
root made by debootstrap, dependencies from the archive. Inside that root: the files, users and
modes; systemd-analyze verify and security on every unit (the exposure printed); casestore from
its package; a technician's `minasidor provision` from a token file on a "USB stick" that only
root can read, `sync --once` and `doctor`; the kiosk headless. Then the kiosk inside cage for
real, as the unit's ExecStart runs it (wlroots' headless backend), acting as systemd towards it:
READY=1, WATCHDOG=1, a hung (SIGSTOPped) kiosk falls silent; and a screenshot of the Wayland
output (grim) that must show the start screen. Booting the root with systemd-nspawn is tried;
where it cannot boot, that check is skipped and says why.

    python3 test_install.py SOURCE_ROOT
"""
import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "harness"))
import appliance  # noqa: E402
from taptest import eq, finish, free_port, skip, test  # noqa: E402

repo = appliance.Repo(sys.argv[1])
art = os.path.join(repo.cache, "artifacts")
os.makedirs(art, exist_ok=True)
EXPOSURE_LIMIT = {"casestore.service": 2.0, "minasidor-kiosk.service": 3.5}
facts = {}


@test
def packages_build_from_the_meson_install():
    ms, cs, ver, spent = repo.debs()
    facts.update(ms=ms, cs=cs, version=ver)
    meson = appliance.run(["meson", "introspect", "--projectinfo", "meson.build"], cwd=repo.root)
    eq(json.loads(meson.stdout)["version"], ver, "the packages' version is meson's")
    for deb in (ms, cs):
        info = appliance.run(["dpkg-deb", "-f", deb, "Package", "Version", "Depends",
                              "Installed-Size"]).stdout
        installed = re.search(r"Installed-Size: (\d+)", info).group(1)
        print(f"# {os.path.basename(deb)}: {os.path.getsize(deb)} bytes, {installed} KiB installed"
              + (f" (built in {spent:.0f} s)" if spent else " (cached)"))
        depends = re.search(r"^Depends: (.*)$", info, re.M).group(1)
        # Depends from the shared libraries (dpkg-shlibdeps), not written by hand.
        for lib in ("libc6", "libsqlite3-0", "libsodium23"):
            assert lib in depends, f"{deb}: Depends lacks {lib}: {depends}"
    ms_dep = appliance.run(["dpkg-deb", "-f", ms, "Depends"]).stdout
    for lib in ("libsdl2-2.0-0", "libcurl3-gnutls", "cage", "systemd"):
        assert lib in ms_dep, f"minasidor Depends lacks {lib}: {ms_dep}"
    cs_dep = appliance.run(["dpkg-deb", "-f", cs, "Depends"]).stdout
    assert "libmicrohttpd12" in cs_dep and "libsdl2" not in cs_dep, cs_dep


@test
def lintian_is_clean():
    assert "ms" in facts, "no packages"
    p = appliance.run(["lintian", "--info", "--display-info", "--fail-on", "none",
                       facts["ms"], facts["cs"]], check=False)
    tags = [line for line in p.stdout.splitlines() if re.match(r"^[EWIX]: ", line)]
    assert p.returncode == 0 and not tags, "lintian:\n" + "\n".join(tags) + p.stderr[-2000:]
    overrides = appliance.run(["lintian", "--info", "--show-overrides", "--fail-on", "none",
                               facts["ms"], facts["cs"]]).stdout
    print("# lintian: no errors, warnings or info tags; overridden (each with its reason in "
          f"packaging/debian/*.lintian-overrides): {len(re.findall(r'^O: ', overrides, re.M))}")


def in_root(r, script, **kw):
    return r.sh(script, **kw)


def wait_line(proc, pattern, timeout=60):
    """Reads proc's stdout until a line matches (the server says it listens)."""
    end = time.monotonic() + timeout
    seen = ""
    while time.monotonic() < end:
        ready, _, _ = select.select([proc.stdout], [], [], max(0.0, end - time.monotonic()))
        if not ready:
            break
        line = proc.stdout.readline()
        if not line:
            break
        seen += line
        if re.search(pattern, line):
            return line
    raise AssertionError(f"never printed {pattern!r}: {seen[-1000:]}")


class Server:
    """casestore serve inside the root, as its unit runs it: its user, its data directory."""

    def __init__(self, r, port):
        self.r, self.port = r, port
        self.proc = subprocess.Popen(
            ["chroot", r.path, "runuser", "-u", "casestore", "--", "/usr/bin/casestore", "serve",
             "--data", "/var/lib/casestore", "--listen", f"127.0.0.1:{port}"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"})
        wait_line(self.proc, r"listening on https://")

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)


def units_checked(r):
    """systemd-analyze verify and security on every unit the packages install."""
    units = sorted(u for u in os.listdir(r.p("/lib/systemd/system"))
                   if u in ("casestore.service", "minasidor-kiosk.service"))
    eq(["casestore.service", "minasidor-kiosk.service"], units, "units installed")
    scores = {}
    for u in units:
        # --man=no: the root has no man-db to look the Documentation= pages up with; the pages
        # themselves are checked among the files.
        v = r.sh(f"systemd-analyze verify --man=no /lib/systemd/system/{u}", check=False)
        assert v.returncode == 0 and not v.stdout.strip() and not v.stderr.strip(), \
            f"systemd-analyze verify {u}: exit {v.returncode}\n{v.stdout}\n{v.stderr}"
        score, table = appliance.exposure(r, u)
        scores[u] = score
        with open(os.path.join(art, f"security-{u}.txt"), "w") as f:
            f.write(table)
        print(f"# systemd-analyze security {u}: exposure {score} (limit {EXPOSURE_LIMIT[u]})")
    for u, score in scores.items():
        assert score <= EXPOSURE_LIMIT[u], f"{u}: exposure {score} > {EXPOSURE_LIMIT[u]}"
    return scores


def main():
    if "ms" not in facts:
        skip("installed_system", "the packages did not build")
        return
    with appliance.Root(repo, "install") as r:
        out = r.apt_install(facts["ms"], facts["cs"])
        facts["apt"] = out

        @test
        def apt_installs_both_with_dependencies_from_the_archive():
            status = r.sh("dpkg-query -W -f '${Package} ${Version} ${db:Status-Abbrev}\\n' "
                          "minasidor casestore cage libsdl2-2.0-0 systemd").stdout
            for pkg in ("minasidor", "casestore", "cage", "libsdl2-2.0-0", "systemd"):
                assert re.search(rf"^{re.escape(pkg)} \S+ ii", status, re.M), status
            assert f"minasidor {facts['version']} ii" in status, status

        @test
        def files_users_and_modes():
            for path, mode in (("/usr/bin/minasidor", 0o755), ("/usr/libexec/minasidor/minasidor", 0o755),
                               ("/usr/bin/casestore", 0o755),
                               ("/lib/systemd/system/minasidor-kiosk.service", 0o644),
                               ("/lib/systemd/system/casestore.service", 0o644),
                               ("/etc/default/minasidor-kiosk", 0o644), ("/etc/pam.d/minasidor-kiosk", 0o644),
                               ("/usr/share/man/man1/minasidor.1.gz", 0o644),
                               ("/usr/share/man/man1/casestore.1.gz", 0o644)):
                eq((mode, 0, 0), r.stat(path), path)
            for user, home in (("minasidor", "/var/lib/minasidor"), ("casestore", "/var/lib/casestore")):
                uid, gid, h, shell, groups = r.ids(user)
                assert 0 < uid < 1000, f"{user}: uid {uid} is not a system user's"
                eq(home, h, f"{user}'s home")
                eq("/usr/sbin/nologin", shell, f"{user}'s shell")
                eq((0o700, uid, gid), r.stat(home), f"{home} (mode, owner, group)")
                if user == "minasidor":
                    for g in ("video", "render", "input", "audio"):
                        assert g in groups, f"minasidor is not in {g}: {groups}"
            eq((0o700, 0, 0), r.stat("/etc/credstore.encrypted"), "/etc/credstore.encrypted")
            uid = r.ids("casestore")[0]
            for f in ("casestore.db", "tls.key", "tls.crt"):
                mode, owner, _ = r.stat(f"/var/lib/casestore/{f}")
                eq((0o600, uid), (mode, owner), f"/var/lib/casestore/{f} made by the postinst")
            # The kiosk unit is enabled (it waits for provisioning), and so is casestore.
            for u, target in (("minasidor-kiosk.service", "graphical.target"),
                              ("casestore.service", "multi-user.target")):
                assert os.path.islink(r.p(f"/etc/systemd/system/{target}.wants/{u}")), f"{u} not enabled"

        @test
        def units_verify_and_exposure():
            facts["exposure"] = units_checked(r)

        pin = r.sh("runuser -u casestore -- casestore pin --data /var/lib/casestore").stdout.strip()
        assert pin.startswith("sha256//"), pin
        r.sh("runuser -u casestore -- casestore seed --data /var/lib/casestore --citizens 300 --seed 7")
        port = free_port()
        server = Server(r, port)
        try:
            installed_kiosk(r, server, pin)
        finally:
            server.stop()
        nspawn_boot(r)


def installed_kiosk(r, server, pin):
    token = r.sh("runuser -u casestore -- casestore token create --data /var/lib/casestore "
                 "--site bromma-mbk --districts bromma,kista").stdout.strip()
    os.makedirs(r.p("/media/usb"), exist_ok=True)
    with open(r.p("/media/usb/token.txt"), "w") as f:
        f.write(token + "\n")
    os.chmod(r.p("/media/usb/token.txt"), 0o600)  # a FAT stick: root's only
    url = f"https://127.0.0.1:{server.port}"

    @test
    def provision_as_the_technician_from_a_usb_stick():
        p = r.sh(f"minasidor provision --server {url} --pin '{pin}' --token-file /media/usb/token.txt "
                 "--site-name 'Bromma medborgarkontor'", check=False)
        assert p.returncode == 0, f"provision: exit {p.returncode}\n{p.stdout}\n{p.stderr}"
        assert token not in p.stdout + p.stderr, "the token was echoed"
        assert "root key sealed" in p.stdout, p.stdout
        uid, gid = r.ids("minasidor")[:2]
        for f in ("minasidor.conf", "cache.db"):
            eq((0o600, uid, gid), r.stat(f"/var/lib/minasidor/{f}"), f"/var/lib/minasidor/{f}")
        assert not os.path.exists(r.p("/var/lib/minasidor/root.key")), "the key file was left"
        eq((0o600, 0, 0), r.stat("/etc/credstore.encrypted/minasidor-root-key"), "the sealed key")
        conf = open(r.p("/var/lib/minasidor/minasidor.conf")).read()
        assert re.search(r"^key = credential:root-key$", conf, re.M), conf
        # The credential is systemd's: the kiosk's user cannot open it.
        p = r.sh("runuser -u minasidor -- cat /etc/credstore.encrypted/minasidor-root-key", check=False)
        assert p.returncode != 0, "the kiosk's user can read the sealed key"
        # The identity provider: casestore's simulator with its relying-party certificate.
        r.sh("runuser -u casestore -- casestore rp-cert --data /var/lib/casestore --out /tmp/rp "
             "--name 'Stockholms stad kiosk' >/dev/null && install -d -o minasidor -g minasidor "
             "-m 0700 /var/lib/minasidor/rp && install -o minasidor -g minasidor -m 0600 /tmp/rp/rp.crt "
             "/tmp/rp/rp.key /var/lib/minasidor/rp/ && rm -rf /tmp/rp")
        with open(r.p("/var/lib/minasidor/minasidor.conf"), "a") as f:
            f.write(f"\n[identity]\nurl = {url}/rp/v6.0\npin = {pin}\n"
                    "rp_cert = /var/lib/minasidor/rp/rp.crt\nrp_key = /var/lib/minasidor/rp/rp.key\n")

    @test
    def sync_once_and_doctor_all_ok():
        p = r.sh("minasidor sync --once", check=False)
        assert p.returncode == 0, f"sync --once: exit {p.returncode}\n{p.stdout}\n{p.stderr}"
        d = r.sh("minasidor doctor", check=False)
        lines = [line for line in d.stdout.splitlines() if line.strip()]
        bad = [line for line in lines if not line.startswith("ok")]
        assert d.returncode == 0 and not bad and len(lines) >= 10, \
            f"doctor: exit {d.returncode}\n{d.stdout}\n{d.stderr}"
        assert re.search(r"^ok\s+key\s+root key from credential", d.stdout, re.M), d.stdout
        with open(os.path.join(art, "doctor-installed.txt"), "w") as f:
            f.write(d.stdout)

    @test
    def kiosk_headless_from_the_package():
        shutil.copy(os.path.join(repo.root, "tests/ui/scripts/start.script"), r.p("/tmp/start.script"))
        os.chmod(r.p("/tmp/start.script"), 0o644)
        r.sh("install -d -o minasidor -g minasidor -m 0700 /tmp/shots")
        p = r.sh("SDL_AUDIODRIVER=dummy minasidor kiosk --headless --script /tmp/start.script "
                 "--screenshots /tmp/shots", check=False)
        assert p.returncode == 0, f"kiosk --headless: exit {p.returncode}\n{p.stdout[-2000:]}\n{p.stderr[-2000:]}"
        shot = r.p("/tmp/shots/start-sv.png")
        assert os.path.exists(shot), os.listdir(r.p("/tmp/shots"))
        shutil.copy(shot, os.path.join(art, "headless-start-sv.png"))
        facts["headless_start"] = shot
        facts["headless_other"] = r.p("/tmp/shots/start-ar.png")

    cage_for_real(r)


def cage_for_real(r):
    """The unit's ExecStart, by hand: cage with wlroots' headless backend and the pixman
    renderer, the kiosk in it as the user minasidor with its key as a credential, and the test
    holding NOTIFY_SOCKET as systemd does."""
    if "headless_start" not in facts:
        skip("cage_shows_the_start_screen", "the headless kiosk did not run")
        return
    r.sh("apt-get install -y -q grim", timeout=900)
    unit = open(r.p("/lib/systemd/system/minasidor-kiosk.service")).read()
    exec_start = re.search(r"^ExecStart=(.*)$", unit, re.M).group(1)
    cage_opts = re.search(r"^Environment=CAGE_OPTIONS=(.*)$", unit, re.M).group(1)
    argv = exec_start.replace("$CAGE_OPTIONS", cage_opts).split()
    assert argv[0] == "/usr/bin/cage" and "kiosk" in argv, exec_start
    env_lines = re.findall(r"^Environment=(.*)$", unit, re.M)
    env = dict(kv.split("=", 1) for line in env_lines for kv in line.split())
    env.update({"WLR_BACKENDS": "headless", "WLR_RENDERER": "pixman", "WLR_LIBINPUT_NO_DEVICES": "1",
                "XDG_RUNTIME_DIR": "/run/kiosk-test", "SDL_AUDIODRIVER": "dummy",
                "WATCHDOG_USEC": "2000000"})
    r.sh("install -d -o minasidor -g minasidor -m 0700 /run/kiosk-test /run/kiosk-test/creds "
         "&& systemd-creds decrypt --name=root-key /etc/credstore.encrypted/minasidor-root-key "
         "/run/kiosk-test/creds/root-key && chown minasidor: /run/kiosk-test/creds/root-key "
         "&& chmod 0400 /run/kiosk-test/creds/root-key")
    env["CREDENTIALS_DIRECTORY"] = "/run/kiosk-test/creds"
    notify = r.p("/run/kiosk-test/notify")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(notify)
    os.chmod(notify, 0o666)
    env["NOTIFY_SOCKET"] = "/run/kiosk-test/notify"
    envs = [f"{k}={v}" for k, v in sorted(env.items())]
    # WATCHDOG_PID is cage's, the unit's main process: the shell below execs into cage.
    cmd = ["chroot", r.path, "setpriv", "--reuid=minasidor", "--regid=minasidor", "--init-groups",
           "--", "/bin/sh", "-c", 'export WATCHDOG_PID=$$; exec env "$@"', "sh", *envs, *argv]
    log = open(os.path.join(art, "cage.log"), "w")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    try:
        def message(timeout):
            ready, _, _ = select.select([sock], [], [], timeout)
            return sock.recv(4096).decode() if ready else None

        @test
        def kiosk_in_cage_says_ready_and_pings_the_watchdog():
            first = message(60)
            assert first is not None and "READY=1" in first, f"no READY=1 from the kiosk: {first!r}"
            assert "WATCHDOG=1" in first, first
            eq("WATCHDOG=1", message(10), "a ping within the interval")

        @test
        def cage_shows_the_start_screen():
            shot = r.p("/run/kiosk-test/cage.png")
            want = appliance.png_read(facts["headless_start"])
            other = appliance.png_read(facts["headless_other"])
            ta = appliance.thumbnail(want[2], (0, 0, want[0], want[1]))
            to = appliance.thumbnail(other[2], (0, 0, other[0], other[1]))
            last = None
            # The first frames may still be cage's background: take screenshots until the
            # kiosk's has arrived, or give up after a bounded number.
            for _ in range(40):
                g = r.sh("setpriv --reuid=minasidor --regid=minasidor --init-groups -- env "
                         "XDG_RUNTIME_DIR=/run/kiosk-test WAYLAND_DISPLAY=wayland-0 grim "
                         "/run/kiosk-test/cage.png", check=False)
                assert g.returncode == 0, f"grim: {g.stderr}"
                w, h, rows = appliance.png_read(shot)
                box = appliance.content_box(rows)
                if box is not None:
                    tg = appliance.thumbnail(rows, box)
                    last = (appliance.difference(ta, tg), appliance.difference(to, tg), box, w, h)
                    if last[0] < 12:
                        break
                message(0.25)  # the watchdog's pings meanwhile; also paces the retries
            shutil.copy(shot, os.path.join(art, "cage-start.png"))
            assert last is not None, "the Wayland output stayed black"
            same, other_d, box, w, h = last
            print(f"# cage output {w}x{h}, kiosk drawn in {box}; difference from the headless start "
                  f"screen {same:.1f}, from the Arabic start screen {other_d:.1f} (0-255)")
            assert same < 12, f"the output does not look like the start screen (difference {same:.1f})"
            assert other_d > same + 3, "the comparison cannot tell the start screen from another"

        @test
        def a_hung_kiosk_stops_pinging_and_resumes():
            kiosk = kiosk_pids(r)
            assert len(kiosk) == 1, f"kiosk processes: {kiosk}"
            pid = kiosk[0]
            while message(0) is not None:
                pass
            os.kill(pid, signal.SIGSTOP)
            try:
                # systemd restarts the unit when WatchdogSec (here 2 s) passes without a ping.
                silent = message(3.0)
                assert silent is None, f"a stopped kiosk still sent {silent!r}"
            finally:
                os.kill(pid, signal.SIGCONT)
            eq("WATCHDOG=1", message(10), "the ping after SIGCONT")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        sock.close()
        log.close()
        r.sh("rm -rf /run/kiosk-test", check=False)


def kiosk_pids(r):
    """The kiosk processes running in the root (found from the host's /proc)."""
    pids = []
    for d in os.listdir("/proc"):
        try:
            cmd = open(f"/proc/{d}/cmdline", "rb").read().split(b"\0")[0]
            if cmd == b"/usr/libexec/minasidor/minasidor" and os.readlink(f"/proc/{d}/root") == r.path:
                pids.append(int(d))
        except (OSError, ValueError):
            continue
    return pids


def nspawn_boot(r):
    """Boots the root with systemd-nspawn, where this machine can."""
    why = None
    if shutil.which("systemd-nspawn") is None:
        why = "systemd-nspawn is not installed"
    elif not os.path.isdir("/sys/fs/cgroup/unified") and not os.path.exists("/sys/fs/cgroup/cgroup.controllers"):
        why = "no cgroup2 hierarchy for a container's systemd"
    if why is None:
        p = appliance.run(["systemd-nspawn", "-q", "--register=no", "--keep-unit", "-D", r.path,
                           "--boot", "--", "systemd.unit=multi-user.target"], check=False, timeout=60)
        why = f"systemd-nspawn --boot: exit {p.returncode}: {(p.stderr or p.stdout).strip()[-300:]}"
    skip("nspawn_boot_units_watchdog_hardening",
         f"this machine cannot boot a container ({why}); the units' ExecStart commands ran by hand "
         "in the root above instead, and systemd-analyze checked the unit files")


@test
def the_installed_system_ran_to_the_end():
    main()


finish()
