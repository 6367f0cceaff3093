"""The Open API's wire format: /openapi/<version>/<function>/?token=…&software_token=…, JSON in,
and always the envelope {"code", "messages", "response"} out with HTTP 200 (WB-ERR-1)."""
from __future__ import annotations

import json

import orjson
from flask import Blueprint, Response, g, request

from simulators.core.admin import body_document
from simulators.core.errors import AdminError, DomainError
from simulators.werkbon.entities import ENTITIES, FILTER_ALIASES
from simulators.werkbon.common import WbError

WO_ORDER = ("id", "WorkorderNo", "OrderNr", "WorkDate", "WorkTime", "WorkEndDate", "WorkEndTime", "ProjectNr",
            "ExternProjectNr", "CustomerName", "CustomerDebtorNr", "CustomerStreet", "CustomerStreetNo",
            "CustomerEmail", "CustomerZIP", "CustomerCity", "CustomerContactPerson", "CustomerPhone",
            "CustomerRemark", "CustomerLatitude", "CustomerLongitude", "CustomerNameInvoice",
            "CustomerDebtorNrInvoice", "CustomerStreetInvoice", "CustomerStreetNoInvoice", "CustomerEmailInvoice",
            "CustomerZIPInvoice", "CustomerCityInvoice", "CustomerContactPersonInvoice", "CustomerPhoneInvoice",
            "CustomerRemarkInvoice", "TypeOfWork", "WorkDescription", "PaymentMethod", "CreationDate", "EmployeeNr",
            "Archived", "Signature", "SignatureUrl", "PdfUrl", "WordUrl", "WorksheetCode", "status", "WorkFinished",
            "InternalWorkDescription", "WorkDuration", "WorkStatus", "WorkDeadline", "PickupPlanning", "WebPlanning",
            "CpnCode", "AdrCode", "ShortWorkDescription", "Comment", "ErrorCode", "ErrorMessage", "SolutionCode",
            "SolutionMessage", "PriorityCode", "PriorityMessage", "MinimumHours", "RoundingAmount")
WO_LISTS = ("Photos", "Workperiods", "Materials", "Documents", "Forms", "Employees", "WorkObjects")
MAT_ORDER = ("MaterialCode", "MaterialTotalPrice", "MaterialNr", "MaterialPrice", "MaterialName", "MaterialUnit")
MAT_NULLABLE = ("MaterialType", "MaterialFreeField1", "MaterialFreeField2", "MaterialFreeField3",
                "MaterialFreeField4", "MaterialFreeField5")
WP_ORDER = ("BeginTime", "TotalTime", "WorkRemark", "WorkDate", "EndTime", "Travel", "EmployeeNr", "HourType")
# WB-ERR-2: the pipeline's HTTP statuses mapped to the document's codes.
METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]
STATUS_CODES = {404: 1001, 405: 1001, 401: 1004, 403: 1004}


def envelope(code: int, messages=(), response=None, status: int = 200) -> Response:
    body = orjson.dumps({"code": code, "messages": list(messages), "response": response})
    return Response(body, status=status, mimetype="application/json")


def error_envelope(status: int, message: str) -> Response:
    """error_response hook: HTTP 200 with the fitting code, except for a deliberately injected
    http_status fault, which answers that real HTTP status (with the envelope as its body)."""
    code = STATUS_CODES.get(status, 1007)
    try:
        injected = g.get("fieldsim_fault") is not None and status >= 400
    except RuntimeError:  # outside a request
        injected = False
    return envelope(code, [message], None, status if injected else 200)


# ---- request parsing -------------------------------------------------------------------------
def body_records(single_ok: bool = True) -> list:
    """1008 without a body, 1009 when it is not a JSON array or object; an object is one record."""
    raw = request.get_data()
    if not raw.strip():
        raise WbError(1008, "Unable to fetch body")
    data = _json(raw)
    if isinstance(data, dict) and single_ok:
        return [data]
    if not isinstance(data, list):
        raise WbError(1009, "Unable to parse body")
    return data


def body_object():
    raw = request.get_data()
    if not raw.strip():
        raise WbError(1008, "Unable to fetch body")
    return _json(raw)


def _no_constant(name):
    raise ValueError(f"{name} is not JSON")


def _finite(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError(f"{text} is not a number PHP's json_decode takes")
    return value


def _json(raw: bytes):
    """The body as PHP's json_decode reads it: NaN, Infinity and 1e400 are not JSON (1009, as any
    other unparsable body), nor is nesting past a parser's depth."""
    try:
        orjson.loads(raw)  # strict first: a lone surrogate ("\ud800") is no text (PHP: JSON_ERROR_UTF16)
        return json.loads(raw, parse_constant=_no_constant, parse_float=_finite)
    except (ValueError, UnicodeDecodeError, RecursionError):  # orjson.JSONDecodeError is a ValueError
        raise WbError(1009, "Unable to parse body") from None


def filters(required: bool = False) -> list[tuple[str, str, str]]:
    """WB-WO-6: key/value/operator (single) or key[]/value[]/operator[] (several); the operator
    defaults to eq (the filter endpoints' own examples leave it out). `required`: the document
    marks key and value required (category, address, object, contactperson)."""
    a = request.args
    if any(k in a for k in ("key[]", "value[]", "operator[]")):
        keys, values, ops = a.getlist("key[]"), a.getlist("value[]"), a.getlist("operator[]")
    elif any(k in a for k in ("key", "value", "operator")):
        keys, values, ops = a.getlist("key")[:1], a.getlist("value")[:1], a.getlist("operator")[:1]
    elif required:
        raise WbError(1007, "Request is missing the GET parameters: key and value")
    else:
        return []
    ops = ops or ["eq"] * len(keys)
    if not (len(keys) == len(values) == len(ops)):
        raise WbError(1007, "Each filter needs a key, a value and an operator")
    return list(zip(keys, values, ops))


FLAG_VALUES = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


def flag(name: str, default: bool | None, code: int = 1007) -> bool:
    """A boolean query parameter. Anything but true/false (1/0, yes/no) is refused with `code`:
    read as true, a typo in delete_all=fals would empty the whole entity."""
    value = request.args.get(name)
    if value is None or value == "":
        if default is None:  # required (DeleteEntity's delete_all): a typo'd name must not delete
            raise WbError(code, f"{name} is required: true or false")
        return default
    try:
        return FLAG_VALUES[value.strip().lower()]
    except KeyError:
        raise WbError(code, f"{name} must be true or false, not {value!r}") from None


# ---- serialisation ---------------------------------------------------------------------------
def entity_out(ent, row: dict) -> dict:
    out = {f: row.get(f, "") for f in ent.fields}
    if ent.path in ("invoices", "quotations"):
        out.update({k: row.get(k, [] if k == "iln_lines" else {} if k == "invoice_debtor" else "")
                    for k in ("iln_lines", "invoice_debtor", "pdf", "ubl")})
    return out


def _template(*groups) -> dict:
    return {f: default for fields, default in groups for f in fields}


# GetWorkorders shapes every field of every order: `template | row` (a C-level copy and update) costs
# under half the instructions of a comprehension of dict.get calls, and keeps the template's key
# order because an update never moves a key that is already there.
WO_TEMPLATE = _template((WO_ORDER, ""), (WO_LISTS, None))
WP_TEMPLATE = _template((WP_ORDER, ""))
MAT_TEMPLATE = _template((MAT_ORDER, ""), (MAT_NULLABLE, None))


def _shaped(template: dict, row: dict, extra: str | None = None) -> dict:
    """template's keys in its order, valued from row, then `extra` only when row has it."""
    out = template | row
    if len(out) != len(template) + (extra in row):  # row has fields the wire leaves out
        out = {f: out[f] for f in template}
        if extra in row:
            out[extra] = row[extra]
    return out


def workorder_out(order: dict) -> dict:
    out = _shaped(WO_TEMPLATE, order)
    for name in ("Photos", "Documents", "Forms", "Employees", "WorkObjects"):
        out[name] = order.get(name, [])
    out["Workperiods"] = [_shaped(WP_TEMPLATE, wp, "Break") for wp in order.get("Workperiods", [])]
    out["Materials"] = [_shaped(MAT_TEMPLATE, m) for m in order.get("Materials", [])]
    return out


# ---- the endpoints ---------------------------------------------------------------------------
def build_blueprint(api) -> Blueprint:
    bp = Blueprint("werkbon", __name__)
    model, wos = api.model, api.workorders

    def list_of(ent, acc, given=None):
        return [entity_out(ent, r) for r in model.list_entities(acc, ent, filters() if given is None else given)]

    special = {
        ("GET", "GetWorkorders"): lambda acc: [workorder_out(o) for o in wos.get_many(
            acc, request.args.get("status"), flag("update_status", True), request.args.get("workstatus"), filters())],
        ("GET", "GetWorkorder"): lambda acc: workorder_out(wos.get_one(
            acc, request.args.get("row_id"), request.args.get("workorder_no"), flag("update_status", True))),
        ("POST", "PostWorkorders"): lambda acc: wos.post(acc, body_records()),
        ("GET", "UpdateWorkorder"): lambda acc: wos.update(
            acc, request.args.get("row_id"), request.args.get("workorder_no"), request.args.get("workdate"),
            request.args.get("worktime"), request.args.get("employee_nr"), request.args.get("workstatus")),
        ("POST", "UpdateWorkorder"): lambda acc: wos.update_materials(
            acc, request.args.get("row_id"), request.args.get("workorder_no"), flag("ClearMaterials", False),
            body_records()),
        ("GET", "DeleteEntity"): lambda acc: model.delete_entity(
            acc, request.args.get("entity", ""), flag("delete_all", None, 1600), delete_keys()),
        ("GET", "numbers"): lambda acc: model.next_number(acc, request.args.get("table")),
        ("GET", "values"): lambda acc: model.values(
            acc, request.args.get("val_entity"), request.args.get("val_primary"), request.args.get("val_column")),
        ("POST", "values"): lambda acc: model.post_value(
            acc, request.args.get("val_entity"), request.args.get("val_primary"), request.args.get("val_column"),
            value_param()),
        ("GET", "locations"): lambda acc: [entity_out(ENTITIES["locations"], r) for r in model.locations(acc)],
        ("POST", "locations"): lambda acc: model.post_locations(acc, body_records()),
        ("GET", "objects/changed"): lambda acc: [entity_out(ENTITIES["objects"], r)
                                                 for r in model.changed_objects(acc, request.args.get("obj_code"))],
        ("GET", "object_parts/changed"): lambda acc: [entity_out(ENTITIES["object_parts"], r) for r in
                                                      model.changed_object_parts(acc, request.args.get("opr_timestamp_mutate"))],
        ("POST", "transactions"): lambda acc: [entity_out(ENTITIES["transactions"], r)
                                               for r in model.post_transactions(acc, body_records())],
        ("PUT", "transactions"): lambda acc: model.put_transactions(acc, body_records()),
        ("PUT", "invoices"): lambda acc: [entity_out(ENTITIES["invoices"], r) for r in
                                          model.update_rows(acc, ENTITIES["invoices"], filters(), body_object())],
        ("PUT", "quotations"): lambda acc: [entity_out(ENTITIES["quotations"], r) for r in
                                            model.update_rows(acc, ENTITIES["quotations"], filters(), body_object())],
    }

    def resolve(method: str, function: str):
        if (method, function) in special:
            return special[(method, function)]
        ent = ENTITIES.get(FILTER_ALIASES.get(function, function))
        if ent is None:
            return None
        if method == "GET" and function in FILTER_ALIASES:
            return lambda acc: list_of(ent, acc, filters(required=True))
        if method == "GET":
            return lambda acc: list_of(ent, acc)
        if method == "POST" and ent.post and function not in FILTER_ALIASES:
            return lambda acc: model.post_entities(acc, ent, body_records())
        return None

    @bp.route("/openapi", methods=METHODS, strict_slashes=False)
    @bp.route("/openapi/<version>", methods=METHODS, strict_slashes=False)
    @bp.route("/openapi/<version>/<path:function>", methods=METHODS)
    def openapi(version: str | None = None, function: str = ""):
        function = function.strip("/")
        try:
            if not function:
                raise WbError(1000, "The URL being called is not containing an endpoint")
            handler = resolve(request.method, function) if version in api.versions() else None
            if handler is None:
                raise WbError(1001)  # the document's example answers 1001 with no messages
            api.check_https(request)
            acc = model.authenticate(request.args.get("token"), request.args.get("software_token"))
            result = handler(acc)
        except WbError as exc:
            return envelope(exc.code, exc.messages)
        except DomainError as exc:  # not expected from this model; still the envelope
            return envelope(1007, [exc.message])
        return envelope(200, [], result)

    return bp


def delete_keys() -> list[tuple[str, str]]:
    """DeleteEntity: key/value, or key[]/value[] for object_part's composite key."""
    a = request.args
    keys, values = (a.getlist("key[]"), a.getlist("value[]")) if "key[]" in a else (a.getlist("key")[:1], a.getlist("value")[:1])
    if len(keys) != len(values):
        raise WbError(1600, "Each key needs a value")
    return list(zip(keys, values))


def value_param():
    for k, v in request.args.items():
        if k == "val_value" or k.startswith("val_value_"):
            return v
    raw = request.get_data()
    return raw.decode("utf-8", "replace") if raw.strip() else None


def build_admin(api) -> Blueprint:
    bp = Blueprint("werkbon_admin", __name__)

    @bp.post("/workorders/<workorder_no>/complete")
    def complete(workorder_no: str):
        """WB-WO-5: the simulated device completes this work order now."""
        try:
            order = api.workorders.complete_now(workorder_no, request.args.get("token"))
        except WbError as exc:
            raise AdminError(exc.message, status=exc.code if exc.code in (404, 409) else 400) from None
        return Response(json.dumps(workorder_out(order), ensure_ascii=False), mimetype="application/json")

    @bp.route("/device", methods=["GET", "POST"])
    def device():
        """Read or set the device timing: {"enabled", "pickup_after", "complete_after"}."""
        if request.method == "POST":
            api.set_device(body_document())
        s = api.workorders.device_settings()
        return {"enabled": s["enabled"], "pickup_after_seconds": s["pickup"].total_seconds(),
                "complete_after_seconds": s["complete"].total_seconds()}

    return bp

