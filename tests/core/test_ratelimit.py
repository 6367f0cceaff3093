"""The core limiter: exact token bucket (burst, average) and in-flight cap (CAPO-RL-1..3 mechanics;
the CAPO tests prove the same over HTTP). Time is injected so the counts are exact."""
from __future__ import annotations

import threading

from simulators.core.api import RateLimit
from simulators.core.ratelimit import Limiter
from simulators.core.store import MemoryBackend


class FakeTime:
    def __init__(self):
        self.t = 1_000_000.0

    def __call__(self):
        return self.t


def admitted(limiter, n, client="c", limit=RateLimit(20, 30, 10**6)):
    got = 0
    for _ in range(n):
        ok, _, _ = limiter.acquire("capo", client, limit)
        if ok:
            limiter.release("capo", client)
            got += 1
    return got


def test_burst_of_30_then_refused_with_retry_after():
    """CAPO-RL-2: a bucket of 30 admits 30 at once; the 31st waits."""
    limiter = Limiter(MemoryBackend(), now=FakeTime())
    assert admitted(limiter, 100) == 30
    ok, retry_after, reason = limiter.acquire("capo", "c", RateLimit(20, 30, 3))
    assert not ok and retry_after == 1 and "20" in reason


def test_flood_is_admitted_30_plus_20_per_second_exactly():
    """CAPO-RL-1/2: over t seconds a flood is admitted 30 + 20·t times."""
    clock = FakeTime()
    limiter = Limiter(MemoryBackend(), now=clock)
    total = 0
    for _ in range(1000):  # 10 s in steps of 10 ms, a flood of 5 requests per step
        total += admitted(limiter, 5)
        clock.t += 0.01
    assert abs(total - (30 + 20 * 10)) <= 1


def test_clients_are_limited_independently():
    """CAPO-RL-4 mechanics: the key is the client; another client has its own bucket."""
    limiter = Limiter(MemoryBackend(), now=FakeTime())
    assert admitted(limiter, 40, client="a") == 30
    assert admitted(limiter, 40, client="b") == 30


def test_inflight_cap_under_concurrency():
    """CAPO-RL-3 mechanics: at most 3 held at once, whatever the threads do."""
    limiter = Limiter(MemoryBackend(), now=FakeTime())
    limit = RateLimit(10**6, 10**6, 3)
    held, refused = [], []
    barrier = threading.Barrier(10)

    def worker():
        barrier.wait()
        ok, retry_after, _ = limiter.acquire("capo", "c", limit)
        (held if ok else refused).append(retry_after)

    threads = [threading.Thread(target=worker) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(held) == 3 and len(refused) == 7 and set(refused) == {1}
    limiter.release("capo", "c")
    assert limiter.acquire("capo", "c", limit)[0]


def test_refused_request_does_not_spend_a_token():
    """A request refused for in-flight leaves the bucket as it was."""
    limiter = Limiter(MemoryBackend(), now=FakeTime())
    limit = RateLimit(20, 30, 1)
    assert limiter.acquire("capo", "c", limit)[0]
    for _ in range(50):
        assert not limiter.acquire("capo", "c", limit)[0]
    limiter.release("capo", "c")
    assert admitted(limiter, 100) == 29
