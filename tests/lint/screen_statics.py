#!/usr/bin/env python3
"""Lint: screens keep no state in statics.

What a screen holds while it is shown (typed text, answers, a page) belongs in its per-visit
state, which the router allocates in guarded memory on enter and wipes on leave (screens.h).
A `static` object that is not const, at file scope or in a function, outlives the visit and
the session, so it is refused. Functions and const tables (`static const char *const x[]`)
are fine. Scans the .c files of the given folder; prints TAP; exits 1 on any finding."""
import os
import re
import sys

COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)
STRING = re.compile(r'"(\\.|[^"\\])*"')
STATIC = re.compile(r"\bstatic\b([^;{=]*)(=|;|\{)", re.S)


def mutable_static(decl, end):
    """decl: what follows `static` up to '=', ';' or '{'. True when it declares an object that
    can change."""
    if end == "{":
        return False  # a function definition
    d = re.sub(r"\[[^\]]*\]", "", decl)  # array bounds
    if re.search(r"\w\s*\(", d) and not re.search(r"\(\s*\*", d):
        return False  # a function prototype (a function pointer variable is an object)
    star = d.rfind("*")
    const = [m.start() for m in re.finditer(r"\bconst\b", d)]
    if star < 0:
        return not const  # const T x: a constant; T x: state
    return not any(c > star for c in const)  # T *const x is constant; const T *x is not


folder = sys.argv[1]
findings, files = [], 0
for name in sorted(os.listdir(folder)):
    if not name.endswith(".c"):
        continue
    files += 1
    path = os.path.join(folder, name)
    text = STRING.sub('""', COMMENT.sub(" ", open(path, encoding="utf-8").read()))
    for m in STATIC.finditer(text):
        if mutable_static(m.group(1), m.group(2)):
            line = text.count("\n", 0, m.start()) + 1
            findings.append(f"{name}:{line}: static {' '.join(m.group(1).split())}")

print("1..1")
if findings:
    print(f"not ok 1 - screens keep state in statics ({len(findings)} in {files} files)")
    for f in findings:
        print(f"# {f}: per-visit state belongs in screen_impl.state_size (screens.h)")
    sys.exit(1)
print(f"ok 1 - {files} screen files keep no state in statics")
