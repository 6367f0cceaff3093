"""Helpers for the stadsnet tests: call the API exactly as a client does (query string over HTTP)
and read the XML or JSON answer."""
from __future__ import annotations

from xml.etree import ElementTree

import requests

TL, TL2, KO = (1001, "tl-demo-key"), (1002, "tl2-demo-key"), (2001, "ko-demo-key")
NAMES = {1001: "Fibernet Demo AB", 1002: "Bredbandsbolaget Test AB", 2001: "Mälardalens Stadsnät Demo"}
LISTS = {"orders": "order", "customers": "customer", "order_log": "log"}


def to_obj(el, list_tag=None):
    """XML element -> dict; the list answer's repeated element (order/customer/log) is a list."""
    children = list(el)
    if not children:
        return {list_tag: []} if list_tag else (el.text or "")
    out: dict = {list_tag: []} if list_tag else {}
    for child in children:
        value = to_obj(child)
        if child.tag == list_tag:
            out[list_tag].append(value)
        else:
            assert child.tag not in out, f"unexpected repeated <{child.tag}>"
            out[child.tag] = value
    return out


class Snp:
    def __init__(self, sim):
        self.sim = sim
        self.url = sim.url("stadsnet")
        self.http = requests.Session()

    def raw(self, http_method="GET", **params) -> requests.Response:
        if http_method == "GET":
            return self.http.get(self.url, params=params, timeout=10)
        return self.http.request(http_method, self.url, data=params, timeout=10)

    def xml(self, **params):
        """(root tag, status, response) of an XML answer; asserts HTTP 200 and application/xml."""
        r = self.raw(**params)
        assert r.status_code == 200, r.text
        assert r.headers["Content-Type"] == "application/xml"
        root = ElementTree.fromstring(r.content)
        assert [c.tag for c in root] == ["response", "status"], r.text
        status = root.find("status").text
        tag = LISTS.get(root.tag) if status == "success" else None
        response = to_obj(root.find("response"), tag)
        return root.tag, status, response if response != "" else {}

    def ok(self, **params) -> dict:
        root, status, response = self.xml(**params)
        assert (root, status) == (params["method"], "success"), response
        return response

    def err(self, **params) -> str:
        root, status, response = self.xml(**params)
        assert status == "error", response
        assert root == (params.get("method") if params.get("method") in METHODS else "error")
        assert list(response) == ["message"]
        return response["message"]

    def json(self, **params) -> dict:
        r = self.raw(output_format="json", **params)
        assert r.status_code == 200 and r.headers["Content-Type"] == "application/json", r.text
        return r.json()

    def login(self, who=TL) -> str:
        return self.ok(method="api_login", api_user=who[0], api_key=who[1])["hash_key"]

    def orders(self, h, date="2000-01-01") -> list[dict]:
        return self.ok(method="orders", hash=h, date=date)["order"]

    def place(self, **body) -> dict:
        r = self.sim.admin("POST", "stadsnet/orders", json=body)
        assert r.status_code == 201, r.text
        return r.json()

    def log(self, h, order_id) -> list[dict]:
        return self.ok(method="order_log", hash=h, id=order_id)["log"]


METHODS = ("api_login", "orders", "order_info", "customers", "customer_info", "set_status", "order_log",
           "add_message")
