"""Hypothesis stateful test of the order status workflow with both roles: TLs and the KO set
statuses, add messages and read orders in random order; the server must agree with a simple model
at every step (SNP-M-5, SNP-M-6, SNP-M-7, SNP-M-8, SNP-AUTH-4, SNP-WF-1, SNP-WF-3). It places orders
through the admin API, so it runs against fieldsim only."""
from __future__ import annotations

import os
from xml.etree import ElementTree

import pytest
import requests
from hypothesis import settings
from hypothesis.stateful import Bundle, RuleBasedStateMachine, rule, run_state_machine_as_test
from hypothesis import strategies as st

from .conftest import KO, TL, TL2, login

STATUSES = ["new", "received", "active", "waiting", "cancelled", "delivered"]
TYPES = ["error", "alert", "system", "log"]
SERVICES = {2440: 31420, 2442: 31420, 2450: 31421, 2451: 31421}
AFTER_SEED = "2025-12-16"  # the seeded orders end 2025-12-15: listing from here shows only ours
ACTORS = {"tl1": (TL, lambda o: o["xsp"] == 31420), "tl2": (TL2, lambda o: o["xsp"] == 31421),
          "ko": (KO, lambda o: o["network"] == "MS")}


class OrderWorkflow(RuleBasedStateMachine):
    base_url = ""
    orders = Bundle("orders")

    def __init__(self):
        super().__init__()
        requests.post(self.base_url + "/__admin/reset", params={"api": "stadsnet"}, timeout=30).raise_for_status()
        self.api = self.base_url + "/plain/serviceguide_log"
        self.http = requests.Session()
        self.hashes = {name: login(self.api, who) for name, (who, _) in ACTORS.items()}
        self.model: dict[int, dict] = {}

    def call(self, actor: str, **params):
        r = self.http.get(self.api, params={"hash": self.hashes[actor], **params}, timeout=30)
        assert r.status_code == 200
        root = ElementTree.fromstring(r.content)
        assert root.tag == params["method"]
        return root.find("status").text, root.find("response")

    @rule(target=orders, service=st.sampled_from(sorted(SERVICES)), network=st.sampled_from(["MS", "NS"]))
    def place(self, service, network):
        r = self.http.post(self.base_url + "/__admin/stadsnet/orders",
                           json={"service": service, "accessId": f"{network}{len(self.model) + 500}"}, timeout=30)
        assert r.status_code == 201, r.text
        order = r.json()
        self.model[order["id"]] = {"status": "new", "xsp": SERVICES[service], "network": network, "log": 1}
        return order["id"]

    @rule(order=orders, actor=st.sampled_from(sorted(ACTORS)),
          status=st.sampled_from(STATUSES + ["Delivered", "done", ""]))
    def set_status(self, order, actor, status):
        """SNP-M-5/6, SNP-WF-3, SNP-AUTH-4: succeeds iff the actor sees the order and the value is valid."""
        m = self.model[order]
        result, response = self.call(actor, method="set_status", id=order, status=status)
        expected = ACTORS[actor][1](m) and status in STATUSES
        assert result == ("success" if expected else "error"), response.find("message").text
        if expected:
            assert response.find("message").text == f"Status changed to {status} for order {order}"
            m["status"], m["log"] = status, m["log"] + 1

    @rule(order=orders, actor=st.sampled_from(sorted(ACTORS)), mtype=st.sampled_from(TYPES + ["warning"]))
    def add_message(self, order, actor, mtype):
        """SNP-M-8, SNP-AUTH-4."""
        m = self.model[order]
        result, _ = self.call(actor, method="add_message", id=order, message="Meddelande", type=mtype)
        expected = ACTORS[actor][1](m) and mtype in TYPES
        assert result == ("success" if expected else "error")
        m["log"] += 1 if expected else 0

    @rule(order=orders, actor=st.sampled_from(sorted(ACTORS)))
    def read(self, order, actor):
        """SNP-M-2, SNP-M-7, SNP-AUTH-4: status and log length as modelled; foreign = unknown."""
        m = self.model[order]
        result, response = self.call(actor, method="order_info", id=order)
        if not ACTORS[actor][1](m):
            assert (result, response.find("message").text) == ("error", f"No order with id {order}")
            return
        assert response.find("order/status").text == m["status"]
        result, response = self.call(actor, method="order_log", id=order)
        assert result == "success" and len(response.findall("log")) == m["log"]

    @rule(actor=st.sampled_from(sorted(ACTORS)))
    def poll(self, actor):
        """SNP-M-1, SNP-WF-1: orders() lists exactly the placed orders the actor may see."""
        result, response = self.call(actor, method="orders", date=AFTER_SEED)
        assert result == "success"
        listed = {int(o.find("id").text): o.find("status").text for o in response.findall("order")}
        assert listed == {i: m["status"] for i, m in self.model.items() if ACTORS[actor][1](m)}


def test_order_status_workflow_with_both_roles_SNP_M_5_SNP_M_7_SNP_AUTH_4_SNP_WF_3(base_url, is_fieldsim, sim):
    """Stateful: SNP-M-5, SNP-M-6, SNP-M-7, SNP-M-8, SNP-AUTH-4, SNP-WF-1, SNP-WF-3."""
    if not is_fieldsim:
        pytest.skip("places orders through the fieldsim admin API")
    OrderWorkflow.base_url = base_url
    examples = int(os.environ.get("FIELDSIM_STATEFUL_EXAMPLES", "12"))
    run_state_machine_as_test(OrderWorkflow, settings=settings(max_examples=examples, stateful_step_count=15,
                                                               deadline=None))
