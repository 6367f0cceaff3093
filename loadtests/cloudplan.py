"""Locust profile for the Cloudplan SOAP webservice: planners who log in once, then mix getPlanning
with date matchers (CP-M-5), getProjects with ten matchers (CP-M-1) and pushResources (CP-R-3).
Raw envelopes over FastHttpUser, so the client is cheap and the server is what is measured.

    fieldsim serve --api cloudplan &
    locust -f loadtests/cloudplan.py --headless -u 20 -r 10 -t 30s --host http://127.0.0.1:8080

Profiles (for `make load PROFILE=...`): cloudplan-mixed (all tasks), cloudplan-get10 (tag "get10":
only getProjects with 10 matchers, the benchmark target of >= 1000 req/s). Environment:
CLOUDPLAN_USERNAME / CLOUDPLAN_PASSWORD (default demo/demo). A response that carries <error>,
<Errors> or a SOAP fault counts as a failure.
"""
from __future__ import annotations

import os
import random
import re

from locust import FastHttpUser, tag, task

SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
NS = "https://api.cloudplan.nl/"
HEADERS = {"Content-Type": "text/xml;charset=UTF-8"}
PROFILES = {
    "cloudplan-mixed": {"tags": [], "users": 20, "spawn_rate": 10, "run_time": "30s"},
    "cloudplan-get10": {"tags": ["get10"], "users": 20, "spawn_rate": 20, "run_time": "30s"},
}
OPS = ["BEFORE_OR_EQUAL_DATE", "AFTER_OR_EQUAL_DATE", "BEFORE_TIME", "AFTER_DATE", "EQUALS_DATE"]


def envelope(op: str, inner: str) -> bytes:
    return (f'<soapenv:Envelope xmlns:soapenv="{SOAP11}" xmlns:api="{NS}"><soapenv:Header/><soapenv:Body>'
            f"<api:{op}>{inner}</api:{op}></soapenv:Body></soapenv:Envelope>").encode()


class Planner(FastHttpUser):
    """One planning integration: log in once, then read projects and planning and push people."""

    def on_start(self):
        user = os.environ.get("CLOUDPLAN_USERNAME", "demo")
        password = os.environ.get("CLOUDPLAN_PASSWORD", "demo")
        r = self.client.post("/v1/authentication", name="login", headers=HEADERS, data=envelope(
            "login", f"<username>{user}</username><password>{password}</password>"))
        found = re.search(r"<authenticationToken>(\w+)<", r.text or "")
        self.auth = f"<authentication><token>{found.group(1) if found else ''}</token></authentication>"
        self.get10 = envelope("getProjects", self.auth + "".join(
            f'<projectMatcher allowMultiple="false"><number>PROJ-{i:02d}</number></projectMatcher>'
            for i in (1, 2, 3, 4, 5, 6, 7, 8, 9, 1)))

    def _post(self, service: str, name: str, body: bytes):
        with self.client.post(f"/v1/{service}", name=name, data=body, headers=HEADERS, catch_response=True) as r:
            text = r.text or ""
            if r.status_code != 200 or "<error>" in text or "<Errors>" in text or "Fault>" in text:
                r.failure(f"HTTP {r.status_code}: {text[:200]}")
            else:
                r.success()

    @tag("get10")
    @task(4)
    def get_projects_10_matchers(self):
        self._post("projects", "getProjects x10", self.get10)

    @task(4)
    def get_planning_by_date(self):
        day = random.randint(1, 28)
        month = random.choice(["2019-09", "2026-03", "2026-06"])
        op1, op2 = random.sample(OPS, 2)
        self._post("planning", "getPlanning dates", envelope("getPlanning", self.auth + (
            '<planningMatcher allowMultiple="true">'
            f'<start operator="{op1}"><dateTime>{month}-{day:02d}</dateTime></start>'
            f'<end operator="{op2}"><dateTime>{month}-01T08:00:00</dateTime></end></planningMatcher>')))

    @task(2)
    def push_resource(self):
        number = f"LOAD-{random.randint(1, 200)}"
        self._post("resources", "pushResources", envelope("pushResources", self.auth + (
            f'<resource><resourceMatcher allowMultiple="false" validationPolicy="FAIL"><number>{number}</number>'
            f"</resourceMatcher><resourceValues><number>{number}</number><name>Load {number}</name>"
            "<department><number>AFD-01</number></department><availability>32</availability>"
            "</resourceValues></resource>")))
