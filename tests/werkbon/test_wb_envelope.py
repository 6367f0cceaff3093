"""The envelope and the document's response codes, over HTTP."""
from __future__ import annotations

import pytest
import requests

from .wbhelp import DEMO


def _is_envelope(r):
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/json")
    body = r.json()
    assert set(body) == {"code", "messages", "response"}
    assert isinstance(body["code"], int) and isinstance(body["messages"], list)
    return body


def test_wb_err_1_success_and_errors_share_the_envelope_with_http_200(wb):
    """WB-ERR-1: every response is HTTP 200 JSON {code, messages, response}; 200 = OK."""
    ok = _is_envelope(wb.call("GET", "employees"))
    assert ok["code"] == 200 and ok["messages"] == [] and isinstance(ok["response"], list)
    for r in (wb.call("GET", "employees", auth=None), wb.call("POST", "employees", data=b""),
              wb.call("GET", "nothing-here"), wb.call("DELETE", "employees")):
        body = _is_envelope(r)
        assert body["code"] != 200 and body["response"] is None
    # the document's own example of the envelope
    assert _is_envelope(wb.call("GET", "nothing-here")) == {"code": 1001, "messages": [], "response": None}


def test_wb_err_2_general_codes(wb):
    """WB-ERR-2: 1000 no endpoint, 1001 unknown endpoint, 1008 no body, 1009 unparsable body."""
    assert _is_envelope(requests.get(wb.sim.base_url + "/openapi/8/", params=DEMO))["code"] == 1000
    assert _is_envelope(wb.call("GET", "employeez"))["code"] == 1001
    assert _is_envelope(wb.call("PUT", "employees", json=[]))["code"] == 1001
    empty = _is_envelope(wb.call("POST", "employees", data=b"  "))
    assert empty == {"code": 1008, "messages": ["Unable to fetch body"], "response": None}
    bad = _is_envelope(wb.call("POST", "employees", data=b'[{"firstname"":"Jan"}]'))
    assert bad == {"code": 1009, "messages": ["Unable to parse body"], "response": None}
    assert _is_envelope(wb.call("POST", "employees", data=b'"just a string"'))["code"] == 1009


# One record missing a required field per entity, and the code the document gives for it.
MISSING = [
    ("employees", {"lastname": "K", "number": "1"}, 1101, "firstname"),
    ("materials", {"description": "d", "price": "1,00", "unit": "st"}, 1201, "code"),
    ("relations", {"debtor_number": "9", "street": "s", "postal_code": "1", "city": "c"}, 1301, "name"),
    ("projects", {"code": "P", "debtor_number": "1", "status": "", "name": "n", "date_start": "2013-10-01"}, 1701, "status"),
    ("hourtypes", {"name": "n", "cost_booking": "0", "sale_booking": "0", "sale_price": "1"}, 1801, "code"),
    ("objects", {"obj_debiteur_nummer": "1", "obj_description": "d"}, 1901, "obj_code"),
    ("suppliers", {"sup_name": "n"}, 2001, "sup_code"),
    ("parts", {"prt_name": "n", "prt_sup_code": "1", "prt_value": "1"}, 2101, "prt_code"),
    ("object_parts", {"opr_prt_code": "1", "opr_amount": "1"}, 2201, "opr_obj_code"),
    ("forms", {"data": "[]"}, 2301, "name"),
    ("categories", {"cat_name": "n", "cat_display": "1"}, 2401, "cat_code"),
    ("material_categories", {"mct_mat_code": "1"}, 2501, "mct_cat_code"),
    ("worktypes", {"wrt_description": "d", "wrt_default_minutes": "1", "wrt_active": "1"}, 2601, "wrt_name"),
    ("paymentmethods", {}, 2701, "pmd_description"),
    ("workstatusses", {"sta_name": "n"}, 2801, "sta_code"),
    ("priorities", {"code": "10", "app_enabled": "0"}, 1051, "description"),
    ("errors", {"code": "10"}, 1051, "description"),
    ("solutions", {"code": "10"}, 1051, "description"),
    ("material_types", {"code": "10"}, 1051, "description"),
    ("regions", {"reg_name": "n"}, 1051, "reg_code"),
    ("vehicles", {"veh_title": "t"}, 1051, "veh_license_plate"),
]


@pytest.mark.parametrize("path, record, code, field", MISSING, ids=[m[0] for m in MISSING])
def test_wb_err_2_required_field_missing_codes_per_entity(wb, path, record, code, field):
    """WB-ERR-2 / WB-ERR-3: each entity's "required field missing" code and message; the valid
    record posted alongside is not stored either."""
    before = wb.ok("GET", path)
    body = wb.code("POST", path, json=[record])
    assert body == {"code": code, "messages": [f"Required field missing: {field}"], "response": None}
    assert wb.ok("GET", path) == before


def test_wb_err_3_nothing_is_partially_applied(wb):
    """WB-ERR-3: one invalid record in a POST stores none of that request."""
    before = wb.ok("GET", "employees")
    body = [{"firstname": "Ok", "lastname": "Fine", "number": "700"}, {"lastname": "Klaassen", "number": "701"}]
    assert wb.code("POST", "employees", json=body)["code"] == 1101
    assert wb.ok("GET", "employees") == before
    bad_format = [{"code": "H1", "name": "n", "cost_booking": "0", "sale_booking": "0", "sale_price": "1"},
                  {"code": "H2", "name": "n", "cost_booking": "2", "sale_booking": "0", "sale_price": "1"}]
    assert wb.code("POST", "hourtypes", json=bad_format)["code"] == 1801
    assert not [h for h in wb.ok("GET", "hourtypes") if h["code"] in ("H1", "H2")]


def test_wb_err_2_format_checks_projects_and_hourtypes(wb):
    """WB-ERR-2: 1701 invalid date (projects), 1801 active not 1/0 or price unparsable (hourtypes)."""
    p = {"code": "PX", "debtor_number": "1", "status": "Nieuw", "name": "n", "date_start": "01-10-2013"}
    assert wb.code("POST", "projects", json=[p])["code"] == 1701
    h = {"code": "HX", "name": "n", "cost_booking": "0", "sale_booking": "0", "sale_price": "abc"}
    assert wb.code("POST", "hourtypes", json=[h])["code"] == 1801
    assert wb.code("POST", "hourtypes", json=[{**h, "sale_price": "0.00", "active": "3"}])["code"] == 1801
    assert wb.ok("POST", "hourtypes", json=[{**h, "sale_price": "0.00"}]) == 1  # the document's own example


def test_wb_err_2_injected_faults_uncaught_1007_and_real_http_status(wb, fieldsim):
    """WB-ERR-2: an injected http_status fault answers that HTTP status with the envelope;
    the 1007 code stands for an uncaught error."""
    fieldsim.admin("POST", "faults", json={"api": "werkbon", "kind": "http_status", "status": 503, "times": 1})
    r = wb.call("GET", "employees")
    assert r.status_code == 503
    assert r.json()["code"] == 1007 and r.json()["response"] is None
    assert wb.code("GET", "employees")["code"] == 200
    fieldsim.admin("POST", "faults", json={"api": "werkbon", "kind": "http_status", "status": 404, "times": 1})
    r = wb.call("GET", "employees")
    assert r.status_code == 404 and r.json()["code"] == 1001


def test_wb_err_2_uncaught_error_is_1007_http_200(wb, fieldsim, monkeypatch):
    """WB-ERR-2 (1007): an uncaught error in the simulator is the document's 1007, HTTP 200."""
    api = fieldsim.runtime.apis["werkbon"]

    def boom(*a, **k):
        raise RuntimeError("boom")
    monkeypatch.setattr(api.model, "list_entities", boom)
    r = wb.call("GET", "employees")
    assert r.status_code == 200
    assert r.json()["code"] == 1007 and "Traceback" not in r.text


def test_wb_err_2_https_1006_only_when_configured(wb, fieldsim, monkeypatch):
    """WB-ERR-2 (1006): https is not enforced by default; with option require_https it is."""
    api = fieldsim.runtime.apis["werkbon"]
    assert wb.code("GET", "employees")["code"] == 200
    monkeypatch.setitem(api.options, "require_https", True)
    assert wb.code("GET", "employees")["code"] == 1006
    r = wb.call("GET", "employees", headers={"X-Forwarded-Proto": "https"})
    assert r.json()["code"] == 200


def test_wb_err_2_insert_failed_codes_for_oversized_or_malformed_values(wb):
    """WB-ERR-2 (x00 "insert or update failed") and WB-ERR-3: a value longer than the documented
    Varchar size, or a record that is not an object, fails the whole request."""
    long = "x" * 256
    assert wb.code("POST", "employees", json=[{"firstname": long, "lastname": "K", "number": "L1"}])["code"] == 1100
    assert wb.code("POST", "materials", json=[{"code": "L1", "description": long * 10, "price": "1", "unit": "st",
                                               "eancode": "8" * 56}])["code"] == 1200
    assert wb.ok("POST", "materials", json=[{"code": "L1", "description": long * 10, "price": "1", "unit": "st"}]) == 1
    assert wb.code("POST", "relations", json=["not an object"])["code"] == 1300
    assert wb.code("POST", "employees", json=[{"firstname": {"a": 1}, "lastname": "K", "number": "L2"}])["code"] == 1100
    assert all(e["number"] not in ("L1", "L2") for e in wb.ok("GET", "employees"))


def test_wb_err_1_injected_rate_limit_and_expired_tokens(wb, fieldsim):
    """WB-ERR-1 with injected faults: rate_limit → HTTP 429 + Retry-After with the envelope;
    expire_tokens → 1004 (tokens never change, WB-AUTH-4)."""
    fieldsim.admin("POST", "faults", json={"api": "werkbon", "kind": "rate_limit", "times": 1})
    r = wb.call("GET", "employees")
    assert r.status_code == 429 and r.headers["Retry-After"] and r.json()["response"] is None
    fieldsim.admin("POST", "faults", json={"api": "werkbon", "kind": "expire_tokens", "times": 1})
    assert wb.code("GET", "employees")["code"] == 1004
    assert wb.code("GET", "employees")["code"] == 200


def test_wb_err_1_oversized_body_gets_the_envelope(wb, fieldsim, monkeypatch):
    """WB-ERR-1: a body above the simulator's limit is refused inside the envelope (1007, HTTP 200),
    never an HTML error page; nothing is stored."""
    monkeypatch.setattr(fieldsim.runtime.config, "max_body_bytes", 1000)
    body = [{"firstname": "x" * 50, "lastname": "y", "number": f"B{k}"} for k in range(50)]
    r = wb.call("POST", "employees", json=body)
    assert r.status_code == 200 and r.json()["code"] == 1007 and r.json()["response"] is None
    assert all(not e["number"].startswith("B") for e in wb.ok("GET", "employees"))
