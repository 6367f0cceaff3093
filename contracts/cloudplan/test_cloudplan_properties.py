"""Property-based contract tests of Cloudplan's matcher engine and push/delete semantics, over HTTP.
Run against any server: `fieldsim check --api cloudplan --base-url URL` (CLOUDPLAN_USERNAME/PASSWORD)."""
from __future__ import annotations

import os
from datetime import date, datetime, timedelta
from xml.sax.saxutils import escape

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts.cloudplan.helpers import entities, outcomes, tag

N = int(os.environ.get("FIELDSIM_FUZZ_EXAMPLES", "0")) or 15
SETTINGS = settings(max_examples=N, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
OPS = ["EQUALS_TIME", "EQUALS_DATE", "AFTER_OR_EQUAL_TIME", "AFTER_OR_EQUAL_DATE", "AFTER_TIME", "AFTER_DATE",
       "BEFORE_OR_EQUAL_TIME", "BEFORE_OR_EQUAL_DATE", "BEFORE_TIME", "BEFORE_DATE"]
moments = st.datetimes(min_value=datetime(2019, 7, 25), max_value=datetime(2019, 11, 5)).map(
    lambda d: d.replace(minute=0, second=0, microsecond=0))
# one condition per date field: the WSDL holds each once (a second is an Unmarshalling Error)
date_conds = st.lists(st.tuples(st.sampled_from(["start", "end"]), st.sampled_from(OPS), moments, st.booleans()),
                      max_size=2, unique_by=lambda c: c[0])


def _ref(op, have: datetime, want: datetime) -> bool:
    if op.endswith("_DATE"):
        have, want = have.date(), want.date()
    return {"EQUALS": have == want, "AFTER_OR_EQUAL": have >= want, "AFTER": have > want,
            "BEFORE_OR_EQUAL": have <= want, "BEFORE": have < want}[op.rsplit("_", 1)[0]]


def _when(raw: str) -> datetime:
    return datetime.fromisoformat(raw) if "T" in raw else datetime.combine(date.fromisoformat(raw), datetime.min.time())


@SETTINGS
@given(customer=st.sampled_from([None, "KLANT-01", "KLANT-02", "KLANT-03", "NO-SUCH"]), conds=date_conds)
def test_get_returns_exactly_what_a_reference_filter_selects(cloudplan, customer, conds):
    """CP-M-1, CP-M-3, CP-M-5: getPlanning with a nested customerMatcher and date matchers returns exactly
    the records the test's own filter selects from all planning, in id order."""
    everything = entities(cloudplan.op("planning", "getPlanning", '<planningMatcher allowMultiple="true"/>'))[0]
    custs = entities(cloudplan.op("customers", "getCustomers", '<customerMatcher allowMultiple="true"/>'))[0]
    body = '<planningMatcher allowMultiple="true">'
    expected = everything
    if customer:
        body += f"<customerMatcher><number>{customer}</number></customerMatcher>"
        ids = {c["id"] for c in custs if c["number"] == customer}
        expected = [p for p in expected if p["customer"] in ids]
    for field, op, when, as_date in sorted(conds, key=lambda c: c[0] == "end"):
        raw = when.date().isoformat() if as_date else when.isoformat()
        body += f'<{field} operator="{op}"><dateTime>{raw}</dateTime></{field}>'
        expected = [p for p in expected if p[field] and _ref(op, _when(p[field]), _when(raw))]
    got = entities(cloudplan.op("planning", "getPlanning", body + "</planningMatcher>"))[0]
    assert [p["id"] for p in got] == [p["id"] for p in expected]


def _all_planning(cloudplan):
    return entities(cloudplan.op("planning", "getPlanning", '<planningMatcher allowMultiple="true"/>'))[0]


@SETTINGS
@given(text=st.text(alphabet="abc <&>'\"é", min_size=1, max_size=12))
def test_allow_multiple_false_with_several_matches_changes_nothing(cloudplan, text):
    """CP-M-4: a push whose matcher finds >1 record with allowMultiple=false changes nothing at all."""
    before = _all_planning(cloudplan)
    ret = cloudplan.op("planning", "pushPlanning", "<planning><planningMatcher allowMultiple=\"false\">"
                       "<customerMatcher><number>KLANT-01</number></customerMatcher></planningMatcher>"
                       f"<planningValues><description>{escape(text)}</description></planningValues></planning>")
    assert outcomes(ret)[0]["errors"] == [(None, "Multiple results found for this matcher.")]
    assert _all_planning(cloudplan) == before


def _create_planning(cloudplan, number, starts):
    ids = []
    for s in starts:
        ret = cloudplan.op("planning", "pushPlanning", f'<planning><planningMatcher><id>0</id></planningMatcher>'
                           f"<planningValues><number>{number}</number><start>{s.isoformat()}</start>"
                           f"<end>{(s + timedelta(hours=8)).isoformat()}</end></planningValues></planning>")
        ids += outcomes(ret)[0]["inserted"]
    return ids


def _tagged(cloudplan, number):
    got = entities(cloudplan.op("planning", "getPlanning",
                                f'<planningMatcher allowMultiple="true"><number>{number}</number></planningMatcher>'))[0]
    return {int(p["id"]): p for p in got}


@SETTINGS
@given(starts=st.lists(moments, min_size=1, max_size=5), new_end=moments, policy=st.sampled_from(["FAIL", "SKIP"]))
def test_validation_policy_fail_is_all_or_nothing_and_skip_changes_exactly_the_valid(cloudplan, starts, new_end, policy):
    """CP-V-1, CP-V-2, CP-V-3: setting one end on several planning items; those starting after it are invalid.
    FAIL: any invalid → nothing changes. SKIP: exactly the valid ones change; every invalid one is reported."""
    number = tag()
    ids = _create_planning(cloudplan, number, starts)
    before = _tagged(cloudplan, number)
    assert sorted(before) == sorted(ids)
    invalid = {i for i, p in before.items() if _when(p["start"]) > new_end}
    ret = cloudplan.op("planning", "pushPlanning", f'<planning><planningMatcher allowMultiple="true" '
                       f'validationPolicy="{policy}"><number>{number}</number></planningMatcher><planningValues>'
                       f"<end>{new_end.isoformat()}</end></planningValues></planning>")
    out = outcomes(ret)[0]
    assert sorted(int(e) for e, _m in out["errors"]) == sorted(invalid)
    assert {m for _e, m in out["errors"]} <= {"End is before start!"}
    after = _tagged(cloudplan, number)
    changed = {i for i in after if after[i]["end"] != before[i]["end"]}
    if policy == "FAIL" and invalid:
        assert changed == set() and out["updated"] == []
    else:
        assert set(out["updated"]) == set(before) - invalid
        assert all(after[i]["end"] == new_end.isoformat() for i in set(before) - invalid)
        assert all(after[i] == before[i] for i in invalid)
    cloudplan.op("planning", "deletePlanning", f'<planningMatcher allowMultiple="true"><number>{number}</number></planningMatcher>')


safe_text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=20).filter(
    lambda s: s == s.strip())
project_values = st.fixed_dictionaries({
    "description": safe_text.filter(lambda s: s.strip() != ""),
    "postalCode": safe_text, "contact": safe_text, "textField1": safe_text, "textField2": safe_text,
    "comments": safe_text,
    "color": st.from_regex(r"\A#[0-9a-f]{6}\Z"), "backgroundColor": st.from_regex(r"\A#[0-9A-F]{6}\Z"),
    "index": st.integers(-1000, 1000), "budget": st.floats(0, 1e6, allow_nan=False).map(lambda f: round(f, 2)),
    "hidden": st.booleans(), "start": st.dates(date(2000, 1, 1), date(2030, 1, 1)),
    "projectType": st.integers(0, 50), "status": st.integers(0, 50),
})


@SETTINGS
@given(values=project_values, days=st.integers(0, 400))
def test_push_then_get_round_trips_every_field(cloudplan, values, days):
    """CP-R-1, CP-R-2, CP-R-3: every field written by pushProjects reads back the same through getProjects."""
    number = tag()
    values = dict(values, number=number, end=values["start"] + timedelta(days=days))
    xml = ""
    for k, v in values.items():
        if k in ("projectType", "status"):
            xml += f"<{k}><id>{v}</id></{k}>"
        else:
            text = "true" if v is True else "false" if v is False else str(v)
            xml += f"<{k}>{escape(text)}</{k}>"
    ret = cloudplan.op("projects", "pushProjects", f"<project><projectMatcher><number>{number}</number>"
                       f"</projectMatcher><projectValues>{xml}</projectValues></project>")
    [new_id] = outcomes(ret)[0]["inserted"]
    [[got]] = entities(cloudplan.op("projects", "getProjects", f"<projectMatcher><id>{new_id}</id></projectMatcher>"))
    for k, v in values.items():
        if isinstance(v, bool):
            assert got[k] == str(v).lower(), k
        elif isinstance(v, float):
            assert float(got[k]) == v, k
        else:
            assert got[k] == str(v), k
    cloudplan.op("projects", "deleteProjects", f"<projectMatcher><id>{new_id}</id></projectMatcher>")


@SETTINGS
@given(groups=st.lists(st.sampled_from("AB"), min_size=1, max_size=6))
def test_delete_removes_exactly_the_matched_records(cloudplan, groups):
    """CP-R-4, CP-M-4: deleteDepartments with allowMultiple=true removes exactly the matching records."""
    t = tag()
    made = {}
    for g in groups:
        ret = cloudplan.op("departments", "pushDepartments", f"<department><departmentMatcher><id>0</id>"
                           f"</departmentMatcher><departmentValues><number>{t}-{g}</number><name>{g}</name>"
                           "</departmentValues></department>")
        made[outcomes(ret)[0]["inserted"][0]] = g
    ret = cloudplan.op("departments", "deleteDepartments",
                       f'<departmentMatcher allowMultiple="true"><number>{t}-A</number></departmentMatcher>')
    assert sorted(outcomes(ret)[0]["deleted"]) == sorted(i for i, g in made.items() if g == "A")
    left = entities(cloudplan.op("departments", "getDepartments",
                                 f'<departmentMatcher allowMultiple="true"><number>{t}-B</number></departmentMatcher>'
                                 f'<departmentMatcher allowMultiple="true"><number>{t}-A</number></departmentMatcher>'))
    assert sorted(int(d["id"]) for d in left[0]) == sorted(i for i, g in made.items() if g == "B")
    assert left[1] == []
    cloudplan.op("departments", "deleteDepartments",
                 f'<departmentMatcher allowMultiple="true"><number>{t}-B</number></departmentMatcher>')
