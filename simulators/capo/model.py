"""CAPO domain core: organisations and tokens, contract areas, projects (AGD, wensdatum, change
stamps) and the log. No Flask, no JSON: wire.py parses and serialises.

Collections: org, token (token -> orgId), contractgebied, project, ba (bijlageAssigned), bijlage,
blob (bytes, base64), activiteit, mic, log. Dates are ISO strings; stamps come from the sim clock.
"""
from __future__ import annotations

import hashlib
import re
from datetime import date, datetime, time as dtime, timedelta

from simulators.core.errors import BadRequest, Forbidden, NotFound, Unauthorized
from simulators.core.model import ApiModel

ROLES = ("netbeheerder", "aannemer")
PROJECT_TYPES = ("Aansluiting", "Hoofdleiding", "Verzwaring", "Verlegging")
WEEK = re.compile(r"^([0-9]{4})-W([0-9]{2})$")  # ASCII digits: \d takes full-width ones too
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def hex_id(seed: int, kind: str, n: int) -> str:
    """24-hex ids like 62c7d159eb277e1b79161430 (CAPO-BA-1), deterministic from seed and counter."""
    return hashlib.sha1(f"{seed}:{kind}:{n}".encode()).hexdigest()[:24]


def org_ref(org: dict) -> dict:
    return {"organisatieId": org["organisatieId"], "naam": org["naam"], "rol": org["rol"]}


def parse_email(value) -> str | None:
    """CAPO-EM-1: optional x-email header on POST/PUT/PATCH; when given it must be an address."""
    if value is None or value == "":
        return None
    if not EMAIL.match(value) or len(value) > 254:
        raise BadRequest("Header x-email must be an email address")
    return value


def parse_when(name: str, text, tz, end: bool = False) -> datetime | None:
    """Query date or date-time (CAPO-HL-3: bad strings -> 400 naming the parameter). A bare date
    means the whole day: From at its start, To up to its end."""
    if text is None:
        return None
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            day = date.fromisoformat(text)
            start = datetime.combine(day + timedelta(days=1) if end else day, dtime(), tz)
            return start - timedelta(microseconds=1) if end else start
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise BadRequest(f"Query parameter {name} must be an ISO 8601 date or date-time, got {text!r}") from None
    return value if value.tzinfo else value.replace(tzinfo=tz)


def iso_week(value: str) -> str:
    """startUitvoeringWeek: an ISO week that exists ('2026-W07'; 2025 has no W53)."""
    m = WEEK.match(value)
    try:
        if m:
            date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
            return value
    except ValueError:
        pass
    raise BadRequest("Field startUitvoeringWeek must be an ISO week like 2026-W07")


UNCHANGED = object()  # a PATCH field left out (null is a value: it clears the field)


def wensdatum(project: dict) -> str | None:
    """CAPO-AGD-4: aanvraagDatum + wachttijd unless the customer's AGD (the first product's agd)
    is later than that; then that agd. No AGD, or an earlier one: aanvraagDatum + wachttijd."""
    if not project.get("aanvraagDatum"):
        return None
    base = date.fromisoformat(project["aanvraagDatum"]) + timedelta(days=project.get("wachttijd") or 0)
    if not project.get("agdRelevant"):
        return base.isoformat()
    produkten = [p for obj in project.get("aansluitObjecten", []) for p in obj.get("produkten", [])]
    agd = produkten[0].get("agd") if produkten else None
    if agd and date.fromisoformat(agd) > base:
        return agd
    return base.isoformat()


class Model(ApiModel):
    """Organisations, projects and the rules on them; bijlagen.py and quickscan.py add the rest."""


    def stamp(self) -> str:
        return self.now().isoformat(timespec="seconds")

    # -- access ------------------------------------------------------------------------------------
    def authenticate(self, header: str | None) -> dict:
        """CAPO-AUTH-1: `Authorization: Bearer <token>`; missing or unknown -> 401."""
        if not header:
            raise Unauthorized("Missing Authorization header: use Authorization: Bearer <token>")
        scheme, _, token = header.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("Authorization header must be: Bearer <token>")
        org_id = self.state.get("token", token.strip())
        org = self.state.get("org", org_id) if org_id else None
        if org is None:
            raise Unauthorized("Invalid or unknown token")
        return org

    def visible(self, org: dict, project: dict) -> bool:
        """CAPO-AUTH-2: an organisation sees only projects it takes part in."""
        return org["organisatieId"] in project.get("deelnemers", [])

    def project(self, org: dict, project_id: int) -> dict:
        """CAPO-AUTH-2: another organisation's project looks exactly like an unknown one (404)."""
        project = self.state.get("project", project_id)
        if project is None or not self.visible(org, project):
            raise NotFound(f"Project {project_id} not found")
        return project

    def is_netbeheerder_of(self, org: dict, project: dict) -> bool:
        return org["rol"] == "netbeheerder" and self.visible(org, project)

    def require_netbeheerder(self, org: dict, what: str) -> None:
        if org["rol"] != "netbeheerder":
            raise Forbidden(f"Only a netbeheerder may {what}")

    def touch(self, project: dict, planning: bool = False) -> None:
        """CAPO-HL-3: every change stamps `changed` with the simulated now; a planning change
        (startUitvoeringWeek) also stamps `planningChanged`. The caller puts the project."""
        project["changed"] = self.stamp()
        if planning:
            project["planningChanged"] = project["changed"]

    # -- reads -------------------------------------------------------------------------------------
    def projects(self, org: dict, project_type: str | None = None, contractgebied: int | None = None,
                 changed_from=None, changed_to=None) -> list[dict]:
        rows = [p for p in self.state.all("project") if self.visible(org, p)]
        if project_type is not None:
            rows = [p for p in rows if p["projectType"] == project_type]
        if contractgebied is not None:
            rows = [p for p in rows if p["contractgebiedId"] == contractgebied]
        rows = [p for p in rows if _in_span(p.get("changed"), changed_from, changed_to)]
        return sorted(rows, key=lambda p: p["projectId"])

    def hoofdleiding(self, org: dict, changed_from=None, changed_to=None,
                     planning_from=None, planning_to=None) -> list[dict]:
        """CAPO-HL-1 (changed in span) and CAPO-HL-2 (planningChanged in span) on main-line projects.
        An empty span (From after To) is a valid question with an empty answer."""
        rows = self.projects(org, "Hoofdleiding", changed_from=changed_from, changed_to=changed_to)
        if planning_from is not None or planning_to is not None:
            rows = [p for p in rows if _in_span(p.get("planningChanged"), planning_from, planning_to)]
        return rows

    def contractgebieden(self, org: dict) -> list[dict]:
        rows = [c for c in self.state.all("contractgebied") if org["organisatieId"] in c["deelnemers"]]
        return sorted(rows, key=lambda c: c["contractgebiedId"])

    def log(self, org: dict, project_id: int) -> list[dict]:
        """CAPO-EM-2: log entries of a project, newest last (API actions and seeded ones)."""
        self.project(org, project_id)
        rows = [e for e in self.state.all("log") if e["projectId"] == project_id]
        return sorted(rows, key=lambda e: (datetime.fromisoformat(e["datum"]), e["seq"]))

    # -- writes ------------------------------------------------------------------------------------
    def patch_project(self, org: dict, project_id: int, week=None, omschrijving=UNCHANGED) -> dict:
        """PATCH /project/{id}: startUitvoeringWeek ('YYYY-Www') and omschrijving, which null clears (CAPO-HL-3)."""
        with self.state.lock():
            project = self.project(org, project_id)
            planning = False
            if week is not None:
                planning = iso_week(week) != project.get("startUitvoeringWeek")
                project["startUitvoeringWeek"] = week
            changed = planning or (omschrijving is not UNCHANGED and omschrijving != project.get("omschrijving"))
            if omschrijving is not UNCHANGED:
                project["omschrijving"] = omschrijving
            if not changed:
                return project  # the values it already has: nothing changed, no new stamp (CAPO-HL-1)
            self.touch(project, planning)
            self.state.put("project", project_id, project)
            return project

    def add_log(self, project_id: int, entry: dict) -> dict:
        seq = self.state.next_id("log")
        entry = {"logEntryId": hex_id(self.api.runtime.config.seed, "log", seq), "seq": seq,
                 "projectId": project_id, "datum": self.stamp(), **entry}
        self.state.put("log", entry["logEntryId"], entry)
        return entry


def _in_span(value: str | None, lo: datetime | None, hi: datetime | None) -> bool:
    if lo is None and hi is None:
        return True
    if not value:
        return False
    when = datetime.fromisoformat(value)
    return (lo is None or when >= lo) and (hi is None or when <= hi)
