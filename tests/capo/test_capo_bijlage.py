"""The bijlageAssigned workflow, upload URLs and stored files (CAPO-BA-1 .. CAPO-BA-10, CAPO-EM-2)."""
from __future__ import annotations

import re

import pytest
import requests

from .capo import A1, BA_PROJECT, NB, Capo


@pytest.fixture
def capo(fieldsim):
    fieldsim.set_clock("2026-01-05T09:00:00+01:00")
    return Capo(fieldsim, A1)


def test_lists_assigned_per_project_and_per_organisation_CAPO_BA_1(capo):
    """CAPO-BA-1: project list (all participants) and /bijlageassigned (assigned to the caller); 24-hex ids."""
    per_project = capo.ok("GET", f"/project/{BA_PROJECT}/bijlageassigned")
    assert {b["status"] for b in per_project} == {"assigned", "review", "done"}
    mine = capo.ok("GET", "/bijlageassigned")
    assert mine and all(b["assignedTo"]["naam"] == "Aannemer Demo" for b in mine)
    assert "Tracétekening netbeheerder" not in {b["naam"] for b in mine}
    assert all(re.fullmatch(r"[0-9a-f]{24}", b["bijlageAssignedId"]) for b in per_project)
    assert [b["naam"] for b in capo.ok("GET", "/bijlageassigned?status=review")] == ["Foto's oplevering"]
    capo.err("GET", "/bijlageassigned?status=bogus", 400)


def test_ids_are_deterministic_from_the_seed_CAPO_BA_1(capo, fieldsim):
    """CAPO-BA-1: the same seed gives the same ids after a reset."""
    first = [b["bijlageAssignedId"] for b in capo.ok("GET", "/bijlageassigned")]
    fieldsim.reset("capo")
    assert first == [b["bijlageAssignedId"] for b in capo.ok("GET", "/bijlageassigned")]


def test_create_gives_presigned_url_on_the_callers_host_and_stores_bytes_CAPO_BA_2(capo):
    """CAPO-BA-2: POST .../bijlage answers bijlageId + URL (host = the one the client used);
    PUT raw bytes there; they are stored."""
    ba = capo.ba("Revisietekening")
    created = capo.ok("POST", f"/project/{BA_PROJECT}/bijlageassigned/{ba['bijlageAssignedId']}/bijlage", 201,
                      json={"bestandsnaam": "tekening.pdf", "contentType": "application/pdf", "onbekend": 1})
    assert re.fullmatch(r"[0-9a-f]{24}", created["bijlageId"]) and created["parentId"] == ba["bijlageAssignedId"]
    assert created["url"].startswith(capo.url + "/upload/" + created["bijlageId"] + "?")
    assert created["status"] == "new"
    data = bytes(range(256)) * 10
    assert requests.put(created["url"], data=data, timeout=10).status_code == 200
    capo.ok("PATCH", f"/project/{BA_PROJECT}/bijlage/{created['bijlageId']}", json={"status": "uploaded"})
    f = next(f for f in capo.ok("GET", f"/project/{BA_PROJECT}/bijlage") if f["bijlageId"] == created["bijlageId"])
    got = requests.get(f["downloadUrl"], timeout=10)
    assert got.content == data and got.headers["Content-Type"] == "application/pdf" and f["grootte"] == len(data)


def test_upload_url_expires_on_the_simulated_clock_and_needs_its_signature_CAPO_BA_2(capo, fieldsim):
    """CAPO-BA-2: the URL expires (15 simulated minutes); a tampered signature is refused (403)."""
    ba = capo.ba("Revisietekening")
    created = capo.ok("POST", f"/project/{BA_PROJECT}/bijlageassigned/{ba['bijlageAssignedId']}/bijlage", 201,
                      json={"bestandsnaam": "a.pdf"})
    tampered = created["url"][:-1] + ("0" if created["url"][-1] != "0" else "1")
    assert requests.put(tampered, data=b"x", timeout=10).status_code == 403
    fieldsim.advance("PT15M1S")
    r = requests.put(created["url"], data=b"x", timeout=10)
    assert r.status_code == 403 and "expired" in r.json()["message"]
    capo.err("PATCH", f"/project/{BA_PROJECT}/bijlage/{created['bijlageId']}", 409, json={"status": "uploaded"})


def test_upload_url_uses_public_url_when_configured_CAPO_BA_2(capo, fieldsim):
    """CAPO-BA-2: with config.public_url the URL is built on it."""
    ba = capo.ba("Revisietekening")
    fieldsim.runtime.config.public_url = "https://capo.example.test"
    try:
        created = capo.ok("POST", f"/project/{BA_PROJECT}/bijlageassigned/{ba['bijlageAssignedId']}/bijlage", 201,
                          json={"bestandsnaam": "a.pdf"})
    finally:
        fieldsim.runtime.config.public_url = None
    assert created["url"].startswith("https://capo.example.test/api/capo/upload/")


def test_mark_uploaded_before_bytes_is_409_CAPO_BA_3(capo):
    """CAPO-BA-3: {"status":"uploaded"} before the bytes arrived -> 409; twice -> 409; other values -> 400."""
    ba = capo.ba("Revisietekening")
    created = capo.ok("POST", f"/project/{BA_PROJECT}/bijlageassigned/{ba['bijlageAssignedId']}/bijlage", 201,
                      json={"bestandsnaam": "a.pdf"})
    path = f"/project/{BA_PROJECT}/bijlage/{created['bijlageId']}"
    assert "no file" in capo.err("PATCH", path, 409, json={"status": "uploaded"})
    assert capo.ba("Revisietekening")["status"] == "assigned"
    requests.put(created["url"], data=b"x", timeout=10)
    capo.err("PATCH", path, 400, json={"status": "done"})
    assert capo.ok("PATCH", path, json={"status": "uploaded"})["status"] == "uploaded"
    assert capo.ba("Revisietekening")["status"] == "uploaded"
    capo.err("PATCH", path, 409, json={"status": "uploaded"})
    assert requests.put(created["url"], data=b"y", timeout=10).status_code == 409


def test_several_files_until_delivery_then_nothing_CAPO_BA_4_CAPO_BA_5(capo):
    """CAPO-BA-4: several files under one bijlageAssigned; CAPO-BA-5: after done no new file, no
    status change (409), and nothing changes."""
    ba = capo.ba("Revisietekening")
    ids = [capo.upload(ba, name=f"{i}.pdf")["bijlageId"] for i in range(3)]
    files = [f for f in capo.ok("GET", f"/project/{BA_PROJECT}/bijlage") if f["parentId"] == ba["bijlageAssignedId"]]
    assert [f["bijlageId"] for f in files] == ids
    assert capo.set_ba(ba, "done")["status"] == "done"
    done = capo.ba("Revisietekening")
    capo.err("POST", f"/project/{BA_PROJECT}/bijlageassigned/{ba['bijlageAssignedId']}/bijlage", 409, json={"bestandsnaam": "x"})
    for status in ("assigned", "uploaded", "review", "done"):
        assert "done" in capo.set_ba(ba, status, 409)["message"]
    capo.as_(NB).set_ba(ba, "uploaded", 409, reden="x")
    assert capo.ba("Revisietekening") == done


def test_happy_flow_without_review_CAPO_BA_6(capo):
    """CAPO-BA-6: assigned -> uploaded -> done (acts record each status)."""
    ba = capo.ba("Revisietekening")
    assert ba["status"] == "assigned"
    capo.upload(ba)
    assert capo.ba("Revisietekening")["status"] == "uploaded"
    capo.set_ba(ba, "done")
    assert [a["status"] for a in capo.ba("Revisietekening")["acts"]] == ["uploaded", "done"]


def test_requires_review_goes_to_review_then_approval_CAPO_BA_6_CAPO_BA_7_CAPO_BA_8(capo):
    """CAPO-BA-7: requiresReview -> delivering gives review, not done; CAPO-BA-8: the netbeheerder approves -> done."""
    ba = capo.ba("Inmeetgegevens")
    assert ba["requiresReview"] is True
    capo.upload(ba)
    assert capo.set_ba(ba, "done")["status"] == "review"
    capo.set_ba(ba, "done", 403)  # the assignee cannot approve its own delivery
    assert capo.as_(NB).set_ba(ba, "done")["status"] == "done"
    assert [a["status"] for a in capo.ba("Inmeetgegevens")["acts"]] == ["uploaded", "review", "done"]


def test_rejection_needs_reden_and_restarts_the_process_CAPO_BA_8(capo):
    """CAPO-BA-8: rejection without reden -> 400 (unchanged); with reden -> uploaded; then
    assigned -> uploaded -> review -> uploaded -> review -> done."""
    ba = capo.ba("Inmeetgegevens")
    nb = capo.as_(NB)
    capo.upload(ba)
    capo.set_ba(ba, "review")
    for bad in ({}, {"reden": ""}, {"reden": "   "}):
        assert "reden" in nb.set_ba(ba, "uploaded", 400, **bad)["message"]
    assert capo.ba("Inmeetgegevens")["status"] == "review"
    rejected = nb.set_ba(ba, "uploaded", reden="Maatvoering ontbreekt")
    assert rejected["status"] == "uploaded" and rejected["reden"] == "Maatvoering ontbreekt"
    capo.upload(ba, name="v2.pdf")
    capo.set_ba(ba, "done")
    nb.set_ba(ba, "done")
    final = capo.ba("Inmeetgegevens")
    assert [a["status"] for a in final["acts"]] == ["uploaded", "review", "uploaded", "review", "done"]
    assert final["acts"][2]["reden"] == "Maatvoering ontbreekt"


@pytest.mark.parametrize("naam, who, status", [
    ("Revisietekening", A1, "done"),  # assigned -> done: nothing uploaded
    ("Revisietekening", A1, "review"),
    ("Revisietekening", A1, "uploaded"),
    ("Revisietekening", A1, "assigned"),
    ("Foto's oplevering", NB, "assigned"),  # review -> assigned
    ("Foto's oplevering", NB, "review"),
    ("Schouwrapport", A1, "uploaded"),  # done is final
])
def test_illegal_transitions_are_409_naming_both_statuses_CAPO_BA_9(capo, naam, who, status):
    """CAPO-BA-9: any other transition -> 409 naming current and requested status; nothing changes."""
    ba = capo.ba(naam)
    message = capo.as_(who).set_ba(ba, status, 409)["message"]
    assert ba["status"] in message and status in message
    assert capo.ba(naam) == ba


def test_review_without_requires_review_is_409_CAPO_BA_9(capo):
    """CAPO-BA-9: uploaded -> review is only for requiresReview ones."""
    ba = capo.ba("Revisietekening")
    capo.upload(ba)
    capo.set_ba(ba, "review", 409)
    assert capo.ba("Revisietekening")["status"] == "uploaded"


def test_files_list_parent_ids_and_download_urls_CAPO_BA_10(capo):
    """CAPO-BA-10: GET /bijlage lists uploaded files with parentId = bijlageAssignedId and a download URL."""
    bas = {b["bijlageAssignedId"]: b for b in capo.ok("GET", f"/project/{BA_PROJECT}/bijlageassigned")}
    files = capo.as_(NB).ok("GET", f"/project/{BA_PROJECT}/bijlage")
    assert {bas[f["parentId"]]["naam"] for f in files} == {"Foto's oplevering", "Schouwrapport"}
    for f in files:
        r = requests.get(f["downloadUrl"], timeout=10)
        assert r.status_code == 200 and r.content.startswith(b"%PDF") and len(r.content) == f["grootte"]
    assert requests.get(files[0]["downloadUrl"].split("?")[0], timeout=10).status_code == 403


def test_new_files_are_not_listed_until_uploaded_CAPO_BA_10(capo):
    """CAPO-BA-10: the list holds uploaded files only."""
    ba = capo.ba("Revisietekening")
    before = capo.ok("GET", f"/project/{BA_PROJECT}/bijlage")
    capo.ok("POST", f"/project/{BA_PROJECT}/bijlageassigned/{ba['bijlageAssignedId']}/bijlage", 201, json={"bestandsnaam": "a"})
    assert capo.ok("GET", f"/project/{BA_PROJECT}/bijlage") == before


def test_bijlage_acts_and_log_entries_carry_the_x_email_CAPO_EM_1_CAPO_EM_2(capo):
    """CAPO-EM-1/2: x-email on POST/PATCH lands in BijlageAct.email and BijlageLogEntry.email (newest last)."""
    ba = capo.ba("Revisietekening")
    f = capo.upload(ba, email="piet@aannemer-demo.nl")
    assert f["email"] == "piet@aannemer-demo.nl"
    r = capo.call("PATCH", f"/project/{BA_PROJECT}/bijlageassigned/{ba['bijlageAssignedId']}",
                  json={"status": "done"}, email="kees@aannemer-demo.nl")
    assert r.status_code == 200 and r.json()["acts"][-1]["email"] == "kees@aannemer-demo.nl"
    log = capo.ok("GET", f"/project/{BA_PROJECT}/log")
    last = log[-1]
    assert last["type"] == "BijlageLogEntry" and last["email"] == last["act"]["email"] == "kees@aannemer-demo.nl"
    assert [e["email"] for e in log[-3:]] == ["piet@aannemer-demo.nl", "piet@aannemer-demo.nl", "kees@aannemer-demo.nl"]
    assert [e["datum"] for e in log] == sorted(e["datum"] for e in log)


def test_uploaded_and_delivered_change_the_projects_changed_stamp_CAPO_HL_3(capo, fieldsim):
    """CAPO-HL-3: a change through the API stamps the project's changed with the simulated now."""
    fieldsim.set_clock("2026-02-02T10:00:00+01:00")
    capo.upload(capo.ba("Revisietekening"))
    p = capo.ok("GET", f"/project/{BA_PROJECT}")
    assert p["changed"] == "2026-02-02T10:00:00+01:00" and p["planningChanged"] is None
