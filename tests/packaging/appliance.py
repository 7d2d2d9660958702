"""What the packaging tests share: the Debian packages built by packaging/build-debs.sh (cached
by the content of the tree, or by commit), a clean Debian 12 root made by debootstrap (cached
under build/packaging/), fresh copies of it with /proc, /dev and a memory /run mounted, and
commands run inside them. Everything cached lives in build/packaging/; a rerun reuses it.
"""
import contextlib
import select
import signal
import fcntl
import hashlib
import os
import re
import shutil
import struct
import subprocess
import time
import zlib

SUITE = "bookworm"
MIRROR = os.environ.get("PACKAGING_MIRROR", "http://deb.debian.org/debian")
ARCH = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True).stdout.strip()


def require_root():
    """The tests chroot and mount: without root every test is skipped, saying so."""
    if os.geteuid() != 0:
        print("1..0 # SKIP the packaging tests need root (debootstrap, chroot, mount)")
        raise SystemExit(0)


def run(args, check=True, timeout=900, input=None, env=None, cwd=None):
    """Runs a command, output captured as text; raises AssertionError with its output when
    check is set and it fails."""
    p = subprocess.run(args, capture_output=True, text=True, timeout=timeout, input=input,
                       env=env, cwd=cwd)
    if check and p.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, args))}: exit {p.returncode}\n"
                             f"{p.stdout[-3000:]}\n{p.stderr[-3000:]}")
    return p


@contextlib.contextmanager
def locked(path):
    """One process at a time builds what is cached at path (the tests may run in parallel)."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + ".lock", "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


class Repo:
    def __init__(self, source_root):
        self.root = os.path.abspath(source_root)
        self.cache = os.path.join(self.root, "build", "packaging")
        os.makedirs(self.cache, exist_ok=True)

    def git(self, *args):
        return run(["git", "-C", self.root, *args]).stdout.strip()

    def tree_digest(self):
        """The content of what build-debs.sh builds from this tree (tracked and new files)."""
        h = hashlib.sha256()
        files = self.git("ls-files", "-co", "--exclude-standard", "-z").split("\0")
        for name in sorted(f for f in files if f):
            path = os.path.join(self.root, name)
            if os.path.isfile(path):
                h.update(name.encode() + b"\0")
                with open(path, "rb") as f:
                    h.update(hashlib.sha256(f.read()).digest())
        return h.hexdigest()[:16]

    def debs(self, commit=None, version=None):
        """(minasidor.deb, casestore.deb, version, seconds spent building, 0 when cached)."""
        if commit:
            key = "commit-" + self.git("rev-parse", "--short=12", commit + "^{commit}")
        else:
            key = "tree-" + self.tree_digest()
        out = os.path.join(self.cache, "debs", key)
        with locked(out):
            found = sorted(f for f in os.listdir(out) if f.endswith(".deb")) if os.path.isdir(out) else []
            spent = 0.0
            if len(found) != 2:
                shutil.rmtree(out, ignore_errors=True)
                if not commit:  # an earlier state of the tree is not built again
                    for old in os.listdir(os.path.dirname(out)):
                        if old.startswith("tree-") and not old.endswith(".lock"):
                            shutil.rmtree(os.path.join(os.path.dirname(out), old), ignore_errors=True)
                args = ["bash", os.path.join(self.root, "packaging", "build-debs.sh"), out]
                if commit:
                    args += ["--commit", commit, "--version", version]
                t0 = time.monotonic()
                run(args, timeout=1500)
                spent = time.monotonic() - t0
                found = sorted(f for f in os.listdir(out) if f.endswith(".deb"))
        cs = [f for f in found if f.startswith("casestore_")][0]
        ms = [f for f in found if f.startswith("minasidor_")][0]
        ver = ms.split("_")[1]
        return os.path.join(out, ms), os.path.join(out, cs), ver, spent


def base_root(repo):
    """A Debian 12 minbase root with the archive's indexes, made once (debootstrap)."""
    base = os.path.join(repo.cache, f"base-{SUITE}")
    with locked(base):
        if not os.path.exists(os.path.join(base, ".complete")):
            shutil.rmtree(base, ignore_errors=True)
            tmp = base + ".tmp"
            shutil.rmtree(tmp, ignore_errors=True)
            run(["debootstrap", "--variant=minbase", SUITE, tmp, MIRROR], timeout=1500)
            with open(os.path.join(tmp, "etc/apt/sources.list"), "w") as f:
                sec = MIRROR.replace("/debian", "/debian-security")
                f.write(f"deb {MIRROR} {SUITE} main\ndeb {MIRROR} {SUITE}-updates main\n"
                        f"deb {sec} {SUITE}-security main\n")
            with open(os.path.join(tmp, "etc/apt/apt.conf.d/90packaging-test"), "w") as f:
                f.write('APT::Install-Recommends "false";\nAPT::Keep-Downloaded-Packages "true";\n'
                        'Dpkg::Use-Pty "false";\n')
            with mounted(tmp, repo):
                run(["chroot", tmp, "apt-get", "update", "-qq"], timeout=900)
            open(os.path.join(tmp, ".complete"), "w").close()
            os.rename(tmp, base)
    return base


def disposable(root):
    """root, if nothing is mounted under it any more (so that removing it removes only the
    copy), else None (it stays)."""
    root = os.path.abspath(root)
    with open("/proc/self/mounts") as f:
        if any(line.split()[1] == root or line.split()[1].startswith(root + "/") for line in f):
            return None
    return root


def _umount_all(root):
    mounts = []
    with open("/proc/self/mounts") as f:
        for line in f:
            point = line.split()[1].replace("\\040", " ")
            if point == root or point.startswith(root + "/"):
                mounts.append(point)
    for point in sorted(mounts, key=len, reverse=True):
        subprocess.run(["umount", "-l", point], capture_output=True)


@contextlib.contextmanager
def mounted(root, repo):
    """/proc, /dev (the host's, for /dev/null and friends), /dev/pts, a memory /run, and the
    shared download cache for apt, mounted for the length of the block."""
    root = os.path.abspath(root)
    archives = os.path.join(repo.cache, "apt-archives")
    os.makedirs(os.path.join(archives, "partial"), exist_ok=True)
    try:
        run(["mount", "-t", "proc", "proc", f"{root}/proc"])
        run(["mount", "--bind", "/dev", f"{root}/dev"])
        run(["mount", "-t", "devpts", "-o", "newinstance,ptmxmode=0666", "devpts", f"{root}/dev/pts"])
        # POSIX shared memory (wlroots' buffers for the headless output) for every user.
        run(["mount", "-t", "tmpfs", "-o", "mode=1777", "tmpfs", f"{root}/dev/shm"])
        run(["mount", "-t", "tmpfs", "-o", "mode=0755", "tmpfs", f"{root}/run"])
        os.makedirs(f"{root}/run/lock", exist_ok=True)
        os.makedirs(f"{root}/var/cache/apt/archives", exist_ok=True)
        run(["mount", "--bind", archives, f"{root}/var/cache/apt/archives"])
        yield root
    finally:
        _umount_all(root)


class Root:
    """A fresh copy of the base root, mounted; commands run in it with chroot."""

    def __init__(self, repo, name):
        self.repo = repo
        self.path = os.path.join(repo.cache, "roots", name)
        self._mounts = None

    def __enter__(self):
        base = base_root(self.repo)
        _umount_all(self.path)
        shutil.rmtree(self.path, ignore_errors=True)
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        run(["cp", "-a", "--reflink=auto", base, self.path])
        self._mounts = mounted(self.path, self.repo)
        self._mounts.__enter__()
        return self

    def __exit__(self, *exc):
        self._mounts.__exit__(*exc)
        return False

    def p(self, path):
        """The host's path of a path inside the root."""
        return os.path.join(self.path, path.lstrip("/"))

    def sh(self, script, check=True, timeout=600, input=None, env=None):
        e = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8", "HOME": "/root",
             "DEBIAN_FRONTEND": "noninteractive"}
        e.update(env or {})
        return run(["chroot", self.path, "/bin/sh", "-c", script], check=check, timeout=timeout,
                   input=input, env=e)

    def apt_install(self, *debs):
        """Installs the given .deb files (copied in) with apt, which takes their dependencies
        from the archive."""
        names = []
        for d in debs:
            shutil.copy(d, self.p("/tmp"))
            names.append("/tmp/" + os.path.basename(d))
        # The download cache is shared with the other test's root: one apt at a time. The
        # archive's indexes may have aged in the base root: refresh them when apt cannot fetch.
        with locked(os.path.join(self.repo.cache, "apt-archives")):
            p = self.sh("apt-get install -y -q " + " ".join(names), check=False, timeout=1200)
            if p.returncode != 0 and ("404" in p.stdout + p.stderr or "Unable to fetch" in p.stdout + p.stderr):
                self.sh("apt-get update -qq", timeout=600)
                p = self.sh("apt-get install -y -q " + " ".join(names), check=False, timeout=1200)
        assert p.returncode == 0, f"apt-get install {names}: exit {p.returncode}\n{p.stdout[-4000:]}\n{p.stderr[-3000:]}"
        return p.stdout + p.stderr

    def stat(self, path):
        st = os.lstat(self.p(path))
        return st.st_mode & 0o7777, st.st_uid, st.st_gid

    def ids(self, user):
        """(uid, gid, home, shell, groups) of a user of the root."""
        pw = self.sh(f"getent passwd {user}").stdout.strip().split(":")
        groups = self.sh(f"id -nG {user}").stdout.split()
        return int(pw[2]), int(pw[3]), pw[5], pw[6], groups


def exposure(root, unit):
    """systemd-analyze security's overall exposure for a unit file of the root (offline)."""
    p = root.sh(f"systemd-analyze security --offline=true --no-pager /lib/systemd/system/{unit}",
                check=False)
    m = re.search(r"Overall exposure level for \S+: ([0-9.]+)", p.stdout + p.stderr)
    assert m, f"no exposure level for {unit}:\n{p.stdout[-2000:]}\n{p.stderr[-1000:]}"
    return float(m.group(1)), p.stdout


def png_read(path):
    """(width, height, rows of (r, g, b) tuples) of an 8-bit RGB or RGBA PNG, non-interlaced."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path}: not a PNG"
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
        pos += 12 + n
        if kind == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and ctype in (2, 6) and interlace == 0, f"{path}: PNG type {ctype}/{depth}"
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
    raw = zlib.decompress(idat)
    stride = w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        ft = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if ft == 1:
                line[i] = (line[i] + a) & 255
            elif ft == 2:
                line[i] = (line[i] + b) & 255
            elif ft == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif ft == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append([tuple(line[x * bpp:x * bpp + 3]) for x in range(w)])
        prev = line
    return w, h, rows


def content_box(rows, background=(0, 0, 0)):
    """The bounding box (x0, y0, x1, y1) of the pixels that are not the letterbox's colour."""
    ys = [y for y, r in enumerate(rows) if any(p != background for p in r)]
    if not ys:
        return None
    xs = [x for x in range(len(rows[0])) if any(rows[y][x] != background for y in ys)]
    return xs[0], ys[0], xs[-1] + 1, ys[-1] + 1


def thumbnail(rows, box, gw=18, gh=32):
    """The mean colour of each cell of a gw × gh grid over box: a picture small enough to
    compare a scaled screenshot with the original."""
    x0, y0, x1, y1 = box
    cells = []
    for gy in range(gh):
        for gx in range(gw):
            ya, yb = y0 + (y1 - y0) * gy // gh, y0 + (y1 - y0) * (gy + 1) // gh
            xa, xb = x0 + (x1 - x0) * gx // gw, x0 + (x1 - x0) * (gx + 1) // gw
            n, s = 0, [0, 0, 0]
            for y in range(ya, max(yb, ya + 1), max(1, (yb - ya) // 6)):
                for x in range(xa, max(xb, xa + 1), max(1, (xb - xa) // 6)):
                    p = rows[y][x]
                    s[0] += p[0]
                    s[1] += p[1]
                    s[2] += p[2]
                    n += 1
            cells.append(tuple(v / n for v in s))
    return cells


def difference(a, b):
    """Mean absolute difference per channel (0-255) between two thumbnails."""
    return sum(abs(p - q) for ca, cb in zip(a, b) for p, q in zip(ca, cb)) / (3 * len(a))


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
    """casestore serve inside the root as its unit's ExecStart runs it: its user, its data
    directory (the log goes to build/packaging/artifacts/casestore-NAME.log)."""

    def __init__(self, r, port, name):
        self.r, self.port = r, port
        self.url = f"https://127.0.0.1:{port}"
        self.log = open(os.path.join(r.repo.cache, "artifacts", f"casestore-{name}.log"), "a")
        self.proc = subprocess.Popen(
            ["chroot", r.path, "runuser", "-u", "casestore", "--", "/usr/bin/casestore", "serve",
             "--data", "/var/lib/casestore", "--listen", f"127.0.0.1:{port}"],
            stdout=subprocess.PIPE, stderr=self.log, text=True,
            env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"})
        wait_line(self.proc, r"listening on https://")

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)
        self.log.close()


def token(r):
    """A one-time token from casestore's admin command, on a "USB stick" only root can read."""
    t = r.sh("runuser -u casestore -- casestore token create --data /var/lib/casestore "
             "--site bromma-mbk --districts bromma,kista").stdout.strip()
    os.makedirs(r.p("/media/usb"), exist_ok=True)
    with open(r.p("/media/usb/token.txt"), "w") as f:
        f.write(t + "\n")
    os.chmod(r.p("/media/usb/token.txt"), 0o600)
    return t


def provision(r, url, pin, tok, typed=False):
    """`minasidor provision` as the technician runs it, as root: the token from the file on the
    stick, or typed (--token -, standard input)."""
    source = "--token -" if typed else "--token-file /media/usb/token.txt"
    p = r.sh(f"minasidor provision --server {url} --pin '{pin}' {source} "
             "--site-name 'Bromma medborgarkontor'", check=False, input=tok + "\n" if typed else None)
    assert p.returncode == 0, f"provision: exit {p.returncode}\n{p.stdout}\n{p.stderr}"
    assert tok not in p.stdout + p.stderr, "the token was echoed"
    return p.stdout


def use_identity_provider(r, url, pin):
    """casestore's BankID simulator as the identity provider, with a relying-party certificate
    in the kiosk's state directory (what a technician puts there for the city's real one)."""
    r.sh("runuser -u casestore -- casestore rp-cert --data /var/lib/casestore --out /tmp/rp "
         "--name 'Stockholms stad kiosk' >/dev/null && install -d -o minasidor -g minasidor "
         "-m 0700 /var/lib/minasidor/rp && install -o minasidor -g minasidor -m 0600 /tmp/rp/rp.crt "
         "/tmp/rp/rp.key /var/lib/minasidor/rp/ && rm -rf /tmp/rp")
    with open(r.p("/var/lib/minasidor/minasidor.conf"), "a") as f:
        f.write(f"\n[identity]\nurl = {url}/rp/v6.0\npin = {pin}\n"
                "rp_cert = /var/lib/minasidor/rp/rp.crt\nrp_key = /var/lib/minasidor/rp/rp.key\n")


def doctor_all_ok(r):
    """`minasidor doctor` as root on the installed system: every check ok."""
    d = r.sh("minasidor doctor", check=False)
    lines = [line for line in d.stdout.splitlines() if line.strip()]
    bad = [line for line in lines if not line.startswith("ok")]
    assert d.returncode == 0 and not bad and len(lines) >= 10, \
        f"doctor: exit {d.returncode}\n{d.stdout}\n{d.stderr}"
    return d


def sqlite_rows(path, sql, args=()):
    """A query on a copy of a database of the root (with its WAL), so that the test never
    leaves a file of root's beside a service's database."""
    import sqlite3
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        for suffix in ("", "-wal"):
            if os.path.exists(path + suffix):
                shutil.copy(path + suffix, os.path.join(tmp, "db" + suffix))
        db = sqlite3.connect(os.path.join(tmp, "db"))
        try:
            return db.execute(sql, args).fetchall()
        finally:
            db.close()
