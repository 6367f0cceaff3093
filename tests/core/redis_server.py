"""A real redis-server for tests: a free port, a temp dir, append-only persistence (so a stop and
start on the same port keeps the data, like a production restart). Tests skip with a clear reason
when the binary is missing (`make test` installs it via apt where it can)."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid

import pytest

REDIS_BIN = shutil.which("redis-server") or next(
    (p for p in ("/usr/bin/redis-server", "/usr/local/bin/redis-server") if os.path.exists(p)), None)
SKIP_REASON = "redis-server not installed (apt-get install redis-server, or `make system-deps`)"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    def __init__(self, port: int | None = None):
        if REDIS_BIN is None:
            pytest.skip(SKIP_REASON)
        self.port = port or free_port()
        self.dir = tempfile.mkdtemp(prefix="fieldsim-redis-")
        self.proc: subprocess.Popen | None = None

    def start(self) -> "RedisServer":
        self.proc = subprocess.Popen(
            [REDIS_BIN, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", self.dir,
             "--save", "", "--appendonly", "yes", "--appendfsync", "everysec", "--protected-mode", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(64).startswith(b"+PONG"):
                        return self
            except OSError:
                time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def url(self, db: int = 0, prefix: str | None = None) -> str:
        """A backend URL; a fresh prefix per test keeps tests apart on one server."""
        prefix = prefix if prefix is not None else f"t{uuid.uuid4().hex[:10]}:"
        return f"redis://127.0.0.1:{self.port}/{db}?prefix={prefix}"


@pytest.fixture(scope="session")
def redis_server():
    """One redis-server per test process (each xdist worker gets its own)."""
    server = RedisServer().start()
    yield server
    server.close()


# ---- fieldsim serve as a subprocess (its own process group, so kill -9 reaches gunicorn's workers) --

def start_fieldsim(*args: str, port: int | None = None, timeout: float = 30) -> tuple[subprocess.Popen, str]:
    import sys

    import requests
    port = port or free_port()
    log = tempfile.TemporaryFile()  # a file, not a pipe: a chatty server must never block on stderr
    proc = subprocess.Popen([sys.executable, "-m", "simulators", "serve", "--port", str(port), "--quiet", *args],
                            stdout=subprocess.DEVNULL, stderr=log, start_new_session=True)
    proc.log = log
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if requests.get(base + "/__admin/health", timeout=2).ok:
                return proc, base
        except requests.RequestException:  # not listening yet, or workers still loading
            if proc.poll() is not None:
                raise AssertionError(f"fieldsim serve exited: {server_log(proc)[-2000:]}")
            time.sleep(0.1)
    kill_group(proc)
    raise AssertionError(f"fieldsim serve {' '.join(args)} did not answer /__admin/health in {timeout} s")


def kill_group(proc: subprocess.Popen, sig: int = 9) -> None:
    """Signal gunicorn's master and workers together (SIGKILL: no graceful shutdown)."""
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)
        proc.wait(5)


def server_log(proc: subprocess.Popen) -> str:
    proc.log.seek(0)
    return proc.log.read().decode(errors="replace")
