"""Validations per entity (stable messages) and validationPolicy FAIL/SKIP, for push and delete."""
from __future__ import annotations

import pytest

from cp_soap import errors, ids, numbers


def _push(cp, kind, plural, matcher, values, attrs=""):
    return cp.op(f"{kind}s" if kind != "planning" else "planning", f"push{plural}",
                 f"<{kind}><{kind}Matcher{attrs}>{matcher}</{kind}Matcher><{kind}Values>{values}</{kind}Values></{kind}>")


@pytest.mark.parametrize("kind,plural,values,message", [
    ("resource", "Resources", "<number>V1</number><name> </name>", "Name is empty!"),
    ("resource", "Resources", "<number>V1</number><name>A</name><email>nope</email>", "Email is invalid!"),
    ("resource", "Resources", "<number>V1</number><name>A</name><availability>-1</availability>",
     "Availability may not be negative!"),
    ("customer", "Customers", "<number>V1</number>", "Name is empty!"),
    ("department", "Departments", "<number>V1</number>", "Name is empty!"),
    ("project", "Projects", "<number>V1</number>", "Description is empty!"),
    ("project", "Projects", "<number>V1</number><description>D</description><color>red</color>", "Color is invalid!"),
    ("project", "Projects", "<number>V1</number><description>D</description><start>2020-02-01</start>"
     "<end>2020-01-31</end>", "End date is before start date!"),
    ("planning", "Planning", "<number>V1</number><end>2020-01-01T10:00:00</end>", "Start is empty!"),
    ("planning", "Planning", "<number>V1</number><start>2020-01-01T10:00:00</start>", "End is empty!"),
    ("planning", "Planning", "<number>V1</number><start>2020-01-01T10:00:00</start><end>2020-01-01T09:59:59</end>",
     "End is before start!"),
])
def test_validation_messages_and_nothing_inserted(cp, kind, plural, values, message):
    """CP-V-1, CP-V-3: each entity's validations with stable messages; an invalid insert changes nothing."""
    ret = _push(cp, kind, plural, "<number>V1</number>", values)
    assert errors(ret) == [[("0", message)]]
    svc = f"{kind}s" if kind != "planning" else "planning"
    assert numbers(cp.op(svc, f"get{plural}", f"<{kind}Matcher><number>V1</number></{kind}Matcher>")) == [[]]


def _klant01_planning(cp):
    got = cp.op("planning", "getPlanning", '<planningMatcher allowMultiple="true"><customerMatcher><number>KLANT-01'
                "</number></customerMatcher></planningMatcher>")
    return {e.findtext("id"): (e.findtext("start"), e.findtext("end")) for e in got.iter("entity")}


UPDATE_END = ('<planningMatcher allowMultiple="true" validationPolicy="{p}"><customerMatcher><number>KLANT-01</number>'
              "</customerMatcher></planningMatcher>")


def test_fail_policy_changes_nothing_when_one_record_is_invalid(cp):
    """CP-V-2 FAIL: new end 2019-09-05 is before some starts → nothing at all changes, every failure listed."""
    before = _klant01_planning(cp)
    bad = {i for i, (s, _e) in before.items() if s > "2019-09-05T12:00:00"}
    ret = cp.op("planning", "pushPlanning", "<planning>" + UPDATE_END.format(p="FAIL")
                + "<planningValues><end>2019-09-05T12:00:00</end></planningValues></planning>")
    assert {e for e, _m in errors(ret)[0]} == bad and bad
    assert {m for _e, m in errors(ret)[0]} == {"End is before start!"}
    assert ret.find("MatcherResults/MatcherResult/UpdatedIds") is None  # seed 08: only Errors
    assert _klant01_planning(cp) == before


def test_skip_policy_changes_exactly_the_valid_ones(cp):
    """CP-V-2 SKIP, CP-V-3: valid records are updated, every invalid one is reported with its entityId."""
    before = _klant01_planning(cp)
    bad = {i for i, (s, _e) in before.items() if s > "2019-09-05T12:00:00"}
    ret = cp.op("planning", "pushPlanning", "<planning>" + UPDATE_END.format(p="SKIP")
                + "<planningValues><end>2019-09-05T12:00:00</end></planningValues></planning>")
    assert {e for e, _m in errors(ret)[0]} == bad
    assert set(map(str, ids(ret, "Updated")[0])) == set(before) - bad
    after = _klant01_planning(cp)
    for i, (s, e) in after.items():
        assert e == (before[i][1] if i in bad else "2019-09-05T12:00:00")


def test_delete_removes_matches_and_reports_deleted_ids(cp):
    """CP-R-4: deleteX answers the removed ids per matcher; they are gone."""
    cp.op("departments", "pushDepartments", "<department><departmentMatcher><number>AFD-DEL</number></departmentMatcher>"
          "<departmentValues><number>AFD-DEL</number><name>Weg</name></departmentValues></department>")
    got = cp.op("departments", "getDepartments", "<departmentMatcher><number>AFD-DEL</number></departmentMatcher>")
    dep_id = int(got.findtext(".//entity/id"))
    ret = cp.op("departments", "deleteDepartments", "<departmentMatcher><number>AFD-DEL</number></departmentMatcher>"
                "<departmentMatcher><number>NOTHING</number></departmentMatcher>")
    assert ids(ret, "Deleted") == [[dep_id], []]
    assert numbers(cp.op("departments", "getDepartments",
                         "<departmentMatcher><number>AFD-DEL</number></departmentMatcher>")) == [[]]


def test_delete_in_use_fail_and_skip(cp):
    """CP-V-1, CP-V-2: a customer with projects/planning cannot be deleted; FAIL deletes none, SKIP the free ones."""
    cp.op("customers", "pushCustomers", "<customer><customerMatcher><number>KLANT-FREE</number></customerMatcher>"
          "<customerValues><number>KLANT-FREE</number><name>Vrij</name></customerValues></customer>")
    both = ('<customerMatcher allowMultiple="true" validationPolicy="{p}"><id>{a}</id></customerMatcher>')
    k1 = cp.op("customers", "getCustomers", "<customerMatcher><number>KLANT-01</number></customerMatcher>").findtext(".//entity/id")
    ret = cp.op("customers", "deleteCustomers", both.format(p="FAIL", a=k1))
    assert errors(ret) == [[(k1, "Customer is in use!")]]
    free = cp.op("customers", "getCustomers", "<customerMatcher><number>KLANT-FREE</number></customerMatcher>").findtext(".//entity/id")
    ret = cp.op("customers", "deleteCustomers",
                '<customerMatcher allowMultiple="true" validationPolicy="SKIP"/>')
    deleted = ids(ret, "Deleted")[0]
    assert int(free) in deleted and int(k1) not in deleted
    assert (k1, "Customer is in use!") in errors(ret)[0]


def test_delete_allow_multiple_false_deletes_nothing(cp):
    """CP-M-4: delete with allowMultiple=false and several matches → error, nothing removed."""
    ret = cp.op("planning", "deletePlanning", "<planningMatcher><customerMatcher><number>KLANT-01</number>"
                "</customerMatcher></planningMatcher>")
    assert errors(ret) == [[(None, "Multiple results found for this matcher.")]]
    assert len(numbers(cp.op("planning", "getPlanning", '<planningMatcher allowMultiple="true"><customerMatcher>'
                             "<number>KLANT-01</number></customerMatcher></planningMatcher>"))[0]) >= 7
