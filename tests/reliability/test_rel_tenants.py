"""Tenant-isolation sweep (issue 9): for each API, every read and write endpoint is tried with a
second tenant's credentials against the first tenant's objects. Zero leaks: none of the first
tenant's ids/numbers/canary strings appear in the second tenant's answers, another tenant's object
answers exactly like an unknown one (same status and body, the id aside), and the second tenant's
writes leave the first tenant's data unchanged.
Rules: CAPO-AUTH-2, CAPO-AUTH-3, SNP-AUTH-4, CP-AUTH-1, CT-AUTH-3, WB-AUTH-4."""
from __future__ import annotations

import re
import uuid

import requests

from contracts.cloudplan.helpers import envelope
from contracts.werkbon import overlay

from .test_rel_auth import api_rules


def leaks(text: str, secrets) -> list:
    return [s for s in secrets if s and s in text]


def unechoed(text: str, *sent: str) -> str:
    """An error may echo the id the caller sent (as it does for an unknown id): not a leak."""
    for value in sent:
        text = text.replace(str(value), "")
    return text


def same_as_unknown(resp, unknown, real_id: str, unknown_id: str):
    """Another tenant's object answers exactly like an unknown id (the id itself substituted)."""
    assert resp.status_code == unknown.status_code, (resp.status_code, unknown.status_code, resp.text[:200])
    assert resp.text.replace(real_id, "<ID>") == unknown.text.replace(unknown_id, "<ID>"), (resp.text[:300], unknown.text[:300])


# -- CAPO -----------------------------------------------------------------------------------------
def test_rel_capo_aannemer2_cannot_see_or_touch_other_organisations_CAPO_AUTH_2_CAPO_AUTH_3(rel):
    """CAPO-AUTH-2 / CAPO-AUTH-3: capo-aannemer2-demo against the netbeheerder's and Aannemer Demo's
    projects, bijlagen and bijlageAssigned (every project-scoped route and method from the url_map):
    same answer as an unknown id; its list answers hold none of their ids, names or canaries;
    nothing of theirs changes."""
    b = rel.base_url + "/api/capo"
    nb, a1, a2 = ({"Authorization": f"Bearer capo-{t}-demo"} for t in ("netbeheerder", "aannemer", "aannemer2"))
    canary = "LEAK" + uuid.uuid4().hex[:12]
    ba = next(x for x in requests.get(b + "/bijlageassigned", headers=a1, timeout=30).json() if x["status"] == "assigned")
    made = requests.post(f"{b}/project/{ba['projectId']}/bijlageassigned/{ba['bijlageAssignedId']}/bijlage", timeout=30,
                         headers={**a1, "x-email": f"{canary}@example.nl"}, json={"bestandsnaam": f"{canary}.pdf"}).json()
    own = {p["projectId"] for p in requests.get(b + "/project", headers=a2, timeout=30).json()}
    theirs = [p for p in requests.get(b + "/project", headers=nb, timeout=30).json() if p["projectId"] not in own]
    assert len(theirs) >= 5
    foreign_ba = {x["bijlageAssignedId"]: x["projectId"] for x in requests.get(b + "/bijlageassigned", headers=a1, timeout=30).json()}
    secrets = {str(p["projectId"]) for p in theirs} | {p["naam"] for p in theirs} | set(foreign_ba) | {canary, made["bijlageId"]}
    before = requests.get(rel.base_url + "/__admin/state/capo", timeout=30).json()
    texts, tried = [], 0
    for name, rule, methods in api_rules(rel):
        if name != "capo" or "<projectId>" not in rule:
            continue
        for p in theirs:
            pid = str(p["projectId"])
            ba_id = next((k for k, v in foreign_ba.items() if str(v) == pid), "62c7d159eb277e1b79161430")
            sub = {"baId": ba_id, "bijlageId": made["bijlageId"] if pid == str(ba["projectId"]) else "62c7d159eb277e1b79161431"}
            path = rule.replace("/api/capo", "").replace("<projectId>", pid)
            path = re.sub(r"<(\w+)>", lambda m: sub.get(m.group(1), "x"), path)
            for method in methods:
                body = {"status": "uploaded" if rule.endswith("<bijlageId>") else "done", "bestandsnaam": "x.pdf", "type": "Extra werkvoorbereiding", "meeInCombi": True,
                        "startUitvoeringWeek": "2026-W09"}
                resp = requests.request(method, b + path, headers=a2, json=body, timeout=30)
                unknown = requests.request(method, b + path.replace(pid, "9999999"), headers=a2, json=body, timeout=30)
                same_as_unknown(resp, unknown, pid, "9999999")
                assert resp.status_code == 404, (method, path, resp.status_code, resp.text)
                texts.append(unechoed(resp.text, pid, ba_id, sub["bijlageId"]))
                tried += 1
    # foreign bijlageAssigned / bijlage ids under aannemer2's own project: unknown too (CAPO-AUTH-3)
    mine = sorted(own)[0]
    for ba_id in list(foreign_ba)[:3]:
        for method, path in (("PATCH", f"/project/{mine}/bijlageassigned/{ba_id}"),
                             ("POST", f"/project/{mine}/bijlageassigned/{ba_id}/bijlage")):
            resp = requests.request(method, b + path, headers=a2, json={"status": "done", "bestandsnaam": "x"}, timeout=30)
            assert resp.status_code in (403, 404), (path, resp.status_code, resp.text)
            texts.append(unechoed(resp.text, ba_id))
    resp = requests.patch(f"{b}/project/{mine}/bijlage/{made['bijlageId']}", headers=a2, json={"status": "uploaded"}, timeout=30)
    assert resp.status_code in (403, 404), resp.text
    for path in ("/project", "/bijlageassigned", "/hoofdleiding", "/contractgebied") + tuple(
            f"/project/{pid}/{s}" for pid in own for s in ("bijlage", "bijlageassigned", "activiteit", "mic", "log")):
        texts.append(requests.get(b + path, headers=a2, timeout=30).text)
    assert tried >= 10 * len(theirs)
    assert not leaks("\n".join(texts), secrets)
    assert requests.get(rel.base_url + "/__admin/state/capo", timeout=30).json() == before


# -- Stadsnät -------------------------------------------------------------------------------------
def _snp(api, **params):
    return requests.get(api, params={**params, "output_format": "json"}, timeout=30)


def test_rel_stadsnet_tl_1002_cannot_see_or_change_tl_1001_orders_SNP_AUTH_4(rel):
    """SNP-AUTH-4: TL 1002 against every order (and its own-only customers) of TL 1001, with every
    method: the same error as an unknown id; 1002's lists hold none of 1001's ids or canary; 1001's
    exported state is unchanged by 1002's writes."""
    api = rel.base_url + "/plain/serviceguide_log"
    h1 = _snp(api, method="api_login", api_user="1001", api_key="tl-demo-key").json()["response"]["hash_key"]
    h2 = _snp(api, method="api_login", api_user="1002", api_key="tl2-demo-key").json()["response"]["hash_key"]
    orders1 = _snp(api, method="orders", hash=h1, date="2000-01-01").json()["response"]["order"]
    orders2 = _snp(api, method="orders", hash=h2, date="2000-01-01").json()["response"]["order"]
    customers2 = {o["customer"] for o in orders2}
    canary = "LEAK" + uuid.uuid4().hex[:12]
    assert _snp(api, method="add_message", hash=h1, id=orders1[0]["id"], message=canary, type="log").json()["status"] == "success"
    before = requests.get(rel.base_url + "/__admin/state/stadsnet", timeout=30).json()
    texts, secrets = [], {canary} | {f'"id":{o["id"]}' for o in orders1}
    unknown_id = "999999"
    for o in orders1:
        oid = str(o["id"])
        for method, extra in (("order_info", {}), ("order_log", {}), ("set_status", {"status": "cancelled"}),
                              ("add_message", {"message": "x", "type": "error"})):
            for cred in ({"hash": h2},) + (({"api_user": "1002"},) if method == "add_message" else ()):
                resp = _snp(api, method=method, id=oid, **cred, **extra)
                unknown = _snp(api, method=method, id=unknown_id, **cred, **extra)
                same_as_unknown(resp, unknown, oid, unknown_id)
                assert resp.json()["status"] == "error"
                texts.append(resp.text)
        if o["customer"] not in customers2:
            cid = str(o["customer"])
            same_as_unknown(_snp(api, method="customer_info", id=cid, hash=h2),
                            _snp(api, method="customer_info", id=unknown_id, hash=h2), cid, unknown_id)
    texts += [_snp(api, method=m, hash=h2, date="2000-01-01").text for m in ("orders", "customers")]
    texts += [_snp(api, method="order_log", hash=h2, id=o["id"]).text for o in orders2]
    assert not leaks("\n".join(texts).replace(" ", ""), secrets)
    assert requests.get(rel.base_url + "/__admin/state/stadsnet", timeout=30).json() == before


# -- Cloudplan ------------------------------------------------------------------------------------
def test_rel_cloudplan_demo2_cannot_see_or_change_demo_records_CP_AUTH_1(rel):
    """CP-AUTH-1 (tenants, [decision]): demo2 against every record of demo in every entity, with
    get/push/delete by id and by number: no match (like an unknown id); demo2's answers hold none of
    demo's ids or its canary; demo's own view is unchanged afterwards."""
    from clients.cloudplan import CloudplanClient
    root = rel.base_url + "/v1"
    demo, demo2 = CloudplanClient(root, "demo", "demo"), CloudplanClient(root, "demo2", "demo2")
    canary = "LEAK" + uuid.uuid4().hex[:10].upper()
    demo.push("customer", [({"number": canary}, {"number": canary, "name": canary})])
    kinds = ("department", "customer", "resource", "project", "planning")
    everything = {"@allowMultiple": True}
    view = {k: demo.get(k, everything)[0] for k in kinds}
    own2 = {k: demo2.get(k, everything)[0] for k in kinds}
    own2_numbers = {e.get("number") for es in own2.values() for e in es}
    ids = {k: [e["id"] for e in es] for k, es in view.items()}
    assert all(ids.values()), ids
    texts = []
    for kind in kinds:
        for eid in ids[kind]:
            got = demo2.get(kind, {"id": eid}, {"@allowMultiple": True, "id": eid})
            assert got == [[], []], (kind, eid, got)
            gone = demo2.delete(kind, {"id": eid})
            assert not gone[0]["deleted"], gone
        numbers = [e["number"] for e in view[kind] if e.get("number") and e["number"] not in own2_numbers]
        for number in numbers[:20]:
            assert demo2.get(kind, {"number": number}) == [[]]
            assert not demo2.delete(kind, {"number": number})[0]["deleted"]
        resp = requests.post(f"{root}/{'planning' if kind == 'planning' else kind + 's'}", timeout=30, data=envelope(
            f"get{'Planning' if kind == 'planning' else kind.capitalize() + 's'}",
            f'<authentication><token>{demo2.token}</token></authentication><{kind}Matcher allowMultiple="true"/>'))
        texts.append(resp.text)
    demo2_ids = {e["id"] for es in own2.values() for e in es}
    secrets = {f"<id>{i}</id>" for v in ids.values() for i in v if i not in demo2_ids} | {canary}
    assert not leaks("\n".join(texts), secrets)
    assert {k: demo.get(k, everything)[0] for k in kinds} == view


# -- Capitech -------------------------------------------------------------------------------------
def test_rel_capitech_demo2_cannot_read_or_flag_clients_100_200_CT_AUTH_3(rel):
    """CT-AUTH-3: demo2 (clients 300/400) calls every client-scoped call of the served document with
    clientId 100 and 200: exactly the answer for an unknown clientId; flagging client 100's uids
    through its own client changes nothing of client 100."""
    base = rel.base_url + "/api/public/v1"
    t1 = requests.post(base + "/Access/login", json={"username": "demo", "password": "demo"}, timeout=30).json()["content"][0]["accessToken"]
    t2 = requests.post(base + "/Access/login", json={"username": "demo2", "password": "demo"}, timeout=30).json()["content"][0]["accessToken"]
    period = {"fromDate": "2026-10-01", "toDate": "2026-10-31"}
    rows = requests.post(base + "/Time/getTimeTransactions", json={"accessToken": t1, "clientId": 100, **period}, timeout=30).json()["content"]
    assert rows
    uids = sorted({r["uid"] for r in rows})[:20]
    paths = [p for p in requests.get(base + "/openapi.json", timeout=30).json()["paths"] if "/Access/" not in p]
    before = requests.post(base + "/Time/getTimeTransactions", json={"accessToken": t1, "clientId": 100, **period}, timeout=30).json()
    for path in paths:
        for client in (100, 200):
            body = {"accessToken": t2, **period, "uids": uids, "externalStatusCode": 7, "includePassive": True}
            resp = requests.post(rel.base_url + path, json={**body, "clientId": client}, timeout=30)
            unknown = requests.post(rel.base_url + path, json={**body, "clientId": 987}, timeout=30)
            same_as_unknown(resp, unknown, str(client), "987")
            assert resp.json()["success"] is False and resp.json()["content"] in ([], None), resp.text[:200]
    flagged = requests.post(base + "/Time/setExternalStatusCode", timeout=30,
                            json={"accessToken": t2, "clientId": 300, "externalStatusCode": 7, "uids": uids}).json()
    assert flagged["success"] is False or not (set(map(str, uids)) & set(map(str, flagged.get("content") or []))), flagged
    after = requests.post(base + "/Time/getTimeTransactions", json={"accessToken": t1, "clientId": 100, **period}, timeout=30).json()
    assert after == before
    # demo2's answers for its own clients hold none of client 100's registrations (uids are disjoint)
    own = "\n".join(requests.post(rel.base_url + path, json={"accessToken": t2, "clientId": c, **period}, timeout=30).text
                    for path in paths for c in (300, 400))
    assert '"uid":' in own.replace(" ", "")
    assert not leaks(own.replace(" ", ""), {f'"uid":{r["uid"]}' for r in rows} | {r["recordStateKey"] for r in rows})


# -- WerkbonApp -----------------------------------------------------------------------------------
WB1 = {"token": "werkbon-demo-token", "software_token": "werkbon-demo-software"}
WB2 = {"token": "werkbon-demo2-token", "software_token": "werkbon-demo2-software"}


def _wb(rel, method, function, auth, params=None, **kw):
    return requests.request(method, f"{rel.base_url}/openapi/8/{function}/", params={**auth, **(params or {})}, timeout=30, **kw)


def test_rel_werkbon_second_account_cannot_see_or_change_first_account_WB_AUTH_4(rel):
    """WB-AUTH-4: the second account reads every GET path of the vendor document (no canary or work
    order of account 1205 appears), fetches, updates and completes account 1205's work orders by
    number and row id (answered like unknown ones), deletes by its keys, and fetches Compleet with
    update_status=true: account 1205's view is unchanged afterwards."""
    from tests.werkbon.wbhelp import order
    canary = "LEAK" + uuid.uuid4().hex[:10]
    assert _wb(rel, "POST", "employees", WB1, json=[{"firstname": canary, "lastname": canary, "number": canary}]).json()["code"] == 200
    assert _wb(rel, "POST", "PostWorkorders", WB1, json=[order(canary)]).json()["code"] == 200
    view = lambda: (_wb(rel, "GET", "GetWorkorders", WB1, {"status": "Alle", "update_status": "false"}).json(),  # noqa: E731
                    _wb(rel, "GET", "employees", WB1).json())
    mine = view()[0]["response"]
    requests.post(f"{rel.base_url}/__admin/werkbon/workorders/{mine[0]['WorkorderNo']}/complete", timeout=30)
    before = view()
    spec = overlay.load()
    texts = []
    for path, ops in spec["paths"].items():
        if "get" in ops:
            texts.append(_wb(rel, "GET", path.strip("/"), WB2).text)
    texts.append(_wb(rel, "GET", "GetWorkorders", WB2, {"status": "Compleet", "update_status": "true"}).text)
    for w in before[0]["response"]:
        for key, val in (("workorder_no", w["WorkorderNo"]), ("row_id", w["id"])):
            for method, fn, extra in (("GET", "GetWorkorder", {"update_status": "true"}),
                                      ("GET", "UpdateWorkorder", {"workdate": "01-02-2026"}),
                                      ("POST", "UpdateWorkorder", {"workdate": "01-02-2026"})):
                resp = _wb(rel, method, fn, WB2, {key: val, **extra})
                unknown = _wb(rel, method, fn, WB2, {key: "999999" if key == "row_id" else "NOPE-1", **extra})
                same_as_unknown(resp, unknown, val, "999999" if key == "row_id" else "NOPE-1")
                assert resp.json()["code"] != 200, resp.text
                texts.append(unechoed(resp.text, val))
    resp = _wb(rel, "POST", "DeleteEntity", WB2, {"entity": "employee", "key": "number", "value": canary})
    texts.append(unechoed(resp.text, canary))
    secrets = {canary} | {w["WorkorderNo"] for w in before[0]["response"]} | {"Installatiebedrijf Demo"}
    assert not leaks("\n".join(texts), secrets)
    assert view() == before
