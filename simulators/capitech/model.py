"""Capitech rules: sessions, time-transaction queries and their limits, external status codes,
approvals and hour changes. No Flask, no JSON.

The base dataset (seed.py) is immutable and shared per process; every mutation (sessions,
external status codes, approvals, changed hours) lives in the core State and is overlaid on read:
- coll "sessions": accessToken -> {"user", "exp"}
- coll "overlay": clientId -> {"ext": {uid: code}, "appr": {uid: {level: [by, at]}},
                               "qty": {"uid:cat": hundredths}, "touch": {uid: [at, correlationId]}}
- coll "overlay_version": clientId -> {"v": random token}; lets each process cache the decoded overlay.
Times inside the model are local (Europe/Oslo) wall-clock seconds since seed.EPOCH.
"""
from __future__ import annotations

import math

import uuid
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from simulators.core.errors import AdminError, BadRequest, DomainError, Unauthorized
from simulators.capitech.added import build as build_added, normalise, reconcile
from simulators.capitech.seed import CATEGORIES, DAY, DUTIES, EPOCH, FD1, FD2, ClientData, Dataset
from simulators.core.model import ApiModel

OSLO = ZoneInfo("Europe/Oslo")
TOKEN_LIFETIME = timedelta(minutes=60)   # CT-AUTH-1 [decision]
REFRESH_LIFETIME = timedelta(days=1)
MAX_DAYS = 31                            # CT-TT-6
MAX_RECORDS = 5000                       # CT-TT-6
LEVELS = (1, 2, 3, 4)                    # approval levels a manager approves at
MAX_HOURS = 24                           # what a manager may change a record's hours to
OVERLAY_PARTS = ("ext", "appr", "qty", "touch")

# CT-AUTH-1/-3: demo users, their clients, and whether they may use the API.
USERS = {
    "demo": {"password": "demo", "clients": (100, 200), "api": True},
    "demo2": {"password": "demo", "clients": (300, 400), "api": True},
    "noaccess": {"password": "demo", "clients": (100,), "api": False},
}


class Refused(DomainError):
    """A request the API understood but declines: answered as success:false (HTTP 200)."""

    status = 200

    def __init__(self, display: str, server: str | None = None):
        super().__init__(display)
        self.display = display
        self.server = server or display


class SessionExpired(Unauthorized):
    """CT-AUTH-2: unknown, ended or expired access token."""

    def __init__(self):
        super().__init__("Session expired")


def local_seconds(now: datetime) -> int:
    return int((now.astimezone(OSLO).replace(tzinfo=None) - EPOCH).total_seconds())


def from_local_seconds(secs: int) -> datetime:
    return EPOCH + timedelta(seconds=secs)


def day_number(d: date) -> int:
    return (d - EPOCH.date()).days


@dataclass
class Query:
    """getTimeTransactions parameters, already type-checked by the wire layer."""

    client_id: int
    from_date: date
    to_date: date
    approved_levels: set | None = None
    dims: dict = field(default_factory=dict)       # filter name -> set of ids / codes
    category_ids: set | None = None
    category_types: set | None = None
    payable: bool | None = None
    ext_codes: set | None = None
    include_null: bool | None = None
    updated_from: date | None = None               # lastUpdatedGreaterThanOrEqualToFilter
    approved_or_updated_from: datetime | None = None  # lastApprovedOrUpdatedFilter


@dataclass
class Overlay:
    ext: dict
    appr: dict
    qty: dict
    touch: dict

    @classmethod
    def parse(cls, doc: dict | None) -> "Overlay":
        doc = doc or {}
        return cls(ext={int(k): v for k, v in (doc.get("ext") or {}).items()},
                   appr={int(k): {int(lv): tuple(a) for lv, a in v.items()} for k, v in (doc.get("appr") or {}).items()},
                   qty={tuple(int(x) for x in k.split(":")): v for k, v in (doc.get("qty") or {}).items()},
                   touch={int(k): tuple(v) for k, v in (doc.get("touch") or {}).items()})


@dataclass
class Match:
    """One record of the answer: registration r, record k and its overlaid state."""

    r: int
    k: int
    qty: int
    ext: int | None
    approvals: tuple   # 4 x (by, at-seconds) or None
    updated: int       # lastUpdatedOn, seconds
    correlation: str | None


class CapitechModel(ApiModel):
    def __init__(self, api):
        super().__init__(api)
        self._overlays: dict[int, tuple[str | None, Overlay]] = {}
        self._added: dict[int, tuple[str, ClientData]] = {}

    # -- shared -----------------------------------------------------------------------------
    @property
    def dataset(self) -> Dataset:
        cfg = self.api.runtime.config
        return Dataset.get(cfg.seed, cfg.scale, self.api.options)

    def now_local(self) -> int:
        return local_seconds(self.api.now())

    # -- CT-AUTH ----------------------------------------------------------------------------
    def login(self, username: str, password: str) -> dict:
        """CT-AUTH-1: GUID tokens, access token valid 60 simulated minutes."""
        user = USERS.get(username)
        if user is None or user["password"] != password:
            raise Refused("Invalid username or password", "Login failed: invalid username or password")
        if not user["api"]:
            raise Refused("The user does not have access to the API",
                          f"Login failed: user {username!r} has no API access")
        now = self.api.now().astimezone(OSLO)
        token, refresh = str(uuid.uuid4()), str(uuid.uuid4())
        with self.state.lock():
            if self.state.count("sessions") >= 1000:  # forget expired sessions now and then
                for key, sess in self.state.items("sessions"):
                    if sess["exp"] <= now.timestamp():
                        self.state.delete("sessions", key)
            self.state.put("sessions", token, {"user": username, "exp": (now + TOKEN_LIFETIME).timestamp()})
        return {"accessToken": token, "accessTokenExpires": now + TOKEN_LIFETIME,
                "refreshToken": refresh, "refreshTokenExpires": now + REFRESH_LIFETIME}

    def session_user(self, token) -> str:
        """CT-AUTH-2: the user of a live token; SessionExpired otherwise."""
        if not isinstance(token, str) or not token:
            raise SessionExpired()
        sess = self.state.get("sessions", token)
        if sess is None or sess["exp"] <= self.api.now().timestamp():
            raise SessionExpired()
        return sess["user"]

    def logout(self, token) -> None:
        """CT-AUTH-2: logout ends the token."""
        self.session_user(token)
        with self.state.lock():
            self.state.delete("sessions", token)

    def expire_all(self) -> None:
        with self.state.lock():
            for key, _ in self.state.items("sessions"):
                self.state.delete("sessions", key)

    def client_for(self, user: str, client_id) -> ClientData:
        """CT-AUTH-3: only granted clients; another tenant's client looks like an unknown one."""
        cd = None
        if client_id in USERS[user]["clients"]:
            cd = self.dataset.client(client_id)
        if cd is None:
            raise Refused(f"No access to client {client_id}",
                          f"The user has no access to clientId {client_id} or it does not exist")
        return cd

    # -- overlay ----------------------------------------------------------------------------
    def overlay(self, client_id: int) -> Overlay:
        version = (self.state.get("overlay_version", client_id) or {}).get("v")
        cached = self._overlays.get(client_id)
        if cached is not None and cached[0] == version:
            return cached[1]
        ov = Overlay.parse(self.state.get("overlay", client_id)) if version else Overlay({}, {}, {}, {})
        self._overlays[client_id] = (version, ov)
        return ov

    def added(self, client_id: int) -> ClientData | None:
        """Registrations added by scenarios (added.py), rebuilt when their version changes."""
        version = (self.state.get("added_version", client_id) or {}).get("v")
        if version is None:
            return None
        cached = self._added.get(client_id)
        if cached is None or cached[0] != version:
            docs = [d for k, d in self.state.items("added") if k.startswith(f"{client_id}:")]
            cached = self._added[client_id] = (version, build_added(client_id, docs))
        return cached[1]

    def add_transactions(self, records: list) -> dict:
        """Scenario: records in the wire format become registrations (one uid, several categories)."""
        docs = [normalise(rec) for rec in records]  # validate all before changing anything
        now = self.now_local()
        ds = self.dataset
        with self.state.lock():
            for doc in docs:
                client = doc["clientId"]
                if ds.client(client) is None:
                    raise BadRequest(f"transactions: unknown clientId {client}")
                reconcile(doc, ds.client(client))
                if doc["uid"] is None:
                    doc["uid"] = self.state.next_id("added_uid", start=90_000_000)
                elif (any(c.r_of_uid(doc["uid"]) is not None for c in map(ds.client, ds.client_ids))
                      or self.state.get("added_uids", doc["uid"]) is not None):
                    raise BadRequest(f"transactions: uid {doc['uid']} already exists")
                doc["created"] = now // 60
            owners = {}
            for doc in docs:  # one registration: one client, one record per category
                key = (doc["uid"], doc["timeCategoryId"])
                if owners.setdefault(doc["uid"], doc["clientId"]) != doc["clientId"] or key in owners:
                    raise BadRequest(f"transactions: uid {doc['uid']} is given twice for one category or client")
                owners[key] = True
            for doc in docs:
                self.state.put("added", f"{doc['clientId']}:{doc['uid']}:{doc['timeCategoryId']}", doc)
                self.state.put("added_uids", doc["uid"], doc["clientId"])
            for client in {d["clientId"] for d in docs}:
                self.state.put("added_version", client, {"v": uuid.uuid4().hex})
        return {"transactions": len(docs), "uids": sorted({d["uid"] for d in docs})}

    def _write_overlay(self, client_id: int, change) -> None:
        """Read-modify-write of a client's overlay document, under the state lock."""
        with self.state.lock():
            doc = self.state.get("overlay", client_id) or {"ext": {}, "appr": {}, "qty": {}, "touch": {}}
            change(doc)
            self.state.put("overlay", client_id, doc)
            self.state.put("overlay_version", client_id, {"v": uuid.uuid4().hex})

    # -- visibility and derived state -------------------------------------------------------
    @staticmethod
    def visible(cd: ClientData, r: int, now: int) -> bool:
        """A registration exists once its employee has registered it (created <= now)."""
        return cd.cols["created"][r] * 60 <= now

    def approvals(self, cd: ClientData, r: int, uid: int, ov: Overlay, now: int) -> tuple:
        """Approvals at levels 1-4: admin approvals, else the background process (approval times
        drawn by the seed, effective once the simulated clock passes them; api_options
        capitech.background_approvals: false switches it off, leaving only admin approvals)."""
        own = ov.appr.get(uid) or {}
        out = []
        background = self.api.options.get("background_approvals", True)
        for level, col in ((1, "appr1"), (2, "appr2"), (3, None), (4, None)):
            a = own.get(level)
            if a is None and col is not None and background:
                at = cd.cols[col][r] * 60
                if at and at <= now:
                    a = (cd.departments[cd.cols["dept"][r]][2] if level == 1 else cd.payroll_user, at)
            out.append(a)
        return tuple(out)

    @staticmethod
    def last_updated(cd: ClientData, r: int, uid: int, ov: Overlay) -> int:
        """CT-TT-10 lastUpdatedOn: creation, or the latest change since. An approval is no change:
        the example record of Capitech's own documentation was approved at 11:25 and still shows lastUpdatedOn 07:01."""
        t = cd.cols["created"][r] * 60
        touched = ov.touch.get(uid)
        return max(t, touched[0]) if touched else t

    @staticmethod
    def last_approved_or_updated(updated: int, approvals: tuple) -> int:
        """CT-TT-5 lastApprovedOrUpdatedFilter: the latest of creation, change and approval."""
        return max([updated] + [a[1] for a in approvals if a is not None])

    # -- CT-TT: getTimeTransactions ---------------------------------------------------------
    def check_period(self, q: Query) -> None:
        """CT-TT-6: at most 31 days, fromDate and toDate both inclusive."""
        if q.from_date > q.to_date:
            raise Refused("fromDate must be on or before toDate",
                          f"Invalid period: fromDate {q.from_date} is after toDate {q.to_date}")
        days = (q.to_date - q.from_date).days + 1
        if days > MAX_DAYS:
            raise Refused(f"The period is too long: at most {MAX_DAYS} days from fromDate to toDate",
                          f"Invalid period: {days} days requested, the maximum period is {MAX_DAYS} days")

    def time_transactions(self, user: str, q: Query) -> list[tuple[ClientData, list[Match]]]:
        """The seeded registrations, then those added by scenarios, under one record limit."""
        base = self.client_for(user, q.client_id)
        self.check_period(q)
        now, ov = self.now_local(), self.overlay(q.client_id)
        parts, total = [], 0
        for cd in (base, self.added(q.client_id)):
            if cd is not None and len(cd):
                matches = self._query(cd, q, ov, now, MAX_RECORDS - total)
                total += len(matches)
                parts.append((cd, matches))
        return parts

    def _query(self, cd: ClientData, q: Query, ov: Overlay, now: int, limit: int) -> list[Match]:
        first, last = day_number(q.from_date), day_number(q.to_date)
        conds = self._dimension_conditions(cd, q)
        if any(not values for _, values in conds):
            return []
        out: list[Match] = []
        candidates = self._candidates(cd, conds, first, last)
        since = self._updated_since(q)
        if since is not None and len(candidates) > 256:
            changed = self._changed_since(cd, ov, since, now, *cd.day_range(first - 1, last))
            if len(changed) < len(candidates):
                candidates = changed
        for r in candidates:
            if self._registration_matches(cd, r, conds, first, now):
                self._records(cd, r, q, ov, now, out)
                if len(out) > limit:
                    raise Refused(  # CT-TT-6: wording real clients match on
                        f"Too many results: the query returns more than {MAX_RECORDS} records. "
                        "Use a shorter period or more filters.",
                        f"The number of records exceeds the maximum allowed number of records ({MAX_RECORDS})")
        return out

    def _dimension_conditions(self, cd: ClientData, q: Query) -> list[tuple[str, set]]:
        """CT-TT-2: each filter -> (registration column, allowed column values); several filters
        on one column must all hold. Sub-dimension numbers match under any parent."""
        by_col: dict[str, set] = {}
        for name, values in q.dims.items():
            col, allowed = DIMENSIONS[name](cd, values)
            by_col[col] = allowed if col not in by_col else by_col[col] & allowed
        return list(by_col.items())

    @staticmethod
    def _candidates(cd: ClientData, conds, first: int, last: int):
        """Registrations starting from the day before the period (CT-TT-11: a registration across
        midnight belongs to both days) to its last day, from the most selective index."""
        lo, hi = cd.day_range(first - 1, last)
        if not conds:
            return range(lo, hi)
        best = None
        for col, values in conds:
            idx = cd.index(col)
            slices = []
            for v in values:
                arr = idx.get(v)
                if arr is not None:
                    a, b = bisect_range(arr, lo, hi)
                    if b > a:
                        slices.append((arr, a, b))
            cost = sum(b - a for _, a, b in slices)
            if best is None or cost < best[0]:
                best = (cost, slices)
        if len(best[1]) == 1:
            arr, a, b = best[1][0]
            return arr[a:b]
        return sorted(r for arr, a, b in best[1] for r in arr[a:b])

    @staticmethod
    def _updated_since(q: Query) -> int | None:
        """The stricter of the two CT-TT-5 filters, in local seconds (None: neither given)."""
        bounds = []
        if q.updated_from is not None:
            bounds.append(day_number(q.updated_from) * DAY * 60)
        if q.approved_or_updated_from is not None:
            bounds.append(first_second_from(q.approved_or_updated_from))
        return max(bounds) if bounds else None

    @staticmethod
    def _changed_since(cd: ClientData, ov: Overlay, since: int, now: int, lo: int, hi: int) -> list:
        """Registrations with an event (created, approved, changed) in [since, now], from the time
        indexes: a poll for recent changes costs the size of its answer, not of the period.
        A superset of the CT-TT-5 matches; _records applies the exact rule."""
        first_minute, last_minute = -(-since // 60), now // 60
        found = set()
        for col in ("created", "appr1", "appr2"):
            times, rs = cd.by_time(col)
            found.update(rs[bisect_left(times, first_minute):bisect_right(times, last_minute)])
        for uid, (at, _) in ov.touch.items():
            if at >= since and (r := cd.r_of_uid(uid)) is not None:
                found.add(r)
        for uid, levels in ov.appr.items():  # approvals made through the admin API
            if any(at >= since for _, at in levels.values()) and (r := cd.r_of_uid(uid)) is not None:
                found.add(r)
        return sorted(r for r in found if lo <= r < hi)

    @staticmethod
    def _registration_matches(cd: ClientData, r: int, conds, first: int, now: int) -> bool:
        cols = cd.cols
        if cols["dayout"][r] < first or cols["created"][r] * 60 > now:  # CT-TT-11 overlap; not yet registered
            return False
        return all(cols[col][r] in values for col, values in conds)

    def _records(self, cd: ClientData, r: int, q: Query, ov: Overlay, now: int, out: list) -> None:
        uid = cd.cols["uid"][r]
        appr = self.approvals(cd, r, uid, ov, now)
        if q.approved_levels is not None and not any(appr[lv - 1] for lv in q.approved_levels if 1 <= lv <= 4):
            return  # CT-TT-1
        ext = ov.ext.get(uid)
        if not ext_matches(ext, q.ext_codes, q.include_null):
            return  # CT-TT-4
        updated = self.last_updated(cd, r, uid, ov)
        if q.updated_from is not None and updated < day_number(q.updated_from) * DAY * 60:
            return  # CT-TT-5, date only
        if (q.approved_or_updated_from is not None and self.last_approved_or_updated(updated, appr)
                < first_second_from(q.approved_or_updated_from)):
            return  # CT-TT-5, date and time
        touched = ov.touch.get(uid)
        corr = touched[1] if touched else None
        rec = cd.cols["rec"]
        for k in range(rec[r], rec[r + 1]):
            cat = cd.cat[k]
            name, type_id, payable = CATEGORIES[cat]
            if q.category_ids is not None and cat not in q.category_ids:
                continue
            if q.category_types is not None and type_id not in q.category_types:
                continue
            if q.payable is not None and payable != int(q.payable):
                continue  # CT-TT-3
            out.append(Match(r, k, ov.qty.get((uid, cat), cd.qty[k]), ext, appr, updated, corr))

    # -- CT-ES-1 ----------------------------------------------------------------------------
    def _resolve(self, cd: ClientData, uids) -> list[tuple[ClientData, int]]:
        """(ClientData, r) of these uids among the visible registrations, seeded or added;
        unknown ones are reported and nothing changes."""
        now = self.now_local()
        found, unknown = [], []
        for u in uids:
            hit = next(((c, r) for c in (cd, self.added(cd.client_id)) if c is not None
                        and (r := c.r_of_uid(u)) is not None and self.visible(c, r, now)), None)
            found.append(hit)
            if hit is None:
                unknown.append(u)
        if unknown:
            raise Refused(f"Unknown uid(s): {', '.join(map(str, unknown))}",
                          f"No time transactions found for uid(s) {unknown} on client {cd.client_id}; nothing was changed")
        return found

    def set_external_status_code(self, user: str, client_id: int, code, uids: list) -> list[dict]:
        """CT-ES-1: set (or clear with null) the code on every record of these registrations;
        lastUpdatedOn does not move."""
        return self.apply_external_status_code(self.client_for(user, client_id), code, uids)

    def apply_external_status_code(self, cd: ClientData, code, uids: list) -> list[dict]:
        found = self._resolve(cd, uids)

        def change(doc):
            for u in uids:
                if code is None:
                    doc["ext"].pop(str(u), None)
                else:
                    doc["ext"][str(u)] = code
        self._write_overlay(cd.client_id, change)
        return [{"uid": u, "externalStatusCode": code, "records": c.cols["rec"][r + 1] - c.cols["rec"][r]}
                for u, (c, r) in zip(uids, found)]

    # -- admin: approvals and changed hours ---------------------------------------------------
    def admin_client(self, client_id: int) -> ClientData:
        cd = self.dataset.client(client_id)
        if cd is None:
            raise BadRequest(f"unknown clientId {client_id}")
        return cd

    def approve(self, client_id: int, uids: list, level: int, by: str | None) -> list[dict]:
        """A manager approves registrations at a level (1-4) now. lastUpdatedOn and correlationId
        stay (CT-TT-10: an approval is no change); lastApprovedOrUpdatedFilter finds them (CT-TT-5)."""
        found = self._resolve(self.admin_client(client_id), uids)
        now = self.now_local()

        def change(doc):
            for u, (c, r) in zip(uids, found):
                who = by or (c.departments[c.cols["dept"][r]][2] if level == 1 else c.payroll_user) or "admin"
                doc["appr"].setdefault(str(u), {})[str(level)] = [who, now]
        self._write_overlay(client_id, change)
        return [{"uid": u, "level": level, "approvedOn": from_local_seconds(now)} for u in uids]

    def change_hours(self, client_id: int, uid: int, category: int, qty_h: int) -> dict:
        """A manager changes the hours of one record: CT-TT-9 recordStateKey and CT-TT-10
        lastUpdatedOn change with it."""
        cd, r = self._resolve(self.admin_client(client_id), [uid])[0]
        rec = cd.cols["rec"]
        if category not in cd.cat[rec[r]:rec[r + 1]]:
            raise BadRequest(f"uid {uid} has no record with timeCategoryId {category}")
        now = self.now_local()

        def change(doc):
            doc["qty"][f"{uid}:{category}"] = qty_h
            doc["touch"][str(uid)] = [now, str(uuid.uuid4())]
        self._write_overlay(client_id, change)
        return {"uid": uid, "timeCategoryId": category, "qty": qty_h / 100, "lastUpdatedOn": from_local_seconds(now)}

    # -- PUT /__admin/state: the imported mutations, checked as the calls wrote them ------------
    def find(self, client_id: int, uid: int) -> tuple[ClientData, int] | None:
        """(ClientData, r) of a uid among the client's seeded and added registrations."""
        for c in (self.dataset.client(client_id), self.added(client_id)):
            if c is not None and (r := c.r_of_uid(uid)) is not None:
                return c, r
        return None

    def read_registration(self, cd: ClientData, r: int) -> list[Match]:
        """Every record of registration r, overlaid, as getTimeTransactions finds it unfiltered."""
        out: list[Match] = []
        q = Query(cd.client_id, EPOCH.date(), EPOCH.date())
        self._records(cd, r, q, self.overlay(cd.client_id), self.now_local(), out)
        return out

    def imported_registrations(self) -> list[tuple[str, ClientData, int]]:
        """Check the imported sessions, added records and overlays, naming the first document the
        calls could not read; then (where, ClientData, r) of every registration they touch, for the
        caller to read as the wire does. The generated dataset is not imported: it is not read."""
        for token, sess in self.state.items("sessions"):
            if sess["user"] not in USERS:  # session_user's user must be one client_for knows
                raise AdminError(f"capitech: collections.sessions.{token}.user {sess['user']!r} is no Capitech user")
        clients = set()
        for coll in ("overlay", "overlay_version", "added_version"):
            clients |= {self._client(f"capitech: collections.{coll}.{key}", key) for key, _ in self.state.items(coll)}
        added = self._check_added()
        touched = [t for client in sorted(clients) if (doc := self.state.get("overlay", client)) is not None
                   for t in self._check_overlay(client, doc)]
        for client in sorted(added):
            cd = self.added(client)
            touched += [(f"capitech: collections.added.{client}:{cd.cols['uid'][r]}", cd, r) for r in range(len(cd))]
        return touched

    def _client(self, where: str, key) -> int:
        """A client key (the decimal text the store keeps) of a client of this dataset."""
        client = int(key) if isinstance(key, str) and key.isdecimal() and str(int(key)) == key else key
        if client not in self.dataset.client_ids:
            raise AdminError(f"{where}: no client {key!r} in this dataset (clients {self.dataset.client_ids})")
        return client

    def _check_added(self) -> set[int]:
        """Scenario records as add_transactions stores them: under "client:uid:category", of a client
        of this dataset and a known category, each uid one client's, listed in added_uids, and not
        one of that client's seeded registrations; a client's records are read only with a version."""
        owners: dict[int, int] = {}
        for key, doc in self.state.items("added"):
            where = f"capitech: collections.added.{key}"
            client, uid, cat = doc["clientId"], doc["uid"], doc["timeCategoryId"]
            if key != f"{client}:{uid}:{cat}":
                raise AdminError(f"{where} holds clientId:uid:timeCategoryId {client}:{uid}:{cat}, its key")
            self._client(where + ".clientId", str(client))
            if cat not in CATEGORIES:
                raise AdminError(f"{where}.timeCategoryId: unknown timeCategoryId {cat}; known: {sorted(CATEGORIES)}")
            if owners.setdefault(uid, client) != client:
                raise AdminError(f"{where}: uid {uid} is also a record of client {owners[uid]}")
            if self.dataset.client(client).r_of_uid(uid) is not None:
                raise AdminError(f"{where}: uid {uid} is one of client {client}'s seeded registrations")
        listed = dict(self.state.items("added_uids"))
        for uid, client in owners.items():
            if listed.get(str(uid)) != client:
                raise AdminError(f"capitech: collections.added_uids.{uid} needs {client}, "
                                 "the client of its added records")
        for key in set(listed) - {str(u) for u in owners}:
            raise AdminError(f"capitech: collections.added_uids.{key} names no record of collections.added")
        for client in set(owners.values()):
            if self.state.get("added_version", client) is None:
                raise AdminError(f"capitech: collections.added_version.{client} is missing: "
                                 f"without it client {client}'s added records are not read")
            try:
                self.added(client)
            except (OverflowError, ValueError, TypeError) as exc:  # e.g. a time beyond the int32 columns
                raise AdminError(f"capitech: collections.added: client {client}'s records cannot be read "
                                 f"({type(exc).__name__}: {exc})") from None
        return set(owners.values())

    def _check_overlay(self, client: int, doc: dict) -> list[tuple[str, ClientData, int]]:
        """An overlay as the calls write it (setExternalStatusCode, the admin approve and change):
        entries of this client's registrations, a code the wire takes, approvals at LEVELS by a
        user name, hours up to MAX_HOURS of a category the registration has; answers what it touches."""
        from simulators.capitech.wire import is_int  # the wire's rule for externalStatusCode (wire imports us)
        where = f"capitech: collections.overlay.{client}"
        if self.state.get("overlay_version", client) is None:
            raise AdminError(f"capitech: collections.overlay_version.{client} is missing: "
                             f"without it the overlay of client {client} is not read")
        for part in set(doc) | set(OVERLAY_PARTS):
            if part not in OVERLAY_PARTS or not isinstance(doc.get(part, {}), dict):
                raise AdminError(f"{where}.{part}: an overlay holds objects by uid {OVERLAY_PARTS}")
        touched = {}
        for key, code in doc.get("ext", {}).items():
            touched[key] = self._registration(f"{where}.ext.{key}", client, key)
            if not is_int(code):
                raise AdminError(f"{where}.ext.{key} must be an externalStatusCode (an integer)")
        for key, levels in doc.get("appr", {}).items():
            touched[key] = self._registration(f"{where}.appr.{key}", client, key)
            if not isinstance(levels, dict):
                raise AdminError(f"{where}.appr.{key} must be an object of approvals by level")
            for level, given in levels.items():
                if level not in map(str, LEVELS):
                    raise AdminError(f"{where}.appr.{key}.{level}: approval levels are {LEVELS}")
                if not (isinstance(given, list) and len(given) == 2 and isinstance(given[0], str)
                        and type(given[1]) is int):
                    raise AdminError(f"{where}.appr.{key}.{level} must be [approver's user name, time in seconds]")
        for key, qty in doc.get("qty", {}).items():
            uid, _, cat = key.partition(":")
            cd, r = touched[uid] = self._registration(f"{where}.qty.{key}", client, uid)
            if cat not in {str(c) for c in cd.cat[cd.cols["rec"][r]:cd.cols["rec"][r + 1]]}:
                raise AdminError(f"{where}.qty.{key}: uid {uid} has no record with timeCategoryId {cat}")
            if type(qty) is not int or not 0 <= qty <= MAX_HOURS * 100:
                raise AdminError(f"{where}.qty.{key} must be hundredths of an hour, 0 to {MAX_HOURS * 100}")
        for key, given in doc.get("touch", {}).items():
            touched[key] = self._registration(f"{where}.touch.{key}", client, key)
            if not (isinstance(given, list) and len(given) == 2 and type(given[0]) is int
                    and isinstance(given[1], str)):
                raise AdminError(f"{where}.touch.{key} must be [time changed in seconds, correlationId]")
        return [(f"{where}: uid {key}", cd, r) for key, (cd, r) in touched.items()]

    def _registration(self, where: str, client: int, key: str) -> tuple[ClientData, int]:
        found = self.find(client, int(key)) if key.isdecimal() and str(int(key)) == key else None
        if found is None:
            raise AdminError(f"{where}: client {client} has no registration with uid {key!r}")
        return found

    # -- CT-CAT-1 -----------------------------------------------------------------------------
    def catalogue(self, user: str, client_id: int, what: str, include_passive: bool = False) -> list[dict]:
        """The client's dimensions, with those only scenario-added registrations refer to after them
        (an added record keeps the catalogue's names: added.reconcile)."""
        rows = CATALOGUE[what](self.client_for(user, client_id), include_passive)
        added = self.added(client_id)
        if added is not None:
            rows += [r for r in CATALOGUE[what](added, include_passive) if r not in rows]
        return rows


def bisect_range(arr, lo: int, hi: int) -> tuple[int, int]:
    return bisect_left(arr, lo), bisect_left(arr, hi)


def local_naive_seconds(dt: datetime) -> int:
    return int((dt - EPOCH).total_seconds())


def first_second_from(dt: datetime) -> int:
    """CT-TT-5 "on or after" a time given to the millisecond, against whole-second stamps: .500 is
    after the second it falls in, so that second's events are before it."""
    return math.ceil((dt - EPOCH).total_seconds())


def ext_matches(ext, codes: set | None, include_null: bool | None) -> bool:
    """CT-TT-4 [decision]: in the list, or null when nulls are included. Only the null flag:
    true -> everything, false -> only records with a code."""
    if ext is None:
        return include_null if include_null is not None else codes is None
    return codes is None or ext in codes


def _ids(items):
    """Indices of the items (id first) whose id is one of the values."""
    return lambda cd, values: {i for i, it in enumerate(items(cd)) if it[0] in values}


def _codes(items, pos):
    def pick(cd, values):
        wanted = {str(v).casefold() for v in values}
        return {i for i, it in enumerate(items(cd)) if str(it[pos]).casefold() in wanted}
    return pick


# CT-TT-2: request filter -> (registration column, function of the allowed values)
DIMENSIONS = {
    "employeeIdFilter": lambda cd, v: ("emp", _ids(lambda c: c.employees)(cd, v)),
    "departmentIdFilter": lambda cd, v: ("dept", _ids(lambda c: c.departments)(cd, v)),
    "taskIdFilter": lambda cd, v: ("task", {i for i, t in enumerate(cd.tasks) if t[1] in v}),
    "orderIdFilter": lambda cd, v: ("order", _ids(lambda c: c.orders)(cd, v)),
    "dutyIdFilter": lambda cd, v: ("duty", {i for i, d in enumerate(DUTIES) if d[0] in v}),
    "projectIdFilter": lambda cd, v: ("proj", _ids(lambda c: c.projects)(cd, v)),
    "subProjectIdFilter": lambda cd, v: ("sub", {i for i, s in enumerate(cd.subprojects) if s[1] in v}),
    "projectPhaseIdFilter": lambda cd, v: ("phase", {i for i, p in enumerate(cd.phases) if p[1] in v}),
    "freeDimension1Filter": lambda cd, v: ("fd1", set(v)),
    "freeDimension2Filter": lambda cd, v: ("fd2", set(v)),
    "projectAlphanumericCodeFilter": lambda cd, v: ("proj", _codes(lambda c: c.projects, 1)(cd, v)),
    "subProjectAlphanumericCodeFilter": lambda cd, v: ("sub", _codes(lambda c: c.subprojects, 2)(cd, v)),
    "phaseAlphanumericCodeFilter": lambda cd, v: ("phase", _codes(lambda c: c.phases, 2)(cd, v)),
}


def _projects(cd, passive):
    return [{"id": p[0], "alphanumericCode": p[1], "name": p[2], "passive": p[3]}
            for p in cd.projects if passive or not p[3]]


# CT-CAT-1: the dimensions the transactions refer to.
CATALOGUE = {
    "departments": lambda cd, _: [{"id": d[0], "name": d[1]} for d in cd.departments],
    "tasks": lambda cd, _: [{"id": t[1], "name": t[2], "departmentId": cd.departments[t[0]][0]} for t in cd.tasks],
    "projects": _projects,
    "subprojects": lambda cd, _: [{"id": s[1], "alphanumericCode": s[2], "name": s[3],
                                   "projectId": cd.projects[s[0]][0]} for s in cd.subprojects],
    "phases": lambda cd, _: [{"id": p[1], "alphanumericCode": p[2], "name": p[3],
                              "subProjectId": cd.subprojects[p[0]][1],
                              "projectId": cd.projects[cd.subprojects[p[0]][0]][0]} for p in cd.phases],
    "orders": lambda cd, _: [{"id": o[0], "name": o[1]} for o in cd.orders],
    "freedimension1s": lambda cd, _: [{"id": i, "name": n} for i, n in FD1],
    "freedimension2s": lambda cd, _: [{"id": i, "name": n} for i, n in FD2],
    "dutydefinitions": lambda cd, _: [{"id": d[0], "classicDutyId": d[1], "code": d[2], "description": d[3]}
                                      for d in DUTIES],
}
