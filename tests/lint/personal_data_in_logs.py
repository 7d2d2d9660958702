#!/usr/bin/env python3
"""Lint: no LOG_* call may pass personal data (personnummer, names, contact details).

Scans C files under the given folders, takes the arguments of every LOG_ERR/WARN/INFO/DBG/ERRNO
call, drops string literals and function names, and flags identifiers that name personal data.
A line may opt out with a comment `log-ok: <why>` (for example a count named `n_names`).
Prints TAP; exits 1 on any finding."""
import os
import re
import sys

PERSONAL = re.compile(
    r"^(pnr|personnummer|personal_number|ssn|given_name|givenname|surname|full_name|first_name|"
    r"last_name|citizen_name|phone|phone_number|e164|email|address|street|postal_address)$"
)
PERSONAL_PART = re.compile(r"(^|_)(pnr|personnummer|surname|givenname|email|e164)(_|$)")
NAME_OWNER = re.compile(r"(citizen|person|user|ident|who|staff|ombud|handlaggare|officer)", re.I)
CALL = re.compile(r"\bLOG_(ERR|WARN|INFO|DBG|ERRNO)\s*\(")


def strip_literals(text):
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c in "\"'":
            q, i = c, i + 1
            while i < n and text[i] != q:
                i += 2 if text[i] == "\\" else 1
            i += 1
            out.append(" ")
        else:
            out.append(c)
            i += 1
    return "".join(out)


def call_args(text, start):
    """Text from start (just after the opening paren) to the matching close paren."""
    depth, i, n = 1, start, len(text)
    while i < n and depth:
        c = text[i]
        if c in "\"'":
            q, i = c, i + 1
            while i < n and text[i] != q:
                i += 2 if text[i] == "\\" else 1
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        i += 1
    return text[start:i - 1]


def findings_in(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    lines = text.splitlines()
    found, calls = [], 0
    for m in CALL.finditer(text):
        if text[:m.start()].rstrip().endswith("#define"):
            continue
        line_no = text.count("\n", 0, m.start()) + 1
        ctx = " ".join(lines[max(0, line_no - 2):line_no + 3])
        if "log-ok:" in ctx:
            continue
        calls += 1
        args = strip_literals(call_args(text, m.end()))
        for t in re.finditer(r"(->|\.)?\s*([A-Za-z_]\w*)\s*(\()?", args):
            member, ident, is_call = t.group(1), t.group(2), t.group(3)
            if is_call:
                continue
            bad = PERSONAL.match(ident) or PERSONAL_PART.search(ident)
            if not bad and ident == "name" and member:
                owner = args[:t.start()].rstrip()
                owner_ident = re.search(r"([A-Za-z_]\w*)\s*(\[[^\]]*\])?\s*$", owner)
                bad = owner_ident and NAME_OWNER.search(owner_ident.group(1))
            if bad:
                found.append(f"{path}:{line_no}: LOG_{m.group(1)} passes '{ident}'")
    return found, calls


def main(roots):
    findings, calls, files = [], 0, 0
    for root in roots:
        for dirpath, _, names in os.walk(root):
            for name in sorted(names):
                if name.endswith((".c", ".h")):
                    f, c = findings_in(os.path.join(dirpath, name))
                    findings += f
                    calls += c
                    files += 1
    for f in findings:
        print("# " + f)
    status = "not ok" if findings else "ok"
    print(f"{status} 1 - {calls} log calls in {files} files pass no personal data")
    print("1..1")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
