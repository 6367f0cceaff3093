"""Advanced filters (WB-WO-6) and robustness against arbitrary bodies, with hypothesis."""
from __future__ import annotations

from decimal import Decimal

import pytest

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .wbhelp import DEMO

OPS = ["li", "eq", "ne", "gt", "ge", "lt", "le"]
HYP = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _get(wb, path, pairs):
    r = wb.http.get(wb.base + path + "/", params=list(DEMO.items()) + pairs, timeout=10)
    return r.json()


def test_wb_wo_6_single_filter_each_operator(wb):
    """WB-WO-6: &key=…&value=…&operator=… with li eq ne gt ge lt le."""
    wb.ok("POST", "materials", json=[{"code": f"F{k}", "description": f"Filter {k}", "price": f"{k},00", "unit": "st"}
                                     for k in (1, 2, 3, 10)])
    def codes(op, value, key="price"):
        body = _get(wb, "materials", [("key", key), ("value", value), ("operator", op)])
        assert body["code"] == 200, body
        return sorted(m["code"] for m in body["response"] if m["code"].startswith("F"))
    assert codes("eq", "2,00") == ["F2"]
    assert codes("ne", "2,00") == ["F1", "F10", "F3"]
    assert codes("gt", "2,00") == ["F10", "F3"]          # numeric, not text, comparison
    assert codes("ge", "2,00") == ["F10", "F2", "F3"]
    assert codes("lt", "3") == ["F1", "F2"]
    assert codes("le", "3") == ["F1", "F2", "F3"]
    assert codes("li", "filter 1%", "description") == ["F1", "F10"]


def test_wb_wo_6_several_filters_with_brackets(wb):
    """WB-WO-6: key[]/value[]/operator[] — every filter must hold."""
    body = _get(wb, "relations", [("key[]", "debtor_number"), ("value[]", "10001"), ("operator[]", "ge"),
                                  ("key[]", "debtor_number"), ("value[]", "10003"), ("operator[]", "le")])
    assert body["code"] == 200
    assert sorted(r["debtor_number"] for r in body["response"]) == ["10001", "10002", "10003"]


def test_wb_wo_6_filter_endpoints_and_bad_filters(wb):
    """WB-WO-6: /category, /address, /contactperson, /object take key/value (operator eq);
    an unknown key or operator, or unequal lists, is refused with a message, not ignored."""
    body = _get(wb, "category", [("key", "cat_code"), ("value", "001")])
    assert [c["cat_code"] for c in body["response"]] == ["001"]
    assert _get(wb, "address", [("key", "adr_code"), ("value", "A1")])["response"][0]["adr_code"] == "A1"
    assert _get(wb, "contactperson", [("key", "cpn_code"), ("value", "C2")])["response"][0]["cpn_code"] == "C2"
    assert _get(wb, "object", [("key", "obj_code"), ("value", "OBJ1")])["response"][0]["obj_code"] == "OBJ1"
    for pairs in ([("key", "nope"), ("value", "1")], [("key", "cat_code"), ("value", "1"), ("operator", "xx")],
                  [("key[]", "cat_code"), ("key[]", "cat_name"), ("value[]", "1")]):
        bad = _get(wb, "category", pairs)
        assert bad["code"] == 1007 and bad["response"] is None and bad["messages"]


def _reference(op, actual: str, wanted: str) -> bool:
    try:
        a, w = Decimal(actual.replace(",", ".")), Decimal(wanted.replace(",", "."))
    except ArithmeticError:
        a, w = actual.lower(), wanted.lower()
    return {"eq": a == w, "ne": a != w, "gt": a > w, "ge": a >= w, "lt": a < w, "le": a <= w}[op]


@HYP
@given(op=st.sampled_from(OPS[1:]), value=st.integers(0, 30))
def test_wb_wo_6_numeric_operators_match_a_reference(wb, op, value):
    """WB-WO-6 property: eq/ne/gt/ge/lt/le over employee numbers agree with plain comparison."""
    wb.sim.reset("werkbon")
    emps = wb.ok("GET", "employees")
    body = _get(wb, "employees", [("key", "number"), ("value", str(100 + value)), ("operator", op)])
    assert body["code"] == 200
    want = [e["number"] for e in emps if _reference(op, e["number"], str(100 + value))]
    assert [e["number"] for e in body["response"]] == want


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8),
                           lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=6), c, max_size=3),
                           max_leaves=8)


@HYP
@given(path=st.sampled_from(["employees", "materials", "PostWorkorders", "relations", "hourtypes", "locations",
                             "transactions", "UpdateWorkorder"]), body=json_values)
def test_wb_err_1_arbitrary_bodies_never_crash(wb, path, body):
    """WB-ERR-1 / WB-ERR-2 property: any JSON body gets the envelope with a documented code
    (never 1007, never a non-200 HTTP status)."""
    r = wb.call("POST", path, json=body)
    assert r.status_code == 200
    out = r.json()
    assert set(out) == {"code", "messages", "response"} and out["code"] != 1007
    if out["code"] != 200:
        assert out["response"] is None


def test_wb_wo_6_a_varchar_code_compares_as_text_as_deleteentity_and_sync_see_it(wb):
    """WB-WO-6 "eq | Equal (=)" as MySQL compares a Varchar (255) column with the text given: code "1"
    is not material "00001" (DeleteEntity and a POST of code "1" do not see it either), while a
    Decimal column (price) still compares as a number."""
    wb.ok("POST", "materials", json=[{"code": "00001", "description": "Nul", "price": "2,50", "unit": "st"}])
    def codes(key, value, op="eq"):
        body = _get(wb, "materials", [("key", key), ("value", value), ("operator", op)])
        assert body["code"] == 200, body
        return [m["code"] for m in body["response"]]
    assert codes("code", "1") == [] and codes("code", "1.0") == []
    assert codes("code", "00001") == ["00001"]
    assert "00001" in codes("price", "2.5")
    assert wb.code("GET", "DeleteEntity", {"entity": "material", "key": "code", "value": "1",
                                           "delete_all": "false"})["response"] == 0


@pytest.mark.parametrize("function", ["category", "address", "object", "contactperson"])
def test_wb_wo_6_the_single_filter_endpoints_need_key_and_value(wb, function):
    """The document marks key and value required on category, address, object and contactperson:
    without them 1007 naming them (every row came back), with them the rows that match."""
    body = _get(wb, function, [])
    assert body["code"] == 1007 and "key" in body["messages"][0] and body["response"] is None
    assert wb.code("GET", "numbers")["code"] == 1007  # and a missing table is named, not "None"
    assert "table" in wb.code("GET", "numbers")["messages"][0] and "None" not in wb.code("GET", "numbers")["messages"][0]
