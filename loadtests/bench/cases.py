"""The bench cases: one request per API, exactly as a client sends it, prepared against a running
fieldsim (log in, find ids and windows) and checked there before any load. A case whose API is not
served (yet) raises NotServed and is reported as "not measured"."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

import requests

from loadtests.bench.peers import CASE_HEADER

CAPO_TOKEN = "capo-netbeheerder-demo"
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
CP_NS = "https://api.cloudplan.nl/"


class NotServed(Exception):
    """The API does not answer this case correctly (not built yet, or broken)."""


@dataclass
class Case:
    name: str
    api: str
    title: str
    method: str
    path: str
    headers: dict = field(default_factory=dict)
    body: bytes = b""
    note: str = ""
    expected_status: int = 200
    expected_type: str = "application/json"
    expected_body: bytes = b""

    def wrk_headers(self) -> dict:
        """Every request carries X-Bench-Case (peers route on it) and Prefer (Prism's example choice)."""
        return {**self.headers, CASE_HEADER: self.name, "Prefer": f"example={self.name}"}

    def send(self, base: str, http: requests.Session | None = None) -> requests.Response:
        return (http or requests).request(self.method, base + self.path, headers=self.wrk_headers(),
                                          data=self.body or None, timeout=60)


def _snapshot(case: Case, base: str, check) -> Case:
    r = case.send(base)
    try:
        problem = check(r)
    except (ValueError, KeyError, TypeError, IndexError) as exc:
        problem = f"unexpected answer ({exc.__class__.__name__}: {exc})"
    if r.status_code != 200 or problem:
        raise NotServed(problem or f"HTTP {r.status_code}: {r.text[:200]}")
    case.expected_status = r.status_code
    case.expected_type = r.headers.get("Content-Type", "application/octet-stream")
    case.expected_body = r.content
    return case


def _first_id(doc):
    """The first object id in a CAPO list answer, whatever its envelope."""
    if isinstance(doc, dict):
        for key in ("id", "projectId", "_id"):
            if isinstance(doc.get(key), (str, int)):
                return doc[key]
        for v in doc.values():
            found = _first_id(v)
            if found is not None:
                return found
    if isinstance(doc, list):
        for v in doc:
            found = _first_id(v)
            if found is not None:
                return found
    return None


def capo(base: str) -> Case:
    auth = {"Authorization": f"Bearer {CAPO_TOKEN}", "Accept": "application/json"}
    r = requests.get(base + "/api/capo/project", headers=auth, timeout=30)
    if r.status_code != 200:
        raise NotServed(f"GET /api/capo/project answered {r.status_code}")
    pid = _first_id(r.json())
    if pid is None:
        raise NotServed("no project in GET /api/capo/project")
    case = Case("capo-project", "capo", "CAPO GET /api/capo/project/{id} (Bearer)", "GET",
                f"/api/capo/project/{pid}", auth)
    return _snapshot(case, base, lambda r: None if str(_first_id(r.json())) == str(pid) else "other project")


def _ct_login(base: str) -> str:
    r = requests.post(base + "/api/public/v1/Access/login", json={"username": "demo", "password": "demo"}, timeout=30)
    try:
        return r.json()["content"][0]["accessToken"]
    except (ValueError, KeyError, IndexError, TypeError):
        raise NotServed(f"Capitech login answered {r.status_code}: {r.text[:200]}") from None


def _ct_query(base, token, client, frm, to, **filters):
    body = {"accessToken": token, "clientId": client, "fromDate": frm, "toDate": to, **filters}
    r = requests.post(base + "/api/public/v1/Time/getTimeTransactions", json=body, timeout=120)
    doc = r.json()
    if r.status_code != 200 or not doc.get("success"):
        raise NotServed(f"getTimeTransactions answered {r.status_code}: {r.text[:200]}")
    return body, doc["content"]


def capitech(base: str, target: int, client: int = 200, start: str = "2026-10-01") -> Case:
    """getTimeTransactions answering about `target` records: a window of whole days on one client,
    narrowed with employeeIdFilter to the first employees whose records add up to the target."""
    token = _ct_login(base)
    first = date.fromisoformat(start)
    per_employee: dict = {}
    for day in range(31):  # one day per query: each stays under the 5000-record cap (CT-TT)
        to = (first + timedelta(days=day)).isoformat()
        for rec in _ct_query(base, token, client, to, to)[1]:
            per_employee[rec["employeeid"]] = per_employee.get(rec["employeeid"], 0) + 1
        if sum(per_employee.values()) >= target:
            break
    chosen, total = [], 0
    for emp, n in sorted(per_employee.items()):
        if total + n <= target:
            chosen.append(emp)
            total += n
    body = {"accessToken": token, "clientId": client, "fromDate": start, "toDate": to, "employeeIdFilter": chosen}
    case = Case(f"capitech-{target}", "capitech", f"Capitech getTimeTransactions, {target} records (--scale large)",
                "POST", "/api/public/v1/Time/getTimeTransactions", {"Content-Type": "application/json"},
                json.dumps(body).encode())

    def check(r):
        n = len(r.json()["content"])
        case.note = f"{n} records"
        return None if n >= min(target, total) * 0.8 else f"only {n} records"
    return _snapshot(case, base, check)


def _soap(op: str, inner: str) -> bytes:
    return (f'<soapenv:Envelope xmlns:soapenv="{SOAP11}" xmlns:api="{CP_NS}"><soapenv:Header/><soapenv:Body>'
            f"<api:{op}>{inner}</api:{op}></soapenv:Body></soapenv:Envelope>").encode()


def cloudplan(base: str, matchers: int = 10) -> Case:
    xml = {"Content-Type": "text/xml;charset=UTF-8"}
    r = requests.post(base + "/v1/authentication", data=_soap(
        "login", "<username>demo</username><password>demo</password>"), headers=xml, timeout=30)
    m = re.search(r"<authenticationToken>(\w+)<", r.text)
    if r.status_code != 200 or not m:
        raise NotServed(f"Cloudplan login answered {r.status_code}: {r.text[:200]}")
    auth = f"<authentication><token>{m.group(1)}</token></authentication>"
    r = requests.post(base + "/v1/projects", data=_soap("getProjects", auth + '<projectMatcher allowMultiple="true"/>'),
                      headers=xml, timeout=30)
    numbers = list(dict.fromkeys(re.findall(r"<number>([^<]+)</number>", r.text)))[:matchers]
    if r.status_code != 200 or not numbers:
        raise NotServed(f"Cloudplan getProjects answered {r.status_code}: {r.text[:200]}")
    numbers = (numbers * matchers)[:matchers]
    inner = auth + "".join(f"<projectMatcher><number>{n}</number></projectMatcher>" for n in numbers)
    case = Case("cloudplan-projects", "cloudplan", f"Cloudplan getProjects, {matchers} matchers (SOAP)", "POST",
                "/v1/projects", {**xml, "SOAPAction": '""'}, _soap("getProjects", inner))

    def check(r):
        n = r.text.count("<matcherResult>") + r.text.count("<matcherResult ")
        return None if n == matchers else f"{n} matcher results, expected {matchers}"
    return _snapshot(case, base, check)


def werkbon(base: str) -> Case:
    path = "/openapi/8/GetWorkorders/?token=werkbon-demo-token&software_token=werkbon-demo-software&status=Alle"
    case = Case("werkbon-workorders", "werkbon", "WerkbonApp GetWorkorders", "GET", path)
    return _snapshot(case, base, lambda r: None if r.json().get("code") == 200 else f"code {r.json().get('code')}")


def stadsnet(base: str) -> Case:
    """api_login once (the hash), then the TL's order list since 2000-01-01."""
    r = requests.get(base + "/plain/serviceguide_log", params={"method": "api_login", "api_user": 1001,
                                                               "api_key": "tl-demo-key"}, timeout=30)
    m = re.search(r"<hash_key>([^<]+)</hash_key>", r.text)
    if r.status_code != 200 or not m:
        raise NotServed(f"Stadsnät api_login answered {r.status_code}: {r.text[:200]}")
    path = f"/plain/serviceguide_log?method=orders&hash={m.group(1)}&date={_week_ago(base)}"
    case = Case("stadsnet-orders", "stadsnet", "Stadsnätsportalen method=orders (TL)", "GET", path)

    def check(r):
        case.note = f"{r.text.count('<order>')} orders since {path.rsplit('=', 1)[1]}"
        return None if "<status>success</status>" in r.text else r.text[:200]
    return _snapshot(case, base, check)


def _week_ago(base: str) -> str:
    """A TL polls for orders since about a week ago on the simulated clock."""
    try:
        now = requests.get(base + "/__admin/clock", timeout=10).json()["now"]
        return (date.fromisoformat(now[:10]) - timedelta(days=7)).isoformat()
    except (requests.RequestException, ValueError, KeyError):
        return "2000-01-01"


PREPARE = {
    "capo-project": capo,
    "capitech-100": lambda base: capitech(base, 100),
    "capitech-5000": lambda base: capitech(base, 5000),
    "cloudplan-projects": cloudplan,
    "werkbon-workorders": werkbon,
    "stadsnet-orders": stadsnet,
}
