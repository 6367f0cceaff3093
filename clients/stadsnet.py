"""Reference client for Stadsnätsportalen Atlas "serviceguide_log" (Tjänsteguiden orders).

Works against the real provider (https://www.stadsnatsportalen.se) and the simulator alike:

    from clients.stadsnet import StadsnetClient, TLWorkflow
    client = StadsnetClient("http://127.0.0.1:8080", api_user=1001, api_key="tl-demo-key")
    for order in client.orders("2026-01-01"):
        print(order.id, order.status, client.customer_info(order.customer).city)

    # the documented TL workflow as one resumable call (checkpoint kept in a JSON file)
    TLWorkflow(client, "tl-checkpoint.json").run(handle_order)

It logs in with api_login, keeps the hash, and logs in again before the 20 minutes are up or when
the server says the hash is no longer valid. Errors (HTTP 200 with status `error`) raise
StadsnetError with the server's message.
"""
from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Callable
from xml.etree import ElementTree

import requests

PATH = "/plain/serviceguide_log"
HASH_LIFETIME = 20 * 60
RELOGIN_MARGIN = 60  # log in again a minute before the hash would expire
LIST_TAGS = {"orders": "order", "customers": "customer", "order_log": "log"}


class StadsnetError(Exception):
    """The API answered status `error`; `method` and `message` are the server's."""

    def __init__(self, method: str, message: str, http_status: int = 200):
        super().__init__(f"{method}: {message}")
        self.method, self.message, self.http_status = method, message, http_status

    @property
    def is_auth(self) -> bool:
        text = self.message.lower()
        return "hash" in text or "logged in" in text or "login" in text


class NeedsAttention(Exception):
    """Raise from a workflow handler for an order that needs a human: logged as type `alert`."""


@dataclass
class Order:
    id: int
    type: str
    date: str
    status: str
    service: int
    xsp: int
    delivery: str
    customer: int

    @property
    def directly_activated(self) -> bool:
        """Delivered before we read it: the service was activated directly (only record it)."""
        return self.status == "delivered"


@dataclass
class Customer:
    id: int
    socket: str
    serial: str
    firstname: str
    surname: str
    date: str = ""
    email: str = ""
    address: str = ""
    zip: str = ""
    city: str = ""
    phone: str = ""
    premise: str = ""

    @property
    def access_id(self) -> str:
        return self.socket


@dataclass
class LogEntry:
    id: int
    date: str
    type: str
    message: str
    user: str


def _element(el) -> object:
    children = list(el)
    if not children:
        return el.text or ""
    out: dict = {}
    for child in children:
        value = _element(child)
        if child.tag in out:
            if not isinstance(out[child.tag], list):
                out[child.tag] = [out[child.tag]]
            out[child.tag].append(value)
        else:
            out[child.tag] = value
    return out


def parse_xml(method: str, body: bytes) -> dict:
    """<METHOD><response>…</response><status>…</status></METHOD> -> {"response", "status"};
    repeated elements of list answers become lists (also with one or zero items)."""
    root = ElementTree.fromstring(body)
    doc = _element(root)
    if not isinstance(doc, dict):
        doc = {}
    response = doc.get("response") if isinstance(doc.get("response"), dict) else {}
    tag = LIST_TAGS.get(method)
    if tag and doc.get("status") == "success":
        items = response.get(tag, [])
        response = {tag: items if isinstance(items, list) else [items]}
    return {"response": response, "status": doc.get("status", ""), "root": root.tag}


def _build(cls, data: dict):
    names = cls.__dataclass_fields__
    kwargs = {}
    for k, v in data.items():
        if k in names:
            kwargs[k] = int(v) if names[k].type in ("int", int) and str(v).isdigit() else v
    return cls(**kwargs)


class StadsnetClient:
    def __init__(self, base_url: str, api_user: int | str, api_key: str, *, output_format: str = "xml",
                 session: requests.Session | None = None, timeout: float = 30.0,
                 clock: Callable[[], float] = time.monotonic):
        self.url = base_url.rstrip("/") + PATH
        self.api_user, self.api_key = str(api_user), api_key
        self.output_format = output_format
        self.http = session or requests.Session()
        self.timeout = timeout
        self.clock = clock
        self.hash: str | None = None
        self._hash_at = 0.0
        self.logins = 0

    # -- transport --------------------------------------------------------------------------------
    def _raw(self, method: str, params: dict) -> dict:
        query = {"method": method, **{k: str(v) for k, v in params.items() if v is not None}}
        if self.output_format == "json":
            query["output_format"] = "json"
        resp = self.http.get(self.url, params=query, timeout=self.timeout)
        if resp.status_code != 200:
            raise StadsnetError(method, f"HTTP {resp.status_code}: {resp.text[:200]}", resp.status_code)
        doc = resp.json() if self.output_format == "json" else parse_xml(method, resp.content)
        if doc.get("status") != "success":
            response = doc.get("response") if isinstance(doc.get("response"), dict) else {}
            message = response.get("message", "unknown error")
            raise StadsnetError(method, message)
        return doc["response"] or {}

    def login(self) -> str:
        """api_login: a hash valid for 20 minutes (SNP-AUTH-1)."""
        response = self._raw("api_login", {"api_user": self.api_user, "api_key": self.api_key})
        self.hash, self._hash_at = response["hash_key"], self.clock()
        self.logins += 1
        return self.hash

    def call(self, method: str, **params) -> dict:
        """A hashed call; logs in first, before expiry, and once more if the hash was refused."""
        if self.hash is None or self.clock() - self._hash_at > HASH_LIFETIME - RELOGIN_MARGIN:
            self.login()
        try:
            return self._raw(method, {"hash": self.hash, **params})
        except StadsnetError as exc:
            if not exc.is_auth or exc.http_status != 200:
                raise
            self.login()
            return self._raw(method, {"hash": self.hash, **params})

    # -- methods ----------------------------------------------------------------------------------
    def orders(self, since: str | date) -> list[Order]:
        return [_build(Order, o) for o in self._list("orders", "order", date=str(since))]

    def order_info(self, order_id: int) -> Order:
        return _build(Order, self.call("order_info", id=order_id)["order"])

    def customers(self, since: str | date) -> list[Customer]:
        return [_build(Customer, c) for c in self._list("customers", "customer", date=str(since))]

    def customer_info(self, customer_id: int) -> Customer:
        response = self.call("customer_info", id=customer_id)
        return _build(Customer, {**response["customer"], **(response.get("data") or {})})

    def set_status(self, order_id: int, status: str) -> str:
        return self.call("set_status", id=order_id, status=status)["message"]

    def order_log(self, order_id: int) -> list[LogEntry]:
        return [_build(LogEntry, e) for e in self._list("order_log", "log", id=order_id)]

    def add_message(self, order_id: int, message: str, type: str = "log", *, use_api_user: bool = False) -> str:
        """Type error | alert | system | log. With use_api_user the documented api_user= form is
        used (the API user must have logged in within 20 minutes)."""
        if use_api_user:
            if self.hash is None or self.clock() - self._hash_at > HASH_LIFETIME - RELOGIN_MARGIN:
                self.login()
            return self._raw("add_message", {"api_user": self.api_user, "id": order_id, "message": message,
                                             "type": type})["message"]
        return self.call("add_message", id=order_id, message=message, type=type)["message"]

    def _list(self, method: str, tag: str, **params) -> list[dict]:
        items = self.call(method, **params).get(tag) or []
        return items if isinstance(items, list) else [items]


@dataclass
class Checkpoint:
    """What the workflow has done, saved after every step so a crash resumes where it stopped."""

    since: str = ""
    orders: dict = field(default_factory=dict)  # order id -> {"stage", "status", "attention"}

    @classmethod
    def load(cls, path: str) -> "Checkpoint":
        if not os.path.exists(path):
            return cls()
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
        return cls(since=data.get("since", ""), orders=data.get("orders", {}))

    def save(self, path: str) -> None:
        tmp = path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump({"since": self.since, "orders": self.orders}, fh, indent=1, sort_keys=True)
        os.replace(tmp, path)


Handler = Callable[[Order, Customer], "str | None"]


class TLWorkflow:
    """The documented TL flow (SNP-WF-1): poll `orders` since the last check, read order_info and
    customer_info, set `received`, hand the order to the handler, set the status it returns
    (active/waiting/delivered/cancelled). A delivered order was activated directly (SNP-WF-2): it is
    only recorded. A handler that raises gets an add_message of type `error` (or `alert` for
    NeedsAttention) and the order is flagged for manual follow-up in the checkpoint."""

    def __init__(self, client: StadsnetClient, checkpoint_path: str, *, first_since: str | None = None,
                 today: Callable[[], date] | None = None):
        self.client = client
        self.path = checkpoint_path
        self.first_since = first_since
        self.today = today or date.today

    def run(self, handler: Handler) -> dict:
        cp = Checkpoint.load(self.path)
        since = cp.since or self.first_since or (self.today() - timedelta(days=1)).isoformat()
        started = self.today().isoformat()
        done = {"handled": [], "direct": [], "failed": [], "skipped": 0}
        for order in self.client.orders(since):
            key = str(order.id)
            entry = cp.orders.get(key)
            if entry and entry["stage"] != "received":  # handled before (received = resume it)
                done["skipped"] += 1
                continue
            if not entry and order.status not in ("new", "delivered"):  # read earlier by someone else
                done["skipped"] += 1
                continue
            self._one(order, handler, cp, done)
            cp.save(self.path)
        cp.since = started  # poll from the day we started: same-day orders are deduplicated above
        cp.save(self.path)
        return done

    def _one(self, order: Order, handler: Handler, cp: Checkpoint, done: dict) -> None:
        key = str(order.id)
        order = self.client.order_info(order.id)
        customer = self.client.customer_info(order.customer)
        if order.directly_activated and key not in cp.orders:
            cp.orders[key] = {"stage": "direct", "status": "delivered"}
            handler(order, customer)  # record it in our order system; nothing to set
            done["direct"].append(order.id)
            return
        if order.status == "new":
            self.client.set_status(order.id, "received")
        cp.orders[key] = {"stage": "received", "status": "received"}
        cp.save(self.path)
        try:
            new_status = handler(order, customer)
        except NeedsAttention as exc:
            self._trouble(order, cp, "alert", str(exc), done)
            return
        except Exception as exc:  # the handler's failure is reported on the order, not raised
            self._trouble(order, cp, "error", f"{type(exc).__name__}: {exc}", done)
            return
        if new_status and new_status != "received":
            self.client.set_status(order.id, new_status)
        cp.orders[key] = {"stage": "done", "status": new_status or "received"}
        done["handled"].append(order.id)

    def _trouble(self, order: Order, cp: Checkpoint, mtype: str, text: str, done: dict) -> None:
        self.client.add_message(order.id, text[:500] or "Automatic handling failed", mtype)
        cp.orders[str(order.id)] = {"stage": "failed", "status": "received", "attention": text[:500]}
        done["failed"].append(order.id)

    def update_status(self, order_id: int, status: str) -> None:
        """Keep the status current after the first handling (e.g. active -> delivered)."""
        self.client.set_status(order_id, status)
        cp = Checkpoint.load(self.path)
        cp.orders.setdefault(str(order_id), {"stage": "done"})["status"] = status
        cp.save(self.path)


def parse_order_date(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
