"""Hypothesis stateful test of the work-order lifecycle over HTTP (WB-WO-1/2/3/5): post orders,
let the device complete them, fetch with and without update_status, mark single orders handled;
after every step the statuses the API reports match a plain model. Runs against any base URL
(the completion step needs the simulator's admin API and is skipped elsewhere)."""
from __future__ import annotations

import os
import uuid

import pytest
import requests
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from .test_wb_contract import AUTH

ORDER = {"CustomerName": "Lifecycle BV", "CustomerDebtorNr": "L1", "CustomerStreet": "Straat", "CustomerZIP": "1234AB",
         "CustomerCity": "Utrecht", "CustomerContactPerson": "L. Cycle", "CustomerNameInvoice": "Lifecycle BV",
         "CustomerDebtorNrInvoice": "L1", "CustomerStreetInvoice": "Straat", "CustomerZIPInvoice": "1234AB",
         "CustomerCityInvoice": "Utrecht", "CustomerContactPersonInvoice": "L. Cycle", "TypeOfWork": "Service",
         "PaymentMethod": "op rekening"}


class Lifecycle(RuleBasedStateMachine):
    base_url = ""
    admin = False

    def __init__(self):
        super().__init__()
        self.http = requests.Session()
        self.prefix = f"LC{uuid.uuid4().hex[:6]}-"
        self.model: dict[str, str] = {}

    def call(self, function, params=None, **kw):
        r = self.http.request(kw.pop("method", "GET"), f"{self.base_url}/openapi/8/{function}/",
                              params={**AUTH, **(params or {})}, timeout=10, **kw)
        assert r.status_code == 200
        return r.json()

    def ours(self, orders):
        return {o["WorkorderNo"]: o["status"] for o in orders if o["WorkorderNo"].startswith(self.prefix)}

    @rule()
    def post(self):
        no = f"{self.prefix}{len(self.model) + 1}"
        body = self.call("PostWorkorders", method="POST", json=[{**ORDER, "WorkorderNo": no}])
        assert body["code"] == 200 and body["response"][0]["workorder_no"] == no
        self.model[no] = "Klaargezet"

    @precondition(lambda self: self.admin and self.model)
    @rule(data=st.data())
    def complete(self, data):
        no = data.draw(st.sampled_from(sorted(self.model)))
        r = self.http.post(f"{self.base_url}/__admin/werkbon/workorders/{no}/complete", timeout=10)
        if self.model[no] in ("Klaargezet", "Opgehaald"):
            assert r.status_code == 200 and r.json()["status"] == "Compleet"
            self.model[no] = "Compleet"
        else:
            assert r.status_code == 409

    @rule()
    def fetch_without_update(self):
        got = self.ours(self.call("GetWorkorders", {"status": "Compleet", "update_status": "false"})["response"])
        assert set(got) == {n for n, s in self.model.items() if s == "Compleet"}

    @rule()
    def fetch_and_flip(self):
        """WB-WO-2: each Compleet order is returned once, then it is Afgehandeld."""
        got = self.ours(self.call("GetWorkorders", {"status": "Compleet"})["response"])
        assert set(got) == {n for n, s in self.model.items() if s == "Compleet"}
        for n in got:
            self.model[n] = "Afgehandeld"

    @precondition(lambda self: self.model)
    @rule(data=st.data(), update=st.booleans())
    def handle_one(self, data, update):
        """WB-WO-3: GetWorkorder with update_status=true marks a Compleet order Afgehandeld."""
        no = data.draw(st.sampled_from(sorted(self.model)))
        body = self.call("GetWorkorder", {"workorder_no": no, "update_status": str(update).lower()})
        assert body["code"] == 200 and body["response"]["status"] == self.model[no]
        if update and self.model[no] == "Compleet":
            self.model[no] = "Afgehandeld"

    @invariant()
    def statuses_match(self):
        got = self.ours(self.call("GetWorkorders", {"status": "Alle", "update_status": "false"})["response"])
        assert got == self.model


def _run(base_url, is_fieldsim, examples):
    Lifecycle.base_url, Lifecycle.admin = base_url, is_fieldsim
    run_state_machine_as_test(Lifecycle, settings=settings(
        max_examples=examples, stateful_step_count=12, deadline=None,
        suppress_health_check=list(HealthCheck)))


def test_wb_wo_2_wo_3_lifecycle_state_machine(base_url, is_fieldsim):
    """WB-WO-1, WB-WO-2, WB-WO-3, WB-WO-5: the lifecycle model holds over random sequences."""
    _run(base_url, is_fieldsim, 15)


@pytest.mark.fuzz
def test_wb_lifecycle_fuzz(base_url, is_fieldsim):
    _run(base_url, is_fieldsim, int(os.environ.get("FIELDSIM_FUZZ_EXAMPLES", "100")))
