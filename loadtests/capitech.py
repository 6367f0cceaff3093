"""Locust profiles for the Capitech simulator (run against --scale large: >1.5M transactions).

Two kinds of users, as real integrations behave:
- NightlyExportUser (tag nightly-export): logs in, exports 31-day windows per client with large
  answers; when a window is refused with "Too many results" it halves it, like clients/capitech.py.
- FrequentPollUser (tag frequent-poll): every few seconds asks for what was created, changed or
  approved since its last poll (lastApprovedOrUpdatedFilter) over the last two weeks.

Run (fieldsim first, then Locust headless for 60 s):
    fieldsim serve --api capitech --scale large --port 8080 &
    locust -f loadtests/capitech.py --headless -u 20 -r 5 -t 60s --host http://127.0.0.1:8080
    # one kind only: add  --tags nightly-export   or   --tags frequent-poll
Environment: CAPITECH_USERNAME / CAPITECH_PASSWORD (demo/demo), CAPITECH_CLIENTS ("100,200"),
CAPITECH_EXPORT_FROM / CAPITECH_EXPORT_TO (days the export windows are drawn from; default
2025-12-01 .. 2026-10-31, inside the large dataset). The simulated clock is read from /__admin/clock
when the target is fieldsim, so polls follow simulated time.
"""
from __future__ import annotations

import os
import random
from datetime import date, datetime, timedelta

from locust import FastHttpUser, between, tag, task

BASE = "/api/public/v1"
USER = os.environ.get("CAPITECH_USERNAME", "demo")
PASSWORD = os.environ.get("CAPITECH_PASSWORD", "demo")
CLIENTS = [int(c) for c in os.environ.get("CAPITECH_CLIENTS", "100,200").split(",")]
EXPORT_FROM = date.fromisoformat(os.environ.get("CAPITECH_EXPORT_FROM", "2025-12-01"))
EXPORT_TO = date.fromisoformat(os.environ.get("CAPITECH_EXPORT_TO", "2026-10-31"))
# A one-kind profile names its user class too: tags alone would leave the other class without
# tasks, and Locust fails every such user ("No tasks defined").
PROFILES = {"capitech-nightly-export": {"tags": ["nightly-export"], "user_classes": ["NightlyExportUser"]},
            "capitech-frequent-poll": {"tags": ["frequent-poll"], "user_classes": ["FrequentPollUser"]},
            "capitech-mixed": {"tags": []}}


class CapitechUser(FastHttpUser):
    abstract = True
    token = None

    def on_start(self):
        self.login()

    def login(self):
        with self.client.post(f"{BASE}/Access/login", json={"username": USER, "password": PASSWORD},
                              name="Access/login", catch_response=True) as r:
            body = r.json() if r.status_code == 200 else {}
            if not body.get("success"):
                r.failure(f"login failed: {r.text[:200]}")
                return
            self.token = body["content"][0]["accessToken"]

    def transactions(self, name, client_id, frm, to, **filters):
        """One call; re-login on 401; answers (records or None when too many, or a failure)."""
        payload = {"accessToken": self.token, "clientId": client_id, "fromDate": str(frm), "toDate": str(to), **filters}
        with self.client.post(f"{BASE}/Time/getTimeTransactions", json=payload, name=name, catch_response=True) as r:
            if r.status_code == 401:
                r.success()
                self.login()
                return []
            body = r.json()
            if body.get("success"):
                return body["content"]
            if "Too many results" in (body.get("displayErrorMessage") or ""):
                r.success()  # expected: the exporter narrows the window
                return None
            r.failure(body.get("displayErrorMessage") or r.text[:200])
            return []


class NightlyExportUser(CapitechUser):
    wait_time = between(0.5, 2)

    @tag("nightly-export")
    @task
    def export_month(self):
        client_id = random.choice(CLIENTS)
        start = EXPORT_FROM + timedelta(days=random.randrange(max(1, (EXPORT_TO - EXPORT_FROM).days - 30)))
        windows = [(start, start + timedelta(days=30))]
        while windows:  # bounded: a window of one day is never split further
            frm, to = windows.pop()
            recs = self.transactions("getTimeTransactions [export 31d]" if (to - frm).days == 30 else
                                     "getTimeTransactions [export split]", client_id, frm, to)
            if recs is None and frm < to:
                mid = frm + timedelta(days=(to - frm).days // 2)
                windows += [(mid + timedelta(days=1), to), (frm, mid)]


class FrequentPollUser(CapitechUser):
    wait_time = between(2, 5)
    last_poll = None

    def sim_now(self) -> datetime:
        try:
            r = self.client.get("/__admin/clock", name="__admin/clock")
            return datetime.fromisoformat(r.json()["now"]).replace(tzinfo=None)
        except Exception:  # not fieldsim: the local clock
            return datetime.now()

    @tag("frequent-poll")
    @task
    def poll_changes(self):
        now = self.sim_now()
        since = self.last_poll or now - timedelta(hours=24)
        self.last_poll = now
        client_id = random.choice(CLIENTS)
        self.transactions("getTimeTransactions [poll]", client_id, (now - timedelta(days=13)).date(), now.date(),
                          lastApprovedOrUpdatedFilter=since.strftime("%Y-%m-%d %H:%M:%S.000"))
