"""Hostile JSON bodies on every JSON-bodied API and on the admin API (issue 9): nesting of 1,000 and
100,000 levels, invalid UTF-8, a NUL, a 5,000-digit number, NaN/Infinity. Each is refused in the
provider's own format (never an internal error, never a 5xx) and changes nothing.
Rules: CAPO-ERR-1, CT-API-2, WB-ERR-1, WB-ERR-2."""
from __future__ import annotations

import pytest
import requests

BODIES = {
    "deep-1000": b"[" * 1000 + b"]" * 1000,
    "deep-100k-object": b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
    "deep-100k-array": b"[" * 100_000 + b"]" * 100_000,
    "bad-utf8": b'{"username": "\xff\xfe", "password": "demo"}',
    "nul": b'{"a": "\x00"}',
    "huge-int": b'[{"number": 1' + b"0" * 5000 + b"}]",
    "nan": b'[{"number": NaN, "firstname": Infinity}]',
}
WB_AUTH = "?token=werkbon-demo-token&software_token=werkbon-demo-software"
NB = {"Authorization": "Bearer capo-netbeheerder-demo"}
# Regression: WerkbonApp's deep JSON (RecursionError → 1007 "Internal error"), the admin scenario's
# deep JSON and 5,000-digit numbers (HTTP 500) were found by this sweep and fixed in e652622.


def capo_refused(resp):
    assert resp.status_code == 400 and set(resp.json()) == {"message"}, (resp.status_code, resp.text[:200])


def capitech_refused(resp):
    body = resp.json()
    assert resp.status_code in (400, 401) and body["success"] is False and body["serverErrorMessage"], resp.text[:200]


def werkbon_refused(resp):
    body = resp.json()
    assert resp.status_code == 200 and body["code"] != 200 and body["response"] is None, body
    assert not any("Internal error" in m for m in body["messages"]), body


def admin_refused(resp):
    assert resp.status_code == 400, (resp.status_code, resp.text[:200])
    assert resp.headers["Content-Type"].startswith("application/json") and resp.json()["message"], resp.text[:200]


TARGETS = {  # name: (api whose state must not change, method, path, headers, check)
    "capo-patch-project": ("capo", "PATCH", "/api/capo/project/3000104", NB, capo_refused),
    "capo-post-activiteit": ("capo", "POST", "/api/capo/project/3000104/activiteit", NB, capo_refused),
    "capitech-login": ("capitech", "POST", "/api/public/v1/Access/login", {}, capitech_refused),
    "capitech-transactions": ("capitech", "POST", "/api/public/v1/Time/getTimeTransactions", {}, capitech_refused),
    "werkbon-employees": ("werkbon", "POST", "/openapi/8/employees/" + WB_AUTH, {}, werkbon_refused),
    "werkbon-postworkorders": ("werkbon", "POST", "/openapi/8/PostWorkorders/" + WB_AUTH, {}, werkbon_refused),
    "admin-scenario": ("capo", "POST", "/__admin/scenario", {}, admin_refused),
    "admin-state": ("capo", "PUT", "/__admin/state/capo", {}, admin_refused),
    "admin-faults": ("capo", "POST", "/__admin/faults", {}, admin_refused),
    "admin-clock": ("capo", "POST", "/__admin/clock", {}, admin_refused),
}


@pytest.mark.parametrize("target,body", [pytest.param(t, b, id=f"{t}-{b}") for t in TARGETS for b in BODIES])
def test_rel_hostile_json_refused_in_provider_format_CAPO_ERR_1_CT_API_2_WB_ERR_2(rel, target, body):
    api, method, path, headers, check = TARGETS[target]
    before = requests.get(f"{rel.base_url}/__admin/state/{api}", timeout=30).json()
    resp = requests.request(method, rel.base_url + path, data=BODIES[body], timeout=60,
                            headers={**headers, "Content-Type": "application/json"})
    assert resp.status_code < 500, (resp.status_code, resp.text[:200])
    check(resp)
    assert requests.get(f"{rel.base_url}/__admin/state/{api}", timeout=30).json() == before
