"""OpenAPI 3.0 description of the query-string API, JSON variant (output_format=json).

One URL serves every method (`method=` picks it), so this is one GET operation whose parameters
are the union of all methods' parameters. Served at /plain/serviceguide_log/openapi.json (the
simulator's own addition; the real provider publishes no OpenAPI document). Every answer is HTTP
200 with {"response": ..., "status": "success"|"error"} (SNP-FMT-1, SNP-ERR-1).
"""
from __future__ import annotations

from simulators.stadsnet.model import MESSAGE_TYPES, STATUSES

METHODS = ["api_login", "orders", "order_info", "customers", "customer_info", "set_status", "order_log",
           "add_message"]

_str = {"type": "string"}
_int = {"type": "integer"}
_datetime = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$"}


def _obj(props: dict, required: list | None = None) -> dict:
    return {"type": "object", "properties": props, "required": required or list(props),
            "additionalProperties": False}


ORDER = _obj({"id": _int, "type": {"type": "string", "enum": ["order"]}, "date": _datetime,
              "status": {"type": "string", "enum": list(STATUSES)}, "service": _int, "xsp": _int,
              "delivery": {"type": "string", "pattern": r"^(asap|\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})$"},
              "customer": _int})
CUSTOMER_ROW = _obj({"id": _int, "socket": _str, "serial": _str, "firstname": _str, "surname": _str,
                     "date": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$"}})
CUSTOMER = _obj({k: _str for k in ("socket", "serial", "firstname", "surname", "email", "address", "zip", "city")}
                | {"id": _int})
LOG = _obj({"id": _int, "date": _datetime, "type": {"type": "string", "enum": list(MESSAGE_TYPES)},
            "message": _str, "user": _str})

SUCCESS = {
    "api_login": _obj({"message": _str, "hash_key": {"type": "string", "pattern": "^[0-9a-f]{32}$"}}),
    "orders": _obj({"order": {"type": "array", "items": ORDER}}),
    "order_info": _obj({"order": ORDER}),
    "customers": _obj({"customer": {"type": "array", "items": CUSTOMER_ROW}}),
    "customer_info": _obj({"customer": CUSTOMER, "data": _obj({"phone": _str, "premise": _str})}),
    "message": _obj({"message": _str}),  # set_status, add_message
    "order_log": _obj({"log": {"type": "array", "items": LOG}}),
}


def envelope(response: dict, status: str) -> dict:
    return _obj({"response": response, "status": {"type": "string", "enum": [status]}})


def spec(server: str = "") -> dict:
    params = [
        {"name": "method", "in": "query", "required": True, "schema": {"type": "string", "enum": METHODS}},
        {"name": "output_format", "in": "query", "required": True, "schema": {"type": "string", "enum": ["json"]}},
    ] + [{"name": n, "in": "query", "required": False, "schema": s} for n, s in (
        ("hash", {"type": "string", "pattern": "^[0-9a-f]{32}$"}),
        ("api_user", {"type": "string", "pattern": r"^\d{1,9}$"}), ("api_key", {"type": "string"}),
        ("id", {"type": "string", "pattern": r"^\d{1,9}$"}),
        ("date", {"type": "string", "pattern": r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$"}),
        ("status", {"type": "string", "enum": list(STATUSES)}),
        ("type", {"type": "string", "enum": list(MESSAGE_TYPES)}), ("message", {"type": "string"}))]
    answer = {"oneOf": [envelope({"oneOf": list(SUCCESS.values())}, "success"),
                        envelope(_obj({"message": _str}), "error")]}
    return {
        "openapi": "3.0.3",
        "info": {"title": "Stadsnätsportalen serviceguide_log (JSON variant)", "version": "1.0"},
        "servers": [{"url": server}] if server else [],
        "paths": {"/plain/serviceguide_log": {"get": {
            "operationId": "serviceguide_log",
            "description": "method= picks the call; every answer is HTTP 200 with status success or error.",
            "parameters": params,
            "responses": {"200": {"description": "success or error envelope",
                                  "content": {"application/json": {"schema": answer}}}},
        }}},
    }
