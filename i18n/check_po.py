#!/usr/bin/env python3
"""The catalogue check (issue 14): a language is offered only when its catalogue is complete.

Complete means, against the messages the sources ask for (xgettext over i18n/POTFILES, or a
.pot given with --pot): every message has a translation, none is fuzzy, each translation's
printf placeholders match its msgid's in number and type (positional %1$s may reorder them),
and the catalogue's Plural-Forms is a valid formula with one translation per form in every
plural message. The same plural grammar as src/common/i18n.c's evaluator is used here.

  check_po.py check [--pot FILE | --root DIR] [--require CODE]... PO...
      prints one line per catalogue; exits 1 when a required (or, with --all, any) catalogue
      is not complete, listing why (at most 20 reasons each).
  check_po.py table --root DIR --table languages.tsv --out FILE.c PO...
      writes the language table compiled into the binary (struct i18n_language, i18n.h) with
      each language's completeness, and prints a build message for each language left out.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

XGETTEXT_KEYWORDS = [
    "--keyword=_", "--keyword=N_", "--keyword=C_:1c,2", "--keyword=NC_:1c,2",
    "--keyword=i18n_pgettext:1c,2", "--keyword=i18n_ngettext:1,2",
    "--keyword=i18n_npgettext:1c,2,3",
    "--flag=i18n_ngettext:1:c-format", "--flag=i18n_ngettext:2:c-format",
    "--flag=i18n_npgettext:2:c-format", "--flag=i18n_npgettext:3:c-format",
]


# ---- .po files -------------------------------------------------------------------------------

class Message:
    def __init__(self):
        self.ctxt = None
        self.msgid = None
        self.plural = None
        self.msgstr = {}
        self.flags = set()
        self.line = 0
        self.obsolete = False

    @property
    def key(self):
        return (self.ctxt, self.msgid)

    def name(self):
        return (self.ctxt + " | " if self.ctxt is not None else "") + repr(self.msgid)


def _unquote(s, path, line):
    s = s.strip()
    if len(s) < 2 or s[0] != '"' or s[-1] != '"':
        raise ValueError(f"{path}:{line}: expected a quoted string, got {s!r}")
    out, i, body = [], 0, s[1:-1]
    esc = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r", "a": "\a", "b": "\b",
           "f": "\f", "v": "\v"}
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            out.append(esc.get(body[i + 1], body[i + 1]))
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def parse_po(path):
    """The messages of a .po/.pot file, header first (msgid "")."""
    msgs, cur, field = [], None, None
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")

    def flush():
        nonlocal cur
        if cur is not None and cur.msgid is not None and not cur.obsolete:
            msgs.append(cur)
        cur = None

    pending_flags = set()
    for no, raw in enumerate(lines, 1):
        line = raw.strip()
        if line.startswith("#~"):
            flush()
            continue
        if line == "":
            flush()
            field = None
            continue
        if line.startswith("#,"):
            flush()
            pending_flags |= {x.strip() for x in line[2:].split(",")}
            continue
        if line.startswith("#"):
            if cur is not None and cur.msgid is not None and field and field.startswith("msgstr"):
                flush()
            continue
        m = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")$', line)
        if m:
            kw = m.group(1)
            if kw in ("msgctxt", "msgid") and cur is not None and cur.msgstr:
                flush()
            if cur is None:
                cur = Message()
                cur.line = no
                cur.flags, pending_flags = pending_flags, set()
            val = _unquote(m.group(3), path, no)
            if kw == "msgctxt":
                cur.ctxt, field = val, "msgctxt"
            elif kw == "msgid":
                cur.msgid, field = val, "msgid"
            elif kw == "msgid_plural":
                cur.plural, field = val, "msgid_plural"
            else:
                idx = int(m.group(2)) if m.group(2) is not None else 0
                cur.msgstr[idx] = val
                field = f"msgstr{idx}"
            continue
        if line.startswith('"') and cur is not None and field:
            val = _unquote(line, path, no)
            if field == "msgctxt":
                cur.ctxt += val
            elif field == "msgid":
                cur.msgid += val
            elif field == "msgid_plural":
                cur.plural += val
            else:
                idx = int(field[6:])
                cur.msgstr[idx] += val
            continue
        raise ValueError(f"{path}:{no}: cannot read {raw!r}")
    flush()
    return msgs


def header_field(msgs, name):
    for m in msgs:
        if m.msgid == "" and m.ctxt is None:
            for line in m.msgstr.get(0, "").split("\n"):
                if line.lower().startswith(name.lower() + ":"):
                    return line.split(":", 1)[1].strip()
    return None


# ---- Plural-Forms: the grammar of src/common/i18n.c's evaluator ------------------------------

class PluralError(Exception):
    pass


def _tokens(expr):
    toks = re.findall(r"\s*(\d+|n|\|\||&&|==|!=|<=|>=|[<>?:()%*/+\-!])", expr)
    if "".join(toks).replace(" ", "") != re.sub(r"\s+", "", expr):
        raise PluralError(f"unexpected character in {expr!r}")
    return toks


def plural_eval(expr, n):
    """Evaluates a Plural-Forms formula for n (raises PluralError when it is not one)."""
    toks, pos = _tokens(expr), [0]

    def peek():
        return toks[pos[0]] if pos[0] < len(toks) else None

    def take(t=None):
        tok = peek()
        if tok is None or (t is not None and tok != t):
            raise PluralError(f"expected {t or 'more'} in {expr!r}")
        pos[0] += 1
        return tok

    def primary():
        t = take()
        if t == "n":
            return n
        if t.isdigit():
            return int(t)
        if t == "(":
            v = ternary()
            take(")")
            return v
        if t == "!":
            return int(not primary())
        raise PluralError(f"unexpected {t!r} in {expr!r}")

    def binary(sub, ops):
        def f():
            v = sub()
            while peek() in ops:
                op, r = take(), sub()
                if op in "%/" and r == 0:
                    raise PluralError(f"division by zero in {expr!r} for n={n}")
                v = {"%": lambda a, b: a % b, "/": lambda a, b: a // b, "*": lambda a, b: a * b,
                     "+": lambda a, b: a + b, "-": lambda a, b: a - b,
                     "<": lambda a, b: int(a < b), ">": lambda a, b: int(a > b),
                     "<=": lambda a, b: int(a <= b), ">=": lambda a, b: int(a >= b),
                     "==": lambda a, b: int(a == b), "!=": lambda a, b: int(a != b),
                     "&&": lambda a, b: int(bool(a) and bool(b)),
                     "||": lambda a, b: int(bool(a) or bool(b))}[op](v, r)
            return v
        return f

    mul = binary(primary, ("%", "*", "/"))
    add = binary(mul, ("+", "-"))
    rel = binary(add, ("<", ">", "<=", ">="))
    eq = binary(rel, ("==", "!="))
    land = binary(eq, ("&&",))
    lor = binary(land, ("||",))

    def ternary():
        c = lor()
        if peek() == "?":
            take("?")
            a = ternary()
            take(":")
            b = ternary()
            return a if c else b
        return c

    v = ternary()
    if peek() is not None:
        raise PluralError(f"unexpected {peek()!r} in {expr!r}")
    return v


def parse_plural_forms(value):
    """(nplurals, formula) from a Plural-Forms header value; raises PluralError."""
    m = re.fullmatch(r"\s*nplurals\s*=\s*(\d+)\s*;\s*plural\s*=\s*(.+?)\s*;?\s*", value or "")
    if not m:
        raise PluralError(f"Plural-Forms is not 'nplurals=N; plural=EXPR;': {value!r}")
    n, expr = int(m.group(1)), m.group(2)
    if not 1 <= n <= 6:
        raise PluralError(f"nplurals={n} is out of range")
    for k in range(0, 1001):
        v = plural_eval(expr, k)
        if not 0 <= v < n:
            raise PluralError(f"plural={expr} gives {v} for n={k}, not below nplurals={n}")
    return n, expr


# ---- placeholders ----------------------------------------------------------------------------

_SPEC = re.compile(r"%(?:(\d+)\$)?[-+ #0']*(\*|\d+)?(?:\.(\*|\d+))?(hh|h|ll|l|L|q|j|z|t)?"
                   r"([diouxXeEfFgGaAcspn%])")


def placeholders(s):
    """{position: type} of a printf format string; raises ValueError on mixing styles."""
    out, nxt, positional = {}, 1, None
    for m in _SPEC.finditer(s):
        if m.group(5) == "%":
            continue
        pos = m.group(1)
        if positional is None:
            positional = pos is not None
        elif positional != (pos is not None):
            raise ValueError("mixes numbered (%1$s) and unnumbered (%s) placeholders")
        conv = m.group(5)
        kind = {"d": "int", "i": "int", "o": "unsigned", "u": "unsigned", "x": "unsigned",
                "X": "unsigned", "c": "int", "s": "string", "p": "pointer", "n": "count"}.get(
                    conv, "double")
        typ = (m.group(4) or "") + kind
        p = int(pos) if pos else nxt
        nxt += 1
        out[p] = typ
    return out


def describe(ph):
    return ", ".join(f"%{p}:{t}" for p, t in sorted(ph.items())) or "none"


# ---- the check -------------------------------------------------------------------------------

def reference_messages(root, pot):
    if pot:
        return [m for m in parse_po(pot) if m.msgid != ""]
    with open(os.path.join(root, "i18n", "POTFILES"), encoding="utf-8") as f:
        srcs = [ln.strip() for ln in f if ln.strip() and not ln.startswith("#")]
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "ref.pot")
        subprocess.run(["xgettext", "--from-code=UTF-8", "--language=C", "-o", out,
                        "--directory", root] + XGETTEXT_KEYWORDS + srcs, check=True)
        return [m for m in parse_po(out) if m.msgid != ""]


def check_catalogue(path, ref):
    """(translated, total, problems) for one catalogue against the reference messages."""
    msgs = parse_po(path)
    problems = []
    nplurals = None
    pf = header_field(msgs, "Plural-Forms")
    try:
        if pf is None:
            raise PluralError("no Plural-Forms header")
        nplurals, _ = parse_plural_forms(pf)
    except PluralError as e:
        problems.append(f"Plural-Forms: {e}")
    by_key = {m.key: m for m in msgs if m.msgid != ""}
    done = 0
    for r in ref:
        m = by_key.get(r.key)
        where = f"{os.path.basename(path)}:{m.line}" if m else os.path.basename(path)
        if m is None:
            problems.append(f"{where}: missing {r.name()}")
            continue
        if "fuzzy" in m.flags:
            problems.append(f"{where}: fuzzy {r.name()}")
            continue
        forms = [m.msgstr.get(i, "") for i in range(max(m.msgstr) + 1)] if m.msgstr else []
        if r.plural is not None:
            if m.plural is None:
                problems.append(f"{where}: {r.name()} is plural in the sources, not here")
                continue
            if nplurals is not None and len(forms) != nplurals:
                problems.append(f"{where}: {r.name()} has {len(forms)} forms, "
                                f"Plural-Forms says {nplurals}")
                continue
        if not forms or any(f == "" for f in forms):
            problems.append(f"{where}: untranslated {r.name()}")
            continue
        if "c-format" in r.flags or "c-format" in m.flags or (
                "no-c-format" not in r.flags and placeholders_or_none(r.msgid)):
            bad = False
            try:
                want = placeholders(r.msgid)
                want_pl = placeholders(r.plural) if r.plural is not None else want
                for i, f in enumerate(forms):
                    got = placeholders(f)
                    # A plural form may leave out the count when it is the last argument
                    # (Arabic says "one case" without a digit) but never changes a type or adds
                    # one.
                    expected = want if (r.plural is None or i == 0) else want_pl
                    extra = {p: t for p, t in got.items() if expected.get(p) != t}
                    missing = {p: t for p, t in expected.items() if p not in got}
                    if r.plural is not None and expected:
                        last = max(expected)  # no gap before a later argument (printf)
                        missing = {p: t for p, t in missing.items()
                                   if not (p == last and t.endswith(("int", "unsigned")))}
                    if extra or missing:
                        problems.append(
                            f"{where}: placeholders of {r.name()} are {describe(expected)}, "
                            f"the translation{'' if len(forms) == 1 else f' [{i}]'} has "
                            f"{describe(got)}")
                        bad = True
                        break
            except ValueError as e:
                problems.append(f"{where}: {r.name()}: {e}")
                bad = True
            if bad:
                continue
        done += 1
    return done, len(ref), problems


def placeholders_or_none(s):
    try:
        return placeholders(s)
    except ValueError:
        return {"": "bad"}


def read_table(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for ln in f:
            if ln.startswith("#") or not ln.strip():
                continue
            cols = ln.rstrip("\n").split("\t")
            if len(cols) != 6:
                sys.exit(f"{path}: a row needs 6 tab-separated columns: {ln!r}")
            code, native, direction, font, voice, role = cols
            if direction not in ("ltr", "rtl") or font not in ("latin", "arabic", "ethiopic") \
                    or role not in ("source", "default", "-"):
                sys.exit(f"{path}: bad row {ln!r}")
            rows.append(dict(code=code, native=native, rtl=direction == "rtl", font=font,
                             voice=None if voice == "-" else voice, role=role))
    return rows


def c_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"' if s is not None else "NULL"


def cmd_check(args):
    ref = reference_messages(args.root, args.pot)
    failed = False
    for po in args.po:
        code = os.path.splitext(os.path.basename(po))[0]
        done, total, problems = check_catalogue(po, ref)
        pct = 100 * done // total if total else 100
        status = "complete" if not problems else "NOT complete"
        print(f"{code}: {done} of {total} messages translated ({pct} %), {status}")
        if problems and (args.all or code in args.require):
            failed = True
            for p in problems[:20]:
                print("  " + p)
            if len(problems) > 20:
                print(f"  … and {len(problems) - 20} more")
    return 1 if failed else 0


def cmd_table(args):
    ref = reference_messages(args.root, None)
    rows = read_table(args.table)
    pos = {os.path.splitext(os.path.basename(p))[0]: p for p in args.po}
    fonts = {"latin": "I18N_FONT_LATIN", "arabic": "I18N_FONT_ARABIC",
             "ethiopic": "I18N_FONT_ETHIOPIC"}
    out = ["/* Generated by i18n/check_po.py from i18n/languages.tsv and the catalogues; do not",
           " * edit. */", '#include "i18n.h"', "", "const struct i18n_language i18n_table[] = {"]
    for r in rows:
        done, total = 0, len(ref)
        if r["role"] == "source":
            complete, done = True, total
        elif r["code"] not in pos:
            complete = False
            print(f"i18n: {r['code']} ({r['native']}) has no catalogue; not offered")
        else:
            done, total, problems = check_catalogue(pos[r["code"]], ref)
            complete = not problems
            if not complete:
                pct = 100 * done // total if total else 0
                print(f"i18n: {r['code']} is {pct} % translated ({done} of {total}, "
                      f"{len(problems)} problems: {problems[0]}); not offered "
                      f"(i18n/check_po.py check --all i18n/{r['code']}.po lists them)")
            if r["role"] == "default" and not complete:
                print(f"i18n: WARNING: {r['code']} is the default language and is not "
                      f"complete; the catalogue test fails until it is")
                complete = True  # the kiosk's own language is always offered
        out.append(f"    {{ {c_str(r['code'])}, {c_str(r['native'])}, {'true' if r['rtl'] else 'false'}, "
                   f"{fonts[r['font']]}, {c_str(r['voice'])}, "
                   f"{'true' if complete else 'false'}, {done}, {total} }},")
    out += ["};", f"const size_t i18n_table_len = {len(rows)};", ""]
    with open(args.out, "w", encoding="utf-8") as f:
        f.write("\n".join(out))
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("check")
    c.add_argument("--root", default=os.path.join(os.path.dirname(__file__), ".."))
    c.add_argument("--pot")
    c.add_argument("--require", action="append", default=[])
    c.add_argument("--all", action="store_true")
    c.add_argument("po", nargs="+")
    t = sub.add_parser("table")
    t.add_argument("--root", required=True)
    t.add_argument("--table", required=True)
    t.add_argument("--out", required=True)
    t.add_argument("po", nargs="*")
    args = ap.parse_args()
    try:
        return cmd_check(args) if args.cmd == "check" else cmd_table(args)
    except (ValueError, PluralError, subprocess.CalledProcessError) as e:
        print(f"check_po: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
