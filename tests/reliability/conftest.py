"""Reliability sweeps (issue 9): one embedded fieldsim for the session with CAPO's rate limit
switched off (api_options capo.rate_limit=False), so fuzzers and thread storms measure the
simulators rather than the limiter (the limiter has its own tests in tests/core and tests/capo).
The clock is frozen before each test so time-driven processes (WerkbonApp's device, Capitech's
registrations, session expiry) cannot change state between a "before" and an "after" snapshot."""
from __future__ import annotations

import os

import pytest
import requests

from simulators.testing import fieldsim_server

FROZEN = "2026-11-23T12:00:00+01:00"
FUZZ = int(os.environ.get("FIELDSIM_FUZZ_EXAMPLES", "0") or 0)


@pytest.fixture(scope="session")
def rel_server():
    with fieldsim_server(api_options={"capo": {"rate_limit": False}}) as server:
        yield server


@pytest.fixture
def rel(rel_server):
    rel_server.reset()
    rel_server.set_clock(FROZEN, frozen=True)
    return rel_server


def state(server, api: str) -> dict:
    r = requests.get(f"{server.base_url}/__admin/state/{api}", timeout=30)
    assert r.status_code == 200, r.text
    return r.json()


def free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Served:
    """A `fieldsim serve` subprocess, as users run it."""

    def __init__(self, tmp, config: str, *args: str):
        import subprocess
        import sys
        import time
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        cfg = tmp / "fieldsim.yaml"
        cfg.write_text(config)
        self.proc = subprocess.Popen([sys.executable, "-m", "simulators", "serve", "--port", str(self.port),
                                      "--config", str(cfg), "--quiet", *args],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(self.base_url + "/__admin/health", timeout=2).ok:
                    return
            except requests.RequestException:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("fieldsim serve did not come up: " + self.proc.stderr.read().decode()[-2000:])

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except Exception:
            self.proc.kill()


def _serve(tmp_path_factory, server_name: str):
    """`fieldsim serve --server NAME` with a 1 MiB body limit (max_body_bytes) and CAPO's rate limit off."""
    server = Served(tmp_path_factory.mktemp("served"), "max_body_bytes: 1048576\ncapo: {rate_limit: false}\n",
                    "--server", server_name)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def served_gunicorn(tmp_path_factory):
    yield from _serve(tmp_path_factory, "gunicorn")


@pytest.fixture(scope="module")
def served_granian(tmp_path_factory):
    yield from _serve(tmp_path_factory, "granian")


@pytest.fixture(scope="module", params=["gunicorn", "granian"])
def served(request):
    """`fieldsim serve` on each server (see _serve)."""
    return request.getfixturevalue(f"served_{request.param}")
