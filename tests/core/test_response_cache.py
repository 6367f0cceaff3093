"""The response cache (simulators/core/response_cache.py) changes nothing a client can see: over HTTP,
a server with it and one without answer every sequence of reads, writes and admin changes alike,
byte for byte, and journal alike. It keeps no answer across organisations (CAPO-AUTH-2), and faults
and rate limits (CAPO-RL-2, CAPO-RL-3) still apply to every request it answers."""
from __future__ import annotations

import threading
import time

import pytest
import requests
from hypothesis import HealthCheck, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule, run_state_machine_as_test

from simulators.core.response_cache import ResponseCache
from simulators.testing import fieldsim_server

TOKENS = ("capo-netbeheerder-demo", "capo-aannemer-demo", "capo-aannemer2-demo")
NB = {"Authorization": "Bearer capo-netbeheerder-demo", "x-email": "planner@example.nl"}
# a project of the netbeheerder and the first aannemer; the second aannemer does not take part
PROJECT, OTHERS = 3000101, (3000104, 999999)
# what the writes below change, and reads the cache never keeps (expiring links, a 400)
READS = ("/project", "/project/{id}", "/project/{id}/log", "/project/{id}/mic", "/hoofdleiding?changedFrom=2000-01-01",
         "/project/{id}/bijlage", "/project/abc")
UNSHOWN = ("Date", "Server")


@pytest.fixture(scope="module")
def pair():
    """Two servers on the same seed: with the response cache (the default) and without."""
    opts = dict(apis=["capo"], api_options={"capo": {"rate_limit": False}})
    with fieldsim_server(**opts) as cached, fieldsim_server(response_cache=False, **opts) as plain:
        assert isinstance(cached.app.wsgi_app, ResponseCache)
        assert not isinstance(plain.app.wsgi_app, ResponseCache)
        yield cached, plain


def seen(resp: requests.Response) -> tuple:
    return resp.status_code, {k: v for k, v in resp.headers.items() if k not in UNSHOWN}, resp.content


def journal(server) -> list[dict]:
    rows = server.admin("GET", "requests?api=capo").json()
    return [{k: v for k, v in row.items() if k not in ("time", "durationMs")} for row in rows]


class SameAnswers(RuleBasedStateMachine):
    servers: tuple = ()

    @initialize()
    def fresh(self):
        for server in self.servers:
            server.reset()
            server.set_clock("2026-03-02T10:00:00+01:00")  # both stamp their writes alike

    def both(self, method, path, **kwargs):
        answers = [s.http.request(method, s.url("capo") + path, timeout=30, **kwargs) for s in self.servers]
        assert seen(answers[0]) == seen(answers[1]), (method, path)

    def admin_both(self, method, path, **kwargs):
        answers = [s.admin(method, path, **kwargs) for s in self.servers]
        assert [a.status_code for a in answers] == [answers[0].status_code] * 2

    @rule(pid=st.sampled_from((PROJECT, *OTHERS)), token=st.sampled_from(TOKENS))
    def read(self, pid, token):
        for path in READS:
            for _ in range(2):  # the second is answered from the cache, where kept
                self.both("GET", path.format(id=pid), headers={"Authorization": f"Bearer {token}"})

    @rule(pid=st.sampled_from((PROJECT, *OTHERS)), text=st.sampled_from(("eerste", "tweede", None)))
    def patch_project(self, pid, text):
        self.both("PATCH", f"/project/{pid}", json={"omschrijving": text}, headers=NB)

    @rule(pid=st.sampled_from((PROJECT, *OTHERS)))
    def add_mic(self, pid):
        self.both("POST", f"/project/{pid}/mic", json={"meeInCombi": False}, headers=NB)

    @rule(status=st.sampled_from((500, 503)), path=st.sampled_from(("/api/capo/project", "/api/capo/contractgebied")))
    def fault_once(self, status, path):
        self.admin_both("POST", "faults", json={"id": "once", "api": "capo", "kind": "http_status",
                                                "status": status, "path": path, "times": 1})

    @rule()
    def clear_faults(self):
        self.admin_both("DELETE", "faults")

    @rule()
    def reset(self):
        self.admin_both("POST", "reset?api=capo")

    @rule()
    def journals_agree(self):
        assert journal(self.servers[0]) == journal(self.servers[1])


def test_with_and_without_the_cache_every_answer_and_journal_entry_is_the_same(pair):
    SameAnswers.servers = pair
    run_state_machine_as_test(SameAnswers, settings=settings(
        max_examples=25, stateful_step_count=10, deadline=None, suppress_health_check=[HealthCheck.too_slow]))
    assert pair[0].app.wsgi_app.entries  # and it did answer from the cache


def get(server, path, token=TOKENS[0]):
    return server.http.get(server.url("capo") + path, headers={"Authorization": f"Bearer {token}"}, timeout=30)


def test_a_write_is_seen_by_the_next_read(fieldsim):
    """CAPO-HL-3: PATCH stamps `changed`; the kept answer of before is not given again."""
    before = [get(fieldsim, f"/project/{PROJECT}").json() for _ in range(2)]
    assert before[0] == before[1]
    fieldsim.http.patch(fieldsim.url("capo") + f"/project/{PROJECT}", json={"omschrijving": "daarna"},
                        headers=NB, timeout=30).raise_for_status()
    after = get(fieldsim, f"/project/{PROJECT}").json()
    assert after["omschrijving"] == "daarna" and after["changed"] >= before[0]["changed"]


def test_a_kept_answer_is_never_given_to_another_organisation_CAPO_AUTH_2(fieldsim):
    """The second aannemer takes no part in the project: 404, however often the others read it."""
    for _ in range(3):
        assert get(fieldsim, f"/project/{PROJECT}").status_code == 200
        assert get(fieldsim, f"/project/{PROJECT}", TOKENS[1]).status_code == 200
        assert get(fieldsim, f"/project/{PROJECT}", TOKENS[2]).status_code == 404
        assert get(fieldsim, f"/project/{PROJECT}", "not-a-token").status_code == 401


def test_only_200_answers_of_views_marked_cacheable_are_kept(fieldsim):
    cache = fieldsim.app.wsgi_app
    cache.entries.clear()
    get(fieldsim, "/project/999999"), get(fieldsim, f"/project/{PROJECT}", "nope")
    get(fieldsim, f"/project/{PROJECT}/bijlage")  # its download URLs expire: never kept
    assert cache.entries == {}
    get(fieldsim, f"/project/{PROJECT}")
    assert [k[4] for k in cache.entries] == [f"/api/capo/project/{PROJECT}"]


def test_faults_still_apply_and_count_down_on_a_kept_answer(fieldsim):
    first = get(fieldsim, f"/project/{PROJECT}")
    fieldsim.admin("POST", "faults", json={"api": "capo", "kind": "http_status", "status": 503,
                                           "path": "/api/capo/project", "times": 2})
    assert [get(fieldsim, f"/project/{PROJECT}").status_code for _ in range(3)] == [503, 503, 200]
    assert get(fieldsim, f"/project/{PROJECT}").content == first.content


def test_a_flood_on_a_kept_answer_is_admitted_as_the_bucket_allows_CAPO_RL_2(fieldsim):
    """30 at once, then 429 with Retry-After; the journal has every one of them."""
    fieldsim.set_clock("2026-03-02T10:00:00+01:00")
    fieldsim.admin("DELETE", "requests")
    started = time.monotonic()
    got = [get(fieldsim, f"/project/{PROJECT}") for _ in range(40)]
    elapsed = time.monotonic() - started
    assert [r.status_code for r in got[:30]] == [200] * 30
    refused = [r for r in got if r.status_code != 200]
    assert refused and all(r.status_code == 429 and r.headers["Retry-After"] for r in refused)
    assert 40 - len(refused) <= 31 + 20 * elapsed  # the bucket refills 20/s in real time meanwhile
    assert len(fieldsim.admin("GET", "requests?api=capo").json()) == 40


def test_a_write_while_a_kept_answer_waits_in_the_limiter_is_answered_afresh_and_frees_its_slot_CAPO_RL_3(fieldsim):
    """With CAPO's processing time on, a GET admitted from the cache waits holding its in-flight slot;
    a state change meanwhile (an admin import here) means the view answers it, from the new state.
    Its journal entry is the request's, as without the cache: the simulated instant it arrived at
    (the clock is moved meanwhile too) and a duration that includes the processing time."""
    fieldsim.set_clock("2026-03-02T10:00:00+01:00")
    fieldsim.admin("POST", "capo/latency", json={"delay_ms": 600})  # a write: before the answer is kept
    assert get(fieldsim, f"/project/{PROJECT}").json()["omschrijving"] != "intussen"
    state = fieldsim.admin("GET", "state/capo").json()
    state["collections"]["project"][str(PROJECT)]["omschrijving"] = "intussen"
    assert fieldsim.app.wsgi_app.entries  # kept: the next one is admitted by serve_kept
    answer = {}
    reader = threading.Thread(target=lambda: answer.update(r=get(fieldsim, f"/project/{PROJECT}")))
    reader.start()
    time.sleep(0.2)
    assert fieldsim.admin("PUT", "state/capo", json=state).status_code == 200
    fieldsim.advance("PT1H")
    reader.join()
    fieldsim.admin("POST", "capo/latency", json={"delay_ms": 0})
    assert answer["r"].status_code == 200 and answer["r"].json()["omschrijving"] == "intussen"
    clients = fieldsim.admin("GET", "ratelimits").json()["capo"]["clients"]
    assert all(c["inflight"] == 0 for c in clients)
    entries = fieldsim.admin("GET", "requests?api=capo").json()
    assert [e["path"] for e in entries].count(f"/api/capo/project/{PROJECT}") == 2  # journalled once each
    last = entries[-1]
    assert last["time"].startswith("2026-03-02T10:00:00") and last["durationMs"] >= 550, last


def test_no_cache_where_the_backend_cannot_count_writes_or_config_says_no(tmp_path):
    with fieldsim_server(apis=["capo"], state=f"sqlite:///{tmp_path}/s.db") as sqlite:
        assert not isinstance(sqlite.app.wsgi_app, ResponseCache)
    with fieldsim_server(apis=["capo"], response_cache=False) as off:
        assert not isinstance(off.app.wsgi_app, ResponseCache)
