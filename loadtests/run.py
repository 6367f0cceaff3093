"""`make load PROFILE=<name> WORKERS=N [ARGS=...]`: one Locust profile, headless, distributed.

    make load PROFILE=capo-within-limits WORKERS=2
    make load PROFILE=cloudplan-get10 WORKERS=2 ARGS="--run-time 20s"
    make load PROFILE=capitech-nightly-export ARGS="--host http://127.0.0.1:8080"
    python -m loadtests.run --list

A profile name is `<api>-<profile>`: loadtests/<api>.py declares PROFILES = {name: {"tags": [...],
"user_classes": [...] (default: every class in the file), "users": U, "spawn_rate": R, "run_time": "30s", "scale": "large",
"env": {...}}} (read with `ast`, so this runner
never imports locust or gevent); a locustfile without PROFILES runs with tag `<profile>`. The runner
also sets FIELDSIM_PROFILE=<name> for the locustfile. Without --host it starts `fieldsim serve
--api <api>` on a free loopback port and stops it afterwards. WORKERS=0 runs one Locust process;
WORKERS=N runs a master and N worker subprocesses (all on 127.0.0.1). The run is bounded by
--run-time (plus a grace period); the HTML and CSV reports go to reports/<name>-<time>/.
Exit code: Locust's (1 when any request failed).

docker-compose.yml runs the two sides in separate containers with the same runner:
`--role master --workers N --master-bind 0.0.0.0 --host http://capo:8081` and
`--role worker --master-host locust-master`.
"""
from __future__ import annotations

import argparse
import ast
import csv
import os
import subprocess
import sys
import time
from pathlib import Path

from simulators import API_NAMES

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SCALE = {"capitech": "large", "capo": "medium"}  # capo-client-001..100 exist from medium on
GRACE_S = 60


def profiles_of(api: str) -> dict:
    """PROFILES from loadtests/<api>.py, read as a literal (no import: no gevent in this process)."""
    path = ROOT / "loadtests" / f"{api}.py"
    if not path.exists():
        return {}
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == "PROFILES" for t in targets):
                try:
                    return ast.literal_eval(node.value)
                except ValueError:
                    return {}
    return {}


def resolve(name: str) -> tuple[str, Path, dict]:
    api = name.split("-", 1)[0]
    if api not in API_NAMES:
        raise SystemExit(f"unknown profile {name!r}: it must start with one of {', '.join(API_NAMES)}")
    path = ROOT / "loadtests" / f"{api}.py"
    if not path.exists():
        raise SystemExit(f"loadtests/{api}.py does not exist (yet): no Locust profile for {api}")
    declared = profiles_of(api)
    if declared and name not in declared:
        raise SystemExit(f"unknown profile {name!r}; loadtests/{api}.py declares: {', '.join(declared)}")
    prof = dict(declared.get(name) or {})
    if not prof and "-" in name:
        prof = {"tags": [name.split("-", 1)[1]]}
    return api, path, prof


def profile_env(name: str, prof: dict) -> dict:
    """FIELDSIM_PROFILE=<name>, then the profile's own "env" (which may set it differently)."""
    return {**os.environ, "FIELDSIM_PROFILE": name, **{k: str(v) for k, v in (prof.get("env") or {}).items()}}


def seconds(spec: str) -> int:
    """Locust's run-time syntax (30s, 2m, 1h30m, 90) in seconds."""
    total, num = 0, ""
    for ch in str(spec):
        if ch.isdigit():
            num += ch
        else:
            total += int(num or 0) * {"h": 3600, "m": 60, "s": 1}.get(ch, 1)
            num = ""
    return total + int(num or 0)


def parse(argv):
    p = argparse.ArgumentParser(prog="python -m loadtests.run", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("profile", nargs="?", default="capo-within-limits")
    p.add_argument("--workers", type=int, default=0, help="Locust worker processes (0: one process)")
    p.add_argument("--host", default=None, help="target base URL; default: start fieldsim on loopback")
    p.add_argument("--users", "-u", type=int, default=None)
    p.add_argument("--spawn-rate", "-r", type=float, default=None)
    p.add_argument("--run-time", "-t", default=None, help="e.g. 30s (default: the profile's, else 30s)")
    p.add_argument("--scale", choices=("small", "medium", "large"), default=None)
    p.add_argument("--reports", default=str(ROOT / "reports"))
    p.add_argument("--role", choices=("all", "master", "worker"), default="all",
                   help="all: master + --workers local workers; master/worker: one side only (docker-compose)")
    p.add_argument("--master-host", default="127.0.0.1", help="worker role: where the master listens")
    p.add_argument("--master-bind", default="127.0.0.1", help="master role: bind address (0.0.0.0 in compose)")
    p.add_argument("--master-port", type=int, default=None, help="default: 5557 for the roles, else a free port")
    p.add_argument("--list", action="store_true", help="list the profiles and exit")
    return p.parse_args(argv)


def locust_cmd() -> list[str]:
    exe = Path(sys.executable).with_name("locust")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "locust"]


def commands(path: Path, prof: dict, a, host: str, out: Path, port: int,
             bind: str = "127.0.0.1", master_host: str = "127.0.0.1") -> tuple[list[str], list[list[str]]]:
    """The master (or single) Locust command and the worker commands."""
    users = a.users or prof.get("users", 10)
    rate = a.spawn_rate or prof.get("spawn_rate", users)
    run_time = a.run_time or prof.get("run_time", "30s")
    # the user classes, positional, before any option (--tags would take them for tags)
    base = [*locust_cmd(), "-f", str(path), *prof.get("user_classes", [])]
    tags = [t for t in prof.get("tags", []) if t]
    main = [*base, "--headless", "-u", str(users), "-r", str(rate), "-t", str(run_time), "--host", host,
            "--csv", str(out / "locust"), "--html", str(out / "report.html"), "--only-summary", "--stop-timeout", "10"]
    if tags:
        main += ["--tags", *tags]
    if a.workers <= 0:
        return main, []
    main += ["--master", "--master-bind-host", bind, "--master-bind-port", str(port),
             "--expect-workers", str(a.workers), "--expect-workers-max-wait", "60"]
    worker = [*base, "--worker", "--master-host", master_host, "--master-port", str(port)]
    if tags:
        worker += ["--tags", *tags]
    return main, [worker] * a.workers


def summary(out: Path) -> str:
    path = out / "locust_stats.csv"
    if not path.exists():
        return "no stats written"
    rows = {r["Name"]: r for r in csv.DictReader(path.open())}
    agg = rows.get("Aggregated")
    if not agg:
        return "no requests"
    return (f"{agg['Request Count']} requests, {agg['Failure Count']} failures, {float(agg['Requests/s']):.1f} req/s, "
            f"p50 {agg['50%']} ms, p99 {agg['99%']} ms")


def main(argv=None) -> int:
    a = parse(argv)
    if a.list:
        for api in API_NAMES:
            for name, prof in profiles_of(api).items():
                print(f"{name:32} loadtests/{api}.py {prof}")
        return 0
    if a.role == "master" and a.workers < 1:
        raise SystemExit("--role master needs --workers N (the number of workers that will connect)")
    api, path, prof = resolve(a.profile)
    sys.path.insert(0, str(ROOT))
    from loadtests.bench.procs import Fieldsim, free_port, stop_proc
    out = Path(a.reports) / f"{a.profile}-{time.strftime('%Y%m%d-%H%M%S')}"
    if a.role == "worker":  # one worker for a master elsewhere (compose): no server, no report
        a.workers = max(a.workers, 1)
        _, workers = commands(path, prof, a, "", out, a.master_port or 5557, master_host=a.master_host)
        return subprocess.call(workers[0], cwd=ROOT, env={**profile_env(a.profile, prof),
                                                          "FIELDSIM_LOCUST_WORKERS": str(a.workers)})
    out.mkdir(parents=True, exist_ok=True)
    server = None
    host = a.host
    if host is None:
        scale = a.scale or prof.get("scale") or DEFAULT_SCALE.get(api, "small")
        server = Fieldsim("--api", api, "--scale", scale, log=out / "fieldsim.log").start(timeout=300)
        host = server.base
        print(f"fieldsim serve --api {api} --scale {scale} on {host}", flush=True)
    port = a.master_port or (5557 if a.role == "master" else free_port())
    main_cmd, worker_cmds = commands(path, prof, a, host, out, port, bind=a.master_bind)
    if a.role == "master":
        worker_cmds = []  # the workers run elsewhere and connect to us
    env = {**profile_env(a.profile, prof), "FIELDSIM_LOCUST_WORKERS": str(max(a.workers, 0))}
    limit = seconds(a.run_time or prof.get("run_time", "30s")) + GRACE_S + (60 if a.workers > 0 else 0)
    workers: list[subprocess.Popen] = []
    try:
        master = subprocess.Popen(main_cmd, cwd=ROOT, env=env, start_new_session=True)
        for cmd in worker_cmds:
            workers.append(subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True,
                                            stdout=open(out / f"worker-{len(workers) + 1}.log", "wb"),
                                            stderr=subprocess.STDOUT))
        try:
            code = master.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            print(f"Locust did not finish within {limit} s: stopped", file=sys.stderr)
            stop_proc(master)
            code = 124
    finally:
        for w in workers:
            stop_proc(w)
        if server is not None:
            server.stop()
    print(f"{a.profile}: {summary(out)}\nreport: {out / 'report.html'}", flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
