"""Processes the bench starts: fieldsim (`fieldsim serve`, gunicorn) on loopback, readiness, RSS."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
LOOPBACK = "127.0.0.1"
# The throughput config: CAPO's 20 req/s per client would cap any single-token load.
NOLIMIT = "api_options:\n  capo:\n    rate_limit: false\n"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


def fieldsim_cmd() -> list[str]:
    """`fieldsim serve` as a user runs it (the venv's console script; python -m as a fallback)."""
    script = Path(sys.executable).with_name("fieldsim")
    if script.exists():
        return [str(script), "serve"]
    found = shutil.which("fieldsim")
    return [found, "serve"] if found else [sys.executable, "-m", "simulators", "serve"]


def wait_http(url: str, proc: subprocess.Popen | None, timeout: float, ok=(200,)) -> float:
    """Seconds until `url` answers one of `ok`; raises RuntimeError on exit or timeout."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        try:
            if requests.get(url, timeout=1).status_code in ok:
                return time.perf_counter() - start
        except requests.RequestException:
            pass
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode}")
        time.sleep(0.02)
    raise RuntimeError(f"{url} not ready within {timeout:.0f} s")


class Fieldsim:
    """One `fieldsim serve` subprocess on a free loopback port."""

    def __init__(self, *args: str, log: Path | None = None, env: dict | None = None):
        self.args = args
        self.env = {**os.environ, **(env or {})}
        self.port = free_port()
        self.base = f"http://{LOOPBACK}:{self.port}"
        self.log = log
        self.proc: subprocess.Popen | None = None
        self.startup_s: float | None = None

    def start(self, timeout: float = 120) -> "Fieldsim":
        out = open(self.log, "ab") if self.log else subprocess.DEVNULL
        cmd = [*fieldsim_cmd(), "--host", LOOPBACK, "--port", str(self.port), "--quiet", *self.args]
        t0 = time.perf_counter()
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                                     env=self.env)
        try:
            wait_http(self.base + "/__admin/health", self.proc, timeout)
        except RuntimeError:
            self.stop()
            raise
        self.startup_s = time.perf_counter() - t0
        return self

    def rss_mb(self) -> float:
        return tree_rss_mb(self.proc.pid) if self.proc else 0.0

    def stop(self) -> None:
        stop_proc(self.proc)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class RedisServer:
    """A throwaway redis-server on a unix socket (no persistence), for the scale-out cells: on one
    host the socket is the cheaper transport, and redis round trips are most of a request's cost."""

    def __init__(self, proc: subprocess.Popen, sock: Path):
        self.proc, self.sock = proc, sock

    @classmethod
    def start(cls, work: Path) -> "RedisServer | None":
        exe = shutil.which("redis-server")
        if not exe:
            return None
        sock = work / "redis.sock"
        sock.unlink(missing_ok=True)
        proc = subprocess.Popen([exe, "--port", "0", "--unixsocket", str(sock), "--save", "", "--appendonly", "no",
                                 "--dir", str(work)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                                start_new_session=True)
        deadline = time.time() + 10
        while time.time() < deadline:
            if sock.exists():
                return cls(proc, sock)
            time.sleep(0.05)
        stop_proc(proc)
        return None

    def url(self, db: int) -> str:
        return f"unix://{self.sock}?db={db}"

    def stop(self) -> None:
        stop_proc(self.proc)


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(c) for c in text.split()]


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants (gunicorn master + workers), in MB."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
        todo.extend(_children(p))
    return total / 1024


def stop_proc(proc: subprocess.Popen | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except (ProcessLookupError, PermissionError):
        proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            proc.kill()
        proc.wait(timeout=5)
