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
