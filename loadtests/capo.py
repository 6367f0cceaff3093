"""Locust profiles for the CAPO API, modelled on a real integration: poll projects and main-line
changes, walk the bijlageAssigned of each project, and upload a file now and then. The profile is
chosen with FIELDSIM_PROFILE (default within-limits); each profile is one User class.

    fieldsim serve --api capo &
    FIELDSIM_PROFILE=within-limits locust -f loadtests/capo.py --headless -u 3 -r 3 -t 30s --host http://127.0.0.1:8080
    FIELDSIM_PROFILE=burst         locust -f loadtests/capo.py --headless -u 1 -r 1 -t 10s --host http://127.0.0.1:8080
    FIELDSIM_PROFILE=inflight      locust -f loadtests/capo.py --headless -u 6 -r 6 -t 10s --host http://127.0.0.1:8080
    FIELDSIM_PROFILE=many-clients  locust -f loadtests/capo.py --headless -u 100 -r 20 -t 60s --host http://127.0.0.1:8080

Profiles (PROFILES below, for `make load PROFILE=capo-<name>`):
- within-limits: one user per demo token, each paced at 12 requests/s (< 20/s, never > 3 in flight):
  expect zero 429s (CAPO-RL-1..3). Exit code 1 if any 429.
- burst: one token firing back-to-back requests; every 10 s the bucket refills: expect 429s after
  the first 30 of each burst (CAPO-RL-2). Exit code 1 if there were none.
- inflight: sets a 500 ms processing delay (POST /__admin/capo/latency) and runs 6 users on one
  token without pauses: at most 3 are admitted at once, the rest get 429 (CAPO-RL-3).
- many-clients: loads 100 client organisations with tokens capo-client-001..100 (scenario, if the
  seed did not already provide them: scale medium/large does) and runs one user per token at
  19 requests/s: per-client limits are independent (CAPO-RL-4); expect < 1% 429s.
429s are reported as their own request names ("... [429]") so the report shows how many there were.
"""
from __future__ import annotations

import itertools
import os
import threading

import requests
from locust import HttpUser, constant, constant_throughput, events, task

BASE = "/api/capo"
PROFILE = os.environ.get("FIELDSIM_PROFILE", "within-limits").removeprefix("capo-")
DEMO_TOKENS = ["capo-netbeheerder-demo", "capo-aannemer-demo", "capo-aannemer2-demo"]
CLIENT_TOKENS = [f"capo-client-{n:03d}" for n in range(1, 101)]
PROFILES = {
    "capo-within-limits": {"env": {"FIELDSIM_PROFILE": "within-limits"}, "users": 3, "spawn_rate": 3, "run_time": "30s"},
    "capo-burst": {"env": {"FIELDSIM_PROFILE": "burst"}, "users": 1, "spawn_rate": 1, "run_time": "15s"},
    "capo-inflight": {"env": {"FIELDSIM_PROFILE": "inflight"}, "users": 6, "spawn_rate": 6, "run_time": "15s"},
    "capo-many-clients": {"env": {"FIELDSIM_PROFILE": "many-clients"}, "users": 100, "spawn_rate": 20, "run_time": "60s"},
}
_counts = {"requests": 0, "429": 0}
_lock = threading.Lock()
_tokens = itertools.count()


def _token_slot(environment) -> int:
    """This user's place among all users: with N workers (run.py says how many), worker i numbers
    its users i, i+N, i+2N, ..., so two workers never hand one token to two paced users."""
    workers = int(os.environ.get("FIELDSIM_LOCUST_WORKERS", "0") or 0)
    index = getattr(environment.runner, "worker_index", 0) if workers > 0 else 0
    return next(_tokens) * max(workers, 1) + index


@events.request.add_listener
def _count(response=None, **_):
    with _lock:
        _counts["requests"] += 1
        if response is not None and getattr(response, "status_code", 0) == 429:
            _counts["429"] += 1


@events.test_start.add_listener
def _prepare(environment, **_):
    """Admin setup on fieldsim (ignored elsewhere): fresh buckets, the profile's latency, clients."""
    host = (environment.host or "").rstrip("/")
    try:
        requests.post(f"{host}/__admin/capo/latency", json={"delay_ms": 500 if PROFILE == "inflight" else 0}, timeout=5)
        if PROFILE == "many-clients":
            probe = requests.get(f"{host}{BASE}/project", headers={"Authorization": f"Bearer {CLIENT_TOKENS[0]}"}, timeout=5)
            if probe.status_code == 401:
                requests.post(f"{host}/__admin/scenario", json={"capo": many_clients_scenario()}, timeout=30)
    except requests.RequestException:
        pass


@events.test_stop.add_listener
def _verdict(environment, **_):
    total, limited = _counts["requests"], _counts["429"]
    ok = {"within-limits": limited == 0, "burst": limited > 0, "inflight": limited > 0,
          "many-clients": total > 0 and limited / total < 0.01}.get(PROFILE, True)
    print(f"capo profile {PROFILE}: {total} requests, {limited} answered 429 -> {'as expected' if ok else 'UNEXPECTED'}")
    if not ok:
        environment.process_exit_code = 1
    try:
        requests.post(f"{(environment.host or '').rstrip('/')}/__admin/capo/latency", json={"delay_ms": 0}, timeout=5)
    except requests.RequestException:
        pass


def many_clients_scenario() -> dict:
    """100 aannemers with their own token and one project each (CAPO scenario format)."""
    orgs = [{"organisatieId": 100 + n, "naam": f"Loadtest Aannemer {n:03d}", "rol": "aannemer", "token": t}
            for n, t in enumerate(CLIENT_TOKENS, start=1)]
    projects = [{"projectId": 3900000 + n, "contractgebiedId": 19, "projectType": "Aansluiting",
                 "deelnemers": [1, 100 + n], "bijlageAssigned": [{"naam": "Revisietekening", "assignedTo": 100 + n}]}
                for n in range(1, 101)]
    return {"organisaties": orgs, "contractgebieden": [{"contractgebiedId": 19, "naam": "Combi Loadtest",
                                                       "wachttijd": 91, "deelnemers": [1] + [100 + n for n in range(1, 101)]}],
            "projects": projects}


class CapoIntegration(HttpUser):
    """A partner's integration: poll, walk bijlageAssigned, sometimes upload and deliver."""

    abstract = True
    tokens = DEMO_TOKENS

    def on_start(self):
        self.token = self.tokens[_token_slot(self.environment) % len(self.tokens)]
        self.client.headers["Authorization"] = f"Bearer {self.token}"
        self.projects: list[int] = []

    def call(self, method: str, url: str, name: str, ok=(200,), **kw):
        """One request, settled once: a 429 is what the burst and in-flight profiles provoke (counted
        apart as "[429]"), a failure within the limits; any other status outside `ok` fails."""
        with self.client.request(method, url, name=name, catch_response=True, **kw) as r:
            if r.status_code == 429:
                r.request_meta["name"] = name + " [429]"
                if PROFILE == "within-limits":
                    r.failure("429 although every user keeps within the limits")
                else:
                    r.success()
            elif r.status_code not in ok:
                r.failure(f"{r.status_code}: {r.text[:200]}")
            return r

    def get(self, path: str, name: str):
        return self.call("GET", BASE + path, name)

    @task(4)
    def poll_projects(self):
        r = self.get("/project", "GET /project")
        if r.status_code == 200:
            self.projects = [p["projectId"] for p in r.json()][:10]

    @task(2)
    def poll_hoofdleiding(self):
        self.get("/hoofdleiding?changedFrom=2025-12-01", "GET /hoofdleiding")

    @task(4)
    def walk_bijlage_assigned(self):
        for pid in self.projects[:3]:
            self.get(f"/project/{pid}/bijlageassigned", "GET /project/{id}/bijlageassigned")

    @task(1)
    def upload(self):
        """Create a bijlage under an open bijlageAssigned of ours, PUT bytes, mark uploaded."""
        r = self.get("/bijlageassigned?status=assigned", "GET /bijlageassigned")
        if r.status_code != 200 or not r.json():
            return
        ba = r.json()[0]
        p, b = ba["projectId"], ba["bijlageAssignedId"]
        # 409: another user of the same organisation got to this bijlageAssigned first
        c = self.call("POST", f"{BASE}/project/{p}/bijlageassigned/{b}/bijlage", "POST bijlage", ok=(201, 409),
                      json={"bestandsnaam": "load.pdf"})
        if c.status_code != 201:
            return
        created = c.json()
        self.call("PUT", created["url"], "PUT upload URL", ok=(200, 409), data=b"%PDF load test",
                  headers={"Authorization": None})  # presigned: no token
        self.call("PATCH", f"{BASE}/project/{p}/bijlage/{created['bijlageId']}", "PATCH bijlage uploaded",
                  ok=(200, 409), json={"status": "uploaded"})


class WithinLimits(CapoIntegration):
    abstract = PROFILE != "within-limits"
    wait_time = constant_throughput(12)


class Burst(CapoIntegration):
    abstract = PROFILE != "burst"
    wait_time = constant(0)

    @task
    def burst(self):
        """40 back-to-back requests, then a pause long enough to refill the bucket."""
        for _ in range(40):
            self.get("/contractgebied", "GET /contractgebied (burst)")
        self._sleep(2.0)

    def _sleep(self, seconds: float):
        import gevent
        gevent.sleep(seconds)

    tasks = [burst]  # only the burst task


class Inflight(CapoIntegration):
    abstract = PROFILE != "inflight"
    tokens = DEMO_TOKENS[:1]
    wait_time = constant(0)
    tasks = [CapoIntegration.poll_projects]


class ManyClients(CapoIntegration):
    abstract = PROFILE != "many-clients"
    tokens = CLIENT_TOKENS
    wait_time = constant_throughput(19)
    tasks = {CapoIntegration.poll_projects: 4, CapoIntegration.walk_bijlage_assigned: 2}

