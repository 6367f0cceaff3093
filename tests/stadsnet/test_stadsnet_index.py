"""The order index behind `orders` (simulators/stadsnet/index.py) answers exactly what a scan of all
orders would, on every path that creates or replaces orders: seed, set_status, the generator,
POST /__admin/stadsnet/orders, scenarios, state export/import (also of an export without the index
or with a stale one) and reset. Proves SNP-M-1 (orders created on or after `date`) and SNP-AUTH-4
(a TL sees its own services' orders, a KO its network's) hold through the index; SNP-WF-4, SNP-M-5."""
from __future__ import annotations

import pytest

from simulators.stadsnet.index import COLL
from simulators.stadsnet.model import ORDER_FIELDS

from .snp import KO, TL, TL2, Snp

DATES = ("2000-01-01", "2025-11-20", "2025-12-15", "2026-01-05", "2026-01-06", "2026-02-01")
# Who sees what, spelled out independently of the model (SNP-AUTH-4).
CALLERS = {TL: lambda o: o["xsp"] == 31420, TL2: lambda o: o["xsp"] == 31421, KO: lambda o: o["network"] == "MS"}


@pytest.fixture
def snp(fieldsim):
    fieldsim.set_clock("2026-01-05T09:00:00+01:00")
    return Snp(fieldsim)


def stored_orders(snp) -> list[dict]:
    return list(snp.sim.admin("GET", "state/stadsnet").json()["collections"]["orders"].values())


def check(snp) -> list[dict]:
    """Every caller's poll, for every date, equals the scan of the stored orders (SNP-M-1, SNP-AUTH-4)."""
    hashes = {who: snp.login(who) for who in CALLERS}  # a request: lets the generator catch up first
    orders = stored_orders(snp)
    for who, sees in CALLERS.items():
        for date in DATES:
            expected = sorted((o for o in orders if sees(o) and o["date"][:10] >= date),
                              key=lambda o: (o["date"], o["id"]))
            assert snp.orders(hashes[who], date) == [{k: str(o[k]) for k in ORDER_FIELDS} for o in expected], \
                (who, date)
    model = snp.sim.runtime.apis["stadsnet"].model  # NS has no demo login: ask the model directly
    ns = model.orders({"role": "ko", "network": "NS"}, "2000-01-01")
    assert ns == sorted((o for o in orders if o["network"] == "NS"), key=lambda o: (o["date"], o["id"]))
    return orders


def test_index_follows_every_change_to_the_orders_SNP_M_1_SNP_AUTH_4(snp):
    seeded = check(snp)
    h = snp.login(TL)
    first = snp.orders(h)[0]
    snp.ok(method="set_status", hash=h, id=first["id"], status="waiting")  # SNP-M-5: shows in the poll
    assert next(o for o in check(snp) if str(o["id"]) == first["id"])["status"] == "waiting"

    # SNP-WF-4: generated orders over a midnight, one placed now, scenario orders on old and future days
    r = snp.sim.admin("POST", "scenario", json={"stadsnet": {
        "generator": {"enabled": True, "interval": "PT2H"},
        "customers": [{"id": 880001, "socket": "NS777", "firstname": "Nils", "surname": "Berg"}],
        "orders": [{"customer": 880001, "service": 2450, "date": "2025-11-20 08:00:00"},
                   {"customer": 880001, "service": 2440, "date": "2026-02-01 12:00:00", "status": "delivered"}]}})
    assert r.status_code == 200, r.text
    snp.login(KO)  # starts the generator's count
    snp.sim.advance("PT20H")
    snp.place(service=2441, accessId="MS4711")
    grown = check(snp)
    assert len(grown) >= len(seeded) + 13
    assert {o["date"][:10] for o in grown} >= {"2026-01-05", "2026-01-06", "2025-11-20", "2026-02-01"}

    exported = snp.sim.admin("GET", "state/stadsnet").json()
    assert COLL not in exported["collections"]  # derived data: not part of the export
    assert snp.sim.admin("POST", "reset", params={"api": "stadsnet"}).status_code == 200
    assert check(snp) == seeded
    assert snp.sim.admin("PUT", "state/stadsnet", json=exported).status_code == 200
    assert check(snp) == grown


def test_index_is_rebuilt_after_importing_a_stale_one_SNP_M_1_SNP_AUTH_4(snp):
    """A hand-made state whose index does not list an added order, nor the changed owner of another."""
    live = snp.sim.runtime.apis["stadsnet"].state
    snp.orders(snp.login(TL))
    exported = snp.sim.admin("GET", "state/stadsnet").json()
    exported["collections"][COLL] = {k: v for k, v in live.items(COLL)}
    orders = exported["collections"]["orders"]
    moved = next(o for o in orders.values() if o["xsp"] == 31420)
    moved.update(xsp=31421, service=2450)
    orders["999001"] = {**moved, "id": 999001, "date": "2026-01-05 08:00:00"}
    assert snp.sim.admin("PUT", "state/stadsnet", json=exported).status_code == 200
    rows = check(snp)
    assert moved in rows and any(o["id"] == 999001 for o in rows)
