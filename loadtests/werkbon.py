"""Locust profile for the WerkbonApp Open API v8: ERP-sync users that post master data and work
orders and poll GetWorkorders for Compleet orders (the vendor's workflow: fetch with
update_status=false, process, then GetWorkorder update_status=true), while a simulated device
completes orders at a configurable rate. Each order handled by an ERP user is reported as the
pseudo-request WORKFLOW "handled" (response time = ms from posting the order to handling it).

    fieldsim serve --api werkbon &
    locust -f loadtests/werkbon.py --headless -u 30 -r 10 -t 60s --host http://127.0.0.1:8080

Profiles (for `make load PROFILE=...`): werkbon-sync (tags "erp", "device"). Environment:
WERKBON_COMPLETE_RATE (orders the device completes per second per device user, default 2),
WERKBON_PICKUP_AFTER / WERKBON_COMPLETE_AFTER (the simulator's own device timing, ISO durations,
default PT2S / PT10S; set through /__admin/werkbon/device at test start), WERKBON_POLL_SECONDS
(pause between polls per ERP user, default 1.0), WERKBON_TOKEN / WERKBON_SOFTWARE_TOKEN.
"""
from __future__ import annotations

import os
import random
import time
import uuid

from locust import HttpUser, between, constant_throughput, events, tag, task

TOKEN = os.environ.get("WERKBON_TOKEN", "werkbon-demo-token")
SOFTWARE = os.environ.get("WERKBON_SOFTWARE_TOKEN", "werkbon-demo-software")
AUTH = {"token": TOKEN, "software_token": SOFTWARE}
POLL = float(os.environ.get("WERKBON_POLL_SECONDS", "1.0"))
RATE = float(os.environ.get("WERKBON_COMPLETE_RATE", "2"))
PROFILES = {"werkbon-sync": {"tags": ["erp", "device"], "users": 30, "spawn_rate": 10, "run_time": "60s"}}

_posted: dict[str, float] = {}  # WorkorderNo -> time posted (per process)


@events.test_start.add_listener
def _device_timing(environment, **_):
    """Let the simulated clock run and set the device's timing (fieldsim only; ignored elsewhere)."""
    import requests
    host = (environment.host or "").rstrip("/")
    try:
        requests.post(f"{host}/__admin/clock", json={"frozen": False}, timeout=5)
        requests.post(f"{host}/__admin/werkbon/device", timeout=5, json={
            "enabled": True, "pickup_after": os.environ.get("WERKBON_PICKUP_AFTER", "PT2S"),
            "complete_after": os.environ.get("WERKBON_COMPLETE_AFTER", "PT10S")})
    except requests.RequestException:
        pass


def _order(no: str, employee: str) -> dict:
    return {"WorkorderNo": no, "CustomerName": "Load BV", "CustomerDebtorNr": "10000", "CustomerStreet": "Laan",
            "CustomerZIP": "3454DE", "CustomerCity": "De Meern", "CustomerContactPerson": "L. Test",
            "CustomerNameInvoice": "Load BV", "CustomerDebtorNrInvoice": "10000", "CustomerStreetInvoice": "Laan",
            "CustomerZIPInvoice": "3454DE", "CustomerCityInvoice": "De Meern", "CustomerContactPersonInvoice": "L. Test",
            "TypeOfWork": "Service", "PaymentMethod": "op rekening", "EmployeeNr": employee,
            "WorkDate": time.strftime("%d-%m-%Y"), "WorkTime": "09:00"}


class WerkbonUser(HttpUser):
    abstract = True

    def api(self, method: str, function: str, name: str | None = None, params=None, body=None):
        with self.client.request(method, f"/openapi/8/{function}/", params={**AUTH, **(params or {})},
                                 json=body, name=name or function, catch_response=True) as resp:
            try:
                data = resp.json()
            except ValueError:
                resp.failure("not JSON")
                return None
            if data.get("code") != 200:
                resp.failure(f"code {data.get('code')}: {data.get('messages')}")
                return None
            return data.get("response")


class ErpSync(WerkbonUser):
    """An ERP integration: master data, new orders, and the completed-order workflow."""
    weight = 4
    wait_time = between(POLL * 0.5, POLL * 1.5)

    def on_start(self):
        self.tag = uuid.uuid4().hex[:6]
        self.employees = [e["number"] for e in (self.api("GET", "employees") or [])] or ["100"]

    @tag("erp")
    @task(6)
    def poll_completed(self):
        for o in self.api("GET", "GetWorkorders", "GetWorkorders Compleet",
                          {"status": "Compleet", "update_status": "false"}) or []:
            if self.api("GET", "GetWorkorder", "GetWorkorder update_status", {"row_id": o["id"], "update_status": "true"}) is None:
                continue
            started = _posted.pop(o["WorkorderNo"], None)
            if started is not None:
                events.request.fire(request_type="WORKFLOW", name="handled", response_time=(time.time() - started) * 1000,
                                    response_length=0, exception=None, context={})

    @tag("erp")
    @task(3)
    def post_workorder(self):
        no = f"LD-{self.tag}-{uuid.uuid4().hex[:8]}"
        if self.api("POST", "PostWorkorders", body=[_order(no, random.choice(self.employees))]) is not None:
            _posted[no] = time.time()

    @tag("erp")
    @task(1)
    def sync_master_data(self):
        mats = [{"code": f"LD{self.tag}{k}", "description": f"Load material {k}", "price": f"{k},50", "unit": "st"}
                for k in range(20)]
        self.api("POST", "materials", body=mats)
        self.api("POST", "relations", body=[{"name": f"Relatie {self.tag}", "debtor_number": f"LD{self.tag}",
                                             "street": "Laan", "postal_code": "3454DE", "city": "De Meern"}])


class Device(WerkbonUser):
    """The field side, on fieldsim: completes open orders at WERKBON_COMPLETE_RATE per second."""
    weight = 1
    wait_time = constant_throughput(RATE)

    @tag("device")
    @task
    def complete_one(self):
        open_orders = self.api("GET", "GetWorkorders", "GetWorkorders Opgehaald",
                               {"status": "Opgehaald", "update_status": "false"}) or []
        open_orders += self.api("GET", "GetWorkorders", "GetWorkorders Klaargezet",
                                {"status": "Klaargezet", "update_status": "false"}) or []
        if not open_orders:
            return
        no = random.choice(open_orders)["WorkorderNo"]
        with self.client.post(f"/__admin/werkbon/workorders/{no}/complete", params={"token": TOKEN},
                              name="/__admin/werkbon/complete", catch_response=True) as resp:
            if resp.status_code == 409:  # the ERP or the timed device got there first
                resp.success()
