#!/usr/bin/env python3
"""A product build has no test hooks.

The hooks are what a test build adds with -DMINASIDOR_UNIT_TEST (-Dunit_tests=true): the
declarations inside `#ifdef MINASIDOR_UNIT_TEST` blocks of the headers (store_test_before_commit,
store_key_bytes_for_test, ...) and every function marked TESTABLE (src/common/macros.h). This
test finds them in the sources, recompiles only the files that define them with this build's own
compile command less -DMINASIDOR_UNIT_TEST (a product build's flags), and reads the objects' global
symbols with nm: none of the hooks may be there. The same files compiled as this test build
compiles them must export every hook, which proves the search finds real symbols. It also checks
that -Dunit_tests defaults to false, so a plain `meson setup` (a package, the demo) is a product
build. Cheap: a few translation units, no second build tree.

Usage: test_hooks.py SOURCE_ROOT BUILD_ROOT. Prints TAP."""
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile

src_root, build_root = sys.argv[1], sys.argv[2]
results = []


def check(ok, what):
    results.append((ok, what))


IFDEF = re.compile(r"^#ifdef MINASIDOR_UNIT_TEST\n(.*?)^#endif", re.M | re.S)
COMMENT = re.compile(r"/\*.*?\*/", re.S)
TESTABLE = re.compile(r"^TESTABLE\b[^;{(]*?\n?(\w+)\(", re.M)

hooks = {}  # name -> the file that declares it
files = []  # the .c files that mention the define or TESTABLE
for top in ("src", "sync"):
    for d, _, names in os.walk(os.path.join(src_root, top)):
        for n in names:
            if not n.endswith((".c", ".h")):
                continue
            path = os.path.join(d, n)
            rel = os.path.relpath(path, src_root)
            if rel == os.path.join("src", "common", "macros.h"):
                continue
            text = open(path, encoding="utf-8").read()
            if "MINASIDOR_UNIT_TEST" not in text and "TESTABLE" not in text:
                continue
            if n.endswith(".c"):
                files.append(rel)
            if n.endswith(".h"):
                for block in IFDEF.findall(text):
                    # Each declaration: a function pointer's name, a function's (the word before
                    # its parameters) or a variable's (the last word).
                    for decl in COMMENT.sub("", block).split(";"):
                        fp = re.search(r"\(\s*\*\s*(\w+)\s*\)", decl)
                        fn = re.search(r"(\w+)\s*\(", decl)
                        var = re.findall(r"\w+", decl)
                        name = fp.group(1) if fp else fn.group(1) if fn else var[-1] if var else None
                        if name is not None:
                            hooks[name] = rel
            for name in TESTABLE.findall(text):
                hooks[name] = rel

check(len(hooks) > 0, f"the sources declare test hooks ({', '.join(sorted(hooks))})")

opts = open(os.path.join(src_root, "meson_options.txt"), encoding="utf-8").read()
m = re.search(r"option\('unit_tests',\s*type:\s*'boolean',\s*value:\s*(\w+)", opts)
check(m is not None and m.group(1) == "false",
      f"-Dunit_tests defaults to false (found {m.group(1) if m else 'no such option'})")

commands = {}
for e in json.load(open(os.path.join(build_root, "compile_commands.json"))):
    path = os.path.normpath(os.path.join(e["directory"], e["file"]))
    commands.setdefault(os.path.relpath(path, src_root), e)


def globals_of(entry, product, out):
    args = shlex.split(entry["command"])
    if product:
        args = [a for a in args if a != "-DMINASIDOR_UNIT_TEST"]
    # Our own object file, no dependency file: the build tree is left as it was.
    i = args.index("-o")
    args[i + 1] = out
    for flag in ("-MD", "-MMD"):
        while flag in args:
            args.remove(flag)
    for flag in ("-MQ", "-MF"):
        while flag in args:
            j = args.index(flag)
            del args[j:j + 2]
    r = subprocess.run(args, cwd=entry["directory"], capture_output=True, text=True)
    if r.returncode != 0:
        return None, r.stderr
    nm = subprocess.run(["nm", "-g", "--defined-only", out], capture_output=True, text=True)
    return {line.split()[-1] for line in nm.stdout.splitlines() if line.strip()}, nm.stderr


found_test, found_product = set(), set()
with tempfile.TemporaryDirectory() as tmp:
    for rel in sorted(files):
        entry = commands.get(rel)
        if entry is None:
            continue  # not compiled in this build (e.g. the fuzzers' own files)
        for product in (False, True):
            syms, err = globals_of(entry, product, os.path.join(tmp, "hook.o"))
            check(syms is not None, f"{rel} compiles as a {'product' if product else 'test'} "
                  f"build would{': ' + err.strip() if syms is None else ''}")
            if syms is None:
                continue
            (found_product if product else found_test).update(syms & set(hooks))

missing = sorted(set(hooks) - found_test)
check(not missing, "a test build exports every hook (the search finds real symbols)"
      + (f"; not found: {', '.join(missing)}" if missing else ""))
check(not found_product, "a product build exports none of them"
      + (f"; found: {', '.join(sorted(found_product))}" if found_product else ""))

print(f"1..{len(results)}")
for i, (ok, what) in enumerate(results, 1):
    print(f"{'ok' if ok else 'not ok'} {i} - {what}")
sys.exit(0 if all(ok for ok, _ in results) else 1)
