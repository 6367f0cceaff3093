"""Hypothesis: random filter combinations against the independent reference filter (CT-TT-1..5),
and random sequences of mutations against a hand-kept expectation (CT-ES-1, CT-TT-9, CT-TT-10)."""
from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from .cthelp import NOW, keys, reference

FRM, TO = "2026-10-05", "2026-10-11"
FIELD_OF = {"employeeIdFilter": "employeeid", "departmentIdFilter": "departmentid", "taskIdFilter": "taskid",
            "projectIdFilter": "projectid", "subProjectIdFilter": "subProjectid", "dutyIdFilter": "shiftId",
            "projectPhaseIdFilter": "projectPhaseid", "orderIdFilter": "orderid",
            "freeDimension1Filter": "freeDimension1Id", "freeDimension2Filter": "freeDimension2Id",
            "timeCategoryIdFilter": "timeCategoryId", "timeCategoryTypeIdFilter": "timeCategoryTypeId",
            "projectAlphanumericCodeFilter": "projectAlphanumericCode",
            "subProjectAlphanumericCodeFilter": "subProjectAlphanumericCode",
            "phaseAlphanumericCodeFilter": "phaseAlphanumericCode"}
EXAMPLES = int(os.environ.get("FIELDSIM_FUZZ_EXAMPLES", "300"))
SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def filters(allr):
    """A strategy of filter dicts drawn from the values present in the data."""
    parts = {}
    for name, field in FIELD_OF.items():
        values = sorted({r[field] for r in allr if r[field] is not None}, key=str)
        parts[name] = st.lists(st.sampled_from(values), max_size=3, unique=True)
    parts["approvedLevelFilter"] = st.lists(st.integers(1, 4), max_size=2, unique=True)
    parts["includePayableCategory"] = st.sampled_from([None, True, False])
    parts["externalStatusCodeFilter"] = st.lists(st.integers(0, 3), max_size=2, unique=True)
    parts["includeElementsWithExternalStatusCodeNull"] = st.sampled_from([None, True, False])
    parts["lastUpdatedGreaterThanOrEqualToFilter"] = st.sampled_from([None, "2026-10-06", "2026-10-12", "2026-10-15"])
    parts["lastApprovedOrUpdatedFilter"] = st.sampled_from([None, "2026-10-09 12:00:00.000", "2026-10-13 08:30:00.000"])
    # 1-3 filters at a time: with all of them at once nearly every answer would be empty
    names = sorted(parts)
    return st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True).flatmap(
        lambda chosen: st.fixed_dictionaries({n: parts[n] for n in chosen}))


def _check(ct, allr, f):
    got = ct.records(frm=FRM, to=TO, **f)
    assert keys(got) == keys(reference(allr, f)), f


def _prepare(ct):
    allr = ct.records(frm=FRM, to=TO)
    uids = sorted({r["uid"] for r in allr})
    for code, chunk in ((1, uids[::7]), (2, uids[3::11])):
        ct.post("Time/setExternalStatusCode", {"accessToken": ct.token, "clientId": 100,
                                               "externalStatusCode": code, "uids": chunk})
    return ct.records(frm=FRM, to=TO)


def test_ct_tt_2_random_filter_combinations_match_reference(ct):
    """CT-TT-1, CT-TT-2, CT-TT-3, CT-TT-4, CT-TT-5: the simulator selects exactly the reference records."""
    allr = _prepare(ct)

    @settings(max_examples=40, **SETTINGS)
    @given(f=filters(allr))
    def run(f):
        _check(ct, allr, f)
    run()


@pytest.mark.fuzz
def test_ct_tt_2_random_filter_combinations_fuzz(ct):
    allr = _prepare(ct)

    @settings(max_examples=EXAMPLES, **SETTINGS)
    @given(f=filters(allr))
    def run(f):
        _check(ct, allr, f)
    run()


OPS = st.lists(st.tuples(st.sampled_from(["code", "approve", "change"]), st.integers(0, 10**6),
                         st.integers(0, 4)), min_size=1, max_size=6)


@settings(max_examples=15, **SETTINGS)
@given(ops=OPS)
def test_ct_es_1_mutation_sequences_keep_every_record_consistent(fieldsim, ct, ops):
    """CT-ES-1, CT-TT-9, CT-TT-10: codes and approvals never move lastUpdatedOn (nor
    correlationId); changes of the hours do; recordStateKey always follows qty; untouched records
    stay as they were."""
    fieldsim.reset("capitech")
    ct.set_clock(NOW)
    before = {(r["uid"], r["timeCategoryId"]): r for r in ct.records(frm=FRM, to=TO)}
    recs = list(before.values())
    expect_code, expect_qty, touched = {}, {}, set()
    for i, (op, pick, val) in enumerate(ops):
        rec = recs[pick % len(recs)]
        uid = rec["uid"]
        if op == "code":
            ct.post("Time/setExternalStatusCode", {"accessToken": ct.token, "clientId": 100,
                                                   "externalStatusCode": val, "uids": [uid]})
            expect_code[uid] = val
        elif op == "approve":
            assert ct.admin("approve", {"clientId": 100, "uids": [uid], "level": val % 4 + 1}).status_code == 200
        else:
            qty = 0.25 * (val + 1)
            assert ct.admin("change", {"clientId": 100, "uid": uid, "timeCategoryId": rec["timeCategoryId"],
                                       "qty": qty}).status_code == 200
            expect_qty[(uid, rec["timeCategoryId"])] = qty
            touched.add(uid)
    after = {(r["uid"], r["timeCategoryId"]): r for r in ct.records(frm=FRM, to=TO)}
    assert set(after) == set(before)
    for key, r in after.items():
        old = before[key]
        assert r["externalStatusCode"] == expect_code.get(key[0], old["externalStatusCode"])
        assert r["qty"] == expect_qty.get(key, old["qty"])
        assert r["recordStateKey"] == f"{key[0]}_{key[1]}_{r['qty']:.2f}"
        if key[0] in touched:
            assert r["lastUpdatedOn"] == "2026-11-23 12:00:00" and r["correlationId"]
        else:
            assert r["lastUpdatedOn"] == old["lastUpdatedOn"] and r["correlationId"] == old["correlationId"]
