"""Admin extras of stadsnet: POST /__admin/stadsnet/orders (an end customer orders now),
GET/POST /__admin/stadsnet/generator, and the scenario section (load_scenario).

Scenario format (wire field names, as `customers`/`customer_info` and `orders` answer them):
    stadsnet:
      generator: {enabled: true, interval: PT5M}
      customers: [{id, socket, serial, firstname, surname, email, address, zip, city, phone, premise, date}]
      orders:    [{id, type, date, status, service, delivery, customer}]
All entries are validated before anything is written: bad input changes nothing.
"""
from __future__ import annotations

import random
import re
from datetime import datetime

import orjson
from flask import Blueprint, Response, request

from simulators.core.errors import AdminError
from simulators.stadsnet.model import DELIVERY_RE, LOCAL, ORDER_FIELDS, STATUSES

CUSTOMER_KEYS = {"id", "socket", "serial", "firstname", "surname", "email", "address", "zip", "city", "phone",
                 "premise", "date"}
PLACED_STATUSES = ("new", "delivered")  # as an end customer's order arrives (README)
ORDER_KEYS = {"id", "type", "date", "status", "service", "xsp", "delivery", "customer"}
ACCESS_RE = re.compile(r"^[A-Za-z0-9-]{2,32}$")
CUST_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$")
DELIVERY_FMT, CUST_DATE_FMT = "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"


def _json(data, status=200) -> Response:
    return Response(orjson.dumps(data), status=status, mimetype="application/json")


def _text(doc: dict, key: str, where: str, required=False, limit=200) -> str | None:
    value = doc.get(key)
    if value is None:
        if required:
            raise AdminError(f"{where}: {key} is required")
        return None
    if not isinstance(value, (str, int)) or isinstance(value, bool) or len(str(value)) > limit:
        raise AdminError(f"{where}: {key} must be a string of at most {limit} characters")
    return str(value)


def _when(value, fmt: str, what: str, also: str = "") -> datetime:
    """A local time in the wire's format that exists on the calendar (2026-02-30 does not)."""
    pattern = DELIVERY_RE if fmt == DELIVERY_FMT else CUST_DATE_RE
    try:
        if isinstance(value, str) and pattern.match(value):
            return datetime.strptime(value, fmt).replace(tzinfo=LOCAL)
    except ValueError:
        pass
    shape = "'YYYY-MM-DD HH:MM:SS'" if fmt == DELIVERY_FMT else "'YYYY-MM-DD HH:MM'"
    raise AdminError(f"{what} must be {also}{shape}, a time that exists (got {value!r})")


def _delivery(value, where: str) -> str:
    if value != "asap":
        _when(value, DELIVERY_FMT, f"{where}: delivery", also="'asap' or ")
    return value


def _int(doc: dict, key: str, where: str) -> int | None:
    value = doc.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise AdminError(f"{where}: {key} must be a positive integer")
    return value


def _service(api, value, where: str) -> dict:
    services = api.state.all("services")
    for s in services:
        if value == s["id"] or (isinstance(value, str) and value.lower() in (s["name"].lower(), s["code"].lower())):
            return s
    names = ", ".join(f"{s['id']} ({s['name']})" for s in sorted(services, key=lambda s: s["id"]))
    raise AdminError(f"{where}: unknown service {value!r}; known: {names}")


def customer_fields(doc, where: str) -> dict:
    if not isinstance(doc, dict):
        raise AdminError(f"{where}: expected an object")
    unknown = set(doc) - CUSTOMER_KEYS
    if unknown:
        raise AdminError(f"{where}: unknown field(s) {sorted(unknown)}; use {sorted(CUSTOMER_KEYS)}")
    out = {k: _text(doc, k, where) for k in CUSTOMER_KEYS - {"id", "date"} if doc.get(k) is not None}
    if "socket" in out and not ACCESS_RE.match(out["socket"]):
        raise AdminError(f"{where}: socket (accessId) must be 2-32 letters/digits, e.g. MS10234")
    if doc.get("date") is not None:
        _when(doc["date"], CUST_DATE_FMT, f"{where}: date")
        out["date"] = doc["date"]
    if doc.get("id") is not None:
        out["id"] = _int(doc, "id", where)
    return out


def place_now(api, body) -> dict:
    """POST /__admin/stadsnet/orders: {customer?: {...}|id, service?: id|name, accessId?, status?, delivery?}."""
    if body is None:
        body = {}
    if not isinstance(body, dict):
        raise AdminError("stadsnet orders: expected a JSON object {customer, service, accessId, status, delivery}")
    unknown = set(body) - {"customer", "service", "accessId", "status", "delivery"}
    if unknown:
        raise AdminError(f"stadsnet orders: unknown field(s) {sorted(unknown)}; "
                         "use customer, service, accessId, status, delivery")
    now = api.now()
    api.advance(now)
    status = body.get("status", "new")
    if status not in PLACED_STATUSES:  # a scenario may load orders in any status; a new one is one of these
        raise AdminError(f"stadsnet orders: status must be one of {', '.join(PLACED_STATUSES)} (direct activation)")
    delivery = _delivery(body.get("delivery", "asap"), "stadsnet orders")
    access = body.get("accessId")
    if access is not None and not (isinstance(access, str) and ACCESS_RE.match(access)):
        raise AdminError("stadsnet orders: accessId must be 2-32 letters/digits, e.g. MS10234")
    service = _service(api, body["service"], "stadsnet orders") if body.get("service") is not None else None
    cust = body.get("customer")
    with api.state.lock():
        customer = fields = None  # both checked before the order's key is drawn: a refusal changes nothing
        if isinstance(cust, int) and not isinstance(cust, bool):
            customer = api.state.get("customers", cust)
            if customer is None:
                raise AdminError(f"stadsnet orders: no customer with id {cust}", status=404)
            if access and access != customer["socket"]:
                raise AdminError(f"stadsnet orders: accessId {access} is not customer {cust}'s ({customer['socket']})")
        else:
            fields = customer_fields(cust or {}, "stadsnet orders: customer")
            if "id" in fields:  # said, not ignored: an existing customer is given by its id alone
                raise AdminError("stadsnet orders: customer.id: for an existing customer give its id alone "
                                 f"(\"customer\": {fields['id']}); a new customer gets the next id")
            if access and fields.get("socket", access) != access:
                raise AdminError(f"stadsnet orders: accessId {access} and customer.socket {fields['socket']} differ")
        key = f"admin:{api.runtime.config.seed}:{api.state.next_id('admin_order')}"
        if customer is None:
            if access:
                fields["socket"] = access
            network = api.end_customers.network_of(fields.get("socket", "MS"))
            customer = api.end_customers.new_customer(key, network, now, {**fields, "network": network})
        if service is None:
            service = random.Random(key).choice(sorted(api.state.all("services"), key=lambda s: s["id"]))
        order = api.model.place_order(customer, service, now, status=status, delivery=delivery)
    return {**{k: order[k] for k in ORDER_FIELDS}, "accessId": customer["socket"], "serviceName": service["name"]}


def load_scenario(api, payload) -> dict:
    if not isinstance(payload, dict):
        raise AdminError("stadsnet: expected {generator, customers, orders}")
    unknown = set(payload) - {"generator", "customers", "orders"}
    if unknown:
        raise AdminError(f"stadsnet: unknown section(s) {sorted(unknown)}; use generator, customers, orders")
    customers = payload.get("customers") or []
    orders = payload.get("orders") or []
    if not isinstance(customers, list) or not isinstance(orders, list):
        raise AdminError("stadsnet: customers and orders must be lists")
    from simulators.stadsnet.generator import generator_settings
    try:
        gen = generator_settings(payload["generator"]) if payload.get("generator") is not None else None
    except ValueError as exc:
        raise AdminError(str(exc)) from None
    custs = [customer_fields(c, f"stadsnet customers[{i}]") for i, c in enumerate(customers)]
    _once_each([c.get("id") for c in custs], "stadsnet customers")
    _once_each([o.get("id") if isinstance(o, dict) else None for o in orders], "stadsnet orders")
    for i, c in enumerate(custs):
        for key in ("socket", "firstname", "surname"):
            if key not in c:
                raise AdminError(f"stadsnet customers[{i}]: {key} is required")
    now = api.now()
    with api.state.lock():
        new_ids = {c["id"] for c in custs if "id" in c}
        for i, c in enumerate(custs):
            if "id" in c and api.state.get("customers", c["id"]) is not None:
                raise AdminError(f"stadsnet customers[{i}]: a customer with id {c['id']} exists")
        planned = [_check_order(api, o, i, new_ids) for i, o in enumerate(orders)]
        added_c = []
        for c in custs:
            c.setdefault("network", api.end_customers.network_of(c["socket"]))
            for key in ("serial", "email", "address", "zip", "city", "phone", "premise"):
                c.setdefault(key, "")
            added_c.append(api.model.add_customer(c, now)["id"])
        added_o = []
        for o, service, at in planned:
            customer = api.state.get("customers", o["customer"])
            added_o.append(api.model.place_order(customer, service, at, status=o.get("status", "new"),
                                                 delivery=o.get("delivery", "asap"), order_id=o.get("id"))["id"])
    result = {"customers": added_c, "orders": added_o}
    if gen is not None:
        result["generator"] = api.end_customers.configure(payload["generator"])
    return result


def _once_each(ids: list, where: str) -> None:
    """An id given twice in one scenario would have the later entry silently replace the earlier."""
    seen = set()
    for i, x in enumerate(ids):
        if not isinstance(x, int):
            continue  # no id (one is drawn) or not an integer (refused by the entry's own check)
        if x in seen:
            raise AdminError(f"{where}[{i}]: id {x} is given twice in this scenario")
        seen.add(x)


def _check_order(api, o, i: int, new_customer_ids: set) -> tuple:
    where = f"stadsnet orders[{i}]"
    if not isinstance(o, dict):
        raise AdminError(f"{where}: expected an object")
    unknown = set(o) - ORDER_KEYS
    if unknown:
        raise AdminError(f"{where}: unknown field(s) {sorted(unknown)}; use {sorted(ORDER_KEYS)}")
    if o.get("type", "order") != "order":
        raise AdminError(f"{where}: type must be 'order'")
    if o.get("status", "new") not in STATUSES:
        raise AdminError(f"{where}: status must be one of {', '.join(STATUSES)}")
    _delivery(o.get("delivery", "asap"), where)
    if o.get("service") is None:
        raise AdminError(f"{where}: service is required")
    service = _service(api, o["service"], where)
    if o.get("xsp") is not None and o["xsp"] != service["xsp"]:
        raise AdminError(f"{where}: xsp {o['xsp']} does not deliver service {service['id']} (xsp {service['xsp']})")
    cid = _int(o, "customer", where)
    if cid is None or (cid not in new_customer_ids and api.state.get("customers", cid) is None):
        raise AdminError(f"{where}: customer must be the id of an existing customer or one in this scenario")
    oid = _int(o, "id", where)
    if oid is not None and api.state.get("orders", oid) is not None:
        raise AdminError(f"{where}: an order with id {oid} exists")
    at = api.now()
    if o.get("date") is not None:
        at = _when(o["date"], DELIVERY_FMT, f"{where}: date")
    return o, service, at


def build_admin_blueprint(api) -> Blueprint:
    bp = Blueprint("stadsnet_admin", __name__)

    @bp.post("/orders")
    def orders():
        raw = request.get_data()
        try:
            body = orjson.loads(raw) if raw.strip() else {}
        except orjson.JSONDecodeError as exc:
            raise AdminError(f"body is not valid JSON: {exc}") from None
        return _json(place_now(api, body), 201)

    @bp.route("/generator", methods=["GET", "POST"])
    def generator():
        if request.method == "POST":
            try:
                return _json(api.end_customers.configure(orjson.loads(request.get_data() or b"{}")))
            except (ValueError, orjson.JSONDecodeError) as exc:
                raise AdminError(str(exc)) from None
        return _json(api.end_customers.settings())

    return bp

