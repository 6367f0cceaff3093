"""PUT /__admin/state/capitech and /cloudplan with a document the API cannot read (the fourth audit's
verified repros): README, Admin API: "PUT takes what GET exports: a document the API could not read
... is a 400 naming it, and nothing is replaced"; "Bad input gets a 400 whose `message` names the
problem"; the brief: never an unhandled 500. Each case spoils one value of a real export, expects a
400 naming it, the state exported before, and the public call that used to answer 500 answering."""
from __future__ import annotations

import copy

import pytest
import requests

from tests.cloudplan.cp_soap import Soap

NOW = "2026-11-24T12:00:00+01:00"  # the audit's frozen clock
CT = "/api/public/v1"


def export(sim, api: str) -> dict:
    r = sim.admin("GET", f"state/{api}")
    assert r.status_code == 200, r.text
    return r.json()


def put(sim, api: str, document) -> requests.Response:
    return sim.admin("PUT", f"state/{api}", json=document)


def assert_refused(sim, api: str, document, names: str, before: dict) -> None:
    r = put(sim, api, document)
    assert r.status_code == 400, r.text
    assert names in r.json()["message"]
    assert export(sim, api) == before


# -- Capitech -------------------------------------------------------------------------------------
def ct_post(sim, call: str, body: dict) -> requests.Response:
    return requests.post(f"{sim.base_url}{CT}/{call}", json=body, timeout=30)


def ct_login(sim) -> str:
    return ct_post(sim, "Access/login", {"username": "demo", "password": "demo"}).json()["content"][0]["accessToken"]


def tt(sim, token: str) -> requests.Response:
    return ct_post(sim, "Time/getTimeTransactions", {"accessToken": token, "clientId": 100, "fromDate": "2026-11-02",
                                                     "toDate": "2026-11-02",
                                                     "lastApprovedOrUpdatedFilter": "2000-01-01 00:00:00.000"})


def assert_tt_answers(sim, token: str) -> None:
    r = tt(sim, token)
    assert r.status_code == 200 and r.json()["success"], r.text
    assert {type(rec["externalStatusCode"]) for rec in r.json()["content"]} <= {int, type(None)}


@pytest.fixture
def ct_state(fieldsim):
    """The audit's setup: a session, a changed, an approved and a coded registration; its export."""
    fieldsim.set_clock(NOW)
    token = ct_login(fieldsim)
    assert fieldsim.admin("POST", "capitech/change", json={"clientId": 100, "uid": 1002483, "timeCategoryId": 10,
                                                           "qty": 6.5}).status_code == 200
    assert fieldsim.admin("POST", "capitech/approve", json={"clientId": 100, "uids": [1002484],
                                                            "level": 2}).status_code == 200
    coded = ct_post(fieldsim, "Time/setExternalStatusCode", {"accessToken": token, "clientId": 100,
                                                             "externalStatusCode": 1, "uids": [1002482]})
    assert coded.json()["success"], coded.text
    return token, export(fieldsim, "capitech")


def _overlay(key, value):
    return lambda c: c["overlay"]["100"][key].__setitem__(*value)


@pytest.mark.parametrize("spoil, names", [
    (_overlay("qty", ("1002483:10", "many")), "overlay.100.qty.1002483:10"),
    (_overlay("qty", ("1002483:10", "x")), "overlay.100.qty.1002483:10"),
    (_overlay("touch", ("1002483", [848836800])), "overlay.100.touch.1002483"),
    (_overlay("touch", ("1002483", ["x", "y"])), "overlay.100.touch.1002483"),
    (_overlay("touch", ("1002483", "x")), "overlay.100.touch.1002483"),
    (_overlay("appr", ("1002484", {"2": ["x"]})), "overlay.100.appr.1002484.2"),
    (_overlay("appr", ("1002484", {"2": ["x", "soon"]})), "overlay.100.appr.1002484.2"),
    (_overlay("appr", ("1002484", {"2": "x"})), "overlay.100.appr.1002484.2"),
    (_overlay("appr", ("1002484", {"2": [5, 848836800]})), "overlay.100.appr.1002484.2"),
    (_overlay("appr", ("1002484", {"7": ["x", 848836800]})), "overlay.100.appr.1002484.7"),
    (_overlay("ext", ("1002482", "x")), "overlay.100.ext.1002482"),
    (_overlay("ext", ("5", 1)), "no registration with uid '5'"),
    (_overlay("qty", ("1002483:99", 100)), "no record with timeCategoryId 99"),
    (lambda c: c["overlay"].__setitem__("abc", c["overlay"]["100"]), "overlay.abc"),
    (lambda c: c["overlay"].__setitem__("999", c["overlay"]["100"]), "overlay.999"),
    (lambda c: c.pop("overlay_version"), "overlay_version.100"),
])
def test_capitech_overlay_the_reads_cannot_use_is_refused(fieldsim, ct_state, spoil, names):
    """Audit 4 Cloudplan/Capitech #2, admin #1; CT-TT-6 and CT-AUTH-2 allow no 500 on getTimeTransactions,
    CT-TT-7 no wrongly typed field (externalStatusCode an int, approvedLevelNBy a user name, levels 1-4)."""
    token, before = ct_state
    spoiled = copy.deepcopy(before)
    spoil(spoiled["collections"])
    assert_refused(fieldsim, "capitech", spoiled, names, before)
    assert_tt_answers(fieldsim, token)


@pytest.mark.parametrize("session, names", [
    ({"user": "ghost", "exp": 9999999999}, "user 'ghost'"),
    ({"exp": 9999999999}, "needs user (str)"),
    ({"user": "demo", "exp": "x"}, "needs exp (num)"),
    ({"user": 5, "exp": "x"}, "tok-1 needs"),
    ("x", "sessions.tok-1 must be an object"),
])
def test_capitech_session_the_reads_cannot_use_is_refused(fieldsim, ct_state, session, names):
    """Admin audit #1: a session without `user` or with a bad `exp` gave 500 on getDepartments;
    CT-AUTH-2: a token is live (the user's data) or expired (401), nothing else."""
    token, before = ct_state
    spoiled = copy.deepcopy(before)
    spoiled["collections"]["sessions"]["tok-1"] = session
    assert_refused(fieldsim, "capitech", spoiled, "capitech: collections.sessions.tok-1", before)
    assert names in put(fieldsim, "capitech", spoiled).json()["message"]
    assert ct_post(fieldsim, "Catalogue/getDepartments", {"accessToken": "tok-1", "clientId": 100}).status_code == 401
    assert ct_post(fieldsim, "Catalogue/getDepartments", {"accessToken": token, "clientId": 100}).json()["success"]
    assert_tt_answers(fieldsim, token)


def test_capitech_collections_not_an_object_is_a_400_not_a_500(fieldsim, ct_state):
    """Admin audit #1: `"collections": "x"` answered 500 on the PUT itself; the other APIs answer 400."""
    token, before = ct_state
    assert_refused(fieldsim, "capitech", dict(before, collections="x"), '"collections"', before)
    assert_tt_answers(fieldsim, token)


def test_capitech_added_records_must_be_what_the_scenario_stored(fieldsim, ct_state):
    """Audit 4 #2 "also accepted": added under another uid's key, an unknown clientId, an empty added_uids."""
    token, _ = ct_state
    record = {"clientId": 100, "uid": 107004, "employeeid": 9001, "employee": "Ola Danielsen", "datein": "2026-11-10",
              "timein": "21:57:00.000", "dateout": "2026-11-11", "timeout": "07:01:00.000", "departmentid": 95,
              "department": "Logistikk", "shiftId": 68874, "timeCategoryId": 10, "qty": 7.5}
    assert fieldsim.admin("POST", "scenario", json={"capitech": {"transactions": [record]}}).status_code == 200
    before = export(fieldsim, "capitech")
    for spoil, names in (
            (lambda c: c["added"].__setitem__("100:556:10", dict(c["added"].pop("100:107004:10"), uid=555)),
             "added.100:556:10"),
            (lambda c: c["added"]["100:107004:10"].__setitem__("clientId", 999), "added.100:107004:10"),
            (lambda c: c["added_uids"].clear(), "added_uids.107004"),
            (lambda c: c["added"]["100:107004:10"].__setitem__("qty", "x"), "needs qty (int)")):
        spoiled = copy.deepcopy(before)
        spoil(spoiled["collections"])
        assert_refused(fieldsim, "capitech", spoiled, names, before)
    assert any(rec["uid"] == 107004 for rec in ct_post(fieldsim, "Time/getTimeTransactions", {
        "accessToken": token, "clientId": 100, "fromDate": "2026-11-10", "toDate": "2026-11-10"}).json()["content"])


def test_capitech_export_after_public_changes_round_trips(fieldsim, ct_state):
    """README: PUT takes what GET exports; the sessions, overlays and added records come back whole."""
    token, _ = ct_state
    scenario = {"capitech": {"approve": [{"clientId": 100, "uids": [1002483], "level": 1, "by": "trineg"}],
                             "setExternalStatusCode": [{"clientId": 100, "externalStatusCode": None,
                                                        "uids": [1002482]}]}}
    assert fieldsim.admin("POST", "scenario", json=scenario).status_code == 200
    before, answer = export(fieldsim, "capitech"), tt(fieldsim, token).json()
    fieldsim.reset("capitech")
    r = put(fieldsim, "capitech", before)
    assert r.status_code == 200, r.text
    assert export(fieldsim, "capitech") == before
    assert tt(fieldsim, token).json() == answer


# -- Cloudplan ------------------------------------------------------------------------------------
@pytest.fixture
def cp(fieldsim) -> Soap:
    soap = Soap(fieldsim.url("cloudplan"))
    soap.token  # logged in before the export: the session is part of the state kept
    return soap


def get_projects(cp: Soap, matcher: str) -> requests.Response:
    return cp.call("projects", "getProjects",
                   f'{cp.auth()}<projectMatcher allowMultiple="true">{matcher}</projectMatcher>')


def planning_example_answers(cp: Soap) -> None:
    r = cp.example("03-getPlanning-request.xml", "planning")
    assert r.status_code == 200 and "<entity" in r.text, r.text


def project_date_matcher_answers(cp: Soap) -> None:
    r = get_projects(cp, '<start operator="AFTER_OR_EQUAL_DATE"><dateTime>2000-01-01</dateTime></start>')
    assert r.status_code == 200 and "PROJ-01" in r.text, r.text


def push_updates_its_own_record(cp: Soap) -> None:
    r = cp.call("projects", "pushProjects", f"{cp.auth()}<project><projectMatcher><number>PROJ-01</number>"
                "</projectMatcher><projectValues><comments>changed</comments></projectValues></project>")
    assert "<UpdatedId>116</UpdatedId>" in r.text, r.text
    assert "Example-Project02" in get_projects(cp, "<number>PROJ-02</number>").text


def _set(coll, key, field, value):
    return lambda c: c[coll][key].__setitem__(field, value)


@pytest.mark.parametrize("spoil, names, then", [
    (_set("planning", "125", "start", "garbage"), "planning.125.start", planning_example_answers),
    (_set("projects", "116", "start", "garbage"), "projects.116.start", project_date_matcher_answers),
    (_set("projects", "116", "id", 117), "projects.116.id", push_updates_its_own_record),
    (_set("departments", "100", "tenant", "nobody"), "departments.100.tenant", project_date_matcher_answers),
    (_set("planning", "125", "project", 424242), "planning.125.project", planning_example_answers),
    (_set("resources", "108", "department", 424242), "resources.108.department", planning_example_answers),
    (_set("projects", "116", "color", "red"), "Color is invalid!", push_updates_its_own_record),
    (_set("planning", "125", "end", "2000-01-01T00:00:00"), "End is before start!", planning_example_answers),
    (_set("departments", "100", "name", None), "departments.100", planning_example_answers),
])
def test_cloudplan_record_a_push_could_not_have_written_is_refused(fieldsim, cp, spoil, names, then):
    """Audit 4 #1 (a)-(c): CP-M-5 (dates a matcher compares), CP-R-3 (a push updates the matched record),
    tenants as the scenario checks them, CP-R-2 references to existing records, CP-V-1 validations."""
    before = export(fieldsim, "cloudplan")
    spoiled = copy.deepcopy(before)
    spoil(spoiled["collections"])
    assert_refused(fieldsim, "cloudplan", spoiled, names, before)
    then(cp)


def test_cloudplan_counters_below_the_records_are_refused(fieldsim, cp):
    """CP-R-3: an insert takes a fresh id; counters lost from the export would hand out a record's id."""
    before = export(fieldsim, "cloudplan")
    assert_refused(fieldsim, "cloudplan", dict(before, counters={}), "counters.entity", before)


@pytest.mark.parametrize("session, names", [
    ({"user": "demo", "tenant": "demo", "expires": "2030-01-01T00:00:00"}, "expires needs a time with its UTC offset"),
    ({"user": "demo", "tenant": "demo2", "expires": "2030-01-01T00:00:00+00:00"}, "is no Cloudplan account"),
    ({"user": "demo", "tenant": "demo"}, "needs expires (time)"),
])
def test_cloudplan_session_the_reads_cannot_use_is_refused(fieldsim, cp, session, names):
    """CP-AUTH-4: a session's expiry is compared with the clock; its tenant is its account's."""
    before = export(fieldsim, "cloudplan")
    spoiled = copy.deepcopy(before)
    spoiled["collections"].setdefault("sessions", {})["ABC"] = session
    assert_refused(fieldsim, "cloudplan", spoiled, names, before)
    planning_example_answers(cp)


def test_cloudplan_export_after_public_changes_round_trips(fieldsim, cp):
    """README: PUT takes what GET exports, after pushes and deletes through the SOAP API."""
    r = cp.call("departments", "pushDepartments", f"{cp.auth()}<department><departmentMatcher><number>AFD-90"
                "</number></departmentMatcher><departmentValues><name>Noord</name></departmentValues></department>")
    assert "<InsertedId>" in r.text, r.text
    r = cp.call("planning", "deletePlanning",
                f"{cp.auth()}<planningMatcher><number>PL-2019-07</number></planningMatcher>")
    assert "<DeletedId>" in r.text, r.text
    push_updates_its_own_record(cp)
    before = export(fieldsim, "cloudplan")
    fieldsim.reset("cloudplan")
    r = put(fieldsim, "cloudplan", before)
    assert r.status_code == 200, r.text
    assert export(fieldsim, "cloudplan") == before
    planning_example_answers(cp)
    assert "AFD-90" in cp.call("departments", "getDepartments",
                               f"{cp.auth()}<departmentMatcher><number>AFD-90</number></departmentMatcher>").text
