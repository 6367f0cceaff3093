"""The reference client against the simulator: typed calls and the recommended workflow."""
from __future__ import annotations

import pytest

from clients.werkbon import WerkbonClient, WerkbonError

from .wbhelp import DEMO, order


@pytest.fixture
def client(fieldsim):
    return WerkbonClient(fieldsim.base_url, DEMO["token"], DEMO["software_token"])


def test_wb_wo_3_process_completed_marks_handled_only_after_success(client):
    """WB-WO-3 workflow: fetch Compleet with update_status=false, process, then mark handled;
    an order whose processing failed stays Compleet and comes back next time."""
    compleet = [o.workorder_no for o in client.workorders("Compleet")]
    assert len(compleet) >= 2
    bad = compleet[0]

    def handle(o):
        if o.workorder_no == bad:
            raise RuntimeError("ERP down")
    report = client.process_completed(handle)
    assert report.handled == compleet[1:] and list(report.failed) == [bad]
    assert [o.workorder_no for o in client.workorders("Compleet")] == [bad]
    assert client.workorder(workorder_no=compleet[1]).status == "Afgehandeld"
    again = client.process_completed(lambda o: None)
    assert again.handled == [bad] and client.workorders("Compleet") == []


def test_wb_err_1_client_raises_with_code_and_messages(client, fieldsim):
    """WB-ERR-1: a non-200 code raises WerkbonError with the server's code and messages."""
    with pytest.raises(WerkbonError) as err:
        client.sync_employees([{"lastname": "K", "number": "1"}])
    assert err.value.code == 1101 and err.value.messages == ["Required field missing: firstname"]
    bad = WerkbonClient(fieldsim.base_url, "nope", DEMO["software_token"])
    with pytest.raises(WerkbonError) as err:
        bad.workorders()
    assert err.value.code == 1004 and err.value.is_auth


def test_wb_ent_2_client_sync_filters_and_post(client):
    """WB-ENT-2 / WB-WO-6 through the client."""
    assert client.sync_employees([{"firstname": "A", "lastname": "B", "number": "E9"}]) == 1
    assert [e["number"] for e in client.list("employees", ("number", "eq", "E9"))] == ["E9"]
    out = client.post_workorders([order("CL1")])
    client.update_workorder(row_id=out[0]["row_id"], workdate="01-02-2026")
    assert client.workorder(workorder_no="CL1").work_date == "01-02-2026"
