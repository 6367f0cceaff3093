"""The methods, tenancy and the documented workflow, over HTTP as a TL or KO sends them
(SNP-M-1..8, SNP-AUTH-4, SNP-WF-1..3)."""
from __future__ import annotations

import pytest

from .snp import KO, NAMES, TL, TL2, Snp

STATUSES = ["new", "received", "active", "waiting", "cancelled", "delivered"]
TL_XSP = {1001: "31420", 1002: "31421"}


@pytest.fixture
def snp(fieldsim):
    fieldsim.set_clock("2026-01-05T09:00:00+01:00")
    return Snp(fieldsim)


def test_orders_since_date_includes_that_day_and_later_only_SNP_M_1(snp):
    """SNP-M-1: orders created on or after `date`, nothing earlier."""
    h = snp.login(TL)
    everything = snp.orders(h, "2000-01-01")
    assert len(everything) >= 10
    cut = sorted(o["date"] for o in everything)[len(everything) // 2][:10]
    since = snp.orders(h, cut)
    assert since and all(o["date"][:10] >= cut for o in since)
    assert {o["id"] for o in everything if o["date"][:10] >= cut} == {o["id"] for o in since}
    assert snp.orders(h, "2026-01-05") == []  # the seed lies in the past (before 2025-12-16)


def test_new_order_shows_up_in_orders_of_that_day_SNP_M_1_SNP_WF_4(snp):
    """SNP-M-1, SNP-WF-4: an end customer's order placed now appears in orders(today), status new."""
    h = snp.login(TL)
    placed = snp.place(service="Bredband 100/100", accessId="MS4711")
    assert placed["status"] == "new" and placed["accessId"] == "MS4711"
    rows = snp.orders(h, "2026-01-05")
    assert [r["id"] for r in rows] == [str(placed["id"])]
    assert rows[0]["date"] == "2026-01-05 09:00:00" and rows[0]["xsp"] == TL_XSP[1001]
    assert rows[0]["delivery"] == "asap" and rows[0]["type"] == "order"


def test_order_info_returns_the_order_in_full_SNP_M_2(snp):
    """SNP-M-2: order_info answers the same order as the orders listing."""
    h = snp.login(TL2)
    for row in snp.orders(h)[:5]:
        assert snp.ok(method="order_info", hash=h, id=row["id"])["order"] == row


def test_customers_since_date_and_customer_info_SNP_M_3_SNP_M_4(snp):
    """SNP-M-3: customers created on/after date; SNP-M-4: customer_info with contact data."""
    h = snp.login(TL)
    order = snp.place(service=2441, customer={"firstname": "Karin", "surname": "Lund", "email": "karin@example.se",
                                              "address": "Storgatan 1", "zip": "72211", "city": "Västerås",
                                              "phone": "0701234567", "premise": "1102"}, accessId="MS5555")
    rows = snp.ok(method="customers", hash=h, date="2026-01-05")["customer"]
    assert [(r["id"], r["firstname"], r["surname"], r["socket"], r["date"]) for r in rows] == [
        (str(order["customer"]), "Karin", "Lund", "MS5555", "2026-01-05 09:00")]
    info = snp.ok(method="customer_info", hash=h, id=order["customer"])
    assert info["customer"]["email"] == "karin@example.se" and info["customer"]["zip"] == "72211"
    assert info["data"] == {"phone": "0701234567", "premise": "1102"}


@pytest.mark.parametrize("status", STATUSES)
def test_set_status_accepts_each_documented_status_and_logs_it_SNP_M_5_SNP_M_6(snp, status):
    """SNP-M-5: each of the six values; reply "Status changed to <s> for order <id>". SNP-M-6: a log entry."""
    h = snp.login(TL)
    oid = snp.place(service=2440)["id"]
    before = snp.log(h, oid)
    reply = snp.ok(method="set_status", hash=h, id=oid, status=status)
    assert reply == {"message": f"Status changed to {status} for order {oid}"}
    assert snp.ok(method="order_info", hash=h, id=oid)["order"]["status"] == status
    log = snp.log(h, oid)
    assert len(log) == len(before) + 1
    assert status in log[-1]["message"] and log[-1]["user"] == NAMES[1001]
    assert log[-1]["date"] == "2026-01-05 09:00:00"


@pytest.mark.parametrize("bad", ["Received", "done", "deleted", "new ", "active,delivered"])
def test_set_status_refuses_other_values_and_leaves_order_unchanged_SNP_M_5(snp, bad):
    """SNP-M-5: any other value -> error naming the valid ones; status and log unchanged."""
    h = snp.login(TL)
    oid = snp.place(service=2440)["id"]
    log = snp.log(h, oid)
    message = snp.err(method="set_status", hash=h, id=oid, status=bad)
    assert f"Invalid status '{bad}'" in message and "received" in message
    assert snp.ok(method="order_info", hash=h, id=oid)["order"]["status"] == "new"
    assert snp.log(h, oid) == log


def test_log_is_shared_by_tl_and_ko_SNP_M_7_SNP_WF_3(snp):
    """SNP-M-7: TL and KO read the same log; SNP-WF-3: the KO sets active / cancelled on TL's order."""
    tl, ko = snp.login(TL), snp.login(KO)
    oid = snp.place(service=2440, accessId="MS1234")["id"]
    snp.ok(method="set_status", hash=tl, id=oid, status="received")
    snp.ok(method="add_message", hash=tl, id=oid, message="Begär aktivering", type="log")
    snp.ok(method="set_status", hash=ko, id=oid, status="active")
    log_tl, log_ko = snp.log(tl, oid), snp.log(ko, oid)
    assert log_tl == log_ko
    assert [e["user"] for e in log_tl[-3:]] == [NAMES[1001], NAMES[1001], NAMES[2001]]
    assert snp.ok(method="order_info", hash=tl, id=oid)["order"]["status"] == "active"
    snp.ok(method="set_status", hash=ko, id=oid, status="cancelled")
    assert snp.ok(method="order_info", hash=tl, id=oid)["order"]["status"] == "cancelled"


@pytest.mark.parametrize("mtype", ["error", "alert", "system", "log"])
def test_add_message_types_SNP_M_8(snp, mtype):
    """SNP-M-8: error, alert, system and log are accepted and show in the log with their type."""
    h = snp.login(TL)
    oid = snp.place(service=2440)["id"]
    snp.ok(method="add_message", hash=h, id=oid, message=f"ett {mtype}-meddelande", type=mtype)
    last = snp.log(h, oid)[-1]
    assert (last["type"], last["message"]) == (mtype, f"ett {mtype}-meddelande")


@pytest.mark.parametrize("bad", ["warning", "Error", "info", "Type of message"])
def test_add_message_refuses_other_types_SNP_M_8(snp, bad):
    """SNP-M-8: other type -> error naming the valid types; nothing is logged."""
    h = snp.login(TL)
    oid = snp.place(service=2440)["id"]
    log = snp.log(h, oid)
    message = snp.err(method="add_message", hash=h, id=oid, message="x", type=bad)
    assert f"Invalid type '{bad}'" in message and "alert" in message
    assert snp.log(h, oid) == log


def test_tl_sees_only_orders_for_its_own_services_SNP_AUTH_4(snp):
    """SNP-AUTH-4: each TL's orders list carries only its own xsp; the two lists are disjoint."""
    one, two = snp.orders(snp.login(TL)), snp.orders(snp.login(TL2))
    assert one and two
    assert {o["xsp"] for o in one} == {TL_XSP[1001]} and {o["xsp"] for o in two} == {TL_XSP[1002]}


@pytest.mark.parametrize("method, extra", [("order_info", {}), ("order_log", {}),
                                           ("set_status", {"status": "received"}),
                                           ("add_message", {"message": "x", "type": "log"})])
def test_other_tls_order_looks_exactly_like_an_unknown_id_SNP_AUTH_4(snp, method, extra):
    """SNP-AUTH-4: another TL's order -> the same error as an id that does not exist; nothing changes."""
    mine = snp.place(service=2440)["id"]  # belongs to TL 1001
    h2 = snp.login(TL2)
    log = snp.log(snp.login(TL), mine)
    foreign = snp.err(method=method, hash=h2, id=mine, **extra)
    unknown = snp.err(method=method, hash=h2, id=999999, **extra)
    assert foreign == unknown.replace("999999", str(mine))
    assert snp.log(snp.login(TL), mine) == log


def test_other_tls_customer_looks_like_an_unknown_id_SNP_AUTH_4(snp):
    """SNP-AUTH-4: customer_info of a customer who only ordered from another TL -> unknown-id error."""
    cid = snp.place(service=2450)["customer"]  # TL 1002's service
    h = snp.login(TL)
    assert snp.err(method="customer_info", hash=h, id=cid) == f"No customer with id {cid}"
    assert cid not in {int(c["id"]) for c in snp.ok(method="customers", hash=h, date="2000-01-01")["customer"]}
    assert snp.ok(method="customer_info", hash=snp.login(TL2), id=cid)["customer"]["id"] == str(cid)


def test_ko_sees_its_network_only_SNP_AUTH_4(snp):
    """SNP-AUTH-4: the KO sees orders of every TL in its network (MS), none in another network (NS)."""
    ko = snp.login(KO)
    ms = snp.place(service=2440, accessId="MS777")
    ns = snp.place(service=2450, accessId="NS777")
    ids = {int(o["id"]) for o in snp.orders(ko, "2026-01-05")}
    assert ids == {ms["id"]}
    assert {o["xsp"] for o in snp.orders(ko)} == set(TL_XSP.values())
    assert snp.err(method="order_info", hash=ko, id=ns["id"]) == f"No order with id {ns['id']}"
    assert snp.err(method="customer_info", hash=ko, id=ns["customer"]) == f"No customer with id {ns['customer']}"
    # the TL that delivers the service sees both networks
    assert {int(o["id"]) for o in snp.orders(snp.login(TL2), "2026-01-05")} == {ns["id"]}


def test_seed_has_orders_in_every_status_SNP_M_5(snp):
    """SNP-M-5 (README): the seeded orders, seen by both TLs, are in each of the six statuses, and the
    waiting one's log ends with that change."""
    orders = snp.orders(snp.login(TL)) + snp.orders(snp.login(TL2))
    assert {o["status"] for o in orders} == {"new", "received", "active", "waiting", "cancelled", "delivered"}
    waiting = next(o for o in orders if o["status"] == "waiting")
    h = snp.login(TL if waiting["xsp"] == "31420" else TL2)
    assert snp.log(h, waiting["id"])[-1]["message"] == "Status changed to waiting"


def test_seed_has_directly_activated_orders_for_each_tl_SNP_WF_2(snp):
    """SNP-WF-2: each demo TL has orders already `delivered` that no one has touched (direct activation)."""
    for who in (TL, TL2):
        h = snp.login(who)
        direct = [o for o in snp.orders(h) if o["status"] == "delivered"
                  and all(e["user"] == "Tjänsteguiden" for e in snp.log(h, o["id"]))]
        assert direct, who


def test_direct_activation_order_arrives_delivered_SNP_WF_2(snp):
    """SNP-WF-2: an order the Tjänsteguiden activated directly is delivered on the TL's first read."""
    h = snp.login(TL)
    oid = snp.place(service=2442, status="delivered")["id"]
    assert snp.ok(method="order_info", hash=h, id=oid)["order"]["status"] == "delivered"
    assert any("Direct activation" in e["message"] for e in snp.log(h, oid))


def test_documented_tl_workflow_end_to_end_SNP_WF_1(snp):
    """SNP-WF-1: poll orders, read order_info + customer_info, set received, keep status until delivered."""
    h = snp.login(TL)
    placed = snp.place(service=2441, accessId="MS2020")
    new = [o for o in snp.orders(h, "2026-01-05") if o["status"] == "new"]
    assert [int(o["id"]) for o in new] == [placed["id"]]
    order = snp.ok(method="order_info", hash=h, id=placed["id"])["order"]
    customer = snp.ok(method="customer_info", hash=h, id=order["customer"])["customer"]
    assert customer["socket"] == "MS2020"
    for status in ("received", "active", "delivered"):
        snp.ok(method="set_status", hash=h, id=placed["id"], status=status)
    assert [o["status"] for o in snp.orders(h, "2026-01-05")] == ["delivered"]
    assert [e["message"] for e in snp.log(h, placed["id"])][-3:] == [
        "Status changed to received", "Status changed to active", "Status changed to delivered"]
    ko_view = snp.ok(method="order_info", hash=snp.login(KO), id=placed["id"])["order"]
    assert ko_view["status"] == "delivered"
