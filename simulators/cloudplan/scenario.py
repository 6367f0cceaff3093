"""POST /__admin/scenario {"cloudplan": {...}}: add entities in Cloudplan's own field names.

    {"tenant": "demo",                        # optional, default the demo account's organisation
     "departments": [{"number": "AFD-09", "name": "Noord"}],
     "customers":   [{"number": "KLANT-09", "name": "Gemeente X"}],
     "resources":   [{"number": "2001", "name": "Piet", "department": {"number": "AFD-09"}}],
     "projects":    [{"number": "PROJ-90", "description": "X", "customer": {"number": "KLANT-09"},
                      "start": "2026-01-01", "end": "2026-06-30"}],
     "planning":    [{"number": "PL-90", "project": {"number": "PROJ-90"}, "resource": {"number": "2001"},
                      "start": "2026-01-05T08:00:00", "end": "2026-01-05T17:00:00"}]}

A reference is {"number": …}, {"id": …} or a bare id. Validations (CP-V-1) apply.
"""
from __future__ import annotations

from simulators.core.errors import AdminError
from simulators.cloudplan.envelope import Fault
from simulators.cloudplan.model import KINDS, TENANTS, Cloudplan, Matcher
from simulators.cloudplan.wire import parse_scalar

ORDER = ("department", "customer", "resource", "project", "planning")


def load(api, payload) -> dict:
    if not isinstance(payload, dict):
        raise AdminError("cloudplan: scenario must be an object with lists per entity kind")
    tenant = payload.get("tenant", "demo")
    if not isinstance(tenant, str) or tenant not in TENANTS:
        raise AdminError(f"cloudplan: unknown tenant {tenant!r}")
    unknown = set(payload) - {"tenant"} - {KINDS[k].coll for k in ORDER}
    if unknown:
        raise AdminError(f"cloudplan: unknown keys {sorted(unknown)}; use {[KINDS[k].coll for k in ORDER]}")
    model = Cloudplan(api)
    added = {}
    with api.state.lock():
        for kind in ORDER:
            for item in _listed(payload, KINDS[kind].coll):
                try:
                    new_id = model.add(tenant, kind, _values(model, tenant, kind, item))
                except (ValueError, TypeError) as exc:
                    raise AdminError(f"cloudplan: {exc}") from None
                added.setdefault(KINDS[kind].coll, []).append(new_id)
    return {"added": added}


def _listed(payload: dict, coll: str) -> list:
    items = payload.get(coll)
    if items is not None and not isinstance(items, list):
        raise AdminError(f"cloudplan: {coll} must be a list of objects")
    return items or []


def _values(model, tenant, kind, item) -> dict:
    if not isinstance(item, dict):
        raise AdminError(f"cloudplan: each {kind} must be an object")
    types = dict(KINDS[kind].fields)
    out = {}
    for name, value in item.items():
        typ = types.get(name)
        if typ is None or name == "id":
            raise AdminError(f"cloudplan: {kind} has no field {name!r}")
        if typ.startswith("ref:") and isinstance(value, dict):
            found = model.match(tenant, Matcher(typ[4:], id=value.get("id"), number=value.get("number")))
            if len(found) != 1:
                raise AdminError(f"cloudplan: {kind}.{name} {value} matches {len(found)} records, need 1")
            value = found[0]["id"]
        elif value is None and typ == "str":  # a push sends text; null broke the validations (500)
            raise AdminError(f"cloudplan: {kind}.{name} must be text, not null")
        elif value is not None:
            value = _scalar(kind, name, "int" if typ.startswith("ref") else typ, value)
            if typ.startswith("ref:") and value and not model.match(tenant, Matcher(typ[4:], id=value)):
                raise AdminError(f"cloudplan: {kind}.{name}: no {typ[4:]} with id {value} in tenant {tenant!r}")
        out[name] = value
    return out


def _scalar(kind: str, name: str, typ: str, value):
    """A JSON value read as a push reads the same text (parse_scalar): a scenario stores what a
    push would, or is refused as a push would be (a number given for `number` is its text)."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, (str, int, float)):
        text = str(value)
    else:
        raise AdminError(f"cloudplan: {kind}.{name} must be a {typ}, not {type(value).__name__}")
    try:
        return parse_scalar(text, typ, name)
    except Fault as exc:
        raise AdminError(f"cloudplan: {kind}.{name}: {exc.message}") from None
