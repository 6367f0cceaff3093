"""`make bench`: fieldsim against WireMock, Prism and nginx in one run, on loopback, with wrk.

    make bench                       # full run (~12 min), writes docs/benchmarks.md
    make bench ARGS="--quick"        # 1 short run per cell, for a smoke test (~3 min)
    make bench ARGS="--cases capo-project --peers wiremock"
    make bench ARGS="--compare-threads 1 4"   # the main server with other --threads too

Every cell: a warm-up, then --runs runs of --seconds at --connections; the table shows medians.
"""
from __future__ import annotations

import argparse
import json
import platform
import shutil
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from loadtests.bench import cases as bench_cases
from loadtests.bench import deps, report, wrk
from loadtests.bench.peers import PEERS
from loadtests.bench.procs import NOLIMIT, ROOT, Fieldsim, RedisServer
from loadtests.bench.ratelimit import rate_limit_accuracy

WORK = ROOT / ".bench" / "run"


def parse(argv):
    p = argparse.ArgumentParser(prog="python -m loadtests.bench", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--seconds", type=float, default=5)
    p.add_argument("--warmup", type=float, default=2)
    p.add_argument("--connections", type=int, default=16)
    p.add_argument("--cases", nargs="*", default=list(bench_cases.PREPARE), choices=list(bench_cases.PREPARE))
    p.add_argument("--peers", nargs="*", default=[c.name for c in PEERS], choices=[c.name for c in PEERS])
    p.add_argument("--server", default="granian", choices=("granian", "gunicorn"),
                   help="fieldsim's server for the main table (default granian, the throughput choice)")
    p.add_argument("--threads", type=int, default=16, help="fieldsim's --threads (default 16, as fieldsim serve)")
    p.add_argument("--compare-servers", nargs="*", default=["gunicorn"], choices=("granian", "gunicorn"),
                   help="other servers measured on the same cases (fieldsim only)")
    p.add_argument("--compare-threads", nargs="*", type=int, default=[1],
                   help="the main server with other --threads, on the same cases (default: 1)")
    p.add_argument("--no-scaleout", action="store_true", help="skip CAPO on redis with 1 and 2 workers")
    p.add_argument("--no-ratelimit", action="store_true", help="skip the rate-limit accuracy runs")
    p.add_argument("--quick", action="store_true", help="1 run of 2 s per cell, 1 s warm-up")
    p.add_argument("--out", default=str(ROOT / "docs" / "benchmarks.md"))
    a = p.parse_args(argv)
    if a.quick:
        a.runs, a.seconds, a.warmup = 1, 2, 1
    return a


def say(msg: str) -> None:
    print(f"[bench {datetime.now(timezone.utc):%H:%M:%S}] {msg}", flush=True)


def measure(base: str, case, a, connections=None) -> dict:
    """Warm-up, then a.runs runs: the medians (and every run, for the record)."""
    return measure_side_by_side({"one": base}, case, a, connections)["one"]


def measure_side_by_side(bases: dict, case, a, connections=None) -> dict:
    """Each server warmed up, then a.runs rounds in which every server runs once, in turn: a
    machine that drifts during the bench (this VM moves ±20%) then shifts every column alike,
    and the ratios between servers stay fair. Medians per server, every run kept for the record."""
    c = connections or a.connections
    for base in bases.values():
        wrk.run(base, case, seconds=a.warmup, connections=c)
    runs: dict = {name: [] for name in bases}
    for _ in range(a.runs):
        for name, base in bases.items():
            runs[name].append(wrk.run(base, case, seconds=a.seconds, connections=c))
    return {name: _summary(rs, c) for name, rs in runs.items()}


def _summary(runs, connections) -> dict:
    med = lambda attr: statistics.median(getattr(r, attr) for r in runs)  # noqa: E731
    return {"rps": med("rps"), "p50_ms": med("p50_ms"), "p99_ms": med("p99_ms"), "errors": sum(r.errors for r in runs),
            "requests": sum(r.requests for r in runs), "runs": [round(r.rps) for r in runs],
            "connections": connections}


def startup(n: int = 3) -> dict:
    """`fieldsim serve` with the default dataset: seconds until /__admin/health answers, and RSS."""
    times, rss = [], []
    for _ in range(n):
        with Fieldsim() as fs:
            times.append(fs.startup_s)
            time.sleep(0.5)
            rss.append(fs.rss_mb())
    return {"startup_s": statistics.median(times), "all": [round(t, 2) for t in times], "rss_mb": statistics.median(rss)}


def probe_peer(peer, case) -> str | None:
    """None when the peer answers the case like fieldsim did (status and body), else why not."""
    try:
        r = case.send(peer.base)
    except Exception as exc:  # noqa: BLE001 - any failure means: not equivalent
        return f"no answer ({exc.__class__.__name__})"
    if r.status_code != case.expected_status:
        return f"HTTP {r.status_code}"
    same = r.content == case.expected_body
    if not same and "json" in case.expected_type:
        try:
            same = json.loads(r.content) == json.loads(case.expected_body)
        except ValueError:
            pass
    return None if same else "different body"


def main(argv=None) -> int:
    a = parse(argv)
    t0 = time.time()
    WORK.mkdir(parents=True, exist_ok=True)
    result: dict = {"started": datetime.now(timezone.utc).isoformat(timespec="seconds"), "args": vars(a),
                    "machine": machine(), "cells": {}, "skipped": {}, "not_measured": {}, "cases": {}}
    if not all(deps.status().values()):  # one command: fetch what is missing, as `make bench-deps` does
        say("installing missing bench dependencies (loadtests/bench/deps.py)")
        deps.main()
    if not deps.wrk_bin():
        print("wrk not installed and not installable here (apt-get install wrk as root): cannot load", file=sys.stderr)
        return 2
    say("startup time, default dataset")
    result["startup"] = startup()
    say(f"  {result['startup']}")
    config = WORK / "nolimit.yaml"
    config.write_text(NOLIMIT)
    fs = Fieldsim("--server", a.server, "--threads", str(a.threads), "--scale", "large", "--config", str(config),
                  log=WORK / "fieldsim.log").start(timeout=300)
    peers = []
    try:
        result["large"] = {"startup_s": fs.startup_s, "rss_mb_idle": fs.rss_mb()}
        prepared = []
        for name in a.cases:
            say(f"prepare {name}")
            try:
                prepared.append(bench_cases.PREPARE[name](fs.base))
            except bench_cases.NotServed as exc:
                result["not_measured"][name] = f"not measured: API not served yet ({exc})"
                say(f"  {result['not_measured'][name]}")
            except Exception as exc:  # noqa: BLE001 - a broken API must not stop the other rows
                result["not_measured"][name] = f"not measured: {exc.__class__.__name__}: {str(exc)[:200]}"
                say(f"  {result['not_measured'][name]}")
        for c in prepared:
            result["cases"][c.name] = {"title": c.title, "note": c.note, "bytes": len(c.expected_body)}
        for cls in PEERS:
            if cls.name not in a.peers:
                continue
            why = cls.available()
            if why is None and prepared:
                peer = cls(WORK, a.server, a.threads)
                try:
                    say(f"start {cls.name}")
                    peer.start(prepared)
                    peers.append(peer)
                    warm_up(peer, prepared, a)
                    continue
                except RuntimeError as exc:
                    why = str(exc)[:300]
            result["skipped"][cls.name] = why or "no case to serve"
            say(f"skip {cls.name}: {result['skipped'][cls.name]}")
        for c in prepared:
            cells = result["cells"].setdefault(c.name, {})
            bases = {"fieldsim": fs.base}
            for peer in peers:
                problem = probe_peer(peer, c)
                if problem:
                    cells[peer.name] = {"skipped": f"{peer.name} did not serve an equivalent answer: {problem}"}
                else:
                    bases[peer.name] = peer.base
            say(f"{c.name}: {', '.join(bases)}, side by side")
            cells.update(measure_side_by_side(bases, c, a))
            for name in bases:
                say(f"  {name}: {cells[name]}")
        floor_half_max_latency(peers, prepared, a, result)
        result["peer_rss_mb"] = {p.name: round(p.rss_mb(), 1) for p in peers}
        for p in peers:
            p.stop()
        peers = []
        extra_latency(fs, prepared, a, result)
        result["large"]["rss_mb_after"] = fs.rss_mb()
    finally:
        for p in peers:
            p.stop()
        fs.stop()
    others = [(s, a.threads) for s in a.compare_servers if s != a.server]
    others += [(a.server, t) for t in a.compare_threads if t != a.threads]
    for server, threads in others:
        result.setdefault("servers", {})[report.label(server, threads)] = other_server(server, threads, config, a)
    if not a.no_scaleout and "capo-project" in a.cases:
        result["scaleout"] = scaleout(config, a)
    if not a.no_ratelimit:
        say("rate-limit accuracy (CAPO, limits on, --scale medium)")
        result["ratelimit"] = rate_limit_accuracy(WORK, say, ("--server", a.server, "--threads", str(a.threads)))
    if any(n.startswith("capitech") for n in result["cases"]):
        result["capitech_store"] = capitech_store_size()
    result["seconds"] = round(time.time() - t0)
    (WORK / "result.json").write_text(json.dumps(result, indent=2, default=str))
    old = Path(a.out).read_text(encoding="utf-8") if Path(a.out).exists() else ""
    Path(a.out).write_text(report.markdown(result) + report.kept_sections(old), encoding="utf-8")
    say(f"done in {result['seconds']} s: {a.out} (raw: {WORK / 'result.json'})")
    return 0


def other_server(server: str, threads: int, config: Path, a) -> dict:
    """The same cases against fieldsim on another server or thread count (prepared afresh: tokens
    are per server), with CAPO's p99 at half of this configuration's max."""
    cells: dict = {}
    with Fieldsim("--server", server, "--threads", str(threads), "--scale", "large", "--config", str(config),
                  log=WORK / f"fieldsim-{server}-{threads}.log") as fs:
        for name in a.cases:
            try:
                case = bench_cases.PREPARE[name](fs.base)
            except Exception as exc:  # noqa: BLE001 - reported, not fatal
                cells[name] = {"skipped": f"{exc.__class__.__name__}: {str(exc)[:200]}"}
                continue
            say(f"{name}: fieldsim --server {server} --threads {threads}")
            cells[name] = measure(fs.base, case, a)
            say(f"  {cells[name]}")
            if name == "capo-project":
                cells["capo-half"] = half_max_latency(fs.base, case, cells[name]["rps"], a)
    return cells


def scaleout(config: Path, a) -> dict:
    """CAPO GET on memory state (1 process) and on redis with 1 and 2 worker processes."""
    out: dict = {}
    runs = [("memory, 1 worker", [], None)]
    redis = RedisServer.start(WORK)
    if redis is None:
        out["skipped"] = "redis-server not installed (make test installs it via apt)"
    else:
        runs += [(f"redis, {n} worker{'s' if n > 1 else ''}", ["--workers", str(n)], redis.url(n)) for n in (1, 2)]
    try:
        for label, extra, url in runs:
            args = ["--server", a.server, "--threads", str(a.threads), "--config", str(config), *extra,
                    *(["--state", url] if url else [])]
            with Fieldsim(*args, log=WORK / "fieldsim-scaleout.log") as fs:
                case = bench_cases.PREPARE["capo-project"](fs.base)
                say(f"scale-out capo-project: {label}")
                out[label] = measure(fs.base, case, a)
                say(f"  {out[label]}")
    finally:
        if redis is not None:
            redis.stop()
    return out


def warm_up(peer, prepared, a) -> None:
    """A pass over every case before any cell is measured (the JVM's JIT needs it most)."""
    for c in prepared:
        if probe_peer(peer, c) is None:
            wrk.run(peer.base, c, seconds=a.warmup, connections=a.connections)


def extra_latency(fs, prepared, a, result) -> None:
    """Latency targets: Capitech answers at one connection; CAPO p99 at half of fieldsim's max rate
    (wrk's delay() hook paces each connection: an approximately fixed offered rate)."""
    by = {c.name: c for c in prepared}
    lat = result.setdefault("latency", {})
    for name in ("capitech-100", "capitech-5000"):
        if name in by:
            say(f"{name}: latency at 1 connection")
            lat[name] = measure(fs.base, by[name], a, connections=1)
    capo = by.get("capo-project")
    cell = result["cells"].get("capo-project", {}).get("fieldsim")
    if capo and cell:
        lat["capo-half"] = half_max_latency(fs.base, capo, cell["rps"], a)


def floor_half_max_latency(peers, prepared, a, result) -> None:
    """The Flask stub's CAPO p99 at the rate of fieldsim's half max: how much of that tail any Flask
    app on this server and machine has, with no work of fieldsim's in it."""
    floor = next((p for p in peers if p.name == "flask"), None)
    capo = next((c for c in prepared if c.name == "capo-project"), None)
    cell = result["cells"].get("capo-project", {})
    if floor and capo and "rps" in cell.get("fieldsim", {}) and "rps" in cell.get("flask", {}):
        say("capo-project: the Flask stub at fieldsim's half max")
        result.setdefault("latency", {})["capo-half-flask"] = half_max_latency(floor.base, capo,
                                                                               cell["fieldsim"]["rps"], a)


def half_max_latency(base: str, capo, max_rps: float, a) -> dict:
    """CAPO latency at half of the measured max: 32 paced connections (wrk's delay() hook), an
    approximately open-loop offered rate, the pause calibrated until the rate is about the target."""
    target = max_rps / 2
    conns = 32
    delay = wrk.pace(base, capo, connections=conns, target_rps=target)
    say(f"capo-project: p99 at half max (~{target:.0f} req/s, {conns} connections, delay {delay} ms)")
    runs = [wrk.run(base, capo, seconds=max(a.seconds, 5), connections=conns, delay_ms=delay)
            for _ in range(a.runs)]
    return {"target_rps": target, "rps": statistics.median(r.rps for r in runs),
            "p50_ms": statistics.median(r.p50_ms for r in runs),
            "p99_ms": statistics.median(r.p99_ms for r in runs), "errors": sum(r.errors for r in runs),
            "connections": conns, "delay_ms": delay}


def capitech_store_size() -> dict | None:
    """Transactions in the --scale large Capitech store (seed 42), counted by the seed code itself
    in a subprocess (after the measurements: building it costs CPU)."""
    code = ("import json; from simulators.capitech.seed import Dataset; ds = Dataset(42, 'large', {}); ds.warm(); "
            "print(json.dumps({c: ds.client(c).cols['rec'][-1] for c in ds.client_ids}))")
    try:
        p = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
        per_client = json.loads(p.stdout.strip().splitlines()[-1])
    except (subprocess.TimeoutExpired, ValueError, IndexError, OSError):
        return None
    return {"total": sum(per_client.values()), "per_client": per_client}


def machine() -> dict:
    import os
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
            "loadavg_at_start": load, "wrk": shutil.which("wrk")}


if __name__ == "__main__":
    sys.exit(main())
