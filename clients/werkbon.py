"""Reference client for the WerkbonApp / OutSmart Open API, version 8.

Works against the real provider (https://www.werkbonapp.nl) and the simulator alike:

    from clients.werkbon import WerkbonClient, Workorder
    client = WerkbonClient("http://127.0.0.1:8080", "werkbon-demo-token", "werkbon-demo-software")
    client.sync_employees([{"firstname": "Jan", "lastname": "Klaassen", "number": "123"}])
    row_id = client.post_workorders([{...}])[0]["row_id"]

    # the vendor's recommended workflow as one call: fetch Compleet orders without changing their
    # status, process each with the callback, and only then mark it handled (Afgehandeld).
    report = client.process_completed(lambda order: erp.book(order))

Every response is HTTP 200 with {"code", "messages", "response"}; a code other than 200 raises
WerkbonError carrying the code and the server's messages.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import requests

VERSION = 8
STATUSES = ("Alle", "Klaargezet", "Opgehaald", "Compleet", "Afgehandeld")


class WerkbonError(Exception):
    """The API answered a code other than 200 (see the document's response-code table)."""

    def __init__(self, code: int, messages: list[str], function: str = ""):
        super().__init__(f"{function}: code {code}: {'; '.join(messages) or 'no message'}")
        self.code, self.messages, self.function = code, messages, function

    @property
    def is_auth(self) -> bool:
        return self.code in (1002, 1003, 1004, 1005)


@dataclass
class Workorder:
    """The fields an ERP usually needs; `raw` keeps everything the API sent."""

    id: int
    workorder_no: str
    status: str
    customer_debtor_nr: str
    employee_nr: str
    work_date: str
    workperiods: list[dict] = field(default_factory=list)
    materials: list[dict] = field(default_factory=list)
    raw: dict = field(default_factory=dict)

    @classmethod
    def from_api(cls, data: dict) -> "Workorder":
        return cls(id=int(data["id"]), workorder_no=data.get("WorkorderNo", ""), status=data.get("status", ""),
                   customer_debtor_nr=data.get("CustomerDebtorNr", ""), employee_nr=data.get("EmployeeNr", ""),
                   work_date=data.get("WorkDate", ""), workperiods=data.get("Workperiods") or [],
                   materials=data.get("Materials") or [], raw=data)


@dataclass
class ProcessReport:
    handled: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # WorkorderNo -> error; these stay Compleet


class WerkbonClient:
    def __init__(self, base_url: str, token: str, software_token: str, *, version: int = VERSION,
                 session: requests.Session | None = None, timeout: float = 30.0):
        self.base = f"{base_url.rstrip('/')}/openapi/{version}"
        self.auth = {"token": token, "software_token": software_token}
        self.http = session or requests.Session()
        self.timeout = timeout

    # ---- transport -----------------------------------------------------------------------------
    def call(self, method: str, function: str, params: dict | list | None = None, body: Any = None) -> Any:
        """One request; the tokens are URL parameters on every request, POST too."""
        query = list(self.auth.items()) + (list(params.items()) if isinstance(params, dict) else list(params or []))
        resp = self.http.request(method, f"{self.base}/{function}/", params=query, timeout=self.timeout,
                                 json=body if body is not None else None,
                                 headers={"Accept": "application/json"})
        resp.raise_for_status()  # the API itself always answers 200; anything else is the network
        data = resp.json()
        if data.get("code") != 200:
            raise WerkbonError(data.get("code"), data.get("messages") or [], function)
        return data.get("response")

    @staticmethod
    def filters(*conditions: tuple[str, str, str]) -> list[tuple[str, str]]:
        """Advanced filters: (key, operator, value) with operator li eq ne gt ge lt le."""
        params: list[tuple[str, str]] = []
        for key, op, value in conditions:
            params += [("key[]", key), ("value[]", str(value)), ("operator[]", op)]
        return params

    # ---- master data ---------------------------------------------------------------------------
    def sync(self, entity: str, records: list[dict]) -> int:
        """POST master data (employees, materials, relations, projects, hourtypes, …): the number
        synced. A record with an existing number/code updates it."""
        return self.call("POST", entity, body=records) if records else 0

    def list(self, entity: str, *conditions: tuple[str, str, str]) -> list[dict]:
        return self.call("GET", entity, self.filters(*conditions))

    def sync_employees(self, employees: list[dict]) -> int:
        return self.sync("employees", employees)

    def sync_materials(self, materials: list[dict]) -> int:
        return self.sync("materials", materials)

    def sync_relations(self, relations: list[dict]) -> int:
        return self.sync("relations", relations)

    def sync_projects(self, projects: list[dict]) -> int:
        return self.sync("projects", projects)

    def sync_hourtypes(self, hourtypes: list[dict]) -> int:
        return self.sync("hourtypes", hourtypes)

    def delete(self, entity: str, key: str, value: str) -> int:
        return self.call("GET", "DeleteEntity", {"delete_all": "false", "entity": entity, "key": key, "value": value})

    # ---- work orders ---------------------------------------------------------------------------
    def post_workorders(self, orders: list[dict]) -> list[dict]:
        """[{workorder_no, row_id}] per posted order."""
        return self.call("POST", "PostWorkorders", body=orders)

    def update_workorder(self, *, row_id: int | None = None, workorder_no: str | None = None,
                         workdate: str | None = None, worktime: str | None = None,
                         employee_nr: str | None = None, workstatus: str | None = None) -> None:
        params = {k: v for k, v in dict(row_id=row_id, workorder_no=workorder_no, workdate=workdate,
                                        worktime=worktime, employee_nr=employee_nr,
                                        workstatus=workstatus).items() if v is not None}
        self.call("GET", "UpdateWorkorder", params)

    def workorders(self, status: str = "Alle", *, update_status: bool = False,
                   workstatus: str | None = None) -> list[Workorder]:
        """GetWorkorders. update_status defaults to False here (the API's default is true, which
        marks every fetched Compleet order Afgehandeld)."""
        if status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}")
        params = {"status": status, "update_status": str(update_status).lower()}
        if workstatus:
            params["workstatus"] = workstatus
        return [Workorder.from_api(o) for o in self.call("GET", "GetWorkorders", params)]

    def workorder(self, *, row_id: int | None = None, workorder_no: str | None = None,
                  update_status: bool = False) -> Workorder:
        params = {"update_status": str(update_status).lower()}
        if row_id is not None:
            params["row_id"] = str(row_id)
        if workorder_no is not None:
            params["workorder_no"] = workorder_no
        return Workorder.from_api(self.call("GET", "GetWorkorder", params))

    def mark_handled(self, order: Workorder) -> None:
        """GetWorkorder with update_status=true: the order becomes Afgehandeld."""
        self.workorder(row_id=order.id, update_status=True)

    def process_completed(self, handle: Callable[[Workorder], Any]) -> ProcessReport:
        """The vendor's API workflow: fetch Compleet orders with update_status=false, process each,
        and mark it handled only after `handle` returned. An order whose processing raised stays
        Compleet (fetched again next time) and is reported in `failed`."""
        report = ProcessReport()
        for order in self.workorders("Compleet", update_status=False):
            try:
                handle(order)
            except Exception as exc:  # the integration's own failure: leave the order Compleet
                report.failed[order.workorder_no] = f"{type(exc).__name__}: {exc}"
                continue
            self.mark_handled(order)
            report.handled.append(order.workorder_no)
        return report
