"""The reference client (clients/cloudplan.py) against the embedded server."""
from __future__ import annotations

from datetime import date

import pytest

from clients.cloudplan import CloudplanClient, LoginFailed, MatcherErrors, SoapFault


@pytest.fixture
def client(fieldsim):
    return CloudplanClient(fieldsim.url("cloudplan"), "demo", "demo")


def test_get_push_delete_round_trip(client):
    """CP-R-1, CP-R-3, CP-R-4 through the client."""
    [[p1]] = client.get("project", {"number": "PROJ-01"})
    assert p1["description"] == "Example-Project1" and p1["department"] == 0
    [res] = client.push("department", [({"number": "AFD-C"}, {"number": "AFD-C", "name": "Client"})])
    assert len(res["inserted"]) == 1
    [[dep]] = client.get("department", {"number": "AFD-C"})
    assert dep["name"] == "Client" and dep["id"] == res["inserted"][0]
    assert client.delete("department", {"number": "AFD-C"})[0]["deleted"] == [dep["id"]]


def test_date_matcher_from_python_values(client):
    """CP-M-5 via the client's (operator, date) tuples."""
    [items] = client.get("planning", {"@allowMultiple": True, "customerMatcher": {"number": "KLANT-01"},
                                      "start": ("BEFORE_OR_EQUAL_DATE", date(2019, 9, 30)),
                                      "end": ("AFTER_OR_EQUAL_DATE", date(2019, 9, 1))})
    assert [i["number"] for i in items] == ["PL-2019-02", "PL-2019-03", "PL-2019-04", "PL-2019-06"]


def test_errors_are_raised_never_ignored(client):
    """CP-V-3: <Errors> become MatcherErrors carrying every result."""
    with pytest.raises(MatcherErrors) as err:
        client.push("resource", [({"number": "X1", "@validationPolicy": "FAIL"}, {"number": "X1"})])
    assert err.value.results[0]["errors"] == [(0, "Name is empty!")]
    with pytest.raises(MatcherErrors):
        client.get("customer", {})


def test_relogin_after_expiry(client, fieldsim):
    """CP-AUTH-4: the client logs in again once when the session ended."""
    client.get("project", {"number": "PROJ-01"})
    first = client.token
    fieldsim.admin("POST", "faults", json={"api": "cloudplan", "kind": "expire_tokens", "times": 1})
    [[p]] = client.get("project", {"number": "PROJ-01"})
    assert p["number"] == "PROJ-01" and client.token != first


def test_login_failure_and_fault_surface_as_exceptions(fieldsim):
    """CP-AUTH-2, CP-F-2."""
    with pytest.raises(LoginFailed):
        CloudplanClient(fieldsim.url("cloudplan"), "demo", "wrong").login()
    c = CloudplanClient(fieldsim.url("cloudplan"))
    c.login()
    fieldsim.admin("POST", "faults", json={"api": "cloudplan", "kind": "soap_fault", "times": 1})
    with pytest.raises(SoapFault) as err:
        c.get("project", {"number": "PROJ-01"})
    assert err.value.status == 500 and err.value.code == "soap:Server"
