"""AGD and wensdatum (CAPO-AGD-1 .. CAPO-AGD-4) and main-line change filters (CAPO-HL-1 .. CAPO-HL-3)."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from .capo import A1, A2, NB, Capo


@pytest.fixture
def capo(fieldsim):
    fieldsim.set_clock("2026-01-05T09:00:00+01:00")
    return Capo(fieldsim, NB)


def test_agd_relevant_per_contract_area_CAPO_AGD_1(capo):
    """CAPO-AGD-1: agdRelevant on the project follows its contract area."""
    areas = {g["contractgebiedId"]: g["agdRelevant"] for g in capo.ok("GET", "/contractgebied")}
    for p in capo.ok("GET", "/project"):
        assert capo.ok("GET", f"/project/{p['projectId']}")["agdRelevant"] is areas[p["contractgebiedId"]]
    assert capo.ok("GET", "/project/3000101")["agdRelevant"] is True
    assert capo.ok("GET", "/project/3000104")["agdRelevant"] is False


def test_agd_per_product_may_be_empty_and_equal_within_project_CAPO_AGD_2_CAPO_AGD_3(capo):
    """CAPO-AGD-2: agd at aansluitObjecten[].produkten[].agd, may be null; CAPO-AGD-3: equal in a project."""
    for pid, expect in ((3000101, "2026-01-20"), (3000102, None), (3000103, "2026-05-15")):
        p = capo.ok("GET", f"/project/{pid}")
        agds = {pr["agd"] for o in p["aansluitObjecten"] for pr in o["produkten"]}
        assert agds == {expect}


@pytest.mark.parametrize("pid, expect", [
    (3000101, "2026-03-09"),  # AGD earlier than the wachttijd -> aanvraagDatum + wachttijd
    (3000102, "2026-03-09"),  # no AGD -> aanvraagDatum + wachttijd
    (3000103, "2026-05-15"),  # AGD later -> the first product's agd
])
def test_wensdatum_three_scenarios_CAPO_AGD_4(capo, pid, expect):
    """CAPO-AGD-4: the three seeded scenarios (aanvraag 2025-11-03, wachttijd 126 days)."""
    p = capo.ok("GET", f"/project/{pid}")
    assert p["aanvraagDatum"] == "2025-11-03" and p["wachttijd"] == 126
    assert p["wensdatum"] == expect


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(aanvraag=st.dates(date(2024, 1, 1), date(2027, 1, 1)), wachttijd=st.integers(0, 400),
       offset=st.one_of(st.none(), st.integers(-500, 500)))
def test_wensdatum_property_via_scenario_CAPO_AGD_4(fieldsim, aanvraag, wachttijd, offset):
    """CAPO-AGD-4 for any project loaded by scenario: max(aanvraag + wachttijd, agd) (no agd: the former)."""
    agd = None if offset is None else (aanvraag + timedelta(days=wachttijd + offset)).isoformat()
    fieldsim.reset("capo")  # a scenario adds: the area and project of the last example must go first
    r = fieldsim.admin("POST", "scenario", json={"capo": {
        "contractgebieden": [{"contractgebiedId": 77, "naam": "Combi Test", "agdRelevant": True, "wachttijd": wachttijd,
                              "deelnemers": [1]}],
        "projects": [{"projectId": 7700001, "contractgebiedId": 77, "aanvraagDatum": aanvraag.isoformat(),
                      "aansluitObjecten": [{"aansluitObjectId": 1, "adres": {"straat": "Dorpsstraat", "huisnummer": "1",
                                                                              "postcode": "1234 AB", "plaats": "Ede"},
                                            "produkten": [{"produktId": 1, "discipline": "Elektra", "agd": agd},
                                                          {"produktId": 2, "discipline": "Gas", "agd": agd}]}]}]}})
    assert r.status_code == 200, r.text
    got = Capo(fieldsim, NB, unlimited=True).ok("GET", "/project/7700001")["wensdatum"]
    base = aanvraag + timedelta(days=wachttijd)
    assert got == (agd if offset is not None and offset > 0 else base.isoformat())


def test_changed_filter_on_main_line_projects_CAPO_HL_1(capo):
    """CAPO-HL-1: changedFrom/changedTo select on `changed` (inclusive span), Hoofdleiding only."""
    all_hl = capo.ok("GET", "/hoofdleiding")
    assert all_hl and {p["projectType"] for p in all_hl} == {"Hoofdleiding"}
    ids = lambda q: [p["projectId"] for p in capo.ok("GET", "/hoofdleiding" + q)]
    assert ids("?changedFrom=2025-12-25") == [3000203, 3000204, 3000205]
    assert ids("?changedFrom=2025-12-20&changedTo=2025-12-30") == [3000202, 3000203]
    assert ids("?changedTo=2025-12-06T09:00:00%2B01:00") == [3000201]
    assert ids("?changedFrom=2026-01-04T09:00:01%2B01:00") == []
    assert capo.as_(A2).ok("GET", "/hoofdleiding") == [p for p in all_hl if p["projectId"] == 3000205]


def test_planning_changed_filter_CAPO_HL_2(capo):
    """CAPO-HL-2: planningChangedFrom/To look only at planningChanged."""
    ids = lambda q: [p["projectId"] for p in capo.ok("GET", "/hoofdleiding" + q)]
    assert ids("?planningChangedFrom=2025-12-17") == [3000203, 3000205]
    assert ids("?planningChangedFrom=2025-12-01&planningChangedTo=2025-12-20") == [3000201, 3000204]
    assert 3000202 not in ids("?planningChangedFrom=2000-01-01")  # never planned
    assert ids("?changedFrom=2026-01-01&planningChangedTo=2025-12-20") == [3000204]


def test_patch_start_week_stamps_changed_and_planning_changed_CAPO_HL_3(capo, fieldsim):
    """CAPO-HL-3: a PATCH of startUitvoeringWeek sets changed and planningChanged to the simulated
    now; another change sets only changed; a PATCH with the values it already has is no change and
    stamps nothing; the filters then find the project."""
    fieldsim.set_clock("2026-03-02T08:30:00+01:00")
    p = capo.as_(A1).ok("PATCH", "/project/3000202", json={"startUitvoeringWeek": "2026-W14"})
    assert p["changed"] == p["planningChanged"] == "2026-03-02T08:30:00+01:00"
    assert [x["projectId"] for x in capo.ok("GET", "/hoofdleiding?planningChangedFrom=2026-03-02")] == [3000202]
    fieldsim.advance("P1D")
    p = capo.ok("PATCH", "/project/3000202", json={"omschrijving": "Tracé aangepast"})
    assert p["changed"] == "2026-03-03T08:30:00+01:00" and p["planningChanged"] == "2026-03-02T08:30:00+01:00"
    fieldsim.advance("P1D")
    # the values it already has: no change at all, so neither stamp moves
    p = capo.ok("PATCH", "/project/3000202", json={"startUitvoeringWeek": "2026-W14", "omschrijving": "Tracé aangepast"})
    assert (p["changed"], p["planningChanged"]) == ("2026-03-03T08:30:00+01:00", "2026-03-02T08:30:00+01:00")
    assert capo.ok("GET", "/hoofdleiding?changedFrom=2026-03-04&changedTo=2026-03-04") == []
    fieldsim.advance("P1D")
    assert capo.ok("PATCH", "/project/3000202", json={"onbekend": 1})["changed"] == "2026-03-03T08:30:00+01:00"
    p = capo.ok("PATCH", "/project/3000202", json={"omschrijving": "Tracé nogmaals aangepast"})
    assert p["changed"] == "2026-03-05T08:30:00+01:00" and p["planningChanged"] == "2026-03-02T08:30:00+01:00"


@pytest.mark.parametrize("param", ["changedFrom", "changedTo", "planningChangedFrom", "planningChangedTo"])
@pytest.mark.parametrize("value", ["gisteren", "2026-13-01", "2026-02-30", "01-02-2026"])
def test_bad_date_parameters_are_400_naming_the_parameter_CAPO_HL_3(capo, param, value):
    """CAPO-HL-3: a bad date string -> 400 naming the parameter."""
    assert param in capo.err("GET", f"/hoofdleiding?{param}={value}", 400)


def test_bad_week_is_400_and_changes_nothing_CAPO_HL_3_CAPO_ERR_1(capo):
    """CAPO-HL-3 / CAPO-ERR-1: startUitvoeringWeek must be an ISO week string."""
    before = capo.ok("GET", "/project/3000201")
    for bad in ({"startUitvoeringWeek": 14}, {"startUitvoeringWeek": "2026-14"}, {"startUitvoeringWeek": "2026-W54"},
                {"startUitvoeringWeek": None}):
        assert "startUitvoeringWeek" in capo.err("PATCH", "/project/3000201", 400, json=bad)
    assert capo.ok("GET", "/project/3000201") == before
