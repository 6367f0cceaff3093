"""Edges a black-box client meets: PATCH null, weeks that do not exist, ids no one has, the 401's
scheme, every status change in the log, and scenario input that must be refused whole
(CAPO-ERR-1, CAPO-HL-3, CAPO-AUTH-1, CAPO-AUTH-2, CAPO-EM-2, CAPO-AGD-4)."""
from __future__ import annotations

import pytest
import requests

from .capo import A1, A2, BA_PROJECT, NB, Capo


@pytest.fixture
def capo(fieldsim):
    return Capo(fieldsim, NB)


def test_patch_omschrijving_null_clears_it_and_stamps_changed_CAPO_HL_3(capo, fieldsim):
    """CAPO-HL-3: the OpenAPI declares omschrijving nullable: null clears it (it was a 200 that
    changed nothing); leaving it out keeps it."""
    fieldsim.set_clock("2026-03-02T08:30:00+01:00")
    capo.ok("PATCH", "/project/3000201", json={"omschrijving": "iets"})
    fieldsim.advance("PT1H")
    assert capo.ok("PATCH", "/project/3000201", json={"startUitvoeringWeek": "2026-W20"})["omschrijving"] == "iets"
    fieldsim.advance("PT1H")
    p = capo.ok("PATCH", "/project/3000201", json={"omschrijving": None})
    assert p["omschrijving"] is None and p["changed"] == "2026-03-02T10:30:00+01:00"
    assert capo.ok("GET", "/project/3000201")["omschrijving"] is None


@pytest.mark.parametrize("week", ["2025-W53", "2027-W53", "2026-W00", "2026-W54", "2026-W7"])
def test_a_week_that_does_not_exist_is_400_and_stamps_nothing_CAPO_ERR_1(capo, week):
    """CAPO-ERR-1, CAPO-HL-3: 2025 and 2027 have no ISO week 53; such a week was stored and stamped."""
    before = capo.ok("GET", "/project/3000201")
    assert "startUitvoeringWeek" in capo.err("PATCH", "/project/3000201", 400, json={"startUitvoeringWeek": week})
    assert capo.ok("GET", "/project/3000201") == before
    assert capo.ok("PATCH", "/project/3000201", json={"startUitvoeringWeek": "2026-W53"})["startUitvoeringWeek"] == "2026-W53"


@pytest.mark.parametrize("pid", ["999999999999", "1", "0999"])
def test_an_integer_id_no_one_has_is_404_CAPO_ERR_1(capo, pid):
    """CAPO-ERR-1: unknown ids -> 404; a contract area no one has filters to []."""
    assert str(int(pid)) in capo.err("GET", f"/project/{pid}", 404)
    assert capo.ok("GET", f"/project?contractgebiedId={pid}") == []


@pytest.mark.parametrize("pid", ["-1", "0", "1000000000000", "99999999999999999999"])
def test_an_id_outside_the_documents_bounds_is_400_naming_them_CAPO_ERR_1(capo, pid):
    """CAPO-ERR-1, CAPO-DOC-1: the served OpenAPI bounds projectId to 1..999999999999 and contractgebiedId to
    0..999999999999; outside them -> 400 naming the bounds (it said 'must be an integer' of -1)."""
    assert "999999999999" in capo.err("GET", f"/project/{pid}", 400) or not pid.lstrip("-").isdigit()
    if pid != "0":
        assert "contractgebiedId" in capo.err("GET", f"/project?contractgebiedId={pid}", 400)


def test_a_401_names_its_scheme_CAPO_AUTH_1(capo):
    """CAPO-AUTH-1: without a valid bearer token -> 401 {"message"} with WWW-Authenticate: Bearer (RFC 7235)."""
    for headers in ({}, {"Authorization": "Bearer nope"}):
        r = requests.get(capo.url + "/project", headers=headers, timeout=10)
        assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Bearer")


def test_every_status_change_is_logged_with_its_status_and_reden_CAPO_EM_2(capo):
    """CAPO-EM-2 (README: each status change is a BijlageAct and a BijlageLogEntry): the automatic
    assigned -> uploaded on the first file is logged too, and an API-made entry's act carries the status
    and a rejection's reden, as the seeded entries do."""
    a1 = capo.as_(A1)
    ba = next(b for b in a1.ok("GET", f"/project/{BA_PROJECT}/bijlageassigned")
              if b["status"] == "assigned" and b["requiresReview"])
    a1.upload(ba, email="a@aannemer.nl")
    a1.set_ba(ba, "done")  # requiresReview: to review
    capo.set_ba(ba, "uploaded", reden="Onvolledig")
    entries = [e for e in capo.ok("GET", f"/project/{BA_PROJECT}/log")
               if e.get("bijlageAssignedId") == ba["bijlageAssignedId"] and e["omschrijving"].startswith("status")]
    assert [e["omschrijving"] for e in entries] == [
        "status assigned -> uploaded", "status uploaded -> review", "status review -> uploaded"]
    assert [e["act"]["status"] for e in entries] == ["uploaded", "review", "uploaded"]
    assert entries[0]["email"] == "a@aannemer.nl" and entries[-1]["act"]["reden"] == "Onvolledig"
    acts = next(b for b in capo.ok("GET", f"/project/{BA_PROJECT}/bijlageassigned")
                if b["bijlageAssignedId"] == ba["bijlageAssignedId"])["acts"]
    assert [a["status"] for a in acts if a["actie"] == "status"] == ["uploaded", "review", "uploaded"]


AREA = {"contractgebiedId": 20, "naam": "Combi Ede", "agdRelevant": True, "wachttijd": 91, "deelnemers": [1, 2]}
PROJECT = {"projectId": 4000006, "contractgebiedId": 20}


@pytest.mark.parametrize("section, needle", [
    ({"projects": [{**PROJECT, "aansluitObjecten": [{"aansluitObjectId": 1, "produkten": [
        {"produktId": 1, "discipline": "Elektra", "agd": "31-12-2026"}]}]}]}, "agd"),  # was a 500 on every GET
    ({"projects": [{**PROJECT, "aansluitObjecten": [{"produkten": [{"agd": 20260101}]}]}]}, "agd"),
    ({"organisaties": [{"organisatieId": 53, "naam": "Hijack", "rol": "aannemer", "token": "capo-netbeheerder-demo"}]},
     "token"),  # a demo token cannot change hands
    ({"organisaties": [{"organisatieId": 1, "naam": "Dubbel", "rol": "aannemer", "token": "t-new"}]}, "exists"),
    ({"projects": [{"projectId": 3000106, "contractgebiedId": 20}]}, "exists"),  # was replaced, reported added
    ({"projects": [PROJECT, PROJECT]}, "exists"),
    ({"projects": [{**PROJECT, "bijlageAssigned": [{"naam": "X", "assignedTo": 2, "deadline": "garbage"}]}]},
     "deadline"),
    ({"projects": [{**PROJECT, "bijlageAssigned": [{"naam": "X", "assignedTo": 3}]}]}, "assignedTo"),
    ({"projects": [{**PROJECT, "startUitvoeringWeek": "2026-W99"}]}, "startUitvoeringWeek"),
    ({"projects": [{**PROJECT, "deelnemers": [1, 3]}]}, "deelnemers"),  # 3 is not in the area (CAPO-AUTH-2)
    ({"projects": [{**PROJECT, "changed": "not a date"}]}, "changed"),
    ({"projects": [{**PROJECT, "wachttijd": "lang"}]}, "wachttijd"),
    ({"project": [PROJECT]}, "unknown key"),
    ({"contractgebieden": [{**AREA, "contractgebiedId": 21, "deelnemers": [1, 99]}]}, "99"),
    ({"projects": [{**PROJECT, "aansluitObjecten": [  # CAPO-AGD-3: one agd per project
        {"aansluitObjectId": 1, "produkten": [{"produktId": 1, "agd": "2026-03-01"}, {"produktId": 2, "agd": "2026-09-01"}]},
        {"aansluitObjectId": 2, "produkten": [{"produktId": 3, "agd": None}]}]}]}, "CAPO-AGD-3"),
    ({"projects": [{**PROJECT, "aansluitObjecten": [{"aansluitObjectId": 1, "produkten": [
        {"produktId": 1, "agd": "2026-03-01"}, {"produktId": 2, "agd": None}]}]}]}, "CAPO-AGD-3"),
    ({"projects": [{**PROJECT, "agdRelevant": False, "aansluitObjecten": [  # CAPO-AGD-1: AGD switched off
        {"aansluitObjectId": 1, "produkten": [{"produktId": 1, "agd": "2026-09-01"}]}]}]}, "agdRelevant false"),
])
def test_scenario_input_is_checked_whole_and_a_refusal_changes_nothing_CAPO_AUTH_2(capo, fieldsim, section, needle):
    """CAPO-AUTH-1/2, CAPO-AGD-1/3/4, CAPO-ERR-1 for admin input: a scenario adds; each entry is checked
    before anything is written (400 naming it), so nothing of a refused one is applied."""
    before = fieldsim.admin("GET", "state/capo").json()
    r = fieldsim.admin("POST", "scenario", json={"capo": {"contractgebieden": [AREA], **section}})
    assert r.status_code == 400 and needle in r.json()["message"], r.text
    assert fieldsim.admin("GET", "state/capo").json() == before
    assert capo.ok("GET", "/project")  # the demo token still reads its projects


def test_scenario_adds_what_the_readme_shows_and_serves_it_in_the_apis_format_CAPO_AGD_4(capo, fieldsim):
    """CAPO-AGD-4, CAPO-AUTH-2: the README's example loads; stamps come back as the API stamps them."""
    r = fieldsim.admin("POST", "scenario", json={"capo": {
        "organisaties": [{"organisatieId": 50, "naam": "Aannemer Drie", "rol": "aannemer", "token": "capo-aannemer3"}],
        "contractgebieden": [{**AREA, "deelnemers": [1, 50]}],
        "projects": [{**PROJECT, "projectType": "Hoofdleiding", "aanvraagDatum": "2026-01-10",
                      "startUitvoeringWeek": "2026-W12", "changed": "2026-01-12T09:00:00Z", "deelnemers": [1, 50],
                      "aansluitObjecten": [{"aansluitObjectId": 1, "produkten": [
                          {"produktId": 1, "discipline": "Elektra", "agd": "2026-06-01"}]}],
                      "bijlageAssigned": [{"naam": "Revisietekening", "assignedTo": 50, "requiresReview": True,
                                           "deadline": "2026-02-01"}]}]}})
    assert r.status_code == 200, r.text
    assert r.json()["capo"]["added"] == {"organisaties": 1, "contractgebieden": 1, "projects": 1, "bijlageAssigned": 1}
    p = capo.as_("capo-aannemer3").ok("GET", "/project/4000006")
    assert (p["wensdatum"], p["changed"], p["startUitvoeringWeek"]) == ("2026-06-01", "2026-01-12T10:00:00+01:00", "2026-W12")
    assert capo.as_("capo-aannemer3").ok("GET", "/project/4000006/bijlageassigned")[0]["deadline"] == "2026-02-01"
    capo.as_(A2).err("GET", "/project/4000006", 404)
