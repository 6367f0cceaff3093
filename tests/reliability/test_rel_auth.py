"""Credential sweep (issue 9): every route of every simulated API refuses missing and wrong
credentials in that API's own format. Routes are ENUMERATED from the app (url_map of
simulators.app.create_app), WerkbonApp's 51 paths from the vendor document, Stadsnät's method
values from its OpenAPI enum, Cloudplan's operations from each service's served WSDL and Capitech's
calls from its served OpenAPI document, so a new route cannot slip through: a url_map rule that is
neither swept nor in PUBLIC (with a reason) fails test_rel_every_route_is_swept_or_public.
Rules: CAPO-AUTH-1, CAPO-ERR-1, SNP-AUTH-2, SNP-AUTH-3, SNP-ERR-1, CP-AUTH-2, CP-AUTH-4, CT-AUTH-1,
CT-AUTH-2, CT-API-2, WB-AUTH-1, WB-AUTH-2, WB-ERR-1."""
from __future__ import annotations

import json
import re

import requests
from lxml import etree

from contracts.cloudplan.helpers import NS, SOAP11, envelope
from contracts.werkbon import overlay

WRONG_HEX = "0123456789abcdef0123456789abcdef"
WRONG_GUID = "00000000-0000-4000-8000-000000000000"

# url_map rules that are public by design, each with its reason. Everything else must be swept.
PUBLIC = {
    "/api/capo/documentation.json": "CAPO's OpenAPI document is public (CAPO-DOC-1)",
    "/api/capo/documentation/": "CAPO's Swagger UI page is public (CAPO-DOC-1)",
    "/api/capo/documentation/<path:asset>": "the Swagger UI page's static assets (CAPO-DOC-1)",
    "/api/capo/upload/<bijlageId>": "presigned upload URL: the signature is the credential (CAPO-BA-2); "
                                    "unsigned/forged signatures are checked in test_rel_presigned_urls",
    "/api/capo/download/<bijlageId>": "presigned download URL (CAPO-BA-10); checked in test_rel_presigned_urls",
    "/plain/serviceguide_log/openapi.json": "the simulator's description of the JSON variant",
    "/v1/": "Cloudplan overview page listing the services (CP-WS-1)",
    "/v1": "Cloudplan overview page (CP-WS-1)",
    "/api/public/v1/openapi.json": "the simulator's OpenAPI document of the Capitech calls",
}
# url_map rules swept by a test below, by the sweep's name.
SWEPT = {
    "capo": "test_rel_capo_every_route_refuses_missing_and_wrong_tokens",
    "stadsnet": "test_rel_stadsnet_every_method_refuses_missing_and_wrong_hash",
    "cloudplan": "test_rel_cloudplan_every_operation_refuses_missing_and_wrong_tokens",
    "capitech": "test_rel_capitech_every_call_refuses_missing_and_wrong_tokens",
    "werkbon": "test_rel_werkbon_every_document_path_refuses_missing_and_wrong_tokens",
}


def api_rules(server):
    """(api name, rule, methods) for every url_map rule owned by a simulated API."""
    out = []
    for rule in server.app.url_map.iter_rules():
        api = server.runtime.api_for(rule.rule.split("<")[0] or "/")
        if api is None or rule.rule.startswith("/__admin"):
            continue
        out.append((api.name, rule.rule, sorted(rule.methods - {"HEAD", "OPTIONS"})))
    return out


def test_rel_every_route_is_swept_or_public(rel):
    """Every url_map rule of a simulated API is either swept below or public with a reason."""
    rules = api_rules(rel)
    assert {name for name, _, _ in rules} == set(rel.runtime.apis), rules
    for name, rule, _ in rules:
        assert rule in PUBLIC or name in SWEPT, f"route {rule} of {name} is neither swept nor public"
    stale = set(PUBLIC) - {r for _, r, _ in rules}
    assert not stale, f"stale PUBLIC entries: {stale}"


# -- CAPO ---------------------------------------------------------------------------------------
def _fill(rule: str) -> str:
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: "3000104" if m.group(1) == "projectId" else "62c7d159eb277e1b79161430", rule)


def _capo_refused(resp, rule, method):
    assert resp.status_code == 401, (method, rule, resp.status_code, resp.text[:200])
    assert resp.headers["Content-Type"].startswith("application/json"), (rule, resp.headers)
    body = resp.json()
    assert list(body) == ["message"] and body["message"], body


def test_rel_capo_every_route_refuses_missing_and_wrong_tokens_CAPO_AUTH_1_CAPO_ERR_1(rel):
    """CAPO-AUTH-1 / CAPO-ERR-1: no token, an unknown token, a non-Bearer scheme → 401 {"message"}
    on every route and method; nothing changes."""
    before = requests.get(rel.base_url + "/__admin/state/capo", timeout=30).json()
    swept = 0
    for name, rule, methods in api_rules(rel):
        if name != "capo" or rule in PUBLIC:
            continue
        url = rel.base_url + _fill(rule)
        for method in methods:
            for headers in ({}, {"Authorization": "Bearer capo-unknown-demo"}, {"Authorization": "Basic ZGVtbzpkZW1v"},
                            {"Authorization": "Bearer "}, {"Authorization": "capo-netbeheerder-demo"}):
                resp = requests.request(method, url, headers=headers, json={"status": "done"}, timeout=30)
                _capo_refused(resp, rule, method)
                swept += 1
    assert swept >= 17 * 5  # 17 route+method pairs today
    assert requests.get(rel.base_url + "/__admin/state/capo", timeout=30).json() == before


def test_rel_presigned_urls_refuse_missing_and_forged_signatures_CAPO_BA_2(rel):
    """CAPO-BA-2 / CAPO-BA-10: the public upload/download URLs need their own valid signature:
    none, a forged one, or one for another bijlage → 403 {"message"}, nothing stored."""
    h = {"Authorization": "Bearer capo-aannemer-demo"}
    ba = next(b for b in requests.get(rel.base_url + "/api/capo/bijlageassigned", headers=h, timeout=30).json()
              if b["status"] == "assigned")
    made = [requests.post(f"{rel.base_url}/api/capo/project/{ba['projectId']}/bijlageassigned/{ba['bijlageAssignedId']}/bijlage",
                          headers=h, json={"bestandsnaam": f"{i}.pdf"}, timeout=30).json() for i in range(2)]
    url0, url1 = made[0]["url"], made[1]["url"]
    path0, query0 = url0.split("?", 1)
    forged = re.sub(r"(sig\w*=)[^&]+", lambda m: m.group(1) + "0" * 64, query0)
    before = requests.get(rel.base_url + "/__admin/state/capo", timeout=30).json()
    for url in (path0, f"{path0}?{forged}", f"{url1.split('?')[0]}?{query0}",
                path0.replace("/upload/", "/download/") + "?" + query0):
        method = "GET" if "/download/" in url else "PUT"
        resp = requests.request(method, url, data=b"evil", timeout=30)
        assert resp.status_code in (401, 403, 404), (url, resp.status_code, resp.text)
        assert resp.json()["message"], resp.text
    assert requests.get(rel.base_url + "/__admin/state/capo", timeout=30).json() == before
    assert requests.put(url0, data=b"ok", timeout=30).status_code in (200, 201, 204)  # the real URL works


# -- Stadsnät -----------------------------------------------------------------------------------
def _snp_error(resp, method):
    assert resp.status_code == 200, resp.text[:200]
    if resp.headers["Content-Type"].startswith("application/json"):
        body = resp.json()
        assert body["status"] == "error" and body["response"]["message"], body
        return body["response"]["message"]
    root = etree.fromstring(resp.content)
    assert root.tag == method and root.findtext("status") == "error", resp.text[:300]
    return root.findtext("response/message")


def test_rel_stadsnet_every_method_refuses_missing_and_wrong_hash_SNP_AUTH_2_SNP_AUTH_3_SNP_ERR_1(rel):
    """SNP-AUTH-1..3 / SNP-ERR-1: every method value of the served document, XML and JSON: no hash,
    an unknown hash, a KO/TL key mix-up at login, add_message by a user who never logged in →
    the method's error envelope; nothing changes."""
    api = rel.base_url + "/plain/serviceguide_log"
    doc = requests.get(api + "/openapi.json", timeout=30).json()
    param = next(p for p in doc["paths"]["/plain/serviceguide_log"]["get"]["parameters"] if p["name"] == "method")
    methods = param["schema"]["enum"]
    assert len(methods) >= 8, methods
    before = requests.get(rel.base_url + "/__admin/state/stadsnet", timeout=30).json()
    args = {"id": "19530", "date": "2025-01-01", "status": "received", "message": "x", "type": "error"}
    for method in methods:
        for fmt in ({}, {"output_format": "json"}):
            for http in ("GET", "POST"):
                if method == "api_login":
                    attempts = [{"api_user": "1001"}, {"api_user": "1001", "api_key": "tl2-demo-key"},
                                {"api_user": "9999", "api_key": "tl-demo-key"}, {"api_key": "tl-demo-key"}]
                else:
                    attempts = [{}, {"hash": WRONG_HEX}, {"hash": ""}, {"hash": "' OR 1=1 --"}, {"api_user": "1001"}]
                for cred in attempts:
                    params = {"method": method, **args, **fmt, **cred}
                    resp = (requests.get(api, params=params, timeout=30) if http == "GET"
                            else requests.post(api, data=params, timeout=30))
                    msg = _snp_error(resp, method)
                    assert "logged in" not in msg or method == "add_message", (method, cred, msg)
    assert requests.get(rel.base_url + "/__admin/state/stadsnet", timeout=30).json() == before


# -- Cloudplan ----------------------------------------------------------------------------------
_P = etree.XMLParser(resolve_entities=False, no_network=True)


def wsdl_operations(base, service) -> set:
    root = etree.fromstring(requests.get(f"{base}/v1/{service}?wsdl", timeout=30).content, _P)
    return {op.get("name") for op in root.iter("{http://schemas.xmlsoap.org/wsdl/}operation")}


def test_rel_cloudplan_every_operation_refuses_missing_and_wrong_tokens_CP_AUTH_4_CP_AUTH_2(rel):
    """CP-AUTH-4 / CP-AUTH-2: every operation of every service (read from its served WSDL): no
    <authentication>, an empty, unknown or the other tenant's logged-out token → the normal response
    with the <error> block "The current session is not authenticated"; a wrong password at login →
    AUTHENTICATION_FAILED. Nothing changes."""
    from simulators.cloudplan.wire import SERVICES
    before = requests.get(rel.base_url + "/__admin/state/cloudplan", timeout=30).json()
    swept = 0
    for service in SERVICES:
        ops = wsdl_operations(rel.base_url, service)
        assert ops == set(SERVICES[service]), (service, ops)
        for op in ops:
            if op == "login":
                creds = ["<username>demo</username><password>wrong</password>", "<username>demo</username>",
                         "<username>nobody</username><password>demo</password>", ""]
                for inner in creds:
                    r = requests.post(f"{rel.base_url}/v1/{service}", data=envelope(op, inner), timeout=30)
                    assert r.status_code == 200 and "<error>AUTHENTICATION_FAILED</error>" in r.text, r.text[:400]
                    assert "<authenticationToken>" not in r.text
                continue
            for auth in ("", "<authentication/>", "<authentication><token></token></authentication>",
                         f"<authentication><token>{WRONG_HEX}</token></authentication>"):
                r = requests.post(f"{rel.base_url}/v1/{service}", data=envelope(op, auth), timeout=30)
                assert r.status_code == 200, (op, auth, r.status_code, r.text[:300])
                root = etree.fromstring(r.content, _P)
                ret = root.find(f"{{{SOAP11}}}Body/{{{NS}}}{op}Response/return")
                assert ret is not None and ret.findtext("error/message") == "The current session is not authenticated", r.text[:400]
                swept += 1
    assert swept == 4 * (1 + 3 * 5)
    after = requests.get(rel.base_url + "/__admin/state/cloudplan", timeout=30).json()
    # failed logins are counted by design (CP-AUTH-3: 5 in a row lock the account); nothing else may move
    assert {k: v for k, v in after["collections"].items() if k != "logins"} == \
        {k: v for k, v in before["collections"].items() if k != "logins"}
    assert after["collections"]["logins"]["demo"]["count"] == 2
    assert set(after["collections"]["logins"]) <= set(before["collections"].get("logins", {})) | {"demo"}


# -- Capitech -----------------------------------------------------------------------------------
def test_rel_capitech_every_call_refuses_missing_and_wrong_tokens_CT_AUTH_2_CT_API_2(rel):
    """CT-AUTH-1 / CT-AUTH-2 / CT-API-2: every call of the served document: no accessToken, an unknown
    GUID, a refresh token used as access token, a logged-out token → HTTP 401 envelope "Session
    expired"; login with wrong credentials or without API access → success:false, no token."""
    base = rel.base_url
    doc = requests.get(base + "/api/public/v1/openapi.json", timeout=30).json()
    paths = list(doc["paths"])
    assert len(paths) >= 13, paths
    login = requests.post(base + "/api/public/v1/Access/login", json={"username": "demo", "password": "demo"}, timeout=30)
    refresh = login.json()["content"][0]["refreshToken"]
    gone = requests.post(base + "/api/public/v1/Access/login", json={"username": "demo", "password": "demo"},
                         timeout=30).json()["content"][0]["accessToken"]
    requests.post(base + "/api/public/v1/Access/logout", json={"accessToken": gone}, timeout=30)
    before = requests.get(base + "/__admin/state/capitech", timeout=30).json()
    for path in paths:
        url = base + path
        if path.endswith("/Access/login"):
            for creds in ({"username": "demo", "password": "wrong"}, {"username": "noaccess", "password": "demo"},
                          {"username": "demo"}, {"username": "", "password": ""}):
                body = requests.post(url, json=creds, timeout=30).json()
                assert body["success"] is False and body["content"] in ([], None) and body["serverErrorMessage"], body
            continue
        for token in (None, WRONG_GUID, refresh, gone, "", "' OR 1=1 --"):
            payload = {"clientId": 100, "fromDate": "2026-10-01", "toDate": "2026-10-02", "uids": [1], "externalStatusCode": 1}
            if token is not None:
                payload["accessToken"] = token
            resp = requests.post(url, json=payload, timeout=30)
            assert resp.status_code == 401, (path, token, resp.status_code, resp.text[:200])
            body = resp.json()
            assert body["success"] is False and "Session expired" in body["serverErrorMessage"], body
            assert set(body) == {"success", "serverErrorMessage", "displayErrorMessage", "content"}
    # the dispatch rule also routes other methods (url_map): without a token they are refused in the envelope too
    (rule_methods,) = [m for n, r, m in api_rules(rel) if n == "capitech" and "<method>" in r]
    for path in paths:
        for method in set(rule_methods) - {"POST"}:
            resp = requests.request(method, base + path, timeout=30)
            assert resp.status_code in (401, 405), (method, path, resp.status_code)
            if method != "HEAD":
                assert resp.json()["success"] is False, resp.text[:200]
    after = requests.get(base + "/__admin/state/capitech", timeout=30).json()
    assert after == before


# -- WerkbonApp ---------------------------------------------------------------------------------
WB = ("werkbon-demo-token", "werkbon-demo-software")
WB2 = ("werkbon-demo2-token", "werkbon-demo2-software")


def test_rel_werkbon_every_document_path_refuses_missing_and_wrong_tokens_WB_AUTH_2_WB_ERR_1(rel):
    """WB-AUTH-1 / WB-AUTH-2 / WB-ERR-1: all 51 paths of the vendor document, each documented
    method: no token → 1002, no software_token → 1003, wrong token → 1004, wrong software token or
    another account's → 1005; HTTP 200 envelope, response null; nothing changes."""
    spec = json.loads(overlay.SPEC.read_text())
    assert len(spec["paths"]) == 51
    before = requests.get(rel.base_url + "/__admin/state/werkbon", timeout=30).json()
    cases = [({}, 1002), ({"software_token": WB[1]}, 1002), ({"token": WB[0]}, 1003),
             ({"token": "nope", "software_token": WB[1]}, 1004), ({"token": WB[0], "software_token": "nope"}, 1005),
             ({"token": WB[0], "software_token": WB2[1]}, 1005), ({"token": WB2[0], "software_token": WB[1]}, 1005)]
    swept = 0
    for path, ops in spec["paths"].items():
        for method in ops:
            if method.upper() not in ("GET", "POST", "PUT", "DELETE", "PATCH"):
                continue
            for params, code in cases:
                resp = requests.request(method.upper(), f"{rel.base_url}/openapi/8{path}/", params=params,
                                        json=[{"number": "1"}], timeout=30)
                assert resp.status_code == 200, (path, resp.status_code)
                body = resp.json()
                assert body["code"] == code and body["response"] is None and body["messages"], (method, path, params, body)
                swept += 1
    assert swept >= 51 * len(cases)
    # the url_map's other werkbon rules (no function / no version): the envelope, never data
    for path in ("/openapi", "/openapi/", "/openapi/8", "/openapi/8/", "/openapi/7/employees/"):
        for params, _ in cases:
            body = requests.get(rel.base_url + path, params=params, timeout=30).json()
            assert body["code"] in (1000, 1001, 1002, 1003, 1004, 1005) and body["response"] is None, (path, params, body)
    assert requests.get(rel.base_url + "/__admin/state/werkbon", timeout=30).json() == before


def test_rel_cloudplan_failed_logins_of_unknown_users_change_nothing_CP_AUTH_2(rel):
    """CP-AUTH-2: a failed login of a user that does not exist is refused and stores nothing
    (regression: it used to add a 'logins' entry per unknown name; fixed in e652622)."""
    before = requests.get(rel.base_url + "/__admin/state/cloudplan", timeout=30).json()
    for i in range(50):
        r = requests.post(rel.base_url + "/v1/authentication", timeout=30, data=envelope(
            "login", f"<username>nobody-{i}</username><password>x</password>"))
        assert "<error>AUTHENTICATION_FAILED</error>" in r.text
    assert requests.get(rel.base_url + "/__admin/state/cloudplan", timeout=30).json() == before
