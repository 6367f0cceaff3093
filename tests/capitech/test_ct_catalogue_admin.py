"""Catalogue reads (CT-CAT-1), the admin calls (approve, change), scenarios and state export."""
from __future__ import annotations

import pytest

CALLS = ["getDepartments", "getTasks", "getProjects", "getSubProjects", "getPhases", "getOrders",
         "getFreeDimension1s", "getFreeDimension2s", "getDutyDefinitions"]


def cat(ct, method, client=100, **extra):
    r = ct.post(f"Catalogue/{method}", {"accessToken": ct.token, "clientId": client, **extra})
    assert r.status_code == 200 and r.json()["success"] is True, r.text
    return r.json()["content"]


@pytest.mark.parametrize("method", CALLS)
def test_ct_cat_1_every_catalogue_call_answers_a_list(ct, method):
    items = cat(ct, method)
    assert items and all(isinstance(i["id"], int) for i in items)
    assert ct.post(f"Catalogue/{method}", {"accessToken": "nope", "clientId": 100}).status_code == 401


def test_ct_cat_1_catalogue_consistent_with_transactions(ct):
    recs = ct.records(frm="2026-10-01", to="2026-10-31")
    depts = {d["id"]: d["name"] for d in cat(ct, "getDepartments")}
    assert {(r["departmentid"], r["department"]) for r in recs} <= set(depts.items())
    tasks = {(t["departmentId"], t["id"]): t["name"] for t in cat(ct, "getTasks")}
    assert all(tasks[(r["departmentid"], r["taskid"])] == r["task"] for r in recs)
    projects = {p["id"]: p for p in cat(ct, "getProjects", includePassive=True)}
    for r in recs:
        if r["projectid"] is not None:
            p = projects[r["projectid"]]
            assert (p["name"], p["alphanumericCode"]) == (r["project"], r["projectAlphanumericCode"])
    subs = {(s["projectId"], s["id"]): s for s in cat(ct, "getSubProjects")}
    assert all(subs[(r["projectid"], r["subProjectid"])]["name"] == r["subProject"]
               for r in recs if r["subProjectid"] is not None)
    phases = {(p["projectId"], p["subProjectId"], p["id"]): p["name"] for p in cat(ct, "getPhases")}
    assert all(phases[(r["projectid"], r["subProjectid"], r["projectPhaseid"])] == r["projectPhase"]
               for r in recs if r["projectPhaseid"] is not None)
    orders = {o["id"]: o["name"] for o in cat(ct, "getOrders")}
    assert all(orders[r["orderid"]] == r["order"] for r in recs if r["orderid"] is not None)
    fd1 = {f["id"]: f["name"] for f in cat(ct, "getFreeDimension1s")}
    assert all(fd1[r["freeDimension1Id"]] == r["freeDimension1"] for r in recs if r["freeDimension1Id"] is not None)
    fd2 = {f["id"]: f["name"] for f in cat(ct, "getFreeDimension2s")}
    assert all(fd2[r["freeDimension2Id"]] == r["freeDimension2"] for r in recs if r["freeDimension2Id"] is not None)
    duties = {d["id"]: d for d in cat(ct, "getDutyDefinitions")}
    for r in recs:
        if r["shiftId"] is not None:
            d = duties[r["shiftId"]]
            assert (d["classicDutyId"], d["code"], d["description"]) == (r["classicdutyid"], r["shift"], r["classicduty"])


def test_ct_cat_1_include_passive_projects(ct):
    active = cat(ct, "getProjects")
    everything = cat(ct, "getProjects", includePassive=True)
    assert all(p["passive"] is False for p in active)
    assert len(everything) > len(active) and any(p["passive"] for p in everything)


def test_admin_approve_validates_and_changes_nothing_on_bad_input(ct):
    uid = ct.records(frm="2026-10-05", to="2026-10-05")[0]["uid"]
    for body, status in (({"clientId": 100, "uids": [uid], "level": 5}, 400),
                         ({"clientId": 100, "uids": [], "level": 1}, 400),
                         ({"clientId": 999, "uids": [uid], "level": 1}, 400),
                         ({"clientId": 100, "uids": [uid, 5], "level": 4}, 404),
                         ({"clientId": 200, "uids": [uid], "level": 4}, 404)):
        r = ct.admin("approve", body)
        assert r.status_code == status and r.json()["message"], body
    assert ct.records(frm="2026-10-05", to="2026-10-05", approvedLevelFilter=[4]) == []
    assert ct.admin("approve", {"clientId": 100, "uids": [uid], "level": 4}).status_code == 200
    assert {r["uid"] for r in ct.records(frm="2026-10-05", to="2026-10-05", approvedLevelFilter=[4])} == {uid}


def test_admin_change_validates(ct):
    rec = ct.records(frm="2026-10-05", to="2026-10-05")[0]
    for body in ({"clientId": 100, "uid": rec["uid"], "timeCategoryId": 99, "qty": 1},
                 {"clientId": 100, "uid": rec["uid"], "timeCategoryId": rec["timeCategoryId"], "qty": -1},
                 {"clientId": 100, "uid": rec["uid"], "timeCategoryId": rec["timeCategoryId"], "qty": "8"},
                 {"clientId": 100, "uid": 1, "timeCategoryId": rec["timeCategoryId"], "qty": 8}):
        assert ct.admin("change", body).status_code in (400, 404), body
    again = [r for r in ct.records(frm="2026-10-05", to="2026-10-05") if r["uid"] == rec["uid"]]
    assert rec in again


def test_scenario_approves_changes_and_sets_codes(ct, fieldsim):
    recs = ct.records(frm="2026-10-05", to="2026-10-05")
    a, b = recs[0], recs[-1]
    r = fieldsim.admin("POST", "scenario", json={"capitech": {
        "approve": [{"clientId": 100, "uids": [a["uid"]], "level": 2}],
        "change": [{"clientId": 100, "uid": b["uid"], "timeCategoryId": b["timeCategoryId"], "qty": 3.5}],
        "setExternalStatusCode": [{"clientId": 100, "externalStatusCode": 9, "uids": [a["uid"]]}]}})
    assert r.status_code == 200, r.text
    now = {(x["uid"], x["timeCategoryId"]): x for x in ct.records(frm="2026-10-05", to="2026-10-05")}
    assert now[(a["uid"], a["timeCategoryId"])]["approvedLevelTwo"] == 1
    assert now[(a["uid"], a["timeCategoryId"])]["externalStatusCode"] == 9
    assert now[(b["uid"], b["timeCategoryId"])]["recordStateKey"].endswith("_3.50")
    assert fieldsim.admin("POST", "scenario", json={"capitech": {"bogus": []}}).status_code == 400


def test_state_export_import_roundtrip_keeps_mutations(ct, fieldsim):
    uid = ct.records(frm="2026-10-05", to="2026-10-05")[0]["uid"]
    ct.post("Time/setExternalStatusCode", {"accessToken": ct.token, "clientId": 100, "externalStatusCode": 5, "uids": [uid]})
    exported = fieldsim.admin("GET", "state/capitech").json()
    assert exported["dataset"]["seed"] == 42
    fieldsim.admin("POST", "reset?api=capitech")
    ct.set_clock("2026-11-23T12:00:00+01:00")
    assert ct.records(frm="2026-10-05", to="2026-10-05", externalStatusCodeFilter=[5]) == []
    assert fieldsim.admin("PUT", "state/capitech", json=exported).status_code == 200
    ct._token = None
    assert {r["uid"] for r in ct.records(frm="2026-10-05", to="2026-10-05", externalStatusCodeFilter=[5])} == {uid}
    wrong = {**exported, "dataset": {**exported["dataset"], "seed": 7}}
    assert fieldsim.admin("PUT", "state/capitech", json=wrong).status_code == 400


def test_credentials_list_demo_users_with_the_clients_this_scale_has(ct, fieldsim):
    """INTERFACE.md /__admin/credentials: every listed clientId answers; client 400 exists only on
    --scale large, so demo2 lists 300 alone on the default scale."""
    creds = fieldsim.admin("GET", "credentials").json()["capitech"]
    users = {u["username"]: u for u in creds["users"]}
    assert users["demo"]["password"] == "demo" and users["demo"]["clientIds"] == [100, 200]
    assert users["demo2"]["clientIds"] == [300]
    assert users["noaccess"]["apiAccess"] is False
    for user in ("demo", "demo2"):
        token = ct.login(user, users[user]["password"])
        for client in users[user]["clientIds"]:
            r = ct.post("Catalogue/getDepartments", {"accessToken": token, "clientId": client})
            assert r.json()["success"] is True, (user, client, r.text)


def test_openapi_document_served(ct):
    r = ct.http.get(f"{ct.base}/openapi.json")
    doc = r.json()
    assert r.status_code == 200 and doc["openapi"].startswith("3.")
    assert "/api/public/v1/Time/getTimeTransactions" in doc["paths"]
