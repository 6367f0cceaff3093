"""`make profile CASE=capo-project`: where a bench case's time goes inside a running fieldsim.

Starts fieldsim as `make bench` does (same server, threads, dataset and config), loads it with wrk
at the bench's connections, and samples it meanwhile with py-spy (`--gil`: only the thread holding
the GIL, i.e. Python's own work; `--nonblocking`: the server is never paused). Writes the collapsed
stacks (`.bench/profile/<case>.txt`, for any flame-graph tool) and prints, and writes as markdown,
the functions by inclusive and by own share of the samples in the WSGI app.

    python -m loadtests.bench.profile capo-project [--seconds 10] [--threads 16] [--server granian]
"""
from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

from loadtests.bench import cases as bench_cases, deps, wrk
from loadtests.bench.procs import NOLIMIT, ROOT, Fieldsim

OUT = ROOT / ".bench" / "profile"
APP_ROOT = "Flask.__call__ ("  # the frame every request of the WSGI app runs under


def pyspy() -> str | None:
    found = Path(sys.executable).with_name("py-spy")
    return str(found) if found.exists() else shutil.which("py-spy")


def shares(collapsed: str, root: str = APP_ROOT) -> tuple[int, int, Counter, Counter]:
    """From py-spy's raw (collapsed) stacks: all samples, the samples under `root`, and per function
    (line numbers dropped) the samples it is on the stack for (inclusive) and on top of (own)."""
    inclusive, own, total, every = Counter(), Counter(), 0, 0
    for line in collapsed.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        every += n
        frames = stack.split(";")
        start = next((i for i, f in enumerate(frames) if f.startswith(root)), None)
        if start is None:
            continue
        total += n
        names = [re.sub(r":\d+\)$", ")", f) for f in frames[start:]]
        for name in set(names):
            inclusive[name] += n
        own[names[-1]] += n
    return every, total, inclusive, own


def table(title: str, counts: Counter, total: int, top: int) -> str:
    rows = [f"| {100 * n / total:5.1f}% | `{name}` |" for name, n in counts.most_common(top)]
    return f"\n### {title}\n\n| share | function (file) |\n|---|---|\n" + "\n".join(rows) + "\n"


def report(case: str, collapsed: str, top: int = 30) -> str:
    every, total, inclusive, own = shares(collapsed)
    if not total:
        return f"## {case}\n\nNo sample inside the WSGI app (was the server loaded?).\n"
    return (f"## {case}\n\n{total:,} samples holding the GIL inside the WSGI app (100% below), of {every:,} "
            f"holding it anywhere ({100 * total / every:.0f}%; the rest is the server's Python side).\n"
            + table("Inclusive (the function and what it calls)", inclusive, total, top)
            + table("Own (the function itself)", own, total, top))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("case", choices=list(bench_cases.PREPARE))
    p.add_argument("--seconds", type=int, default=10)
    p.add_argument("--connections", type=int, default=16)
    p.add_argument("--server", default="granian", choices=("granian", "gunicorn"))
    p.add_argument("--threads", type=int, default=16)
    p.add_argument("--rate", type=int, default=250, help="py-spy samples per second")
    p.add_argument("--top", type=int, default=30)
    a = p.parse_args(argv)
    spy = pyspy()
    if not spy:
        print("py-spy not installed: run `make profile` or `make bench-deps` (pip extra `bench`)", file=sys.stderr)
        return 2
    if not deps.wrk_bin():
        print("wrk not installed: run `make bench-deps` (apt-get install wrk, as root)", file=sys.stderr)
        return 2
    OUT.mkdir(parents=True, exist_ok=True)
    config = OUT / "nolimit.yaml"
    config.write_text(NOLIMIT)
    raw = OUT / f"{a.case}.txt"
    with Fieldsim("--server", a.server, "--threads", str(a.threads), "--scale", "large", "--config", str(config),
                  log=OUT / "fieldsim.log") as fs:
        case = bench_cases.PREPARE[a.case](fs.base)
        wrk.run(fs.base, case, seconds=2, connections=a.connections)  # warm-up
        load = threading.Thread(target=wrk.run, args=(fs.base, case),
                                kwargs={"seconds": a.seconds + 2, "connections": a.connections})
        load.start()
        spied = subprocess.run([spy, "record", "--pid", str(fs.proc.pid), "--subprocesses", "--gil", "--nonblocking",
                                "--rate", str(a.rate), "--duration", str(a.seconds), "--format", "raw",
                                "--output", str(raw)], capture_output=True, text=True)
        load.join()
    if spied.returncode != 0 or not raw.exists():
        print(f"py-spy failed (it needs ptrace: root or CAP_SYS_PTRACE): {spied.stderr[-600:]}", file=sys.stderr)
        return 1
    text = report(a.case, raw.read_text(), a.top)
    (OUT / f"{a.case}.md").write_text(text)
    print(text)
    print(f"collapsed stacks: {raw}; this table: {OUT / (a.case + '.md')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
