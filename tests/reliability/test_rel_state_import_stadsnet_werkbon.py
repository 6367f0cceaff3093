"""PUT /__admin/state/stadsnet and /state/werkbon with a document the API cannot read (README, Admin API:
"PUT takes what GET exports: a document the API could not read ... is a 400 naming it, and nothing is
replaced"; "Bad input gets a 400 whose `message` names the problem").

Each case takes the API's own export, spoils one document the way the audit did (a field deleted, set to
null or to another kind) and imports it: the answer is a 400 naming the document, the export afterwards
equals the one before, and the public calls that answered 500 / code 1007 after such an import answer
normally."""
from __future__ import annotations

import copy

import pytest
import requests

SNP_USERS = {1001: "tl-demo-key", 2001: "ko-demo-key"}
WB_DEMO = {"token": "werkbon-demo-token", "software_token": "werkbon-demo-software"}
ORDER, CUSTOMER, WO, WO_COLL = "19530", "10573", "169824", "1205:workorders"


@pytest.fixture
def sim(fieldsim):
    """Frozen where it is: the device (WB-WO-5) must not move orders between two exports."""
    fieldsim.admin("POST", "clock", json={"frozen": True})
    return fieldsim


def export(sim, api: str) -> dict:
    r = requests.get(f"{sim.base_url}/__admin/state/{api}", timeout=30)
    assert r.status_code == 200, r.text
    return r.json()


def put(sim, api: str, document: dict) -> requests.Response:
    return requests.put(f"{sim.base_url}/__admin/state/{api}", json=document, timeout=60)


def refused(sim, api: str, spoil, needle: str) -> None:
    """PUT answers 400 naming the problem, and nothing was replaced."""
    before = export(sim, api)
    spoiled = copy.deepcopy(before)
    spoil(spoiled["collections"])
    r = put(sim, api, spoiled)
    assert r.status_code == 400, r.text
    assert needle in r.json()["message"], r.text
    assert export(sim, api) == before


# ---- Stadsnät -------------------------------------------------------------------------------------
def snp(sim, **params) -> dict:
    r = requests.get(sim.url("stadsnet"), params={**params, "output_format": "json"}, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()


def snp_reads_answer(sim) -> None:
    """SNP-M-1..4, SNP-M-7 for a TL and the KO: the calls the audit saw answer 500."""
    for user, key in SNP_USERS.items():
        h = snp(sim, method="api_login", api_user=user, api_key=key)["response"]["hash_key"]
        orders = snp(sim, method="orders", hash=h, date="2000-01-01")
        assert orders["status"] == "success" and orders["response"]["order"], orders
        for method, id_ in (("order_info", ORDER), ("order_log", ORDER), ("customer_info", CUSTOMER)):
            assert snp(sim, method=method, hash=h, id=id_)["status"] == "success", (user, method)
        assert snp(sim, method="customers", hash=h, date="2000-01-01")["status"] == "success"


def _meta(key: str, doc: dict):
    return lambda c: c.setdefault("meta", {}).update({key: doc})


SNP_CASES = {
    # the audit's repros (finding 2)
    "user without xsp": (lambda c: c["users"]["1001"].pop("xsp"), "collections.users.1001 needs xsp (int)"),
    **{f"customer without {f}": (lambda c, f=f: c["customers"][CUSTOMER].pop(f),
                                 f"collections.customers.{CUSTOMER} needs {f} (str)")
       for f in ("serial", "email", "address", "zip", "city", "phone", "premise")},
    # more of the same kind
    "KO without network": (lambda c: c["users"]["2001"].pop("network"), "collections.users.2001 needs network (str)"),
    "user of no role": (lambda c: c["users"]["1001"].update(role="admin"), "collections.users.1001 needs role tl or ko"),
    "api key login cannot compare": (lambda c: c["users"]["1001"].update(key="nyckel-å"),
                                     "collections.users.1001 needs an ASCII key"),
    "order id not its key": (lambda c: c["orders"][ORDER].update(id=99), f"collections.orders.{ORDER} has id 99"),
    "customer firstname null": (lambda c: c["customers"][CUSTOMER].update(firstname=None),
                                f"collections.customers.{CUSTOMER} needs firstname (str)"),
    "log entry not an object": (lambda c: c["logs"][ORDER]["entries"].append("x"),
                                f"collections.logs.{ORDER}.entries.1 must be an object"),
    "log entry without date": (lambda c: c["logs"][ORDER]["entries"][0].pop("date"),
                               f"collections.logs.{ORDER}.entries.0 needs date (str)"),
    "session of no user": (lambda c: c.setdefault("sessions", {}).update(h1={"user": 4242, "expires": 9e9}),
                           "collections.sessions.h1 belongs to no user"),
    "session without expiry": (lambda c: c.setdefault("sessions", {}).update(h1={"user": 1001}),
                               "collections.sessions.h1 needs expires (num)"),
    "generator without interval": (_meta("generator_config", {"enabled": True, "direct_share": 0.1}),
                                   "collections.meta.generator_config needs interval (num)"),
    "generator interval negative": (_meta("generator_config", {"enabled": True, "interval": -5, "direct_share": 0.1}),
                                    "collections.meta.generator_config cannot be read"),
    "generator mark not a time": (_meta("generator", {"last": "x", "count": 0}),
                                  "collections.meta.generator needs last (num)"),
}


@pytest.mark.parametrize("case", sorted(SNP_CASES))
def test_stadsnet_import_it_cannot_read_is_a_400_naming_it_and_changes_nothing(sim, case):
    """README Admin API: "PUT takes what GET exports: a document the API could not read ... is a 400
    naming it, and nothing is replaced"; afterwards SNP-M-1..4 and SNP-M-7 answer as before."""
    spoil, needle = SNP_CASES[case]
    refused(sim, "stadsnet", spoil, f"stadsnet: {needle}")
    snp_reads_answer(sim)


# ---- WerkbonApp -----------------------------------------------------------------------------------
def wb(sim, function: str, **params) -> dict:
    r = requests.get(f"{sim.url('werkbon')}/8/{function}/", params={**WB_DEMO, **params}, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()


def wb_reads_answer(sim) -> None:
    """WB-WO-2/3, WB-ENT-1 and the changed lists answer code 200 (the audit saw 1007)."""
    orders = wb(sim, "GetWorkorders", status="Alle", update_status="false")
    assert orders["code"] == 200 and orders["response"], orders
    for function, params in (("GetWorkorder", {"row_id": WO, "update_status": "false"}), ("invoices", {}),
                             ("transactions", {}), ("object_parts/changed", {"opr_timestamp_mutate": "2000-01-01 00:00:00"}),
                             ("values", {"val_entity": "object", "val_primary": "OBJ1", "val_column": "kleur"}),
                             ("employees", {})):
        assert wb(sim, function, **params)["code"] == 200, function


def _wo(**fields):
    return lambda c: c[WO_COLL][WO].update(fields)


def _first(coll: str, **fields):
    return lambda c: next(iter(c[coll].values())).update(fields)


WB_CASES = {
    # the audit's repros (finding 2)
    "Materials null": (_wo(Materials=None), f"collections.{WO_COLL}.{WO} needs Materials (list)"),
    "Materials a string": (_wo(Materials="x"), f"collections.{WO_COLL}.{WO} needs Materials (list)"),
    "Workperiods null": (_wo(Workperiods=None), f"collections.{WO_COLL}.{WO} needs Workperiods (list)"),
    "Workperiods a string": (_wo(Workperiods="x"), f"collections.{WO_COLL}.{WO} needs Workperiods (list)"),
    # more of the same kind
    "a material not an object": (_wo(Materials=["x"]), f"collections.{WO_COLL}.{WO}.Materials.0 must be an object"),
    "a work period without its date": (_wo(Workperiods=[{"BeginTime": "08:00", "EndTime": "09:00", "TotalTime": "01:00"}]),
                                       f"collections.{WO_COLL}.{WO}.Workperiods.0 needs WorkDate (str)"),
    "Photos null": (_wo(Photos=None), f"collections.{WO_COLL}.{WO} needs Photos (list)"),
    "WorksheetCode missing": (lambda c: c[WO_COLL][WO].pop("WorksheetCode"),
                              f"collections.{WO_COLL}.{WO} needs WorksheetCode (str)"),
    "id not its key": (_wo(id="abc"), f"collections.{WO_COLL}.{WO} has id 'abc'"),
    "a scalar not a string": (_wo(CustomerName=5), f"collections.{WO_COLL}.{WO} needs CustomerName (str)"),
    "WorkDuration not minutes": (_wo(WorkDuration="abc"), f"collections.{WO_COLL}.{WO} cannot be read"),
    "WorkDate not d-m-Y": (_wo(WorkDate="2026-01-05"), f"collections.{WO_COLL}.{WO} cannot be read"),
    "device plan without offset": (lambda c: c["1205:device"][WO].update(pickup="2026-01-05T09:00:00"),
                                   f"collections.1205:device.{WO} cannot be read"),
    "device settings no duration": (_meta("device", {"pickup_after": "soon"}), "collections.meta.device cannot be read"),
    "a number not a number": (lambda c: c.setdefault("1205:numbers", {}).update(invoices="x"),
                              "collections.1205:numbers cannot be read"),
    "object part stamped with a number": (_first("1205:object_parts", opr_timestamp_mutate=5),
                                          "collections.1205:object_parts cannot be read"),
    "transaction without timestamp": (lambda c: c["1205:transactions"].update(
        t1={"_row": 5000, "int_inv_id": "160", "int_amount": "1.00", "int_type": "BANK"}),
        "collections.1205:transactions.t1 needs int_timestamp (str)"),
    "invoice without inv_id": (lambda c: c["1205:invoices"]["160"].pop("inv_id"),
                               "collections.1205:invoices.160 needs inv_id (str)"),
    "a value not an object": (lambda c: c.setdefault("1205:values", {}).update(v1="x"),
                              "collections.1205:values.v1 must be an object"),
    "account under another token": (lambda c: c["accounts"]["werkbon-demo-token"].update(token="other"),
                                    "collections.accounts.werkbon-demo-token has token 'other'"),
}


@pytest.mark.parametrize("case", sorted(WB_CASES))
def test_werkbon_import_it_cannot_read_is_a_400_naming_it_and_changes_nothing(sim, case):
    """README Admin API: "PUT takes what GET exports: a document the API could not read ... is a 400
    naming it, and nothing is replaced"; afterwards WB-WO-2/3 GetWorkorders and GetWorkorder answer 200."""
    spoil, needle = WB_CASES[case]
    refused(sim, "werkbon", spoil, f"werkbon: {needle}")
    wb_reads_answer(sim)


# ---- a real export round-trips ----------------------------------------------------------------------
def mutate_stadsnet(sim) -> None:
    h = snp(sim, method="api_login", api_user=1001, api_key="tl-demo-key")["response"]["hash_key"]
    assert snp(sim, method="set_status", hash=h, id=ORDER, status="received")["status"] == "success"
    assert snp(sim, method="add_message", hash=h, id=ORDER, message="Tekniker bokad", type="log")["status"] == "success"
    assert sim.admin("POST", "stadsnet/orders", json={"service": 2440}).status_code == 201
    assert sim.admin("POST", "stadsnet/generator", json={"enabled": True, "interval": "PT5M"}).status_code == 200


def mutate_werkbon(sim) -> None:
    base = f"{sim.url('werkbon')}/8"
    order = {"WorkorderNo": "RT-1", "CustomerName": "Bakker BV", "CustomerDebtorNr": "D1", "CustomerStreet": "Dorpsstraat",
             "CustomerZIP": "3454DE", "CustomerCity": "De Meern", "CustomerContactPerson": "J. Bakker",
             "CustomerNameInvoice": "Bakker BV", "CustomerDebtorNrInvoice": "D1", "CustomerStreetInvoice": "Dorpsstraat",
             "CustomerZIPInvoice": "3454DE", "CustomerCityInvoice": "De Meern", "CustomerContactPersonInvoice": "J. Bakker",
             "TypeOfWork": "Installatie", "PaymentMethod": "op rekening", "EmployeeNr": "100", "WorkDate": "05-02-2026",
             "WorkTime": "09:00", "WorkDuration": "90", "Attachments": [{"FileName": "plan.pdf"}],
             "Materials": [{"MaterialCode": "00001", "MaterialNr": "2", "MaterialPrice": "4,55", "MaterialName": "Kabel"}]}
    for function, body in (("PostWorkorders", [order]), ("employees", [{"firstname": "An", "lastname": "Vos", "number": "900"}]),
                           ("transactions", [{"int_amount": "10.00", "int_type": "BANK", "int_inv_id": "161"}])):
        r = requests.post(f"{base}/{function}/", params=WB_DEMO, json=body, timeout=30)
        assert r.json()["code"] == 200, (function, r.text)
    for function, params in (("UpdateWorkorder", {"workorder_no": "RT-1", "workstatus": "001"}),
                             ("numbers", {"table": "invoices"}), ("GetWorkorders", {"status": "Compleet"})):
        assert wb(sim, function, **params)["code"] == 200, function
    assert requests.post(f"{base}/values/", params={**WB_DEMO, "val_entity": "object", "val_primary": "OBJ1",
                                                     "val_column": "kleur", "val_value": "rood"}, timeout=30).json()["code"] == 200
    assert sim.admin("POST", "werkbon/workorders/WB1205-0001/complete").status_code == 200


@pytest.mark.parametrize("api, mutate", [("stadsnet", mutate_stadsnet), ("werkbon", mutate_werkbon)])
def test_a_real_export_round_trips_after_changes_through_the_public_api(sim, api, mutate):
    """README Admin API: "PUT takes what GET exports": GET → PUT → 200, and the state is what was exported."""
    mutate(sim)
    exported = export(sim, api)
    r = put(sim, api, exported)
    assert r.status_code == 200, r.text
    assert export(sim, api) == exported
