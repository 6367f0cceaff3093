"""Cloudplan: entities, the matcher engine, validations, sessions. No Flask, no XML.

Entities are flat JSON documents in one collection per kind, scoped by `tenant`; a reference to
another entity is stored as its integer id (0 = unset, CP-R-2).
"""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from simulators.cloudplan import index

TOKEN_LIFETIME = timedelta(minutes=60)  # CP-AUTH-4 [decision]
LOCK_AFTER = 5                          # CP-AUTH-3: failed logins in a row
LOCK_FOR = timedelta(minutes=15)        # CP-AUTH-3

# username -> (password, tenant). CP-AUTH-1: demo/demo is the documented planner account; demo2 is a
# second organisation so tenant isolation can be tested.
USERS = {"demo": ("demo", "demo"), "demo2": ("demo2", "demo2")}
TENANTS = tuple(sorted({tenant for _password, tenant in USERS.values()}))

DATE_OPERATORS = ("EQUALS_TIME", "EQUALS_DATE", "AFTER_OR_EQUAL_TIME", "AFTER_OR_EQUAL_DATE",
                  "AFTER_TIME", "AFTER_DATE", "BEFORE_OR_EQUAL_TIME", "BEFORE_OR_EQUAL_DATE",
                  "BEFORE_TIME", "BEFORE_DATE")
POLICIES = ("FAIL", "SKIP")
MULTIPLE = "Multiple results found for this matcher."
# On redis every read is a network round trip (~0.15 ms) and one scan of a collection costs about
# six of them (155 projects, measured): a get with more matchers than this scans, once, instead.
REMOTE_LOOKUPS = 4


@dataclass(frozen=True)
class Kind:
    """One entity kind: its fields in the provider's order, and what its matcher may hold."""

    name: str                 # element name of an entity: project
    coll: str                 # collection and service: projects
    plural: str               # operation suffix: getProjects
    fields: tuple             # (name, type); type: str int float bool date datetime ref:<kind>|ref
    nested: tuple = ()        # matcher children <xMatcher> -> (field, kind)  (CP-M-3)
    dates: tuple = ()         # fields a matcher may compare with an operator (CP-M-5)
    in_use_by: tuple = ()     # (kind, field): deleting is refused while referenced (CP-V-1)


KINDS = {k.name: k for k in (
    Kind("department", "departments", "Departments",
         (("id", "int"), ("number", "str"), ("name", "str"), ("hidden", "bool"))),
    Kind("customer", "customers", "Customers",
         (("id", "int"), ("number", "str"), ("name", "str"), ("address", "str"), ("postalCode", "str"),
          ("city", "str"), ("email", "str"), ("phone", "str"), ("hidden", "bool"))),
    Kind("resource", "resources", "Resources",
         (("id", "int"), ("number", "str"), ("name", "str"), ("department", "ref:department"),
          ("email", "str"), ("phone", "str"), ("availability", "float"), ("hidden", "bool")),
         nested=(("departmentMatcher", "department", "department"),)),
    Kind("project", "projects", "Projects",
         (("id", "int"), ("number", "str"), ("description", "str"), ("department", "ref:department"),
          ("projectType", "ref"), ("customer", "ref:customer"), ("customerAddress", "ref"),
          ("postalCode", "str"), ("color", "str"), ("index", "int"), ("start", "date"), ("end", "date"),
          ("budget", "float"), ("backgroundColor", "str"), ("manager", "ref:resource"), ("contact", "str"),
          ("status", "ref"), ("textField1", "str"), ("textField2", "str"), ("comments", "str"),
          ("hidden", "bool")),
         nested=(("customerMatcher", "customer", "customer"), ("departmentMatcher", "department", "department")),
         dates=("start", "end")),
    Kind("planning", "planning", "Planning",
         (("id", "int"), ("number", "str"), ("project", "ref:project"), ("resource", "ref:resource"),
          ("customer", "ref:customer"), ("start", "datetime"), ("end", "datetime"), ("description", "str"),
          ("hidden", "bool")),
         nested=(("customerMatcher", "customer", "customer"), ("projectMatcher", "project", "project"),
                 ("resourceMatcher", "resource", "resource")),
         dates=("start", "end")),
)}
# CP-V-1 [decision]: what may not be deleted while something still points at it.
IN_USE = {
    "department": ((("resource", "department"), ("project", "department")), "Department is in use!"),
    "customer": ((("project", "customer"), ("planning", "customer")), "Customer is in use!"),
    "resource": ((("planning", "resource"), ("project", "manager")), "Resource has planning!"),
    "project": ((("planning", "project"),), "Project has planning!"),
}
DEFAULTS = {"str": "", "int": 0, "float": 0.0, "bool": False, "date": "", "datetime": "", "ref": 0}


def ftype(t: str) -> str:
    return "ref" if t.startswith("ref") else t


@dataclass
class DateCond:
    field: str
    operator: str
    raw: str          # as the client wrote it, echoed back
    value: datetime


@dataclass
class Matcher:
    """CP-M-1..5: selects records of one kind. Criteria left out match everything."""

    kind: str
    allow_multiple: bool = False     # CP-M-4: default false
    policy: str = "FAIL"             # CP-V-2: default FAIL
    policy_given: bool = False
    select: str | None = None        # echoed back as given (seed 06, 12)
    id: int | None = None
    number: str | None = None
    nested: list = field(default_factory=list)   # [(tag, field, Matcher)]
    dates: list = field(default_factory=list)    # [DateCond]


@dataclass
class Outcome:
    """What one push/delete matcher did (CP-R-3, CP-R-4, CP-V-3)."""

    inserted: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    deleted: list = field(default_factory=list)
    errors: list = field(default_factory=list)   # [(entityId or None, message)]
    failed: bool = False                         # nothing was changed because of errors


class MatchError(Exception):
    """A matcher could not be resolved (CP-M-4: more than one result where one is allowed)."""


def parse_when(text: str) -> datetime:
    """CP-M-5: a date where a datetime is asked means 00:00:00. A zone offset is dropped (wall time)."""
    text = (text or "").strip()
    if len(text) == 10:
        return datetime.combine(date.fromisoformat(text), datetime.min.time())
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value.replace(tzinfo=None)


def compare(op: str, have: datetime, want: datetime) -> bool:
    """CP-M-5: the ten operators; *_DATE compares calendar days, *_TIME the full date and time."""
    if op.endswith("_DATE"):
        have, want = have.date(), want.date()
    rel = op.rsplit("_", 1)[0]
    return {"EQUALS": have == want, "AFTER_OR_EQUAL": have >= want, "AFTER": have > want,
            "BEFORE_OR_EQUAL": have <= want, "BEFORE": have < want}[rel]


EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


def validate(kind: str, rec: dict) -> list[str]:
    """CP-V-1: stable validation messages per entity (the seed documents `Name is empty!` and
    "end may not be before start"; the rest are our documented decisions)."""
    errs = []
    if kind in ("resource", "customer", "department") and not rec.get("name", "").strip():
        errs.append("Name is empty!")
    if kind == "resource":
        if rec.get("email") and not EMAIL.match(rec["email"]):
            errs.append("Email is invalid!")
        if rec.get("availability", 0) < 0:
            errs.append("Availability may not be negative!")
    if kind == "customer" and rec.get("email") and not EMAIL.match(rec["email"]):
        errs.append("Email is invalid!")
    if kind == "project":
        if not rec.get("description", "").strip():
            errs.append("Description is empty!")
        for f in ("color", "backgroundColor"):
            if rec.get(f) and not COLOR.match(rec[f]):
                errs.append(f"{f[0].upper() + f[1:]} is invalid!")
        if rec.get("start") and rec.get("end") and rec["end"] < rec["start"]:
            errs.append("End date is before start date!")
    if kind == "planning":
        if not rec.get("start"):
            errs.append("Start is empty!")
        if not rec.get("end"):
            errs.append("End is empty!")
        if rec.get("start") and rec.get("end") and parse_when(rec["end"]) < parse_when(rec["start"]):
            errs.append("End is before start!")
    return errs


class Cloudplan:
    """The model of one simulator instance, on top of the API's State and clock."""

    def __init__(self, api, cache: bool = False, lookups: int = 1):
        self.api = api
        self.state = api.state  # a view of the backend, no data: taken once per request, not per read
        self._cache = {} if cache else None  # read-only requests: load each collection once
        remote = self.state.backend.url.startswith(("redis", "unix"))
        self._indexed = not remote or lookups <= REMOTE_LOOKUPS  # number matchers read the index

    # -- authentication (CP-AUTH-*) ------------------------------------------------------------
    def login(self, username: str, password: str) -> tuple[str | None, int]:
        """CP-AUTH-1/2/3: a token, or (None, seconds the account stays locked)."""
        now = self.api.now()
        with self.state.lock():
            fails = self.state.get("logins", username, {"count": 0, "locked_until": None})
            if fails["locked_until"] and datetime.fromisoformat(fails["locked_until"]) > now:
                return None, self._remaining(fails, now)
            user = USERS.get(username)
            if user is None:  # no account, nothing to lock: a refused login changes no state
                return None, 0
            if user[0] != password:
                fails["count"] = 0 if fails["locked_until"] else fails["count"]
                fails["count"] += 1
                fails["locked_until"] = None
                if fails["count"] >= LOCK_AFTER:  # CP-AUTH-3
                    fails["locked_until"] = (now + LOCK_FOR).isoformat()
                self.state.put("logins", username, fails)
                return None, self._remaining(fails, now)
            self.state.delete("logins", username)
            token = secrets.token_hex(16).upper()
            self.state.put("sessions", token, {"user": username, "tenant": user[1],
                                               "expires": (now + TOKEN_LIFETIME).isoformat()})
            return token, int(TOKEN_LIFETIME.total_seconds())

    @staticmethod
    def _remaining(fails, now) -> int:
        if not fails.get("locked_until"):
            return 0
        return max(0, int((datetime.fromisoformat(fails["locked_until"]) - now).total_seconds() + 0.999))

    def authenticate(self, token: str | None) -> tuple[str | None, int]:
        """CP-AUTH-4: (tenant, remaining seconds) for a live token, renewed by use; else (None, 0)."""
        if not token:
            return None, 0
        now = self.api.now()
        sess = self.state.get("sessions", token)
        if sess is None:
            return None, 0
        if datetime.fromisoformat(sess["expires"]) <= now:
            self.state.delete("sessions", token)
            return None, 0
        sess["expires"] = (now + TOKEN_LIFETIME).isoformat()
        self.state.put("sessions", token, sess)
        return sess["tenant"], int(TOKEN_LIFETIME.total_seconds())

    def logout(self, token: str | None) -> bool:
        return bool(token) and self.state.delete("sessions", token)

    def expire_all(self) -> None:
        """Fault `expire_tokens`: every session ends."""
        with self.state.lock():
            for key, _ in self.state.items("sessions"):
                self.state.delete("sessions", key)

    # -- the matcher engine (CP-M-*) -----------------------------------------------------------
    def _cached(self, key, load):
        if self._cache is None:
            return load()
        if key not in self._cache:
            self._cache[key] = load()
        return self._cache[key]

    def records(self, tenant: str, kind: str) -> list[dict]:
        return self._cached((tenant, kind), lambda: self._scan(tenant, kind))

    def _scan(self, tenant: str, kind: str) -> list[dict]:
        recs = [r for r in self.state.all(KINDS[kind].coll) if r.get("tenant") == tenant]
        recs.sort(key=lambda r: r["id"])
        return recs

    def numbered(self, tenant: str, kind: str, number: str) -> list[dict] | None:
        """The records carrying `number`, read through the number index; None without an index."""
        idx = self._cached((tenant, kind, index.INDEX), lambda: self.state.get(index.INDEX, index.key(tenant, kind)))
        if idx is None:
            return None
        coll = KINDS[kind].coll
        recs = self.state.get_many(coll, sorted(idx.get(number, ())))
        return [r for r in recs if r is not None and r.get("tenant") == tenant]

    def match(self, tenant: str, m: Matcher, enforce_single: bool = False) -> list[dict]:
        """CP-M-1..5: the records `m` selects. Nested matchers select the referenced records (CP-M-3).
        With enforce_single, CP-M-4: more than one match with allowMultiple=false raises MatchError."""
        recs = self.numbered(tenant, m.kind, m.number) if self._indexed and isinstance(m.number, str) else None
        if recs is None:
            recs = self.records(tenant, m.kind)
        if m.id is not None:
            recs = [r for r in recs if r["id"] == m.id]
        if m.number is not None:
            recs = [r for r in recs if r.get("number") == m.number]  # also checks what the index said
        for _tag, fld, sub in m.nested:
            ids = {r["id"] for r in self.match(tenant, sub, enforce_single=True)}
            recs = [r for r in recs if r.get(fld) in ids]
        for cond in m.dates:
            recs = [r for r in recs if r.get(cond.field)
                    and compare(cond.operator, parse_when(r[cond.field]), cond.value)]
        if enforce_single and not m.allow_multiple and len(recs) > 1:
            raise MatchError(MULTIPLE)
        return recs

    def get(self, tenant: str, m: Matcher) -> list[dict]:
        """CP-M-4 applies to get too: allowMultiple=false expects one result."""
        return [self.public(r) for r in self.match(tenant, m, enforce_single=True)]

    @staticmethod
    def public(rec: dict) -> dict:
        return {k: v for k, v in rec.items() if k != "tenant"}

    # -- push (CP-R-3, CP-V-*) -----------------------------------------------------------------
    def resolve_values(self, tenant: str, kind: str, values: dict) -> tuple[dict, list[str]]:
        """Turn reference matchers inside values into ids (CP-M-3); report what cannot be resolved."""
        out, errs = {}, []
        types = dict(KINDS[kind].fields)
        for name, value in values.items():
            if isinstance(value, Matcher):
                if value.id == 0 and value.number is None and not value.nested and not value.dates:
                    out[name] = 0  # CP-R-2: id 0 unsets the reference
                    continue
                try:
                    found = self.match(tenant, value, enforce_single=True)
                except MatchError as exc:
                    errs.append(str(exc))
                    continue
                if not found:
                    errs.append(f"No {value.kind} found for this matcher.")
                    continue
                out[name] = found[0]["id"]
            elif types[name] == "ref":
                out[name] = int(value)
            else:
                out[name] = value
        return out, errs

    def push(self, tenant: str, m: Matcher, values: dict) -> Outcome:
        """CP-R-3: no match inserts, matches are updated; CP-M-4 allowMultiple; CP-V-2 FAIL/SKIP."""
        kind = KINDS[m.kind]
        with self.state.lock():
            try:
                targets = self.match(tenant, m, enforce_single=True)
            except MatchError as exc:
                return Outcome(errors=[(None, str(exc))], failed=True)
            resolved, ref_errs = self.resolve_values(tenant, m.kind, values)
            if not targets:
                base = {n: DEFAULTS[ftype(t)] for n, t in kind.fields}
                targets = [dict(base, id=0, tenant=tenant)]
            good, out = [], Outcome()
            old = {rec["id"]: rec.get("number") for rec in targets}
            for rec in targets:
                new = dict(rec, **resolved)
                errs = ref_errs + validate(m.kind, new)
                if errs:
                    out.errors += [(rec["id"], e) for e in errs]  # CP-V-3: each failure, with its entityId
                else:
                    good.append(new)
            if out.errors and m.policy == "FAIL":  # CP-V-2: all or nothing
                out.failed = True
                return out
            for rec in good:
                if rec["id"] == 0:
                    rec["id"] = self.state.next_id("entity", 100)
                    out.inserted.append(rec["id"])
                else:
                    out.updated.append(rec["id"])
                self.state.put(kind.coll, rec["id"], rec)
            index.update(self.state, tenant, kind, [(r["id"], old.get(r["id"]), r.get("number")) for r in good])
            return out

    # -- delete (CP-R-4) -------------------------------------------------------------------------
    def delete(self, tenant: str, m: Matcher) -> Outcome:
        """CP-R-4: remove what the matcher selects; CP-V-1 in-use checks; CP-V-2 FAIL/SKIP."""
        with self.state.lock():
            try:
                targets = self.match(tenant, m, enforce_single=True)
            except MatchError as exc:
                return Outcome(errors=[(None, str(exc))], failed=True)
            out, good = Outcome(), []
            users, message = IN_USE.get(m.kind, ((), ""))
            for rec in targets:
                used = any(r.get(f) == rec["id"] for k, f in users for r in self.records(tenant, k))
                if used:
                    out.errors.append((rec["id"], message))
                else:
                    good.append(rec)
            if out.errors and m.policy == "FAIL":
                out.failed = True
                return out
            for rec in good:
                self.state.delete(KINDS[m.kind].coll, rec["id"])
                out.deleted.append(rec["id"])
            index.update(self.state, tenant, KINDS[m.kind], [(r["id"], r.get("number"), None) for r in good])
            return out

    # -- scenarios and seed ----------------------------------------------------------------------
    def add(self, tenant: str, kind: str, values: dict) -> int:
        """Insert a record directly (seed, scenarios): defaults for missing fields; validated."""
        k = KINDS[kind]
        rec = {n: DEFAULTS[ftype(t)] for n, t in k.fields}
        rec.update(values)
        errs = validate(kind, rec)
        if errs:
            raise ValueError(f"{kind} {values.get('number', '')}: {'; '.join(errs)}")
        rec["id"] = int(values.get("id") or self.state.next_id("entity", 100))
        rec["tenant"] = tenant
        with self.state.lock():
            self.state.put(k.coll, rec["id"], rec)
            index.update(self.state, tenant, k, [(rec["id"], None, rec.get("number"))])
        return rec["id"]
