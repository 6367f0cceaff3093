"""The end-customer side: the order generator over simulated time, POST /__admin/stadsnet/orders and
scenario loading (SNP-WF-4, SNP-WF-2)."""
from __future__ import annotations

import pytest
import requests

from simulators.testing import fieldsim_server

from .snp import KO, TL, TL2, Snp


@pytest.fixture
def snp(fieldsim):
    fieldsim.set_clock("2026-01-05T09:00:00+01:00")
    return Snp(fieldsim)


def _all_new(snp, day="2026-01-05"):
    return {who[0]: snp.orders(snp.login(who), day) for who in (TL, TL2)}


def test_generator_is_off_by_default_SNP_WF_4(snp):
    """SNP-WF-4: without configuration no orders arrive, however much time passes."""
    snp.sim.advance("P1D")
    assert _all_new(snp, "2026-01-05") == {1001: [], 1002: []}


def test_generator_places_orders_over_simulated_time_SNP_WF_4(snp):
    """SNP-WF-4: enabled with interval PT10M, one hour brings six end customers, each order dated at
    its own arrival instant, one order per service. Arrivals count from the moment it is enabled,
    with no request of the API in between."""
    r = snp.sim.admin("POST", "scenario", json={"stadsnet": {"generator": {"enabled": True, "interval": "PT10M"}}})
    assert r.status_code == 200, r.text
    snp.sim.advance("PT1H")
    rows = _all_new(snp)
    orders = rows[1001] + rows[1002]
    stamps = sorted({o["date"] for o in orders})
    assert stamps == [f"2026-01-05 09:{m}0:00" for m in range(1, 6)] + ["2026-01-05 10:00:00"]
    assert all(o["status"] in ("new", "delivered") for o in orders)
    by_customer = {}
    for o in orders:
        by_customer.setdefault(o["customer"], []).append(o["service"])
    assert len(by_customer) == 6
    assert all(len(set(s)) == len(s) for s in by_customer.values())  # one order per service
    seen_by_ko = {o["id"] for o in snp.orders(snp.login(KO), "2026-01-05")}
    assert seen_by_ko <= {o["id"] for o in orders}


def test_generator_is_deterministic_per_seed_SNP_WF_4(snp):
    """SNP-WF-4: the same seed and the same clock moves give the same customers and orders."""
    def run():
        snp.sim.reset()
        snp.sim.set_clock("2026-01-05T09:00:00+01:00")
        snp.sim.admin("POST", "stadsnet/generator", json={"enabled": True, "interval": "PT15M"})
        snp.login(TL)
        snp.sim.advance("PT1H")
        h = snp.login(TL)
        return [(o, snp.ok(method="customer_info", hash=h, id=o["customer"])) for o in snp.orders(h, "2026-01-05")]
    assert run() == run()


def test_generator_enabled_by_config_api_options_SNP_WF_4():
    """SNP-WF-4: api_options stadsnet.generator {enabled, interval} turns it on for a server."""
    opts = {"stadsnet": {"generator": {"enabled": True, "interval": 60, "direct_share": 0}}}
    with fieldsim_server(apis=["stadsnet"], api_options=opts) as sim:
        sim.set_clock("2026-02-02T10:00:00+01:00")
        snp = Snp(sim)
        snp.login(KO)
        sim.advance("PT5M")
        rows = _all_new(snp, "2026-02-02")
        assert len({o["customer"] for o in rows[1001] + rows[1002]}) <= 5
        assert all(o["status"] == "new" for o in rows[1001] + rows[1002])
        assert {o["date"][11:] for o in rows[1001] + rows[1002]} <= {f"10:0{m}:00" for m in range(1, 6)}


@pytest.mark.parametrize("body", [{"enabled": "yes"}, {"interval": "soon"}, {"interval": 0}, {"colour": "red"},
                                  {"direct_share": 2}])
def test_generator_config_refuses_bad_input_SNP_WF_4(snp, body):
    """SNP-WF-4: bad generator settings -> 400 naming the problem; the setting is unchanged."""
    r = snp.sim.admin("POST", "stadsnet/generator", json=body)
    assert r.status_code == 400 and "generator" in r.json()["message"]
    assert snp.sim.admin("GET", "stadsnet/generator").json()["enabled"] is False


def test_generator_setting_keeps_the_fields_a_post_leaves_out_SNP_WF_4(snp):
    """SNP-WF-4: {"interval": "PT5M"} changes the interval of a running generator; it stays on."""
    snp.sim.admin("POST", "stadsnet/generator", json={"enabled": True, "interval": "PT30M", "direct_share": 0.5})
    after = snp.sim.admin("POST", "stadsnet/generator", json={"interval": "PT5M"}).json()
    assert after == {"enabled": True, "interval": 300.0, "direct_share": 0.5}
    assert snp.sim.admin("POST", "stadsnet/generator", json={"enabled": False}).json()["interval"] == 300.0


def test_admin_order_answers_the_order_SNP_WF_4(snp):
    """SNP-WF-4: POST /__admin/stadsnet/orders places an order now and answers it."""
    r = snp.sim.admin("POST", "stadsnet/orders", json={"service": 2451, "accessId": "MS3141",
                                                      "customer": {"firstname": "Nils", "surname": "Holm"}})
    assert r.status_code == 201
    order = r.json()
    assert {k: order[k] for k in ("type", "status", "service", "xsp", "delivery", "accessId", "serviceName")} == {
        "type": "order", "status": "new", "service": 2451, "xsp": 31421, "delivery": "asap",
        "accessId": "MS3141", "serviceName": "IP-TV Bas"}
    h = snp.login(TL2)
    assert snp.ok(method="order_info", hash=h, id=order["id"])["order"]["date"] == order["date"]
    cust = snp.ok(method="customer_info", hash=h, id=order["customer"])["customer"]
    assert (cust["firstname"], cust["surname"], cust["socket"]) == ("Nils", "Holm", "MS3141")
    empty = snp.sim.admin("POST", "stadsnet/orders")  # no body: a random customer and service
    assert empty.status_code == 201 and empty.json()["status"] == "new"


def test_admin_order_for_an_existing_customer_SNP_WF_4(snp):
    """SNP-WF-4: one customer ordering a second service gets a second order (one order per service)."""
    first = snp.place(service=2440, accessId="MS1010")
    second = snp.place(service=2452, customer=first["customer"])
    assert second["customer"] == first["customer"] and second["id"] != first["id"]
    assert second["accessId"] == "MS1010"


@pytest.mark.parametrize("body, needle", [
    ({"service": 1}, "unknown service"),
    ({"service": "Bredband 9/9"}, "unknown service"),
    ({"status": "shipped"}, "status"),
    ({"status": "active"}, "status"),  # a known status, but not one a new order arrives in
    ({"delivery": "tomorrow"}, "delivery"),
    ({"delivery": "2026-02-30 00:00:00"}, "a time that exists"),  # the shape of a date, not a date
    ({"delivery": "2026-13-45 99:99:99"}, "delivery"),
    ({"customer": {"firstname": "Ny", "date": "2026-99-99 99:99"}}, "date"),
    ({"accessId": "<script>"}, "accessId"),
    ({"customer": 10573, "accessId": "NS999"}, "accessId NS999 is not customer 10573's"),  # not dropped silently
    ({"customer": {"id": 10573, "firstname": "Hijack"}}, "customer.id"),
    ({"customer": {"socket": "MS1", "firstname": "A"}, "accessId": "NS2"}, "differ"),
    ({"customer": 424242}, "no customer"),
    ({"customer": {"shoe": 42}}, "unknown field"),
    ({"colour": "red"}, "unknown field"),
    ([1, 2], "expected a JSON object"),
])
def test_admin_order_refuses_bad_input_and_changes_nothing_SNP_WF_4(snp, body, needle):
    """SNP-WF-4: bad admin input -> 4xx JSON naming the problem; nothing changes, not even the
    counter the next order's key is drawn from (so a scenario replays the same after a refusal)."""
    h = snp.login(KO)
    before = snp.orders(h)
    state = snp.sim.admin("GET", "state/stadsnet").json()
    r = snp.sim.admin("POST", "stadsnet/orders", json=body)
    assert 400 <= r.status_code < 500 and needle in r.json()["message"]
    assert snp.orders(h) == before
    assert snp.sim.admin("GET", "state/stadsnet").json()["counters"] == state["counters"]
    bad_json = requests.post(f"{snp.sim.base_url}/__admin/stadsnet/orders", data="{nope", timeout=10)
    assert bad_json.status_code == 400


def test_scenario_adds_customers_and_orders_in_wire_format_SNP_WF_4(snp):
    """SNP-WF-4: POST /__admin/scenario {"stadsnet": {customers, orders}} adds them as given."""
    scenario = {"clock": {"now": "2026-03-02T08:00:00+01:00"}, "stadsnet": {
        "customers": [{"id": 90001, "socket": "MS9001", "serial": "198001011234", "firstname": "Eva",
                       "surname": "Berg", "email": "eva@example.se", "address": "Kungsgatan 3", "zip": "72215",
                       "city": "Västerås", "phone": "0731112233", "premise": "1001", "date": "2026-03-01 12:00"}],
        "orders": [{"id": 80001, "type": "order", "date": "2026-03-01 12:00:00", "status": "new", "service": 2440,
                    "delivery": "2026-03-20 00:00:00", "customer": 90001},
                   {"id": 80002, "status": "delivered", "service": 2450, "customer": 90001}]}}
    r = snp.sim.admin("POST", "scenario", json=scenario)
    assert r.status_code == 200, r.text
    assert r.json()["stadsnet"] == {"customers": [90001], "orders": [80001, 80002]}
    h = snp.login(TL)
    assert snp.orders(h, "2026-03-01") == [{"id": "80001", "type": "order", "date": "2026-03-01 12:00:00",
                                            "status": "new", "service": "2440", "xsp": "31420",
                                            "delivery": "2026-03-20 00:00:00", "customer": "90001"}]
    assert snp.ok(method="customer_info", hash=h, id=90001)["data"] == {"phone": "0731112233", "premise": "1001"}
    assert snp.ok(method="order_info", hash=snp.login(TL2), id=80002)["order"]["status"] == "delivered"


@pytest.mark.parametrize("section, needle", [
    ({"orders": [{"service": 2440, "customer": 123}]}, "customer"),
    ({"orders": [{"service": 2440}]}, "customer"),
    ({"customers": [{"socket": "MS1"}]}, "firstname"),
    ({"customers": [{"socket": "MS1", "firstname": "A", "surname": "B"}], "orders": [{"service": 9}]}, "service"),
    ({"orders": [{"id": 19530, "service": 2440, "customer": 10573}]}, "exists"),
    ({"orders": [{"id": 80060, "date": "2026-02-30 12:00:00", "service": 2440, "customer": 10573}]},
     "a time that exists"),  # was a 500
    ({"orders": [{"date": "2026-01-01 25:00:00", "service": 2440, "customer": 10573}]}, "orders[0]: date"),
    ({"orders": [{"delivery": "2026-13-45 99:99:99", "service": 2440, "customer": 10573}]}, "delivery"),
    ({"customers": [{"socket": "MS1", "firstname": "A", "surname": "B", "date": "2026-13-45 25:61"}]}, "date"),
    ({"orders": [{"id": 80001, "service": 2440, "customer": 10573},
                 {"id": 80001, "service": 2441, "customer": 10573}]}, "orders[1]: id 80001 is given twice"),
    ({"customers": [{"id": 90010, "socket": "MS9010", "firstname": "A", "surname": "B"},
                    {"id": 90010, "socket": "NS9011", "firstname": "C", "surname": "D"}]}, "given twice"),
    ({"trucks": []}, "unknown section"),
    ({"generator": {"enabled": "please"}}, "enabled"),
])
def test_scenario_with_bad_entries_changes_nothing_SNP_WF_4(snp, section, needle):
    """SNP-WF-4: a scenario with any bad entry is refused as a whole (400 naming it)."""
    h = snp.login(KO)
    before = (snp.orders(h), snp.ok(method="customers", hash=h, date="2000-01-01"))
    r = snp.sim.admin("POST", "scenario", json={"stadsnet": section})
    assert r.status_code == 400 and needle in r.json()["message"], r.text
    assert (snp.orders(h), snp.ok(method="customers", hash=h, date="2000-01-01")) == before


def test_state_export_import_round_trip_SNP_WF_4(snp):
    """SNP-WF-4: orders placed now survive GET/PUT /__admin/state/stadsnet."""
    oid = snp.place(service=2440)["id"]
    state = snp.sim.admin("GET", "state/stadsnet").json()
    snp.sim.reset("stadsnet")
    h = snp.login(TL)
    assert snp.err(method="order_info", hash=h, id=oid) == f"No order with id {oid}"
    assert snp.sim.admin("PUT", "state/stadsnet", json=state).status_code == 200
    assert snp.ok(method="order_info", hash=snp.login(TL), id=oid)["order"]["id"] == str(oid)


def test_scenario_ids_are_never_reused_by_later_orders_SNP_WF_4(snp):
    """SNP-WF-4: ids a scenario chose are skipped when new orders and customers get ids."""
    h = snp.login(KO)
    nxt = snp.place(service=2440)
    taken_o, taken_c = nxt["id"] + 1, nxt["customer"] + 1
    r = snp.sim.admin("POST", "scenario", json={"stadsnet": {
        "customers": [{"id": taken_c, "socket": "MS8080", "firstname": "Per", "surname": "Ek"}],
        "orders": [{"id": taken_o, "service": 2440, "customer": taken_c}]}})
    assert r.status_code == 200, r.text
    after = snp.place(service=2440)
    assert after["id"] not in (nxt["id"], taken_o) and after["customer"] not in (nxt["customer"], taken_c)
    assert snp.ok(method="customer_info", hash=h, id=taken_c)["customer"]["firstname"] == "Per"
