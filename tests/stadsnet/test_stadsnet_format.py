"""Response format: XML envelope named after the method, the JSON variant with the same content,
and errors as HTTP 200 status error naming the problem (SNP-FMT-1, SNP-ERR-1)."""
from __future__ import annotations

import re
from xml.etree import ElementTree

import pytest
import requests

from .snp import KO, TL, Snp, to_obj


@pytest.fixture
def snp(fieldsim):
    return Snp(fieldsim)


def _calls(snp):
    h = snp.login(TL)
    oid = snp.orders(h)[0]["id"]
    cid = snp.ok(method="order_info", hash=h, id=oid)["order"]["customer"]
    return h, [dict(method="orders", hash=h, date="2025-12-01"), dict(method="order_info", hash=h, id=oid),
               dict(method="customers", hash=h, date="2025-12-01"), dict(method="customer_info", hash=h, id=cid),
               dict(method="order_log", hash=h, id=oid)]


def test_xml_envelope_is_root_method_response_status_SNP_FMT_1(snp):
    """SNP-FMT-1: application/xml, <METHOD><response>…</response><status>success</status></METHOD>."""
    _, calls = _calls(snp)
    for params in calls:
        r = snp.raw(**params)
        assert r.status_code == 200 and r.headers["Content-Type"] == "application/xml"
        root = ElementTree.fromstring(r.content)
        assert root.tag == params["method"]
        assert [c.tag for c in root] == ["response", "status"]
        assert root.find("status").text == "success"


def test_json_variant_has_the_same_content_as_xml_SNP_FMT_1(snp):
    """SNP-FMT-1: output_format=json answers {"response": …, "status": …} with the XML's content."""
    _, calls = _calls(snp)
    for params in calls:
        _, status, xml_response = snp.xml(**params)
        body = snp.json(**params)
        assert body["status"] == status == "success"
        assert _stringify(body["response"]) == xml_response


def _stringify(value):
    if isinstance(value, dict):
        return {k: _stringify(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_stringify(v) for v in value]
    return str(value)


def test_documented_field_names_and_formats_SNP_M_1_SNP_M_3_SNP_M_4(snp):
    """SNP-M-1 order fields; SNP-M-3 customer rows; SNP-M-4 customer_info with <data> phone, premise."""
    h, calls = _calls(snp)
    order = snp.ok(**calls[0])["order"][0]
    assert list(order) == ["id", "type", "date", "status", "service", "xsp", "delivery", "customer"]
    row = snp.ok(**calls[2])["customer"][0]
    assert list(row) == ["id", "socket", "serial", "firstname", "surname", "date"]
    assert len(row["date"]) == len("2018-01-01 12:34")
    info = snp.ok(**calls[3])
    assert list(info) == ["customer", "data"]
    assert list(info["customer"]) == ["id", "socket", "serial", "firstname", "surname", "email", "address", "zip",
                                      "city"]
    assert list(info["data"]) == ["phone", "premise"]
    assert len(info["customer"]["zip"]) == 5 and info["customer"]["zip"].isdigit()
    assert len(info["customer"]["serial"]) == 12 and info["customer"]["serial"].isdigit()


def test_unknown_or_missing_method_answers_root_error_SNP_ERR_1(snp):
    """SNP-ERR-1: unknown method -> HTTP 200 <error>…<status>error</status></error>."""
    assert snp.err(method="delete_everything") == "Unknown method 'delete_everything'"
    root, status, response = snp.xml()
    assert (root, status, response) == ("error", "error", {"message": "Missing parameter: method"})
    assert snp.json(method="nope") == {"response": {"message": "Unknown method 'nope'"}, "status": "error"}


@pytest.mark.parametrize("params, message", [
    ({"method": "orders"}, "Missing parameter: date"),
    ({"method": "orders", "date": "2018-1-4"}, "Invalid date '2018-1-4': expected YYYY-MM-DD"),
    ({"method": "orders", "date": "2018-02-30"}, "Invalid date '2018-02-30': expected YYYY-MM-DD"),
    ({"method": "order_info"}, "Missing parameter: id"),
    ({"method": "order_info", "id": "abc"}, "Invalid value for id 'abc': expected a positive integer"),
    ({"method": "customer_info", "id": "-1"}, "Invalid value for id '-1': expected a positive integer"),
    ({"method": "set_status", "id": "19530"}, "Missing parameter: status"),
    ({"method": "add_message", "id": "19530", "type": "log"}, "Missing parameter: message"),
    ({"method": "add_message", "id": "19530", "message": "hej"}, "Missing parameter: type"),
])
def test_bad_parameters_give_error_naming_the_problem_SNP_ERR_1(snp, params, message):
    """SNP-ERR-1: missing/invalid parameter -> HTTP 200, <METHOD> root, status error, message names it."""
    h = snp.login(TL)
    assert snp.err(hash=h, **params) == message
    assert snp.json(hash=h, **params) == {"response": {"message": message}, "status": "error"}


def test_post_form_parameters_are_accepted_SNP_FMT_1(snp):
    """SNP-FMT-1 [decision]: the documented GET query string, and a POST form with the same parameters."""
    r = snp.raw("POST", method="api_login", api_user="1001", api_key="tl-demo-key")
    root = ElementTree.fromstring(r.content)
    assert root.tag == "api_login" and root.find("status").text == "success"


def test_invalid_output_format_is_an_error_SNP_FMT_1(snp):
    """SNP-FMT-1: output_format is xml or json; anything else is refused in XML."""
    assert "Invalid output_format 'yaml'" in snp.err(method="api_login", api_user="1001", api_key="tl-demo-key",
                                                   output_format="yaml")


def test_injected_http_status_keeps_status_and_provider_format_SNP_ERR_1(snp):
    """SNP-ERR-1 (faults): an injected HTTP 503 answers 503 with the method's error envelope."""
    h = snp.login(KO)
    r = snp.sim.admin("POST", "faults", json={"api": "stadsnet", "kind": "http_status", "status": 503, "times": 1})
    assert r.status_code == 201
    r = snp.raw(method="orders", hash=h, date="2000-01-01")
    assert r.status_code == 503 and r.headers["Content-Type"] == "application/xml"
    root = ElementTree.fromstring(r.content)
    assert root.tag == "orders" and root.find("status").text == "error"
    assert to_obj(root.find("response"))["message"]
    assert snp.orders(h)  # the fault was used up


def test_unknown_subpath_and_method_not_allowed_answer_in_provider_format_SNP_ERR_1(snp):
    """SNP-ERR-1: no stack traces, no HTML: a 404/405 still has the error envelope."""
    r = snp.http.get(snp.url + "/nothing-here", timeout=10)
    assert r.status_code == 404 and ElementTree.fromstring(r.content).tag == "error"
    r = snp.http.delete(snp.url, params={"method": "orders"}, timeout=10)
    assert r.status_code == 405 and ElementTree.fromstring(r.content).find("status").text == "error"


def test_swedish_characters_survive_in_xml_and_json_SNP_FMT_1(snp):
    """SNP-FMT-1: UTF-8 with å, ä, ö in names and messages."""
    h = snp.login(TL)
    order = snp.place(service=2440, customer={"firstname": "Åsa", "surname": "Öberg", "city": "Västerås"})
    snp.ok(method="add_message", hash=h, id=order["id"], message="Fiber saknas i källaren", type="log")
    info = snp.ok(method="customer_info", hash=h, id=order["customer"])["customer"]
    assert (info["firstname"], info["surname"], info["city"]) == ("Åsa", "Öberg", "Västerås")
    log = snp.json(method="order_log", hash=h, id=order["id"])["response"]["log"]
    assert log[-1]["message"] == "Fiber saknas i källaren"


@pytest.mark.parametrize("day", ["2025-12-31", "2024-02-29", "2025-11-30", "2026-01-01"])
def test_served_openapi_date_pattern_takes_every_day_the_method_takes_SNP_M_1(snp, day):
    """SNP-M-1: `orders&date=` takes any calendar day; the served OpenAPI's pattern must too (it allowed
    01-28 only, so a validating generated client refused the last days of most months)."""
    spec = requests.get(snp.url + "/openapi.json", timeout=10).json()
    params = [p for op in spec["paths"].values() for m in op.values() if isinstance(m, dict)
              for p in m.get("parameters", []) if p.get("name") == "date"]
    assert params and all(re.fullmatch(p["schema"]["pattern"].strip("^$"), day) for p in params)
    assert snp.ok(method="orders", hash=snp.login(TL), date=day) is not None
