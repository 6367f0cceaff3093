"""The OpenAPI 3.0 document of the simulated Capitech calls, served at /api/public/v1/openapi.json.
Built from the same field lists as the wire layer, so the two cannot drift apart."""
from __future__ import annotations

from simulators.capitech.wire import CATALOGUE_CALLS, CODE_FILTERS, FIELDS, ID_FILTERS

BASE = "/api/public/v1"
STRINGS = {"employee", "datein", "timein", "dateout", "timeout", "department", "task", "classicdutycode",
           "classicduty", "order", "projectAlphanumericCode", "project", "subProjectAlphanumericCode",
           "subProject", "phaseAlphanumericCode", "projectPhase", "shift", "freeDimension1", "freeDimension2",
           "freeText", "approvedLevelOneBy", "approvedLevelTwoBy", "approvedLevelThreeBy", "approvedLevelFourBy",
           "approvedLevelOneOn", "approvedLevelTwoOn", "approvedLevelThreeOn", "approvedLevelFourOn",
           "timeCategory", "timeCategoryTypeId", "timeCategoryType", "externalId", "correlationId",
           "lastUpdatedOn", "recordStateKey"}
NOT_NULL = {"clientId", "employeeid", "employee", "datein", "timein", "dateout", "timeout", "departmentid",
            "department", "taskid", "task", "timeCategoryId", "timeCategory", "timeCategoryTypeId",
            "timeCategoryType", "timeCategoryPayable", "qty", "uid", "lastUpdatedOn", "recordStateKey"}


def _field(name: str) -> dict:
    kind = "string" if name in STRINGS else ("number" if name == "qty" else "integer")
    schema = {"type": kind}
    if name not in NOT_NULL:
        schema["nullable"] = True
    if name in ("datein", "dateout"):
        schema["pattern"] = r"^\d{4}-\d{2}-\d{2}$"
    if name in ("timein", "timeout"):
        schema["pattern"] = r"^\d{2}:\d{2}:\d{2}\.\d{3}$"
    if name == "recordStateKey":
        schema["pattern"] = r"^\d+_\d+_\d+\.\d{2}$"
    if name == "timeCategoryTypeId":
        schema["enum"] = ["O", "T", "P", "S"]
    return schema


INT = {"type": "integer", "format": "int32", "minimum": -2**31, "maximum": 2**31 - 1}  # .NET int
# exactly the date-times the wire layer accepts (valid Gregorian dates, year 1-9999)
_YEAR = r"(?:000[1-9]|00[1-9]\d|0[1-9]\d{2}|[1-9]\d{3})"
_LEAP = r"(?:\d{2}(?:0[48]|[2468][048]|[13579][26])|(?:0[48]|[2468][048]|[13579][26])00)"
_DAY = (rf"(?:{_YEAR}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)"
        rf"|02-(?:0[1-9]|1\d|2[0-8]))|{_LEAP}-02-29)")
STAMP = rf"^{_DAY}[ T](?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{{1,7}})?$"


def _envelope(item: dict) -> dict:
    return {"type": "object", "required": ["success", "serverErrorMessage", "displayErrorMessage", "content"],
            "properties": {"success": {"type": "boolean"},
                           "serverErrorMessage": {"type": "string", "nullable": True},
                           "displayErrorMessage": {"type": "string", "nullable": True},
                           "content": {"type": "array", "items": item}}}


def _list(kind: str) -> dict:
    """A filter: an array; a single value counts as a one-element array (CT decision)."""
    item = INT if kind == "integer" else {"type": kind}
    return {"anyOf": [{"type": "array", "items": item}, item], "nullable": True}


def _op(summary: str, request: dict, item: dict, auth: bool = True) -> dict:
    err = {"description": "error envelope", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    responses = {"200": {"description": "envelope (success true, or false with a message)",
                         "content": {"application/json": {"schema": _envelope(item)}}},
                 "400": {**err, "description": "malformed request"},
                 "415": {**err, "description": "not application/json or text/json"}}
    if auth:
        responses["401"] = {**err, "description": "Session expired: unknown, ended or expired accessToken"}
    return {"post": {"summary": summary,
                     "requestBody": {"required": True, "content": {"application/json": {"schema": request}}},
                     "responses": responses}}


def _req(required: list, props: dict) -> dict:
    return {"type": "object", "required": required, "properties": props}


def document(server: str = "") -> dict:
    token = {"accessToken": {"type": "string"}, "clientId": INT}
    tt = {**token, "fromDate": {"type": "string", "format": "date", "example": "2026-10-01"},
          "toDate": {"type": "string", "format": "date", "example": "2026-10-31"},
          "approvedLevelFilter": _list("integer"),
          **{f: _list("integer") for f in ID_FILTERS}, **{f: _list("string") for f in CODE_FILTERS},
          "timeCategoryIdFilter": _list("integer"), "timeCategoryTypeIdFilter": _list("string"),
          "includePayableCategory": {"type": "boolean", "nullable": True},
          "externalStatusCodeFilter": _list("integer"),
          "includeElementsWithExternalStatusCodeNull": {"type": "boolean", "nullable": True},
          "lastUpdatedGreaterThanOrEqualToFilter": {"type": "string", "format": "date", "nullable": True},
          "lastApprovedOrUpdatedFilter": {"type": "string", "nullable": True, "pattern": STAMP,
                                          "example": "2026-11-01 00:00:00.000"}}
    record = {"type": "object", "required": list(FIELDS), "properties": {f: _field(f) for f in FIELDS}}
    login_item = {"type": "object", "required": ["accessToken", "accessTokenExpires", "refreshToken", "refreshTokenExpires"],
                  "properties": {k: {"type": "string"} for k in ("accessToken", "accessTokenExpires",
                                                                 "refreshToken", "refreshTokenExpires")}}
    paths = {
        f"{BASE}/Access/login": _op("Log in: accessToken (60 min) and refreshToken",
                                    _req(["username", "password"], {"username": {"type": "string"},
                                                                    "password": {"type": "string"}}),
                                    login_item, auth=False),
        f"{BASE}/Access/logout": _op("End the session", _req(["accessToken"], {"accessToken": {"type": "string"}}),
                                     {"type": "object"}),
        f"{BASE}/Time/getTimeTransactions": _op("Time transactions of a period (max 31 days, 5000 records)",
                                                _req(["accessToken", "clientId", "fromDate", "toDate"], tt), record),
        f"{BASE}/Time/setExternalStatusCode": _op(
            "Set the external status code on every record of the given registrations",
            _req(["accessToken", "clientId", "externalStatusCode", "uids"],
                 {**token, "externalStatusCode": {**INT, "nullable": True},
                  "uids": {"type": "array", "items": INT, "minItems": 1}}),
            {"type": "object", "required": ["uid", "externalStatusCode", "records"],
             "properties": {"uid": {"type": "integer"}, "externalStatusCode": {"type": "integer", "nullable": True},
                            "records": {"type": "integer"}}}),
    }
    for name in CATALOGUE_CALLS:
        method = CAMEL[name]
        props = dict(token)
        if name == "getprojects":
            props["includePassive"] = {"type": "boolean", "nullable": True}
        paths[f"{BASE}/Catalogue/{method}"] = _op(f"Catalogue: {method[3:]}", _req(["accessToken", "clientId"], props),
                                                  {"type": "object", "required": ["id"]})
    return {"openapi": "3.0.3",
            "info": {"title": "Capitech public API (fieldsim simulation)", "version": "v1"},
            "servers": [{"url": server or "/"}],
            "paths": paths,
            "components": {"schemas": {"Error": _envelope({})}}}


CAMEL = {"getdepartments": "getDepartments", "gettasks": "getTasks", "getprojects": "getProjects",
         "getsubprojects": "getSubProjects", "getphases": "getPhases", "getorders": "getOrders",
         "getfreedimension1s": "getFreeDimension1s", "getfreedimension2s": "getFreeDimension2s",
         "getdutydefinitions": "getDutyDefinitions"}
