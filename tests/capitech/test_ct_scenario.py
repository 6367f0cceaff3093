"""Registrations added by POST /__admin/scenario in the wire format behave like seeded ones:
CT-TT-7, CT-TT-8, CT-TT-11 (across midnight), CT-TT-2 filters, CT-ES-1, CT-TT-9/10, CT-AUTH-3."""
from __future__ import annotations

import pytest

# The seed's example registration, on dimension ids client 100's catalogue does not have yet (its
# department 50 is "Administrasjon": one id, one name, CT-CAT-1).
NIGHT = {"clientId": 100, "employeeid": 9001, "employee": "Ola Danielsen", "datein": "2026-11-10", "timein": "21:57:00.000",
         "dateout": "2026-11-11", "timeout": "07:01:00.000", "departmentid": 95, "department": "Logistikk",
         "taskid": 20, "task": "Varemottak", "projectid": 7001, "projectAlphanumericCode": "B400",
         "project": "Bergtoppen", "subProjectid": 8445, "subProjectAlphanumericCode": "T8877",
         "subProject": "Tilleggsbestilling øst", "shiftId": 68874, "freeDimension1Id": 10, "freeDimension2Id": 60,
         "freeText": "Overtid fordi Kjell ble forsinket", "uid": 107004, "timeCategoryId": 10, "qty": 7.5}


def load(fieldsim, records):
    return fieldsim.admin("POST", "scenario", json={"capitech": {"transactions": records}})


def test_scenario_transactions_are_served_like_seeded_ones(ct, fieldsim):
    """CT-TT-7, CT-TT-8, CT-TT-11: the seed's example registration, two categories, across midnight."""
    r = load(fieldsim, [NIGHT, {**NIGHT, "timeCategoryId": 30, "qty": 1.5}])
    assert r.status_code == 200 and r.json()["capitech"]["transactions"]["uids"] == [107004], r.text
    for day in ("2026-11-10", "2026-11-11"):
        mine = [x for x in ct.records(frm=day, to=day) if x["uid"] == 107004]
        assert [x["timeCategoryId"] for x in mine] == [10, 30]
    rec = [x for x in ct.records(frm="2026-11-10", to="2026-11-10") if x["uid"] == 107004][0]
    assert rec["recordStateKey"] == "107004_10_7.50" and rec["qty"] == 7.5
    assert (rec["employee"], rec["timein"], rec["dateout"], rec["project"], rec["shift"], rec["classicdutyid"]) == \
        ("Ola Danielsen", "21:57:00.000", "2026-11-11", "Bergtoppen", "N2", 188)
    assert rec["lastUpdatedOn"] == "2026-11-23 12:00:00" and rec["approvedLevelOne"] is None
    assert {x["uid"] for x in ct.records(frm="2026-11-10", to="2026-11-11", employeeIdFilter=[9001])} == {107004}
    assert {x["uid"] for x in ct.records(frm="2026-11-10", to="2026-11-11", projectAlphanumericCodeFilter=["b400"])} == {107004}
    assert all(x["uid"] != 107004 for x in ct.records(client=200, frm="2026-11-10", to="2026-11-11",
                                                        departmentIdFilter=[95]))  # CT-AUTH-3


def test_scenario_transactions_can_be_flagged_approved_and_changed(ct, fieldsim):
    """CT-ES-1, CT-TT-9, CT-TT-10 on an added registration."""
    load(fieldsim, [NIGHT])
    r = ct.post("Time/setExternalStatusCode", {"accessToken": ct.token, "clientId": 100, "externalStatusCode": 1, "uids": [107004]})
    assert r.json()["success"] is True
    assert ct.admin("approve", {"clientId": 100, "uids": [107004], "level": 1, "by": "trineg"}).status_code == 200
    ct.set_clock("2026-11-23T13:00:00+01:00")
    assert ct.admin("change", {"clientId": 100, "uid": 107004, "timeCategoryId": 10, "qty": 8}).status_code == 200
    rec = ct.records(frm="2026-11-10", to="2026-11-10", externalStatusCodeFilter=[1])[0]
    assert (rec["uid"], rec["approvedLevelOneBy"], rec["recordStateKey"], rec["lastUpdatedOn"]) == \
        (107004, "trineg", "107004_10_8.00", "2026-11-23 13:00:00")


def test_bad_scenario_transactions_change_nothing(ct, fieldsim):
    before = ct.records(frm="2026-11-10", to="2026-11-10")
    for bad in ([{**NIGHT, "qty": -1}], [{**NIGHT, "timeCategoryId": 77}], [{**NIGHT, "timeout": "25:00"}],
                [{k: v for k, v in NIGHT.items() if k != "datein"}], [NIGHT, {**NIGHT, "qty": 2}],
                [{**NIGHT, "uid": 1001855}], [{**NIGHT, "clientId": 999}], [{**NIGHT, "dateout": "2026-11-09"}],
                "nope"):
        r = load(fieldsim, bad)
        assert r.status_code == 400 and r.json()["message"], bad
    assert ct.records(frm="2026-11-10", to="2026-11-10") == before
    assert load(fieldsim, [NIGHT]).status_code == 200
    assert load(fieldsim, [NIGHT]).status_code == 400  # the uid exists now


def test_scenario_transactions_survive_state_export_import(ct, fieldsim):
    load(fieldsim, [{**NIGHT, "uid": None}])
    uid = [x for x in ct.records(frm="2026-11-10", to="2026-11-10", employeeIdFilter=[9001])][0]["uid"]
    exported = fieldsim.admin("GET", "state/capitech").json()
    fieldsim.admin("POST", "reset?api=capitech")
    ct._token = None
    assert ct.records(frm="2026-11-10", to="2026-11-10", employeeIdFilter=[9001]) == []
    fieldsim.admin("PUT", "state/capitech", json=exported)
    ct._token = None
    assert [x["uid"] for x in ct.records(frm="2026-11-10", to="2026-11-10", employeeIdFilter=[9001])] == [uid]


def test_scenario_records_keep_one_name_per_id_and_new_dimensions_join_the_catalogue_CT_CAT_1(ct, fieldsim):
    """CT-CAT-1, CT-TT-2, CT-TT-7: an added record naming a catalogue id otherwise is refused (the README's
    example gave department 50 a second name); names left out come from the catalogue, so the code
    filters find the record; ids new to the client appear in its Catalogue/get* answers."""
    from .test_ct_catalogue_admin import cat
    depts = {d["id"]: d["name"] for d in cat(ct, "getDepartments")}
    project = cat(ct, "getProjects", includePassive=True)[0]
    r = load(fieldsim, [{**NIGHT, "departmentid": 50, "department": "Logistikk" if depts[50] != "Logistikk" else "X"}])
    assert r.status_code == 400 and depts[50] in r.json()["message"], r.text
    bare = {k: v for k, v in NIGHT.items() if k not in ("department", "task", "project", "projectAlphanumericCode",
                                                         "subProjectid", "subProjectAlphanumericCode", "subProject")}
    assert load(fieldsim, [{**bare, "departmentid": 50, "taskid": None, "projectid": project["id"]}]).status_code == 200
    rec = next(x for x in ct.records(frm="2026-11-10", to="2026-11-10") if x["uid"] == NIGHT["uid"])
    assert (rec["department"], rec["project"], rec["projectAlphanumericCode"]) == (
        depts[50], project["name"], project["alphanumericCode"])
    assert NIGHT["uid"] in {x["uid"] for x in ct.records(frm="2026-11-10", to="2026-11-10",
                                                         projectAlphanumericCodeFilter=[project["alphanumericCode"]])}
    assert load(fieldsim, [{**NIGHT, "uid": 107005}]).status_code == 200  # department 95, project 7001: new
    assert {"id": 95, "name": "Logistikk"} in cat(ct, "getDepartments")
    assert any(p["id"] == 7001 and p["alphanumericCode"] == "B400" for p in cat(ct, "getProjects", includePassive=True))
    assert depts.items() <= {d["id"]: d["name"] for d in cat(ct, "getDepartments")}.items()


@pytest.mark.parametrize("section", ["approve", "change", "setExternalStatusCode"])
def test_a_scenario_naming_an_unknown_uid_is_a_400_and_changes_nothing(ct, fieldsim, section):
    """README Admin API: a scenario is validated as a whole and bad input is a 400 whose `message`
    names the problem (an unknown uid answered 404 there, as the direct admin call does)."""
    before = fieldsim.admin("GET", "state/capitech").json()
    body = {"clientId": 100, "uids": [987654321], "level": 1, "qty": 1.0, "uid": 987654321, "timeCategoryId": 10,
            "externalStatusCode": 5}
    r = fieldsim.admin("POST", "scenario", json={"capitech": {section: [body]}})
    assert r.status_code == 400 and section in r.json()["message"] and "987654321" in r.json()["message"], r.text
    assert fieldsim.admin("GET", "state/capitech").json() == before
