"""PUT /__admin/state/<api> with a document the API cannot read: refused (400, nothing replaced), or
taken and then read without an internal error by every call a client makes (INTERFACE.md admin API;
the brief: bad input gets a clear error and changes nothing, never an unhandled 500).

Each example takes the API's own export, spoils one document of one collection (the whole document,
or one of its fields, replaced by a value of another kind) and imports it; then the API's lists are
read for every demo tenant, as a client reads them."""
from __future__ import annotations

import re

import pytest
import requests
from hypothesis import HealthCheck, given, settings, strategies as st

from .conftest import FUZZ, state

CRASH = "Internal error in the simulator"
SPOILERS = ["x", 12345, -1, None, [], {}, True, "2026-13-45", "not a date", [1, "x"], {"a": 1}]


def _get(url, **kw):
    return requests.get(url, timeout=30, **kw)


def read_capo(base: str) -> list[requests.Response]:
    out, api = [], base + "/api/capo"
    for token in ("capo-netbeheerder-demo", "capo-aannemer-demo", "capo-aannemer2-demo"):
        h = {"Authorization": f"Bearer {token}"}
        projects = _get(api + "/project?changedFrom=2000-01-01&changedTo=2100-01-01", headers=h)
        out += [projects, _get(api + "/hoofdleiding?changedFrom=2000-01-01&planningChangedFrom=2000-01-01", headers=h),
                _get(api + "/bijlageassigned", headers=h), _get(api + "/contractgebied", headers=h)]
        ids = [p.get("projectId") for p in projects.json()] if projects.status_code == 200 else []
        for pid in ids:
            out += [_get(f"{api}/project/{pid}{sub}", headers=h) for sub in ("", "/bijlageassigned", "/bijlage", "/log")]
    return out


def read_stadsnet(base: str) -> list[requests.Response]:
    out, url = [], base + "/plain/serviceguide_log"
    for user, key in ((1001, "tl-demo-key"), (1002, "tl2-demo-key"), (2001, "ko-demo-key")):
        login = _get(url, params={"method": "api_login", "api_user": user, "api_key": key, "output_format": "json"})
        out.append(login)
        h = (login.json().get("response") or {}).get("hash_key") if login.status_code == 200 else None
        p = {"hash": h or "none", "output_format": "json"}
        orders = _get(url, params={**p, "method": "orders", "date": "2000-01-01"})
        out += [orders, _get(url, params={**p, "method": "customers", "date": "2000-01-01"})]
        listed = (orders.json().get("response") or {}).get("order", []) if orders.status_code == 200 else []
        for o in listed[:80]:
            out += [_get(url, params={**p, "method": m, "id": o.get("id")}) for m in ("order_info", "order_log")]
            out.append(_get(url, params={**p, "method": "customer_info", "id": o.get("customer")}))
    return out


def read_capitech(base: str) -> list[requests.Response]:
    out, api = [], base + "/api/public/v1"
    for user, clients in (("demo", (100, 200)), ("demo2", (300, 400))):
        login = requests.post(api + "/Access/login", json={"username": user, "password": "demo"}, timeout=30)
        out.append(login)
        token = (login.json().get("content") or [{}])[0].get("accessToken") if login.status_code == 200 else "x"
        for client in clients:
            for frm, to in (("2026-10-01", "2026-10-31"), ("2026-11-01", "2026-11-30")):
                out.append(requests.post(api + "/Time/getTimeTransactions", timeout=60, json={
                    "accessToken": token, "clientId": client, "fromDate": frm, "toDate": to,
                    "lastApprovedOrUpdatedFilter": "2000-01-01 00:00:00.000"}))
            out += [requests.post(f"{api}/Catalogue/{m}", json={"accessToken": token, "clientId": client}, timeout=30)
                    for m in ("getDepartments", "getTasks", "getProjects", "getOrders")]
    return out


def read_werkbon(base: str) -> list[requests.Response]:
    out = []
    for token, software in (("werkbon-demo-token", "werkbon-demo-software"), ("werkbon-demo2-token", "werkbon-demo2-software")):
        q = {"token": token, "software_token": software}
        out.append(_get(base + "/openapi/8/GetWorkorders/", params={**q, "status": "Alle", "update_status": "false"}))
        out += [_get(f"{base}/openapi/8/{f}/", params=q) for f in (
            "employees", "relations", "materials", "projects", "objects", "invoices", "transactions", "locations")]
    return out


def read_cloudplan(base: str) -> list[requests.Response]:
    from tests.cloudplan.cp_soap import Soap
    out = []
    for user, password in (("demo", "demo"), ("demo2", "demo2")):
        soap = Soap(base + "/v1")
        login = soap.login(user, password)
        out.append(login)
        found = re.search(r"<authenticationToken>(\w+)<", login.text)
        token = found.group(1) if found else "none"
        for service, op, matcher in (("projects", "getProjects", "projectMatcher"),
                                     ("planning", "getPlanning", "planningMatcher"),
                                     ("resources", "getResources", "resourceMatcher"),
                                     ("customers", "getCustomers", "customerMatcher"),
                                     ("departments", "getDepartments", "departmentMatcher")):
            out.append(soap.call(service, op, f"{soap.auth(token)}<{matcher} allowMultiple=\"true\"/>"))
    return out


# Capitech's export holds only what changed since the seed: give it some of each kind first.
PRIME = {"capitech": {"capitech": {
    "transactions": [{"clientId": 100, "uid": 107004, "employeeid": 9001, "employee": "Ola Danielsen",
                      "datein": "2026-11-10", "timein": "21:57:00.000", "dateout": "2026-11-11",
                      "timeout": "07:01:00.000", "departmentid": 95, "department": "Logistikk", "shiftId": 68874,
                      "timeCategoryId": 10, "qty": 7.5}],
    "approve": [{"clientId": 100, "uids": [107004], "level": 1}],
    "change": [{"clientId": 100, "uid": 1001855, "timeCategoryId": 10, "qty": 6.5}],
    "setExternalStatusCode": [{"clientId": 100, "externalStatusCode": 1, "uids": [1001856]}]}}}

READERS = {"capo": read_capo, "stadsnet": read_stadsnet, "capitech": read_capitech, "werkbon": read_werkbon,
           "cloudplan": read_cloudplan}


def crashed(responses) -> list[str]:
    return [f"{r.request.method} {r.url} -> {r.status_code} {r.text[:300]}" for r in responses
            if CRASH in r.text or (r.status_code == 500 and "Fault" not in r.text)]


def spoil(data, doc: dict, draw) -> dict:
    """One document of the export, whole or one field, replaced by a value of another kind."""
    coll = draw(st.sampled_from(sorted(c for c, docs in doc["collections"].items() if docs)))
    key = draw(st.sampled_from(sorted(doc["collections"][coll])))
    target = doc["collections"][coll][key]
    if isinstance(target, dict) and target and draw(st.booleans()):
        field = draw(st.sampled_from(sorted(target)))
        target[field] = draw(st.sampled_from([v for v in SPOILERS if type(v) is not type(target[field])]))
        return {"where": f"{coll}/{key}.{field}", "value": target[field]}
    doc["collections"][coll][key] = draw(st.sampled_from([v for v in SPOILERS if type(v) is not type(target)]))
    return {"where": f"{coll}/{key}", "value": doc["collections"][coll][key]}


@pytest.mark.parametrize("api", sorted(READERS))
@settings(max_examples=FUZZ or 12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_an_import_the_api_cannot_read_is_refused_or_read_without_an_internal_error(rel, api, data):
    """INTERFACE.md PUT /__admin/state/<api>; the brief's "never an unhandled 500": 400 and the state as
    it was, or 200 and every client read answered in the provider's own terms."""
    rel.reset(api)
    if api in PRIME:
        assert rel.admin("POST", "scenario", json=PRIME[api]).status_code == 200
    exported = state(rel, api)
    spoiled = state(rel, api)
    what = spoil(data, spoiled, data.draw)
    r = requests.put(f"{rel.base_url}/__admin/state/{api}", json=spoiled, timeout=60)
    if r.status_code == 400:
        assert r.json()["message"] and state(rel, api) == exported, what
        return
    assert r.status_code == 200, (what, r.text)
    assert crashed(READERS[api](rel.base_url)) == [], what
