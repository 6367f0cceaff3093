"""Calls, envelope and sessions over HTTP: CT-API-1, CT-API-2, CT-AUTH-1..3."""
from __future__ import annotations

import json
import re

import pytest

ENVELOPE = {"success", "serverErrorMessage", "displayErrorMessage", "content"}
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def test_ct_api_1_json_and_text_json_accepted(ct):
    """CT-API-1."""
    body = json.dumps({"username": "demo", "password": "demo"})
    for ctype in ("application/json", "text/json", "application/json; charset=utf-8"):
        r = ct.http.post(f"{ct.base}/Access/login", data=body, headers={"Content-Type": ctype})
        assert r.status_code == 200 and r.json()["success"] is True, ctype


def test_ct_api_1_other_content_types_and_methods_refused(ct):
    """CT-API-1."""
    r = ct.http.post(f"{ct.base}/Access/login", data={"username": "demo", "password": "demo"})
    assert r.status_code == 415 and r.json()["success"] is False
    r = ct.http.get(f"{ct.base}/Time/getTimeTransactions")
    assert r.status_code == 405 and set(r.json()) == ENVELOPE
    r = ct.post("Time/noSuchMethod", {"accessToken": ct.token})
    assert r.status_code == 404 and r.json()["success"] is False


@pytest.mark.parametrize("path", ["/api/public/v1/time/gettimetransactions", "/API/Public/V1/Time/getTimeTransactions",
                                  "/Api/PUBLIC/v1/TIME/GETTIMETRANSACTIONS"])
def test_ct_api_1_paths_are_case_insensitive_like_aspnet(ct, fieldsim, path):
    """CT-API-1: the whole path routes whatever its case, the base path too (ASP.NET); an unknown
    method under it is still a 404 in the envelope (CT-API-2)."""
    r = ct.http.post(fieldsim.base_url + path, json={"accessToken": ct.token, "clientId": 100,
                                                     "fromDate": "2026-10-01", "toDate": "2026-10-02"}, timeout=30)
    assert r.status_code == 200 and r.json()["success"] is True
    r = ct.http.post(fieldsim.base_url + path.rpartition("/")[0] + "/noSuchMethod", json={}, timeout=30)
    assert r.status_code == 404 and set(r.json()) == ENVELOPE


def test_ct_api_1_accesstoken_and_clientid_in_body_not_elsewhere(ct):
    """CT-API-1."""
    r = ct.http.post(f"{ct.base}/Time/getTimeTransactions?accessToken={ct.token}",
                     json={"clientId": 100, "fromDate": "2026-10-01", "toDate": "2026-10-02"},
                     headers={"Authorization": f"Bearer {ct.token}"})
    assert r.status_code == 401


@pytest.mark.parametrize("body", [b"{not json", b"[1,2]", b'"text"'])
def test_ct_api_2_malformed_body_is_400_envelope(ct, body):
    """CT-API-2."""
    r = ct.http.post(f"{ct.base}/Time/getTimeTransactions", data=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    j = r.json()
    assert set(j) == ENVELOPE and j["success"] is False and j["content"] == [] and j["displayErrorMessage"]


def test_ct_api_2_envelope_on_success_and_error(ct):
    """CT-API-2."""
    ok = ct.tt(frm="2026-10-01", to="2026-10-01").json()
    assert set(ok) == ENVELOPE and ok["success"] is True
    assert ok["serverErrorMessage"] is None and ok["displayErrorMessage"] is None
    assert isinstance(ok["content"], list) and ok["content"]
    bad = ct.tt(frm="2026-10-01", to="2026-12-01").json()
    assert set(bad) == ENVELOPE and bad["success"] is False and bad["content"] == []


def test_ct_auth_1_login_returns_guid_tokens_with_expiry(ct):
    """CT-AUTH-1."""
    r = ct.post("Access/login", {"username": "demo", "password": "demo"})
    assert r.status_code == 200
    c = r.json()["content"][0]
    assert set(c) == {"accessToken", "accessTokenExpires", "refreshToken", "refreshTokenExpires"}
    assert GUID.match(c["accessToken"]) and GUID.match(c["refreshToken"])
    assert c["accessTokenExpires"].startswith("2026-11-23T13:00:00")


def test_ct_auth_1_token_lives_60_simulated_minutes(ct, fieldsim):
    """CT-AUTH-1."""
    token = ct.login()
    fieldsim.advance("PT59M")
    assert ct.tt(token=token, frm="2026-10-01", to="2026-10-01").status_code == 200
    fieldsim.advance("PT2M")
    r = ct.tt(token=token, frm="2026-10-01", to="2026-10-01")
    assert r.status_code == 401 and "Session expired" in r.text


@pytest.mark.parametrize("user,password", [("noaccess", "demo"), ("demo", "wrong"), ("nobody", "demo")])
def test_ct_auth_1_login_refused_without_api_access_or_bad_password(ct, user, password):
    """CT-AUTH-1."""
    r = ct.post("Access/login", {"username": user, "password": password})
    j = r.json()
    assert r.status_code == 200 and j["success"] is False and j["content"] == [] and j["displayErrorMessage"]


def test_ct_auth_1_login_without_fields_is_400(ct):
    """CT-AUTH-1."""
    r = ct.post("Access/login", {"username": "demo"})
    assert r.status_code == 400 and r.json()["success"] is False


@pytest.mark.parametrize("token", ["", "00000000-0000-0000-0000-000000000000", None, 42])
def test_ct_auth_2_unknown_token_is_401_session_expired(ct, token):
    """CT-AUTH-2."""
    body = {"clientId": 100, "fromDate": "2026-10-01", "toDate": "2026-10-01"}
    if token is not None:
        body["accessToken"] = token
    r = ct.post("Time/getTimeTransactions", body)
    assert r.status_code == 401 and "Session expired" in r.text and r.json()["success"] is False


def test_ct_auth_2_logout_ends_the_token(ct):
    """CT-AUTH-2."""
    token = ct.login()
    other = ct.login()
    assert ct.post("Access/logout", {"accessToken": token}).json()["success"] is True
    assert ct.tt(token=token).status_code == 401
    assert ct.post("Access/logout", {"accessToken": token}).status_code == 401
    assert ct.tt(token=other, frm="2026-10-01", to="2026-10-01").status_code == 200


def test_ct_auth_2_expire_tokens_fault_ends_all_sessions(ct, fieldsim):
    """CT-AUTH-2."""
    token = ct.login()
    fieldsim.admin("POST", "faults", json={"api": "capitech", "kind": "expire_tokens", "times": 1})
    r = ct.tt(token=token)
    assert r.status_code == 401 and "Session expired" in r.text
    fresh = ct.login()
    assert ct.tt(token=fresh, frm="2026-10-01", to="2026-10-01").json()["success"] is True


def test_ct_auth_3_other_tenant_looks_like_unknown_client(ct):
    """CT-AUTH-3."""
    mine = ct.records(client=200, frm="2026-10-01", to="2026-10-01")
    assert mine and all(r["clientId"] == 200 for r in mine)
    other = ct.tt(client=300).json()     # exists, belongs to demo2
    unknown = ct.tt(client=999).json()
    assert other["success"] is False and other["content"] == []
    assert other["displayErrorMessage"].replace("300", "X") == unknown["displayErrorMessage"].replace("999", "X")
    assert other["serverErrorMessage"].replace("300", "X") == unknown["serverErrorMessage"].replace("999", "X")
    t300 = ct.login("demo2")
    assert ct.tt(client=100, token=t300).json()["success"] is False
    assert ct.tt(client=300, token=t300, frm="2026-10-01", to="2026-10-01").json()["content"]


def test_ct_auth_3_other_tenant_cannot_set_codes_or_read_catalogue(ct):
    """CT-AUTH-3."""
    uid = ct.records(client=100, frm="2026-10-01", to="2026-10-01")[0]["uid"]
    t300 = ct.login("demo2")
    r = ct.post("Time/setExternalStatusCode", {"accessToken": t300, "clientId": 100, "externalStatusCode": 1, "uids": [uid]})
    assert r.json()["success"] is False
    r = ct.post("Time/setExternalStatusCode", {"accessToken": t300, "clientId": 300, "externalStatusCode": 1, "uids": [uid]})
    assert r.json()["success"] is False and str(uid) in r.json()["displayErrorMessage"]
    assert ct.records(client=100, frm="2026-10-01", to="2026-10-01", externalStatusCodeFilter=[1]) == []
    r = ct.post("Catalogue/getDepartments", {"accessToken": t300, "clientId": 100})
    assert r.json()["success"] is False and r.json()["content"] == []


def test_injected_faults_answer_in_the_capitech_envelope(ct, fieldsim):
    """CT-API-2: faults and rate limits use the provider's envelope too."""
    assert ct.token
    fieldsim.admin("POST", "faults", json={"api": "capitech", "kind": "http_status", "status": 503, "times": 1})
    r = ct.tt()
    assert r.status_code == 503 and set(r.json()) == ENVELOPE and r.json()["success"] is False
    fieldsim.admin("POST", "faults", json={"api": "capitech", "kind": "rate_limit", "times": 1})
    r = ct.tt()
    assert r.status_code == 429 and r.headers["Retry-After"] and r.json()["success"] is False
    assert ct.tt(frm="2026-10-01", to="2026-10-01").json()["success"] is True


@pytest.mark.parametrize("rule_path, called", [("/api/public/v1/Time", "time/gettimetransactions"),
                                               ("/api/public/v1/time", "Time/getTimeTransactions")])
def test_a_fault_path_matches_whatever_the_case_as_the_routes_do_CT_API_2(ct, fieldsim, rule_path, called):
    """CT-API-1, CT-API-2: the paths route whatever their case (ASP.NET), so a fault's path prefix
    matches them the same way: it fired for one spelling only, and stayed armed."""
    assert ct.token
    fieldsim.admin("POST", "faults", json={"api": "capitech", "path": rule_path, "kind": "http_status",
                                           "status": 418, "times": 1})
    body = {"accessToken": ct.token, "clientId": 100, "fromDate": "2026-10-01", "toDate": "2026-10-01"}
    assert ct.post(called, body).status_code == 418
    assert ct.post(called, body).status_code == 200 and fieldsim.admin("GET", "faults").json() == []


def test_unknown_path_and_wrong_method_answer_the_envelope(ct):
    """CT-API-1, CT-API-2."""
    r = ct.http.get(f"{ct.base}/nothing")
    assert r.status_code == 404 and set(r.json()) == ENVELOPE
    r = ct.http.delete(f"{ct.base}/Access/login")
    assert r.status_code == 405 and r.headers["Allow"] == "POST" and set(r.json()) == ENVELOPE


def test_body_property_names_bind_whatever_their_case_and_a_bom_is_skipped_CT_API_1(ct):
    """CT-API-1: ASP.NET Core binds JSON property names case-insensitively (as it routes paths) and its
    reader skips a UTF-8 byte-order mark: "EmployeeIdFilter" filters (it was ignored silently, and the
    whole month came back), "Username"/"Password" log in, a BOM-led body is read."""
    some = ct.records(frm="2026-10-01", to="2026-10-03")
    emp = some[0]["employeeid"]
    got = ct.post("Time/getTimeTransactions", {"AccessToken": ct.token, "ClientId": 100, "FromDate": "2026-10-01",
                                               "ToDate": "2026-10-03", "EmployeeIdFilter": [emp]}).json()
    assert got["success"] is True and {r["employeeid"] for r in got["content"]} == {emp}
    assert len(got["content"]) < len(some)
    login = ct.post("Access/login", {"Username": "demo", "Password": "demo"}).json()
    assert login["success"] is True and login["content"][0]["accessToken"]
    raw = b"\xef\xbb\xbf" + json.dumps({"username": "demo", "password": "demo"}).encode()
    r = ct.http.post(f"{ct.base}/Access/login", data=raw, headers={"Content-Type": "application/json"}, timeout=30)
    assert r.status_code == 200 and r.json()["success"] is True
