"""The reference client (clients/stadsnet.py) end to end against the simulator: typed objects,
re-login when the hash expires, and the resumable TL workflow (SNP-WF-1, SNP-WF-2, SNP-AUTH-1,
SNP-AUTH-2, SNP-AUTH-3, SNP-M-8)."""
from __future__ import annotations

import json
from datetime import date

import pytest

from clients.stadsnet import Customer, NeedsAttention, Order, StadsnetClient, StadsnetError, TLWorkflow

from .snp import TL, Snp


@pytest.fixture
def snp(fieldsim):
    fieldsim.set_clock("2026-01-05T09:00:00+01:00")
    return Snp(fieldsim)


def client(snp, who=(1001, "tl-demo-key"), fmt="xml", **kw):
    return StadsnetClient(snp.sim.base_url, who[0], who[1], output_format=fmt, **kw)


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_client_parses_typed_objects_in_both_formats_SNP_FMT_1(snp, fmt):
    """SNP-FMT-1: the client reads XML and JSON into the same dataclasses."""
    placed = snp.place(service=2440, accessId="MS6060")
    c = client(snp, fmt=fmt)
    orders = c.orders("2026-01-05")
    assert orders == [Order(id=placed["id"], type="order", date="2026-01-05 09:00:00", status="new", service=2440,
                            xsp=31420, delivery="asap", customer=placed["customer"])]
    cust = c.customer_info(placed["customer"])
    assert isinstance(cust, Customer) and cust.access_id == "MS6060" and cust.phone.startswith("07")
    assert c.order_info(placed["id"]) == orders[0]
    assert [e.type for e in c.order_log(placed["id"])] == ["system"]
    assert c.orders("2030-01-01") == []


def test_client_raises_server_errors_SNP_ERR_1(snp):
    """SNP-ERR-1: status error -> StadsnetError with the server's message."""
    c = client(snp)
    with pytest.raises(StadsnetError) as exc:
        c.set_status(19530, "done")
    assert "Invalid status 'done'" in exc.value.message
    with pytest.raises(StadsnetError):
        client(snp, who=(1001, "wrong")).login()


def test_client_logs_in_again_when_the_server_refuses_the_hash_SNP_AUTH_2(snp):
    """SNP-AUTH-1/2: after 20 simulated minutes the hash is refused; the client logs in again once."""
    c = client(snp)
    assert c.orders("2025-12-01")
    snp.sim.advance("PT21M")
    assert c.orders("2025-12-01")
    assert c.logins == 2


def test_client_logs_in_before_the_hash_expires_by_its_own_clock_SNP_AUTH_1(snp):
    """SNP-AUTH-1: with its own clock past 19 minutes the client renews the hash proactively."""
    now = [0.0]
    c = client(snp, clock=lambda: now[0])
    c.orders("2025-12-01")
    now[0] = 19 * 60 + 1
    c.orders("2025-12-01")
    assert c.logins == 2


def test_client_add_message_with_api_user_form_SNP_AUTH_3(snp):
    """SNP-AUTH-3: add_message(use_api_user=True) sends api_user= (after a login)."""
    oid = snp.place(service=2440)["id"]
    c = client(snp)
    assert c.add_message(oid, "Port finns ej", "error", use_api_user=True) == f"Message added to order {oid}"
    assert "api_user=1001" in snp.sim.admin("GET", "requests", params={"api": "stadsnet"}).json()[-1]["query"]
    assert c.order_log(oid)[-1].message == "Port finns ej"


def test_workflow_handles_new_orders_once_and_records_direct_activation_SNP_WF_1_SNP_WF_2(snp, tmp_path):
    """SNP-WF-1: poll, read, set received, handler's status; SNP-WF-2: a delivered order is only recorded."""
    normal = snp.place(service=2440)
    direct = snp.place(service=2441, status="delivered")
    other_tl = snp.place(service=2450)
    seen = []

    def handler(order, customer):
        seen.append((order.id, order.status, customer.id))
        return None if order.directly_activated else "active"

    flow = TLWorkflow(client(snp), str(tmp_path / "cp.json"), first_since="2026-01-05", today=lambda: date(2026, 1, 5))
    result = flow.run(handler)
    assert result["handled"] == [normal["id"]] and result["direct"] == [direct["id"]]
    assert seen == [(normal["id"], "new", normal["customer"]), (direct["id"], "delivered", direct["customer"])]
    h = snp.login(TL)
    assert snp.ok(method="order_info", hash=h, id=normal["id"])["order"]["status"] == "active"
    assert [e["message"] for e in snp.log(h, normal["id"])][-2:] == ["Status changed to received",
                                                                      "Status changed to active"]
    assert snp.ok(method="order_info", hash=h, id=direct["id"])["order"]["status"] == "delivered"
    assert other_tl["id"] not in [s[0] for s in seen]
    # a second run finds nothing new; a later order is picked up
    assert flow.run(handler)["handled"] == []
    later = snp.place(service=2442)
    assert flow.run(handler)["handled"] == [later["id"]]
    flow.update_status(normal["id"], "delivered")
    assert snp.ok(method="order_info", hash=h, id=normal["id"])["order"]["status"] == "delivered"
    assert json.loads((tmp_path / "cp.json").read_text())["orders"][str(normal["id"])]["status"] == "delivered"


def test_workflow_reports_handler_failures_with_add_message_SNP_M_8(snp, tmp_path):
    """SNP-M-8 via the workflow: a failing handler -> add_message type error; NeedsAttention -> alert."""
    broken = snp.place(service=2440)
    attention = snp.place(service=2441)

    def handler(order, customer):
        if order.id == broken["id"]:
            raise ValueError("no free port on the switch")
        raise NeedsAttention("customer wants a visit first")

    cp = tmp_path / "cp.json"
    result = TLWorkflow(client(snp), str(cp), first_since="2026-01-05", today=lambda: date(2026, 1, 5)).run(handler)
    assert sorted(result["failed"]) == sorted([broken["id"], attention["id"]])
    h = snp.login(TL)
    last = snp.log(h, broken["id"])[-1]
    assert (last["type"], last["message"]) == ("error", "ValueError: no free port on the switch")
    assert snp.log(h, attention["id"])[-1]["type"] == "alert"
    assert json.loads(cp.read_text())["orders"][str(broken["id"])]["attention"]


def test_workflow_resumes_after_a_crash_SNP_WF_1(snp, tmp_path):
    """SNP-WF-1: a crash after `received` resumes that order on the next run (no second `received`)."""
    order = snp.place(service=2440)
    cp = str(tmp_path / "cp.json")
    flow = TLWorkflow(client(snp), cp, first_since="2026-01-05", today=lambda: date(2026, 1, 5))

    def crash(o, c):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        flow.run(crash)
    assert flow.run(lambda o, c: "delivered")["handled"] == [order["id"]]
    messages = [e["message"] for e in snp.log(snp.login(TL), order["id"])]
    assert messages.count("Status changed to received") == 1 and messages[-1] == "Status changed to delivered"
