"""Capitech contract: envelope, sessions, limits and filter semantics, runnable against any base URL
(`fieldsim check --api capitech --base-url URL`). The reference filter below is written from the
provider's page (seeds/capitech.txt) and applied to records fetched without filters."""
from __future__ import annotations

from datetime import timedelta

import pytest
import requests
from hypothesis import HealthCheck, given, settings, strategies as st

from clients.capitech import CapitechClient

from .conftest import BIG_CLIENT, CLIENT, FROM, PASSWORD, USER, api, tt, week

SETTINGS = dict(deadline=None, suppress_health_check=list(HealthCheck))
ENVELOPE = {"success", "serverErrorMessage", "displayErrorMessage", "content"}
LIST_FIELDS = {"employeeIdFilter": "employeeid", "departmentIdFilter": "departmentid", "taskIdFilter": "taskid",
               "orderIdFilter": "orderid", "dutyIdFilter": "shiftId", "projectIdFilter": "projectid",
               "subProjectIdFilter": "subProjectid", "projectPhaseIdFilter": "projectPhaseid",
               "freeDimension1Filter": "freeDimension1Id", "freeDimension2Filter": "freeDimension2Id",
               "timeCategoryIdFilter": "timeCategoryId", "timeCategoryTypeIdFilter": "timeCategoryTypeId",
               "projectAlphanumericCodeFilter": "projectAlphanumericCode",
               "subProjectAlphanumericCodeFilter": "subProjectAlphanumericCode",
               "phaseAlphanumericCodeFilter": "phaseAlphanumericCode"}
LEVELS = ("approvedLevelOne", "approvedLevelTwo", "approvedLevelThree", "approvedLevelFour")


def select(records, f):
    """Reference filter: a list filter keeps records whose field is any of its values; the
    approval filter keeps records approved at any listed level; includePayableCategory true/false
    keeps paid/unpaid categories; the external-status filters keep a listed code, or null when
    nulls are included; the last-updated filters compare lastUpdatedOn."""
    out = []
    for r in records:
        keep = all(not f.get(n) or r[fld] in f[n] for n, fld in LIST_FIELDS.items() if "Alphanumeric" not in n)
        keep &= all(not f.get(n) or (r[fld] or "").upper() in {v.upper() for v in f[n]}
                    for n, fld in LIST_FIELDS.items() if "Alphanumeric" in n)
        if f.get("approvedLevelFilter"):
            keep &= any(r[LEVELS[lv - 1]] == 1 for lv in f["approvedLevelFilter"])
        if f.get("includePayableCategory") is not None:
            keep &= r["timeCategoryPayable"] == int(f["includePayableCategory"])
        codes, nulls = f.get("externalStatusCodeFilter"), f.get("includeElementsWithExternalStatusCodeNull")
        if r["externalStatusCode"] is None:
            keep &= nulls if nulls is not None else not codes
        elif codes:
            keep &= r["externalStatusCode"] in codes
        if f.get("lastUpdatedGreaterThanOrEqualToFilter"):
            keep &= r["lastUpdatedOn"][:10] >= f["lastUpdatedGreaterThanOrEqualToFilter"]
        if f.get("lastApprovedOrUpdatedFilter"):  # created, changed or approved since (CT-TT-5)
            events = [r["lastUpdatedOn"]] + [r[f"approvedLevel{n}On"] for n in ("One", "Two", "Three", "Four")]
            keep &= max(e for e in events if e) >= f["lastApprovedOrUpdatedFilter"][:19]
        if keep:
            out.append(r)
    return out


def ids(records):
    return sorted((r["uid"], r["timeCategoryId"]) for r in records)


def fetch(base, token, frm, to, client=CLIENT, **f):
    r = tt(base, token, frm, to, client, **f)
    body = r.json()
    assert r.status_code == 200 and body["success"] is True, body
    return body["content"]


def test_envelope_and_session_expired_CT_API_2_CT_AUTH_2(ct_base, token):
    frm, to = week(1)
    ok = tt(ct_base, token, frm, to).json()
    assert set(ok) == ENVELOPE and ok["success"] is True
    r = tt(ct_base, "00000000-0000-0000-0000-000000000000", frm, to)
    assert r.status_code == 401 and "Session expired" in r.text
    requests.post(api(ct_base) + "/Access/logout", json={"accessToken": token}, timeout=30)
    assert tt(ct_base, token, frm, to).status_code == 401


def test_period_limit_CT_TT_6(ct_base, token):
    j = tt(ct_base, token, str(FROM), str(FROM + timedelta(days=31))).json()
    assert j["success"] is False and not j["content"]
    assert tt(ct_base, token, str(FROM), str(FROM + timedelta(days=30))).json()["success"] is True


def test_record_limit_wording_CT_TT_6(ct_base, token):
    if not BIG_CLIENT:
        pytest.skip("CAPITECH_BIG_CLIENT_ID not set")
    first = FROM.replace(day=1)
    j = tt(ct_base, token, str(first), str(first + timedelta(days=30)), client=int(BIG_CLIENT)).json()
    assert j["success"] is False and not j["content"]
    assert "Too many results" in j["displayErrorMessage"] and "maximum allowed number" in j["serverErrorMessage"]


def test_records_overlap_the_period_CT_TT_11_and_keys_CT_TT_9(ct_base, token):
    frm, to = week(2)
    recs = fetch(ct_base, token, frm, to)
    assert recs
    for r in recs:
        assert r["datein"] <= to and r["dateout"] >= frm
        assert r["recordStateKey"] == f"{r['uid']}_{r['timeCategoryId']}_{r['qty']:.2f}"


def _strategy(recs):
    parts = {n: st.lists(st.sampled_from(sorted({r[f] for r in recs if r[f] is not None}, key=str) or [0]),
                         max_size=3, unique=True) for n, f in LIST_FIELDS.items()}
    stamps = sorted({r["lastUpdatedOn"] for r in recs})
    parts.update(approvedLevelFilter=st.lists(st.integers(1, 4), max_size=2, unique=True),
                 includePayableCategory=st.sampled_from([None, True, False]),
                 externalStatusCodeFilter=st.lists(st.integers(0, 2), max_size=2, unique=True),
                 includeElementsWithExternalStatusCodeNull=st.sampled_from([None, True, False]),
                 lastUpdatedGreaterThanOrEqualToFilter=st.sampled_from(sorted({s[:10] for s in stamps}) or [None]),
                 lastApprovedOrUpdatedFilter=st.sampled_from([s + ".000" for s in stamps[::max(1, len(stamps) // 20)]] or [None]))
    names = sorted(parts)  # 1-3 filters at a time, so answers are rarely empty
    return st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True).flatmap(
        lambda chosen: st.fixed_dictionaries({n: parts[n] for n in chosen}))


def test_filters_select_exactly_the_reference_records_CT_TT_1_to_5(ct_base, token):
    """CT-TT-1..5: random filter combinations on random sub-periods == the reference filter."""
    frm0, to0 = week(14)
    everything = fetch(ct_base, token, frm0, to0)

    @settings(max_examples=30, **SETTINGS)
    @given(f=_strategy(everything), start=st.integers(0, 6), length=st.integers(1, 7))
    def run(f, start, length):
        frm = str(FROM + timedelta(days=start))
        to = str(FROM + timedelta(days=start + length - 1))
        base = [r for r in everything if r["datein"] <= to and r["dateout"] >= frm]
        assert ids(fetch(ct_base, token, frm, to, **f)) == ids(select(base, f)), f
    run()


def test_client_splitting_equals_one_big_query(ct_base):
    """The reference client's windows (any size), de-duplicated, return exactly the records of one
    31-day query when no limit is hit (CT-TT-6, CT-TT-11)."""
    frm, to = str(FROM), str(FROM + timedelta(days=30))
    big = CapitechClient(ct_base, USER, PASSWORD).get_time_transactions(CLIENT, frm, to)
    expected = ids(big)

    @settings(max_examples=6, **SETTINGS)
    @given(window=st.integers(1, 31))
    def run(window):
        c = CapitechClient(ct_base, USER, PASSWORD, window_days=window)
        got = list(c.time_transactions(CLIENT, frm, to))
        assert ids(got) == expected
        assert len(got) == len(expected)
    run()
