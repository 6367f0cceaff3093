"""The reference client (clients/capitech.py) end to end against the simulator."""
from __future__ import annotations

from datetime import date

from clients.capitech import CapitechClient, CapitechError, sync


def client(ct) -> CapitechClient:
    return CapitechClient(ct.sim.base_url, "demo", "demo")


def test_client_relogs_in_after_session_expired_ct_auth_2(ct, fieldsim):
    c = client(ct)
    assert c.get_time_transactions(100, "2026-10-01", "2026-10-01")
    first = c.token
    fieldsim.advance("PT2H")
    assert c.get_time_transactions(100, "2026-10-01", "2026-10-01")
    assert c.token != first


def test_client_splits_long_periods_into_31_day_windows_ct_tt_6(ct):
    c = client(ct)
    got = list(c.time_transactions(100, "2026-08-01", "2026-10-31"))
    keys = [(r["uid"], r["timeCategoryId"]) for r in got]
    assert len(keys) == len(set(keys)), "records across window borders are de-duplicated (CT-TT-11)"
    expected = set()
    for frm, to in (("2026-08-01", "2026-08-31"), ("2026-09-01", "2026-09-30"), ("2026-10-01", "2026-10-31")):
        expected |= {(r["uid"], r["timeCategoryId"]) for r in ct.records(frm=frm, to=to)}
    assert set(keys) == expected
    assert all(r["datein"] <= "2026-10-31" and r["dateout"] >= "2026-08-01" for r in got)


def test_client_halves_a_window_on_too_many_results_ct_tt_6(ct):
    c = client(ct)
    try:
        c.get_time_transactions(200, "2026-10-01", "2026-10-31")
        raise AssertionError("expected the 5000-record refusal")
    except CapitechError as exc:
        assert exc.too_many_results
    got = list(c.time_transactions(200, date(2026, 10, 1), date(2026, 10, 31)))
    assert len(got) > 5000
    expected = set()
    for frm, to in (("2026-10-01", "2026-10-10"), ("2026-10-11", "2026-10-20"), ("2026-10-21", "2026-10-31")):
        expected |= {(r["uid"], r["timeCategoryId"]) for r in ct.records(client=200, frm=frm, to=to)}
    assert {(r["uid"], r["timeCategoryId"]) for r in got} == expected


def test_client_sync_reports_changes_by_record_state_key_ct_tt_9(ct):
    c = client(ct)
    first = sync(c, 100, "2026-10-05", "2026-10-09")
    assert first.new and not first.changed
    rec = first.new[0]
    c.set_external_status_code(100, [rec["uid"]], 1)  # a status code is not a change of hours
    ct.admin("change", {"clientId": 100, "uid": rec["uid"], "timeCategoryId": rec["timeCategoryId"],
                        "qty": rec["qty"] + 1})
    second = sync(c, 100, "2026-10-05", "2026-10-09", previous=first.state)
    assert [(r["uid"], r["timeCategoryId"]) for r in second.changed] == [(rec["uid"], rec["timeCategoryId"])]
    assert not second.new and not second.removed
    third = sync(c, 100, "2026-10-05", "2026-10-09", previous=second.state, externalStatusCodeFilter=[0],
                 includeElementsWithExternalStatusCodeNull=True)
    assert {k[0] for k in third.removed} == {rec["uid"]}
