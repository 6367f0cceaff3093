"""Master data: every path of the document, sync semantics, DeleteEntity, filter endpoints."""
from __future__ import annotations

import json

import pytest

from .wbhelp import order

from contracts.werkbon.overlay import SPEC
OPS = [(m.upper(), p.strip("/")) for p, ops in json.loads(SPEC.read_text())["paths"].items() for m in ops] \
    if SPEC.exists() else []


@pytest.mark.skipif(not SPEC.exists(), reason="vendor document not found (set FIELDSIM_WERKBON_SPEC)")
def test_wb_ent_1_the_document_has_51_paths():
    assert len({p for _, p in OPS}) == 51


@pytest.mark.parametrize("method, path", OPS, ids=[f"{m} {p}" for m, p in OPS])
def test_wb_ent_1_every_path_and_method_of_the_document_is_served(wb, method, path):
    """WB-ENT-1: no operation of the document answers 1001 (unknown endpoint)."""
    body = wb.code(method, path, json=[] if method in ("POST", "PUT") else None)
    assert body["code"] != 1001, body


def test_wb_ent_2_post_employees_answers_the_count_and_they_appear(wb):
    """WB-ENT-2: POST /employees takes [{firstname, lastname, number}] and answers the number synced."""
    body = [{"firstname": "Jan", "lastname": "Klaassen", "number": "123"},
            {"firstname": "Katrien", "lastname": "Klaassen", "number": "129"}]
    assert wb.code("POST", "employees", json=body) == {"code": 200, "messages": [], "response": 2}
    got = {e["number"]: e for e in wb.ok("GET", "employees")}
    assert got["123"] == {"firstname": "Jan", "lastname": "Klaassen", "number": "123", "active": "1"}
    assert got["129"]["firstname"] == "Katrien"


def test_wb_ent_3_posting_an_existing_key_updates_instead_of_duplicating(wb):
    """WB-ENT-3: sync semantics on the record's number/code."""
    wb.ok("POST", "employees", json=[{"firstname": "Jan", "lastname": "Klaassen", "number": "123"}])
    wb.ok("POST", "employees", json=[{"firstname": "Johan", "lastname": "Klaassen", "number": "123"}])
    rows = [e for e in wb.ok("GET", "employees") if e["number"] == "123"]
    assert rows == [{"firstname": "Johan", "lastname": "Klaassen", "number": "123", "active": "1"}]
    mat = {"code": "M-1", "description": "Kabel", "price": "4,55", "unit": "M2"}
    wb.ok("POST", "materials", json=[mat])
    wb.ok("POST", "materials", json=[{**mat, "price": "5,00"}])
    mats = [m for m in wb.ok("GET", "materials") if m["code"] == "M-1"]
    assert len(mats) == 1 and mats[0]["price"] == "5,00"
    count = len(wb.ok("GET", "relations"))
    rel = {"name": "A", "debtor_number": "R1", "street": "s", "postal_code": "1234AB", "city": "Utrecht"}
    wb.ok("POST", "relations", json=[rel, {**rel, "name": "B"}])
    rels = wb.ok("GET", "relations")
    assert len(rels) == count + 1 and [r["name"] for r in rels if r["debtor_number"] == "R1"] == ["B"]


def test_wb_ent_1_single_object_body_and_get_shapes(wb):
    """WB-ENT-1: a JSON object is one record; GET answers every documented field as text."""
    assert wb.ok("POST", "categories", json={"cat_code": "9", "cat_name": "Boutjes", "cat_display": 0}) == 1
    cat = [c for c in wb.ok("GET", "categories") if c["cat_code"] == "9"][0]
    assert cat == {"cat_code": "9", "cat_name": "Boutjes", "cat_display": "0", "cat_cat_code": "", "cat_image": ""}


def test_wb_ent_1_delete_entity(wb):
    """WB-ENT-1 DeleteEntity: affected rows; wrong entity/key → 1600; delete_all refused for work orders."""
    wb.ok("POST", "materials", json=[{"code": "DEL1", "description": "x", "price": "1", "unit": "st"}])
    q = {"delete_all": "false", "entity": "material", "key": "code", "value": "DEL1"}
    assert wb.ok("GET", "DeleteEntity", q) == 1
    assert wb.ok("GET", "DeleteEntity", q) == 0
    assert all(m["code"] != "DEL1" for m in wb.ok("GET", "materials"))
    assert wb.code("GET", "DeleteEntity", {**q, "entity": "materials"}) == {
        "code": 1600, "messages": ["Entity: materials not found"], "response": None}
    assert wb.code("GET", "DeleteEntity", {**q, "key": "codes"}) == {
        "code": 1600, "messages": ["Key: codes not allowed for entity: material"], "response": None}
    assert wb.code("GET", "DeleteEntity", {"delete_all": "true", "entity": "workorder"}) == {
        "code": 1600, "messages": ["Delete all not allowed on Workorder entity"], "response": None}
    n = len(wb.ok("GET", "relations"))
    assert wb.ok("GET", "DeleteEntity", {"delete_all": "true", "entity": "relation"}) == n
    assert wb.ok("GET", "relations") == []


@pytest.mark.parametrize("typo", ["fals", "maybe", "ja", "2"])
def test_wb_ent_1_a_delete_all_that_is_not_a_boolean_is_1600_and_deletes_nothing(wb, typo):
    """WB-ENT-1 / WB-ERR-3: delete_all is a required boolean (spec, DeleteEntity); any other value
    is refused with 1600 and nothing is deleted (read as true, a typo emptied the whole entity)."""
    before = wb.ok("GET", "employees")
    got = wb.code("GET", "DeleteEntity", {"delete_all": typo, "entity": "employee", "key": "number",
                                          "value": before[0]["number"]})
    assert got == {"code": 1600, "messages": [f"delete_all must be true or false, not '{typo}'"], "response": None}
    assert wb.ok("GET", "employees") == before


def test_wb_wo_2_an_update_status_that_is_not_a_boolean_is_refused_and_flips_nothing(wb):
    """WB-WO-2: update_status is a boolean; `abc` is refused (1007) instead of being read as true,
    so no Compleet order becomes Afgehandeld."""
    before = wb.ok("GET", "GetWorkorders", {"status": "Alle", "update_status": "false"})
    got = wb.code("GET", "GetWorkorders", {"status": "Alle", "update_status": "abc"})
    assert got == {"code": 1007, "messages": ["update_status must be true or false, not 'abc'"], "response": None}
    assert wb.ok("GET", "GetWorkorders", {"status": "Alle", "update_status": "false"}) == before
    assert any(o["status"] == "Compleet" for o in before)


def test_wb_ent_1_delete_entity_without_delete_all_is_refused_and_deletes_nothing(wb):
    """WB-ENT-1, WB-ERR-3: DeleteEntity's delete_all is required (true or false): left out -> 1600 and
    nothing is deleted (the key/value row used to go)."""
    before = wb.ok("GET", "materials")
    got = wb.code("GET", "DeleteEntity", {"entity": "material", "key": "code", "value": before[0]["code"]})
    assert got["code"] == 1600 and "delete_all" in got["messages"][0]
    assert wb.ok("GET", "materials") == before


def test_wb_ent_1_delete_object_part_by_composite_key(wb):
    q = [("delete_all", "false"), ("entity", "object_part"), ("key[]", "prt_code"), ("value[]", "0010"),
         ("key[]", "obj_code"), ("value[]", "OBJ1")]
    r = wb.http.get(wb.base + "DeleteEntity/", params=[("token", "werkbon-demo-token"),
                                                        ("software_token", "werkbon-demo-software")] + q)
    assert r.json() == {"code": 200, "messages": [], "response": 1}
    assert wb.ok("GET", "object_parts") == []


def test_wb_ent_1_locations_1400_when_empty_then_posted(wb):
    """locations: 1400 without location data; POST answers the count."""
    wb.ok("GET", "DeleteEntity", {"delete_all": "true", "entity": "location"})
    assert wb.code("GET", "locations") == {"code": 1400, "messages": [], "response": None}
    posted = [{"lat": "52.1", "long": "5.0", "identifier": "EMP001", "type": "0"},
              {"lat": "52.1", "long": "5.0", "identifier": "44-FPS-2", "type": "1"}]
    assert wb.ok("POST", "locations", json=posted) == 2
    got = wb.ok("GET", "locations")
    assert {g["identifier"] for g in got} == {"EMP001", "44-FPS-2"}
    assert {"customer_id", "lat", "long", "employee_nr", "last_seen"} <= set(got[0])


def test_wb_ent_1_numbers_values_transactions_invoices(wb):
    a = wb.ok("GET", "numbers", {"table": "worksheets_jobnr"})
    b = wb.ok("GET", "numbers", {"table": "worksheets_jobnr"})
    assert int(b) == int(a) + 1
    assert wb.code("GET", "numbers", {"table": "nope"})["code"] == 1007
    # the next number is never one in use: the seeded invoices are 1 and 2, the projects P001 and P002
    in_use = {int(i["inv_number_numeric"]) for i in wb.ok("GET", "invoices")}
    assert int(wb.ok("GET", "numbers", {"table": "invoices"})) == max(in_use) + 1
    assert int(wb.ok("GET", "numbers", {"table": "projects"})) > max(int(p["code"][1:]) for p in wb.ok("GET", "projects"))
    q = {"val_entity": "WORKORDER", "val_primary": "40", "val_column": "Reference"}
    wb.ok("POST", "values", {**q, "val_value_15": "PO-1"})
    assert wb.ok("GET", "values", q)[0]["val_value"] == "PO-1"
    posted = wb.ok("POST", "transactions", json=[{"int_inv_id": None, "int_description": "Bank", "int_amount": "100.43",
                                                  "int_type": "BANK"}])
    assert posted[0]["int_status"] == "PROCESSED" and posted[0]["int_user"] == "OpenAPI"
    tid = posted[0]["int_transaction_id"]
    assert wb.ok("PUT", "transactions", json=[{"int_transaction_id": tid, "int_inv_id": "160"}]) == 1
    inv = wb.ok("GET", "invoices", {"key": "inv_id", "value": "160", "operator": "eq"})
    assert len(inv) == 1 and inv[0]["iln_lines"] and inv[0]["invoice_debtor"]["ind_name"]
    upd = wb.ok("PUT", "invoices", {"key": "inv_id", "value": "160", "operator": "eq"}, json={"inv_status": "PAYED"})
    assert upd[0]["inv_status"] == "PAYED"


def test_wb_ent_1_objects_changed_indicator_and_object_parts(wb, fieldsim):
    """objects/changed: objects changed from the app until processed (obj_code clears the flag);
    a completed work order's WorkObjects count as changed. object_parts: filter columns limited
    to opr_obj_code/opr_prt_code/opr_serial_number, warranty expiry computed."""
    assert [o["obj_code"] for o in wb.ok("GET", "objects/changed")] == ["OBJ1"]
    assert wb.ok("GET", "objects/changed", {"obj_code": "OBJ1"}) == []
    assert wb.ok("GET", "objects/changed") == []
    wb.ok("POST", "PostWorkorders", json=[order("OB1", WorkObjects=["OBJ2"])])
    fieldsim.admin("POST", "werkbon/workorders/OB1/complete").raise_for_status()
    changed = wb.ok("GET", "objects/changed")
    assert [o["obj_code"] for o in changed] == ["OBJ2"] and changed[0]["obj_modified"]
    wb.ok("POST", "object_parts", json=[{"opr_obj_code": "OBJ2", "opr_prt_code": "0010", "opr_amount": "2",
                                         "opr_timestamp_installation": "2018-10-11", "opr_warranty_months": "24"}])
    got = wb.ok("GET", "object_parts", {"key": "opr_obj_code", "value": "OBJ2"})
    assert got[0]["opr_timestamp_warranty_expires"] == "2020-10-11"
    assert wb.code("GET", "object_parts", {"key": "opr_amount", "value": "2"})["code"] == 1007
    assert wb.code("POST", "object_parts", json=[{"opr_obj_code": "O", "opr_prt_code": "P",
                                                  "opr_amount": "two"}])["code"] == 2200


@pytest.mark.parametrize("path, record, code", [
    ("objects", {"obj_code": "OX", "obj_debiteur_nummer": "10000", "obj_description": "d", "obj_price": "zz"}, 1900),
    ("objects", {"obj_code": "OX", "obj_debiteur_nummer": "10000", "obj_description": "d", "obj_latitude": "abc"}, 1900),
    ("objects", {"obj_code": "OX", "obj_debiteur_nummer": "10000", "obj_description": "d", "obj_floor_level": "1.5"},
     1900),
    ("relations", {"name": "R", "debtor_number": "R1", "street": "S", "postal_code": "1234AB", "city": "C",
                   "latitude": "abc"}, 1300),
    ("regions", {"reg_code": "R9", "reg_name": "Noord", "reg_zip_start": "abc"}, 1050),
    ("worktypes", {"wrt_name": "W", "wrt_description": "d", "wrt_default_minutes": "NaN", "wrt_active": "1"}, 2600),
])
def test_wb_err_2_a_number_column_takes_numbers_only_and_a_refusal_stores_nothing(wb, path, record, code):
    """WB-ERR-2, WB-ERR-3: columns the document types Int/Float/Decimal refuse other text with the entity's
    "insert or update failed" code (they were stored and echoed as given); nothing of the post is kept."""
    before = wb.ok("GET", path)
    got = wb.code("POST", path, json=[record])
    assert got["code"] == code and any("should be" in m for m in got["messages"]), got
    assert wb.ok("GET", path) == before
    fixed = {k: ("1" if v in ("zz", "abc", "1.5", "NaN") else v) for k, v in record.items()}
    assert wb.ok("POST", path, json=[fixed]) == 1


def test_wb_ent_1_an_invoice_balance_is_the_total_of_its_transactions(wb):
    """WB-ENT-1 (transactions, invoices): "once it is assigned the balance of the invoice will be adjusted";
    inv_balance is the total of the transactions registered to it, and an invoice whose balance reaches
    inv_amount is payed. An unassigned transaction has int_inv_id null, as the document's example."""
    invoices = {i["inv_id"]: i for i in wb.ok("GET", "invoices")}
    assert invoices["160"]["inv_balance"] == invoices["160"]["inv_amount"] == "43.56"  # the seeded payment
    assert invoices["160"]["inv_status"] == "PAYED" and invoices["160"]["inv_timestamp_payed"]
    assert invoices["161"]["inv_balance"] == "0.00" and invoices["161"]["inv_status"] == "OPEN"
    posted = wb.ok("POST", "transactions", json=[
        {"int_inv_id": None, "int_description": "Kas", "int_amount": "20.00", "int_type": "CASH"},
        {"int_inv_id": "161", "int_description": "Pin", "int_amount": "10.00", "int_type": "PIN"}])
    assert posted[0]["int_inv_id"] is None
    assert {i["inv_id"]: i for i in wb.ok("GET", "invoices")}["161"]["inv_balance"] == "10.00"
    assert wb.ok("PUT", "transactions", json=[{"int_transaction_id": posted[0]["int_transaction_id"],
                                               "int_inv_id": "161"}]) == 1
    inv = {i["inv_id"]: i for i in wb.ok("GET", "invoices")}["161"]
    assert (inv["inv_balance"], inv["inv_status"]) == ("30.00", "OPEN")
    wb.ok("PUT", "transactions", json=[{"int_transaction_id": posted[1]["int_transaction_id"], "int_inv_id": None}])
    assert {i["inv_id"]: i for i in wb.ok("GET", "invoices")}["161"]["inv_balance"] == "20.00"
    # the document's own PUT example unassigns with the text "null": stored and answered as null
    wb.ok("PUT", "transactions", json=[{"int_transaction_id": posted[0]["int_transaction_id"], "int_inv_id": "null"}])
    assert {i["inv_id"]: i for i in wb.ok("GET", "invoices")}["161"]["inv_balance"] == "0.00"
    rows = {t["int_transaction_id"]: t for t in wb.ok("GET", "transactions")}
    assert rows[posted[0]["int_transaction_id"]]["int_inv_id"] is None


@pytest.mark.parametrize("path", ["project_activities", "generic_notes"])
def test_wb_ent_1_the_documents_own_post_example_is_kept_field_by_field(wb, path):
    """WB-ENT-1: posting the document's own request example keeps every field it names (the *_used
    budgets, pra_visible_planboard, nte_modified_by, nte_timestamp_read… were dropped)."""
    import json
    from pathlib import Path
    spec = json.loads((Path(__file__).parents[2] / "contracts/werkbon/outsmart-openapi8.openapi3.json").read_text())
    example = spec["paths"][f"/{path}"]["post"]["requestBody"]["content"]["application/json"]["schema"]["items"]["example"]
    assert wb.ok("POST", path, json=[example]) == 1
    own = {"project_activities": ("pra_id", "pra_cus_id"), "generic_notes": ("nte_id", "nte_cus_id")}[path]
    got = wb.ok("GET", path)[-1]  # the id and the customer (account) id are the provider's own
    # a null the example posts reads back as "": the document types these columns as strings
    assert {k: got.get(k) for k in example if k not in own} == {
        k: "" if v is None else v for k, v in example.items() if k not in own}


def test_wb_ent_1_object_parts_changed_and_values_need_the_parameters_the_document_requires(wb):
    """WB-ENT-1: object_parts/changed needs opr_timestamp_mutate, GET values needs val_entity,
    val_primary and val_column (required: true in the document): 1007 naming the missing ones."""
    for function, params, named in (("object_parts/changed", {}, "opr_timestamp_mutate"),
                                    ("values", {"val_entity": "WORKORDER"}, "val_primary, val_column")):
        body = wb.code("GET", function, params)
        assert body["code"] == 1007 and named in body["messages"][0], body
    assert wb.code("GET", "object_parts/changed", {"opr_timestamp_mutate": "2000-01-01 00:00:00"})["code"] == 200
