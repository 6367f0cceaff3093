"""Deterministic demo data: the three demo API users, two city networks, six services from two
service providers (TL), and customers with orders in every status (config.seed, config.scale).

Seeded orders are dated in a fixed window that ends 2025-12-15, so a test that sets the clock to any
later instant and polls `orders` from that day sees only what it creates itself.
"""
from __future__ import annotations

import random
import threading
from datetime import datetime, timedelta
from functools import lru_cache

from faker import Faker

from simulators.stadsnet.model import LOCAL, Model

USERS = [
    {"id": 1001, "key": "tl-demo-key", "name": "Fibernet Demo AB", "role": "tl", "xsp": 31420},
    {"id": 1002, "key": "tl2-demo-key", "name": "Bredbandsbolaget Test AB", "role": "tl", "xsp": 31421},
    {"id": 2001, "key": "ko-demo-key", "name": "Mälardalens Stadsnät Demo", "role": "ko", "network": "MS"},
]
# Network prefix -> name. "NS" has no demo KO login: its orders show KO isolation (SNP-AUTH-4).
NETWORKS = {"MS": "Mälardalens Stadsnät Demo", "NS": "Norrlands Stadsnät Demo"}
SERVICES = [
    {"id": 2440, "name": "Bredband 100/100", "code": "FN100100", "xsp": 31420},
    {"id": 2441, "name": "Bredband 250/250", "code": "FN250250", "xsp": 31420},
    {"id": 2442, "name": "Bredband 1000/1000", "code": "FN10001000", "xsp": 31420},
    {"id": 2450, "name": "Bredband 500/500", "code": "BB500500", "xsp": 31421},
    {"id": 2451, "name": "IP-TV Bas", "code": "BBTVBAS", "xsp": 31421},
    {"id": 2452, "name": "IP-telefoni", "code": "BBTEL", "xsp": 31421},
]
SCALE_CUSTOMERS = {"small": 40, "medium": 400, "large": 4000}
SEED_END = datetime(2025, 12, 15, 17, 0, tzinfo=LOCAL)
SEED_DAYS = 90
# The path an order takes; a seeded order stops somewhere along it (index into STATUS_PATH).
STATUS_PATH = ("new", "received", "active", "delivered")

_faker = Faker("sv_SE")
_faker_lock = threading.Lock()  # seed_instance + draws must not interleave across threads


def fake_customer(seed: str, network: str, access_number: int) -> dict:
    """A Swedish end customer at an address with an accessId (the `socket` field), e.g. MS10234."""
    with _faker_lock:
        _faker.seed_instance(seed)
        first, last = _faker.first_name(), _faker.last_name()
        ssn = _faker.ssn().replace("-", "")  # YYMMDDNNNN -> 12-digit serial YYYYMMDDNNNN
        domain, street = _faker.free_email_domain(), _faker.street_address()
        zip_code, city = _faker.postcode().replace(" ", ""), _faker.city()
    serial = ("19" if int(ssn[:2]) > 10 else "20") + ssn
    mail = f"{first}.{last}".lower().translate(str.maketrans("åäöéü ", "aaoeu."))
    rng = random.Random(seed)
    phone = "07" + rng.choice("02369") + "".join(str(rng.randint(0, 9)) for _ in range(7))  # a mobile number
    return {"socket": f"{network}{access_number}", "serial": serial, "firstname": first, "surname": last,
            "email": f"{mail}@{domain}", "address": street, "zip": zip_code, "city": city, "phone": phone,
            "premise": str(rng.choice([1001, 1002, 1003, 1101, 1102, 1201, 1202, 1301])), "network": network}


@lru_cache(maxsize=8)
def _plan(seed: int, scale: str) -> tuple:
    """What to seed, computed once per (seed, scale): every reset writes the same documents."""
    rng = random.Random(seed)
    plan = []
    for n in range(SCALE_CUSTOMERS[scale]):
        network = "MS" if rng.random() < 0.8 else "NS"
        at = SEED_END - timedelta(days=rng.uniform(0, SEED_DAYS))
        cust = fake_customer(f"{seed}:{n}", network, 10000 + n)
        services = rng.sample(SERVICES, 2 if rng.random() < 0.3 else 1)
        orders = []
        for svc in services:
            if rng.random() < 0.15:
                orders.append((svc["id"], "delivered", True, "asap"))  # direct activation (SNP-WF-2)
            else:
                step = rng.choice((0, 0, 1, 2, 3, 3, 3, -1))
                status = "cancelled" if step == -1 else STATUS_PATH[step]
                wanted = at + timedelta(days=rng.randint(7, 30))
                delivery = "asap" if rng.random() < 0.5 else wanted.strftime("%Y-%m-%d 00:00:00")
                orders.append((svc["id"], status, False, delivery))
        plan.append((cust, at.isoformat(), tuple(orders)))
    return tuple(plan)


def seed(state, seed_value: int, scale: str) -> None:
    for user in USERS:
        state.put("users", user["id"], user)
    for svc in SERVICES:
        state.put("services", svc["id"], svc)
    model = Model(state, lambda: SEED_END)
    services = {s["id"]: s for s in SERVICES}
    for cust, at_iso, orders in _plan(seed_value, scale):
        at = datetime.fromisoformat(at_iso)
        customer = model.add_customer(dict(cust), at)
        for service_id, status, direct, delivery in orders:
            svc = services[service_id]
            order = model.place_order(customer, svc, at, status="delivered" if direct else "new", delivery=delivery)
            _replay(model, order, status, direct, at)
    _ensure_direct_activation(model, services)
    _ensure_waiting(model)
    model.index.rebuild()  # once, not per order: a fresh state has no index, so place_order skipped it


def _replay(model: Model, order: dict, status: str, direct: bool, at: datetime) -> None:
    """Walk a seeded order through the documented workflow (SNP-WF-1) so its log matches its status."""
    if direct or status == "new":
        return
    tl = _tl_of(order)
    ko = USERS[2]
    path = ["received", "cancelled"] if status == "cancelled" else list(STATUS_PATH[1:STATUS_PATH.index(status) + 1])
    for i, step in enumerate(path):
        who = ko["name"] if step in ("active", "cancelled") and order["network"] == "MS" else tl["name"]
        order["status"] = step
        model._log(order["id"], "system", f"Status changed to {step}", who, at + timedelta(hours=2 * (i + 1)))
    model.state.put("orders", order["id"], order)


def _ensure_waiting(model: Model) -> None:
    """Orders in every status (README): the first active one waits on its TL (pending action from the other party)."""
    orders = sorted(model.state.all("orders"), key=lambda o: o["id"])
    if any(o["status"] == "waiting" for o in orders):
        return
    order = next((o for o in orders if o["status"] == "active"), None)
    if order is None:
        return
    last = model.state.get("logs", order["id"])["entries"][-1]
    at = datetime.strptime(last["date"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=LOCAL) + timedelta(hours=2)
    order["status"] = "waiting"
    model._log(order["id"], "system", "Status changed to waiting", _tl_of(order)["name"], at)
    model.state.put("orders", order["id"], order)


def _tl_of(order: dict) -> dict:
    return next(u for u in USERS if u.get("xsp") == order["xsp"])


def _ensure_direct_activation(model: Model, services: dict) -> None:
    """SNP-WF-2: each demo TL has at least one order that is already delivered on first read."""
    for tl in (u for u in USERS if u["role"] == "tl"):
        mine = [o for o in model.state.all("orders") if o["xsp"] == tl["xsp"] and o["network"] == "MS"]
        if any(o["status"] == "delivered" and len(model.order_log(USERS[2], o["id"])) == 2 for o in mine):
            continue
        svc = next(s for s in services.values() if s["xsp"] == tl["xsp"])
        at = SEED_END - timedelta(days=1)
        customer = model.add_customer(fake_customer(f"direct:{tl['id']}", "MS", 19000 + tl["id"] % 100), at)
        model.place_order(customer, svc, at, status="delivered")
