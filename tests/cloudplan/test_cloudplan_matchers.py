"""The matcher engine over HTTP: number, id, nested matchers, the ten date operators, allowMultiple."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from cp_soap import errors, ids, numbers

SEPT = {"PL-2019-01": ("2019-08-05T08:00:00", "2019-08-30T17:00:00"),
        "PL-2019-02": ("2019-08-26T08:00:00", "2019-09-03T17:00:00"),
        "PL-2019-03": ("2019-09-10T08:00:00", "2019-09-12T17:00:00"),
        "PL-2019-04": ("2019-09-30T08:00:00", "2019-10-04T17:00:00"),
        "PL-2019-05": ("2019-10-01T00:00:00", "2019-10-10T17:00:00"),
        "PL-2019-06": ("2019-08-01T08:00:00", "2019-10-31T17:00:00"),
        "PL-2019-07": ("2019-08-31T08:00:00", "2019-08-31T23:59:59")}


def _ref(op: str, have: datetime, want: datetime) -> bool:
    if op.endswith("_DATE"):
        have, want = have.date(), want.date()
    return {"EQUALS": have == want, "AFTER_OR_EQUAL": have >= want, "AFTER": have > want,
            "BEFORE_OR_EQUAL": have <= want, "BEFORE": have < want}[op.rsplit("_", 1)[0]]


OPS = ["EQUALS_TIME", "EQUALS_DATE", "AFTER_OR_EQUAL_TIME", "AFTER_OR_EQUAL_DATE", "AFTER_TIME", "AFTER_DATE",
       "BEFORE_OR_EQUAL_TIME", "BEFORE_OR_EQUAL_DATE", "BEFORE_TIME", "BEFORE_DATE"]


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("when", ["2019-09-30", "2019-09-30T08:00:00", "2019-08-31T08:00:00"])
def test_all_ten_date_operators_on_start(cp, op, when):
    """CP-M-5: each operator, with a date (= 00:00:00) and with a datetime, against a reference filter."""
    body = ('<planningMatcher allowMultiple="true"><customerMatcher><number>KLANT-01</number></customerMatcher>'
            f'<start operator="{op}"><dateTime>{when}</dateTime></start></planningMatcher>')
    got = numbers(cp.op("planning", "getPlanning", body))[0]
    everything = cp.op("planning", "getPlanning", '<planningMatcher allowMultiple="true"><customerMatcher>'
                       "<number>KLANT-01</number></customerMatcher></planningMatcher>")
    starts = {e.findtext("number"): e.findtext("start") for e in everything.iter("entity")}
    assert {n: s for n, (s, _e) in SEPT.items()}.items() <= starts.items()
    want_dt = datetime.fromisoformat(when) if "T" in when else datetime.combine(date.fromisoformat(when), datetime.min.time())
    expected = [n for n, s in starts.items() if _ref(op, datetime.fromisoformat(s), want_dt)]
    assert got == expected


def test_unknown_date_operator_is_a_client_fault(cp):
    """CP-M-5: only the ten operators exist."""
    body = cp.auth() + '<planningMatcher><start operator="AROUND"><dateTime>2019-09-01</dateTime></start></planningMatcher>'
    r = cp.call("planning", "getPlanning", body)
    assert r.status_code == 500 and b"soap:Client" in r.content and b"Unmarshalling Error" in r.content


def test_match_by_id_and_number(cp):
    """CP-M-2: number is the caller's reference, id Cloudplan's own; both select."""
    ret = cp.op("customers", "getCustomers", "<customerMatcher><number>KLANT-02</number></customerMatcher>")
    cid = ret.findtext("matcherResults/matcherResult/entities/entity/id")
    again = cp.op("customers", "getCustomers", f"<customerMatcher><id>{cid}</id></customerMatcher>"
                  f"<customerMatcher><id>{cid}</id><number>KLANT-03</number></customerMatcher>")
    assert numbers(again) == [["KLANT-02"], []]


def test_results_per_matcher_in_order(cp):
    """CP-M-1: several matchers, one result each, in request order, each echoing its matcher."""
    ret = cp.op("departments", "getDepartments", "".join(
        f"<departmentMatcher><number>{n}</number></departmentMatcher>" for n in ("AFD-03", "NOPE", "AFD-01")))
    assert numbers(ret) == [["AFD-03"], [], ["AFD-01"]]
    assert [m.findtext("number") for m in ret.iter("matcher")] == ["AFD-03", "NOPE", "AFD-01"]


def test_get_with_allow_multiple_false_and_many_matches_reports_the_error(cp):
    """CP-M-4: allowMultiple defaults to false; more than one match → the 'Multiple results' error."""
    ret = cp.op("customers", "getCustomers", "<customerMatcher/>")
    r = ret.find("matcherResults/matcherResult")
    assert r.findtext("Errors/Error") == "Multiple results found for this matcher."
    assert r.findall("entities/entity") == []
    many = cp.op("customers", "getCustomers", '<customerMatcher allowMultiple="true"/>')
    assert len(numbers(many)[0]) == 5


def test_nested_matcher_selects_through_references(cp):
    """CP-M-3: resources of department AFD-01 via a nested departmentMatcher."""
    dep = cp.op("departments", "getDepartments", "<departmentMatcher><number>AFD-01</number></departmentMatcher>")
    dep_id = dep.findtext("matcherResults/matcherResult/entities/entity/id")
    everyone = cp.op("resources", "getResources", '<resourceMatcher allowMultiple="true"/>')
    expected = [e.findtext("number") for e in everyone.iter("entity") if e.findtext("department/id") == dep_id]
    got = cp.op("resources", "getResources", '<resourceMatcher allowMultiple="true"><departmentMatcher>'
                "<number>AFD-01</number></departmentMatcher></resourceMatcher>")
    assert numbers(got) == [expected] and expected


def test_reference_in_values_by_matcher_and_unset_by_id_0(cp):
    """CP-M-3, CP-R-2: a value references another entity by a matcher; <id>0</id> unsets it."""
    push = ('<project><projectMatcher><number>PROJ-X</number></projectMatcher><projectValues><number>PROJ-X</number>'
            '<description>X</description><customer allowMultiple="false"><number>KLANT-02</number></customer>'
            "</projectValues></project>")
    cp.op("projects", "pushProjects", push)
    cust = cp.op("customers", "getCustomers", "<customerMatcher><number>KLANT-02</number></customerMatcher>")
    got = cp.op("projects", "getProjects", "<projectMatcher><number>PROJ-X</number></projectMatcher>")
    assert got.findtext(".//entity/customer/id") == cust.findtext(".//entity/id")
    cp.op("projects", "pushProjects", '<project><projectMatcher><number>PROJ-X</number></projectMatcher>'
          "<projectValues><customer><id>0</id></customer></projectValues></project>")
    got = cp.op("projects", "getProjects", "<projectMatcher><number>PROJ-X</number></projectMatcher>")
    assert got.findtext(".//entity/customer/id") == "0" and got.findtext(".//entity/description") == "X"


def test_unresolvable_reference_is_a_matcher_error_and_nothing_changes(cp):
    """CP-M-3, CP-V-3: a reference that finds nothing is reported with the entityId; nothing inserted."""
    push = ('<resource><resourceMatcher><number>R-NEW</number></resourceMatcher><resourceValues><number>R-NEW</number>'
            "<name>N</name><department><number>AFD-99</number></department></resourceValues></resource>")
    ret = cp.op("resources", "pushResources", push)
    assert errors(ret) == [[("0", "No department found for this matcher.")]]
    assert numbers(cp.op("resources", "getResources", "<resourceMatcher><number>R-NEW</number></resourceMatcher>")) == [[]]


def test_allow_multiple_true_updates_every_match(cp):
    """CP-M-4: with allowMultiple=true a push updates all matches."""
    ret = cp.op("planning", "pushPlanning", '<planning><planningMatcher allowMultiple="true"><customerMatcher>'
                "<number>KLANT-01</number></customerMatcher></planningMatcher><planningValues>"
                "<description>Herpland</description></planningValues></planning>")
    assert len(ids(ret, "Updated")[0]) >= 7 and ids(ret, "Inserted") == [[]]
    got = cp.op("planning", "getPlanning", '<planningMatcher allowMultiple="true"><customerMatcher><number>KLANT-01'
                "</number></customerMatcher></planningMatcher>")
    assert {e.findtext("description") for e in got.iter("entity")} == {"Herpland"}
