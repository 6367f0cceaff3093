"""Scenarios (POST /__admin/scenario), state export/import, credentials, seed determinism."""
from __future__ import annotations

from cp_soap import numbers


SCENARIO = {"cloudplan": {
    "departments": [{"number": "AFD-90", "name": "Noord"}],
    "customers": [{"number": "KLANT-90", "name": "Gemeente Test"}],
    "resources": [{"number": "9001", "name": "Piet", "department": {"number": "AFD-90"}}],
    "projects": [{"number": "PROJ-90", "description": "Scenario", "customer": {"number": "KLANT-90"},
                  "start": "2026-01-01", "end": "2026-06-30"}],
    "planning": [{"number": "PL-90", "project": {"number": "PROJ-90"}, "resource": {"number": "9001"},
                  "customer": {"number": "KLANT-90"}, "start": "2026-01-05T08:00", "end": "2026-01-05T17:00:00"}],
}}


def test_scenario_adds_entities_visible_over_soap(cp, fieldsim):
    """Scenario entities are added in Cloudplan's field names, references by number (CP-M-3)."""
    r = fieldsim.admin("POST", "scenario", json=SCENARIO)
    assert r.status_code == 200, r.text
    ret = cp.op("planning", "getPlanning", "<planningMatcher><customerMatcher><number>KLANT-90</number>"
                "</customerMatcher><start operator=\"EQUALS_DATE\"><dateTime>2026-01-05</dateTime></start>"
                "</planningMatcher>")
    assert numbers(ret) == [["PL-90"]]
    assert ret.findtext(".//entity/start") == "2026-01-05T08:00:00"  # normalised like a push


def test_invalid_scenario_is_rejected(fieldsim):
    """CP-V-1 applies to scenarios too; unknown keys are refused."""
    assert fieldsim.admin("POST", "scenario", json={"cloudplan": {"departments": [{"number": "X"}]}}).status_code == 400
    assert fieldsim.admin("POST", "scenario", json={"cloudplan": {"widgets": []}}).status_code == 400
    bad_ref = {"cloudplan": {"resources": [{"number": "1", "name": "A", "department": {"number": "NOPE"}}]}}
    assert fieldsim.admin("POST", "scenario", json=bad_ref).status_code == 400
    bad_date = {"cloudplan": {"planning": [{"number": "P", "start": "yesterday", "end": "2026-01-01"}]}}
    assert fieldsim.admin("POST", "scenario", json=bad_date).status_code == 400


def test_state_export_import_round_trip(cp, fieldsim):
    exported = fieldsim.admin("GET", "state/cloudplan").json()
    get = "<planningMatcher><number>PL-2019-01</number></planningMatcher>"
    cp.op("planning", "deletePlanning", get)
    assert numbers(cp.op("planning", "getPlanning", get)) == [[]]
    assert fieldsim.admin("PUT", "state/cloudplan", json=exported).status_code in (200, 204)
    cp._token = None  # the import restored the sessions of the export, not ours
    assert numbers(cp.op("planning", "getPlanning", get)) == [["PL-2019-01"]]


def test_credentials_and_deterministic_seed(fieldsim):
    creds = fieldsim.admin("GET", "credentials").json()["cloudplan"]
    assert creds["username"] == "demo" and creds["password"] == "demo"
    first = fieldsim.admin("GET", "state/cloudplan").json()["collections"]["resources"]
    fieldsim.reset("cloudplan")
    assert fieldsim.admin("GET", "state/cloudplan").json()["collections"]["resources"] == first


def test_scenario_values_are_read_as_a_push_reads_them(cp, fieldsim):
    """A scenario value is read as a push reads the same text (wire.parse_scalar): a number given for
    `number` is found by that number (CP-M-2), "false" is false; a value a push would refuse is a
    400 that adds nothing (it used to be stored and then make every getProjects a 500)."""
    ok = {"cloudplan": {"resources": [{"number": 9001, "name": "Piet", "availability": "32", "hidden": "false"}]}}
    assert fieldsim.admin("POST", "scenario", json=ok).status_code == 200
    ret = cp.op("resources", "getResources", "<resourceMatcher><number>9001</number></resourceMatcher>")
    assert numbers(ret) == [["9001"]]
    assert ret.findtext(".//entity/hidden") == "false" and ret.findtext(".//entity/availability") == "32.0"
    before = fieldsim.admin("GET", "state/cloudplan").json()["collections"]["projects"]
    for bad in ({"budget": "abc"}, {"index": "7x"}, {"budget": "NaN"}, {"hidden": [1]}, {"start": "2019-01-01x"}):
        body = {"cloudplan": {"projects": [{"number": "PROJ-BAD", "description": "x", **bad}]}}
        r = fieldsim.admin("POST", "scenario", json=body)
        assert r.status_code == 400 and next(iter(bad)) in r.json()["message"], (bad, r.text)
    assert fieldsim.admin("GET", "state/cloudplan").json()["collections"]["projects"] == before
    assert cp.op("projects", "getProjects", "<projectMatcher allowMultiple=\"true\"/>") is not None


def test_a_scenario_section_of_the_wrong_kind_is_a_400_naming_it_and_adds_nothing(fieldsim):
    """README Admin API: bad input gets a 400 whose `message` names the problem; a scenario is
    validated as a whole before anything is applied (a list as tenant, a number as a list: were 500)."""
    before = fieldsim.admin("GET", "state/cloudplan").json()
    for section, named in (({"tenant": ["demo"]}, "tenant"), ({"tenant": 5}, "tenant"),
                           ({"departments": True}, "departments"), ({"planning": 1.5}, "planning"),
                           ({"customers": "KLANT-1"}, "customers"), ({"resources": {"number": "1"}}, "resources")):
        r = fieldsim.admin("POST", "scenario", json={"clock": {"now": "2026-03-02T08:00:00+01:00"},
                                                     "cloudplan": {**section, "departments": section.get(
                                                         "departments", [{"number": "AFD-91", "name": "Zuid"}])}})
        assert r.status_code == 400 and named in r.json()["message"], (section, r.text)
    assert fieldsim.admin("GET", "state/cloudplan").json() == before


def test_a_scenario_reference_by_bare_id_must_exist_in_the_tenant_CP_R_2(fieldsim):
    """CP-R-2: a reference is a record's id (0: unset); a bare id no record of the tenant has is a 400,
    so every scenario's export imports again (PUT /__admin/state refuses dangling references)."""
    r = fieldsim.admin("POST", "scenario", json={"cloudplan": {"resources": [
        {"number": "9002", "name": "Kees", "department": 987654}]}})
    assert r.status_code == 400 and "987654" in r.json()["message"]
    r = fieldsim.admin("POST", "scenario", json={"cloudplan": {"resources": [{"number": "9003", "name": "Jan", "department": 0}]}})
    assert r.status_code == 200, r.text
    exported = fieldsim.admin("GET", "state/cloudplan").json()
    assert fieldsim.admin("PUT", "state/cloudplan", json=exported).status_code == 200
