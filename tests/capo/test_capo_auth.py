"""Access and tenant isolation (CAPO-AUTH-1, CAPO-AUTH-2, CAPO-AUTH-3)."""
from __future__ import annotations

import pytest
import requests

from .capo import A1, A2, A2_PROJECT, BA_PROJECT, NB, Capo


@pytest.fixture
def capo(fieldsim):
    return Capo(fieldsim)


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer nope"}, {"Authorization": "capo-netbeheerder-demo"},
                                     {"Authorization": "Basic capo-netbeheerder-demo"}, {"Authorization": "Bearer "}])
@pytest.mark.parametrize("path", ["/project", "/project/3000101", "/hoofdleiding", "/bijlageassigned", "/contractgebied",
                                  "/project/3000106/log"])
def test_every_call_needs_a_known_bearer_token_CAPO_AUTH_1(fieldsim, headers, path):
    """CAPO-AUTH-1: missing, unknown or malformed token -> 401 {"message": ...}."""
    r = requests.get(fieldsim.url("capo") + path, headers=headers, timeout=10)
    assert r.status_code == 401
    assert set(r.json()) == {"message"}


def test_401_changes_nothing_CAPO_AUTH_1(capo):
    """CAPO-AUTH-1: a refused write is not applied."""
    before = capo.ok("GET", "/project/3000104")
    r = requests.patch(capo.url + "/project/3000104", json={"startUitvoeringWeek": "2026-W20"},
                       headers={"Authorization": "Bearer wrong"}, timeout=10)
    assert r.status_code == 401
    assert capo.ok("GET", "/project/3000104") == before


def test_each_token_sees_only_its_own_projects_CAPO_AUTH_2(capo):
    """CAPO-AUTH-2: Aannemer Twee sees only Combi Zwolle; the others do not see its project."""
    ids = {t: {p["projectId"] for p in capo.as_(t).ok("GET", "/project")} for t in (NB, A1, A2)}
    assert A2_PROJECT in ids[NB] and A2_PROJECT in ids[A2] and A2_PROJECT not in ids[A1]
    assert ids[A2] and not ids[A2] & ids[A1]
    names = {NB: "Netbeheer Demo", A1: "Aannemer Demo", A2: "Aannemer Twee"}
    for t in ids:
        for p in capo.as_(t).ok("GET", "/project"):
            assert names[t] in {d["naam"] for d in p["deelnemers"]}
    gebieden = {g["naam"] for g in capo.as_(A2).ok("GET", "/contractgebied")}
    assert gebieden == {"Combi Zwolle"}


@pytest.mark.parametrize("path", ["/project/{p}", "/project/{p}/bijlageassigned", "/project/{p}/bijlage",
                                  "/project/{p}/activiteit", "/project/{p}/mic", "/project/{p}/log"])
def test_other_tenants_project_looks_exactly_like_unknown_one_CAPO_AUTH_2(capo, path):
    """CAPO-AUTH-2: another organisation's project answers exactly as a non-existent id (404)."""
    other = capo.as_(A2).call("GET", path.format(p=BA_PROJECT))
    unknown = capo.as_(A2).call("GET", path.format(p=BA_PROJECT + 999000))
    assert other.status_code == unknown.status_code == 404
    assert other.json()["message"].replace(str(BA_PROJECT), "X") == unknown.json()["message"].replace(str(BA_PROJECT + 999000), "X")


def test_other_tenant_cannot_write_to_foreign_project_CAPO_AUTH_2(capo):
    """CAPO-AUTH-2: writes to another organisation's project are 404 and change nothing."""
    ba = capo.as_(A1).ba("Revisietekening")
    a2 = capo.as_(A2)
    a2.err("PATCH", f"/project/{BA_PROJECT}", 404, json={"startUitvoeringWeek": "2026-W30"})
    a2.err("POST", f"/project/{BA_PROJECT}/bijlageassigned/{ba['bijlageAssignedId']}/bijlage", 404, json={"bestandsnaam": "x"})
    a2.err("PATCH", f"/project/{BA_PROJECT}/bijlageassigned/{ba['bijlageAssignedId']}", 404, json={"status": "done"})
    assert capo.ok("GET", f"/project/{BA_PROJECT}")["startUitvoeringWeek"] == "2026-W08"
    assert capo.as_(A1).ba("Revisietekening") == ba
    assert all(b["assignedTo"]["naam"] == "Aannemer Twee" for b in a2.ok("GET", "/bijlageassigned"))


def test_only_the_assignee_uploads_or_delivers_CAPO_AUTH_3(capo):
    """CAPO-AUTH-3: another participant (the netbeheerder) may not upload under or deliver an
    aannemer's bijlageAssigned -> 403; the assignee can."""
    ba = capo.as_(A1).ba("Revisietekening")
    path = f"/project/{BA_PROJECT}/bijlageassigned/{ba['bijlageAssignedId']}"
    msg = capo.err("POST", path + "/bijlage", 403, json={"bestandsnaam": "x.pdf"})
    assert "Aannemer Demo" in msg
    a1 = capo.as_(A1)
    a1.upload(ba)
    capo.err("PATCH", path, 403, json={"status": "done"})
    assert a1.ba("Revisietekening")["status"] == "uploaded"
    assert a1.set_ba(ba, "done")["status"] == "done"
    nb_ba = capo.ba("Tracétekening netbeheerder")
    a1.err("POST", f"/project/{BA_PROJECT}/bijlageassigned/{nb_ba['bijlageAssignedId']}/bijlage", 403, json={"bestandsnaam": "y"})
