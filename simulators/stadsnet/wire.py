"""The serviceguide_log wire format: one URL, `method=` picks the call, parameters in the query
string (or a POST form), answers in XML `<METHOD><response>…</response><status>…</status></METHOD>`
or, with output_format=json, the same content as JSON (SNP-FMT-1). Failures are HTTP 200 with
status `error` and a message naming the problem (SNP-ERR-1)."""
from __future__ import annotations

import re
from xml.etree.ElementTree import Element, SubElement, tostring

import orjson
from flask import Blueprint, Response, current_app, request

from simulators.core.errors import BadRequest, DomainError
from simulators.stadsnet.model import CUSTOMER_FIELDS, CUSTOMER_LIST_FIELDS, ORDER_FIELDS, parse_id

PATH = "/plain/serviceguide_log"
FORMATS = ("xml", "json")
# Characters XML 1.0 cannot carry (control characters echoed from a request): shown as U+FFFD.
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


# -- rendering ------------------------------------------------------------------------------------
def _xml(parent: Element, key: str, value) -> None:
    if isinstance(value, list):  # repeated elements: <order>…</order><order>…</order>
        for item in value:
            _xml(parent, key, item)
    elif isinstance(value, dict):
        el = SubElement(parent, key)
        for k, v in value.items():
            _xml(el, k, v)
    else:
        SubElement(parent, key).text = "" if value is None else _NOT_XML.sub("\ufffd", str(value))


def render(root: str, response: dict, status: str, fmt: str = "xml", http_status: int = 200) -> Response:
    """SNP-FMT-1: <root><response>…</response><status>success|error</status></root>, or its JSON twin."""
    if fmt == "json":
        body = orjson.dumps({"response": response, "status": status})
        return Response(body, status=http_status, content_type="application/json")
    el = Element(root)
    resp = SubElement(el, "response")
    for key, value in response.items():
        _xml(resp, key, value)
    SubElement(el, "status").text = status
    body = b'<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(el, encoding="utf-8", xml_declaration=False)
    return Response(body, status=http_status, content_type="application/xml")


def request_format() -> str:
    fmt = request.values.get("output_format", "xml")
    return fmt if fmt in FORMATS else "xml"


def error_root() -> str:
    """SNP-ERR-1: errors carry the method's root element; an unknown or missing method gets <error>."""
    method = request.values.get("method", "")
    return method if method in HANDLERS else "error"


# -- parameters -----------------------------------------------------------------------------------
def need(params, name: str) -> str:
    """SNP-ERR-1: a missing parameter gives a message naming it."""
    value = params.get(name)
    if value is None or value == "":
        raise BadRequest(f"Missing parameter: {name}", field=name)
    return value


def need_int(params, name: str) -> int:
    value = need(params, name)
    number = parse_id(value)
    if number is None:
        raise BadRequest(f"Invalid value for {name} '{value}': expected a positive integer", field=name)
    return number


# -- methods --------------------------------------------------------------------------------------
def api_login(api, p):
    hash_key, user = api.model.login(need(p, "api_user"), need(p, "api_key"))
    return {"message": f"{user['name']} logged in", "hash_key": hash_key}  # the provider's order


def caller(api, p) -> dict:
    return api.model.user_by_hash(need(p, "hash"))


def orders(api, p):
    user = caller(api, p)
    return {"order": [_order(o) for o in api.model.orders(user, need(p, "date"))]}


def order_info(api, p):
    user = caller(api, p)
    return {"order": _order(api.model.order_info(user, need_int(p, "id")))}


def customers(api, p):
    user = caller(api, p)
    return {"customer": [{k: c[k] for k in CUSTOMER_LIST_FIELDS} for c in api.model.customers(user, need(p, "date"))]}


def customer_info(api, p):
    user = caller(api, p)
    c = api.model.customer_info(user, need_int(p, "id"))
    return {"customer": {k: c[k] for k in CUSTOMER_FIELDS}, "data": {"phone": c["phone"], "premise": c["premise"]}}


def set_status(api, p):
    user = caller(api, p)
    order_id, status = need_int(p, "id"), need(p, "status")
    api.model.set_status(user, order_id, status)
    return {"message": f"Status changed to {status} for order {order_id}"}


def order_log(api, p):
    user = caller(api, p)
    return {"log": api.model.order_log(user, need_int(p, "id"))}


def add_message(api, p):
    """SNP-AUTH-3: documented with api_user=; a login hash works as well."""
    if p.get("hash"):
        user = caller(api, p)
    else:
        user = api.model.user_by_api_user(need(p, "api_user"))
    order_id = need_int(p, "id")
    message, mtype = need(p, "message"), need(p, "type")
    api.model.add_message(user, order_id, message, mtype)
    return {"message": f"Message added to order {order_id}"}


def _order(o: dict) -> dict:
    return {k: o[k] for k in ORDER_FIELDS}


HANDLERS = {f.__name__: f for f in (api_login, orders, order_info, customers, customer_info, set_status,
                                    order_log, add_message)}


def build_blueprint(api) -> Blueprint:
    bp = Blueprint("stadsnet", __name__)

    @bp.route(PATH, methods=["GET", "POST"])
    def serviceguide_log():
        params = request.values
        fmt = params.get("output_format", "xml")
        method = params.get("method", "")
        root = method if method in HANDLERS else "error"
        if fmt not in FORMATS:
            return render(root, {"message": f"Invalid output_format '{fmt}': valid values are xml, json"}, "error")
        if not method:
            return render("error", {"message": "Missing parameter: method"}, "error", fmt)
        if method not in HANDLERS:
            return render("error", {"message": f"Unknown method '{method}'"}, "error", fmt)
        try:
            return render(method, HANDLERS[method](api, params), "success", fmt)
        except DomainError as exc:
            return render(method, {"message": exc.message}, "error", fmt)

    @bp.get(PATH + "/openapi.json")
    def openapi():
        from simulators.stadsnet.openapi import spec
        return Response(orjson.dumps(spec(current_app.fieldsim.config.public_url or request.host_url.rstrip("/"))),
                        content_type="application/json")

    return bp
