"""Per-client rate limiting over all CAPO endpoints (CAPO-RL-1 .. CAPO-RL-5)."""
from __future__ import annotations

import threading
import time

import pytest
import requests

from .capo import A1, A2, NB, Capo

PATHS = ["/project", "/hoofdleiding", "/bijlageassigned", "/contractgebied", "/project/3000106/log",
         "/project/3000104", "/project/3000106/bijlageassigned", "/project/3000106/bijlage"]


@pytest.fixture
def capo(fieldsim):
    return Capo(fieldsim, NB)


@pytest.fixture
def frozen(fieldsim, monkeypatch):
    """Freeze the limiter's (real-time) clock so bucket arithmetic is exact; returns a setter."""
    now = [1_000_000.0]
    monkeypatch.setattr(fieldsim.runtime.limiter, "now", lambda: now[0])
    fieldsim.runtime.backend.ratelimit_reset()
    return now


def statuses(capo, n, path="/project"):
    return [capo.call("GET", path).status_code for _ in range(n)]


def test_burst_of_30_then_429_with_retry_after_and_nothing_applied_CAPO_RL_2_CAPO_RL_5(capo, frozen):
    """CAPO-RL-2: exactly 30 admitted at once; CAPO-RL-5: the 31st is 429 + Retry-After + JSON,
    and a refused write is not applied."""
    assert statuses(capo, 30) == [200] * 30
    before = capo.as_(A1).call("GET", "/project/3000104")  # another client: unaffected
    r = capo.call("PATCH", "/project/3000104", json={"startUitvoeringWeek": "2026-W40"})
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
    assert set(r.json()) == {"message"} and "rate" in r.json()["message"].lower()
    assert capo.as_(A1).call("GET", "/project/3000104").json() == before.json()
    assert capo.as_(A1).ok("GET", "/project/3000104")["startUitvoeringWeek"] is None


def test_average_rate_20_per_second_refill_exact_CAPO_RL_1(capo, frozen):
    """CAPO-RL-1: after the burst, one second gives exactly 20 more (frozen limiter clock)."""
    statuses(capo, 30)
    frozen[0] += 1.0
    got = statuses(capo, 21)
    assert got == [200] * 20 + [429]
    frozen[0] += 0.05  # 1/20 s -> one more
    assert statuses(capo, 2) == [200, 429]


def until_429(capo, limit=300):
    """Send until the first 429: (admitted, start, end)."""
    start = time.monotonic()
    for n in range(limit):
        if capo.call("GET", "/contractgebied").status_code == 429:
            return n, start, time.monotonic()
    raise AssertionError("never limited")


def test_average_rate_in_real_time_CAPO_RL_1_CAPO_RL_2(capo, fieldsim):
    """CAPO-RL-1/2 on the real clock: a burst admits 30 (plus what refilled meanwhile, at 20/s);
    after a 1 s pause about 20 more are admitted."""
    fieldsim.runtime.backend.ratelimit_reset()
    n, start, end = until_429(capo)
    assert 30 <= n <= 30 + (end - start) * 20 + 1
    time.sleep(1.0)
    m, start2, end2 = until_429(capo)
    assert 20 * (start2 - end) - 1 <= m <= 20 * (end2 - end) + 1


def test_limit_is_per_client_across_all_endpoints_CAPO_RL_4(capo, frozen):
    """CAPO-RL-4: one bucket per client over every CAPO endpoint (not per endpoint); other clients independent."""
    got = [capo.call("GET", PATHS[i % len(PATHS)]).status_code for i in range(30)]
    assert got == [200] * 30
    for path in PATHS + ["/documentation.json"]:
        assert capo.call("GET", path).status_code == 429
    assert capo.call("POST", "/project/3000104/mic", json={"meeInCombi": True}).status_code == 429
    for token in (A1, A2):
        assert statuses(capo.as_(token), 30, "/contractgebied") == [200] * 30
    frozen[0] += 10
    assert capo.ok("GET", "/project/3000104")["quickscan"]["afgerond"] is False  # the refused mic was not applied


def test_unauthenticated_flood_is_limited_too_CAPO_RL_4(capo, frozen):
    """CAPO-RL-4 decision: requests without a token are limited per address."""
    got = [requests.get(capo.url + "/project", timeout=10).status_code for _ in range(31)]
    assert got == [401] * 30 + [429]


def test_in_flight_cap_of_3_CAPO_RL_3(capo, fieldsim):
    """CAPO-RL-3: with slow requests (processing delay inside the limiter), a 4th concurrent request
    of the same client is refused with 429; another client is not affected."""
    assert fieldsim.admin("POST", "capo/latency", json={"delay_ms": 1000}).status_code == 200
    results, lock = [], threading.Lock()

    def call(token):
        r = requests.get(capo.url + "/contractgebied", headers={"Authorization": f"Bearer {token}"}, timeout=10)
        with lock:
            results.append((token, r.status_code, r.headers.get("Retry-After")))

    threads = [threading.Thread(target=call, args=(NB,)) for _ in range(3)]
    for t in threads:
        t.start()
    time.sleep(0.3)
    call(NB)  # the 4th while 3 are in flight
    call(A1)  # another client meanwhile: admitted (its own slots)
    for t in threads:
        t.join()
    nb = sorted(s for tok, s, _ in results if tok == NB)
    assert nb == [200, 200, 200, 429]
    assert [s for tok, s, _ in results if tok == A1] == [200]
    assert all(ra for tok, s, ra in results if s == 429)
    fieldsim.admin("POST", "capo/latency", json={"delay_ms": 0})
    assert capo.call("GET", "/contractgebied").status_code == 200  # slots were released


def test_rate_limit_can_be_configured_off(tmp_path):
    """CAPO-RL-5: limits come from config and can be switched off."""
    from simulators.testing import fieldsim_server
    with fieldsim_server(apis=["capo"], api_options={"capo": {"rate_limit": False}}) as sim:
        c = Capo(sim, NB)
        assert statuses(c, 45, "/contractgebied") == [200] * 45
    with fieldsim_server(apis=["capo"], api_options={"capo": {"rate_limit": {"burst": 5, "rate": 0.5}}}) as sim:
        c = Capo(sim, NB)
        assert statuses(c, 6, "/contractgebied")[5] == 429
