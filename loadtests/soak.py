"""`make soak` (python -m loadtests.soak [--minutes 10] [--state URL]): a bounded soak of
`fieldsim serve` (all five APIs, default dataset) under a steady read mix over every API, with
injected faults every 30 s. Checks, and writes to docs/reliability.md section "Soak":

- RSS growth < 10% (RSS at the end vs. RSS after the first tenth of the run, gunicorn tree);
- the request journal stays bounded (GET /__admin/requests never longer than journal_size, 1000);
- no non-injected errors (every answer is the expected 200, except the 503s the soak itself injected
  through /__admin/faults, recognised by their message; a session that expired is renewed once and
  counted, not hidden).

Traffic: one thread per API, each paced to at most --rate requests/s (CAPO at half of it, under its
20/s limit), loopback only. Exit code 1 when a check fails.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import requests

from loadtests.bench import cases as bench_cases
from loadtests.bench.procs import ROOT, Fieldsim

CASES = ("capo-project", "capitech-100", "cloudplan-projects", "werkbon-workorders", "stadsnet-orders")
FAULT_MESSAGE = "soak-injected fault"
JOURNAL_SIZE = 1000  # Config.journal_size default
DOC = ROOT / "docs" / "reliability.md"


def parse(argv):
    p = argparse.ArgumentParser(prog="python -m loadtests.soak", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--minutes", type=float, default=10)
    p.add_argument("--rate", type=float, default=20, help="max requests/s per API thread")
    p.add_argument("--state", default=None, help="fieldsim --state (default memory)")
    p.add_argument("--fault-every", type=float, default=30, help="seconds between injected faults")
    p.add_argument("--env", action="append", default=[], metavar="KEY=VALUE",
                   help="environment for the server, e.g. MALLOC_ARENA_MAX=2 (repeatable)")
    p.add_argument("--out", default=str(DOC))
    return p.parse_args(argv)


class Counters:
    def __init__(self):
        self.lock = threading.Lock()
        self.ok = self.injected = self.errors = self.renewed = 0
        self.samples: list[str] = []

    def add(self, kind: str, sample: str = "") -> None:
        with self.lock:
            setattr(self, kind, getattr(self, kind) + 1)
            if kind == "errors" and len(self.samples) < 20:
                self.samples.append(sample)


def classify(r: requests.Response | None) -> str:
    if r is None:
        return "errors"
    if r.status_code == 200 and '"success":false' not in r.text[:200]:
        return "ok"
    if r.status_code == 503 and FAULT_MESSAGE in r.text:
        return "injected"
    return "errors"


def drive(base: str, name: str, rate: float, stop: threading.Event, c: Counters) -> None:
    """One API's client: send its case paced to `rate`/s; renew the session once on an error."""
    case = bench_cases.PREPARE[name](base)
    http = requests.Session()
    period = 1.0 / rate
    while not stop.is_set():
        t = time.perf_counter()
        try:
            r = case.send(base, http)
        except requests.RequestException:
            r = None
        kind = classify(r)
        if kind == "errors":
            try:  # a client logs in again when its session ended; a second failure is an error
                case = bench_cases.PREPARE[name](base)
                if classify(case.send(base, http)) == "ok":
                    kind = "renewed"
            except (bench_cases.NotServed, requests.RequestException):
                pass
        c.add(kind, f"{name}: {r.status_code if r is not None else 'no answer'} {r.text[:160] if r is not None else ''}")
        stop.wait(max(0.0, period - (time.perf_counter() - t)))


def inject(base: str, apis: list[str], n: int) -> None:
    api = apis[n % len(apis)]
    requests.post(base + "/__admin/faults", json={"api": api, "kind": "http_status", "status": 503,
                                                  "message": FAULT_MESSAGE, "times": 3}, timeout=10)


def run(a) -> dict:
    args = ["--state", a.state] if a.state else []
    log = ROOT / "reports" / "soak-fieldsim.log"
    log.parent.mkdir(exist_ok=True)
    result: dict = {"started": datetime.now(timezone.utc).isoformat(timespec="seconds"), "minutes": a.minutes,
                    "state": a.state or "memory", "rate": a.rate, "fault_every": a.fault_every}
    env = dict(kv.split("=", 1) for kv in a.env)
    result["env"] = env
    with Fieldsim(*args, log=log, env=env) as fs:
        names = []
        for name in CASES:
            try:
                bench_cases.PREPARE[name](fs.base)
                names.append(name)
            except bench_cases.NotServed as exc:
                result.setdefault("not_served", {})[name] = str(exc)[:200]
        c, stop = Counters(), threading.Event()
        threads = [threading.Thread(target=drive, daemon=True, args=(
            fs.base, n, a.rate / 2 if n.startswith("capo") else a.rate, stop, c)) for n in names]
        for t in threads:
            t.start()
        duration = a.minutes * 60
        t0 = time.time()
        rss, journal, faults, baseline = [], [], 0, None
        while time.time() - t0 < duration:
            time.sleep(min(10, max(0.1, duration - (time.time() - t0))))
            rss.append(round(fs.rss_mb(), 1))
            journal.append(len(requests.get(fs.base + "/__admin/requests", timeout=30).json()))
            if baseline is None and time.time() - t0 >= duration / 10:
                baseline = rss[-1]
            if names and time.time() - t0 >= (faults + 1) * a.fault_every:
                inject(fs.base, [n.split("-")[0] for n in names], faults)
                faults += 1
        stop.set()
        for t in threads:
            t.join(timeout=30)
        end = rss[-1] if rss else 0.0
        baseline = baseline or (rss[0] if rss else 0.0)
        growth = (end - baseline) / baseline * 100 if baseline else 0.0
        mid = rss[len(rss) // 2] if rss else 0.0
        result["rss_mb_mid"] = mid
        result["rss_growth_second_half_pct"] = round((end - mid) / mid * 100, 1) if mid else 0.0
        total = c.ok + c.injected + c.errors + c.renewed
        result.update({
            "apis": names, "requests": total, "ok": c.ok, "injected_seen": c.injected, "faults_injected": faults,
            "sessions_renewed": c.renewed, "errors": c.errors, "error_samples": c.samples,
            "rps": round(total / duration, 1), "rss_mb_baseline": baseline, "rss_mb_end": end,
            "rss_mb_max": max(rss) if rss else 0, "rss_growth_pct": round(growth, 1), "rss_series": rss,
            "journal_max": max(journal) if journal else 0, "journal_limit": JOURNAL_SIZE})
    result["checks"] = {"rss_growth_lt_10pct": growth < 10, "journal_bounded": result["journal_max"] <= JOURNAL_SIZE,
                        "no_non_injected_errors": c.errors == 0 and total > 0}
    return result


def section(r: dict) -> str:
    ck = r["checks"]
    mark = lambda ok: "pass" if ok else "FAIL"  # noqa: E731
    lines = [
        "## Soak", "",
        f"`make soak` (`python -m loadtests.soak --minutes {r['minutes']:g}`), started {r['started']}: "
        f"`fieldsim serve` (all APIs, default dataset, state {r['state']}"
        f"{', environment ' + ' '.join(f'{k}={v}' for k, v in r['env'].items()) if r.get('env') else ''}) "
        "under a steady read mix — "
        f"{', '.join(r['apis'])} — one client thread per API paced to ≤ {r['rate']:g} req/s (CAPO half that, "
        f"under its 20/s limit), and a 503 fault injected every {r['fault_every']:g} s on the APIs in turn (`times: 3`).", "",
        "| check | measured | result |", "|---|---|---|",
        f"| RSS growth < 10% | {r['rss_mb_baseline']} MB after the first tenth → {r['rss_mb_end']} MB at the end "
        f"({r['rss_growth_pct']:+.1f}%, max {r['rss_mb_max']} MB; second half {r['rss_mb_mid']} → "
        f"{r['rss_mb_end']} MB, {r['rss_growth_second_half_pct']:+.1f}%) | {mark(ck['rss_growth_lt_10pct'])} |",
        f"| journal bounded | at most {r['journal_max']} entries (limit {r['journal_limit']}) | "
        f"{mark(ck['journal_bounded'])} |",
        f"| no non-injected errors | {r['requests']:,} requests ({r['rps']} req/s): {r['ok']:,} OK, "
        f"{r['injected_seen']} injected 503s seen ({r['faults_injected']} rules × 3), {r['sessions_renewed']} "
        f"sessions renewed, {r['errors']} errors | {mark(ck['no_non_injected_errors'])} |", ""]
    lines += [f"RSS every 10 s (MB): {', '.join(str(x) for x in r['rss_series'])}", ""]
    if r.get("error_samples"):
        lines += ["Error samples:", ""] + [f"- `{s}`" for s in r["error_samples"]] + [""]
    if r.get("not_served"):
        lines += ["Not exercised (API not served): " + "; ".join(f"{k}: {v}" for k, v in r["not_served"].items()), ""]
    return "\n".join(lines)


def write_section(path: Path, text: str) -> None:
    """Replace the "## Soak" section of docs/reliability.md (create the file if needed)."""
    doc = path.read_text(encoding="utf-8") if path.exists() else "# Reliability\n\n"
    m = re.search(r"^## Soak\n.*?(?=^## |\Z)", doc, flags=re.S | re.M)
    doc = doc[:m.start()] + text + "\n" + doc[m.end():] if m else doc.rstrip("\n") + "\n\n" + text
    path.write_text(doc, encoding="utf-8")


def main(argv=None) -> int:
    a = parse(argv)
    r = run(a)
    (ROOT / "reports" / "soak.json").write_text(json.dumps(r, indent=2))
    write_section(Path(a.out), section(r))
    print(section(r))
    return 0 if all(r["checks"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
