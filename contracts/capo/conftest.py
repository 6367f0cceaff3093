"""CAPO contract fixtures. Against the simulator (default) the demo tokens are used; against
another base URL set CAPO_TOKEN (a netbeheerder's token), CAPO_AANNEMER_TOKEN and, for the
isolation checks, CAPO_AANNEMER2_TOKEN. Calls that change data run only against fieldsim
(`is_fieldsim`). Every call is paced under the published rate limit by the reference client's
limiter, as a well-behaved black-box user would."""
from __future__ import annotations

import os

import pytest
import requests

from clients.capo import Limiter

BASE = "/api/capo"
NB = os.environ.get("CAPO_TOKEN", "capo-netbeheerder-demo")
A1 = os.environ.get("CAPO_AANNEMER_TOKEN", "capo-aannemer-demo")
A2 = os.environ.get("CAPO_AANNEMER2_TOKEN", "capo-aannemer2-demo")
PACE = Limiter()


@pytest.fixture
def api_url(base_url) -> str:
    return base_url + BASE


def call(method: str, url: str, token: str | None = NB, **kw) -> requests.Response:
    headers = dict(kw.pop("headers", {}) or {})
    if token:
        headers["Authorization"] = f"Bearer {token}"
    with PACE:
        return requests.request(method, url, headers=headers, timeout=30, **kw)


@pytest.fixture(autouse=True)
def _fresh_pace(sim):
    """The embedded fieldsim starts each test with full rate-limit buckets; so does our pacer."""
    if sim is not None:
        with PACE.lock:
            PACE.tokens = float(PACE.burst)


def reset(base_url: str) -> None:
    """Fresh seeded state (and fresh rate-limit buckets) on fieldsim."""
    assert requests.post(base_url + "/__admin/reset?api=capo", timeout=30).ok
    with PACE.lock:
        PACE.tokens = float(PACE.burst)
