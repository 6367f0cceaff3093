"""Quickscan order and who did it (CAPO-QS-1 .. CAPO-QS-4, CAPO-EM-1, CAPO-EM-2)."""
from __future__ import annotations

import pytest

from .capo import A1, NB, QS_DONE, QS_OPEN, Capo


@pytest.fixture
def capo(fieldsim):
    fieldsim.set_clock("2026-01-06T10:00:00+01:00")
    return Capo(fieldsim, NB)


def test_hoofdleiding_aanleggen_marks_project_CAPO_QS_1(capo):
    """CAPO-QS-1: a netbeheerder says a main line is needed; an aannemer may not (403)."""
    capo.as_(A1).err("POST", f"/project/{QS_OPEN}/hoofdleiding-aanleggen", 403, json={})
    p = capo.ok("POST", f"/project/{QS_OPEN}/hoofdleiding-aanleggen", 201, json={"opmerking": "HL nodig"})
    assert p["quickscan"]["hoofdleidingAanleggen"] is True and p["quickscan"]["hoofdleidingOpmerking"] == "HL nodig"
    assert capo.ok("GET", f"/project/{QS_OPEN}")["quickscan"]["hoofdleidingAanleggen"] is True


def test_extra_werkvoorbereiding_activity_CAPO_QS_2_CAPO_EM_2(capo):
    """CAPO-QS-2: activity type Extra werkvoorbereiding by the netbeheerder; CAPO-EM-2: its
    ActiviteitAct and the ActiviteitLogEntry carry the x-email."""
    a = capo.ok("POST", f"/project/{QS_OPEN}/activiteit", 201, json={"type": "Extra werkvoorbereiding"},
                email="wvb@netbeheer-demo.nl")
    assert a["acts"][0]["email"] == "wvb@netbeheer-demo.nl"
    assert capo.ok("GET", f"/project/{QS_OPEN}")["quickscan"]["extraWerkvoorbereiding"] is True
    assert capo.ok("GET", f"/project/{QS_OPEN}/activiteit") == [a]
    entry = capo.ok("GET", f"/project/{QS_OPEN}/log")[-1]
    assert entry["type"] == "ActiviteitLogEntry" and entry["activiteitId"] == a["activiteitId"]
    assert entry["act"]["email"] == "wvb@netbeheer-demo.nl"
    capo.as_(A1).err("POST", f"/project/{QS_OPEN}/activiteit", 403, json={"type": "Extra werkvoorbereiding"})


def test_mic_completes_quickscan_and_blocks_the_other_steps_CAPO_QS_3_CAPO_QS_4(capo):
    """CAPO-QS-3: mic is the last step; CAPO-QS-4: after it hoofdleiding-aanleggen and Extra
    werkvoorbereiding are refused with 409 and the project is unchanged."""
    m = capo.ok("POST", f"/project/{QS_OPEN}/mic", 201, json={"meeInCombi": True, "opmerking": "mee"})
    assert m["meeInCombi"] is True
    before = capo.ok("GET", f"/project/{QS_OPEN}")
    assert before["quickscan"]["afgerond"] is True and before["quickscan"]["afgerondOp"] == "2026-01-06T10:00:00+01:00"
    capo.err("POST", f"/project/{QS_OPEN}/hoofdleiding-aanleggen", 409, json={})
    capo.err("POST", f"/project/{QS_OPEN}/activiteit", 409, json={"type": "Extra werkvoorbereiding"})
    assert capo.ok("GET", f"/project/{QS_OPEN}") == before
    assert len(capo.ok("GET", f"/project/{QS_OPEN}/activiteit")) == 0
    # other activities and further mic messages stay possible
    capo.ok("POST", f"/project/{QS_OPEN}/activiteit", 201, json={"type": "Schouw"})
    capo.ok("POST", f"/project/{QS_OPEN}/mic", 201, json={"meeInCombi": False})
    assert len(capo.ok("GET", f"/project/{QS_OPEN}/mic")) == 2


def test_full_quickscan_in_order_CAPO_QS_1_CAPO_QS_2_CAPO_QS_3(capo):
    """CAPO-QS-1..3: hoofdleiding, extra werkvoorbereiding, then mic."""
    capo.ok("POST", f"/project/{QS_OPEN}/hoofdleiding-aanleggen", 201)
    capo.ok("POST", f"/project/{QS_OPEN}/activiteit", 201, json={"type": "Extra werkvoorbereiding"})
    capo.ok("POST", f"/project/{QS_OPEN}/mic", 201, json={"meeInCombi": True})
    qs = capo.ok("GET", f"/project/{QS_OPEN}")["quickscan"]
    assert qs["afgerond"] and qs["hoofdleidingAanleggen"] and qs["extraWerkvoorbereiding"]


def test_seeded_done_quickscan_refuses_steps_CAPO_QS_4(capo):
    """CAPO-QS-4 on the seeded project whose quickscan is already done."""
    assert capo.ok("GET", f"/project/{QS_DONE}")["quickscan"]["afgerond"] is True
    capo.err("POST", f"/project/{QS_DONE}/hoofdleiding-aanleggen", 409)


def test_mic_is_for_netbeheerders_and_needs_a_boolean_CAPO_QS_3(capo):
    """CAPO-QS-3: an aannemer's mic -> 403 (quickscan stays open); meeInCombi must be a boolean."""
    capo.as_(A1).err("POST", f"/project/{QS_OPEN}/mic", 403, json={"meeInCombi": True})
    assert "meeInCombi" in capo.err("POST", f"/project/{QS_OPEN}/mic", 400, json={"meeInCombi": "ja"})
    assert "meeInCombi" in capo.err("POST", f"/project/{QS_OPEN}/mic", 400, json={})
    assert capo.ok("GET", f"/project/{QS_OPEN}")["quickscan"]["afgerond"] is False


def test_x_email_recorded_on_mic_and_validated_CAPO_EM_1(capo):
    """CAPO-EM-1: optional x-email on POST; recorded; a non-address -> 400 and nothing applied."""
    m = capo.ok("POST", f"/project/{QS_OPEN}/mic", 201, json={"meeInCombi": True}, email="jan@netbeheer-demo.nl")
    assert m["email"] == "jan@netbeheer-demo.nl"
    assert capo.ok("GET", f"/project/{QS_OPEN}/mic")[0]["email"] == "jan@netbeheer-demo.nl"
    assert "x-email" in capo.err("POST", f"/project/{QS_OPEN}/activiteit", 400, json={"type": "Schouw"}, email="not an email")
    assert len(capo.ok("GET", f"/project/{QS_OPEN}/activiteit")) == 0
    no_email = capo.ok("POST", f"/project/{QS_OPEN}/activiteit", 201, json={"type": "Schouw"})
    assert no_email["acts"][0]["email"] is None


def test_seeded_log_entries_carry_emails_CAPO_EM_2(capo):
    """CAPO-EM-2: seeded ActiviteitLogEntry / BijlageLogEntry have emails."""
    log = capo.ok("GET", f"/project/{QS_DONE}/log")
    assert log[0]["type"] == "ActiviteitLogEntry" and "@" in log[0]["act"]["email"]
    blog = capo.ok("GET", "/project/3000106/log")
    assert {e["type"] for e in blog} == {"BijlageLogEntry"} and all("@" in e["email"] for e in blog)
