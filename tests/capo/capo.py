"""Helpers for the CAPO tests: call the API over HTTP exactly as a client does."""
from __future__ import annotations

import requests

NB, A1, A2 = "capo-netbeheerder-demo", "capo-aannemer-demo", "capo-aannemer2-demo"
BA_PROJECT = 3000106  # seeded bijlageAssigned in every status
QS_OPEN, QS_DONE = 3000104, 3000105
A2_PROJECT = 3000301


class Capo:
    def __init__(self, sim, token: str = NB, unlimited: bool = False):
        self.sim, self.url, self.token = sim, sim.url("capo"), token
        self.unlimited = unlimited  # long generated runs: forget rate-limit buckets before each call
        self.http = requests.Session()

    def as_(self, token: str) -> "Capo":
        return Capo(self.sim, token, self.unlimited)

    def call(self, method: str, path: str, email: str | None = None, **kw) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.token}", **kw.pop("headers", {})}
        if email:
            headers["x-email"] = email
        if self.unlimited:
            self.sim.runtime.backend.ratelimit_reset()
        return self.http.request(method, self.url + path, headers=headers, timeout=10, **kw)

    def ok(self, method: str, path: str, status: int = 200, **kw):
        r = self.call(method, path, **kw)
        assert r.status_code == status, (r.status_code, r.text)
        return r.json()

    def err(self, method: str, path: str, status: int, **kw) -> str:
        r = self.call(method, path, **kw)
        assert r.status_code == status, (r.status_code, r.text)
        assert r.headers["Content-Type"].startswith("application/json")
        body = r.json()
        assert set(body) == {"message"} and body["message"], body
        return body["message"]

    # -- shortcuts -------------------------------------------------------------------------------
    def ba(self, naam: str, project: int = BA_PROJECT) -> dict:
        return next(b for b in self.ok("GET", f"/project/{project}/bijlageassigned") if b["naam"] == naam)

    def upload(self, ba: dict, data: bytes = b"%PDF demo", name: str = "f.pdf", email=None) -> dict:
        """The whole file flow: create, PUT bytes, mark uploaded."""
        p, bid = ba["projectId"], ba["bijlageAssignedId"]
        created = self.ok("POST", f"/project/{p}/bijlageassigned/{bid}/bijlage", 201, json={"bestandsnaam": name}, email=email)
        assert requests.put(created["url"], data=data, timeout=10).status_code == 200
        return self.ok("PATCH", f"/project/{p}/bijlage/{created['bijlageId']}", json={"status": "uploaded"}, email=email)

    def set_ba(self, ba: dict, status: str, expect: int = 200, **extra):
        path = f"/project/{ba['projectId']}/bijlageassigned/{ba['bijlageAssignedId']}"
        r = self.call("PATCH", path, json={"status": status, **extra})
        assert r.status_code == expect, (r.status_code, r.text)
        return r.json()
