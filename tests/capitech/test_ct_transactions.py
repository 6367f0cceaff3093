"""getTimeTransactions over HTTP: records (CT-TT-7..11), filters (CT-TT-1..5), limits (CT-TT-6)."""
from __future__ import annotations

import re
from collections import defaultdict

import pytest

from .cthelp import keys, overlaps, reference

# CT-TT-7: the seed's return-field table, copied here by hand in the seed's order and casing.
SEED_FIELDS = """clientId employeeid employee datein timein dateout timeout departmentid department taskid task
classicdutyid classicdutycode classicduty orderid order projectid projectAlphanumericCode project subProjectid
subProjectAlphanumericCode subProject projectPhaseid phaseAlphanumericCode projectPhase shiftId shift
freeDimension1Id freeDimension1 freeDimension2Id freeDimension2 freeText approvedLevelOne approvedLevelTwo
approvedLevelThree approvedLevelFour approvedLevelOneBy approvedLevelTwoBy approvedLevelThreeBy approvedLevelFourBy
approvedLevelOneOn approvedLevelTwoOn approvedLevelThreeOn approvedLevelFourOn timeCategoryId timeCategory
timeCategoryTypeId timeCategoryType timeCategoryPayable qty uid externalId correlationId externalStatusCode
lastUpdatedOn recordStateKey""".split()


def test_ct_tt_7_fields_and_formats_as_in_the_seed(ct):
    """CT-TT-7."""
    recs = ct.records(frm="2026-10-05", to="2026-10-09")
    assert recs
    for r in recs:
        assert list(r) == SEED_FIELDS
        assert r["clientId"] == 100
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", r["datein"]) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", r["dateout"])
        assert re.fullmatch(r"\d{2}:\d{2}:00\.000", r["timein"]) and re.fullmatch(r"\d{2}:\d{2}:00\.000", r["timeout"])
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", r["lastUpdatedOn"])
        assert r["timeCategoryTypeId"] in "OTPS" and r["timeCategoryPayable"] in (0, 1)
        assert r["approvedLevelOne"] in (1, None) and (r["approvedLevelOneBy"] is None) == (r["approvedLevelOne"] is None)
        if r["approvedLevelOne"]:
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", r["approvedLevelOneOn"])
        assert isinstance(r["qty"], (int, float)) and isinstance(r["uid"], int)
        assert {"O": "Ordinær", "T": "Tillegg", "P": "Overtid", "S": "Overtidstillegg"}[r["timeCategoryTypeId"]] == r["timeCategoryType"]


def test_ct_tt_8_one_record_per_time_category_of_a_registration(ct):
    """CT-TT-8."""
    by_uid = defaultdict(list)
    for r in ct.records():
        by_uid[r["uid"]].append(r)
    multi = [rs for rs in by_uid.values() if len(rs) > 1]
    assert multi, "some registrations yield several categories (e.g. Timelønn + Overtid 50%)"
    for rs in multi:
        cats = [r["timeCategoryId"] for r in rs]
        assert len(cats) == len(set(cats))
        assert len({(r["datein"], r["timein"], r["employeeid"]) for r in rs}) == 1
    assert any({"O", "P"} <= {r["timeCategoryTypeId"] for r in rs} for rs in multi)


def test_ct_tt_9_record_state_key_and_drift_when_hours_change(ct):
    """CT-TT-9."""
    rec = ct.records(frm="2026-10-06", to="2026-10-06")[0]
    assert rec["recordStateKey"] == f"{rec['uid']}_{rec['timeCategoryId']}_{rec['qty']:.2f}"
    r = ct.admin("change", {"clientId": 100, "uid": rec["uid"], "timeCategoryId": rec["timeCategoryId"], "qty": 6.25})
    assert r.status_code == 200, r.text
    after = [x for x in ct.records(frm="2026-10-06", to="2026-10-06") if x["uid"] == rec["uid"]
             and x["timeCategoryId"] == rec["timeCategoryId"]][0]
    assert after["qty"] == 6.25 and after["recordStateKey"] == f"{rec['uid']}_{rec['timeCategoryId']}_6.25"
    assert after["recordStateKey"] != rec["recordStateKey"]


def test_ct_tt_10_last_updated_on_is_creation_then_moves_on_change(ct, fieldsim):
    """CT-TT-10."""
    rec = next(x for x in ct.records(frm="2026-10-06", to="2026-10-06") if x["approvedLevelOne"] is None) \
        if any(x["approvedLevelOne"] is None for x in ct.records(frm="2026-10-06", to="2026-10-06")) \
        else ct.records(frm="2026-10-06", to="2026-10-06")[0]
    assert rec["lastUpdatedOn"] >= f"{rec['dateout']} {rec['timeout'][:8]}"  # created after the work ended
    ct.set_clock("2026-11-24T10:15:30+01:00")
    ct.admin("change", {"clientId": 100, "uid": rec["uid"], "timeCategoryId": rec["timeCategoryId"], "qty": 1})
    after = [x for x in ct.records(frm="2026-10-06", to="2026-10-06") if x["uid"] == rec["uid"]]
    assert all(x["lastUpdatedOn"] == "2026-11-24 10:15:30" for x in after)
    assert all(x["correlationId"] for x in after)


def test_ct_tt_10_approval_through_admin_keeps_last_updated_on_and_ct_tt_5_finds_it(ct, fieldsim):
    """CT-TT-10: an approval is no change: lastUpdatedOn stays (the seed's example record was
    approved at 11:25 and shows lastUpdatedOn 07:01). CT-TT-5: lastApprovedOrUpdatedFilter finds
    the approval, lastUpdatedGreaterThanOrEqualToFilter does not."""
    ct.set_clock("2026-10-08T09:00:00+02:00")  # fresh hours, not yet approved by the background process
    recs = [x for x in ct.records(frm="2026-10-07", to="2026-10-07") if x["approvedLevelOne"] is None]
    uid = recs[0]["uid"]
    before = {x["timeCategoryId"]: x for x in recs if x["uid"] == uid}
    assert all(x["lastUpdatedOn"] < "2026-10-08 10:30:00" for x in before.values())
    ct.set_clock("2026-10-08T10:30:00+02:00")
    r = ct.admin("approve", {"clientId": 100, "uids": [uid], "level": 1, "by": "trineg"})
    assert r.status_code == 200, r.text
    for x in [x for x in ct.records(frm="2026-10-07", to="2026-10-07") if x["uid"] == uid]:
        assert x["approvedLevelOne"] == 1 and x["approvedLevelOneBy"] == "trineg"
        assert x["approvedLevelOneOn"] == "2026-10-08 10:30:00"
        old = before[x["timeCategoryId"]]
        assert (x["lastUpdatedOn"], x["correlationId"]) == (old["lastUpdatedOn"], old["correlationId"])
    since = ct.records(frm="2026-10-07", to="2026-10-07", lastApprovedOrUpdatedFilter="2026-10-08 10:30:00.000")
    assert uid in {x["uid"] for x in since}
    # "on or after" to the millisecond (the seed's hh:mm:ss.000): a second's approval is before .001 of it
    later = ct.records(frm="2026-10-07", to="2026-10-07", lastApprovedOrUpdatedFilter="2026-10-08 10:30:00.001")
    assert uid not in {x["uid"] for x in later}
    changed = ct.records(frm="2026-10-07", to="2026-10-07", lastUpdatedGreaterThanOrEqualToFilter="2026-10-08")
    assert uid not in {x["uid"] for x in changed}
    r = ct.admin("approve", {"clientId": 100, "uids": [uid], "level": 3})
    x = [x for x in ct.records(frm="2026-10-07", to="2026-10-07") if x["uid"] == uid][0]
    assert x["approvedLevelThree"] == 1 and x["approvedLevelTwo"] is None


def test_ct_tt_1_background_approval_over_simulated_time(ct, fieldsim):
    """CT-TT-1."""
    """Approvals happen as simulated time passes (the seed's approval process), nothing without time."""
    ct.set_clock("2026-10-08T09:00:00+02:00")
    before = ct.records(frm="2026-10-07", to="2026-10-07")
    pending = {x["uid"] for x in before if x["approvedLevelOne"] is None}
    assert pending
    assert ct.records(frm="2026-10-07", to="2026-10-07", approvedLevelFilter=[1]) == \
        [x for x in before if x["approvedLevelOne"] == 1]
    ct.set_clock("2026-10-20T09:00:00+02:00")
    later = {x["uid"]: x for x in ct.records(frm="2026-10-07", to="2026-10-07")}
    approved_now = [u for u in pending if later[u]["approvedLevelOne"] == 1]
    assert approved_now
    assert all(later[u]["lastUpdatedOn"] < later[u]["approvedLevelOneOn"] for u in approved_now)  # CT-TT-10


def test_ct_tt_1_approved_level_filter_levels_one_and_two(ct):
    """CT-TT-1."""
    allr = ct.records(client=200, frm="2026-10-05", to="2026-10-07")
    for levels in ([1], [2], [1, 2], [3]):
        got = ct.records(client=200, frm="2026-10-05", to="2026-10-07", approvedLevelFilter=levels)
        assert keys(got) == keys(reference(allr, {"approvedLevelFilter": levels}))
    assert ct.records(client=200, frm="2026-10-05", to="2026-10-07", approvedLevelFilter=[2])
    assert len(ct.records(client=200, frm="2026-10-05", to="2026-10-07", approvedLevelFilter=1)) == \
        len(reference(allr, {"approvedLevelFilter": [1]}))  # a single value counts as one element


def test_ct_tt_11_registration_across_midnight_returned_for_both_days(ct):
    """CT-TT-11."""
    day1 = ct.records(frm="2026-10-06", to="2026-10-06")
    night = [r for r in day1 if r["datein"] == "2026-10-06" and r["dateout"] == "2026-10-07"]
    assert night, "night shifts cross midnight"
    assert any(r["datein"] == "2026-10-05" for r in day1), "the previous night overlaps 2026-10-06 too"
    day2 = ct.records(frm="2026-10-07", to="2026-10-07")
    assert {r["uid"] for r in night} <= {r["uid"] for r in day2}
    assert all(overlaps(r, "2026-10-07", "2026-10-07") for r in day2)
    assert all(overlaps(r, "2026-10-06", "2026-10-06") for r in day1)


def test_ct_tt_6_period_of_31_days_accepted_32_refused(ct):
    """CT-TT-6."""
    assert ct.tt(frm="2026-10-01", to="2026-10-31").json()["success"] is True
    r = ct.tt(frm="2026-10-01", to="2026-11-01")
    j = r.json()
    assert r.status_code == 200 and j["success"] is False and j["content"] == []
    assert "31" in j["displayErrorMessage"] and "Too many results" not in j["displayErrorMessage"]
    j = ct.tt(frm="2026-10-10", to="2026-10-01").json()
    assert j["success"] is False and j["content"] == []


def test_ct_tt_6_more_than_5000_records_refused_with_client_wording(ct):
    """CT-TT-6."""
    r = ct.tt(client=200, frm="2026-10-01", to="2026-10-31")
    j = r.json()
    assert r.status_code == 200 and j["success"] is False and j["content"] == []
    assert "Too many results" in j["displayErrorMessage"]
    assert "maximum allowed number" in j["serverErrorMessage"]
    half = ct.records(client=200, frm="2026-10-01", to="2026-10-10")
    assert 0 < len(half) <= 5000


def test_ct_tt_6_limit_counts_filtered_records_not_the_store(ct):
    """CT-TT-6."""
    j = ct.tt(client=200, frm="2026-10-01", to="2026-10-31", timeCategoryTypeIdFilter=["P"]).json()
    assert j["success"] is True and 0 < len(j["content"]) <= 5000


LIST_FILTERS = [("employeeIdFilter", "employeeid"), ("departmentIdFilter", "departmentid"), ("taskIdFilter", "taskid"),
                ("orderIdFilter", "orderid"), ("dutyIdFilter", "shiftId"), ("projectIdFilter", "projectid"),
                ("subProjectIdFilter", "subProjectid"), ("projectPhaseIdFilter", "projectPhaseid"),
                ("freeDimension1Filter", "freeDimension1Id"), ("freeDimension2Filter", "freeDimension2Id"),
                ("timeCategoryIdFilter", "timeCategoryId"), ("timeCategoryTypeIdFilter", "timeCategoryTypeId"),
                ("projectAlphanumericCodeFilter", "projectAlphanumericCode"),
                ("subProjectAlphanumericCodeFilter", "subProjectAlphanumericCode"),
                ("phaseAlphanumericCodeFilter", "phaseAlphanumericCode")]


@pytest.mark.parametrize("name,field", LIST_FILTERS)
def test_ct_tt_2_each_list_filter_selects_any_of_its_values(ct, name, field):
    """CT-TT-2."""
    allr = ct.records(frm="2026-10-05", to="2026-10-16")
    values = sorted({r[field] for r in allr if r[field] is not None}, key=str)
    assert values, field
    for chosen in (values[:1], values[:2]):
        got = ct.records(frm="2026-10-05", to="2026-10-16", **{name: chosen})
        assert got and keys(got) == keys(reference(allr, {name: chosen}))
        assert len(got) < len(allr) or len(values) <= len(chosen)
    assert ct.records(frm="2026-10-05", to="2026-10-16", **{name: [] }) == allr  # [] = no filter


def test_ct_tt_2_sub_dimension_numbers_match_under_every_parent(ct):
    """CT-TT-2."""
    allr = ct.records(frm="2026-10-05", to="2026-10-16")
    by_task = defaultdict(set)
    for r in allr:
        by_task[r["taskid"]].add(r["departmentid"])
    task, depts = max(by_task.items(), key=lambda kv: len(kv[1]))
    assert len(depts) > 1, "the same task number exists under several departments"
    got = ct.records(frm="2026-10-05", to="2026-10-16", taskIdFilter=[task])
    assert {r["departmentid"] for r in got} == depts
    one = sorted(depts)[0]
    both = ct.records(frm="2026-10-05", to="2026-10-16", taskIdFilter=[task], departmentIdFilter=[one])
    assert both and {r["departmentid"] for r in both} == {one}


def test_ct_tt_2_alphanumeric_codes_ignore_case_and_filters_combine(ct):
    """CT-TT-2."""
    allr = ct.records(frm="2026-10-05", to="2026-10-16")
    code = next(r["projectAlphanumericCode"] for r in allr if r["projectAlphanumericCode"])
    assert keys(ct.records(frm="2026-10-05", to="2026-10-16", projectAlphanumericCodeFilter=[code.lower()])) == \
        keys(reference(allr, {"projectAlphanumericCodeFilter": [code]}))
    f = {"timeCategoryTypeIdFilter": ["O"], "freeDimension2Filter": [60, 61], "includePayableCategory": True}
    assert keys(ct.records(frm="2026-10-05", to="2026-10-16", **f)) == keys(reference(allr, f))


def test_ct_tt_2_unknown_values_match_nothing(ct):
    """CT-TT-2."""
    assert ct.records(employeeIdFilter=[999999]) == []
    assert ct.records(timeCategoryTypeIdFilter=["X"]) == []


def test_ct_tt_3_include_payable_category(ct):
    """CT-TT-3."""
    allr = ct.records(client=200, frm="2026-10-05", to="2026-10-09")
    paid = ct.records(client=200, frm="2026-10-05", to="2026-10-09", includePayableCategory=True)
    unpaid = ct.records(client=200, frm="2026-10-05", to="2026-10-09", includePayableCategory=False)
    assert unpaid and paid
    assert all(r["timeCategoryPayable"] == 1 for r in paid) and all(r["timeCategoryPayable"] == 0 for r in unpaid)
    assert len(paid) + len(unpaid) == len(allr)
    assert ct.records(client=200, frm="2026-10-05", to="2026-10-09", includePayableCategory=None) == allr


def _set_code(ct, uids, code, client=100):
    return ct.post("Time/setExternalStatusCode", {"accessToken": ct.token, "clientId": client,
                                                  "externalStatusCode": code, "uids": uids})


def test_ct_es_1_set_external_status_code_then_exclude_transferred(ct):
    """CT-ES-1."""
    allr = ct.records(frm="2026-10-05", to="2026-10-09")
    uids = sorted({r["uid"] for r in allr})[:5]
    r = _set_code(ct, uids, 1)
    assert r.status_code == 200 and r.json()["success"] is True
    assert [c["uid"] for c in r.json()["content"]] == uids
    after = ct.records(frm="2026-10-05", to="2026-10-09")
    assert {x["uid"] for x in after if x["externalStatusCode"] == 1} == set(uids)
    before_upd = {(x["uid"], x["timeCategoryId"]): x["lastUpdatedOn"] for x in allr}
    assert all(before_upd[(x["uid"], x["timeCategoryId"])] == x["lastUpdatedOn"] for x in after)  # not moved
    untransferred = ct.records(frm="2026-10-05", to="2026-10-09", includeElementsWithExternalStatusCodeNull=True,
                               externalStatusCodeFilter=[0])
    assert not {x["uid"] for x in untransferred} & set(uids)
    assert len(untransferred) == len([x for x in after if x["externalStatusCode"] is None])
    r = _set_code(ct, uids[:2], None)  # null clears
    assert {x["uid"] for x in ct.records(frm="2026-10-05", to="2026-10-09", externalStatusCodeFilter=[1])} == set(uids[2:])


def test_ct_tt_4_external_status_code_filters(ct):
    """CT-TT-4."""
    allr = ct.records(frm="2026-10-05", to="2026-10-09")
    uids = sorted({r["uid"] for r in allr})
    _set_code(ct, uids[:3], 1)
    _set_code(ct, uids[3:6], 2)
    allr = ct.records(frm="2026-10-05", to="2026-10-09")
    for f in ({"externalStatusCodeFilter": [1]}, {"externalStatusCodeFilter": [1, 2]},
              {"includeElementsWithExternalStatusCodeNull": False},
              {"includeElementsWithExternalStatusCodeNull": True},
              {"externalStatusCodeFilter": [2], "includeElementsWithExternalStatusCodeNull": True},
              {"externalStatusCodeFilter": [2], "includeElementsWithExternalStatusCodeNull": False}):
        got = ct.records(frm="2026-10-05", to="2026-10-09", **f)
        assert keys(got) == keys(reference(allr, f)), f
    assert {x["uid"] for x in ct.records(frm="2026-10-05", to="2026-10-09",
                                         includeElementsWithExternalStatusCodeNull=False)} == set(uids[:6])


def test_ct_es_1_unknown_uids_reported_and_nothing_changed(ct):
    """CT-ES-1."""
    uid = ct.records(frm="2026-10-05", to="2026-10-05")[0]["uid"]
    r = _set_code(ct, [uid, 123], 7)
    j = r.json()
    assert j["success"] is False and "123" in j["displayErrorMessage"] and str(uid) not in j["displayErrorMessage"]
    assert ct.records(externalStatusCodeFilter=[7]) == []
    for bad in ({"uids": []}, {"uids": ["x"]}, {"externalStatusCode": "1"}):
        body = {"accessToken": ct.token, "clientId": 100, "externalStatusCode": 1, "uids": [uid], **bad}
        assert ct.post("Time/setExternalStatusCode", body).status_code == 400


def test_ct_es_1_a_single_uid_counts_as_a_one_element_array(ct):
    """CT-ES-1 with the catalogue's [decision] that a single value where an array is expected is a
    one-element array (as the getTimeTransactions filters take it)."""
    uid = ct.records(frm="2026-10-05", to="2026-10-05")[0]["uid"]
    body = {"accessToken": ct.token, "clientId": 100, "externalStatusCode": 9, "uids": uid}
    r = ct.post("Time/setExternalStatusCode", body)
    assert r.status_code == 200 and r.json()["success"] is True, r.text
    assert {x["uid"] for x in ct.records(externalStatusCodeFilter=[9])} == {uid}


def test_ct_tt_5_last_updated_date_only_filter(ct):
    """CT-TT-5."""
    allr = ct.records()
    pivot = sorted(r["lastUpdatedOn"][:10] for r in allr)[len(allr) // 2]
    got = ct.records(lastUpdatedGreaterThanOrEqualToFilter=pivot)
    assert 0 < len(got) < len(allr)
    assert keys(got) == keys(reference(allr, {"lastUpdatedGreaterThanOrEqualToFilter": pivot}))
    for bad in (f"{pivot} 00:00:00", f"{pivot}T00:00:00", "23.11.2026"):
        r = ct.tt(lastUpdatedGreaterThanOrEqualToFilter=bad)
        assert r.status_code == 400 and r.json()["success"] is False


def test_ct_tt_5_last_approved_or_updated_catches_approvals_to_the_second(ct, fieldsim):
    """CT-TT-5."""
    ct.set_clock("2026-10-08T09:00:00+02:00")
    pending = [x for x in ct.records(frm="2026-10-07", to="2026-10-07") if x["approvedLevelOne"] is None]
    ct.set_clock("2026-10-08T11:00:05+02:00")
    ct.admin("approve", {"clientId": 100, "uids": [pending[0]["uid"]], "level": 1})
    since = ct.records(frm="2026-10-07", to="2026-10-07", lastApprovedOrUpdatedFilter="2026-10-08 11:00:05.000")
    assert {x["uid"] for x in since} == {pending[0]["uid"]}
    assert ct.records(frm="2026-10-07", to="2026-10-07", lastApprovedOrUpdatedFilter="2026-10-08 11:00:06.000") == []
    r = ct.tt(lastApprovedOrUpdatedFilter="2026-10-08")
    assert r.status_code == 400


@pytest.mark.parametrize("patch,word", [({"fromDate": None}, "fromDate"), ({"toDate": "2026/10/31"}, "toDate"),
                                        ({"fromDate": "2026-02-30"}, "fromDate"), ({"clientId": "100"}, "clientId"),
                                        ({"employeeIdFilter": ["a"]}, "employeeIdFilter"),
                                        ({"includePayableCategory": "yes"}, "includePayableCategory"),
                                        ({"timeCategoryTypeIdFilter": [1]}, "timeCategoryTypeIdFilter"),
                                        ({"clientId": 2**31}, "clientId"), ({"taskIdFilter": [2**40]}, "taskIdFilter")])
def test_bad_parameters_are_400_naming_the_parameter(ct, patch, word):
    body = {"accessToken": ct.token, "clientId": 100, "fromDate": "2026-10-01", "toDate": "2026-10-02", **patch}
    body = {k: v for k, v in body.items() if v is not None}
    r = ct.post("Time/getTimeTransactions", body)
    assert r.status_code == 400 and r.json()["success"] is False and word in r.json()["displayErrorMessage"]


def test_hours_not_yet_registered_do_not_exist(ct, fieldsim):
    ct.set_clock("2026-10-06T12:00:00+02:00")
    assert ct.records(frm="2026-10-07", to="2026-10-08") == []
    assert all(r["datein"] <= "2026-10-06" for r in ct.records(frm="2026-10-05", to="2026-10-08"))


@pytest.mark.parametrize("since", ["2026-10-09 00:00:00.000", "2026-10-13 09:30:00.000", "2026-10-15 11:00:00.000"])
def test_ct_tt_5_poll_for_changes_answers_from_the_time_index_exactly(ct, since):
    """CT-TT-5, CT-TT-10: a frequent poll (lastApprovedOrUpdatedFilter) over a large period returns
    exactly the records created, changed or approved since then, admin changes included."""
    ct.set_clock("2026-10-15T12:00:00+02:00")
    base = ct.records(client=200, frm="2026-10-01", to="2026-10-10")
    rec = base[len(base) // 2]
    ct.admin("change", {"clientId": 200, "uid": rec["uid"], "timeCategoryId": rec["timeCategoryId"], "qty": 2})
    allr = ct.records(client=200, frm="2026-10-01", to="2026-10-10")
    got = ct.records(client=200, frm="2026-10-01", to="2026-10-10", lastApprovedOrUpdatedFilter=since)
    assert got and len(got) < len(allr)
    assert keys(got) == keys(reference(allr, {"lastApprovedOrUpdatedFilter": since}))
    assert rec["uid"] in {r["uid"] for r in got}
    day = since[:10]
    assert keys(ct.records(client=200, frm="2026-10-01", to="2026-10-10", lastUpdatedGreaterThanOrEqualToFilter=day)) == \
        keys(reference(allr, {"lastUpdatedGreaterThanOrEqualToFilter": day}))


def test_ct_tt_1_background_approvals_can_be_switched_off(ct, fieldsim):
    """CT-TT-1: with api_options capitech.background_approvals false only admin approvals exist."""
    api = fieldsim.runtime.apis["capitech"]
    api.options["background_approvals"] = False
    try:
        recs = ct.records(frm="2026-10-05", to="2026-10-06")
        assert recs and all(r["approvedLevelOne"] is None for r in recs)
        assert ct.records(frm="2026-10-05", to="2026-10-06", approvedLevelFilter=[1]) == []
        ct.admin("approve", {"clientId": 100, "uids": [recs[0]["uid"]], "level": 1})
        assert {r["uid"] for r in ct.records(frm="2026-10-05", to="2026-10-06", approvedLevelFilter=[1])} == {recs[0]["uid"]}
    finally:
        api.options.pop("background_approvals")
    assert ct.records(frm="2026-10-05", to="2026-10-06", approvedLevelFilter=[1])
