"""Per-client rate limiting: a token bucket (rate, burst) plus a cap on requests in flight.

Counters live in the state backend, so on redis several processes enforce one limit. The bucket
runs on real (wall-clock) time, not the simulated clock: limits protect real throughput, and a
frozen simulated clock must not stop refilling.
"""
from __future__ import annotations

import math
import time

from simulators.core.api import RateLimit


class Limiter:
    def __init__(self, backend, now=time.time):
        self.backend = backend
        self.now = now

    def acquire(self, api: str, client: str, limit: RateLimit) -> tuple[bool, int, str]:
        """Admit one request: (admitted, retry_after_seconds, reason). An admitted request holds an
        in-flight slot until release()."""
        wait = self.backend.rate_admit(f"{api}:{client}", limit.inflight, limit.rate, limit.burst, self.now())
        if wait is None:
            return False, 1, f"more than {limit.inflight} requests in flight"
        if wait > 0:
            return False, max(1, math.ceil(wait)), f"more than {limit.rate:g} requests/s (burst {limit.burst})"
        return True, 0, ""

    def release(self, api: str, client: str) -> None:
        self.backend.inflight_release(f"{api}:{client}")

    def usage(self, limits: dict) -> dict:
        """Per rate-limited API, each client's bucket now (refilled as the next request would see
        it) and its requests in flight: the dashboard's meters."""
        now, out = self.now(), {api: [] for api, limit in limits.items() if limit}
        for key, (tokens, stamp, inflight) in sorted(self.backend.ratelimit_usage().items()):
            api, _, client = key.partition(":")
            limit = limits.get(api)
            if limit is None:
                continue
            level = limit.burst if tokens is None else min(limit.burst, tokens + max(0.0, now - stamp) * limit.rate)
            out[api].append({"client": client, "tokens": round(level, 2), "burst": limit.burst,
                             "inflight": inflight, "inflightCap": limit.inflight})
        return out
