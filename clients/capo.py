"""Reference client for the CAPO API (DSP / Mijn Aansluiting), usable against the real API and fieldsim.

    from clients.capo import CapoClient
    capo = CapoClient()                      # CAPO_BASE_URL (default the real API) and CAPO_TOKEN from env
    for p in capo.projects(): ...
    capo.upload_file(project_id, ba_id, "revisie.pdf", data, deliver=True, email="piet@example.nl")

A client-side limiter keeps a well-behaved caller under the published limits (20 requests/s,
burst 30, 3 in flight; with a small margin), so it should never see a 429; when it does, it retries
after Retry-After. Errors become CapoError carrying the server's message and status.
"""
from __future__ import annotations

import os
import threading
import time
from typing import Any, Iterable, TypedDict

import requests

REAL_BASE_URL = "https://services.dsplatform.nl/api/capo"

KEEP = object()  # a PATCH field left out (None is a value: null clears it)


class CapoError(Exception):
    def __init__(self, status: int, message: str, response: requests.Response | None = None):
        super().__init__(f"CAPO {status}: {message}")
        self.status, self.message, self.response = status, message, response


class Organisatie(TypedDict):
    organisatieId: int
    naam: str
    rol: str


class BijlageAssigned(TypedDict, total=False):
    bijlageAssignedId: str
    projectId: int
    naam: str
    assignedTo: Organisatie
    requiresReview: bool
    status: str  # assigned | uploaded | review | done
    reden: str | None


class Bijlage(TypedDict, total=False):
    bijlageId: str
    parentId: str
    projectId: int
    bestandsnaam: str
    status: str  # new | uploaded
    downloadUrl: str | None
    url: str  # upload URL, only in the answer of create_bijlage


Project = dict[str, Any]


class Limiter:
    """Token bucket (rate/s, burst) plus at most `inflight` concurrent requests; thread-safe.
    Defaults leave a margin under CAPO's 20/s, burst 30, 3 in flight."""

    def __init__(self, rate: float = 18.0, burst: int = 28, inflight: int = 3, clock=time.monotonic):
        self.rate, self.burst, self.clock = rate, burst, clock
        self.tokens, self.stamp = float(burst), clock()
        self.lock = threading.Lock()
        self.slots = threading.BoundedSemaphore(inflight)

    def _take(self) -> float:
        with self.lock:
            now = self.clock()
            self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now
            if self.tokens >= 1:
                self.tokens -= 1
                return 0.0
            return (1 - self.tokens) / self.rate

    def __enter__(self):
        self.slots.acquire()
        while (wait := self._take()) > 0:
            time.sleep(wait)
        return self

    def __exit__(self, *exc):
        self.slots.release()


class CapoClient:
    def __init__(self, base_url: str | None = None, token: str | None = None, *, limiter: Limiter | None = None,
                 max_retries: int = 5, timeout: float = 30.0, session: requests.Session | None = None):
        self.base_url = (base_url or os.environ.get("CAPO_BASE_URL") or REAL_BASE_URL).rstrip("/")
        self.token = token or os.environ.get("CAPO_TOKEN")
        if not self.token:
            raise ValueError("CAPO token missing: pass token= or set CAPO_TOKEN")
        self.limiter = limiter or Limiter()
        self.max_retries, self.timeout = max_retries, timeout
        self.http = session or requests.Session()
        self.retried_429 = 0  # how many 429s were seen (a well-behaved caller: 0)

    # -- transport ------------------------------------------------------------------------------
    def request(self, method: str, path: str, *, json: Any = None, params: dict | None = None,
                email: str | None = None) -> Any:
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        if email and method in ("POST", "PUT", "PATCH"):
            headers["x-email"] = email  # CAPO-EM-1: the acting user
        for attempt in range(self.max_retries + 1):
            with self.limiter:
                r = self.http.request(method, self.base_url + path, json=json, params=params, headers=headers,
                                      timeout=self.timeout)
            if r.status_code == 429 and attempt < self.max_retries:
                self.retried_429 += 1
                time.sleep(_retry_after(r))
                continue
            return _result(r)
        raise AssertionError("unreachable")

    # -- projects -------------------------------------------------------------------------------
    def projects(self, project_type: str | None = None, contractgebied_id: int | None = None,
                 changed_from: str | None = None, changed_to: str | None = None) -> list[Project]:
        return self.request("GET", "/project", params=_params(projectType=project_type, contractgebiedId=contractgebied_id,
                                                               changedFrom=changed_from, changedTo=changed_to))

    def project(self, project_id: int) -> Project:
        return self.request("GET", f"/project/{project_id}")

    def patch_project(self, project_id: int, *, start_uitvoering_week: str | None = None,
                      omschrijving=KEEP, email: str | None = None) -> Project:
        """startUitvoeringWeek and/or omschrijving; omschrijving=None clears it (left out: kept)."""
        body = _params(startUitvoeringWeek=start_uitvoering_week)
        if omschrijving is not KEEP:
            body["omschrijving"] = omschrijving
        return self.request("PATCH", f"/project/{project_id}", json=body, email=email)

    def hoofdleiding(self, changed_from: str | None = None, changed_to: str | None = None,
                     planning_changed_from: str | None = None, planning_changed_to: str | None = None) -> list[Project]:
        return self.request("GET", "/hoofdleiding", params=_params(
            changedFrom=changed_from, changedTo=changed_to, planningChangedFrom=planning_changed_from,
            planningChangedTo=planning_changed_to))

    def contractgebieden(self) -> list[dict]:
        return self.request("GET", "/contractgebied")

    # -- bijlagen -------------------------------------------------------------------------------
    def my_bijlage_assigned(self, status: str | None = None) -> list[BijlageAssigned]:
        return self.request("GET", "/bijlageassigned", params=_params(status=status))

    def bijlage_assigned(self, project_id: int) -> list[BijlageAssigned]:
        return self.request("GET", f"/project/{project_id}/bijlageassigned")

    def set_bijlage_assigned_status(self, project_id: int, ba_id: str, status: str, reden: str | None = None,
                                    email: str | None = None) -> BijlageAssigned:
        """Deliver ("done"; goes to "review" when requiresReview), approve ("done") or reject
        ("uploaded" with reden) as reviewer."""
        return self.request("PATCH", f"/project/{project_id}/bijlageassigned/{ba_id}",
                            json=_params(status=status, reden=reden), email=email)

    def create_bijlage(self, project_id: int, ba_id: str, bestandsnaam: str, content_type: str | None = None,
                       email: str | None = None) -> Bijlage:
        return self.request("POST", f"/project/{project_id}/bijlageassigned/{ba_id}/bijlage",
                            json=_params(bestandsnaam=bestandsnaam, contentType=content_type), email=email)

    def put_bytes(self, url: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        """PUT the raw bytes to the presigned upload URL (no token: the URL is the credential)."""
        _result(self.http.put(url, data=data, headers={"Content-Type": content_type}, timeout=self.timeout))

    def mark_uploaded(self, project_id: int, bijlage_id: str, email: str | None = None) -> Bijlage:
        return self.request("PATCH", f"/project/{project_id}/bijlage/{bijlage_id}", json={"status": "uploaded"},
                            email=email)

    def bijlagen(self, project_id: int) -> list[Bijlage]:
        return self.request("GET", f"/project/{project_id}/bijlage")

    def download(self, bijlage: Bijlage) -> bytes:
        r = self.http.get(bijlage["downloadUrl"], timeout=self.timeout)
        if r.status_code >= 400:
            _result(r)
        return r.content

    def upload_file(self, project_id: int, ba_id: str, bestandsnaam: str, data: bytes, *,
                    content_type: str = "application/octet-stream", deliver: bool = False,
                    email: str | None = None) -> Bijlage:
        """The whole upload flow: create the bijlage, PUT the bytes, mark uploaded and, when
        `deliver`, deliver the bijlageAssigned (status done, or review when it requires review)."""
        created = self.create_bijlage(project_id, ba_id, bestandsnaam, content_type, email=email)
        self.put_bytes(created["url"], data, content_type)
        done = self.mark_uploaded(project_id, created["bijlageId"], email=email)
        if deliver:
            self.set_bijlage_assigned_status(project_id, ba_id, "done", email=email)
        return done

    # -- quickscan, activities, log -------------------------------------------------------------
    def hoofdleiding_aanleggen(self, project_id: int, opmerking: str | None = None, email: str | None = None) -> Project:
        return self.request("POST", f"/project/{project_id}/hoofdleiding-aanleggen", json=_params(opmerking=opmerking),
                            email=email)

    def activiteiten(self, project_id: int) -> list[dict]:
        return self.request("GET", f"/project/{project_id}/activiteit")

    def add_activiteit(self, project_id: int, type_: str, omschrijving: str | None = None,
                       email: str | None = None) -> dict:
        return self.request("POST", f"/project/{project_id}/activiteit",
                            json=_params(type=type_, omschrijving=omschrijving), email=email)

    def mics(self, project_id: int) -> list[dict]:
        return self.request("GET", f"/project/{project_id}/mic")

    def add_mic(self, project_id: int, mee_in_combi: bool, opmerking: str | None = None,
                email: str | None = None) -> dict:
        """Mee in Combi: always the last quickscan step (CAPO-QS-3/4)."""
        return self.request("POST", f"/project/{project_id}/mic",
                            json=_params(meeInCombi=mee_in_combi, opmerking=opmerking), email=email)

    def log(self, project_id: int) -> list[dict]:
        return self.request("GET", f"/project/{project_id}/log")

    def quickscan(self, project_id: int, *, hoofdleiding: bool = False, extra_werkvoorbereiding: bool = False,
                  mee_in_combi: bool = True, email: str | None = None) -> dict:
        """The quickscan in the required order: hoofdleiding, extra werkvoorbereiding, mic last."""
        if hoofdleiding:
            self.hoofdleiding_aanleggen(project_id, email=email)
        if extra_werkvoorbereiding:
            self.add_activiteit(project_id, "Extra werkvoorbereiding", email=email)
        return self.add_mic(project_id, mee_in_combi, email=email)


def _params(**kw) -> dict:
    return {k: v for k, v in kw.items() if v is not None}


def _retry_after(r: requests.Response) -> float:
    try:
        return max(0.05, float(r.headers.get("Retry-After", "1")))
    except ValueError:
        return 1.0


def _result(r: requests.Response) -> Any:
    if r.status_code >= 400:
        try:
            message = r.json().get("message") or r.text
        except ValueError:
            message = r.text or r.reason
        raise CapoError(r.status_code, message, r)
    if not r.content:
        return None
    return r.json()


def iter_all_bijlage_assigned(client: CapoClient, project_ids: Iterable[int]):
    """Walk the bijlageAssigned of several projects (a typical polling integration)."""
    for pid in project_ids:
        yield from client.bijlage_assigned(pid)
