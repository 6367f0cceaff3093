"""A small overlay on the vendor's document, applied in code to a copy (the file itself is never edited).

The document is a generated OpenAPI conversion of OutSmart's API Blueprint. Each entry says why it
is needed; everything not listed is tested as the document has it.
"""
from __future__ import annotations

import copy
import json
import os
from pathlib import Path

# The vendor's document, a verbatim copy of shared/specs/werkbonapp/ (tests/werkbon checks it is identical).
SPEC = Path(os.environ.get("FIELDSIM_WERKBON_SPEC", Path(__file__).with_name("outsmart-openapi8.openapi3.json")))

# 1. token/software_token are real query parameters, but the generator gave them the example
#    "{{client_token}}"; the suite injects working ones instead of fuzzing them (auth has its own tests).
#    Accept/Content-Type are marked as required header *parameters*; they are ordinary HTTP headers.
INJECTED = {"token", "software_token", "Accept", "Content-Type"}

# 2. Copy-pasted response schemas: the converter reused another endpoint's schema. The vendor's
#    own text (info.description) and the request bodies show what these endpoints hold.
WRONG_ITEMS = {  # (method, path) -> the path whose request-body fields the rows really have
    ("get", "/notes"): "/notes", ("get", "/expense_categories"): "/expense_categories",
    ("get", "/warehouses"): "/warehouses", ("get", "/freefields"): "/freefields",
    ("get", "/prices"): "/prices", ("get", "/generic_notes"): "/generic_notes",
}
# POSTs of master data answer the number of records synced (as every documented POST does);
# these POSTs were given a GET's list schema by the converter.
COUNT_POSTS = ["/expenses", "/travel", "/hours", "/notes", "/expense_categories", "/freefields", "/prices"]
# /values got the materials schema; its rows are {val_entity, val_primary, val_column, val_value}.
VALUES_ITEM = {"type": "object", "required": ["val_entity", "val_primary", "val_column", "val_value"],
               "properties": {k: {"type": "string"} for k in ("val_entity", "val_primary", "val_column", "val_value")}}

# 3. UpdateWorkorder's example answers "response": null, but the schema says string.
NULL_RESPONSE = [("get", "/UpdateWorkorder"), ("post", "/UpdateWorkorder")]


def envelope(response_schema: dict) -> dict:
    return {"type": "object", "required": ["code", "messages", "response"],
            "properties": {"code": {"type": "integer"}, "messages": {"type": "array", "items": {"type": "string"}},
                           "response": response_schema}}


def _set_response(op: dict, response_schema: dict) -> None:
    op["responses"]["200"]["content"] = {"application/json": {"schema": envelope(response_schema)}}


def _item_from_request(spec: dict, path: str) -> dict:
    req = spec["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]["items"]
    props = {k: {"type": "string"} for k in req.get("properties", {})}
    return {"type": "object", "properties": props}


def load() -> dict:
    spec = copy.deepcopy(json.loads(SPEC.read_text()))
    spec["servers"] = [{"url": "/openapi/8"}]
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            op.pop("servers", None)
            op["parameters"] = [p for p in op.get("parameters", []) if p["name"] not in INJECTED]
    for (method, path), source in WRONG_ITEMS.items():
        _set_response(spec["paths"][path][method], {"type": "array", "items": _item_from_request(spec, source)})
    for path in COUNT_POSTS:
        _set_response(spec["paths"][path]["post"], {"type": "integer"})
    for method in ("get", "post"):
        _set_response(spec["paths"]["/values"][method], {"type": "array", "items": VALUES_ITEM})
    for method, path in NULL_RESPONSE:
        _set_response(spec["paths"][path][method], {"nullable": True})
    return spec
