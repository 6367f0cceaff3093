"""Every CAPO response conforms to the OpenAPI document (CAPO-DOC-1, CAPO-ERR-1), checked with
schemathesis over every operation, authenticated, paced under the rate limit."""
from __future__ import annotations

import os

import requests
import schemathesis
from hypothesis import HealthCheck, settings
from openapi_spec_validator import validate

from simulators.capo.openapi import document

from .conftest import A1, BASE, NB, PACE, call

schema = schemathesis.openapi.from_dict(document())
EXAMPLES = int(os.environ.get("FIELDSIM_FUZZ_EXAMPLES", "0")) or 6
WRITES = {"PATCH", "POST", "PUT"}


@schema.auth()
class Bearer:
    """The netbeheerder's token (sees every demo project); schemathesis also tries calls without it."""

    def get(self, case, ctx):
        return NB

    def set(self, case, data, ctx):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_generated_calls_conform_CAPO_DOC_1_CAPO_ERR_1(case, base_url, is_fieldsim, sim):
    """CAPO-DOC-1 / CAPO-ERR-1: generated (valid and invalid) calls of every operation: no server
    error, documented status codes and content types, bodies match the schemas."""
    if case.method.upper() in WRITES and not is_fieldsim:
        return
    with PACE:
        case.call_and_validate(base_url=base_url + BASE)


def test_document_is_valid_openapi_and_served_CAPO_DOC_1(api_url, is_fieldsim):
    """CAPO-DOC-1: the document validates as OpenAPI 3.0; fieldsim serves it at /documentation.json."""
    validate(document())
    if is_fieldsim:
        assert requests.get(api_url + "/documentation.json", timeout=30).json()["paths"].keys() == document()["paths"].keys()


def _validate(method: str, path: str, response) -> None:
    op = schema[path][method]
    op.validate_response(response)


def test_success_answers_of_every_operation_conform_CAPO_DOC_1(api_url, base_url, is_fieldsim, sim):
    """CAPO-DOC-1: a successful answer of each operation matches its schema (writes on fieldsim only)."""
    projects = call("GET", api_url + "/project").json()
    assert projects, "the netbeheerder token needs at least one project"
    pid = projects[0]["projectId"]
    reads = ["/project", f"/project/{pid}", "/hoofdleiding", "/contractgebied", f"/project/{pid}/bijlageassigned",
             f"/project/{pid}/bijlage", f"/project/{pid}/activiteit", f"/project/{pid}/mic", f"/project/{pid}/log"]
    templ = ["/project", "/project/{projectId}", "/hoofdleiding", "/contractgebied", "/project/{projectId}/bijlageassigned",
             "/project/{projectId}/bijlage", "/project/{projectId}/activiteit", "/project/{projectId}/mic",
             "/project/{projectId}/log"]
    for path, t in zip(reads, templ):
        r = call("GET", api_url + path)
        assert r.status_code == 200, (path, r.text)
        _validate("GET", t, r)
    r = call("GET", api_url + "/bijlageassigned", A1)
    _validate("GET", "/bijlageassigned", r)
    if not is_fieldsim:
        return
    ba = next(b for b in r.json() if b["naam"] == "Revisietekening" and b["status"] == "assigned")
    p, b = ba["projectId"], ba["bijlageAssignedId"]
    created = call("POST", f"{api_url}/project/{p}/bijlageassigned/{b}/bijlage", A1, json={"bestandsnaam": "x.pdf"})
    _validate("POST", "/project/{projectId}/bijlageassigned/{bijlageAssignedId}/bijlage", created)
    up = requests.put(created.json()["url"], data=b"bytes", timeout=30)
    _validate("PUT", "/upload/{bijlageId}", up)
    marked = call("PATCH", f"{api_url}/project/{p}/bijlage/{created.json()['bijlageId']}", A1, json={"status": "uploaded"})
    _validate("PATCH", "/project/{projectId}/bijlage/{bijlageId}", marked)
    done = call("PATCH", f"{api_url}/project/{p}/bijlageassigned/{b}", A1, json={"status": "done"})
    _validate("PATCH", "/project/{projectId}/bijlageassigned/{bijlageAssignedId}", done)
    q = 3000104
    for method, path, t, body in (
            ("PATCH", f"/project/{q}", "/project/{projectId}", {"startUitvoeringWeek": "2026-W09"}),
            ("POST", f"/project/{q}/hoofdleiding-aanleggen", "/project/{projectId}/hoofdleiding-aanleggen", {}),
            ("POST", f"/project/{q}/activiteit", "/project/{projectId}/activiteit", {"type": "Extra werkvoorbereiding"}),
            ("POST", f"/project/{q}/mic", "/project/{projectId}/mic", {"meeInCombi": True})):
        r = call(method, api_url + path, json=body, headers={"x-email": "contract@example.nl"})
        assert r.status_code in (200, 201), r.text
        _validate(method, t, r)
    _validate("GET", "/project/{projectId}/log", call("GET", f"{api_url}/project/{q}/log"))
