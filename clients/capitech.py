"""Reference client for the Capitech public API (time transactions); works against the real
provider (https://<customer>.capitech.no) and against fieldsim.

    from clients.capitech import CapitechClient
    c = CapitechClient("http://127.0.0.1:8080", "demo", "demo")
    for rec in c.time_transactions(100, "2026-07-01", "2026-10-31", approvedLevelFilter=[1]):
        ...

- logs in lazily and once more when a call answers HTTP 401 "Session expired";
- time_transactions() splits any period into windows of at most 31 days, halves a window when the
  answer is refused as "Too many results", streams records and drops the duplicates two windows
  both return (registrations across midnight: same uid + timeCategoryId);
- sync() compares recordStateKeys with the previous run to report new, changed and removed records.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Iterator

import requests

MAX_DAYS = 31


class CapitechError(Exception):
    def __init__(self, body: dict):
        self.body = body
        self.server = body.get("serverErrorMessage") or ""
        self.display = body.get("displayErrorMessage") or ""
        super().__init__(self.display or self.server or "Capitech call failed")

    @property
    def too_many_results(self) -> bool:
        return "Too many results" in self.display or "maximum allowed number" in self.server


class SessionExpired(Exception):
    pass


def _day(d) -> date:
    return d if isinstance(d, date) else date.fromisoformat(str(d))


class CapitechClient:
    def __init__(self, base_url: str, username: str, password: str, session: requests.Session | None = None,
                 timeout: float = 60, window_days: int = MAX_DAYS):
        root = base_url.rstrip("/")
        self.base = root if root.endswith("/api/public/v1") else root + "/api/public/v1"
        self.username, self.password = username, password
        self.http = session or requests.Session()
        self.timeout = timeout
        self.window_days = min(window_days, MAX_DAYS)
        self.token: str | None = None

    # -- session ----------------------------------------------------------------------------
    def login(self) -> str:
        body = self._post("Access/login", {"username": self.username, "password": self.password})
        self.token = body["content"][0]["accessToken"]
        return self.token

    def logout(self) -> None:
        if self.token:
            try:
                self._post("Access/logout", {"accessToken": self.token})
            finally:
                self.token = None

    def _post(self, path: str, payload: dict) -> dict:
        r = self.http.post(f"{self.base}/{path}", json=payload, timeout=self.timeout)
        if r.status_code == 401:
            raise SessionExpired(r.text)
        body = r.json()
        if not body.get("success"):
            raise CapitechError(body)
        return body

    def call(self, path: str, **payload) -> list:
        """An authenticated call; logs in (again) when the session is missing or expired."""
        for attempt in (0, 1):
            if self.token is None:
                self.login()
            try:
                return self._post(path, {"accessToken": self.token, **payload})["content"]
            except SessionExpired:
                self.token = None
                if attempt:
                    raise
        raise AssertionError("unreachable")

    # -- time transactions ------------------------------------------------------------------
    def get_time_transactions(self, client_id: int, from_date, to_date, **filters) -> list[dict]:
        return self.call("Time/getTimeTransactions", clientId=client_id, fromDate=str(from_date),
                         toDate=str(to_date), **filters)

    def time_transactions(self, client_id: int, from_date, to_date, **filters) -> Iterator[dict]:
        """Every record of [from_date, to_date], however long the period or large the answer."""
        seen: set[tuple] = set()
        start, end = _day(from_date), _day(to_date)
        while start <= end:
            window_end = min(end, start + timedelta(days=self.window_days - 1))
            for rec in self._window(client_id, start, window_end, filters):
                key = (rec["uid"], rec["timeCategoryId"])
                if key not in seen:
                    seen.add(key)
                    yield rec
            start = window_end + timedelta(days=1)

    def _window(self, client_id, start: date, end: date, filters) -> Iterator[dict]:
        try:
            yield from self.get_time_transactions(client_id, start, end, **filters)
        except CapitechError as exc:
            if not exc.too_many_results or start == end:
                raise
            middle = start + timedelta(days=(end - start).days // 2)
            yield from self._window(client_id, start, middle, filters)
            yield from self._window(client_id, middle + timedelta(days=1), end, filters)

    def set_external_status_code(self, client_id: int, uids: list[int], code: int | None) -> list:
        return self.call("Time/setExternalStatusCode", clientId=client_id, externalStatusCode=code, uids=list(uids))

    def catalogue(self, client_id: int, method: str, **payload) -> list:
        return self.call(f"Catalogue/{method}", clientId=client_id, **payload)


@dataclass
class SyncResult:
    new: list = field(default_factory=list)
    changed: list = field(default_factory=list)
    removed: list = field(default_factory=list)   # (uid, timeCategoryId) no longer returned
    state: dict = field(default_factory=dict)     # (uid, timeCategoryId) -> recordStateKey, for the next run


def sync(client: CapitechClient, client_id: int, from_date, to_date, previous: dict | None = None,
         **filters) -> SyncResult:
    """Which records changed since the last run: a record whose recordStateKey (uid, category,
    hours) differs from the one stored last time was changed in Capitech (CT-TT-9)."""
    previous = previous or {}
    out = SyncResult()
    for rec in client.time_transactions(client_id, from_date, to_date, **filters):
        key = (rec["uid"], rec["timeCategoryId"])
        out.state[key] = rec["recordStateKey"]
        if key not in previous:
            out.new.append(rec)
        elif previous[key] != rec["recordStateKey"]:
            out.changed.append(rec)
    out.removed = [k for k in previous if k not in out.state]
    return out
