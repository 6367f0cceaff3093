"""Contract suites run against any base URL: FIELDSIM_BASE_URL (set by `fieldsim check --base-url`)
or, when it is unset, an embedded fieldsim started for the session.

Fixtures:
- `base_url`: the root URL (e.g. http://127.0.0.1:8080), without the API's base path.
- `sim`: the embedded server (reset before each test), or None against an outside base URL.
- `is_fieldsim`: True when the target answers /__admin/health (admin calls may be used).
"""
from __future__ import annotations

import os

import pytest
import requests


@pytest.fixture(scope="session")
def _target():
    url = os.environ.get("FIELDSIM_BASE_URL")
    if url:
        yield url.rstrip("/"), None
        return
    from simulators.testing import fieldsim_server
    with fieldsim_server() as server:
        yield server.base_url, server


@pytest.fixture
def sim(_target):
    server = _target[1]
    if server is not None:
        server.reset()
    return server


@pytest.fixture
def base_url(_target, sim) -> str:
    return _target[0]


@pytest.fixture(scope="session")
def is_fieldsim(_target) -> bool:
    try:
        return requests.get(_target[0] + "/__admin/health", timeout=5).ok
    except requests.RequestException:
        return False
