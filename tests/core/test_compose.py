"""docker-compose.yml (no Docker engine here): valid against the Compose specification's JSON
schema, one service per API on its own port sharing one redis, a Locust master and workers — and the
commands it runs are run here, unchanged except for loopback addresses and free ports, against a
real redis-server: each serves exactly its API, all share one state, and the Locust master/worker
pair produces a report."""
from __future__ import annotations

import copy
import csv
import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import jsonschema
import pytest
import requests
import yaml

from simulators import API_NAMES

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
VENDORED = Path(__file__).with_name("data") / "compose-spec.json"
REDIS_URL = "redis://redis:6379/0"


def compose_schema() -> dict:
    """The schema as shipped by check-jsonschema when installed; else the vendored copy of it
    (tests/core/data/compose-spec.json, Apache-2.0, see LICENSE.compose-spec)."""
    try:
        from importlib.resources import files
        return json.loads(files("check_jsonschema.builtin_schemas.vendor").joinpath("compose-spec.json").read_text())
    except (ImportError, ModuleNotFoundError, FileNotFoundError):
        return json.loads(VENDORED.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def local(command: list[str], port_map: dict, redis_port: int) -> list[str]:
    """A compose command as run here: the container's address, ports and redis host made local."""
    out = []
    for arg in command:
        arg = arg.replace("0.0.0.0", "127.0.0.1").replace("redis://redis:6379", f"redis://127.0.0.1:{redis_port}")
        for name, (inner, outer) in port_map.items():
            arg = arg.replace(f"http://{name}:{inner}", f"http://127.0.0.1:{outer}")
        out.append(arg)
    return out


def fieldsim_exe(command: list[str]) -> list[str]:
    assert command[0] == "fieldsim"
    exe = Path(sys.executable).with_name("fieldsim")
    return [str(exe) if exe.exists() else "fieldsim", *command[1:]]


def wait_health(port: int, proc: subprocess.Popen, timeout=60) -> dict:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            r = requests.get(f"http://127.0.0.1:{port}/__admin/health", timeout=1)
            if r.status_code == 200:
                return r.json()
        except requests.RequestException:
            pass
        if proc.poll() is not None:
            raise AssertionError(proc.stdout.read() if proc.stdout else f"exited {proc.returncode}")
        time.sleep(0.1)
    raise AssertionError(f"no /__admin/health on :{port} within {timeout} s")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


@pytest.fixture(scope="module")
def redis_port():
    exe = shutil.which("redis-server")
    if not exe:
        pytest.skip("redis-server not installed (make system-deps installs it)")
    port = free_port()
    tmp = tempfile.mkdtemp(prefix="fieldsim-compose-redis-")
    proc = subprocess.Popen([exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--dir", tmp], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.05)
    yield port
    stop(proc)
    shutil.rmtree(tmp, ignore_errors=True)


def test_compose_file_is_valid_against_the_compose_specification(compose):
    validator = jsonschema.Draft202012Validator(compose_schema())
    assert list(validator.iter_errors(compose)) == []
    # the schema really checks: a misspelt key fails, and so does a wrong type
    for path, value in ((("services", "capo", "portz"), ["8081:8081"]), (("services", "capo", "command"), 5)):
        broken = copy.deepcopy(compose)
        broken[path[0]][path[1]][path[2]] = value
        assert list(validator.iter_errors(broken)), path


def test_one_service_per_api_on_its_own_port_sharing_one_redis(compose):
    services = compose["services"]
    assert {"redis", "locust-master", "locust-worker", *API_NAMES} <= set(services)
    ports = set()
    for name in API_NAMES:
        svc = services[name]
        cmd = svc["command"]
        assert cmd[:3] == ["fieldsim", "serve", "--api"] and cmd[3] == name
        port = cmd[cmd.index("--port") + 1]
        assert cmd[cmd.index("--state") + 1] == REDIS_URL and cmd[cmd.index("--host") + 1] == "0.0.0.0"
        assert svc["ports"] == [f"{port}:{port}"] and svc["environment"]["FIELDSIM_PORT"] == port
        assert svc["build"] == "." and svc["depends_on"]["redis"]["condition"] == "service_healthy"
        ports.add(port)
    assert len(ports) == len(API_NAMES)
    assert services["locust-worker"]["deploy"]["replicas"] >= 2
    master = services["locust-master"]["command"]
    assert master[:3] == ["python", "-m", "loadtests.run"] and "--role" in master and "master" in master


def test_dockerfile_builds_from_python_311_slim_and_installs_test_extras():
    text = (ROOT / "Dockerfile").read_text()
    assert "FROM python:3.11-slim" in text and "pip install '.[test]'" in text


def with_port(command: list[str], port: int) -> list[str]:
    i = command.index("--port") + 1
    return [*command[:i], str(port), *command[i + 1:]]


def test_the_compose_api_commands_serve_their_api_on_one_shared_redis(compose, redis_port):
    """Each compose API command, run here: serves only its API; all share one clock (redis)."""
    pytest.importorskip("simulators.core.store_redis")
    procs, ports = {}, {}
    try:
        for name in API_NAMES:
            ports[name] = free_port()
            cmd = with_port(local(compose["services"][name]["command"], {}, redis_port), ports[name])
            procs[name] = subprocess.Popen(fieldsim_exe(cmd), cwd=ROOT, stdout=subprocess.PIPE,
                                           stderr=subprocess.STDOUT, text=True)
        for name in API_NAMES:
            assert wait_health(ports[name], procs[name])["apis"] == [name]
        base = {n: f"http://127.0.0.1:{p}" for n, p in ports.items()}
        set_clock = requests.post(base["capo"] + "/__admin/clock", json={"now": "2026-03-02T09:00:00+01:00"}, timeout=10)
        assert set_clock.status_code == 200, set_clock.text
        seen = requests.get(base["werkbon"] + "/__admin/clock", timeout=10).json()["now"]
        assert seen.startswith("2026-03-02T09:00"), seen
    finally:
        for p in procs.values():
            stop(p)


def test_the_compose_locust_master_and_worker_commands_produce_a_report(compose, redis_port, tmp_path):
    """The locust-master and locust-worker commands, run here against the compose CAPO command."""
    pytest.importorskip("simulators.core.store_redis")
    if not (ROOT / "loadtests" / "capo.py").exists():
        pytest.skip("loadtests/capo.py not written yet")
    svc = compose["services"]
    capo_port, master_port = free_port(), free_port()
    capo_cmd = with_port(local(svc["capo"]["command"], {}, redis_port), capo_port)
    capo = subprocess.Popen(fieldsim_exe(capo_cmd), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    procs = [capo]
    try:
        wait_health(capo_port, capo)
        ports = {"capo": (svc["capo"]["command"][svc["capo"]["command"].index("--port") + 1], capo_port)}

        def run(cmd):
            cmd = local(cmd, ports, redis_port)
            cmd = [a.replace("locust-master", "127.0.0.1").replace("5557", str(master_port)) for a in cmd]
            cmd = [sys.executable if a == "python" else a for a in cmd]
            if "--role" in cmd and cmd[cmd.index("--role") + 1] == "master":
                cmd = [*cmd[:cmd.index("--run-time") + 1], "5s", *cmd[cmd.index("--run-time") + 2:],
                       "--reports", str(tmp_path)]
            return subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

        master = run(svc["locust-master"]["command"])
        procs.append(master)
        procs += [run(svc["locust-worker"]["command"]) for _ in range(svc["locust-worker"]["deploy"]["replicas"])]
        out, _ = master.communicate(timeout=150)
        stats = list(tmp_path.glob("*/locust_stats.csv"))
        assert stats, out[-2000:]
        rows = {r["Name"]: r for r in csv.DictReader(stats[0].open())}
        assert int(rows["Aggregated"]["Request Count"]) > 0, out[-2000:]
        assert list(tmp_path.glob("*/report.html"))
    finally:
        for p in procs:
            stop(p)
