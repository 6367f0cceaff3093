"""A Capitech caller over HTTP for the tests, exactly as a client sends requests, plus an
independent reference filter written from the seed's documented semantics (not from the code)."""
from __future__ import annotations

from datetime import date, datetime

import requests

NOW = "2026-11-23T12:00:00+01:00"   # the tests' simulated "now" (Oslo and Amsterdam share CET)
MONTH = ("2026-10-01", "2026-10-31")


class Ct:
    def __init__(self, sim):
        self.sim = sim
        self.base = sim.url("capitech")
        self.http = requests.Session()
        self._token = None

    def post(self, path, body=None, **kw):
        return self.http.post(f"{self.base}/{path}", json=body, timeout=30, **kw)

    def login(self, user="demo", password="demo"):
        r = self.post("Access/login", {"username": user, "password": password})
        return r.json()["content"][0]["accessToken"]

    @property
    def token(self):
        if self._token is None:
            self._token = self.login()
        return self._token

    def tt(self, client=100, frm=MONTH[0], to=MONTH[1], token=None, **filters):
        return self.post("Time/getTimeTransactions", {"accessToken": token or self.token, "clientId": client,
                                                      "fromDate": frm, "toDate": to, **filters})

    def records(self, client=100, frm=MONTH[0], to=MONTH[1], **filters):
        r = self.tt(client, frm, to, **filters)
        body = r.json()
        assert r.status_code == 200 and body["success"], body
        return body["content"]

    def set_clock(self, now):
        """Move the simulated clock; a fresh login, since the move may outlive the token."""
        self.sim.set_clock(now)
        self._token = None

    def admin(self, path, body):
        return self.sim.admin("POST", f"capitech/{path}", json=body)


def _list(v):
    return None if v is None else (v if isinstance(v, list) else [v])


def reference(records: list[dict], f: dict) -> list[dict]:
    """Documented semantics (seeds/capitech.txt, CT-TT-1..5): every filter is 'any of the listed
    values'; all given filters must hold; [] or null means no filter."""
    pairs = {"employeeIdFilter": "employeeid", "departmentIdFilter": "departmentid", "taskIdFilter": "taskid",
             "orderIdFilter": "orderid", "dutyIdFilter": "shiftId", "projectIdFilter": "projectid",
             "subProjectIdFilter": "subProjectid", "projectPhaseIdFilter": "projectPhaseid",
             "freeDimension1Filter": "freeDimension1Id", "freeDimension2Filter": "freeDimension2Id",
             "timeCategoryIdFilter": "timeCategoryId", "timeCategoryTypeIdFilter": "timeCategoryTypeId"}
    codes = {"projectAlphanumericCodeFilter": "projectAlphanumericCode",
             "subProjectAlphanumericCodeFilter": "subProjectAlphanumericCode",
             "phaseAlphanumericCodeFilter": "phaseAlphanumericCode"}
    levels = {1: "approvedLevelOne", 2: "approvedLevelTwo", 3: "approvedLevelThree", 4: "approvedLevelFour"}
    out = []
    for rec in records:
        ok = True
        for name, fld in pairs.items():
            vals = _list(f.get(name))
            if vals:
                ok &= rec[fld] in vals
        for name, fld in codes.items():
            vals = _list(f.get(name))
            if vals:
                ok &= rec[fld] is not None and rec[fld].lower() in [v.lower() for v in vals]
        lv = _list(f.get("approvedLevelFilter"))
        if lv:
            ok &= any(rec[levels[x]] == 1 for x in lv if x in levels)
        pay = f.get("includePayableCategory")
        if pay is not None:
            ok &= rec["timeCategoryPayable"] == (1 if pay else 0)
        codes_f, nulls = _list(f.get("externalStatusCodeFilter")), f.get("includeElementsWithExternalStatusCodeNull")
        ext = rec["externalStatusCode"]
        if ext is None:
            ok &= nulls if nulls is not None else not codes_f
        elif codes_f:
            ok &= ext in codes_f
        if f.get("lastUpdatedGreaterThanOrEqualToFilter"):
            ok &= rec["lastUpdatedOn"][:10] >= f["lastUpdatedGreaterThanOrEqualToFilter"]
        if f.get("lastApprovedOrUpdatedFilter"):
            ok &= last_event(rec) >= datetime.fromisoformat(f["lastApprovedOrUpdatedFilter"])
        if ok:
            out.append(rec)
    return out


def keys(records):
    return sorted((r["uid"], r["timeCategoryId"]) for r in records)


def overlaps(rec, frm, to) -> bool:
    return rec["datein"] <= to and rec["dateout"] >= frm


def as_date(text) -> date:
    return date.fromisoformat(text)


def last_event(rec: dict) -> datetime:
    """CT-TT-5: the latest of lastUpdatedOn (creation or change) and the approvals."""
    stamps = [rec["lastUpdatedOn"]] + [rec[f"approvedLevel{n}On"] for n in ("One", "Two", "Three", "Four")]
    return max(datetime.fromisoformat(s) for s in stamps if s)
