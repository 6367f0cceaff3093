"""Stadsnätsportalen Atlas "serviceguide_log" (Tjänsteguiden orders): entities and rules.

No Flask, no XML/JSON here. Documents in the State:
- users     api_user -> {id, key, name, role: tl|ko, xsp (tl) | network (ko)}
- services  id -> {id, name, code, xsp}
- customers id -> {id, socket (the accessId), serial, firstname, surname, email, address, zip, city,
                   phone, premise, date, network}
- orders    id -> {id, type, date, status, service, xsp, delivery, customer, network}
- logs      order id -> {entries: [{id, date, type, message, user}]}
- order_index  order ids per owner and creation day, for `orders` polls (index.py; not exported)
- sessions  hash -> {user, expires};  logins  api_user -> {at}  (SNP-AUTH-1/3)
- meta      generator -> {last, count};  generator_config -> {enabled, interval}
"""
from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from simulators.core.errors import BadRequest, NotFound, Unauthorized
from simulators.stadsnet.index import OrderIndex

LOCAL = ZoneInfo("Europe/Stockholm")
HASH_LIFETIME = timedelta(minutes=20)
STATUSES = ("new", "received", "active", "waiting", "cancelled", "delivered")
MESSAGE_TYPES = ("error", "alert", "system", "log")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DELIVERY_RE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
ORDER_FIELDS = ("id", "type", "date", "status", "service", "xsp", "delivery", "customer")
CUSTOMER_LIST_FIELDS = ("id", "socket", "serial", "firstname", "surname", "date")
CUSTOMER_FIELDS = ("id", "socket", "serial", "firstname", "surname", "email", "address", "zip", "city")
SCAN_SHARE = 4  # `orders` reads all orders in one scan once it answers more than a quarter of them


def order_time(dt: datetime) -> str:
    """SNP-M-1: order dates are "YYYY-MM-DD HH:MM:SS", Swedish local time."""
    return dt.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M:%S")


def customer_time(dt: datetime) -> str:
    """SNP-M-3: customer dates are "YYYY-MM-DD HH:MM"."""
    return dt.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M")


def parse_date(value: str) -> str:
    """SNP-M-1, SNP-M-3: the `date` filter is a calendar date YYYY-MM-DD."""
    if not DATE_RE.match(value or ""):
        raise BadRequest(f"Invalid date '{value}': expected YYYY-MM-DD", field="date")
    try:
        datetime.strptime(value, "%Y-%m-%d")
    except ValueError:
        raise BadRequest(f"Invalid date '{value}': expected YYYY-MM-DD", field="date") from None
    return value


def parse_id(text: str) -> int | None:
    """An id parameter (order, customer, api_user): 1-15 ASCII digits, leading zeros allowed; None else.
    ASCII: str.isdigit() takes any script's digits."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 15 else None


class Model:
    def __init__(self, state, now):
        self.state = state
        self.now = now  # the SimClock's now(): the only source of time for every rule here
        self.index = OrderIndex(state, self.owners, self.day)

    # -- access ------------------------------------------------------------------------------
    def login(self, api_user: str, api_key: str) -> tuple[str, dict]:
        """SNP-AUTH-1: api_login(api_user, api_key) -> a 32-hex hash valid for 20 minutes."""
        user = self.state.get("users", parse_id(api_user))
        if user is None or not secrets.compare_digest(str(user["key"]), api_key):
            raise Unauthorized("Login failed: unknown api_user or wrong api_key")
        now = self.now()
        hash_key = secrets.token_hex(16)
        with self.state.lock():
            self._prune_sessions(now)
            self.state.put("sessions", hash_key, {"user": user["id"], "expires": (now + HASH_LIFETIME).timestamp()})
            self.state.put("logins", user["id"], {"at": now.timestamp()})
        return hash_key, user

    def _prune_sessions(self, now: datetime) -> None:
        for key, sess in self.state.items("sessions"):
            if sess["expires"] <= now.timestamp():
                self.state.delete("sessions", key)

    def user_by_hash(self, hash_key: str) -> dict:
        """SNP-AUTH-2: every method takes the login hash; unknown or expired -> error."""
        sess = self.state.get("sessions", hash_key) if hash_key else None
        if sess is None or sess["expires"] <= self.now().timestamp():
            raise Unauthorized("Invalid or expired hash: call api_login() for a new one")
        return self.state.get("users", sess["user"])

    def user_by_api_user(self, api_user: str) -> dict:
        """SNP-AUTH-3 [decision]: add_message's documented api_user= works for a user who has
        logged in (api_login) within the last 20 minutes."""
        login = self.state.get("logins", parse_id(api_user))
        if login is None or login["at"] + HASH_LIFETIME.total_seconds() <= self.now().timestamp():
            raise Unauthorized(f"api_user {api_user} has not logged in within the last 20 minutes: "
                               "call api_login() first")
        return self.state.get("users", parse_id(api_user))

    def expire_all(self) -> None:
        with self.state.lock():
            for key, _ in self.state.items("sessions"):
                self.state.delete("sessions", key)
            for key, _ in self.state.items("logins"):
                self.state.delete("logins", key)

    # -- tenancy -----------------------------------------------------------------------------
    @staticmethod
    def owner(user: dict) -> str:
        """SNP-AUTH-4: a TL sees orders for its own services (xsp), a KO the orders in its network."""
        return f"xsp:{user['xsp']}" if user["role"] == "tl" else f"network:{user['network']}"

    @staticmethod
    def owners(order: dict) -> tuple[str, str]:
        """SNP-AUTH-4: the two callers that see an order: its service provider and its network."""
        return f"xsp:{order['xsp']}", f"network:{order['network']}"

    @staticmethod
    def day(order: dict) -> str:
        """SNP-M-1: the calendar day an order was created, what the `date` filter compares."""
        return order["date"][:10]

    @classmethod
    def sees(cls, user: dict, order: dict) -> bool:
        """SNP-AUTH-4 in terms of owner keys, the same keys the order index files orders under."""
        return cls.owner(user) in cls.owners(order)

    def visible_order(self, user: dict, order_id: int) -> dict:
        """SNP-AUTH-4: another tenant's order answers exactly like an unknown id."""
        order = self.state.get("orders", order_id)
        if order is None or not self.sees(user, order):
            raise NotFound(f"No order with id {order_id}")
        return order

    def _customer_visible(self, user: dict, customer: dict) -> bool:
        if user["role"] == "ko":
            return customer["network"] == user["network"]
        return any(o["customer"] == customer["id"] and self.sees(user, o) for o in self.state.all("orders"))

    # -- methods -------------------------------------------------------------------------------
    def orders(self, user: dict, date: str) -> list[dict]:
        """SNP-M-1: the caller's orders created on or after `date`, oldest first."""
        since = parse_date(date)
        # The index holds exactly the ids of sees(user, o) and day(o) >= since: decode only those.
        ids = self.index.ids(self.owner(user), since)
        if ids and len(ids) * SCAN_SHARE > self.state.count("orders"):
            # a large share of all orders: one scan is cheaper than a read per order (on redis each
            # read is a round trip)
            wanted = set(ids)
            found = [o for o in self.state.all("orders") if o["id"] in wanted]
        else:
            found = [self.state.get("orders", i) for i in ids]
        return sorted(found, key=lambda o: (o["date"], o["id"]))

    def order_info(self, user: dict, order_id: int) -> dict:
        """SNP-M-2: one order in full; SNP-WF-2: an order may already be `delivered` (direct activation)."""
        return self.visible_order(user, order_id)

    def customers(self, user: dict, date: str) -> list[dict]:
        """SNP-M-3: customers created on or after `date` that the caller may see."""
        since = parse_date(date)
        if user["role"] == "tl":
            mine = {o["customer"] for o in self.state.all("orders") if self.sees(user, o)}
            found = [c for c in self.state.all("customers") if c["id"] in mine and c["date"][:10] >= since]
        else:
            found = [c for c in self.state.all("customers")
                     if c["network"] == user["network"] and c["date"][:10] >= since]
        return sorted(found, key=lambda c: (c["date"], c["id"]))

    def customer_info(self, user: dict, customer_id: int) -> dict:
        """SNP-M-4: one customer with contact data; another tenant's customer looks unknown."""
        customer = self.state.get("customers", customer_id)
        if customer is None or not self._customer_visible(user, customer):
            raise NotFound(f"No customer with id {customer_id}")
        return customer

    def set_status(self, user: dict, order_id: int, status: str) -> dict:
        """SNP-M-5: status must be one of the six documented values; otherwise the order is unchanged.
        SNP-M-6: every status change also writes a log entry. SNP-WF-3: the KO may set any status too."""
        if status not in STATUSES:
            raise BadRequest(f"Invalid status '{status}': valid values are {', '.join(STATUSES)}", field="status")
        with self.state.lock():
            order = self.visible_order(user, order_id)
            order["status"] = status
            self.state.put("orders", order_id, order)
            self._log(order_id, "system", f"Status changed to {status}", user["name"])
        return order

    def order_log(self, user: dict, order_id: int) -> list[dict]:
        """SNP-M-7: the order's log (status changes and messages), the same for TL and KO."""
        self.visible_order(user, order_id)
        return (self.state.get("logs", order_id) or {"entries": []})["entries"]

    def add_message(self, user: dict, order_id: int, message: str, mtype: str) -> dict:
        """SNP-M-8: a log message of type error, alert, system or log; other types are refused."""
        if mtype not in MESSAGE_TYPES:
            raise BadRequest(f"Invalid type '{mtype}': valid values are {', '.join(MESSAGE_TYPES)}", field="type")
        if not message.strip():
            raise BadRequest("Missing parameter: message", field="message")
        with self.state.lock():
            self.visible_order(user, order_id)
            return self._log(order_id, mtype, message, user["name"])

    def _log(self, order_id: int, mtype: str, message: str, who: str, at: datetime | None = None) -> dict:
        entry = {"id": self.state.next_id("log"), "date": order_time(at or self.now()), "type": mtype,
                 "message": message, "user": who}
        doc = self.state.get("logs", order_id) or {"entries": []}
        doc["entries"].append(entry)
        self.state.put("logs", order_id, doc)
        return entry

    # -- the end-customer side (Tjänsteguiden) ------------------------------------------------------
    def _fresh_id(self, coll: str, counter: str, start: int) -> int:
        """The next counter value not taken by an id a scenario chose itself."""
        while True:
            value = self.state.next_id(counter, start)
            if self.state.get(coll, value) is None:
                return value

    def add_customer(self, data: dict, at: datetime) -> dict:
        customer = {**data, "id": data.get("id") or self._fresh_id("customers", "customer", 10573),
                    "date": data.get("date") or customer_time(at)}
        self.state.put("customers", customer["id"], customer)
        return customer

    def place_order(self, customer: dict, service: dict, at: datetime, *, status: str = "new",
                    delivery: str = "asap", order_id: int | None = None) -> dict:
        """SNP-WF-4: an end customer's order for one service (one order per service). An order that
        arrives as `delivered` was activated directly (SNP-WF-2)."""
        order = {"id": order_id or self._fresh_id("orders", "order", 19530), "type": "order", "date": order_time(at),
                 "status": status, "service": service["id"], "xsp": service["xsp"], "delivery": delivery,
                 "customer": customer["id"], "network": customer["network"]}
        self.state.put("orders", order["id"], order)
        self.index.add(order)
        self._log(order["id"], "system", f"Order placed in Tjänsteguiden: {service['name']} at {customer['socket']}",
                  "Tjänsteguiden", at)
        if status == "delivered":
            self._log(order["id"], "system", "Direct activation: service activated on order", "Tjänsteguiden", at)
        return order
