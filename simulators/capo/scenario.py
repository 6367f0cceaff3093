"""POST /__admin/scenario {"capo": {...}}: add organisations, contract areas and projects given in
CAPO's wire format. Shape (every key optional):

    organisaties:    [{organisatieId, naam, rol: netbeheerder|aannemer, token}]
    contractgebieden:[{contractgebiedId, naam, agdRelevant, wachttijd, deelnemers: [organisatieId]}]
    projects:        [{projectId, projectType, naam, contractgebiedId, aanvraagDatum, startUitvoeringWeek,
                       changed, planningChanged, deelnemers: [organisatieId] (default: the area's),
                       aansluitObjecten: [{aansluitObjectId, adres: {...}, produkten: [{produktId, discipline, agd}]}],
                       bijlageAssigned: [{naam, assignedTo: organisatieId, requiresReview, deadline}]}]

Every entry is checked before anything is written (400 naming it). Entities are added, never
replaced: an id or token that exists (or comes twice) is refused, so a demo token cannot change hands.
"""
from __future__ import annotations

from datetime import date, datetime

from simulators.core.errors import AdminError, BadRequest
from simulators.capo.model import PROJECT_TYPES, ROLES, hex_id, iso_week, org_ref

SECTIONS = ("organisaties", "contractgebieden", "projects")


def _fail(where: str, problem: str):
    raise AdminError(f"capo scenario: {where} {problem}")


def _need(doc: dict, key: str, kind, where: str):
    value = doc.get(key)
    if not isinstance(value, kind) or isinstance(value, bool) and kind is int:
        _fail(f"{where}.{key}", f"is required ({kind.__name__})")
    return value


def _opt(doc: dict, key: str, kind, where: str, default=None):
    value = doc.get(key)
    if value is None:
        return default
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        _fail(f"{where}.{key}", f"must be a {kind.__name__}")
    return value


def _day(value, where: str) -> str | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except (TypeError, ValueError):
        _fail(where, f"must be an ISO date such as 2026-06-01 (got {value!r})")


def _stamp(api, value, where: str) -> str | None:
    """As the API stamps: the simulator's zone, whole seconds (a naive time is read in that zone)."""
    if value is None:
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (AttributeError, ValueError):
        _fail(where, f"must be an ISO 8601 date-time (got {value!r})")
    tz = api.clock.tz
    return (when.astimezone(tz) if when.tzinfo else when.replace(tzinfo=tz)).isoformat(timespec="seconds")


def _rows(value, where: str) -> list:
    rows = value or []
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        _fail(where, "must be a list of objects")
    return rows


def _each(payload: dict, section: str, check) -> list:
    """check(row, "section[i]") for each row of a section, in order."""
    return [check(row, f"{section}[{i}]") for i, row in enumerate(_rows(payload.get(section), section))]


class _Ids:
    """Ids (and tokens) a scenario adds: each must be new to the state and to the scenario."""

    def __init__(self, state):
        self.state, self.seen = state, set()

    def new(self, coll: str, key, where: str):
        if (coll, key) in self.seen or self.state.get(coll, key) is not None:
            _fail(where, f"{key!r} exists already (a scenario adds; reset first to load it again)")
        self.seen.add((coll, key))
        return key


def load(api, payload) -> dict:
    if not isinstance(payload, dict):
        raise AdminError("capo scenario: expected an object with organisaties / contractgebieden / projects")
    unknown = sorted(set(payload) - set(SECTIONS))
    if unknown:
        raise AdminError(f"capo scenario: unknown key(s) {unknown}; use {', '.join(SECTIONS)}")
    state, added = api.state, {"organisaties": 0, "contractgebieden": 0, "projects": 0, "bijlageAssigned": 0}
    with state.lock():
        ids = _Ids(state)
        orgs = _each(payload, "organisaties", lambda o, where: _org(o, ids, where))
        known = lambda oid: any(o["organisatieId"] == oid for o, _ in orgs) or state.get("org", oid) is not None
        areas = _each(payload, "contractgebieden", lambda c, where: _area(c, ids, known, where))
        area_of = {a["contractgebiedId"]: a for a in areas}
        projects = _each(payload, "projects", lambda p, where: _project(api, p, ids, area_of, where))
        for org, token in orgs:  # all checked: now write
            state.put("org", org["organisatieId"], org)
            state.put("token", token, org["organisatieId"])
        for area in areas:
            state.put("contractgebied", area["contractgebiedId"], area)
        for doc, assigned in projects:
            state.put("project", doc["projectId"], doc)
            added["bijlageAssigned"] += _assign(api, doc, assigned)
        added.update(organisaties=len(orgs), contractgebieden=len(areas), projects=len(projects))
    return {"added": added}


def _org(o: dict, ids: _Ids, where: str) -> tuple[dict, str]:
    oid = ids.new("org", _need(o, "organisatieId", int, where), f"{where}.organisatieId")
    token = ids.new("token", _need(o, "token", str, where), f"{where}.token")
    if o.get("rol") not in ROLES:
        _fail(f"{where}.rol", f"must be one of {ROLES}")
    return {"organisatieId": oid, "naam": _need(o, "naam", str, where), "rol": o["rol"]}, token


def _members(value, known, where: str) -> list[int]:
    if not isinstance(value, list) or not all(isinstance(x, int) and not isinstance(x, bool) for x in value):
        _fail(where, "must be a list of organisatieIds")
    for oid in value:
        if not known(oid):
            _fail(where, f"names {oid}, which is no known organisatieId")
    return list(value)


def _area(c: dict, ids: _Ids, known, where: str) -> dict:
    gid = ids.new("contractgebied", _need(c, "contractgebiedId", int, where), f"{where}.contractgebiedId")
    wachttijd = _wachttijd(c, where, 91)
    return {"contractgebiedId": gid, "naam": _need(c, "naam", str, where),
            "agdRelevant": _opt(c, "agdRelevant", bool, where, False), "wachttijd": wachttijd,
            "deelnemers": _members(c.get("deelnemers") or [], known, f"{where}.deelnemers")}


def _project(api, p: dict, ids: _Ids, area_of: dict, where: str) -> tuple[dict, list]:
    pid = ids.new("project", _need(p, "projectId", int, where), f"{where}.projectId")
    gid = _need(p, "contractgebiedId", int, where)
    g = area_of.get(gid) or api.state.get("contractgebied", gid)
    if g is None:
        _fail(f"{where}.contractgebiedId", f"{gid} is unknown")
    kind = p.get("projectType", "Aansluiting")
    if kind not in PROJECT_TYPES:
        _fail(f"{where}.projectType", f"must be one of {PROJECT_TYPES}")
    deelnemers = _members(p.get("deelnemers") or g["deelnemers"], lambda oid: oid in g["deelnemers"],
                          f"{where}.deelnemers (of contract area {gid})")  # CAPO-AUTH-2: only the area's
    week = _opt(p, "startUitvoeringWeek", str, where)
    try:
        week = None if week is None else iso_week(week)
    except BadRequest as exc:
        _fail(f"{where}:", exc.message)
    wachttijd = _wachttijd(p, where, g["wachttijd"])
    doc = {"projectId": pid, "projectType": kind, "naam": _opt(p, "naam", str, where) or f"{kind} {pid}",
           "omschrijving": _opt(p, "omschrijving", str, where), "status": _opt(p, "status", str, where, "Quickscan"),
           "contractgebiedId": gid, "contractgebied": g["naam"], "deelnemers": deelnemers,
           "aanvraagDatum": _day(p.get("aanvraagDatum"), f"{where}.aanvraagDatum") or api.now().date().isoformat(),
           "wachttijd": wachttijd, "agdRelevant": _opt(p, "agdRelevant", bool, where, g["agdRelevant"]),
           "startUitvoeringWeek": week,
           "changed": _stamp(api, p.get("changed"), f"{where}.changed") or api.now().isoformat(timespec="seconds"),
           "planningChanged": _stamp(api, p.get("planningChanged"), f"{where}.planningChanged"),
           "quickscan": {"afgerond": False, "afgerondOp": None, "hoofdleidingAanleggen": False,
                         "hoofdleidingOpmerking": None, "extraWerkvoorbereiding": False},
           "aansluitObjecten": _objects(p.get("aansluitObjecten"), f"{where}.aansluitObjecten")}
    _one_agd(doc, f"{where}.aansluitObjecten")
    assigned = _rows(p.get("bijlageAssigned"), f"{where}.bijlageAssigned")
    for j, spec in enumerate(assigned):
        w = f"{where}.bijlageAssigned[{j}]"
        if spec.get("assignedTo") not in deelnemers:
            _fail(f"{w}.assignedTo", "must be an organisatieId taking part in the project")
        _opt(spec, "naam", str, w), _opt(spec, "omschrijving", str, w), _opt(spec, "requiresReview", bool, w)
        _day(spec.get("deadline"), f"{w}.deadline")
    return doc, assigned


def _objects(value, where: str) -> list:
    """aansluitObjecten as given, with each product's agd an ISO date or null (CAPO-AGD-4 reads it)."""
    objs = _rows(value, where)
    for i, obj in enumerate(objs):
        for j, prod in enumerate(_rows(obj.get("produkten"), f"{where}[{i}].produkten")):
            _day(prod.get("agd"), f"{where}[{i}].produkten[{j}].agd")
    return objs


def _wachttijd(doc: dict, where: str, default: int) -> int:
    """CAPO-AGD-4 adds it to aanvraagDatum: whole days, 0 to 3650 (99999999 overflowed every GET)."""
    days = _opt(doc, "wachttijd", int, where, default)
    if not 0 <= days <= 3650:
        _fail(f"{where}.wachttijd", "must be 0 to 3650 days")
    return days


def _one_agd(project: dict, where: str) -> None:
    """CAPO-AGD-3: all agd values of a project are equal (or all empty); CAPO-AGD-1: a project
    whose contract area does not use AGD has none."""
    agds = {prod.get("agd") for obj in project["aansluitObjecten"] for prod in obj.get("produkten") or []}
    if len(agds) > 1:
        _fail(f"{where}[].produkten[].agd",
              f"must be the same for every product of a project (CAPO-AGD-3), not {sorted(agds, key=str)}")
    if not project["agdRelevant"] and agds - {None}:
        _fail(f"{where}[].produkten[].agd", "must be empty: AGD is not used on this project (agdRelevant false)")


def _assign(api, project: dict, assigned: list) -> int:
    state, now = api.state, api.now().isoformat(timespec="seconds")
    for spec in assigned:
        seq = state.next_id("ba", 1)
        ba_id = hex_id(api.runtime.config.seed, "ba", seq)
        state.put("ba", ba_id, {"bijlageAssignedId": ba_id, "seq": seq, "projectId": project["projectId"],
                                "naam": spec.get("naam") or "Bijlage", "omschrijving": spec.get("omschrijving"),
                                "assignedTo": org_ref(state.get("org", spec["assignedTo"])),
                                "requiresReview": bool(spec.get("requiresReview")), "status": "assigned",
                                "deadline": _day(spec.get("deadline"), "deadline"), "reden": None,
                                "aangemaakt": now, "gewijzigd": now, "acts": []})
    return len(assigned)
