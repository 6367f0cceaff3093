"""Hostile input found by the seventh session's sweep, each once a 500 or a half-stored request: bad
input gets a clear error in the provider's own format, the right status, and changes nothing
(README Admin API: a 400 whose `message` names the problem; WB-ERR-1 for WerkbonApp)."""
from __future__ import annotations

import copy
import socket

import pytest
import requests

WB = {"token": "werkbon-demo-token", "software_token": "werkbon-demo-software"}
JSON = {"Content-Type": "application/json"}


@pytest.mark.parametrize("change, named", [
    ({"wachttijd": 99999999}, "OverflowError"),  # CAPO-AGD-4's date arithmetic overflowed every GET
    ({"aansluitObjecten": ["x"]}, "3000101"),
    ({"aansluitObjecten": [{"aansluitObjectId": 1, "produkten": 0}]}, "3000101"),
    ({"aansluitObjecten": [{"aansluitObjectId": 1, "produkten": [{"produktId": 1, "agd": "Infinity"}]}],
      "agdRelevant": True}, "3000101"),
])
def test_capo_state_import_it_cannot_serve_is_a_400_and_replaces_nothing_CAPO_AGD_4(rel, change, named):
    before = rel.admin("GET", "state/capo").json()
    doc = copy.deepcopy(before)
    doc["collections"]["project"]["3000101"].update(change)
    r = rel.admin("PUT", "state/capo", json=doc)
    assert r.status_code == 400 and named in r.json()["message"], r.text
    assert rel.admin("GET", "state/capo").json() == before
    r = requests.get(rel.url("capo") + "/project", headers={"Authorization": "Bearer capo-netbeheerder-demo"}, timeout=30)
    assert r.status_code == 200


@pytest.mark.parametrize("scenario, named", [
    ({"capo": {"contractgebieden": [{"contractgebiedId": 30, "naam": "X", "wachttijd": 99999999,
                                     "deelnemers": [1]}]}}, "wachttijd"),
    ({"cloudplan": {"departments": [{"number": "D-1", "name": None}]}}, "name"),
    ({"cloudplan": {"customers": [{"number": "K-1", "name": "K", "description": None}]}}, "description"),
])
def test_a_scenario_value_of_the_wrong_kind_is_a_400_naming_it(rel, scenario, named):
    r = rel.admin("POST", "scenario", json=scenario)
    assert r.status_code == 400 and named in r.json()["message"], r.text


def test_a_lone_surrogate_is_no_text_anywhere_json_is_taken(rel):
    """JSON "\\ud800" is no Unicode text: the YAML fallback of the admin API took it and the APIs then
    failed to serialise it (500); WerkbonApp stored the records before it and answered 1007."""
    raw = '{"capo": {"contractgebieden": [{"contractgebiedId": 31, "naam": "\\ud800", "deelnemers": [1]}]}}'
    r = rel.admin("POST", "scenario", data=raw, headers=JSON)
    assert r.status_code == 400 and "message" in r.json()
    r = rel.admin("POST", "werkbon/device", data='{"pickup_after": "\\ud800"}', headers=JSON)
    assert r.status_code == 400 and "message" in r.json()
    url = rel.base_url + "/openapi/8/employees/"
    before = requests.get(url, params=WB, timeout=30).json()["response"]
    body = '[{"firstname":"A","lastname":"B","number":"E1"},{"firstname":"\\ud800","lastname":"B","number":"E2"}]'
    r = requests.post(url, params=WB, data=body, timeout=30)
    assert r.status_code == 200 and r.json()["code"] == 1009  # WB-ERR-1: unparsable body, nothing stored
    assert requests.get(url, params=WB, timeout=30).json()["response"] == before


@pytest.mark.parametrize("body", ['{"enabled": 1000000000000000000000000000000}', '{"enabled": "yes"}', "[" * 5000])
def test_werkbon_device_refuses_what_is_no_setting(rel, body):
    before = rel.admin("GET", "werkbon/device").json()
    r = rel.admin("POST", "werkbon/device", data=body, headers=JSON)
    assert r.status_code == 400 and "message" in r.json(), r.text
    assert rel.admin("GET", "werkbon/device").json() == before


def _chunked(port: int, path: str) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
                  "Authorization: Bearer capo-netbeheerder-demo\r\nConnection: close\r\n\r\nzz\r\n".encode())
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    return data


@pytest.mark.parametrize("path, fmt", [("/api/capo/project/3000101/mic", b'{"message"'),
                                       ("/plain/serviceguide_log", b"<status>error</status>"),
                                       ("/api/public/v1/Time/getTimeTransactions", b'"success":false'),
                                       (f"/openapi/8/employees/?token={WB['token']}&software_token={WB['software_token']}",
                                        b'"code":1007'),
                                       ("/__admin/clock", b'{"message"')])
def test_a_malformed_chunked_body_is_the_clients_error_in_the_apis_format(rel, path, fmt):
    """A chunk size that is no number: the server cannot hand the body over; a 400 (WerkbonApp:
    HTTP 200 with its code, WB-ERR-1) in the API's own format, never a 500."""
    answer = _chunked(rel.port, path)
    status = answer.split(b"\r\n", 1)[0]
    assert status.split()[1] in (b"400", b"200") and fmt in answer, answer[-300:]
