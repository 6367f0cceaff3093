"""One rate limit across processes on redis (CAPO-RL-1/2/3/4): several processes that share a redis
admit 30 + 20·t requests of one client in total, and hold at most 3 in flight together."""
from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest
import requests

from redis_server import kill_group, redis_server, start_fieldsim  # noqa: F401  (fixture)

pytestmark = pytest.mark.redis

FLOOD = textwrap.dedent("""
    import sys, time
    from simulators.core.api import RateLimit
    from simulators.core.ratelimit import Limiter
    from simulators.core.store import open_backend
    limiter = Limiter(open_backend(sys.argv[1]))
    limit = RateLimit(rate=20, burst=30, inflight=1000)
    print("ready", flush=True)
    start, end = map(float, sys.stdin.readline().split())
    while time.time() < start:
        time.sleep(0.001)
    admitted = attempts = 0
    while time.time() < end:
        ok, _, _ = limiter.acquire("capo", "token:demo", limit)
        attempts += 1
        if ok:
            admitted += 1
            limiter.release("capo", "token:demo")
    print(admitted, attempts, flush=True)
""")

HOLD = textwrap.dedent("""
    import sys, time
    from simulators.core.store_redis import RedisBackend
    b = RedisBackend(sys.argv[1], inflight_ttl_ms=int(sys.argv[3]))
    held = sum(b.inflight_acquire("capo:token:demo", 3) for _ in range(int(sys.argv[2])))
    print(held, flush=True)
    time.sleep(60)  # holds its slots until killed
""")


def test_two_processes_on_one_redis_admit_30_plus_20_per_second_in_total(redis_server):  # noqa: F811
    """CAPO-RL-1/2 across processes: the bucket is one, shared by both processes."""
    url, duration = redis_server.url(), 3.0
    procs = [subprocess.Popen([sys.executable, "-c", FLOOD, url], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True) for _ in range(2)]
    assert [p.stdout.readline().strip() for p in procs] == ["ready", "ready"]
    start = time.time() + 0.2  # both flood from the same instant
    for p in procs:
        p.stdin.write(f"{start!r} {start + duration!r}\n")
        p.stdin.flush()
    results = [tuple(map(int, p.communicate(timeout=30)[0].split())) for p in procs]
    admitted = sum(a for a, _ in results)
    assert all(attempts > 100 for _, attempts in results), results  # both really flooded
    assert 30 + 20 * duration - 2 <= admitted <= 30 + 20 * duration + 2, results


def test_inflight_cap_is_shared_across_processes_and_a_killed_holder_frees_its_slots(redis_server):  # noqa: F811
    """CAPO-RL-3 across processes: 2 held by one process leave 1 for the other; slots of a process
    killed with -9 expire instead of leaking."""
    url = redis_server.url()
    first = subprocess.Popen([sys.executable, "-c", HOLD, url, "2", "1500"], stdout=subprocess.PIPE, text=True)
    second = None
    try:
        assert first.stdout.readline().strip() == "2"
        second = subprocess.Popen([sys.executable, "-c", HOLD, url, "3", "1500"], stdout=subprocess.PIPE, text=True)
        assert second.stdout.readline().strip() == "1"
    finally:
        for p in (first, second):
            if p is not None:
                p.send_signal(signal.SIGKILL)
                p.wait(10)
    time.sleep(1.6)
    third = subprocess.Popen([sys.executable, "-c", HOLD, url, "4", "1500"], stdout=subprocess.PIPE, text=True)
    try:
        assert third.stdout.readline().strip() == "3"
    finally:
        third.send_signal(signal.SIGKILL)
        third.wait(10)


def assert_inflight_cap_across_servers(bases, token):
    """CAPO-RL-3 over HTTP: 6 slow requests of one client at once, 3 to each server: 3 are served
    (slowly), 3 are refused at once with 429."""
    requests.post(bases[0] + "/__admin/reset", timeout=10)  # a full bucket: only the in-flight cap can refuse
    requests.post(bases[0] + "/__admin/faults", json={"kind": "latency", "delay_ms": 1500, "api": "capo"}, timeout=5)
    barrier, results = threading.Barrier(6), []

    def slow(base):
        barrier.wait()
        started = time.monotonic()
        r = requests.get(base + "/api/capo/projecten", headers={"Authorization": f"Bearer {token}"}, timeout=20)
        results.append((r.status_code, time.monotonic() - started))

    threads = [threading.Thread(target=slow, args=(bases[i % 2],)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    refused = [d for status, d in results if status == 429]
    served = [d for status, d in results if status != 429]
    assert len(served) == 3 and len(refused) == 3, results
    assert min(served) >= 1.4 and max(refused) < 1.0, results
    requests.delete(bases[0] + "/__admin/faults", timeout=5)


def test_two_fieldsim_servers_on_one_redis_share_capo_rate_limit_over_http(redis_server):  # noqa: F811
    """CAPO-RL-1/2/3/4/5 over HTTP: two `fieldsim serve --state redis://` processes flooded together
    by one client admit 30 + 20·t in total, the rest get 429 with Retry-After; and they hold at most
    3 requests of the client in flight together."""
    url = redis_server.url()
    servers = [start_fieldsim("--api", "capo", "--state", url) for _ in range(2)]
    try:
        limits = requests.get(servers[0][1] + "/__admin/ratelimits", timeout=5).json()["capo"]
        assert limits and limits["rate"] == 20 and limits["burst"] == 30
        token = requests.get(servers[0][1] + "/__admin/credentials", timeout=5).json()["capo"][0]["token"]
        for _, base in servers:  # start from a full bucket whatever the servers did while starting
            requests.post(base + "/__admin/reset", timeout=10)
        counts = {"admitted": 0, "refused": 0, "bad": 0}
        guard, duration = threading.Lock(), 3.0
        start = time.time() + 0.3

        def flood(base):
            http = requests.Session()
            http.headers["Authorization"] = f"Bearer {token}"
            while time.time() < start:
                time.sleep(0.001)
            while time.time() < start + duration:
                r = http.get(base + "/api/capo/projecten", timeout=10)
                key = "refused" if r.status_code == 429 else "admitted"
                if r.status_code == 429 and not r.headers.get("Retry-After", "").isdigit():
                    key = "bad"
                with guard:
                    counts[key] += 1

        threads = [threading.Thread(target=flood, args=(base,)) for _, base in servers]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert counts["bad"] == 0 and counts["refused"] > 50, counts
        # one request per thread may straddle the window's end: allow 2 + timing slack
        assert 30 + 20 * duration - 3 <= counts["admitted"] <= 30 + 20 * duration + 4, counts
        assert_inflight_cap_across_servers([base for _, base in servers], token)
    finally:
        for proc, _ in servers:
            kill_group(proc, signal.SIGTERM)


@pytest.mark.parametrize("state", ["memory", "redis"])
def test_a_reset_of_one_api_forgets_only_that_apis_buckets(state, redis_server):  # noqa: F811
    """POST /__admin/reset?api=NAME (INTERFACE.md) empties NAME's buckets, not another API's; a full
    reset empties all (memory and redis alike)."""
    from simulators.core.api import RateLimit
    from simulators.core.ratelimit import Limiter
    from simulators.core.store import open_backend
    backend = open_backend(redis_server.url() if state == "redis" else "memory")
    limiter, limit = Limiter(backend), RateLimit(rate=1, burst=2, inflight=10)
    for api in ("capo", "stadsnet"):
        for _ in range(2):
            assert limiter.acquire(api, "c", limit)[0]
    backend.ratelimit_reset("stadsnet")
    assert not limiter.acquire("capo", "c", limit)[0] and limiter.acquire("stadsnet", "c", limit)[0]
    backend.ratelimit_reset()
    assert limiter.acquire("capo", "c", limit)[0]
    backend.close()
