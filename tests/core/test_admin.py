"""The admin API exactly as INTERFACE.md fixes it, over HTTP, including bad input (400 naming the problem)."""
from __future__ import annotations

import json
import time

import pytest
import requests

from simulators import API_NAMES
from simulators.testing import fieldsim_server


def admin(sim, method, path, **kw):
    return requests.request(method, f"{sim.base_url}/__admin/{path}", timeout=10, **kw)


def test_health_lists_all_apis_and_version(fieldsim):
    r = admin(fieldsim, "GET", "health")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok"
    assert body["apis"] == list(API_NAMES)
    assert body["version"]


def test_credentials_are_the_demo_credentials_of_every_api(fieldsim):
    body = admin(fieldsim, "GET", "credentials").json()
    assert set(body) == set(API_NAMES)


# ---- clock ------------------------------------------------------------------------------------
def test_clock_set_freezes_and_advance_moves(fieldsim):
    r = admin(fieldsim, "POST", "clock", json={"now": "2026-01-05T09:00:00+01:00"})
    assert r.status_code == 200 and r.json()["frozen"] is True
    time.sleep(0.05)
    assert admin(fieldsim, "GET", "clock").json()["now"].startswith("2026-01-05T09:00:00")
    r = admin(fieldsim, "POST", "clock", json={"advance": "PT2H"})
    assert r.json()["now"].startswith("2026-01-05T11:00:00")
    r = admin(fieldsim, "POST", "clock", json={"advance": "P1DT30M"})
    assert r.json()["now"].startswith("2026-01-06T11:30:00")


def test_clock_unfrozen_runs_from_the_set_instant(fieldsim):
    admin(fieldsim, "POST", "clock", json={"now": "2026-01-05T09:00:00+01:00", "frozen": False})
    time.sleep(0.3)
    now = admin(fieldsim, "GET", "clock").json()
    assert now["frozen"] is False
    assert "2026-01-05T09:00:00.2" <= now["now"] < "2026-01-05T09:00:05"


def test_clock_frozen_false_returns_to_the_real_clock(fieldsim):
    """INTERFACE.md: {"frozen": false} lets it run from the real clock again (not from the set
    instant: that is {"now": ..., "frozen": false}); {"frozen": true} stops it where it is."""
    from datetime import datetime, timezone
    admin(fieldsim, "POST", "clock", json={"now": "2030-01-01T00:00:00Z"})
    got = admin(fieldsim, "POST", "clock", json={"frozen": False}).json()
    assert got["frozen"] is False
    assert abs((datetime.fromisoformat(got["now"]) - datetime.now(timezone.utc)).total_seconds()) < 5
    stopped = admin(fieldsim, "POST", "clock", json={"frozen": True}).json()
    time.sleep(0.05)
    assert stopped["frozen"] is True and admin(fieldsim, "GET", "clock").json()["now"] == stopped["now"]


@pytest.mark.parametrize("body,word", [
    ({"now": "yesterday"}, "now"),
    ({"advance": "2 hours"}, "advance"),
    ({"frozen": "yes"}, "frozen"),
    ({"speed": 2}, "speed"),
    ({}, "now"),
])
def test_clock_bad_input_is_400_naming_the_problem(fieldsim, body, word):
    before = admin(fieldsim, "GET", "clock").json()
    r = admin(fieldsim, "POST", "clock", json=body)
    assert r.status_code == 400
    assert word in r.json()["message"]
    after = admin(fieldsim, "GET", "clock").json()
    assert after["frozen"] == before["frozen"]


@pytest.mark.parametrize("body", [
    {"now": "0001-01-01T00:00:00"}, {"now": "9999-12-31T20:00:00+01:00"}, {"advance": "P3000000D"},
    {"now": "2026-01-05T09:00:00+01:00", "advance": "-P1000000D"}, {"advance": "P99999999999D"}, {"advance": 1e300},
])
def test_clock_out_of_range_is_400_and_every_api_keeps_answering(fieldsim, body):
    """A clock the APIs cannot compute with (year 1, year 9999: token expiry overflows) is refused
    with a 400 that says so and changes nothing; it used to be a 500 that stuck and broke every API."""
    fieldsim.set_clock("2026-05-04T10:00:00+02:00")
    r = admin(fieldsim, "POST", "clock", json=body)
    assert r.status_code == 400 and ("1900" in r.json()["message"] or "advance" in r.json()["message"]), r.text
    assert admin(fieldsim, "GET", "clock").json()["now"].startswith("2026-05-04T10:00:00")
    r = admin(fieldsim, "POST", "scenario", json={"clock": body})
    assert r.status_code == 400
    login = requests.post(fieldsim.url("capitech") + "/Access/login", json={"username": "demo", "password": "demo"},
                          timeout=10)
    assert login.status_code == 200 and login.json()["success"] is True
    assert requests.get(fieldsim.url("capo") + "/project", timeout=10,
                        headers={"Authorization": "Bearer capo-netbeheerder-demo"}).status_code == 200


def test_clock_body_not_json_is_400(fieldsim):
    r = admin(fieldsim, "POST", "clock", data="{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and "JSON" in r.json()["message"]


# ---- faults -----------------------------------------------------------------------------------
def test_fault_http_status_times_once(fieldsim):
    r = admin(fieldsim, "POST", "faults", json={"api": "capo", "path": "/api/capo/", "kind": "http_status",
                                                "status": 503, "times": 1})
    assert r.status_code == 201
    rule = r.json()
    assert rule["id"] and rule["times"] == 1
    assert [f["id"] for f in admin(fieldsim, "GET", "faults").json()] == [rule["id"]]
    first = requests.get(fieldsim.url("capo") + "/project", timeout=5)
    assert first.status_code == 503
    second = requests.get(fieldsim.url("capo") + "/project", timeout=5)
    assert second.status_code != 503
    assert admin(fieldsim, "GET", "faults").json() == []


def test_fault_matches_api_method_and_path_prefix(fieldsim):
    admin(fieldsim, "POST", "faults", json={"api": "werkbon", "method": "POST", "path": "/openapi/8/employees",
                                            "kind": "http_status", "status": 502})
    assert requests.get(fieldsim.base_url + "/openapi/8/employees/", timeout=5).status_code != 502
    assert requests.post(fieldsim.base_url + "/openapi/8/employees/", timeout=5).status_code == 502
    assert requests.post(fieldsim.base_url + "/openapi/8/workorders/", timeout=5).status_code != 502
    assert requests.post(fieldsim.url("capo") + "/project", timeout=5).status_code != 502


def test_fault_probability_zero_never_fires(fieldsim):
    admin(fieldsim, "POST", "faults", json={"kind": "http_status", "status": 500, "probability": 0})
    for _ in range(10):
        assert requests.get(fieldsim.url("capo") + "/project", timeout=5).status_code != 500


def test_fault_latency_delays(fieldsim):
    admin(fieldsim, "POST", "faults", json={"api": "capitech", "kind": "latency", "delay_ms": 400, "times": 1})
    started = time.perf_counter()
    requests.post(fieldsim.url("capitech") + "/Access/login", json={}, timeout=5)
    assert time.perf_counter() - started >= 0.4


def test_fault_drop_connection_gives_the_client_a_connection_error(fieldsim):
    admin(fieldsim, "POST", "faults", json={"api": "stadsnet", "kind": "drop_connection", "times": 1})
    with pytest.raises(requests.ConnectionError):
        requests.get(fieldsim.url("stadsnet") + "?method=api_login", timeout=5)


def test_fault_timeout_holds_then_drops(fieldsim):
    admin(fieldsim, "POST", "faults", json={"api": "cloudplan", "kind": "timeout", "delay_ms": 800, "times": 1})
    with pytest.raises((requests.Timeout, requests.ConnectionError)):
        requests.post(fieldsim.url("cloudplan") + "/projects", data=b"<x/>", timeout=0.3)
    time.sleep(0.8)  # let the held request end before the next test's reset


def test_fault_rate_limit_answers_429_with_retry_after(fieldsim):
    admin(fieldsim, "POST", "faults", json={"api": "capo", "kind": "rate_limit", "times": 1})
    r = requests.get(fieldsim.url("capo") + "/project", timeout=5)
    assert r.status_code == 429 and r.headers["Retry-After"] == "1"


def test_fault_delete_one_and_all(fieldsim):
    a = admin(fieldsim, "POST", "faults", json={"kind": "latency", "delay_ms": 1}).json()
    b = admin(fieldsim, "POST", "faults", json={"kind": "latency", "delay_ms": 2}).json()
    assert admin(fieldsim, "DELETE", f"faults/{a['id']}").status_code == 200
    assert [f["id"] for f in admin(fieldsim, "GET", "faults").json()] == [b["id"]]
    assert admin(fieldsim, "DELETE", f"faults/{a['id']}").status_code == 404
    assert admin(fieldsim, "DELETE", "faults").status_code == 200
    assert admin(fieldsim, "GET", "faults").json() == []


@pytest.mark.parametrize("rule,word", [
    ({"kind": "explode"}, "kind"),
    ({}, "kind"),
    ({"kind": "http_status"}, "status"),
    ({"kind": "http_status", "status": 42}, "status"),
    ({"kind": "latency", "delay_ms": -5}, "delay_ms"),
    ({"kind": "latency", "times": 0}, "times"),
    ({"kind": "latency", "probability": 2}, "probability"),
    ({"kind": "latency", "api": "nope"}, "api"),
    ({"kind": "latency", "path": "no-slash"}, "path"),
    ({"kind": "latency", "colour": "red"}, "colour"),
    ({"kind": "latency", "method": 0}, "method"),  # these were stored as "every method"
    ({"kind": "latency", "method": ""}, "method"),
    ({"kind": "latency", "method": {}}, "method"),
    ({"kind": "latency", "method": []}, "method"),
])
def test_fault_bad_input_is_400_and_adds_nothing(fieldsim, rule, word):
    r = admin(fieldsim, "POST", "faults", json=rule)
    assert r.status_code == 400
    assert word in r.json()["message"]
    assert admin(fieldsim, "GET", "faults").json() == []


# ---- journal ----------------------------------------------------------------------------------
def test_journal_records_requests_and_responses_and_filters(fieldsim):
    requests.get(fieldsim.url("capo") + "/project", timeout=5)
    requests.post(fieldsim.url("capitech") + "/Access/login", json={"username": "x"}, timeout=5)
    entries = admin(fieldsim, "GET", "requests").json()
    assert [(e["api"], e["method"]) for e in entries] == [("capo", "GET"), ("capitech", "POST")]
    login = entries[1]
    assert '"username"' in login["requestBody"] and login["status"] and login["responseBody"] is not None
    assert [e["api"] for e in admin(fieldsim, "GET", "requests", params={"api": "capitech"}).json()] == ["capitech"]
    assert [e["method"] for e in admin(fieldsim, "GET", "requests", params={"method": "get"}).json()] == ["GET"]
    assert len(admin(fieldsim, "GET", "requests", params={"path": "/api/capo"}).json()) == 1
    # admin calls are never journalled
    assert all(not e["path"].startswith("/__admin") for e in entries)


def test_journal_since_uses_the_simulated_clock(fieldsim):
    fieldsim.set_clock("2026-03-01T10:00:00+01:00")
    requests.get(fieldsim.url("capo") + "/project", timeout=5)
    fieldsim.advance("PT1H")
    requests.get(fieldsim.url("capo") + "/project/x", timeout=5)
    got = admin(fieldsim, "GET", "requests", params={"since": "2026-03-01T10:30:00+01:00"}).json()
    assert [e["path"] for e in got] == ["/api/capo/project/x"]
    assert admin(fieldsim, "GET", "requests", params={"since": "soon"}).status_code == 400
    # without an offset: the simulator's own zone, as the clock reads it (it used to match nothing)
    for since in ("2026-03-01T10:30:00", "2026-03-01T10:30"):
        got = admin(fieldsim, "GET", "requests", params={"since": since}).json()
        assert [e["path"] for e in got] == ["/api/capo/project/x"], since
    assert len(admin(fieldsim, "GET", "requests", params={"since": "2026-03-01"}).json()) == 2
    admin(fieldsim, "DELETE", "requests", params={"since": "2026-03-01T10:30:00"})
    assert [e["path"] for e in admin(fieldsim, "GET", "requests").json()] == ["/api/capo/project"]


def test_journal_delete_clears(fieldsim):
    requests.get(fieldsim.url("capo") + "/project", timeout=5)
    assert admin(fieldsim, "DELETE", "requests").status_code == 200
    assert admin(fieldsim, "GET", "requests").json() == []


def test_journal_delete_with_filters_forgets_only_the_matching_entries(fieldsim):
    """INTERFACE.md: DELETE /__admin/requests takes GET's filters (?api=&path=&method=&since=):
    only the entries they select go; an unknown api is a 400 that deletes nothing."""
    requests.get(fieldsim.url("capo") + "/project", timeout=5)
    requests.get(fieldsim.url("werkbon") + "/employees/", timeout=5)
    requests.post(fieldsim.url("capo") + "/project", timeout=5)
    assert admin(fieldsim, "DELETE", "requests", params={"api": "nope"}).status_code == 400
    assert len(admin(fieldsim, "GET", "requests").json()) == 3
    assert admin(fieldsim, "DELETE", "requests", params={"api": "werkbon"}).status_code == 200
    assert [(e["api"], e["method"]) for e in admin(fieldsim, "GET", "requests").json()] == [
        ("capo", "GET"), ("capo", "POST")]
    admin(fieldsim, "DELETE", "requests", params={"method": "post"})
    assert [(e["api"], e["method"]) for e in admin(fieldsim, "GET", "requests").json()] == [("capo", "GET")]


def test_reset_of_one_api_forgets_only_its_journal_entries(fieldsim):
    requests.get(fieldsim.url("capo") + "/project", timeout=5)
    requests.get(fieldsim.url("werkbon") + "/employees/", timeout=5)
    admin(fieldsim, "POST", "reset", params={"api": "werkbon"})
    assert [e["api"] for e in admin(fieldsim, "GET", "requests").json()] == ["capo"]


def test_journal_is_bounded():
    with fieldsim_server(apis=["capo"], journal_size=5) as sim:
        for i in range(12):
            requests.get(f"{sim.url('capo')}/project/{i}", timeout=5)
        entries = requests.get(sim.base_url + "/__admin/requests", timeout=5).json()
        assert [e["path"].rsplit("/", 1)[1] for e in entries] == ["7", "8", "9", "10", "11"]


# ---- reset ------------------------------------------------------------------------------------
def test_reset_clears_faults_journal_and_clock(fieldsim):
    admin(fieldsim, "POST", "faults", json={"kind": "latency", "delay_ms": 1})
    admin(fieldsim, "POST", "clock", json={"now": "2001-01-01T00:00:00Z"})
    requests.get(fieldsim.url("capo") + "/project", timeout=5)
    r = admin(fieldsim, "POST", "reset")
    assert r.status_code == 200 and r.json()["reset"] == list(API_NAMES)
    assert admin(fieldsim, "GET", "faults").json() == []
    assert admin(fieldsim, "GET", "requests").json() == []
    assert not admin(fieldsim, "GET", "clock").json()["now"].startswith("2001")


def test_reset_one_api_restores_its_state_and_keeps_other_faults(fieldsim):
    admin(fieldsim, "POST", "faults", json={"api": "capo", "kind": "latency", "delay_ms": 1})
    admin(fieldsim, "POST", "faults", json={"api": "werkbon", "kind": "latency", "delay_ms": 1})
    fieldsim.set_clock("2026-05-04T10:00:00+02:00")  # seeds are relative to the clock: hold it still
    admin(fieldsim, "POST", "reset", params={"api": "werkbon"})
    seeded = admin(fieldsim, "GET", "state/werkbon").json()
    assert admin(fieldsim, "PUT", "state/werkbon", json={"collections": {}, "counters": {}}).status_code == 200
    assert admin(fieldsim, "POST", "reset", params={"api": "werkbon"}).status_code == 200
    assert admin(fieldsim, "GET", "state/werkbon").json() == seeded
    assert [f["api"] for f in admin(fieldsim, "GET", "faults").json()] == ["capo"]
    assert admin(fieldsim, "GET", "clock").json()["frozen"] is True  # a per-API reset keeps the clock


def test_reset_unknown_api_is_refused(fieldsim):
    r = admin(fieldsim, "POST", "reset", params={"api": "nope"})
    assert r.status_code == 400 and "nope" in r.json()["message"]


# ---- state export / import ---------------------------------------------------------------------
def test_state_export_import_round_trip(fieldsim):
    for name in API_NAMES:
        exported = admin(fieldsim, "GET", f"state/{name}")
        assert exported.status_code == 200, name
        assert admin(fieldsim, "PUT", f"state/{name}", json=exported.json()).status_code == 200, name
        assert admin(fieldsim, "GET", f"state/{name}").json() == exported.json(), name


def test_state_unknown_api_and_bad_body(fieldsim):
    assert admin(fieldsim, "GET", "state/nope").status_code == 404
    r = admin(fieldsim, "PUT", "state/capo", data="[1,2", headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    r = admin(fieldsim, "PUT", "state/capo", json=[1, 2])
    assert r.status_code == 400


@pytest.mark.parametrize("body,word", [
    ({"bogus": 1}, "collections"),
    ({"collections": {"projects": [1, 2]}}, "collections.projects"),
    ({"collections": {}, "counters": {"x": "7"}}, "counters"),
    ({"collections": {}, "extra": {}}, "extra"),
])
@pytest.mark.parametrize("name", API_NAMES)
def test_state_import_that_is_not_an_export_is_400_and_replaces_nothing(fieldsim, name, body, word):
    """PUT /__admin/state/<api> takes what GET exports; anything else is a 400 naming the problem,
    and the API keeps its state (it used to answer 200 and wipe it, demo logins included)."""
    before = admin(fieldsim, "GET", f"state/{name}").json()
    r = admin(fieldsim, "PUT", f"state/{name}", json=body)
    assert r.status_code == 400 and word in r.json()["message"], r.text
    assert admin(fieldsim, "GET", f"state/{name}").json() == before


# ---- scenario ---------------------------------------------------------------------------------
def test_scenario_json_sets_clock_and_faults(fieldsim):
    body = {"clock": {"now": "2026-02-02T08:00:00+01:00"},
            "faults": [{"api": "capo", "kind": "http_status", "status": 418, "times": 1}]}
    r = admin(fieldsim, "POST", "scenario", json=body)
    assert r.status_code == 200, r.text
    assert admin(fieldsim, "GET", "clock").json()["now"].startswith("2026-02-02T08:00:00")
    assert requests.get(fieldsim.url("capo") + "/project", timeout=5).status_code == 418


def test_scenario_yaml(fieldsim):
    yaml_body = "clock:\n  now: '2026-02-03T08:00:00+01:00'\nfaults:\n  - kind: latency\n    delay_ms: 1\n"
    r = admin(fieldsim, "POST", "scenario", data=yaml_body, headers={"Content-Type": "application/yaml"})
    assert r.status_code == 200, r.text
    assert admin(fieldsim, "GET", "clock").json()["now"].startswith("2026-02-03T08:00:00")
    assert len(admin(fieldsim, "GET", "faults").json()) == 1


@pytest.mark.parametrize("body,word", [
    ({"weather": {}}, "weather"),
    ({"faults": [{"kind": "latency"}, {"kind": "nope"}]}, "kind"),
    ({"faults": {"kind": "latency"}}, "faults"),
])
def test_scenario_bad_input_is_400_and_applies_nothing(fieldsim, body, word):
    r = admin(fieldsim, "POST", "scenario", json=body)
    assert r.status_code == 400 and word in r.json()["message"]
    assert admin(fieldsim, "GET", "faults").json() == []


@pytest.mark.parametrize("section", [
    {"capo": {"projects": [{"projectId": "x"}]}},
    {"werkbon": {"employees": [{"firstname": "A", "lastname": "B", "number": "901"}], "materials": [{"code": "M"}]}},
    {"cloudplan": {"departments": [{"number": "AFD-90", "name": "Noord"}], "resources": [{"number": 9002}, {}]}},
])
def test_scenario_that_fails_in_an_api_section_changes_nothing_anywhere(fieldsim, section):
    """A scenario is all or nothing: when an API's section is refused, the clock and the faults
    set by the same scenario and the entities added before the bad one are all put back."""
    name = next(iter(section))
    before = {n: admin(fieldsim, "GET", f"state/{n}").json() for n in API_NAMES}
    clock_before = admin(fieldsim, "GET", "clock").json()
    body = {"clock": {"now": "2026-02-01T00:00:00Z"}, "faults": [{"api": "capo", "kind": "latency", "delay_ms": 10}],
            **section}
    r = admin(fieldsim, "POST", "scenario", json=body)
    assert r.status_code == 400 and r.json()["message"].startswith(name), r.text
    assert admin(fieldsim, "GET", "faults").json() == []
    assert admin(fieldsim, "GET", "clock").json()["frozen"] == clock_before["frozen"] is False
    assert {n: admin(fieldsim, "GET", f"state/{n}").json() for n in API_NAMES} == before


def test_scenario_not_a_document(fieldsim):
    r = admin(fieldsim, "POST", "scenario", data="key: [unclosed", headers={"Content-Type": "application/yaml"})
    assert r.status_code == 400
    r = admin(fieldsim, "POST", "scenario", data="")
    assert r.status_code == 400


# ---- admin token, dashboard ---------------------------------------------------------------------
def test_admin_token_protects_every_admin_call():
    with fieldsim_server(apis=["capo"], admin_token="s3cret") as sim:
        for method, path in [("GET", "health"), ("GET", "faults"), ("POST", "reset"), ("GET", "requests"),
                             ("GET", "state/capo"), ("POST", "clock")]:
            r = requests.request(method, f"{sim.base_url}/__admin/{path}", timeout=5)
            assert r.status_code == 401, path
        ok = requests.get(f"{sim.base_url}/__admin/health", headers={"Authorization": "Bearer s3cret"}, timeout=5)
        assert ok.status_code == 200
        wrong = requests.get(f"{sim.base_url}/__admin/health", headers={"Authorization": "Bearer nope"}, timeout=5)
        assert wrong.status_code == 401
        for header, status in (("bearer s3cret", 200), ("BEARER  s3cret", 200), ("Bearer S3CRET", 401),
                               ("Basic s3cret", 401), ("s3cret", 401), ("Bearer s3cret extra", 401)):
            r = requests.get(f"{sim.base_url}/__admin/health", headers={"Authorization": header}, timeout=5)
            assert r.status_code == status, header  # the scheme is case-insensitive (RFC 7235), the token not


def test_dashboard_renders_only_through_text_content(fieldsim):
    r = admin(fieldsim, "GET", "ui/")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html")
    assert "innerHTML" not in r.text and "textContent" in r.text


def test_ratelimits_report_each_clients_bucket_and_requests_in_flight_for_the_dashboards_meters(fieldsim):
    """INTERFACE.md: the dashboard shows rate-limit meters. GET /__admin/ratelimits gives, per
    limited API, every client the limiter knows with its bucket as the next request would find it
    and its requests in flight; the page draws them as <meter>s and shows a chosen API's state."""
    auth = {"Authorization": "Bearer capo-aannemer-demo"}
    for _ in range(6):
        assert requests.get(fieldsim.url("capo") + "/project", headers=auth, timeout=5).status_code == 200
    capo = admin(fieldsim, "GET", "ratelimits").json()["capo"]
    assert (capo["rate"], capo["burst"], capo["inflight"]) == (20, 30, 3)
    mine = [c for c in capo["clients"] if c["client"].endswith("capo-aannemer-demo")]
    assert len(mine) == 1 and 24 <= mine[0]["tokens"] < 30 and mine[0]["inflight"] == 0
    assert (mine[0]["burst"], mine[0]["inflightCap"]) == (30, 3)
    page = admin(fieldsim, "GET", "ui/").text
    assert 'createElement("meter")' in page and '"state/"' in page


def test_dashboard_does_not_echo_hostile_journal_content(fieldsim):
    requests.get(fieldsim.url("capo") + "/<script>alert(1)</script>", timeout=5)
    assert "<script>alert(1)" not in admin(fieldsim, "GET", "ui/").text
    entries = admin(fieldsim, "GET", "requests").json()
    assert json.loads(json.dumps(entries))  # served as JSON data, never as markup


def test_reset_of_one_api_leaves_rules_for_every_api_and_other_apis_buckets(fieldsim):
    """INTERFACE.md `POST /__admin/reset?api=NAME`: that API's data, journal, faults and buckets; a
    fault rule without `api` (for every API) and another API's rate-limit buckets stay."""
    for rule in ({"id": "all", "kind": "latency", "delay_ms": 1}, {"id": "wb", "api": "werkbon", "kind": "latency"},
                 {"id": "capo", "api": "capo", "kind": "latency", "delay_ms": 1}):
        assert admin(fieldsim, "POST", "faults", json=rule).status_code == 201
    capo = fieldsim.url("capo")
    for _ in range(5):
        requests.get(capo + "/contractgebied", headers={"Authorization": "Bearer capo-aannemer-demo"}, timeout=10)

    def capo_clients():
        return [c["client"] for c in admin(fieldsim, "GET", "ratelimits").json()["capo"]["clients"]]

    assert capo_clients() == ["token:capo-aannemer-demo"]
    assert admin(fieldsim, "POST", "reset?api=werkbon").status_code == 200
    assert [r["id"] for r in admin(fieldsim, "GET", "faults").json()] == ["all", "capo"]
    assert capo_clients() == ["token:capo-aannemer-demo"]
    assert admin(fieldsim, "POST", "reset?api=capo").status_code == 200
    assert [r["id"] for r in admin(fieldsim, "GET", "faults").json()] == ["all"]
    assert capo_clients() == []


def test_api_admin_extras_take_a_json_body_as_every_admin_call_and_answer_errors_as_message(fieldsim):
    """README Admin API: JSON in and out; bad input gets a 400 whose `message` names the problem (the
    Cloudplan unlock answered {"error"} and a 500 for a list; CAPO latency wanted a JSON Content-Type)."""
    form = {"Content-Type": "application/x-www-form-urlencoded"}  # what curl -d sends
    for body in ('["demo"]', '"demo"', "{}", '{"username": 5}', "not json"):
        r = admin(fieldsim, "POST", "cloudplan/unlock", data=body, headers={"Content-Type": "application/json"})
        assert r.status_code == 400 and set(r.json()) == {"message"}, body
    r = admin(fieldsim, "POST", "cloudplan/unlock", data='{"username": "demo"}', headers=form)
    assert r.status_code == 200 and r.json()["username"] == "demo"
    r = admin(fieldsim, "POST", "capo/latency", data='{"delay_ms": 5}', headers=form)
    assert r.status_code == 200 and admin(fieldsim, "GET", "capo/latency").json() == {"delay_ms": 5}
    assert admin(fieldsim, "POST", "capo/latency", data="[5]", headers=form).status_code == 400
