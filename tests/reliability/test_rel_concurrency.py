"""Concurrency (issue 9): 50 threads against one server at once: 15 run CAPO's bijlage workflow,
20 run WerkbonApp's fetch-and-flip, 15 change Stadsnät order statuses. The state machines'
invariants hold and no update is lost:
- WB-WO-2: each Compleet work order is returned as Compleet exactly once across all fetchers.
- CAPO-BA-2, CAPO-BA-4, CAPO-BA-5, CAPO-BA-9: every created bijlage is listed once, each bijlageAssigned is delivered
  exactly once, every other delivery attempt is a 409; no 5xx.
- SNP-M-5/SNP-M-6: every successful set_status wrote exactly one log entry (log ids unique).
CAPO's rate limit is off on this server (conftest.py)."""
from __future__ import annotations

import random
import threading
from collections import Counter

import pytest
import requests

from tests.werkbon.wbhelp import order

WB = {"token": "werkbon-demo-token", "software_token": "werkbon-demo-software"}
A1 = {"Authorization": "Bearer capo-aannemer-demo"}


def _wb(base, function, params=None, **kw):
    method = "POST" if "json" in kw else "GET"
    return requests.request(method, f"{base}/openapi/8/{function}/", params={**WB, **(params or {})}, timeout=60, **kw).json()


def _setup_werkbon(base) -> set:
    assert _wb(base, "PostWorkorders", json=[order(f"CONC-{i:02}") for i in range(15)])["code"] == 200
    for i in range(15):
        assert requests.post(f"{base}/__admin/werkbon/workorders/CONC-{i:02}/complete", timeout=30).ok
    done = _wb(base, "GetWorkorders", {"status": "Compleet", "update_status": "false"})["response"]
    return {w["WorkorderNo"] for w in done}


def _werkbon_fetcher(base, out: list, errors: list):
    for _ in range(3):
        body = _wb(base, "GetWorkorders", {"status": "Compleet", "update_status": "true"})
        if body["code"] != 200:
            errors.append(body)
            continue
        out.extend(w["WorkorderNo"] for w in body["response"])


def _capo_worker(base, ba, results: list):
    p, b = ba["projectId"], ba["bijlageAssignedId"]
    root = base + "/api/capo"
    made = requests.post(f"{root}/project/{p}/bijlageassigned/{b}/bijlage", headers=A1, json={"bestandsnaam": "c.pdf"}, timeout=60)
    bid = made.json().get("bijlageId") if made.status_code == 201 else None
    results.append(("create", b, made.status_code, bid))
    if made.status_code == 201:
        up = requests.put(made.json()["url"], data=b"%PDF-1.4 concurrent", timeout=60)
        results.append(("upload", b, up.status_code, bid))
        mark = requests.patch(f"{root}/project/{p}/bijlage/{bid}", headers=A1, json={"status": "uploaded"}, timeout=60)
        results.append(("mark", b, mark.status_code, bid))
    done = requests.patch(f"{root}/project/{p}/bijlageassigned/{b}", headers=A1, json={"status": "done"}, timeout=60)
    results.append(("deliver", b, done.status_code, None))


def _snp(api, **params):
    return requests.get(api, params={**params, "output_format": "json"}, timeout=60).json()


def _stadsnet_worker(api, hash_, ids, seed, ok: Counter, errors: list):
    rnd = random.Random(seed)
    for _ in range(6):
        oid, status = rnd.choice(ids), rnd.choice(["received", "active", "waiting", "delivered"])
        body = _snp(api, method="set_status", hash=hash_, id=oid, status=status)
        if body["status"] == "success":
            ok[oid] += 1
        else:
            errors.append(body)


@pytest.fixture(params=["embedded", "gunicorn", "granian"])
def target(request) -> str:
    """The embedded server (werkzeug, a thread per request) and `fieldsim serve` (gunicorn gthread or
    granian, 16 threads), each reset to the seed with the clock frozen."""
    server = request.getfixturevalue("rel" if request.param == "embedded" else f"served_{request.param}")
    assert requests.post(server.base_url + "/__admin/reset", timeout=30).ok
    assert requests.post(server.base_url + "/__admin/clock", json={"now": "2026-11-23T12:00:00+01:00", "frozen": True},
                         timeout=30).ok
    return server.base_url


def test_rel_50_threads_keep_invariants_and_lose_no_update_WB_WO_2_CAPO_BA_5_SNP_M_6(target):
    base = target
    compleet = _setup_werkbon(base)
    assert len(compleet) >= 15
    bas = [x for x in requests.get(base + "/api/capo/bijlageassigned", headers=A1, timeout=30).json() if x["status"] == "assigned"]
    assert len(bas) >= 2
    api = base + "/plain/serviceguide_log"
    h = _snp(api, method="api_login", api_user="1001", api_key="tl-demo-key")["response"]["hash_key"]
    ids = [o["id"] for o in _snp(api, method="orders", hash=h, date="2000-01-01")["response"]["order"]][:8]
    log_before = {i: len(_snp(api, method="order_log", hash=h, id=i)["response"]["log"]) for i in ids}

    fetched, wb_errors, capo, snp_ok, snp_errors = [], [], [], Counter(), []
    lock = threading.Lock()
    barrier = threading.Barrier(50)

    def run(fn, *args):
        def target():
            barrier.wait()
            fn(*args)
        return threading.Thread(target=target)

    threads = [run(_werkbon_fetcher, base, fetched, wb_errors) for _ in range(20)]
    threads += [run(_capo_worker, base, bas[i % 2], capo) for i in range(15)]
    threads += [run(_stadsnet_worker, api, h, ids, i, snp_ok, snp_errors) for i in range(15)]
    with lock:
        for t in threads:
            t.start()
    for t in threads:
        t.join(120)
    assert not any(t.is_alive() for t in threads)

    # WerkbonApp: every Compleet order handed out exactly once, then none is left
    assert not wb_errors, wb_errors[:3]
    counts = Counter(fetched)
    assert set(counts) == compleet and set(counts.values()) == {1}, counts
    assert _wb(base, "GetWorkorders", {"status": "Compleet", "update_status": "false"})["response"] == []

    # CAPO: no 5xx; each created bijlage listed once; one delivery per bijlageAssigned, others 409
    assert all(s < 500 for *_, s, _ in capo), capo
    for ba in bas[:2]:
        b = ba["bijlageAssignedId"]
        # CAPO-BA-10 lists uploaded files: every file marked uploaded (200) must be there, exactly once
        created = [bid for kind, x, s, bid in capo if kind == "mark" and x == b and s == 200]
        listed = [f["bijlageId"] for f in requests.get(f"{base}/api/capo/project/{ba['projectId']}/bijlage", headers=A1,
                                                       timeout=30).json() if f["parentId"] == b]
        assert set(created) <= set(listed) and len(listed) == len(set(listed)), (created, listed)
        deliveries = Counter(s for kind, x, s, _ in capo if kind == "deliver" and x == b)
        # in review, "done" is the netbeheerder's approval: the aannemer gets 403 (CAPO-BA-8, CAPO-AUTH-3)
        assert deliveries[200] == 1 and set(deliveries) <= ({200, 403, 409} if ba["requiresReview"] else {200, 409}), deliveries
        assert all(s in (201, 409) for kind, x, s, _ in capo if kind == "create" and x == b)
        assert all(s in (200, 204, 409) for kind, x, s, _ in capo if kind in ("upload", "mark") and x == b), capo
        final = next(x for x in requests.get(f"{base}/api/capo/bijlageassigned", headers=A1, timeout=30).json()
                     if x["bijlageAssignedId"] == b)
        assert final["status"] == ("review" if ba["requiresReview"] else "done"), final

    # Stadsnät: one log entry per successful status change, unique log ids
    assert not snp_errors, snp_errors[:3]
    assert sum(snp_ok.values()) == 15 * 6
    all_ids = []
    for i in ids:
        log = _snp(api, method="order_log", hash=h, id=i)["response"]["log"]
        assert len(log) - log_before[i] == snp_ok[i], (i, len(log), log_before[i], snp_ok[i])
        all_ids += [e["id"] for e in log]
    assert len(all_ids) == len(set(all_ids))
