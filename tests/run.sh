#!/usr/bin/env bash
# The README's test command: runs every test there is and ends with "N passed, N failed".
#
#   1. installs what building and testing need (Debian packages; idempotent)
#   2. checks formatting against .clang-format
#   3. builds with gcc, warnings as errors, and runs every suite
#   4. builds with clang under ASan+UBSan (warnings as errors; this build also has the libFuzzer
#      targets) and runs every suite again, the fuzzers for FUZZ_SECONDS each (default 20)
#
# Build trees live in build/; rerunning reuses them. Exit status 0 only if nothing failed.
set -uo pipefail
cd "$(dirname "$0")/.."

bash packaging/deps.sh test || { echo "tests: could not install dependencies" >&2; exit 1; }

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
fail_steps=0

step() { printf '\n== %s\n' "$*"; }

# A step that is not a meson test still counts, so a broken build is never "0 failed".
record() { # name status
    echo "$2 $1" >> "$results/steps"
    [ "$2" = ok ] || fail_steps=$((fail_steps + 1))
}

step "format (clang-format --dry-run --Werror)"
mapfile -t sources < <(git ls-files -co --exclude-standard -- '*.c' '*.h' | grep -v '^tests/lint/fixtures/')
if clang-format --dry-run --Werror "${sources[@]}"; then
    echo "${#sources[@]} files formatted as .clang-format says"
    record format ok
else
    record format fail
fi

configure() { # dir, then meson options
    local dir=$1
    shift
    if [ -f "$dir/build.ninja" ]; then
        meson setup --reconfigure "$dir" "$@" > "$dir.setup.log" 2>&1
    else
        mkdir -p build && meson setup "$dir" "$@" > "$dir.setup.log" 2>&1
    fi || { cat "$dir.setup.log"; return 1; }
}

run_build() { # label, dir, then meson options
    local label=$1 dir=$2
    shift 2
    step "$label: build"
    if configure "$dir" "$@" && ninja -C "$dir"; then
        record "build-$label" ok
        step "$label: meson test"
        meson test -C "$dir" --print-errorlogs --num-processes "$(nproc)"
        cp "$dir/meson-logs/testlog.json" "$results/$label.json"
    else
        record "build-$label" fail
    fi
}

# The tests need the test hooks, which a product build leaves out (-Dunit_tests defaults to false).
CC=gcc run_build gcc build/gcc -Dwerror=true -Dbuildtype=debugoptimized -Dunit_tests=true
CC=clang run_build clang-asan build/clang-asan -Dwerror=true -Dbuildtype=debugoptimized -Dunit_tests=true \
    -Db_sanitize=address,undefined -Db_lundef=false -Dfuzzing=true \
    -Dc_args=-fsanitize=fuzzer-no-link

step "summary"
python3 - "$results" <<'PY'
import glob, json, os, re, sys
results = sys.argv[1]
passed = failed = skipped = 0
lines = []
steps = os.path.join(results, "steps")
for line in open(steps) if os.path.exists(steps) else []:
    status, name = line.split()
    if status == "ok":
        passed += 1
    else:
        failed += 1
        lines.append(f"FAILED step {name}")
for path in sorted(glob.glob(os.path.join(results, "*.json"))):
    label = os.path.basename(path)[:-5]
    p = f = s = 0
    for raw in open(path):
        t = json.loads(raw)
        out = t.get("stdout") or ""
        tap_ok = len(re.findall(r"^ok \d+(?! .*# SKIP)", out, re.M))
        tap_skip = len(re.findall(r"^ok \d+ .*# SKIP", out, re.M))
        tap_fail = len(re.findall(r"^not ok \d+", out, re.M))
        result = t["result"]
        if tap_ok + tap_skip + tap_fail and result in ("OK", "FAIL", "ERROR", "TIMEOUT"):
            p += tap_ok
            s += tap_skip
            f += tap_fail
            if result != "OK" and tap_fail == 0:
                f += 1  # crashed or timed out after its last TAP line
        elif result in ("OK", "EXPECTEDFAIL"):
            p += 1
        elif result == "SKIP":
            s += 1
        else:
            f += 1
        if result not in ("OK", "EXPECTEDFAIL", "SKIP"):
            lines.append(f"FAILED {label}: {t['name']} ({result})")
    lines.append(f"{label}: {p} passed, {f} failed" + (f", {s} skipped" if s else ""))
    passed, failed, skipped = passed + p, failed + f, skipped + s
for fuzz in sorted(glob.glob(os.path.join(results, "*.json"))):
    for raw in open(fuzz):
        m = re.search(r"ok 1 - (fuzz_\w+: \d+ executions in \d+ s, no findings)", json.loads(raw).get("stdout") or "")
        if m:
            lines.append("  " + m.group(1))
print("\n".join(lines))
print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
sys.exit(1 if failed else 0)
PY
