"""The reference client against the simulator: every call, the upload flow, and its limiter
(stays under CAPO-RL-1..3, so zero 429s) plus Retry-After handling (CAPO-RL-5)."""
from __future__ import annotations

import threading
import time

import pytest

from clients.capo import CapoClient, CapoError, Limiter

from .capo import A1, A2, NB


@pytest.fixture
def client(fieldsim):
    fieldsim.set_clock("2026-01-05T09:00:00+01:00")
    return lambda token=A1, **kw: CapoClient(fieldsim.url("capo"), token, **kw)


def test_upload_flow_in_one_call_CAPO_BA_2_CAPO_BA_3_CAPO_BA_5(client):
    """CAPO-BA-2/3/5 through the client: create, PUT, mark uploaded, deliver; bytes come back."""
    c = client()
    ba = next(b for b in c.my_bijlage_assigned("assigned") if b["naam"] == "Revisietekening")
    c.upload_file(ba["projectId"], ba["bijlageAssignedId"], "r.pdf", b"PDFDATA", content_type="application/pdf",
                  deliver=True, email="piet@aannemer-demo.nl")
    assert next(b for b in c.bijlage_assigned(ba["projectId"]) if b["naam"] == "Revisietekening")["status"] == "done"
    f = [x for x in c.bijlagen(ba["projectId"]) if x["parentId"] == ba["bijlageAssignedId"]][0]
    assert c.download(f) == b"PDFDATA"


def test_review_through_client_CAPO_BA_7_CAPO_BA_8(client):
    """CAPO-BA-7/8: deliver -> review; the netbeheerder rejects with reden, then approves."""
    a1, nb = client(), client(NB)
    ba = next(b for b in a1.my_bijlage_assigned() if b["naam"] == "Inmeetgegevens")
    a1.upload_file(ba["projectId"], ba["bijlageAssignedId"], "m.csv", b"x;y", deliver=True)
    with pytest.raises(CapoError) as exc:
        nb.set_bijlage_assigned_status(ba["projectId"], ba["bijlageAssignedId"], "uploaded")
    assert exc.value.status == 400 and "reden" in exc.value.message
    assert nb.set_bijlage_assigned_status(ba["projectId"], ba["bijlageAssignedId"], "uploaded", reden="onvolledig")["status"] == "uploaded"
    a1.set_bijlage_assigned_status(ba["projectId"], ba["bijlageAssignedId"], "done")
    assert nb.set_bijlage_assigned_status(ba["projectId"], ba["bijlageAssignedId"], "done")["status"] == "done"


def test_every_read_and_quickscan_CAPO_QS_3_CAPO_HL_1(client):
    """Every endpoint once via the client; quickscan order helper; errors carry the server's message."""
    nb = client(NB)
    assert nb.projects(project_type="Hoofdleiding") == nb.hoofdleiding()
    assert nb.hoofdleiding(changed_from="2025-12-25")
    assert nb.contractgebieden() and nb.project(3000101)["wensdatum"] == "2026-03-09"
    assert nb.patch_project(3000201, start_uitvoering_week="2026-W20")["planningChanged"]
    assert nb.patch_project(3000201, omschrijving="Tracé")["omschrijving"] == "Tracé"
    assert nb.patch_project(3000201, start_uitvoering_week="2026-W21")["omschrijving"] == "Tracé"  # left out: kept
    assert nb.patch_project(3000201, omschrijving=None)["omschrijving"] is None  # null clears (CAPO-HL-3)
    nb.quickscan(3000104, hoofdleiding=True, extra_werkvoorbereiding=True, email="a@b.nl")
    assert nb.mics(3000104)[0]["email"] == "a@b.nl" and nb.activiteiten(3000104) and nb.log(3000104)
    with pytest.raises(CapoError) as exc:
        nb.hoofdleiding_aanleggen(3000104)
    assert exc.value.status == 409 and "Quickscan" in exc.value.message
    with pytest.raises(CapoError) as exc:
        client(A2).project(3000101)
    assert exc.value.status == 404


def test_client_limiter_never_sees_429_with_several_threads_CAPO_RL_1_CAPO_RL_2_CAPO_RL_3(client, fieldsim):
    """CAPO-RL-1..3: 60 requests from 6 threads of one well-behaved client (slow requests as well):
    zero 429s, and never more than 3 in flight."""
    fieldsim.admin("POST", "capo/latency", json={"delay_ms": 20})
    c = client(NB, max_retries=0)
    errors = []

    def work():
        for _ in range(10):
            try:
                c.contractgebieden()
            except CapoError as exc:  # a 429 would land here (no retries allowed)
                errors.append(exc.status)

    threads = [threading.Thread(target=work) for _ in range(6)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and c.retried_429 == 0
    assert time.monotonic() - started >= (60 - 28) / 18 - 0.2  # the limiter really paced them


def test_client_retries_after_429_honouring_retry_after_CAPO_RL_5(client, fieldsim):
    """CAPO-RL-5: an injected 429 (Retry-After: 1) is retried after about a second."""
    fieldsim.admin("POST", "faults", json={"api": "capo", "kind": "rate_limit", "times": 1})
    c = client(NB)
    started = time.monotonic()
    assert c.contractgebieden()
    assert c.retried_429 == 1 and time.monotonic() - started >= 0.9


def test_limiter_paces_to_rate_after_burst():
    """The client-side bucket: burst then rate (fake clock)."""
    now = [0.0]
    lim = Limiter(rate=20, burst=30, inflight=3, clock=lambda: now[0])
    assert [lim._take() for _ in range(30)] == [0.0] * 30
    assert lim._take() == pytest.approx(0.05)
    now[0] += 1.0
    assert sum(lim._take() == 0.0 for _ in range(25)) == 20
