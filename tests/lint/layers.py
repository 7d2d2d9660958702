#!/usr/bin/env python3
"""Lint: the layering of DESIGN.md §2.

Each folder under src/ and sync/ is one layer. A layer may include project headers only from the
layers it may use, and must not include the system headers of libraries it must not use. The
meson targets already keep undeclared -I paths out, but SQLite, libsodium and curl headers sit in
/usr/include where any file can reach them, so this check is what makes the rule hold.
Prints TAP; exits 1 on any violation."""
import os
import re
import sys

SYSTEM = {
    "sqlite": re.compile(r"^sqlite3"),
    "libpq": re.compile(r"^libpq"),
    "sodium": re.compile(r"^sodium"),
    "sdl": re.compile(r"^SDL"),
    "curl": re.compile(r"^curl/"),
    "qrencode": re.compile(r"^qrencode"),
    "microhttpd": re.compile(r"^microhttpd"),
    "gnutls": re.compile(r"^gnutls/"),
    "espeak": re.compile(r"^espeak"),
    "fribidi": re.compile(r"^fribidi"),
}
ALL_SYSTEM = set(SYSTEM)

# layer: (project layers it may include, system libraries it may include)
RULES = {
    "src/common": ({"src/common"}, set()),
    "src/core": ({"src/common", "src/core"}, set()),
    "src/store": ({"src/common", "src/core", "src/store"}, {"sqlite", "sodium"}),
    "sync/client": ({"src/common", "src/core", "src/store", "sync/client"},
                    {"curl", "sodium", "gnutls"}),
    "src/identity": ({"src/common", "src/core", "src/identity"}, {"curl", "qrencode", "sodium",
                                                                  "gnutls"}),
    "src/ui": ({"src/common", "src/ui"}, {"sdl", "espeak", "fribidi"}),
    "src/platform": ({"src/common", "src/ui", "src/platform"}, {"sdl", "espeak"}),
    "src/screens": ({"src/common", "src/core", "src/ui", "src/screens", "src/app:model"}, set()),
    "src/app": ({"src/common", "src/core", "src/store", "sync/client", "src/identity", "src/ui",
                 "src/platform", "src/screens", "src/app"},
                ALL_SYSTEM - {"microhttpd", "libpq"}),
    # casestore verifies the signatures the kiosk makes (sync/client's httpsig.h) and the QR
    # codes it shows (src/identity's qr.h), publishes only records of the kinds and fields the
    # kiosk's store takes (src/store's store.h: store_kind), and uses nothing else of them.
    "sync/server": ({"src/common", "src/core", "sync/server", "sync/client:httpsig",
                     "src/identity:qr", "src/store:store"},
                    {"sqlite", "libpq", "sodium", "microhttpd", "gnutls", "qrencode"}),
}
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)


def main(root):
    headers = {}
    for layer in RULES:
        d = os.path.join(root, layer)
        for dirpath, _, names in os.walk(d):
            for n in names:
                if n.endswith(".h"):
                    headers.setdefault(n, set()).add(layer)
    bad, checked = [], 0
    for layer, (allowed, system_ok) in RULES.items():
        d = os.path.join(root, layer)
        for dirpath, _, names in os.walk(d):
            for n in sorted(names):
                if not n.endswith((".c", ".h")):
                    continue
                path = os.path.join(dirpath, n)
                with open(path, encoding="utf-8", errors="replace") as f:
                    text = f.read()
                for m in INCLUDE.finditer(text):
                    checked += 1
                    kind, name = m.group(1), m.group(2)
                    line = text.count("\n", 0, m.start()) + 1
                    if kind == "<":
                        for lib, pat in SYSTEM.items():
                            if pat.search(name) and lib not in system_ok:
                                bad.append(f"{path}:{line}: {layer} must not use {lib} (<{name}>)")
                        continue
                    base = os.path.basename(name)
                    owners = headers.get(base)
                    if owners is None:
                        continue  # generated (version.h) or a system header in quotes
                    ok = any(o in allowed
                             or (o == "src/app" and "src/app:model" in allowed and "model" in base)
                             or (o + ":" + base[:-2]) in allowed
                             for o in owners)
                    if not ok:
                        bad.append(f"{path}:{line}: {layer} must not include {name} "
                                   f"(from {', '.join(sorted(owners))})")
    for b in bad:
        print("# " + b)
    print(f"{'not ok' if bad else 'ok'} 1 - {checked} includes follow the layering of DESIGN.md")
    print("1..1")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
