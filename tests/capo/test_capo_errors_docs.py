"""Error format and the OpenAPI document (CAPO-ERR-1, CAPO-DOC-1)."""
from __future__ import annotations

import json

import pytest
import requests
from hypothesis import HealthCheck, given, settings, strategies as st
from openapi_spec_validator import validate

from .capo import A1, BA_PROJECT, NB, QS_OPEN, Capo


@pytest.fixture
def capo(fieldsim):
    return Capo(fieldsim, NB)


def test_unknown_ids_are_404_CAPO_ERR_1(capo):
    """CAPO-ERR-1: unknown ids -> 404 {"message"}."""
    capo.err("GET", "/project/999", 404)
    capo.err("GET", "/project/999/bijlageassigned", 404)
    capo.err("PATCH", f"/project/{BA_PROJECT}/bijlageassigned/62c7d159eb277e1b79161430", 404, json={"status": "done"})
    capo.as_(A1).err("PATCH", f"/project/{BA_PROJECT}/bijlage/62c7d159eb277e1b79161430", 404, json={"status": "uploaded"})
    capo.err("GET", "/no/such/path", 404)
    assert requests.put(capo.url + "/upload/62c7d159eb277e1b79161430", data=b"x", timeout=10).status_code == 403


@pytest.mark.parametrize("method, path, body, name", [
    ("PATCH", "/project/3000104", {"startUitvoeringWeek": 202614}, "startUitvoeringWeek"),
    ("PATCH", "/project/3000104", {"omschrijving": ["x"]}, "omschrijving"),
    ("POST", f"/project/{QS_OPEN}/mic", {"meeInCombi": 1}, "meeInCombi"),
    ("POST", f"/project/{QS_OPEN}/activiteit", {"type": 5}, "type"),
    ("POST", f"/project/{QS_OPEN}/activiteit", {"type": "Schouw", "omschrijving": 5}, "omschrijving"),
    ("POST", f"/project/{QS_OPEN}/hoofdleiding-aanleggen", {"opmerking": True}, "opmerking"),
    ("GET", "/project/abc", None, "projectId"),
    ("GET", "/project?contractgebiedId=x", None, "contractgebiedId"),
])
def test_wrong_types_are_400_naming_the_field_CAPO_ERR_1(capo, method, path, body, name):
    """CAPO-ERR-1: wrong types -> 400 naming the field; nothing changes."""
    before = capo.ok("GET", f"/project/{QS_OPEN}")
    assert name in capo.err(method, path, 400, json=body)
    assert capo.ok("GET", f"/project/{QS_OPEN}") == before


def test_bodies_that_are_not_json_objects_are_400_CAPO_ERR_1(capo):
    """CAPO-ERR-1: malformed JSON or a non-object body -> 400."""
    capo.err("POST", f"/project/{QS_OPEN}/mic", 400, data="{nope", headers={"Content-Type": "application/json"})
    capo.err("POST", f"/project/{QS_OPEN}/mic", 400, json=[1, 2])


def test_unknown_fields_are_ignored_CAPO_ERR_1(capo):
    """CAPO-ERR-1: unknown JSON fields in bodies are ignored."""
    m = capo.ok("POST", f"/project/{QS_OPEN}/mic", 201, json={"meeInCombi": False, "extra": {"x": 1}})
    assert "extra" not in m


def test_method_not_allowed_is_json_CAPO_ERR_1(capo):
    """CAPO-ERR-1: also 405 is in the JSON error format."""
    capo.err("DELETE", "/project/3000104", 405)


def test_injected_http_fault_uses_capo_format_CAPO_ERR_1(capo, fieldsim):
    """CAPO-ERR-1: faults answer in CAPO's format."""
    fieldsim.admin("POST", "faults", json={"api": "capo", "kind": "http_status", "status": 503, "times": 1})
    assert "503" in capo.err("GET", "/project", 503)


def test_openapi_document_is_valid_and_lists_every_route_CAPO_DOC_1(capo, fieldsim):
    """CAPO-DOC-1: valid OpenAPI 3 at /api/capo/documentation.json covering every served route."""
    doc = requests.get(capo.url + "/documentation.json", timeout=10).json()
    validate(doc)
    served = set()
    for rule in fieldsim.app.url_map.iter_rules():
        if rule.rule.startswith("/api/capo/") and "documentation" not in rule.rule:
            path = rule.rule[len("/api/capo"):].replace("<baId>", "{bijlageAssignedId}")
            path = path.replace("<", "{").replace(">", "}")
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                served.add((path, method.lower()))
    documented = {(p, m) for p, ops in doc["paths"].items() for m in ops}
    assert served == documented


def test_documentation_page_lists_operations_CAPO_DOC_1(capo):
    """CAPO-DOC-1: /api/capo/documentation/ is an HTML page naming the operations and linking the JSON."""
    r = requests.get(capo.url + "/documentation/", timeout=10)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html")
    assert "documentation.json" in r.text and "/project/{projectId}/bijlageassigned/{bijlageAssignedId}" in r.text
    # without the slash: redirected to it, so the page's relative links resolve
    bare = requests.get(capo.url + "/documentation", timeout=10)
    assert bare.history and bare.history[0].status_code == 308 and bare.url == capo.url + "/documentation/"
    assert bare.text == r.text


JSONISH = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8),
                       lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=6), c, max_size=3), max_leaves=6)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(target=st.sampled_from([
    ("PATCH", "/project/3000104"), ("POST", "/project/3000104/mic"), ("POST", "/project/3000104/activiteit"),
    ("POST", "/project/3000104/hoofdleiding-aanleggen"), ("PATCH", "/project/3000106/bijlageassigned/{ba}"),
    ("POST", "/project/3000106/bijlageassigned/{ba}/bijlage"), ("PATCH", "/project/3000106/bijlage/{f}")]),
    body=st.one_of(JSONISH, st.fixed_dictionaries({}, optional={
        "status": JSONISH | st.sampled_from(["assigned", "uploaded", "review", "done"]), "reden": JSONISH,
        "meeInCombi": JSONISH, "type": JSONISH, "startUitvoeringWeek": JSONISH, "bestandsnaam": JSONISH})),
    token=st.sampled_from([NB, A1]))
def test_random_bodies_never_cause_server_errors_CAPO_ERR_1(fieldsim, target, body, token):
    """CAPO-ERR-1: any JSON body gets a 2xx or a 4xx {"message"} answer, never a 5xx."""
    capo = Capo(fieldsim, token, unlimited=True)
    ba = capo.ba("Foto's oplevering")
    f = capo.ok("GET", "/project/3000106/bijlage")[0]
    method, path = target
    r = capo.call(method, path.format(ba=ba["bijlageAssignedId"], f=f["bijlageId"]), data=json.dumps(body),
                  headers={"Content-Type": "application/json"})
    assert r.status_code < 500, r.text
    if r.status_code >= 400:
        assert set(r.json()) == {"message"}
