"""POST /__admin/scenario {"capo": {...}}: add organisations, contract areas and projects given in
CAPO's wire format. Shape (every key optional):

    organisaties:    [{organisatieId, naam, rol: netbeheerder|aannemer, token}]
    contractgebieden:[{contractgebiedId, naam, agdRelevant, wachttijd, deelnemers: [organisatieId]}]
    projects:        [{projectId, projectType, naam, contractgebiedId, aanvraagDatum, startUitvoeringWeek,
                       changed, planningChanged, deelnemers: [organisatieId] (default: the area's),
                       aansluitObjecten: [{aansluitObjectId, adres: {...}, produkten: [{produktId, discipline, agd}]}],
                       bijlageAssigned: [{naam, assignedTo: organisatieId, requiresReview}]}]
"""
from __future__ import annotations

from datetime import date, datetime

from simulators.core.errors import AdminError
from simulators.capo.model import PROJECT_TYPES, ROLES, hex_id, org_ref


def _need(doc: dict, key: str, kind, where: str):
    value = doc.get(key)
    if not isinstance(value, kind) or isinstance(value, bool) and kind is int:
        raise AdminError(f"capo scenario: {where}.{key} is required ({kind.__name__})")
    return value


def load(api, payload) -> dict:
    if not isinstance(payload, dict):
        raise AdminError("capo scenario: expected an object with organisaties / contractgebieden / projects")
    state, added = api.state, {"organisaties": 0, "contractgebieden": 0, "projects": 0, "bijlageAssigned": 0}
    with state.lock():
        for i, o in enumerate(payload.get("organisaties") or []):
            where = f"organisaties[{i}]"
            oid, token = _need(o, "organisatieId", int, where), _need(o, "token", str, where)
            if o.get("rol") not in ROLES:
                raise AdminError(f"capo scenario: {where}.rol must be one of {ROLES}")
            state.put("org", oid, {"organisatieId": oid, "naam": _need(o, "naam", str, where), "rol": o["rol"]})
            state.put("token", token, oid)
            added["organisaties"] += 1
        for i, c in enumerate(payload.get("contractgebieden") or []):
            where = f"contractgebieden[{i}]"
            gid = _need(c, "contractgebiedId", int, where)
            state.put("contractgebied", gid, {"contractgebiedId": gid, "naam": _need(c, "naam", str, where),
                                              "agdRelevant": bool(c.get("agdRelevant")), "wachttijd": int(c.get("wachttijd", 91)),
                                              "deelnemers": [int(x) for x in c.get("deelnemers") or []]})
            added["contractgebieden"] += 1
        for i, p in enumerate(payload.get("projects") or []):
            added["bijlageAssigned"] += _project(api, p, f"projects[{i}]")
            added["projects"] += 1
    return {"added": added}


def _project(api, p: dict, where: str) -> int:
    state, now = api.state, api.now().isoformat(timespec="seconds")
    pid, gid = _need(p, "projectId", int, where), _need(p, "contractgebiedId", int, where)
    g = state.get("contractgebied", gid)
    if g is None:
        raise AdminError(f"capo scenario: {where}.contractgebiedId {gid} is unknown")
    kind = p.get("projectType", "Aansluiting")
    if kind not in PROJECT_TYPES:
        raise AdminError(f"capo scenario: {where}.projectType must be one of {PROJECT_TYPES}")
    try:
        aanvraag = date.fromisoformat(p.get("aanvraagDatum") or api.now().date().isoformat()).isoformat()
        for key in ("changed", "planningChanged"):
            if p.get(key):
                datetime.fromisoformat(p[key])
    except (TypeError, ValueError):
        raise AdminError(f"capo scenario: {where}: dates must be ISO 8601") from None
    doc = {"projectId": pid, "projectType": kind, "naam": p.get("naam") or f"{kind} {pid}",
           "omschrijving": p.get("omschrijving"), "status": p.get("status", "Quickscan"),
           "contractgebiedId": gid, "contractgebied": g["naam"],
           "deelnemers": [int(x) for x in p.get("deelnemers") or g["deelnemers"]],
           "aanvraagDatum": aanvraag, "wachttijd": int(p.get("wachttijd", g["wachttijd"])),
           "agdRelevant": bool(p.get("agdRelevant", g["agdRelevant"])),
           "startUitvoeringWeek": p.get("startUitvoeringWeek"), "changed": p.get("changed") or now,
           "planningChanged": p.get("planningChanged"),
           "quickscan": {"afgerond": False, "afgerondOp": None, "hoofdleidingAanleggen": False,
                         "hoofdleidingOpmerking": None, "extraWerkvoorbereiding": False},
           "aansluitObjecten": p.get("aansluitObjecten") or []}
    state.put("project", pid, doc)
    count = 0
    for j, spec in enumerate(p.get("bijlageAssigned") or []):
        org = state.get("org", spec.get("assignedTo"))
        if org is None:
            raise AdminError(f"capo scenario: {where}.bijlageAssigned[{j}].assignedTo is not a known organisatieId")
        seq = state.next_id("ba", 1)
        ba_id = hex_id(api.runtime.config.seed, "ba", seq)
        state.put("ba", ba_id, {"bijlageAssignedId": ba_id, "seq": seq, "projectId": pid,
                                "naam": spec.get("naam") or "Bijlage", "omschrijving": spec.get("omschrijving"),
                                "assignedTo": org_ref(org), "requiresReview": bool(spec.get("requiresReview")),
                                "status": "assigned", "deadline": spec.get("deadline"), "reden": None,
                                "aangemaakt": now, "gewijzigd": now, "acts": []})
        count += 1
    return count
