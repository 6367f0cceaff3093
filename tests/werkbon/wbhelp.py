"""Helpers for the WerkbonApp tests: calls exactly as a client sends them (token in the URL)."""
from __future__ import annotations

import requests

DEMO = {"token": "werkbon-demo-token", "software_token": "werkbon-demo-software"}
OTHER = {"token": "werkbon-demo2-token", "software_token": "werkbon-demo2-software"}


class Wb:
    def __init__(self, sim):
        self.sim = sim
        self.base = sim.base_url + "/openapi/8/"
        self.http = requests.Session()

    def call(self, method, function, params=None, auth=DEMO, **kw) -> requests.Response:
        query = {**(auth or {}), **(params or {})}
        return self.http.request(method, self.base + function.strip("/") + "/", params=query, timeout=10, **kw)

    def ok(self, method, function, params=None, auth=DEMO, **kw):
        body = self.call(method, function, params, auth, **kw).json()
        assert body["code"] == 200, body
        return body["response"]

    def code(self, method, function, params=None, auth=DEMO, **kw) -> dict:
        r = self.call(method, function, params, auth, **kw)
        assert r.status_code == 200, r.text
        return r.json()


def order(no="T-1", **extra) -> dict:
    """A PostWorkorders record with every required field."""
    base = {"WorkorderNo": no, "CustomerName": "Bakker BV", "CustomerDebtorNr": "D1", "CustomerStreet": "Dorpsstraat",
            "CustomerZIP": "3454DE", "CustomerCity": "De Meern", "CustomerContactPerson": "J. Bakker",
            "CustomerNameInvoice": "Bakker BV", "CustomerDebtorNrInvoice": "D1", "CustomerStreetInvoice": "Dorpsstraat",
            "CustomerZIPInvoice": "3454DE", "CustomerCityInvoice": "De Meern", "CustomerContactPersonInvoice": "J. Bakker",
            "TypeOfWork": "Installatie", "PaymentMethod": "op rekening"}
    return {**base, **extra}
