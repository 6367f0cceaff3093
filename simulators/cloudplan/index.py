"""The number index: per tenant and kind, which record ids carry which <number>.

Clients mostly match by number (the bench's getProjects sends ten number matchers). Without the
index every such request decodes the whole collection; with it, one small document and the
matched records. It lives in the store next to the records, so worker processes sharing redis or
sqlite all see the same one, and the model changes it under the same lock (on sqlite: in the same
transaction) as the records. It is derived data: left out of state exports, rebuilt on import.
A missing index (a store written before it existed) only means the slow path: a full scan.
"""
from __future__ import annotations

import bisect

INDEX = "number-index"


def key(tenant: str, kind: str) -> str:
    return f"{kind}/{tenant}"


def build(items) -> dict | None:
    """{number: [ids ascending]} from one tenant's (store key, record) pairs of one kind; None when
    a record is not shaped as the model writes it (an odd import): that tenant and kind then keep
    the full scan, which treats such records exactly as before."""
    if not all(type(r.get("id")) is int and k == str(r["id"]) for k, r in items):
        return None
    idx: dict = {}
    for _k, rec in sorted(items, key=lambda kr: kr[1]["id"]):
        number = rec.get("number")
        if isinstance(number, str):  # other values (a scenario's bare int) are only found by the scan
            idx.setdefault(number, []).append(rec["id"])
    return idx


def move(idx: dict, rec_id: int, old, new) -> None:
    """Record `rec_id` changed its number from `old` to `new` (None: not there)."""
    if isinstance(old, str) and rec_id in idx.get(old, ()):
        idx[old].remove(rec_id)
        if not idx[old]:
            del idx[old]
    if isinstance(new, str):
        ids = idx.setdefault(new, [])
        if rec_id not in ids:
            bisect.insort(ids, rec_id)


def update(state, tenant: str, kind, changes) -> None:
    """After the model wrote records of `kind` (model.Kind): [(id, old number, new number)].
    The caller holds the state lock, so the index changes with the records."""
    changes = [c for c in changes if c[1] != c[2]]
    if not changes:
        return
    k = key(tenant, kind.name)
    idx = state.get(INDEX, k)
    if idx is None:  # no index yet (an older store): build it from the records, already written
        idx = build([(rk, r) for rk, r in state.items(kind.coll) if isinstance(r, dict) and r.get("tenant") == tenant])
        if idx is None:
            return
    else:
        for rec_id, old, new in changes:
            move(idx, rec_id, old, new)
    state.put(INDEX, k, idx)


def rebuild(state, kinds) -> None:
    """Every index from the records: after a state import (which replaced all documents)."""
    with state.lock():
        for kind in kinds:
            groups: dict = {}
            for rk, rec in state.items(kind.coll):
                tenant = rec.get("tenant") if isinstance(rec, dict) else None
                groups.setdefault(tenant if isinstance(tenant, str) else None, []).append((rk, rec))
            for tenant, items in groups.items():
                idx = build(items) if tenant is not None else None
                if idx is not None:
                    state.put(INDEX, key(tenant, kind.name), idx)
