"""Round trips to redis per request (issue 8, scale-out): with `--state redis://` every read is a
network round trip, so a request reads the meta documents (faults, clock, API switches) once, the
rate limiter's two steps go in one script, and documents read together are read together
(State.get_many). Counted on the wire: each packet redis-py sends is one round trip."""
from __future__ import annotations

import pytest
from redis.connection import AbstractConnection

from redis_server import redis_server  # noqa: F401  (fixture)

pytestmark = pytest.mark.redis

AUTH = {"Authorization": "Bearer capo-netbeheerder-demo"}


@pytest.fixture
def sent(monkeypatch):
    """The commands sent to redis, one entry per round trip."""
    log: list = []
    original = AbstractConnection.send_packed_command

    def spy(self, command, check_health=True):
        log.append(command)
        return original(self, command, check_health)
    monkeypatch.setattr(AbstractConnection, "send_packed_command", spy)
    return log


def test_capo_get_project_costs_eight_round_trips_with_the_rate_limit_on(redis_server, sent):  # noqa: F811
    """CAPO GET /project/{id} on redis: meta once, limiter once (CAPO-RL-1..3 in one script), token,
    org, project, its deelnemers together, journal, in-flight release: 8 (12 before)."""
    from simulators.app import create_app
    from simulators.core.config import Config
    client = create_app(Config(apis=("capo",), state=redis_server.url())).test_client()
    project = client.get("/api/capo/project", headers=AUTH).get_json()[0]["projectId"]
    sent.clear()
    r = client.get(f"/api/capo/project/{project}", headers=AUTH)
    assert r.status_code == 200 and r.get_json()["projectId"] == project
    assert len(r.get_json()["deelnemers"]) >= 2  # more than one document read in one go
    assert len(sent) == 8, [bytes(c[0] if isinstance(c, list) else c)[:60] for c in sent]


@pytest.mark.parametrize("backend", ["redis", "sqlite"])
def test_a_fault_or_clock_set_between_requests_applies_to_the_next_one(backend, redis_server, tmp_path):  # noqa: F811
    """The meta snapshot lives for one request only: a fault rule or a clock set after a request (here
    through a second app's admin API on the same shared state) applies to the very next request."""
    from simulators.app import create_app
    from simulators.core.config import Config
    url = redis_server.url() if backend == "redis" else f"sqlite:///{tmp_path / 'state.db'}"
    api, admin = (create_app(Config(apis=("capo",), state=url)).test_client() for _ in range(2))
    assert api.get("/api/capo/project", headers=AUTH).status_code == 200
    assert admin.post("/__admin/faults", json={"api": "capo", "kind": "http_status", "status": 503,
                                               "times": 1}).status_code in (200, 201)
    assert api.get("/api/capo/project", headers=AUTH).status_code == 503
    assert api.get("/api/capo/project", headers=AUTH).status_code == 200
    assert admin.post("/__admin/clock", json={"now": "2031-05-06T07:08:09+02:00"}).status_code == 200
    assert api.get("/__admin/clock").get_json()["now"].startswith("2031-05-06T07:08:09")
    journal = api.get("/__admin/requests", query_string={"api": "capo"}).get_json()
    api.get("/api/capo/project", headers=AUTH)
    latest = api.get("/__admin/requests", query_string={"api": "capo"}).get_json()[len(journal):]
    assert latest and latest[-1]["time"].startswith("2031-05-06T07:08"), latest[-1:]
