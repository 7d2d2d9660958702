#!/usr/bin/env python3
"""Runs one libFuzzer target for FUZZ_SECONDS (default 20) on a scratch copy of its seed corpus
(the repository's seeds are never written), and reports executions and findings as TAP."""
import os
import re
import shutil
import subprocess
import sys
import tempfile

exe, seeds = sys.argv[1], sys.argv[2]
seconds = int(os.environ.get("FUZZ_SECONDS", "20"))
name = os.path.basename(exe)
with tempfile.TemporaryDirectory(prefix=name + "-") as work:
    corpus = os.path.join(work, "corpus")
    shutil.copytree(seeds, corpus)
    p = subprocess.run(
        [exe, f"-max_total_time={seconds}", "-print_final_stats=1", "-max_len=4096",
         "-rss_limit_mb=2048", f"-artifact_prefix={work}/", corpus],
        capture_output=True, text=True)
    out = p.stdout + p.stderr
    m = re.search(r"stat::number_of_executed_units:\s*(\d+)", out)
    execs = int(m.group(1)) if m else 0
    findings = [f for f in os.listdir(work) if f.startswith(("crash-", "leak-", "timeout-", "oom-"))]
    if p.returncode != 0 or findings or execs == 0:
        for line in out.splitlines()[-40:]:
            print("# " + line)
        for f in findings:
            with open(os.path.join(work, f), "rb") as fh:
                print(f"# finding {f}: {fh.read()[:200]!r}")
        print(f"not ok 1 - {name}: {execs} executions in {seconds} s, "
              f"exit {p.returncode}, {len(findings)} findings")
        print("1..1")
        sys.exit(1)
    print(f"ok 1 - {name}: {execs} executions in {seconds} s, no findings")
    print("1..1")
