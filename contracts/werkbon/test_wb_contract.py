"""Contract suite driven by the vendor's own document (plus overlay.py): every operation of the
51 paths, generated requests, no crash, the envelope always, and the documented response schema
whenever the code is 200 (WB-DOC-1, WB-ERR-1, WB-ENT-1). Runs against any base URL."""
from __future__ import annotations

import os

import jsonschema
import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig
from hypothesis import HealthCheck, settings

from . import overlay

AUTH = {"token": os.environ.get("WERKBON_TOKEN", "werkbon-demo-token"),
        "software_token": os.environ.get("WERKBON_SOFTWARE_TOKEN", "werkbon-demo-software")}
SPEC = overlay.load()
# The default run skips schemathesis' coverage phase (hundreds of boundary cases per operation);
# the fuzz run keeps it.
schema = schemathesis.openapi.from_dict(
    SPEC, config=SchemathesisConfig.from_dict({"phases": {"coverage": {"enabled": False}}}))
fuzz_schema = schemathesis.openapi.from_dict(SPEC)
ERROR = overlay.envelope({"nullable": True, "enum": [None]})
EXAMPLES = int(os.environ.get("WERKBON_CONTRACT_EXAMPLES", "5"))


def _response_schema(case) -> dict | None:
    op = SPEC["paths"][case.operation.path][case.method.lower()]
    content = op["responses"].get("200", {}).get("content") or {}
    return (content.get("application/json") or {}).get("schema")


def as_json_schema(node):
    """OpenAPI 3.0's `nullable: true` as JSON Schema says it (jsonschema ignores the keyword)."""
    if isinstance(node, list):
        return [as_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: as_json_schema(v) for k, v in node.items()}
    if out.pop("nullable", False) and isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
    return out


def check(case, response) -> None:
    assert response.status_code == 200, (response.status_code, response.request.url, response.text[:300])
    if response.request.method == "HEAD":
        return
    assert response.text, (response.request.method, response.request.url, response.request.body)
    body = response.json()
    assert set(body) == {"code", "messages", "response"}, body
    # 1007 is the document's "uncaught error": allowed for refused filters and parameters the
    # document gives no code for, never for a crash inside the simulator.
    assert not (body["code"] == 1007 and "Internal error" in " ".join(body["messages"])), body
    if body["code"] != 200:
        jsonschema.validate(body, ERROR)
        return
    documented = _response_schema(case)
    if documented:
        resolver_doc = as_json_schema({**documented, "components": SPEC.get("components", {})})
        jsonschema.validate(body, resolver_doc)


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_wb_doc_1_every_operation_answers_the_documented_envelope(case, base_url):
    """WB-DOC-1 / WB-ERR-1: generated requests for every operation get the envelope; code 200
    bodies match the document's response schema."""
    case.query = {**(case.query or {}), **AUTH}
    response = case.call(base_url=base_url + "/openapi/8")
    check(case, response)


@pytest.mark.fuzz
@fuzz_schema.parametrize()
@settings(max_examples=int(os.environ.get("FIELDSIM_FUZZ_EXAMPLES", "100")), deadline=None,
          suppress_health_check=list(HealthCheck))
def test_wb_doc_1_fuzz(case, base_url):
    case.query = {**(case.query or {}), **AUTH}
    check(case, case.call(base_url=base_url + "/openapi/8"))
