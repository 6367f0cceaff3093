"""Redis restarted under load: while it is down every request gets a clear 503 in the API's own
format (never a 500, never a dropped connection) and /__admin/health says so; once it is back on
the same port fieldsim works again without a restart, with its state intact."""
from __future__ import annotations

import signal
import threading
import time

import pytest
import requests

from redis_server import RedisServer, kill_group, start_fieldsim

pytestmark = pytest.mark.redis


@pytest.fixture
def own_redis():
    server = RedisServer().start()
    yield server
    server.close()


def test_redis_down_gives_503_and_fieldsim_recovers_when_it_returns(own_redis):
    proc, base = start_fieldsim("--api", "capo", "--state", own_redis.url())
    try:
        token = requests.get(base + "/__admin/credentials", timeout=5).json()["capo"][0]["token"]
        headers = {"Authorization": f"Bearer {token}"}
        rule = requests.post(base + "/__admin/faults", timeout=5,
                             json={"kind": "latency", "delay_ms": 0, "path": "/api/capo/nothing-here"}).json()
        statuses, errors, stop = [], [], threading.Event()

        def load():
            http = requests.Session()
            while not stop.is_set():
                try:
                    statuses.append(http.get(base + "/api/capo/projecten", headers=headers, timeout=10).status_code)
                except requests.RequestException as exc:
                    errors.append(exc)
                time.sleep(0.06)  # under CAPO-RL-1 (20/s): a 429 here could only be a leaked slot

        worker = threading.Thread(target=load)
        worker.start()
        try:
            time.sleep(0.3)
            own_redis.stop()
            time.sleep(0.3)
            down = requests.get(base + "/api/capo/projecten", headers=headers, timeout=10)
            assert down.status_code == 503
            assert "unavailable" in down.json()["message"].lower()  # CAPO-ERR-1 format: {"message": ...}
            health = requests.get(base + "/__admin/health", timeout=10)
            assert health.status_code == 503 and "unavailable" in health.json()["message"]
            assert requests.get(base + "/__admin/faults", timeout=10).status_code == 503
            own_redis.start()  # same port, same data directory
            deadline = time.time() + 10
            while requests.get(base + "/__admin/health", timeout=10).status_code != 200:
                assert time.time() < deadline, "fieldsim did not recover after redis came back"
                time.sleep(0.05)
            time.sleep(0.3)
        finally:
            stop.set()
            worker.join(15)
        assert not errors, errors[:3]
        assert 503 in statuses and not {500, 502} & set(statuses), sorted(set(statuses))
        assert statuses[-1] not in (429, 503)
        # no in-flight slot leaked by requests whose release failed while redis was down (CAPO-RL-3)
        after = [requests.get(base + "/api/capo/projecten", headers=headers, timeout=5).status_code for _ in range(10)]
        assert not {429, 503} & set(after), after
        assert [r["id"] for r in requests.get(base + "/__admin/faults", timeout=5).json()] == [rule["id"]]
        assert requests.get(base + "/api/capo/projecten", headers=headers, timeout=5).status_code != 503
    finally:
        kill_group(proc, signal.SIGTERM)


def test_backend_raises_unavailable_while_down_and_releases_a_stranded_slot_when_back(own_redis):
    """CAPO-RL-3: a slot whose release failed while redis was down is released once redis is back,
    not only when its TTL runs out; every call while down is BackendUnavailable (503), not a 500."""
    from simulators.core.errors import BackendUnavailable
    from simulators.core.store import open_backend
    b = open_backend(own_redis.url())
    assert b.inflight_acquire("capo:c", 1)
    own_redis.stop()
    for call in (b.ping, lambda: b.inflight_release("capo:c"), lambda: b.state("capo").get("x", 1),
                 lambda: b.meta_put("m", 1), lambda: b.bucket_take("k", 20, 30, 1.0), b.journal_list):
        with pytest.raises(BackendUnavailable):
            call()
    with pytest.raises(BackendUnavailable):
        with b.lock("s"):
            pass
    own_redis.start()
    b.ping()
    assert b.inflight_acquire("capo:c", 1), "the slot stranded while redis was down is still held"
    with b.lock("s"):  # the lock works again too
        b.meta_put("m", 2)
    assert b.meta_get("m") == 2
    b.close()
