"""Access rules over HTTP: tokens in the URL, both required, version 8 only, accounts isolated."""
from __future__ import annotations

import pytest

from .wbhelp import DEMO, OTHER, order


def test_wb_auth_1_token_is_a_url_parameter_on_post_too_and_there_is_no_session(wb):
    """WB-AUTH-1: base /openapi/8/<function>/, token as URL parameter (POST too), per request."""
    body = [{"firstname": "Jan", "lastname": "Klaassen", "number": "900"}]
    assert wb.code("POST", "employees", json=body)["code"] == 200
    # the same tokens in the JSON body or headers do not count: only the URL parameters do
    r = wb.call("POST", "employees", auth=None, json=body, headers={"token": DEMO["token"]})
    assert r.json()["code"] == 1002
    # a good request does not open a session for the next one
    assert wb.code("GET", "employees", auth=None)["code"] == 1002
    # with or without trailing slash
    r = wb.http.get(wb.base + "employees", params=DEMO)
    assert r.json()["code"] == 200


@pytest.mark.parametrize("params, code", [
    ({}, 1002),
    ({"software_token": DEMO["software_token"]}, 1002),
    ({"token": DEMO["token"]}, 1003),
    ({"token": DEMO["token"], "software_token": ""}, 1003),
    ({"token": "wrong", "software_token": DEMO["software_token"]}, 1004),
    ({"token": DEMO["token"], "software_token": "wrong"}, 1005),
    ({"token": DEMO["token"], "software_token": OTHER["software_token"]}, 1005),  # not matched to this customer
])
def test_wb_auth_2_missing_or_wrong_tokens_answer_1002_to_1005(wb, params, code):
    """WB-AUTH-2: missing token 1002, missing software_token 1003, wrong 1004 / 1005; nothing returned."""
    body = wb.code("GET", "employees", auth=params)
    assert body == {"code": code, "messages": body["messages"], "response": None}
    body = wb.code("POST", "employees", auth=params, json=[{"firstname": "A", "lastname": "B", "number": "77"}])
    assert body["code"] == code
    assert all(e["number"] != "77" for e in wb.ok("GET", "employees"))


@pytest.mark.parametrize("version", ["7", "9", "1", "v8", "08"])
def test_wb_auth_3_only_version_8_is_served_other_versions_answer_1001(wb, version):
    """WB-AUTH-3: the version is part of the URL; only 8 is complete, others → 1001."""
    r = wb.http.get(f"{wb.sim.base_url}/openapi/{version}/employees/", params=DEMO)
    assert r.status_code == 200
    assert r.json()["code"] == 1001
    assert wb.code("GET", "employees")["code"] == 200


def test_wb_auth_4_accounts_are_isolated(wb):
    """WB-AUTH-4: a token sees only its own account; another account's order looks unknown."""
    wb.ok("POST", "employees", json=[{"firstname": "Only", "lastname": "Mine", "number": "555"}])
    mine = wb.ok("POST", "PostWorkorders", json=[order("ISO-1")])[0]
    assert all(e["number"] != "555" for e in wb.ok("GET", "employees", auth=OTHER))
    theirs = wb.code("GET", "GetWorkorder", {"row_id": mine["row_id"]}, auth=OTHER)
    assert theirs["code"] == 1500 and theirs["response"] is None
    unknown = wb.code("GET", "GetWorkorder", {"row_id": 99999999}, auth=OTHER)
    assert unknown["code"] == theirs["code"]
    assert all(o["WorkorderNo"] != "ISO-1" for o in
               wb.ok("GET", "GetWorkorders", {"status": "Alle", "update_status": "false"}, auth=OTHER))
    assert wb.ok("GET", "DeleteEntity", {"entity": "employee", "key": "number", "value": "555",
                                         "delete_all": "false"}, auth=OTHER) == 0
    assert any(e["number"] == "555" for e in wb.ok("GET", "employees"))
    # the second account has its own seeded data
    assert wb.ok("GET", "employees", auth=OTHER)


def test_wb_auth_4_credentials_document_both_accounts(fieldsim):
    creds = fieldsim.credentials["werkbon"]
    assert (creds["token"], creds["software_token"]) == tuple(DEMO.values())
    assert creds["other_account"]["token"] == OTHER["token"]
    creds = creds["accounts"]
    assert {(a["token"], a["software_token"]) for a in creds} == {tuple(DEMO.values()), tuple(OTHER.values())}


def test_wb_auth_3_other_versions_only_when_configured(wb, fieldsim, monkeypatch):
    """WB-AUTH-3 [decision]: api option "versions" can serve the same model under more numbers."""
    api = fieldsim.runtime.apis["werkbon"]
    r = wb.http.get(f"{wb.sim.base_url}/openapi/7/employees/", params=DEMO)
    assert r.json()["code"] == 1001
    monkeypatch.setitem(api.options, "versions", ["8", "7"])
    r = wb.http.get(f"{wb.sim.base_url}/openapi/7/employees/", params=DEMO)
    assert r.json()["code"] == 200
