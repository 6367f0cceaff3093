"""Every XML answer validates against serviceguide_log.xsd, written from the documented shapes
(SNP-FMT-1, SNP-ERR-1, SNP-M-1..8)."""
from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

import pytest
import requests
import xmlschema

from .conftest import KO, TL, login

SCHEMA = xmlschema.XMLSchema(str(Path(__file__).with_name("serviceguide_log.xsd")))


def get(api_url, **params) -> requests.Response:
    r = requests.get(api_url, params=params, timeout=30)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/xml"), r.text[:300]
    return r


def valid(r: requests.Response, root: str, status: str):
    SCHEMA.validate(r.text)
    doc = SCHEMA.to_dict(r.text)
    tree = ElementTree.fromstring(r.content)
    assert tree.tag == root and tree.find("status").text == status, r.text[:300]
    return doc


def test_read_methods_validate_against_xsd_SNP_FMT_1_SNP_M_1_SNP_M_2_SNP_M_3_SNP_M_4_SNP_M_7(api_url):
    """SNP-FMT-1 and the documented shapes of orders, order_info, customers, customer_info, order_log."""
    for who in (TL, KO):
        h = login(api_url, who)
        orders = valid(get(api_url, method="orders", hash=h, date="2000-01-01"), "orders", "success")
        rows = orders["response"].get("order", []) if orders["response"] else []
        valid(get(api_url, method="customers", hash=h, date="2000-01-01"), "customers", "success")
        valid(get(api_url, method="orders", hash=h, date="2999-01-01"), "orders", "success")  # empty list
        for row in rows[:3]:
            valid(get(api_url, method="order_info", hash=h, id=row["id"]), "order_info", "success")
            valid(get(api_url, method="customer_info", hash=h, id=row["customer"]), "customer_info", "success")
            valid(get(api_url, method="order_log", hash=h, id=row["id"]), "order_log", "success")


@pytest.mark.parametrize("params, root", [
    ({"method": "api_login", "api_user": "1", "api_key": "nope"}, "api_login"),
    ({"method": "orders", "hash": "0" * 32, "date": "2020-01-01"}, "orders"),
    ({"method": "order_info", "id": "1"}, "order_info"),
    ({"method": "customers"}, "customers"),
    ({"method": "customer_info", "hash": "x", "id": "1"}, "customer_info"),
    ({"method": "set_status", "id": "1", "status": "new"}, "set_status"),
    ({"method": "order_log", "id": "1"}, "order_log"),
    ({"method": "add_message", "id": "1"}, "add_message"),
    ({"method": "no_such_method"}, "error"),
])
def test_errors_validate_against_xsd_SNP_ERR_1(api_url, params, root):
    """SNP-ERR-1: HTTP 200, the method's root (or <error>), status error, one message."""
    doc = valid(get(api_url, **params), root, "error")
    assert doc["response"]["message"]


def test_write_methods_validate_against_xsd_SNP_M_5_SNP_M_8(api_url, is_fieldsim, sim):
    """SNP-M-5 set_status and SNP-M-8 add_message answers (simulator only: they change orders)."""
    if not is_fieldsim:
        pytest.skip("changes orders: run against fieldsim only")
    order = requests.post(api_url.replace("/plain/serviceguide_log", "/__admin/stadsnet/orders"),
                          json={"service": 2440}, timeout=30).json()
    h = login(api_url, TL)
    doc = valid(get(api_url, method="set_status", hash=h, id=order["id"], status="received"), "set_status", "success")
    assert doc["response"]["message"] == f"Status changed to received for order {order['id']}"
    valid(get(api_url, method="add_message", api_user=TL[0], id=order["id"], message="Port finns ej", type="error"),
          "add_message", "success")
    valid(get(api_url, method="set_status", hash=h, id=order["id"], status="bogus"), "set_status", "error")
    log = valid(get(api_url, method="order_log", hash=h, id=order["id"]), "order_log", "success")
    assert [e["type"] for e in log["response"]["log"]][-2:] == ["system", "error"]
