#!/usr/bin/env python3
"""The catalogue check (i18n/check_po.py) as a test: the default language (Swedish) is complete
against the messages the sources ask for today; every language the build offers passes the same
check; and the check rejects each broken fixture of tests/unit/i18n for its own reason while it
accepts the complete one. Usage: test_catalogues.py SOURCE_ROOT"""
import os
import subprocess
import sys

ROOT = sys.argv[1]
CHECK = os.path.join(ROOT, "i18n", "check_po.py")
FIX = os.path.join(ROOT, "tests", "unit", "i18n")
sys.path.insert(0, os.path.join(ROOT, "i18n"))
from check_po import read_table  # noqa: E402
n = 0
failed = 0


def tap(ok, name, detail=""):
    global n, failed
    n += 1
    failed += not ok
    print(f"{'ok' if ok else 'not ok'} {n} - {name}")
    if not ok and detail:
        print("# " + detail.replace("\n", "\n# "))


def run(*args):
    p = subprocess.run([sys.executable, CHECK, "check", *args], capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr


# The real catalogues against xgettext's view of the sources.
pos = sorted(f for f in os.listdir(os.path.join(ROOT, "i18n")) if f.endswith(".po"))
rc, out = run("--root", ROOT, "--require", "sv", *[os.path.join(ROOT, "i18n", p) for p in pos])
tap(rc == 0 and "sv: " in out and "complete" in out.split("sv: ")[1].split("\n")[0]
    and "NOT" not in out.split("sv: ")[1].split("\n")[0],
    "the default language, Swedish, is complete", out)
print("# " + out.strip().replace("\n", "\n# "))
# Every language that the table would offer passes --all (en is the source language).
rows = read_table(os.path.join(ROOT, "i18n", "languages.tsv"))
complete = [r["code"] for r in rows if f"{r['code']}: " in out and r["role"] != "source"
            and "NOT" not in out.split(f"{r['code']}: ")[1].split("\n")[0]]
for code in complete:
    rc2, out2 = run("--root", ROOT, "--all", os.path.join(ROOT, "i18n", code + ".po"))
    tap(rc2 == 0, f"{code}, offered, passes the whole check", out2)

# Fixtures against a fixed reference.
ref = os.path.join(FIX, "ref.pot")
rc, out = run("--pot", ref, "--all", os.path.join(FIX, "complete.po"))
tap(rc == 0 and "complete" in out and "NOT" not in out, "a complete catalogue passes", out)
for name, why in [
    ("missing_placeholder", "placeholders of 'Hello %s' are %1:string, the translation has none"),
    ("wrong_type", "the translation has %1:int"),
    ("fuzzy", "fuzzy 'Hello %s'"),
    ("bad_plural", "gives 2 for n=1, not below nplurals=2"),
    ("missing_form", "has 1 forms, Plural-Forms says 2"),
]:
    rc, out = run("--pot", ref, "--all", os.path.join(FIX, name + ".po"))
    tap(rc == 1 and why in out, f"{name}.po is rejected ({why})", out)
# A build with that catalogue leaves the language out, with a message saying why.
import tempfile  # noqa: E402
with tempfile.TemporaryDirectory() as tmp:
    table = os.path.join(tmp, "languages.tsv")
    with open(table, "w", encoding="utf-8") as f:
        f.write("sv\tSvenska\tltr\tlatin\tsv\tdefault\nfi\tSuomi\tltr\tlatin\tfi\t-\n")
    fi = os.path.join(tmp, "fi.po")
    with open(os.path.join(FIX, "missing_placeholder.po"), encoding="utf-8") as src:
        open(fi, "w", encoding="utf-8").write(src.read())
    out_c = os.path.join(tmp, "t.c")
    p = subprocess.run([sys.executable, CHECK, "table", "--root", ROOT, "--table", table,
                        "--out", out_c, os.path.join(ROOT, "i18n", "sv.po"), fi],
                       capture_output=True, text=True)
    c = open(out_c, encoding="utf-8").read() if os.path.exists(out_c) else ""
    tap(p.returncode == 0 and "fi is " in p.stdout and "not offered" in p.stdout
        and '{ "fi", "Suomi", false, I18N_FONT_LATIN, "fi", false,' in c
        and '{ "sv", "Svenska", false, I18N_FONT_LATIN, "sv", true,' in c,
        "the build leaves an incomplete language out and says so", p.stdout + p.stderr + c)
print(f"1..{n}")
sys.exit(1 if failed else 0)
