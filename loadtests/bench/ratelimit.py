"""Rate-limit accuracy of CAPO's per-client limiter (CAPO-RL-*: rate 20/s, burst 30, 3 in flight),
measured over HTTP on a `fieldsim serve --scale medium` with the default limits on:

- flood: one client, 3 connections, as fast as possible for 10 s: admitted must be 30 + 20·10 (±1);
- many clients: capo-client-001..100 (seeded at medium/large), each paced to just under 20/s:
  every request answered 200 (no 429), i.e. the server keeps up with 100 × ~20 req/s.
"""
from __future__ import annotations

import requests

from loadtests.bench import wrk
from loadtests.bench.cases import Case
from loadtests.bench.procs import Fieldsim

FLOOD_SECONDS = 10
RATE, BURST = 20, 30
PATH = "/api/capo/contractgebied"  # small answer; the limit covers every CAPO endpoint (CAPO-RL-4)


def _case(token: str) -> Case:
    return Case("capo-rl", "capo", "CAPO rate limit", "GET", PATH, {"Authorization": f"Bearer {token}"})


def rate_limit_accuracy(workdir, say) -> dict:
    out: dict = {}
    with Fieldsim("--scale", "medium", log=workdir / "fieldsim-rl.log") as fs:
        tokens = [f"capo-client-{n:03d}" for n in range(1, 101)]
        probe = requests.get(fs.base + PATH, headers={"Authorization": "Bearer capo-client-100"}, timeout=30)
        if probe.status_code != 200:
            return {"error": f"not measured: CAPO client tokens not served (GET {PATH} as capo-client-100 "
                             f"answered {probe.status_code})"}
        requests.post(fs.base + "/__admin/reset", timeout=60)  # fresh buckets
        r = wrk.run(fs.base, _case(tokens[0]), seconds=FLOOD_SECONDS, connections=3, count=True)
        expected = BURST + RATE * FLOOD_SECONDS
        out["flood"] = {"seconds": round(r.seconds, 3), "sent": r.requests, "admitted": r.ok, "refused": r.other,
                        "expected": expected, "pass": abs(r.ok - expected) <= 1,
                        "expected_for_measured_duration": round(BURST + RATE * r.seconds, 1)}
        say(f"  flood: {out['flood']}")
        requests.post(fs.base + "/__admin/reset", timeout=60)
        delay_ms = 1000 // RATE  # each connection waits 50 ms between requests: just under 20/s per client
        r = wrk.run(fs.base, _case(tokens[0]), seconds=FLOOD_SECONDS, connections=100, count=True,
                    delay_ms=delay_ms, tokens=tokens)
        out["many"] = {"clients": 100, "seconds": round(r.seconds, 3), "requests": r.requests, "ok": r.ok,
                       "not_ok": r.other, "socket_errors": r.socket_errors,
                       "rps": round(r.rps), "per_client_rps": round(r.rps / 100, 2), "p99_ms": r.p99_ms,
                       "pass": r.other == 0 and r.socket_errors == 0 and r.requests > 0}
        say(f"  many clients: {out['many']}")
    return out
