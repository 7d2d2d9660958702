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
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "harness"))
import appliance  # noqa: E402
from taptest import eq, finish, free_port, skip, test  # noqa: E402

appliance.require_root()
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
    overrides = appliance.run(["lintian", "--info", "--display-info", "--show-overrides", "--fail-on", "none",
                               facts["ms"], facts["cs"]]).stdout
    print("# lintian: no errors, warnings or info tags; overridden (each with its reason in "
          f"packaging/debian/*.lintian-overrides): {len(re.findall(r'^O: ', overrides, re.M))}")


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
        server = appliance.Server(r, port, "install")
        try:
            installed_kiosk(r, server, pin)
        finally:
            server.stop()
        # The booted casestore.service serves where the kiosk was provisioned to find it.
        with open(r.p("/etc/default/casestore"), "a") as f:
            f.write(f"CASESTORE_LISTEN=127.0.0.1:{port}\n")
    nspawn_boot(r)


def installed_kiosk(r, server, pin):
    token = appliance.token(r)
    url = server.url
    facts.update(url=url, pin=pin)

    @test
    def provision_as_the_technician_from_a_usb_stick():
        out = appliance.provision(r, url, pin, token)
        assert "root key sealed" in out, out
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
        appliance.use_identity_provider(r, url, pin)

    @test
    def sync_once_and_doctor_all_ok():
        p = r.sh("minasidor sync --once", check=False)
        assert p.returncode == 0, f"sync --once: exit {p.returncode}\n{p.stdout}\n{p.stderr}"
        d = appliance.doctor_all_ok(r)
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
        eq((1080, 1920), appliance.png_read(r.p("/tmp/shots/start-sv.png"))[:2], "the default display")
        # The technician's settings for the screen cage makes below (wlroots' headless output,
        # 1280x720, turned to portrait with cage's -r as for a screen mounted on its side),
        # through the unit's EnvironmentFile: the same script at that size.
        with open(r.p("/etc/default/minasidor-kiosk"), "a") as f:
            f.write('CAGE_OPTIONS="-d -r"\nMINASIDOR_DISPLAY_WIDTH_PX=720\nMINASIDOR_DISPLAY_HEIGHT_PX=1280\n')
        r.sh("install -d -o minasidor -g minasidor -m 0700 /tmp/shots-720")
        p = r.sh("set -a && . /etc/default/minasidor-kiosk && SDL_AUDIODRIVER=dummy minasidor kiosk "
                 "--headless --script /tmp/start.script --screenshots /tmp/shots-720", check=False)
        assert p.returncode == 0, f"kiosk --headless at 720x1280: exit {p.returncode}\n{p.stderr[-2000:]}"
        shot = r.p("/tmp/shots-720/start-sv.png")
        eq((720, 1280), appliance.png_read(shot)[:2], "the display the technician set")
        shutil.copy(shot, os.path.join(art, "headless-start-sv.png"))
        facts["headless_start"] = shot
        facts["headless_other"] = r.p("/tmp/shots-720/start-ar.png")

    cage_for_real(r)


def cage_for_real(r):
    """The unit's ExecStart, by hand: cage with wlroots' headless backend and the pixman
    renderer, the kiosk in it as the user minasidor with its key as a credential, and the test
    holding NOTIFY_SOCKET as systemd does."""
    if "headless_start" not in facts:
        skip("cage_shows_the_start_screen", "the headless kiosk did not run")
        return
    with appliance.locked(os.path.join(repo.cache, "apt-archives")):
        r.sh("apt-get install -y -q grim", timeout=900)
    unit = open(r.p("/lib/systemd/system/minasidor-kiosk.service")).read()
    exec_start = re.search(r"^ExecStart=(.*)$", unit, re.M).group(1)
    env_lines = re.findall(r"^Environment=(.*)$", unit, re.M)
    env = dict(kv.split("=", 1) for line in env_lines for kv in line.split())
    # EnvironmentFile=-/etc/default/minasidor-kiosk, as systemd reads it.
    for line in open(r.p("/etc/default/minasidor-kiosk")):
        m = re.match(r'^([A-Z_]+)="?([^"]*)"?$', line.strip())
        if m:
            env[m.group(1)] = m.group(2)
    argv = re.sub(r"\$([A-Z_]+)", lambda m: env.get(m.group(1), ""), exec_start).split()
    env.update({"WLR_BACKENDS": "headless", "WLR_RENDERER": "pixman", "WLR_LIBINPUT_NO_DEVICES": "1",
                "XDG_RUNTIME_DIR": "/run/kiosk-test", "SDL_AUDIODRIVER": "dummy",
                "WATCHDOG_USEC": "2000000",
                # the kiosk's own line about its display (pointer hidden) is at level info
                "MINASIDOR_LOG_LEVEL": "info"})
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
    assert argv[0] == "/usr/bin/cage" and "kiosk" in argv, exec_start
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
            grid = (want[0] // 40, want[1] // 40)
            ta = appliance.thumbnail(want[2], (0, 0, want[0], want[1]), *grid)
            to = appliance.thumbnail(other[2], (0, 0, other[0], other[1]), *grid)
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
                    tg = appliance.thumbnail(rows, box, *grid)
                    last = (appliance.difference(ta, tg), appliance.difference(to, tg), box, w, h)
                    if last[0] < 1.5:
                        break
                message(0.25)  # the watchdog's pings meanwhile; also paces the retries
            shutil.copy(shot, os.path.join(art, "cage-start.png"))
            assert last is not None, "the Wayland output stayed black"
            same, other_d, box, w, h = last
            print(f"# cage output {w}x{h}, kiosk drawn in {box}; difference from the headless start "
                  f"screen {same:.1f}, from the Arabic start screen {other_d:.1f} (0-255)")
            eq((0, 0, w, h), box, "the kiosk fills the output: nothing else on screen")
            # The same renderer at the same size: identical but for text antialiasing. The
            # Arabic start screen (the same boxes, mirrored) is the control that must differ.
            assert same < 1.5, f"the output does not look like the start screen (difference {same:.1f})"
            assert other_d > 2 * same + 1, "the comparison cannot tell the start screen from another"
            log.flush()
            shown = [l for l in open(os.path.join(art, "cage.log")) if "display " in l]
            assert any("pointer hidden" in l for l in shown), \
                f"the unit's kiosk shows a pointer on a touch screen: {shown}"

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


# The container has no tty1, no seat and no GPU: the kiosk's unit gets wlroots' headless
# backend instead of a logind session on tty1, and a short watchdog; the rest of the unit (its
# user, its sandbox, its credential) is the package's.
CONTAINER_DROPIN = """[Service]
PAMName=
TTYPath=
TTYReset=no
TTYVHangup=no
TTYVTDisallocate=no
StandardInput=null
UtmpIdentifier=
Environment=WLR_BACKENDS=headless WLR_RENDERER=pixman WLR_LIBINPUT_NO_DEVICES=1
Environment=XDG_RUNTIME_DIR=/run/minasidor-kiosk SDL_AUDIODRIVER=dummy
RuntimeDirectory=minasidor-kiosk
WatchdogSec=4s
"""


def nspawn_boot(r):
    """Boots the root with systemd-nspawn where this machine can, and checks the units under
    the real systemd: both start, the watchdog restarts a kiosk stopped with SIGSTOP, and the
    kiosk cannot write outside its state directory."""
    if shutil.which("systemd-nspawn") is None:
        skip("nspawn_boot", "systemd-nspawn is not installed (packaging/deps.sh test installs it)")
        return
    dropin = r.p("/etc/systemd/system/minasidor-kiosk.service.d")
    os.makedirs(dropin, exist_ok=True)
    with open(os.path.join(dropin, "container.conf"), "w") as f:
        f.write(CONTAINER_DROPIN)
    log = open(os.path.join(art, "nspawn.log"), "w")
    proc = subprocess.Popen(["systemd-nspawn", "-q", "--register=no", "--keep-unit", "-D", r.path,
                             "--boot"], stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    init = None
    try:
        for _ in range(400):
            # nspawn's first child sets the container up and forks its init: wait for systemd.
            kids = [k for k in children(proc.pid) if comm(k) == "systemd"]
            if kids:
                init = kids[0]
                break
            if proc.poll() is not None:
                break
            time.sleep(0.05)  # polls for the container's init to exist, bounded
        if init is None:
            log.flush()
            why = open(os.path.join(art, "nspawn.log")).read().strip()[-300:]
            skip("nspawn_boot", f"this machine cannot boot a container (systemd-nspawn: {why}); "
                 "the units' ExecStart commands ran by hand in the root instead")
            return

        def inside(cmd, check=True, timeout=120):
            return appliance.run(["nsenter", "-t", str(init), "-m", "-u", "-i", "-p", "-r", "-w", "--",
                                  "/bin/sh", "-c", cmd], check=check, timeout=timeout)

        def prop(unit, name):
            return inside(f"systemctl show -p {name} --value {unit}").stdout.strip()

        @test
        def booted_units_start():
            # The container's systemd answers once its private socket is there.
            inside("timeout 120 sh -c 'until [ -S /run/systemd/private ]; do sleep 0.2; done'",
                   check=False, timeout=150)
            state = inside("timeout 150 systemctl is-system-running --wait", check=False,
                           timeout=180).stdout.strip()
            assert state in ("running", "degraded"), f"system state {state}"
            for u in ("casestore.service", "minasidor-kiosk.service"):
                inside(f"timeout 60 sh -c 'until systemctl is-active -q {u}; do sleep 0.2; done'",
                       check=False, timeout=90)
                eq("active", prop(u, "ActiveState"), f"{u}: " + inside(
                    f"systemctl status --no-pager {u}; journalctl --no-pager -n 30 -u {u}",
                    check=False).stdout[-2500:])
            for u, user in (("casestore.service", "casestore"), ("minasidor-kiosk.service", "minasidor")):
                eq(user, prop(u, "User"), f"{u} user")

        def kiosk_in_container():
            """The kiosk processes, by their pid in the container."""
            out = inside("for d in /proc/[0-9]*; do [ \"$(tr '\\0' ' ' < $d/cmdline 2>/dev/null | "
                         "cut -d' ' -f1)\" = /usr/libexec/minasidor/minasidor ] && echo ${d#/proc/}; "
                         "done; true").stdout.split()
            return [int(x) for x in out]

        @test
        def booted_kiosk_is_confined():
            pids = kiosk_in_container()
            assert len(pids) == 1, f"kiosk processes: {pids}"
            pid = pids[0]
            status = inside(f"cat /proc/{pid}/status").stdout
            for field, want in (("NoNewPrivs", "1"), ("Seccomp", "2"), ("CapEff", "0000000000000000"),
                                ("CapBnd", "0000000000000000")):
                got = re.search(rf"^{field}:\s*(\S+)", status, re.M).group(1)
                eq(want, got, f"kiosk {field}")
            uid = re.search(r"^Uid:\s*(\d+)", status, re.M).group(1)
            gid = re.search(r"^Gid:\s*(\d+)", status, re.M).group(1)

            def as_kiosk(cmd):
                return inside(f"nsenter -t {pid} -m -S {uid} -G {gid} -- /bin/sh -c '{cmd}'", check=False)

            for path in ("/etc/minasidor-probe", "/usr/minasidor-probe", "/var/minasidor-probe",
                         "/var/lib/casestore/minasidor-probe", "/root/minasidor-probe",
                         "/home/minasidor-probe"):
                p = as_kiosk(f"echo x > {path}")
                assert p.returncode != 0, f"the kiosk could write {path}"
            p = as_kiosk("echo x > /var/lib/minasidor/probe && rm /var/lib/minasidor/probe")
            assert p.returncode == 0, f"the kiosk cannot write its state directory: {p.stderr}"
            for tmp in ("/tmp", "/var/tmp"):  # PrivateTmp=: its own, gone with it
                p = as_kiosk(f"echo x > {tmp}/minasidor-probe")
                assert p.returncode == 0, p.stderr
                eq("", inside(f"ls {tmp}/minasidor-probe 2>/dev/null; true").stdout.strip(), f"a private {tmp}")
            p = as_kiosk("cat /etc/credstore.encrypted/minasidor-root-key")
            assert p.returncode != 0, "the kiosk can read the sealed key"
            print(f"# the booted kiosk: NoNewPrivs, seccomp, no capabilities; writes only "
                  f"/var/lib/minasidor and its private /tmp and /var/tmp")

        @test
        def booted_watchdog_restarts_a_hung_kiosk():
            before = int(prop("minasidor-kiosk.service", "NRestarts"))
            pids = kiosk_in_container()
            assert len(pids) == 1, f"kiosk processes: {pids}"
            inside(f"kill -STOP {pids[0]}")
            # systemd, not the test, decides: wait (bounded) for its restart count to move.
            inside(f"timeout 60 sh -c 'until [ $(systemctl show -p NRestarts --value "
                   f"minasidor-kiosk.service) -gt {before} ]; do sleep 0.2; done'", check=False, timeout=90)
            after = int(prop("minasidor-kiosk.service", "NRestarts"))
            journal = inside("journalctl --no-pager -u minasidor-kiosk.service", check=False).stdout
            assert after > before, f"no restart after SIGSTOP ({before} -> {after})\n{journal[-2000:]}"
            assert re.search(r"Watchdog timeout", journal), journal[-2000:]
            inside("timeout 60 sh -c 'until systemctl is-active -q minasidor-kiosk; do sleep 0.2; done'",
                   check=False, timeout=90)
            eq("active", prop("minasidor-kiosk.service", "ActiveState"), "after the restart")
            new = kiosk_in_container()
            assert len(new) == 1 and new[0] != pids[0], f"kiosk processes after: {new} (before {pids})"
            print(f"# SIGSTOP: systemd's watchdog restarted the kiosk ({before} -> {after} restarts)")
        @test
        def booted_provision_again_restarts_the_kiosk():
            """A technician re-provisions under the running systemd: provision --force stops the
            kiosk, enrols anew, seals the new key and starts the kiosk again."""
            conf = r.p("/var/lib/minasidor/minasidor.conf")
            old_id = re.search(r"^id = (\S+)$", open(conf).read(), re.M).group(1)
            old_key = open(r.p("/etc/credstore.encrypted/minasidor-root-key"), "rb").read()
            tok = inside("runuser -u casestore -- casestore token create --data /var/lib/casestore "
                         "--site bromma-mbk --districts bromma,kista").stdout.strip()
            p = inside(f"echo {tok} | minasidor provision --force --server {facts['url']} "
                       f"--pin '{facts['pin']}' --token - --site-name Bromma", check=False, timeout=600)
            assert p.returncode == 0, f"provision --force: exit {p.returncode}\n{p.stdout}\n{p.stderr}"
            assert "the kiosk is starting" in p.stdout, p.stdout
            new_id = re.search(r"^id = (\S+)$", open(conf).read(), re.M).group(1)
            assert new_id != old_id, "the kiosk was not enrolled anew"
            assert open(r.p("/etc/credstore.encrypted/minasidor-root-key"), "rb").read() != old_key, \
                "the old key was kept"
            inside("timeout 60 sh -c 'until systemctl is-active -q minasidor-kiosk; do sleep 0.2; done'",
                   check=False, timeout=90)
            eq("active", prop("minasidor-kiosk.service", "ActiveState"), "the kiosk after provisioning")
            d = inside("minasidor doctor", check=False)
            for check in ("key", "store", "casestore"):
                assert re.search(rf"^ok\s+{check}\s", d.stdout, re.M), f"doctor {check}:\n{d.stdout}"
            print(f"# provision --force under systemd: {old_id} -> {new_id}, kiosk active again")
    finally:
        proc.terminate()  # nspawn asks the container's systemd to halt
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        # A container still halting when nspawn went would live on: its init, killed, takes
        # every process of the container with it.
        if init is not None and comm(init) == "systemd":
            os.kill(init, signal.SIGKILL)
        log.close()


def comm(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return None


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


@test
def the_installed_system_ran_to_the_end():
    main()


# The root is left for inspection when a test failed, removed otherwise.
finish(appliance.disposable(os.path.join(repo.cache, "roots", "install")))
